"""Command line: python -m etl {refresh,status,sources,import,dictionary}."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from etl import pipeline, sources
from etl.config import SETTINGS_DOC, load_settings
from etl.state import LockBusy, RefreshLock


def _settings(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    return load_settings(
        data_dir=getattr(args, "data_dir", None),
        mirror=getattr(args, "mirror", None),
        contact=getattr(args, "contact", None),
    )


def _print_report(report: pipeline.RunReport) -> None:
    for o in report.outcomes:
        if o.skipped:
            print(f"  {o.source:<24} skipped (fresh)")
        elif o.ok:
            rows = ", ".join(f"{t}={n:,}" for t, n in o.rows.items())
            kept = " (unchanged: published tables kept)" if o.unchanged else ""
            print(
                f"  {o.source:<24} ok     {o.seconds:6.1f}s  {o.requests:3d} requests  {rows}{kept}"
            )
        else:
            print(f"  {o.source:<24} FAILED {o.seconds:6.1f}s  {o.error}")
        for change in o.accepted_changes:
            print(f"  {'':<24} accepted change (--accept-change): {change}")
    print(f"report: {report.report_path}")


def cmd_refresh(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        with RefreshLock(settings.state_dir, wait_seconds=args.wait):
            report = pipeline.refresh(
                settings,
                args.source or None,
                offline=args.offline,
                if_stale=args.if_stale,
                accept_change=args.accept_change,
            )
    except LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 75  # EX_TEMPFAIL
    _print_report(report)
    if not report.ok:
        failed = [o.source for o in report.outcomes if not o.ok]
        print(
            f"error: {len(failed)} source(s) failed: {', '.join(failed)}; their last good data is kept",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    rows = pipeline.status(_settings(args))
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        age = f"{r['snapshot_age_hours']} h" if r["snapshot_age_hours"] is not None else "never"
        print(
            f"{r['source']:<24} last success {r['last_success'] or 'never':<22} snapshot age {age:<10} "
            f"{'STALE ' if r['stale'] else ''}rows {r['rows_published']}"
        )
        if r["last_error"]:
            print(f"{'':<24} last error: {r['last_error']}")
    return 0


def cmd_sources(args: argparse.Namespace) -> int:
    for name, mod in sources.SOURCES.items():
        o = mod.ORIGIN
        print(f"{name}\n  publisher: {o.producer}\n  licence:   {o.license} ({o.license_url})")
        for u in o.urls:
            print(f"  url:       {u}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    settings = _settings(args)
    try:
        with RefreshLock(settings.state_dir, wait_seconds=args.wait):
            report = pipeline.import_files(
                settings,
                args.source,
                [Path(f) for f in args.files],
                accept_change=args.accept_change,
            )
    except LockBusy as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 75
    except (ValueError, FileNotFoundError, KeyError, RuntimeError) as exc:
        print(f"error: {exc}; nothing was changed", file=sys.stderr)
        return 2
    _print_report(report)
    return 0 if report.ok else 1


def cmd_dictionary(args: argparse.Namespace) -> int:
    from etl.schema import data_dictionary_markdown

    print(data_dictionary_markdown())
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    from etl import store
    from etl.config import REPO_ROOT, load_settings
    from etl.coverage import facts_block, replace_facts

    settings = load_settings(data_dir=args.data_dir)
    manifest = store.read_manifest(settings.processed_dir)
    if manifest is None:
        print(
            f"error: no published data in {settings.processed_dir}; run a refresh first",
            file=sys.stderr,
        )
        return 1
    if args.write_readme:
        path = REPO_ROOT / "README.md"
        path.write_text(replace_facts(path.read_text(), manifest))
        print(f"wrote the facts block of {path}")
    else:
        print(facts_block(manifest))
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m etl",
        description="Fetch, validate and publish the public data behind the dashboard.",
        epilog="Settings: " + "; ".join(f"{k}: {v}" for k, v in SETTINGS_DOC.items()),
    )
    p.add_argument("-v", "--verbose", action="store_true")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="data directory (LMD_DATA_DIR)")
    common.add_argument("--contact", help="contact for the User-Agent (LMD_CONTACT)")
    sub = p.add_subparsers(dest="cmd", required=True)

    r = sub.add_parser("refresh", parents=[common], help="fetch and publish sources")
    r.add_argument(
        "--source",
        action="append",
        choices=list(sources.SOURCES),
        help="only this source (repeatable)",
    )
    r.add_argument(
        "--mirror", help="serve requests from a mirror folder or http:// prefix (LMD_MIRROR)"
    )
    r.add_argument(
        "--offline", action="store_true", help="rebuild from the latest raw snapshots, no network"
    )
    r.add_argument("--if-stale", action="store_true", help="only sources past their cadence")
    r.add_argument(
        "--accept-change",
        action="append",
        default=[],
        choices=list(sources.SOURCES),
        metavar="SOURCE",
        help="publish this source even where the change guards refuse it (repeatable; recorded "
        "in the run report)",
    )
    r.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS", help="wait for a running refresh"
    )
    r.set_defaults(func=cmd_refresh)

    s = sub.add_parser("status", parents=[common], help="per-source refresh status")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_status)

    so = sub.add_parser("sources", help="list sources with publisher, licence and URLs")
    so.set_defaults(func=cmd_sources)

    im = sub.add_parser(
        "import", parents=[common], help="import files downloaded by hand (bls_oews)"
    )
    im.add_argument("source", choices=list(sources.SOURCES))
    im.add_argument("files", nargs="+")
    im.add_argument("--wait", type=float, default=0.0, metavar="SECONDS")
    im.add_argument(
        "--accept-change", action="store_true", help="publish even where the change guards refuse"
    )
    im.set_defaults(func=cmd_import)

    d = sub.add_parser("dictionary", help="print the data dictionary as Markdown")
    d.set_defaults(func=cmd_dictionary)

    f = sub.add_parser(
        "facts", parents=[common], help="facts of the published data (coverage, shares, counts)"
    )
    f.add_argument("--write-readme", action="store_true", help="rewrite README.md's facts block")
    f.set_defaults(func=cmd_facts)

    args = p.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return args.func(args)
    except ValueError as exc:  # bad settings
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
