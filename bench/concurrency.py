"""Many analysts at once: N browser sessions (one Chromium, a context each) change filters on the
dashboard's views while two refreshes publish new versions into the store they read.

Each session opens the app at its own view, then goes through the views in turn (all by default,
starting from a different one per session, so at any time the sessions are on different views;
the sidebar links keep its Streamlit session and filters) and on each makes
`changes` filter changes: the role definition toggled, AI engineers added to / removed from the
roles, so consecutive states differ (and the link changes). A change is timed from the click to the
rerun started (the app's script state, or the link) and finished with
every Plotly chart of the page drawn (Overview and Data & methods have no chart: there, to the
rerun finished). Once every session shows its first view, `refreshes` refreshes run one after the
other (`python -m etl <refresh args> --data-dir STORE`, each exit code recorded), while the
sessions go on. Errors are exception boxes on a page, timeouts, refresh failures and tracebacks in
the server log; the run is good only with none.

Usage: python -m bench.concurrency --store DIR --sessions 1,5,10 --changes 2 [--views 5] --out FILE.json
       [--refresh-args "refresh --offline --source aijobs_salaries"]
(`python -m bench concurrency` runs it on the bench store; tests/e2e/test_concurrency.py on fixtures.)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any

from bench.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DRAWN_JS,
    READY,
    _stats,
    free_port,
    start_server,
    stop_server,
    wait_healthy,
)

REPO = Path(__file__).resolve().parents[1]
# (url path, its link in the sidebar, the start of its title, whether it draws Plotly charts)
VIEWS = [
    ("pay", "Pay", "Pay", True),
    ("demand", "Demand", "Demand", True),
    ("skills", "Skills", "Skills", True),
    ("", "Overview", "Data Scientist or ML Engineer", False),  # the default page, at /
    ("methods", "Data & methods", "Data & methods", False),
]
TIMEOUT_MS = 180_000
DEFAULT_REFRESH = "refresh --offline --source aijobs_salaries --source indeed_postings_index"
# records whether the app's script state became 'running' after it is installed
WATCH_JS = """() => {
    const app = document.querySelector('[data-testid=stApp]');
    window.__ran = false;
    if (window.__obs) window.__obs.disconnect();
    window.__obs = new MutationObserver(() => {
        if (app.getAttribute('data-test-script-state') === 'running') window.__ran = true;
    });
    window.__obs.observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""


async def _settled(page: Any, charts: bool) -> None:
    await page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    await page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton]')", timeout=TIMEOUT_MS
    )
    if charts and await page.get_by_test_id("stPlotlyChart").count():
        await page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS)


async def _exceptions(page: Any) -> list[str]:
    boxes = page.get_by_test_id("stException")
    return [t[:500] for t in await boxes.all_inner_texts()]


async def _change(page: Any, step: int) -> None:
    sidebar = page.get_by_test_id("stSidebar")
    if step % 2 == 0:
        radio = sidebar.get_by_test_id("stRadio").filter(has_text="Role definition")
        await radio.locator("[data-testid=stRadioOption]:not([data-selected=true])").first.click()
        return
    roles = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Roles")
    remove = roles.get_by_role("button", name="Remove AI Engineer", exact=True)
    if await remove.count():
        await remove.click()
    else:
        await roles.locator("input").click()
        await page.get_by_role("option", name="AI Engineer", exact=True).click()
        await page.keyboard.press("Escape")


async def _open(page: Any, base: str, view: tuple[str, str, str, bool], first: bool) -> None:
    path, nav, title, charts = view
    if first:
        await page.goto(f"{base}/{path}", timeout=TIMEOUT_MS)
    else:  # the sidebar link: the same Streamlit session goes on with its filters
        await page.get_by_test_id("stSidebarNav").get_by_role("link", name=nav).click()
    await (
        page.get_by_role("heading", level=1)
        .filter(has_text=title)
        .first.wait_for(timeout=TIMEOUT_MS)
    )
    await _settled(page, charts)


async def session(
    browser: Any,
    base: str,
    i: int,
    plan: tuple[int, int],
    out: dict[str, Any],
    ready: asyncio.Event,
) -> None:
    views, changes = plan
    ctx = await browser.new_context(viewport={"width": 1400, "height": 2000})
    page = await ctx.new_page()
    order = (VIEWS[i % len(VIEWS) :] + VIEWS[: i % len(VIEWS)])[:views]
    step, where = 0, "start"
    try:
        for k, view in enumerate(order):
            where = f"opening {view[1]}"
            await _open(page, base, view, first=k == 0)
            if k == 0:
                out["opened"] += 1
                if out["opened"] == out["sessions"]:
                    ready.set()
            for _ in range(changes):
                where = f"change {step} on {view[1]}"
                await page.evaluate(WATCH_JS)
                url = page.url
                t0 = time.perf_counter()
                await _change(page, step)
                step += 1
                where += ": waiting for the rerun"
                # NOTE: a loaded browser may render 'running' and 'notRunning' in one batch, so the
                # state alone can be missed; every step also changes the link (the filters' URL)
                await page.wait_for_function(
                    "(old) => window.__ran || location.href !== old", arg=url, timeout=TIMEOUT_MS
                )
                where += " to finish"
                await _settled(page, view[3])
                out["times"].append(time.perf_counter() - t0)
                out["by_view"].setdefault(view[0] or "overview", []).append(
                    time.perf_counter() - t0
                )
            for text in await _exceptions(page):
                out["errors"].append(f"session {i} {view[0] or 'overview'}: exception: {text}")
    except Exception as exc:  # noqa: BLE001 - every failure is a finding
        out["errors"].append(f"session {i}, {where}: {type(exc).__name__}: {str(exc)[:300]}")
        ready.set()
    finally:
        await ctx.close()


