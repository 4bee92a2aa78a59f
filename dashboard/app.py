"""Entry point: page config, navigation between the views, and the no-data screen.

Run with `make run` (or `python -m streamlit run dashboard/app.py`).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import streamlit as st

# `streamlit run dashboard/app.py` puts dashboard/ on sys.path, not the project root
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard import data, filters, scope  # noqa: E402

pd.set_option(*data.PANDAS_TEXT)  # this process's text columns (dashboard/data.py)

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(
    page_title="Data Scientist vs ML Engineer", page_icon=":material/analytics:", layout="wide"
)


def no_data(state: data.DataState) -> None:
    st.title("Data Scientist vs ML Engineer")
    st.error(f"No data to show yet: {state.problem}.")
    errors = {
        name: s.get("last_error") for name, s in data.refresh_state().items() if s.get("last_error")
    }
    if errors:
        st.markdown(
            "**What happened at the last refresh:**\n\n"
            + "\n".join(f"- `{name}`: {err[:300]}" for name, err in errors.items())
        )
    st.markdown(
        "The dashboard shows only data that the ETL fetched, validated and published. To get it:\n\n"
        "- with internet access: `make etl` (or `.venv/bin/python -m etl refresh`)\n"
        "- from an offline mirror of the sources: `make etl MIRROR=../shared/mirror`\n"
        "- to see what failed last time: `.venv/bin/python -m etl status`\n\n"
        "Then reload this page."
    )


def bad_setting(problem: str) -> None:
    st.title("Data Scientist vs ML Engineer")
    st.error(f"A setting of this dashboard is invalid: {problem}.")
    st.markdown(
        "The `LMD_*` environment variables configure the dashboard and the ETL (the README lists them). "
        "Fix or unset the variable named above, then restart the dashboard."
    )


try:
    from etl.config import load_settings

    load_settings()
except ValueError as exc:  # a bad LMD_* value: say which, never a traceback
    problem = str(exc)
    st.navigation(
        [st.Page(lambda: bad_setting(problem), title="Settings", url_path="settings")]
    ).run()
    st.stop()

state = data.begin_run()  # the one manifest read of this run: every page reads this version
if not state.ok:
    page = st.navigation([st.Page(lambda: no_data(state), title="Start", url_path="start")])
else:
    page = st.navigation(
        [
            st.Page(
                VIEWS / "overview.py",
                title="Overview",
                icon=":material/explore:",
                default=True,
            ),
            st.Page(VIEWS / "pay.py", title="Pay", icon=":material/payments:", url_path="pay"),
            st.Page(
                VIEWS / "demand.py",
                title="Demand",
                icon=":material/trending_up:",
                url_path="demand",
            ),
            st.Page(
                VIEWS / "skills.py",
                title="Skills",
                icon=":material/construction:",
                url_path="skills",
            ),
            st.Page(
                VIEWS / "methods.py",
                title="Data & methods",
                icon=":material/menu_book:",
                url_path="methods",
            ),
        ]
    )
if state.ok:
    filters.drop_unknown_keys()
    scope.render(state)
    filters.show_notices()
for s in data.staleness(state):
    reasons = []
    if s["failed"]:
        reasons.append(f"its last refresh failed: {s['last_error']}")
    if s["stale"]:
        reasons.append(
            f"it was fetched {s['age_days']:.0f} days ago, longer than its {s['cadence_days']:g}-day cadence"
        )
    if s["lagging"]:
        reasons.append(
            f"its newest data is from {s['data_through']} ({s['lag_days']:.0f} days ago; expected within "
            f"{s['max_lag_days']:g} days): the source itself may have stopped updating"
        )
    st.warning(
        f"**{s['source']}**: {'; '.join(reasons)}. Refresh with `python -m etl refresh --source {s['source']}` "
        "(see `python -m etl status`).",
        icon=":material/schedule:",
    )
page.run()
data.settle_resident()  # after the run that read new published files
