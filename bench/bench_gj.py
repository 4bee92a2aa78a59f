"""The Google Jobs source alone (`python -m etl refresh --source google_jobs_data_roles --mirror DIR`
into a temporary data dir): wall time and peak RSS of the process, parsing the xlsx files in
openpyxl's read-only mode and building the gj_* tables. Figures to bench/results_gj.json.

`python -m bench.bench_gj [--mirror DIR]`. A shared 2-core machine: read the figures as an order of
magnitude, and compare runs of one day.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.browser import RssPoller

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results_gj.json"
SOURCE = "google_jobs_data_roles"
TARGETS = {"wall_s": 120, "peak_rss_mb": 1500}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", default=str(REPO.parent / "shared" / "mirror"))
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [
            sys.executable,
            "-m",
            "etl",
            "refresh",
            "--source",
            SOURCE,
            "--mirror",
            args.mirror,
            "--data-dir",
            tmp,
        ]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        poller = RssPoller(proc.pid)
        poller.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - t0
        poller.stop()
        if proc.returncode != 0:
            print(err.decode(errors="replace")[-2000:], file=sys.stderr)
            return proc.returncode
        manifest = json.loads((Path(tmp) / "processed" / "manifest.json").read_text())
    cov = manifest["sources"][SOURCE]["coverage"]
    out = {
        "command": " ".join(["python", *cmd[1:-2]]),
        "source_rows": cov["source_rows"],
        "postings": cov["postings"],
        "wall_s": round(wall, 1),
        "peak_rss_mb": round(poller.peak / 2**20, 1),
        "targets": TARGETS,
    }
    out["met"] = {k: out[k] <= v for k, v in TARGETS.items()}
    RESULTS.write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
