"""Demand view (a page script run by st.navigation): each role's share of Hacker News 'Who is hiring?'
postings per month (counts on hover, 3-month moving average, partial months marked), the ML-per-DS
ratio, and Indeed's sector indices as a separate, labelled proxy panel."""

from __future__ import annotations

import streamlit as st

from dashboard import charts, data, export, filters, gj_panels, queries, scope
from dashboard.sources_ui import download_pair, source_caption
from etl import vocab
from etl.coverage import describe_hn, describe_one_timestamp


def render() -> None:
    st.title("Demand: postings per month")
    state = data.run_state()
    sc = scope.get()
    filters.show_notices()
    if not state.has("hn_demand_monthly"):
        st.info(
            "Hacker News demand data is not published yet: `python -m etl refresh --source hn_whoishiring`."
        )
        indeed_panel(state)
        return
    info = state.source_of("hn_demand_monthly")
    cov = info["coverage"]
    df = queries.demand_monthly(state, sc)
    if df.empty:
        st.warning(
            f"No Hacker News threads in {sc.year_from}-{sc.year_to}. Published: {describe_hn(cov)}."
        )
        indeed_panel(state)
        return
    n_months = df["thread_month"].nunique()
    n_postings = int(df.drop_duplicates("thread_month")["month_postings"].sum())
    st.caption(
        f"{n_months} monthly threads, {n_postings:,} postings in {sc.year_from}-{sc.year_to}; definition: "
        f"{sc.hn_definition} ({sc.definition}). A share is the role's postings divided by all postings of that month's "
        "thread, so months of different sizes compare. Mentions are matched by rules in etl/mappings/hn_role_rules.csv. "
        f"Published record: {describe_hn(cov)}. {describe_one_timestamp(cov)}"
    )
    cols = st.columns(len(sc.roles_or_all))
    for c, role in zip(cols, sc.roles_or_all, strict=True):
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
    st.plotly_chart(charts.demand_share(df, sc.roles_or_all), config=charts.CONFIG, width="stretch")
    source_caption(
        info,
        "counts on hover; open circles mark partial months: the snapshot was taken within "
        f"{vocab.EARLY_SNAPSHOT_DAYS} days of the thread opening or its newest posting is within "
        f"{vocab.LAST_POSTING_DAYS} days of it (archived or early copies); shares stay comparable, counts are low "
        f"for those months; the dashed line is the {vocab.MOVING_AVERAGE_MONTHS}-month moving average",
    )
    ratio = queries.pooled_ratio(queries.demand_ratio(state, sc))
    st.plotly_chart(charts.demand_ratio(ratio), config=charts.CONFIG, width="stretch")
    source_caption(
        info,
        f"the line pools {vocab.POOLED_RATIO_MONTHS} calendar months and is drawn only where at least "
        f"{vocab.POOLED_RATIO_MIN_DS} data-scientist postings stand behind it; "
        "faint dots are single months; "
        f"n = {int(ratio['ds_postings'].sum()):,} "
        f"DS and {int(ratio['ml_postings'].sum()):,} ML postings",
    )
    export_frame = df.assign(
        thread_month=df["thread_month"].dt.strftime("%Y-%m"), definition=sc.hn_definition
    )
    download_pair(
        f"Download the {len(export_frame):,} monthly rows (CSV)",
        "demand_rows",
        lambda: export_frame,
        lambda n: export.metadata(
            "demand",
            sc.describe(),
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
    gj_panels.demand_section(state, sc)


def indeed_panel(state: data.DataState) -> None:
    st.header("Context: Indeed job postings index (sector proxies)")
    if not state.has("indeed_sector_index"):
        st.info(
            "Indeed data is not published yet: `python -m etl refresh --source indeed_postings_index`."
        )
        return
    info = state.source_of("indeed_sector_index")
    idx = queries.indeed_proxies(state)
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
    download_pair(
        f"Download the {len(idx):,} index rows (CSV)",
        "indeed_rows",
        lambda: idx,
        lambda n: export.metadata(
            "demand_indeed",
            {"variable": "total postings"},
            n,
            [info],
            notes=[
                "Sector proxies: Mathematics for data scientists, Software Development for ML engineers."
            ],
        ),
        "demand_indeed_sectors",
    )


render()
