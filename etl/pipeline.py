"""refresh: for each source fetch -> parse/transform (build) -> validate, then publish every table that
passed in one atomic step. A failing source keeps its last good tables; the others still publish.
Writes data/raw, data/processed, data/state/sources.json and a JSON run report under data/reports.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from etl import build_cache, guards, schema, sources, store
from etl.config import REPO_ROOT, VERSION, Settings
from etl.http import HttpClient
from etl.snapshot import Snapshot, SnapshotStore, iso, parse_iso, utc_now
from etl.sources.base import FetchContext, data_through
from etl.state import load_state, save_state

log = logging.getLogger("etl")


@dataclass
class SourceOutcome:
    source: str
    ok: bool
    seconds: float
    snapshot_id: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    error: str | None = None
    requests: int = 0
    skipped: bool = False
    # the fetched snapshot and the code are those of the published tables: nothing was rebuilt
    unchanged: bool = False
    # change-guard findings published on purpose (--accept-change), as their messages
    accepted_changes: list[str] = field(default_factory=list)


@dataclass
class RunReport:
    started_at: str
    finished_at: str = ""
    mode: str = "live"
    outcomes: list[SourceOutcome] = field(default_factory=list)
    manifest_version: str | None = None
    report_path: str | None = None
    accept_change: list[str] = field(default_factory=list)  # sources named by --accept-change

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        return d


def code_version() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(REPO_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        rev = ""
    return f"{VERSION}+{rev}" if rev else VERSION


def _coverage(mod: Any, tables: dict[str, Any]) -> dict[str, Any]:
    """The source's facts about its data; a failure to compute them never fails the source."""
    if not hasattr(mod, "coverage"):
        return {}
    try:
        return mod.coverage(tables)
    except Exception as exc:  # noqa: BLE001 - reported in the manifest instead
        log.warning("%s: coverage not computed: %s", mod.NAME, exc)
        return {"error": f"{type(exc).__name__}: {exc}"}


def _unchanged(
    published: dict[str, Any] | None, name: str, mod: Any, snap: Snapshot, key: str
) -> bool:
    """Whether the published tables of `name` were built from this very snapshot by this code
    (etl/build_cache.code_key: every Python file of etl/ and every mapping), so a build would
    give them again."""
    if not published:
        return False
    info = (published.get("sources") or {}).get(name) or {}
    tables = published.get("tables") or {}
    return (
        info.get("snapshot_id") == snap.snapshot_id
        and info.get("build_key") == key
        and all((tables.get(t) or {}).get("snapshot_id") == snap.snapshot_id for t in mod.TABLES)
    )


def _guard(
    name: str,
    tables: dict[str, Any],
    published: dict[str, Any] | None,
    settings: Settings,
    *,
    accept: bool,
) -> list[str]:
    """Raise ChangeRefused when the change guards find anything, unless `accept`: then return the
    findings (as messages) for the report."""
    findings = guards.check(name, tables, published, settings.processed_dir)
    if findings and not accept:
        raise guards.ChangeRefused(name, findings, (published or {}).get("version"))
    for f in findings:
        log.warning("%s: change accepted (--accept-change): %s", name, f)
    return [str(f) for f in findings]


def is_stale(settings: Settings, name: str, now: datetime | None = None) -> bool:
    now = now or utc_now()
    st = load_state(settings.state_dir).get(name, {})
    last = st.get("last_success")
    if not last:
        return True
    if outdated_tables(settings, name):
        return True  # published by an older version of the code: rebuild whatever the cadence
    cadence = sources.get(name).ORIGIN.cadence_days
    return (now - parse_iso(last)).total_seconds() >= cadence * 86400


def outdated_tables(settings: Settings, name: str) -> list[str]:
    """Tables of `name` that are missing from the published set or whose columns differ from the
    schema of this code version (e.g. after an upgrade added a column)."""
    manifest = store.read_manifest(settings.processed_dir) or {"tables": {}}
    out = []
    for table in sources.get(name).TABLES:
        meta = manifest["tables"].get(table)
        if meta is None or meta.get("columns") != list(schema.TABLES[table].columns):
            out.append(table)
    return out


