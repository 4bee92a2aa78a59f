"""The dashboard in a real browser (Playwright + Debian's /usr/bin/chromium), and the server's RSS.

1. Chromium is launched first (not timed). Then `streamlit run dashboard/app.py` starts on a free
   127.0.0.1 port against the given store; timed from just before the process is spawned to
   `/_stcore/health` answering `ok`, and to the Pay view's first Plotly chart drawn in a new page.
2. Filter change -> updated chart, on the Pay view: one sidebar change per step through distinct
   filter states (so the server runs the queries, not its cache); timed from just before the
   click to the charts' data having changed AND the app's script state being notRunning again.
   Each measure also records how much of it came after the page's last websocket message from
   the server (timed in the page): the browser's own share (rendering, Plotly, JavaScript).
3. Every view is then opened and its filters changed a few times, while a thread polls the RSS of
   the server process and its children (psutil, every 50 ms): the peak is the dashboard's RSS.

Usage: python -m bench.browser --store bench/data/x100 --changes 12 --out FILE.json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY = (
    "[data-testid=stApp][data-test-connection-state=CONNECTED][data-test-script-state=notRunning]"
)
TIMEOUT_MS = 120_000
# a signature of every Plotly chart's data on the page (names and values)
SIG_JS = """() => JSON.stringify([...document.querySelectorAll(
    '[data-testid=stPlotlyChart] .js-plotly-plot')].map(e => (e.data || []).map(
    t => [t.name, t.x, t.y, t.base])))"""
DRAWN_JS = """() => {
    const boxes = document.querySelectorAll('[data-testid=stPlotlyChart]');
    const drawn = document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot .main-svg');
    return boxes.length > 0 && drawn.length >= boxes.length;
}"""

# the time the page received its last websocket message (performance.now()), recorded in the
# page: how long after it the chart was drawn is the browser's own share of a measure
LAST_MESSAGE_JS = """(() => {
    const Base = window.WebSocket;
    window.__lastMessageAt = 0;
    window.WebSocket = class extends Base {
        constructor(...args) {
            super(...args);
            this.addEventListener('message', () => { window.__lastMessageAt = performance.now(); });
        }
    };
})()"""
AFTER_LAST_MESSAGE_JS = "() => (performance.now() - window.__lastMessageAt) / 1000"

# Pay view: each step leads to a filter state not seen before (no cache hit on the server)
PAY_STEPS: list[tuple[str, str, str, str]] = [
    ("radio", "Role definition", "Broad", ""),
    ("add", "Experience level", "Senior", ""),
    ("add", "Company size", "Large (>250)", ""),
    ("radio", "Role definition", "Strict", ""),
    ("remove", "Experience level", "Senior", ""),
    ("add", "Remote ratio", "Remote (100%)", ""),
    ("add", "Roles", "AI Engineer", ""),
    ("radio", "Role definition", "Broad", ""),
    ("remove", "Company size", "Large (>250)", ""),
    ("add", "Experience level", "Mid", ""),
    ("remove", "Roles", "AI Engineer", ""),
    ("remove", "Remote ratio", "Remote (100%)", ""),
    ("radio", "Role definition", "Strict", ""),
    ("add", "Company size", "Medium (50-250)", ""),
    ("add", "Employment type", "Full-time", ""),
    ("radio", "Role definition", "Broad", ""),
]
OTHER_VIEWS = [
    ("", "Data Scientist or ML Engineer"),  # the overview is the default page, at /
    ("demand", "Demand"),
    ("skills", "Skills"),
    ("methods", "Data & methods"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RssPoller(threading.Thread):
    """Peak RSS of a process and all its children, sampled every `every` seconds."""

    def __init__(self, pid: int, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self.last = 0
        self._halt = threading.Event()

    def sample(self) -> int:
        import psutil

        total = 0
        try:
            procs = [self.proc, *self.proc.children(recursive=True)]
        except psutil.Error:
            return 0
        for p in procs:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def run(self) -> None:
        while not self._halt.is_set():
            self.last = self.sample()
            self.peak = max(self.peak, self.last)
            time.sleep(self.every)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=2)


def start_server(store: Path, port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "LMD_DATA_DIR": str(store), "PYTHONUNBUFFERED": "1"}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(REPO / "dashboard" / "app.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    fh = open(log, "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(cmd, cwd=REPO, env=env, stdout=fh, stderr=subprocess.STDOUT)


def wait_healthy(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    url = f"http://127.0.0.1:{port}/_stcore/health"
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError("streamlit did not answer /_stcore/health in time")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _widget(page: Any, testid: str, label: str) -> Any:
    return (
        page.get_by_test_id("stSidebar")
        .get_by_test_id(testid)
        .filter(has=page.get_by_test_id("stWidgetLabel").filter(has_text=re.compile("^" + label)))
    )


def do_step(page: Any, kind: str, label: str, option: str) -> None:
    if kind == "radio":
        w = _widget(page, "stRadio", label)
        w.get_by_test_id("stRadioOption").filter(has_text=re.compile("^" + option)).click()
    elif kind == "add":
        w = _widget(page, "stMultiSelect", label)
        w.locator("input").click()
        page.get_by_role("option", name=option, exact=True).click()
        page.keyboard.press("Escape")
    elif kind == "remove":
        w = _widget(page, "stMultiSelect", label)
        w.get_by_role("button", name=f"Remove {option}", exact=True).click()
    else:
        raise ValueError(kind)


def toggle_definition(page: Any) -> None:
    w = _widget(page, "stRadio", "Role definition")
    w.locator("[data-testid=stRadioOption]:not([data-selected=true])").first.click()


def timed_change(page: Any, step: tuple[str, str, str, str]) -> tuple[float, float]:
    """(seconds from the click to the charts showing new data and the rerun finished, of them
    the seconds after the page's last message from the server: the browser's own share)."""
    before = page.evaluate(SIG_JS)
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    t0 = time.perf_counter()
    do_step(page, step[0], step[1], step[2])
    page.wait_for_function(
        f"(old) => ({SIG_JS})() !== old", arg=before, timeout=TIMEOUT_MS, polling="raf"
    )
    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
    page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS)
    total = time.perf_counter() - t0
    return total, min(float(page.evaluate(AFTER_LAST_MESSAGE_JS)), total)


def _stats(xs: list[float]) -> dict[str, Any]:
    arr = np.asarray(xs)
    return {
        "n": len(xs),
        "p50_ms": round(1000 * float(np.percentile(arr, 50)), 1),
        "p95_ms": round(1000 * float(np.percentile(arr, 95)), 1),
        "max_ms": round(1000 * float(arr.max()), 1),
    }


def run(store: Path, changes: int, tour: bool, log_dir: Path) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    log_dir.mkdir(parents=True, exist_ok=True)
    out: dict[str, Any] = {"store": str(store)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        port = free_port()
        t0 = time.perf_counter()
        proc = start_server(store, port, log_dir / f"streamlit-{store.name}.log")
        poller = RssPoller(proc.pid)
        poller.start()
        try:
            wait_healthy(port, proc)
            out["server_start_to_healthy_s"] = round(time.perf_counter() - t0, 3)
            ctx = browser.new_context(viewport={"width": 1400, "height": 2400})
            ctx.add_init_script(LAST_MESSAGE_JS)
            page = ctx.new_page()
            page.goto(f"http://127.0.0.1:{port}/pay")
            page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS)
            first = time.perf_counter() - t0
            out["server_start_to_first_chart_s"] = round(first, 3)
            # the first chart drawn this long after the server's last message so far
            out["first_chart_after_last_message_s"] = round(
                min(float(page.evaluate(AFTER_LAST_MESSAGE_JS)), first), 3
            )
            page.wait_for_selector(READY, timeout=TIMEOUT_MS)
            out["rss_after_first_chart_mb"] = round(poller.sample() / 2**20, 1)
            times, after, done = [], [], []
            for i in range(changes):
                step = PAY_STEPS[i % len(PAY_STEPS)]
                total, browser_share = timed_change(page, step)
                times.append(total)
                after.append(browser_share)
                done.append(f"{step[0]} {step[1]}: {step[2]}")
            out["filter_change_to_chart"] = {
                "view": "pay",
                **_stats(times),
                "after_last_message": _stats(after),
                "steps": done,
            }
            if tour:
                # every view, with its filters changed, so the server holds every query's result
                tour_times = []
                for path, _title in OTHER_VIEWS:
                    t1 = time.perf_counter()
                    page.goto(f"http://127.0.0.1:{port}/{path}")
                    page.get_by_role("heading", level=1).first.wait_for(timeout=TIMEOUT_MS)
                    page.wait_for_selector(READY, timeout=TIMEOUT_MS)
                    if page.get_by_test_id("stPlotlyChart").count():
                        page.wait_for_function(DRAWN_JS, timeout=TIMEOUT_MS)
                    tour_times.append((path or "overview", round(time.perf_counter() - t1, 3)))
                    for _ in range(3):
                        toggle_definition(page)
                        time.sleep(0.3)
                        page.wait_for_selector(READY, timeout=TIMEOUT_MS)
                    if page.get_by_test_id("stException").count():
                        raise RuntimeError(f"{path} shows an exception")
                out["tour_open_view_s"] = dict(tour_times)
            out["server_peak_rss_mb"] = round(poller.peak / 2**20, 1)
            out["server_rss_end_mb"] = round(poller.sample() / 2**20, 1)
            ctx.close()
        finally:
            # the server first, so that nothing below can leave it running
            stop_server(proc)
            poller.stop()
            browser.close()
    out["rss_method"] = "psutil RSS of the streamlit process + children, sampled every 50 ms"
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, required=True, help="data dir holding processed/")
    ap.add_argument("--changes", type=int, default=12)
    ap.add_argument("--no-tour", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"bench.browser: {CHROMIUM} is missing (make browser installs it)")
    res = run(args.store.resolve(), args.changes, not args.no_tour, REPO / "bench" / "out")
    text = json.dumps(res, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
