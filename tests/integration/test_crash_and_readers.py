"""Crash safety (SIGKILL a real `python -m etl refresh` at several points) and readers that read
while refreshes publish: data/processed is always a consistent, readable set of tables."""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from etl import pipeline, store
from tests.conftest import (
    AIJOBS_HOST_PATH,
    PYTHON,
    REPO_ROOT,
    FaultServer,
    Resp,
    aijobs_csv,
    bls_path,
    bls_years_served,
    bls_zip_cached,
    fast_env,
    read_published,
)

SOURCES = ["aijobs_salaries", "bls_oews"]
ARGS = ["refresh", "--source", "aijobs_salaries", "--source", "bls_oews"]


def _assert_consistent(processed: Path) -> dict[str, int]:
    """Manifest parses, every table it references exists and loads, rows equal the manifest's."""
    m = store.read_manifest(processed)
    assert m is not None
    for meta in m["tables"].values():
        assert (processed / meta["file"]).is_file(), meta["file"]
    return read_published(processed)


def _start(data: Path, server: FaultServer, log: Path, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [PYTHON, "-m", "etl", *ARGS],
        cwd=REPO_ROOT,
        env=fast_env(data, server.url, **env),
        stdout=subprocess.DEVNULL,
        stderr=open(log, "wb"),  # noqa: SIM115 - the child owns it
    )


def _wait_for(log: Path, text: str, proc: subprocess.Popen[bytes], timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in log.read_text(errors="replace"):
            return
        if proc.poll() is not None:
            raise AssertionError(f"process ended before {text!r}: {log.read_text()}")
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {text!r}")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)


@pytest.fixture
def slow_world(served):  # type: ignore[no-untyped-def]
    """A published baseline, then a server that sends new data slowly (about 1.5 s per file)."""
    server, settings = served
    assert pipeline.refresh(settings, SOURCES).ok
    server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(140), mode="slow", delay=1.5, chunks=15))
    for y in bls_years_served():
        server.route(bls_path(y), Resp(body=bls_zip_cached(y), mode="slow", delay=0.3, chunks=3))
    return server, settings


def test_sigkill_at_several_points_leaves_readable_data(slow_world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server, settings = slow_world
    baseline = _assert_consistent(settings.processed_dir)
    assert baseline["salaries"] == 120
    for delay in (0.2, 0.6, 1.2, 2.0):
        proc = _start(settings.data_dir, server, tmp_path / f"kill-{delay}.log")
        time.sleep(delay)
        _kill(proc)
        assert _assert_consistent(settings.processed_dir) == baseline, f"after kill at {delay}s"

    # killed in the middle of publishing: tables written but folder not renamed, then renamed
    # but the manifest not swapped. The old manifest still points at complete tables.
    server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(150)))
    for y in bls_years_served():
        server.route(bls_path(y), Resp(body=bls_zip_cached(y)))
    for point in ("BEFORE_VERSION_RENAME", "BEFORE_MANIFEST"):
        log = tmp_path / f"{point}.log"
        proc = _start(settings.data_dir, server, log, **{f"LMD_TEST_PAUSE_{point}": "30"})
        _wait_for(log, f"LMD_TEST_PAUSE_{point}: pausing", proc)
        _kill(proc)
        assert _assert_consistent(settings.processed_dir) == baseline, point

    # the next refresh takes over the lock and the leftovers, and publishes
    done = subprocess.run(
        [PYTHON, "-m", "etl", *ARGS],
        cwd=REPO_ROOT,
        env=fast_env(settings.data_dir, server.url),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = _assert_consistent(settings.processed_dir)
    assert rows["salaries"] == 150
    assert not [p for p in (settings.processed_dir / "v").iterdir() if p.name.startswith(".tmp-")]
    for src in SOURCES:
        assert not list((settings.raw_dir / src).glob(".partial-*")), src


def test_readers_never_see_a_broken_set_while_refreshes_publish(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    assert pipeline.refresh(settings, SOURCES).ok
    processed = settings.processed_dir
    errors: list[str] = []
    seen_versions: set[str] = set()
    reads = 0
    stop = threading.Event()

    def reader() -> None:
        nonlocal reads
        while not stop.is_set():
            try:
                m = store.read_manifest(processed)
                assert m is not None
                for name, meta in m["tables"].items():
                    df = store.read_table(processed, name, m)
                    if len(df) != meta["rows"]:
                        errors.append(f"{m['version']} {name}: {len(df)} != {meta['rows']}")
                seen_versions.add(m["version"])
                reads += 1
            except Exception as exc:  # noqa: BLE001 - every failure is a finding
                errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for i in range(6):
            # growing within the change guards' row limits (etl/vocab.py)
            server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(120 + 7 * i)))
            report = pipeline.refresh(settings, SOURCES)
            assert report.ok, report.outcomes
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=10)
    assert errors == []
    assert reads > 10
    assert len(seen_versions) >= 3
    assert store.read_table(processed, "salaries").shape[0] == 155
