"""Serve the dashboard with a warm start: `python -m dashboard.serve [streamlit options]`.

The same as `streamlit run dashboard/app.py [options]`, plus one background thread that starts
with the server: it imports the libraries the pages use (pandas, Plotly, DuckDB, the dashboard's
modules) and loads the prefix-sum cubes and the small tables the first pages query, the work a
fresh process otherwise does inside the first visitor's first script run. The server answers
while it runs (the browser is still loading its scripts then); a failure there is logged and
changes nothing else: each script run reads what it needs itself, as without the warm start.
"""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"
# the tables the pages' DuckDB queries read (beside the cubes' tables, which the cubes load): the
# sidebar, Overview, Pay and Demand read these on a first visit
WARM_TABLES = ("salary_counts", "salary_title_counts", "hn_demand_monthly", "oews_wages")


def warm() -> dict[str, object]:
    """Import the pages' modules and build the resident tables of the published version; returns
    what it did (tables, cubes, seconds). Reads only: nothing published changes."""
    t0 = time.perf_counter()
    import plotly.graph_objects  # noqa: F401  (the pages' charts)

    from dashboard import charts, claims, data, gj_panels, queries, queries_gj, report  # noqa: F401
    from etl.transform import skills  # noqa: F401  (the Skills view's log-odds)

    done: dict[str, object] = {"imports_s": round(time.perf_counter() - t0, 3)}
    state = data.load_state()
    if not state.ok:
        done["store"] = state.problem
        return done
    tables = data.preload(state, WARM_TABLES)
    cubes = []
    for module in (queries, queries_gj):
        for name, (table, *_) in module.CUBES.items():
            if state.has(table) and data.is_resident(state, table):
                module.cube_of(state, name)
                cubes.append(f"{module.__name__}.{name}")
    done.update(tables=tables, cubes=cubes, seconds=round(time.perf_counter() - t0, 3))
    return done


def _warm_in_background() -> None:
    try:
        done = warm()
        print(f"warm start: {done}", file=sys.stderr, flush=True)
    except Exception as exc:  # noqa: BLE001 - never stops the server: the runs load what they need
        print(f"warm start skipped ({type(exc).__name__}: {exc})", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> None:
    from streamlit.web import cli

    threading.Thread(target=_warm_in_background, name="warm-start", daemon=True).start()
    sys.argv = ["streamlit", "run", str(APP), *(sys.argv[1:] if argv is None else argv)]
    cli.main()


if __name__ == "__main__":
    main()
