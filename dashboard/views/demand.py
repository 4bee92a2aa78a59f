"""Demand view: each role's share of Hacker News 'Who is hiring?' postings per month (with counts,
a 3-month moving average and partial months marked), the ML-per-DS ratio, and Indeed's sector
indices as a separate, labelled proxy panel."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, export, filters
from dashboard.sources_ui import download_pair, source_caption

ROLES = ("data_scientist", "ml_engineer", "ai_engineer")
DEFINITIONS = {
    "header": "Header: the first line names the role",
    "anywhere": "Anywhere: the text names the role",
}


def months(state: data.DataState) -> list[str]:
    df = data.run_query(
        state,
        "SELECT DISTINCT strftime(thread_month, '%Y-%m') AS m FROM {hn_demand_monthly} ORDER BY 1",
        (),
        ("hn_demand_monthly",),
    )
    return df["m"].tolist()


def demand_filters(state: data.DataState) -> dict:
    st.sidebar.header("Demand filters")
    definition = filters.radio(
        "Role definition",
        "hn_def",
        list(DEFINITIONS),
        "header",
        format_func=DEFINITIONS.get,
        help="Header: the posting's first line names the role (most postings since 2015 do). "
        "Anywhere: the role is named anywhere in the text (more recall, more false positives).",
    )
    roles = filters.multiselect(
        "Roles", "roles", ROLES, ["data_scientist", "ml_engineer"], format_func=charts.role_label
    )
    ms = months(state)
    start, end = filters.period(
        "Period (thread months)",
        "period",
        ms,
        help="Months present in the archive; the URL keeps period_from and period_to.",
    )
    return {"definition": definition, "roles": roles or list(ROLES), "from": start, "to": end}


def monthly(state: data.DataState, f: dict) -> pd.DataFrame:
    w, params = data.where({"definition": [f["definition"]], "role": f["roles"]})
    sql = (
        f"SELECT thread_month, role, postings, month_postings, posting_share_pct, share_ma3_pct, distinct_authors, "
        f"ml_per_ds_ratio, is_partial FROM {{hn_demand_monthly}}{w} "
        f"AND strftime(thread_month, '%Y-%m') BETWEEN ? AND ? ORDER BY role, thread_month"
    )
    return data.run_query(state, sql, [*params, f["from"], f["to"]], ("hn_demand_monthly",))


def ratio_series(state: data.DataState, f: dict) -> pd.DataFrame:
    sql = (
        "SELECT thread_month, max(ml_per_ds_ratio) AS ml_per_ds_ratio, "
        "sum(postings) FILTER (WHERE role = 'ml_engineer') AS ml_postings, "
        "sum(postings) FILTER (WHERE role = 'data_scientist') AS ds_postings, bool_or(is_partial) AS is_partial "
        "FROM {hn_demand_monthly} WHERE definition = ? AND strftime(thread_month, '%Y-%m') BETWEEN ? AND ? "
        "GROUP BY thread_month ORDER BY thread_month"
    )
    return data.run_query(state, sql, [f["definition"], f["from"], f["to"]], ("hn_demand_monthly",))


def render() -> None:
    st.title("Demand: postings per month")
    state = data.load_state()
    if not state.has("hn_demand_monthly"):
        st.info(
            "Hacker News demand data is not published yet: `python -m etl refresh --source hn_whoishiring`."
        )
        indeed_panel(state)
        return
    f = demand_filters(state)
    filters.show_notices()
    info = state.source_of("hn_demand_monthly")
    df = monthly(state, f)
    n_months = df["thread_month"].nunique()
    n_postings = int(df.drop_duplicates("thread_month")["month_postings"].sum())
    st.caption(
        f"{n_months} monthly threads, {n_postings:,} postings in {f['from']}..{f['to']}; definition: {f['definition']}. "
        "A share is the role's postings divided by all postings of that month's thread, so months of different "
        "sizes compare. Mentions are matched by rules in etl/mappings/hn_role_rules.csv. The archive has no threads "
        "for 2016-07, 2017-08, 2017-09 and 2018-05..2025-12: lines break there."
    )
    cols = st.columns(len(f["roles"]))
    for c, role in zip(cols, f["roles"], strict=True):
        part = df[df["role"] == role]
        total = int(part["postings"].sum())
        share = 100 * total / n_postings if n_postings else float("nan")
        c.metric(
            f"{charts.role_label(role)} postings",
            f"{total:,}",
            help="postings naming the role in the period",
        )
        c.caption(
            f"{share:.2f}% of {n_postings:,} postings · {int(part['distinct_authors'].sum()):,} author-months"
        )
    st.plotly_chart(charts.demand_share(df, f["roles"]), config=charts.CONFIG, width="stretch")
    source_caption(
        info,
        "counts on hover; open circles mark partial months (thread snapshotted before it was 30 days old)",
    )
    ratio = ratio_series(state, f)
    st.plotly_chart(charts.demand_ratio(ratio), config=charts.CONFIG, width="stretch")
    source_caption(
        info,
        f"months with no data-scientist posting have no ratio; n = {int(ratio['ds_postings'].sum()):,} "
        f"DS and {int(ratio['ml_postings'].sum()):,} ML postings",
    )
    export_frame = df.assign(
        thread_month=df["thread_month"].dt.strftime("%Y-%m"), definition=f["definition"]
    )
    download_pair(
        f"Download the {len(export_frame):,} monthly rows (CSV)",
        "demand_rows",
        lambda: export_frame,
        lambda n: export.metadata(
            "demand",
            f,
            n,
            [info],
            counts={"postings": n_postings, "months": n_months},
            notes=[
                "Aggregates only: Hacker News posts belong to their authors and are not exported.",
                "posting_share_pct = postings / month_postings * 100.",
            ],
        ),
        "demand_monthly",
    )
    indeed_panel(state)


def indeed_panel(state: data.DataState) -> None:
    st.header("Context: Indeed job postings index (sector proxies)")
    if not state.has("indeed_sector_index"):
        st.info(
            "Indeed data is not published yet: `python -m etl refresh --source indeed_postings_index`."
        )
        return
    info = state.source_of("indeed_sector_index")
    idx = data.run_query(
        state,
        "SELECT date, sector, postings_index, proxy_for FROM {indeed_sector_index} "
        "WHERE proxy_for <> '' AND variable = 'total postings' ORDER BY sector, date",
        (),
        ("indeed_sector_index",),
    )
    st.caption(
        "Indeed publishes no series per job title. **Data Scientist** is one of the example titles of the "
        "*Mathematics* sector; **ML engineers have no sector** and the nearest is *Software Development*. "
        "Both lines are sector proxies, not the roles, and an index (1 Feb 2020 = 100), not counts."
    )
    st.plotly_chart(charts.indeed_sectors(idx), config=charts.CONFIG, width="stretch")
    source_caption(
        info,
        "cite as Indeed Hiring Lab; Indeed revises its whole history, so each refresh replaces it",
    )


render()
