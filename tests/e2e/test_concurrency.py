"""Many analysts at once, the short version of `python -m bench concurrency` (bench/concurrency.py):
10 Chromium sessions change filters on the views (two each, starting on different ones, all five
covered), while two
refreshes of the salary survey publish new versions (from the local fixture server: 100, then 110
rows). Zero errors: no exception box, no timeout, no traceback in the server log, both refreshes
published. That each script run reads one version is shown in tests/unit/test_run_state.py."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import (
    AIJOBS_HOST_PATH,
    REPO_ROOT,
    FaultServer,
    Resp,
    aijobs_csv,
    fast_env,
    read_published,
)
from tests.support import publish_all

pytestmark = pytest.mark.e2e

SESSIONS = 10
VIEWS = 2  # each session: its own view, then the next one (the 10 sessions cover all 5 views)
CHANGES = 1  # per view and session


def test_ten_sessions_while_two_refreshes_publish(tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    first = publish_all(data)["version"]
    out = tmp_path / "concurrency.json"
    server = FaultServer()
    try:
        # each refresh fetches the file once: the first gets 100 rows, the second 110
        server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(100)), Resp(body=aijobs_csv(110)))
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.concurrency",
                "--store",
                str(data),
                "--sessions",
                str(SESSIONS),
                "--changes",
                str(CHANGES),
                "--views",
                str(VIEWS),
                "--refresh-args",
                "refresh --source aijobs_salaries",
                "--out",
                str(out),
            ],
            cwd=REPO_ROOT,
            # the fast limits' 0.5 s read timeout is for the fault tests: under ten Chromium
            # sessions a refresh can miss it, retry, and take the other refresh's answer
            env=fast_env(data, server.url, LMD_READ_TIMEOUT="30", LMD_CONNECT_TIMEOUT="30"),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        fetched = server.count(AIJOBS_HOST_PATH)
    finally:
        server.close()
    assert fetched == 2, f"each refresh should fetch the file once, the server saw {fetched}"
    assert done.returncode == 0, done.stderr[-3000:]
    res = json.loads(out.read_text())
    run = res["levels"][str(SESSIONS)]
    assert run["errors"] == [] and res["server_log_errors"] == [], (run["errors"], res)
    assert res["errors"] == 0
    assert run["filter_change_to_chart"]["n"] == SESSIONS * VIEWS * CHANGES
    assert set(run["by_view"]) == set(res["views"])  # every view had its filters changed
    versions = [r["version"] for r in run["refreshes"]]
    assert [r["exit"] for r in run["refreshes"]] == [0, 0]
    assert len({first, *versions}) == 3  # two new versions were published during the sessions
    assert read_published(data / "processed")["salaries"] == 110
