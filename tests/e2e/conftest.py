"""Real-browser fixtures: Debian's Chromium driven by pytest-playwright, and one Streamlit server
per session serving the dashboard on the hand-made data of tests/support.py.

Recipes: ../shared/guides/TESTING.md. `playwright install` does not work on these machines, so the
browser is the system one (`executable_path`); set LMD_CHROMIUM to use another binary. Without a
Chromium the tests skip, except under CI=true where they fail: CI must have it (`make browser`).

The server's output goes to streamlit.log in pytest's tmp dir (its tail is in the failure message
when the server does not come up); timings (server start to healthy, first
render, filter change to updated chart) go to artifacts/e2e/timings.json. To debug a failure:
`pytest tests/e2e --screenshot only-on-failure --tracing retain-on-failure` (pytest-playwright
writes them under test-results/; `--headed` needs a display).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support_gj import publish_gj

REPO_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO_ROOT / "artifacts"
E2E_ARTIFACTS = ARTIFACTS / "e2e"
CHROMIUM = os.environ.get("LMD_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    # without these Chromium keeps trying to reach the internet
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1400, "height": 2400}  # tall: Streamlit scrolls inside stMain
HEALTH_TIMEOUT_S = 45.0


@pytest.fixture(scope="session", autouse=True)
def _chromium() -> str:
    """Runs before anything else in tests/e2e: no browser, no server."""
    if Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    why = (
        f"no Chromium at {CHROMIUM}: browser tests need Debian's chromium "
        "(`make browser`, or apt-get install chromium; LMD_CHROMIUM=/path overrides)"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but {why}", pytrace=False)
    pytest.skip(why)


@pytest.fixture(scope="session")
def timings() -> Iterator[dict[str, Any]]:
    """Seconds measured by the tests; written to artifacts/e2e/timings.json at the end."""
    t: dict[str, Any] = {}
    yield t
    E2E_ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (E2E_ARTIFACTS / "timings.json").write_text(json.dumps(t, indent=2, sort_keys=True) + "\n")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(url: str) -> str:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as r:
            return r.read().decode(errors="replace").strip()
    except OSError:
        return ""


@dataclass(frozen=True)
class AppServer:
    url: str
    data_dir: Path
    log: Path

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


@pytest.fixture(scope="session")
def app_server(
    _chromium: str, tmp_path_factory: pytest.TempPathFactory, timings: dict
) -> Iterator[AppServer]:
    """`streamlit run dashboard/app.py` on a free port, LMD_DATA_DIR = the published fixture."""
    data_dir = tmp_path_factory.mktemp("e2e-data")
    publish_gj(data_dir)  # the survey, BLS and HN fixtures plus Google Jobs and CPI-U
    log = data_dir.parent / "streamlit.log"  # per run: several runs may share this tree
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMD_")}
    env.update(LMD_DATA_DIR=str(data_dir), PYTHONDONTWRITEBYTECODE="1")
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard/app.py",
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
    server = AppServer(url, data_dir, log)
    with log.open("w") as out:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            cmd,
            cwd=REPO_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            while _health(url) != "ok":
                if proc.poll() is not None:
                    pytest.fail(
                        f"streamlit exited with code {proc.returncode} before it was healthy; "
                        f"{log}:\n{server.log_tail()}",
                        pytrace=False,
                    )
                if time.monotonic() - t0 > HEALTH_TIMEOUT_S:
                    pytest.fail(
                        f"streamlit not healthy after {HEALTH_TIMEOUT_S:.0f} s at {url}; "
                        f"{log}:\n{server.log_tail()}",
                        pytrace=False,
                    )
                time.sleep(0.1)
            timings["server_start_to_healthy_s"] = round(time.monotonic() - t0, 2)
            yield server
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# --- pytest-playwright's session fixtures, overridden ------------------------------------------


@pytest.fixture(scope="session")
def base_url(app_server: AppServer) -> str:
    return app_server.url


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict, _chromium: str) -> dict:
    return {**browser_type_launch_args, "executable_path": _chromium, "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    return {**browser_context_args, "accept_downloads": True, "viewport": VIEWPORT}
