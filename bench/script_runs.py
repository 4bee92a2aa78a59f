"""Server-side script runs per view with streamlit.testing.v1.AppTest (no browser).

For each view: open the app, switch to the view, then change one global filter per step (roles,
definition, period, country; the pay and skills views also get their own filters) and time
`at.run()` (the whole page script: queries, pandas, charts built, elements serialised). The
steps walk through distinct filter states, so scoped queries miss the cache as they would for
a user trying new filters; queries that do not depend on the filters (option lists) hit
the kept query results after the first run, as on a real server. They are cleared once per view.

Usage: LMD_DATA_DIR=bench/data/x10 python -m bench.script_runs --steps 12 --out FILE.json
"""

from __future__ import annotations

import argparse
import json
import os
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np

warnings.filterwarnings("ignore")
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")

from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import (  # noqa: E402
    AppTest,  # noqa: E402
    app_test,
    local_script_runner,
)

from dashboard import data  # noqa: E402

APP = str(Path(__file__).resolve().parents[1] / "dashboard" / "app.py")
VIEWS = ("overview", "pay", "demand", "skills", "methods")

# one filter change per step: (widget kind, key, value); cycles through distinct states
STEPS: list[tuple[str, str, Any]] = [
    ("radio", "def", "broad"),
    ("multiselect", "roles", ["data_scientist", "ml_engineer", "ai_engineer"]),
    ("select_slider", "period", ("2020", "2025")),
    ("multiselect", "country", ["US"]),
    ("radio", "def", "strict"),
    ("multiselect", "roles", ["ml_engineer"]),
    ("select_slider", "period", ("2014", "2026")),
    ("multiselect", "country", []),
    ("multiselect", "roles", ["data_scientist", "ml_engineer"]),
    ("select_slider", "period", ("2023", "2024")),
    ("radio", "def", "broad"),
    ("multiselect", "country", ["US", "GB"]),
    ("select_slider", "period", ("2013", "2026")),
    ("multiselect", "roles", ["data_scientist"]),
    ("radio", "def", "strict"),
    ("multiselect", "country", ["CA"]),
]
VIEW_STEPS: dict[str, list[tuple[str, str, Any]]] = {
    "pay": [
        ("multiselect", "exp", ["SE"]),
        ("multiselect", "size", ["L", "M"]),
        ("multiselect", "exp", []),
    ],
    "skills": [
        ("multiselect", "cat", ["languages", "cloud"]),
        ("radio", "top", 30),
        ("multiselect", "cat", []),
    ],
}


def _set(at: AppTest, kind: str, key: str, value: Any) -> bool:
    try:
        w = getattr(at, kind)(key=key)
    except KeyError:
        return False
    if kind == "multiselect":
        # the widget's options are the labels shown (its format_func's): a raw value counts when
        # its label is an option (before 2026-12-02 only the labels were compared, so the steps
        # naming raw values, e.g. the roles and the Pay view's own filters, set no value at all)
        value = [v for v in value if w.format_func(v) in w.options or str(v) in w.options]
    if kind == "select_slider":
        opts = list(w.options)
        lo, hi = value
        if lo not in opts or hi not in opts:
            return False
        w.set_range(lo, hi)
    else:
        w.set_value(value)
    return True


def _one_script_cache() -> None:
    """Make AppTest keep the scripts' bytecode across reruns, as a server does.

    A Streamlit server holds one ScriptCache for its runtime, so the app and page scripts are
    compiled once; AppTest builds a new one for every run, so each timed rerun also compiled the
    entry script and the page (~9 ms a run on the Pay page, before 2026-12-02). The bench times
    reruns as the server runs them: one cache for the process (the server clears it when a
    watched script changes; nothing changes during a bench run)."""
    shared = ScriptCache()
    for module in (app_test, local_script_runner):  # the page scripts' cache and the entry's
        module.ScriptCache = lambda: shared  # type: ignore[assignment,misc]


def bench_view(view: str, steps: int) -> dict[str, Any]:
    data.clear_query_results()
    at = AppTest.from_file(APP, default_timeout=120)
    t0 = time.perf_counter()
    at.run()
    at.switch_page(f"views/{view}.py").run()
    first = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{view}: {[e.value for e in at.exception]}")
    plan = list(VIEW_STEPS.get(view, [])) + STEPS
    times: list[float] = []
    done: list[str] = []
    i = 0
    while len(times) < steps and i < 4 * len(plan):
        kind, key, value = plan[i % len(plan)]
        i += 1
        if not _set(at, kind, key, value):
            continue
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
        done.append(f"{key}={value}")
        if at.exception:
            raise RuntimeError(f"{view} after {key}={value}: {[e.value for e in at.exception]}")
    arr = np.asarray(times)
    return {
        "first_run_s": round(first, 3),
        "n": len(times),
        "p50_ms": round(1000 * float(np.percentile(arr, 50)), 1),
        "p95_ms": round(1000 * float(np.percentile(arr, 95)), 1),
        "max_ms": round(1000 * float(arr.max()), 1),
        "changes": done,
    }


def run(steps: int, views: tuple[str, ...] = VIEWS) -> dict[str, Any]:
    _one_script_cache()
    out: dict[str, Any] = {
        "store": os.environ.get("LMD_DATA_DIR"),
        "method": "AppTest: time of at.run() after one filter change (distinct states)",
        "views": {},
    }
    for v in views:
        out["views"][v] = bench_view(v, steps)
        print(v, {k: out["views"][v][k] for k in ("p50_ms", "p95_ms", "n")}, flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--views", default=",".join(VIEWS))
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    res = run(args.steps, tuple(args.views.split(",")))
    text = json.dumps(res, indent=2)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