def _progress_factory(enabled: bool):  # type: ignore[no-untyped-def]
    if not enabled:

        def plain(done: int, total: int, label: str) -> None:
            if total <= 10 or done % max(1, total // 10) == 0:
                log.info("  %d/%d %s", done + 1, total, label)

        return plain, lambda: None
    from tqdm import tqdm

    bar: dict[str, Any] = {}

    def fancy(done: int, total: int, label: str) -> None:
        if "b" not in bar:
            bar["b"] = tqdm(total=total, unit="file", leave=False, file=sys.stderr)
        bar["b"].n = done + 1
        bar["b"].set_description(label[:30])
        bar["b"].refresh()

    def close() -> None:
        if "b" in bar:
            bar["b"].close()

    return fancy, close


def refresh(
    settings: Settings,
    names: list[str] | None = None,
    *,
    offline: bool = False,
    if_stale: bool = False,
    client: HttpClient | None = None,
    progress: bool | None = None,
    accept_change: list[str] | None = None,
) -> RunReport:
    """`accept_change`: sources whose change-guard findings (etl/guards.py) are published anyway
    and recorded in the report, instead of failing the source."""
    names = names or list(sources.SOURCES)
    accept = list(dict.fromkeys(accept_change or []))
    for n in [*names, *accept]:
        sources.get(n)  # unknown names fail before any work
    started = utc_now()
    report = RunReport(
        started_at=iso(started),
        mode="offline" if offline else ("mirror" if settings.mirror else "live"),
        accept_change=accept,
    )
    # the last published version, which every source's new tables are compared with
    published = store.read_manifest(settings.processed_dir)
    raw = SnapshotStore(settings.raw_dir, keep=settings.keep_snapshots)
    own_client = client is None and not offline
    if own_client:
        client = HttpClient(settings)
    show = sys.stderr.isatty() if progress is None else progress
    state = load_state(settings.state_dir)
    build_key = build_cache.code_key()
    staged: dict[str, tuple[Any, dict[str, Any]]] = {}
    sources_info: dict[str, dict[str, Any]] = {}
    try:
        for name in names:
            mod = sources.get(name)
            if if_stale and not is_stale(settings, name, started):
                log.info("%s: fresh (cadence %s days), skipped", name, mod.ORIGIN.cadence_days)
                report.outcomes.append(SourceOutcome(name, True, 0.0, skipped=True))
                continue
            t0 = time.monotonic()
            n_req0 = len(client.requests_made) if client else 0
            st = state.setdefault(name, {})
            st["last_attempt"] = iso(utc_now())
            log.info(
                "%s: %s", name, "rebuilding from the latest raw snapshot" if offline else "fetching"
            )
            outcome = SourceOutcome(name, False, 0.0)
            try:
                previous = raw.latest(name)
                if offline:
                    if previous is None:
                        raise RuntimeError(
                            f"no raw snapshot of {name} in {settings.raw_dir}; run a refresh without --offline first"
                        )
                    snap: Snapshot = previous
                else:
                    assert client is not None
                    bar, close = _progress_factory(show)
                    ctx = FetchContext(settings, client, raw, previous, progress=bar)
                    try:
                        snap = mod.fetch(ctx)
                    finally:
                        close()
                if (
                    not offline
                    and name not in accept
                    and _unchanged(published, name, mod, snap, build_key)
                ):
                    # NOTE: a scheduled refresh in which a source's files did not change: its
                    # published tables are what a build would give, so they stay as they are
                    # (`--offline` rebuilds from the latest snapshot whatever it is)
                    log.info(
                        "%s: snapshot %s and code unchanged since the published build: its "
                        "tables are kept",
                        name,
                        snap.snapshot_id,
                    )
                    outcome.ok = outcome.unchanged = True
                    outcome.snapshot_id = snap.snapshot_id
                    outcome.rows = {t: int(published["tables"][t]["rows"]) for t in mod.TABLES}
                    st.update(last_success=iso(utc_now()), snapshot_id=snap.snapshot_id)
                    st["last_error"] = None
                else:
                    if getattr(mod, "INCREMENTAL", False):
                        # per-thread results kept between refreshes (etl/build_cache.py)
                        tables = mod.build(snap, cache_dir=settings.data_dir / "cache")
                    else:
                        tables = mod.build(snap)
                    missing = set(mod.TABLES) - set(tables)
                    if missing:
                        raise schema.SchemaError(f"{name} did not build tables {sorted(missing)}")
                    validated = {t: schema.validate(t, df) for t, df in tables.items()}
                    outcome.accepted_changes = _guard(
                        name, validated, published, settings, accept=name in accept
                    )
                    for t, df in validated.items():
                        staged[t] = (
                            df,
                            {
                                "source": name,
                                "snapshot_id": snap.snapshot_id,
                                "snapshot_created_at": snap.created_at,
                                "input_sha256": snap.checksums(),
                            },
                        )
                    sources_info[name] = {
                        "snapshot_id": snap.snapshot_id,
                        "snapshot_created_at": snap.created_at,
                        "fetched_at": max(
                            (f.fetched_at for f in snap.files.values()), default=snap.created_at
                        ),
                        "files": len(snap.files),
                        "origin": mod.ORIGIN.to_json(),
                        "data_through": data_through(mod.ORIGIN, validated),
                        # facts about the data (coverage, shares, counts), computed at publish time
                        "coverage": _coverage(mod, validated),
                        "accepted_changes": outcome.accepted_changes,
                        "build_key": build_key,
                    }
                    outcome.ok = True
                    outcome.snapshot_id = snap.snapshot_id
                    outcome.rows = {t: int(len(df)) for t, df in validated.items()}
            except Exception as exc:  # one failing source never blocks the others
                outcome.error = f"{type(exc).__name__}: {exc}"
                log.error("%s failed: %s", name, outcome.error)
                log.debug("%s", traceback.format_exc())
                st["last_error"] = outcome.error
                st["last_error_at"] = iso(utc_now())
            outcome.seconds = round(time.monotonic() - t0, 3)
            outcome.requests = (len(client.requests_made) - n_req0) if client else 0
            report.outcomes.append(outcome)
        if staged:
            run_info = {
                "started_at": report.started_at,
                "mode": report.mode,
                "code_version": code_version(),
            }
            try:
                manifest = store.publish(settings.processed_dir, staged, run_info, sources_info)
            except Exception as exc:  # e.g. disk full: nothing was published, say so per source
                msg = f"publish failed, previous tables kept: {type(exc).__name__}: {exc}"
                log.error(msg)
                for o in report.outcomes:
                    if o.ok and not o.skipped and not o.unchanged:
                        o.ok, o.error = False, msg
                        state.setdefault(o.source, {}).update(
                            last_error=msg, last_error_at=iso(utc_now())
                        )
            else:
                report.manifest_version = manifest["version"]
                now = iso(utc_now())
                for o in report.outcomes:
                    if o.ok and not o.skipped and not o.unchanged:
                        s = state.setdefault(o.source, {})
                        s.update(last_success=now, snapshot_id=o.snapshot_id, rows=o.rows)
                        s["last_error"] = None
        save_state(settings.state_dir, state)
    finally:
        if own_client and client is not None:
            client.close()
    report.finished_at = iso(utc_now())
    report.report_path = str(write_report(settings, report))
    return report


def write_report(settings: Settings, report: RunReport) -> Path:
    d = settings.reports_dir
    d.mkdir(parents=True, exist_ok=True)
    # microseconds and a zero-padded counter keep names unique and sorting in time order
    stamp = f"{utc_now():%Y%m%dT%H%M%S%fZ}"
    i = 0
    path = d / f"refresh-{stamp}-{i:03d}.json"
    while path.exists():
        i += 1
        path = d / f"refresh-{stamp}-{i:03d}.json"
    store.atomic_write_text(path, json.dumps(report.to_json(), indent=2))
    return path


def status(settings: Settings) -> list[dict[str, Any]]:
    state = load_state(settings.state_dir)
    manifest = store.read_manifest(settings.processed_dir) or {"tables": {}}
    raw = SnapshotStore(settings.raw_dir)
    now = utc_now()
    out = []
    for name, mod in sources.SOURCES.items():
        st = state.get(name, {})
        snap = raw.latest(name)
        age_h = None
        if snap is not None:
            age_h = round((now - parse_iso(snap.created_at)).total_seconds() / 3600, 1)
        rows = {t: m.get("rows") for t, m in manifest["tables"].items() if m.get("source") == name}
        out.append(
            {
                "source": name,
                "last_attempt": st.get("last_attempt"),
                "last_success": st.get("last_success"),
                "snapshot_id": snap.snapshot_id if snap else None,
                "snapshot_age_hours": age_h,
                "cadence_days": mod.ORIGIN.cadence_days,
                "stale": is_stale(settings, name, now),
                "rows_published": rows,
                "last_error": st.get("last_error"),
            }
        )
    return out


def import_files(
    settings: Settings, name: str, paths: list[Path], *, accept_change: bool = False
) -> RunReport:
    """Import files downloaded by hand (only sources with `import_files`), then publish them
    (`accept_change`: past the change guards, as `refresh --accept-change`)."""
    mod = sources.get(name)
    if not hasattr(mod, "import_files"):
        raise ValueError(f"source {name} does not accept imported files")
    raw = SnapshotStore(settings.raw_dir, keep=settings.keep_snapshots)
    previous = raw.latest(name)
    ctx = FetchContext(settings, None, raw, previous)  # type: ignore[arg-type]
    # a source's import_files parses every file before it saves a snapshot; the build below is
    # a second check, and a snapshot that does not build is removed again
    for p in paths:
        if not Path(p).is_file():
            raise FileNotFoundError(f"{p}: no such file")
    snap = mod.import_files(ctx, [Path(p) for p in paths])  # type: ignore[attr-defined]
    try:
        mod.build(snap)
    except Exception:
        # NOTE: the new snapshot did not build: remove it so the last good snapshot stays latest
        from etl.snapshot import _rmtree_readonly

        if previous is None or snap.path != previous.path:
            _rmtree_readonly(snap.path)
        raise
    return refresh(settings, [name], offline=True, accept_change=[name] if accept_change else None)
