"""The processed store: data/processed/manifest.json points at one immutable version folder
data/processed/v/<version>/<table>.parquet. Publishing writes a new folder, then swaps the manifest
with one atomic rename, so a reader sees the old set of tables or the new one, never a mix.

Test hook (crash tests only): LMD_TEST_PAUSE_BEFORE_VERSION_RENAME / LMD_TEST_PAUSE_BEFORE_MANIFEST
set to seconds make publish print a line to stderr and sleep at that point, so a test can SIGKILL
the process mid-publish. Unset in normal use.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

MANIFEST = "manifest.json"
KEEP_VERSIONS = 3
ROW_GROUP_ROWS = 100_000


def read_manifest(processed_dir: Path) -> dict[str, Any] | None:
    p = Path(processed_dir) / MANIFEST
    if not p.is_file():
        return None
    return json.loads(p.read_text())


def table_path(processed_dir: Path, manifest: dict[str, Any], table: str) -> Path:
    return Path(processed_dir) / manifest["tables"][table]["file"]


def read_table(
    processed_dir: Path, table: str, manifest: dict[str, Any] | None = None
) -> pd.DataFrame:
    m = manifest or read_manifest(processed_dir)
    if m is None or table not in m.get("tables", {}):
        raise FileNotFoundError(f"table {table} is not published in {processed_dir}")
    return pd.read_parquet(table_path(processed_dir, m, table))


def atomic_write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(
    processed_dir: Path,
    new_tables: dict[str, tuple[pd.DataFrame, dict[str, Any]]],
    run_info: dict[str, Any],
    sources_info: dict[str, dict[str, Any]],
) -> dict[str, Any]:
    """Publish `new_tables` (name -> (frame, table metadata)); tables not given are carried over
    from the current version unchanged. Returns the new manifest."""
    processed_dir = Path(processed_dir)
    old = read_manifest(processed_dir) or {"tables": {}, "sources": {}}
    now = datetime.now(UTC)
    version = f"{now:%Y%m%dT%H%M%S%fZ}"
    vdir = processed_dir / "v" / version
    tmpdir = processed_dir / "v" / f".tmp-{version}-{os.getpid()}"
    tmpdir.mkdir(parents=True)
    tables: dict[str, Any] = {}
    try:
        for name, meta in old.get("tables", {}).items():
            if name in new_tables:
                continue
            src = processed_dir / meta["file"]
            dst = tmpdir / f"{name}.parquet"
            try:
                os.link(src, dst)
            except OSError:
                shutil.copy2(src, dst)
            tables[name] = {**meta, "file": f"v/{version}/{name}.parquet"}
        for name, (df, meta) in new_tables.items():
            dst = tmpdir / f"{name}.parquet"
            # NOTE: row groups of ~100k rows let DuckDB scan a big table on both cores
            df.to_parquet(dst, index=False, row_group_size=ROW_GROUP_ROWS)
            with open(dst, "rb") as fh:
                os.fsync(fh.fileno())
            tables[name] = {
                **meta,
                "file": f"v/{version}/{name}.parquet",
                "rows": int(len(df)),
                "columns": list(map(str, df.columns)),
                "published_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            }
        _fsync_dir(tmpdir)
        _test_pause("BEFORE_VERSION_RENAME")
        os.replace(tmpdir, vdir)
    except BaseException:
        shutil.rmtree(tmpdir, ignore_errors=True)
        raise
    manifest = {
        "version": version,
        "published_at": now.isoformat(timespec="seconds").replace("+00:00", "Z"),
        "previous_version": old.get("version"),
        "run": run_info,
        "sources": {**old.get("sources", {}), **sources_info},
        "tables": dict(sorted(tables.items())),
        "previous_rows": {n: m.get("rows") for n, m in old.get("tables", {}).items()},
    }
    _test_pause("BEFORE_MANIFEST")
    atomic_write_text(processed_dir / MANIFEST, json.dumps(manifest, indent=2, default=str))
    prune_versions(processed_dir, keep={version, old.get("version")})
    return manifest


def prune_versions(processed_dir: Path, keep: set[str | None]) -> None:
    vroot = Path(processed_dir) / "v"
    if not vroot.is_dir():
        return
    versions = sorted(p for p in vroot.iterdir() if not p.name.startswith("."))
    # keep the newest few so a reader that loaded the previous manifest can finish its reads
    for p in versions[:-KEEP_VERSIONS]:
        if p.name not in keep:
            shutil.rmtree(p, ignore_errors=True)
    for p in vroot.iterdir():
        if p.name.startswith(".tmp-"):
            pid = p.name.rsplit("-", 1)[-1]
            if pid.isdigit() and not pid_alive(int(pid)):
                shutil.rmtree(p, ignore_errors=True)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (ours counts); used to clean up after killed runs."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _test_pause(point: str) -> None:
    seconds = os.environ.get(f"LMD_TEST_PAUSE_{point}")
    if seconds:
        print(f"LMD_TEST_PAUSE_{point}: pausing {seconds} s", file=sys.stderr, flush=True)
        time.sleep(float(seconds))
