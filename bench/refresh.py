"""A full refresh from the mirror (`python -m etl refresh --mirror DIR --data-dir TMP`), timed.

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
    ru_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {
        "command": " ".join(["python", *cmd[1:]]),
        "exit_code": code,
        "wall_s": round(wall, 2),
        "peak_rss_mb": round(max(poller.peak / 2**20, ru_mb), 1),
        "peak_rss_psutil_mb": round(poller.peak / 2**20, 1),
        "peak_rss_getrusage_children_mb": round(ru_mb, 1),
        "log": str(log),
    }
