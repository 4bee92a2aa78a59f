"""A full refresh from the mirror (`python -m etl refresh --mirror DIR --data-dir TMP`), timed,
then the refreshes a scheduled run makes: the same full refresh again with the build cache of the
first (every source fetched from the mirror and checked again, every HN thread read back from the
cache, and every source found unchanged, so its published tables are kept without a build), and a
Hacker News rebuild with one thread to rebuild (its cache entry removed first, then `--offline`,
which rebuilds from the latest snapshot: the build work of a refresh in which that thread's file
changed, without its fetch).

Wall time from spawn to exit; peak RSS of the process tree, polled every 50 ms with psutil and
cross-checked with resource.getrusage(RUSAGE_CHILDREN).ru_maxrss (the largest child's peak).
"""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.browser import RssPoller

REPO = Path(__file__).resolve().parents[1]


def _timed(cmd: list[str], log: Path) -> float:
    with open(log, "a") as fh:
        t0 = time.perf_counter()
        code = subprocess.run(cmd, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT).returncode
    if code != 0:
        raise SystemExit(f"bench: {' '.join(cmd[1:])} failed with exit code {code}; see {log}")
    return round(time.perf_counter() - t0, 2)


def _thread_year(data_dir: Path, thread_id: int) -> int:
    from etl.store import read_manifest, read_table

    processed = data_dir / "processed"
    threads = read_table(processed, "hn_threads", read_manifest(processed))
    return int(threads.loc[threads["thread_id"] == thread_id, "thread_month"].iloc[0].year)


def incremental(mirror: Path, data_dir: Path, log: Path) -> dict[str, Any]:
    """Refreshes after a full one: all sources with the build cache, then one HN thread rebuilt."""
    full = [sys.executable, "-m", "etl", "refresh", "--mirror", str(mirror)]
    full += ["--data-dir", str(data_dir)]
    warm = _timed(full, log)
    cmd = [*full, "--source", "hn_whoishiring", "--offline"]
    entries = sorted(
        (data_dir / "cache" / "hn_whoishiring").glob("*/*"),
        key=lambda p: int(p.name.split("-")[0]),
    )
    if not entries:
        raise SystemExit(f"bench: no build cache under {data_dir / 'cache'}")
    newest = entries[-1]  # the newest thread is the one a real refresh finds changed
    shutil.rmtree(newest)
    # a changed thread changes its year's input to the convergence bootstrap and to the yearly
    # sums: those results are computed again too (kept as <year>-<digest>.json and
    # <year>-<digest>/), as in a real refresh
    year = _thread_year(data_dir, int(newest.name.split("-")[0]))
    kept = data_dir / "cache" / "hn_whoishiring-convergence"
    for f in kept.glob(f"*/{year}-*.json"):
        f.unlink()
    for d in (data_dir / "cache").glob(f"hn_whoishiring-sums-*/*/{year}-*"):
        shutil.rmtree(d)
    return {
        "full_warm_s": warm,
        "hn_one_thread_rebuilt_s": _timed(cmd, log),
        "thread_rebuilt": int(newest.name.split("-")[0]),
        "threads_cached": len(entries),
    }


def run(mirror: Path, data_dir: Path, log: Path) -> dict[str, Any]:
    if data_dir.exists():
        shutil.rmtree(data_dir)
    data_dir.mkdir(parents=True)
    log.parent.mkdir(parents=True, exist_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "etl",
        "refresh",
        "--mirror",
        str(mirror),
        "--data-dir",
        str(data_dir),
    ]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, "w") as fh:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=fh, stderr=subprocess.STDOUT)
        poller = RssPoller(proc.pid)
        poller.start()
        code = proc.wait()
        wall = time.perf_counter() - t0
        poller.stop()
    if code != 0:
        raise SystemExit(f"bench: the refresh failed with exit code {code}; see {log}")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    ru_mb = after.ru_maxrss / 1024
    # the refresh's own CPU and its build processes' (waited children count), which the load of
    # the machine's other jobs changes far less than the wall time
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {
        "command": " ".join(["python", *cmd[1:]]),
        "exit_code": code,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 1),
        "peak_rss_mb": round(max(poller.peak / 2**20, ru_mb), 1),
        "peak_rss_psutil_mb": round(poller.peak / 2**20, 1),
        "peak_rss_getrusage_children_mb": round(ru_mb, 1),
        "log": str(log),
        "incremental": incremental(mirror, data_dir, log),
    }