def _version(store: Path) -> str | None:
    try:
        return json.loads((store / "processed" / "manifest.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


async def refreshes(
    store: Path, args: list[str], n: int, ready: asyncio.Event, out: dict[str, Any]
) -> None:
    await ready.wait()
    for _ in range(n):
        t0 = time.perf_counter()
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "etl",
            *args,
            "--data-dir",
            str(store),
            cwd=REPO,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        log, _ = await proc.communicate()
        rec = {
            "exit": proc.returncode,
            "seconds": round(time.perf_counter() - t0, 2),
            "version": _version(store),
        }
        out["refreshes"].append(rec)
        if proc.returncode != 0:
            out["errors"].append(f"refresh exit {proc.returncode}: {log.decode()[-1500:]}")


async def level(
    browser: Any,
    base: str,
    store: Path,
    n: int,
    plan: tuple[int, int],
    refresh: tuple[list[str], int],
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sessions": n,
        "opened": 0,
        "times": [],
        "by_view": {},
        "errors": [],
        "refreshes": [],
    }
    ready = asyncio.Event()
    t0 = time.perf_counter()
    await asyncio.gather(
        *(session(browser, base, i, plan, out, ready) for i in range(n)),
        refreshes(store, refresh[0], refresh[1], ready, out),
    )
    times = out.pop("times")
    res = {
        "sessions": n,
        "wall_s": round(time.perf_counter() - t0, 1),
        "filter_change_to_chart": _stats(times) if times else None,
        "by_view": {v: _stats(xs) for v, xs in out.pop("by_view").items()},
        "refreshes": out["refreshes"],
        "errors": out["errors"],
    }
    return res


def server_errors(log: Path) -> list[str]:
    text = log.read_text(errors="replace") if log.is_file() else ""
    return [
        ln for ln in text.splitlines() if "Traceback" in ln or ln.startswith(("Error", "Exception"))
    ]


async def run(
    store: Path, levels: list[int], plan: tuple[int, int], refresh: tuple[list[str], int], log: Path
) -> dict[str, Any]:
    """plan: (views per session, changes per view); refresh: (etl arguments, how many)."""
    from playwright.async_api import async_playwright

    log.parent.mkdir(parents=True, exist_ok=True)
    port = free_port()
    proc = start_server(store, port, log)
    res: dict[str, Any] = {
        "store": str(store),
        "views_per_session": plan[0],
        "changes_per_view": plan[1],
        "views": [v[0] or "overview" for v in VIEWS],
        "refresh_args": refresh[0],
        "refreshes_per_level": refresh[1],
        "levels": {},
    }
    try:
        wait_healthy(port, proc)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                for n in levels:
                    res["levels"][str(n)] = await level(
                        browser, f"http://127.0.0.1:{port}", store, n, plan, refresh
                    )
            finally:
                await browser.close()
    finally:
        stop_server(proc)
    res["server_log_errors"] = server_errors(log)
    res["errors"] = sum(len(v["errors"]) for v in res["levels"].values()) + len(
        res["server_log_errors"]
    )
    return res


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--store", type=Path, required=True, help="data dir holding processed/ (and raw/)"
    )
    ap.add_argument("--sessions", default="1,5,10", help="comma-separated session counts")
    ap.add_argument("--changes", type=int, default=2, help="filter changes per view per session")
    ap.add_argument("--views", type=int, default=len(VIEWS), help="views each session goes through")
    ap.add_argument("--refreshes", type=int, default=2)
    ap.add_argument("--refresh-args", default=DEFAULT_REFRESH)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"bench.concurrency: {CHROMIUM} is missing (make browser installs it)")
    levels = [int(x) for x in args.sessions.split(",") if x.strip()]
    log = REPO / "bench" / "out" / f"streamlit-concurrency-{args.store.name}.log"
    if args.out:
        log = args.out.with_suffix(".log")
    res = asyncio.run(
        run(
            args.store.resolve(),
            levels,
            (min(args.views, len(VIEWS)), args.changes),
            (shlex.split(args.refresh_args), args.refreshes),
            log,
        )
    )
    text = json.dumps(res, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)
    return res


if __name__ == "__main__":
    main()
