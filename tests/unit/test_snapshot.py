"""Raw snapshots: sidecar metadata, read-only files, checksum verification, pruning, partial folders."""

from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import sys

import pytest

from etl import pipeline
from etl.http import HttpClient
from etl.snapshot import SIDECAR, SnapshotError, SnapshotStore
from etl.sources import aijobs_salaries
from tests.conftest import AIJOBS_HOST_PATH, Resp, aijobs_csv


def _fetch_aijobs(server, settings, body: bytes, etag: str | None = None):  # type: ignore[no-untyped-def]
    server.route(
        AIJOBS_HOST_PATH,
        Resp(body=body, etag=etag, headers={"Last-Modified": "Sun, 19 Jan 2025 10:00:00 GMT"}),
    )
    store = SnapshotStore(settings.raw_dir, keep=settings.keep_snapshots)
    client = HttpClient(settings)
    try:
        from etl.sources.base import FetchContext

        return aijobs_salaries.fetch(
            FetchContext(settings, client, store, store.latest("aijobs_salaries"))
        )
    finally:
        client.close()


def test_sidecar_records_origin_and_file_metadata(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    body = aijobs_csv(120)
    snap = _fetch_aijobs(server, settings, body, etag='"e1"')
    side = json.loads((snap.path / SIDECAR).read_text())
    assert side["source"] == "aijobs_salaries" and side["snapshot_id"] == snap.path.name
    assert side["origin"]["license"] == "CC0 1.0"
    assert "aijobs.net" in side["origin"]["citation"]
    meta = side["files"]["salaries.csv"]
    assert meta["url"] == aijobs_salaries.URL
    assert meta["final_url"] == server.url + AIJOBS_HOST_PATH
    assert meta["status"] == 200
    assert meta["etag"] == '"e1"'
    assert meta["last_modified"] == "Sun, 19 Jan 2025 10:00:00 GMT"
    assert meta["bytes"] == len(body)
    assert meta["sha256"] == hashlib.sha256(body).hexdigest()
    assert meta["fetched_at"].endswith("Z") and meta["how"] == "downloaded"


def test_snapshot_files_are_read_only(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    snap = _fetch_aijobs(server, settings, aijobs_csv(120))
    for p in snap.path.iterdir():
        mode = stat.S_IMODE(p.stat().st_mode)
        assert mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0, p
    if os.geteuid() != 0:  # root ignores permission bits
        with pytest.raises(PermissionError):
            (snap.path / "salaries.csv").write_bytes(b"x")


def test_tampered_snapshot_fails_build_with_checksum_error(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    snap = _fetch_aijobs(server, settings, aijobs_csv(120))
    f = snap.path / "salaries.csv"
    f.chmod(0o644)
    f.write_bytes(
        f.read_bytes().replace(b"150000", b"950000", 1) + b"2024,SE,FT,X,1,USD,1,US,0,US,M\n"
    )
    with pytest.raises(SnapshotError, match="checksum mismatch"):
        aijobs_salaries.build(snap)
    # the offline rebuild (parse only from frozen bytes) reports the same cause
    report = pipeline.refresh(settings, ["aijobs_salaries"], offline=True)
    assert not report.ok and "checksum mismatch" in report.outcomes[0].error


def test_damaged_previous_copy_is_refetched_not_reused_on_304(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    first = _fetch_aijobs(server, settings, aijobs_csv(120), etag='"same"')
    f = first.path / "salaries.csv"
    f.chmod(0o644)
    f.write_bytes(b"garbage")
    second = _fetch_aijobs(server, settings, aijobs_csv(120), etag='"same"')
    assert "If-None-Match" not in server.seen[-1].headers  # unconditional: the old copy is bad
    assert second.snapshot_id != first.snapshot_id
    second.verify()


def test_only_last_n_snapshots_kept(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served  # keep_snapshots = 3
    ids = [_fetch_aijobs(server, settings, aijobs_csv(100 + i)).snapshot_id for i in range(5)]
    kept = sorted(p.name for p in (settings.raw_dir / "aijobs_salaries").iterdir())
    assert kept == ids[-3:]
    assert len(set(ids)) == 5


def test_unchanged_bytes_reuse_previous_snapshot(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served  # no ETag: the full body comes back, identical
    a = _fetch_aijobs(server, settings, aijobs_csv(120))
    b = _fetch_aijobs(server, settings, aijobs_csv(120))
    assert a.snapshot_id == b.snapshot_id
    assert [p.name for p in (settings.raw_dir / "aijobs_salaries").iterdir()] == [a.snapshot_id]


def _dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_partial_folders_of_dead_pids_are_cleaned(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    base = settings.raw_dir / "aijobs_salaries"
    base.mkdir(parents=True)
    dead = base / f".partial-20250101T000000000000-{_dead_pid()}"
    dead.mkdir()
    (dead / "salaries.csv").write_bytes(b"half")
    (dead / "salaries.csv").chmod(0o444)
    alive = base / f".partial-20250101T000000000000-{os.getppid()}"  # a live process
    alive.mkdir()
    _fetch_aijobs(server, settings, aijobs_csv(120))
    assert not dead.exists()
    assert alive.exists()
    # also when nothing changed (the snapshot is reused and no new folder is committed)
    dead2 = base / f".partial-20250102T000000000000-{_dead_pid()}"
    dead2.mkdir()
    _fetch_aijobs(server, settings, aijobs_csv(120))
    assert not dead2.exists()


def test_unreadable_sidecar_is_ignored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = SnapshotStore(tmp_path)
    bad = tmp_path / "src" / "20250101T000000000000Z"
    bad.mkdir(parents=True)
    (bad / SIDECAR).write_text("{not json")
    assert store.list("src") == [] and store.latest("src") is None
