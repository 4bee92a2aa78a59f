"""The refresh lock: a second refresh exits 75 while one runs, --wait waits, and a lock left by a
SIGKILLed holder does not block the next refresh."""

from __future__ import annotations

import signal
import subprocess
import time

from tests.conftest import (
    AIJOBS_HOST_PATH,
    PYTHON,
    REPO_ROOT,
    Resp,
    aijobs_csv,
    fast_env,
    run_cli,
)

ARGS = ["refresh", "--source", "aijobs_salaries"]


def _start_slow_refresh(server, data):  # type: ignore[no-untyped-def]
    """A refresh that holds the lock for about 8 s (the server trickles the body): longer than a
    second Python process takes to start on a loaded machine, so it finds the lock held."""
    server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(120), mode="slow", delay=8.0, chunks=40))
    proc = subprocess.Popen(
        [PYTHON, "-m", "etl", *ARGS],
        cwd=REPO_ROOT,
        env=fast_env(data, server.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while server.count(AIJOBS_HOST_PATH) == 0:  # the lock is taken before the first request
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return proc


def test_second_refresh_exits_75_then_wait_succeeds(server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    holder = _start_slow_refresh(server, data)
    busy = run_cli(*ARGS, env=fast_env(data, server.url))
    assert busy.returncode == 75
    assert "another refresh is running" in busy.stderr
    assert f"held by pid {holder.pid}" in busy.stderr and "--wait" in busy.stderr

    waited = run_cli(*ARGS, "--wait", "30", env=fast_env(data, server.url))
    assert holder.wait(timeout=30) == 0
    assert waited.returncode == 0, waited.stderr
    assert "aijobs_salaries" in waited.stdout and "ok" in waited.stdout


def test_lock_of_a_killed_holder_is_taken_over(server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "data"
    holder = _start_slow_refresh(server, data)
    holder.send_signal(signal.SIGKILL)
    holder.wait(timeout=10)
    lock = data / "state" / "refresh.lock"
    assert lock.exists() and f"pid {holder.pid}" in lock.read_text()  # the file stays behind
    server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(120)))
    after = run_cli(*ARGS, env=fast_env(data, server.url))
    assert after.returncode == 0, after.stderr
    assert "salaries=120" in after.stdout
