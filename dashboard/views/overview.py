"""Overview (the landing view, a page script): for the current global filters, the three answers side
by side: demand (recent share of postings and its trend), pay (median gap with its interval) and
skills (each role's most distinctive skills), each with n and source, linking to its detailed view."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, data, export, metrics, queries, scope
from dashboard.sources_ui import download_pair
from etl import vocab
from etl.coverage import describe_years

W = vocab.RECENT_MONTHS


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else f"{x:.2f}%"


def demand_card(state: data.DataState, sc: scope.Scope, out: list[dict]) -> None:
    st.subheader("Demand")
    if not state.has("hn_demand_monthly"):
        st.info("No demand data published yet.")
        return
    monthly = queries.demand_monthly(state, sc)
    rec = queries.demand_recent(monthly)
    if rec.empty:
        st.info(f"No Hacker News threads in {sc.year_from}-{sc.year_to}.")
        return
    r0 = rec.iloc[0]
    partial = f", {r0['partial_threads']} of them partial" if r0["partial_threads"] else ""
    st.caption(
        f"Share of Hacker News 'Who is hiring?' postings naming the role in the {W} months "
        f"{r0['window_start']:%Y-%m} to {r0['window_end']:%Y-%m} ({r0['threads']} monthly threads present{partial}), "
        + (
            f"vs the {W} months before ({r0['previous_threads']} threads)."
            if r0["previous_threads"]
            else f"no threads in the {W} months before, so no trend."
        )
    )
    for _, r in rec[rec["role"].isin(["data_scientist", "ml_engineer", "ai_engineer"])].iterrows():
        delta = None
        if not pd.isna(r["previous_share_pct"]):
            delta = f"{r['share_pct'] - r['previous_share_pct']:+.2f} pts vs the {W} months before"
        st.metric(
            f"{charts.role_label(r['role'])} share of postings",
            _pct(r["share_pct"]),
            delta=delta,
            help=f"{r['postings']:,} of {r['month_postings']:,} postings; {W} months before: "
            f"{r['previous_postings']:,} of {r['previous_month_postings']:,}",
        )
        st.caption(f"n = {r['postings']:,} of {r['month_postings']:,} postings")
        out.append(
            {
                "question": "demand",
                "role": r["role"],
                "measure": f"share of postings {r['window_start']:%Y-%m}..{r['window_end']:%Y-%m} (%)",
                "value": r["share_pct"],
                "n": r["postings"],
                "denominator": r["month_postings"],
                "previous_value": r["previous_share_pct"],
                "source": "hn_whoishiring",
            }
        )
    info = state.source_of("hn_demand_monthly")
    st.caption(
        f"Source: {info['producer']}; snapshot {info['snapshot_date']}; definition {sc.hn_definition}"
    )
    st.page_link("views/demand.py", label="Demand in detail", icon=":material/trending_up:")


def pay_card(state: data.DataState, sc: scope.Scope, out: list[dict]) -> None:
    st.subheader("Pay")
    if not state.has("salaries"):
        st.info("No salary data published yet.")
        return
    vals = queries.salary_values(state, sc, {})
    stats = queries.pay_summary(vals, ["data_scientist", "ml_engineer"])
    gap = queries.pay_gap(vals)
    if np.isnan(gap["gap"]):
        st.metric("ML engineer minus data scientist median", "too few responses")
    else:
        st.metric(
            "ML engineer minus data scientist median",
            f"{'+' if gap['gap'] >= 0 else '−'}${abs(gap['gap']):,.0f}",
            help=f"Bootstrap {vocab.INTERVAL_LEVEL:.0%} interval, {vocab.BOOTSTRAP_RESAMPLES:,} resamples",
        )
        st.caption(f"{vocab.INTERVAL_LEVEL:.0%} interval ${gap['low']:,.0f} to ${gap['high']:,.0f}")
    out.append(
        {
            "question": "pay",
            "role": "ml_engineer - data_scientist",
            "measure": "median gap (USD)",
            "value": gap["gap"],
            "n": gap["n_a"],
            "denominator": gap["n_b"],
            "low_95": gap["low"],
            "high_95": gap["high"],
            "source": "aijobs_salaries",
        }
    )
    for _, r in stats.iterrows():
        val = "too few responses" if r["n"] < metrics.MIN_N else f"${r['median']:,.0f}"
        st.caption(
            f"{charts.role_label(r['role'])} median {val} (n = {r['n']:,}, {r['confidence']} confidence)"
        )
        out.append(
            {
                "question": "pay",
                "role": r["role"],
                "measure": "median salary (USD)",
                "value": r["median"],
                "n": r["n"],
                "source": "aijobs_salaries",
            }
        )
    info = state.source_of("salaries")
    st.caption(
        f"Source: {info['producer']} survey, {info['license']}; snapshot {info['snapshot_date']}; "
        f"work years {sc.year_from}-{sc.year_to}; definition {sc.definition}"
        + (f"; countries {', '.join(sc.countries)}" if sc.countries else "")
        + "; every experience level, employment type, remote ratio and company size (the Pay view's own filters do not apply here)"
    )
    st.page_link("views/pay.py", label="Pay in detail", icon=":material/payments:")


def skills_card(state: data.DataState, sc: scope.Scope, out: list[dict]) -> None:
    st.subheader("Skills")
    if not (state.has("hn_role_year_counts") and state.has("hn_skill_counts")):
        st.info("No skill data published yet.")
        return
    den = queries.role_counts(state, sc)
    if min(den["ml_engineer"], den["data_scientist"]) < metrics.MIN_N:
        st.info(
            f"Too few postings to compare (ML engineer n = {den['ml_engineer']}, data scientist n = {den['data_scientist']})."
        )
        return
    lo, years = queries.distinctive_within_years(queries.distinctive_counts_by_year(state, sc))
    if years:
        span = describe_years({"years": years})
        how = (
            f"compared within the same years ({span}: each year with at least {vocab.ERA_MATCH_MIN_N} "
            "postings of both roles)"
        )
    else:
        lo = queries.distinctive_from_counts(queries.distinctive_counts(state, sc))
        how = f"pooled over {sc.year_from}-{sc.year_to} (no year has {vocab.ERA_MATCH_MIN_N} postings of both roles)"
    sides = (
        ("ml_engineer", lo[lo["z"] > 0].nlargest(5, "z")),
        ("data_scientist", lo[lo["z"] < 0].nsmallest(5, "z")),
    )
    for role, side in sides:
        strong = side[side["z"].abs() > 1.96]
        st.markdown(
            f"**Most distinctive of {charts.role_label(role)}s** (n = {int(den[role]):,} postings)"
        )
        if side.empty:
            st.caption("No skill leans towards this role in the filtered postings.")
            continue
        shown = strong if len(strong) else side
        note = "" if len(strong) else " (none reaches |z| > 1.96: weak evidence)"
        st.caption(
            ", ".join(
                f"{s} (z = {z:+.1f})" for s, z in zip(shown["skill"], shown["z"], strict=True)
            )
            + note
        )
        for s_, z in zip(shown["skill"], shown["z"], strict=True):
            out.append(
                {
                    "question": "skills",
                    "role": role,
                    "measure": f"distinctive skill: {s_} (z)",
                    "value": z,
                    "n": int(den[role]),
                    "source": "hn_whoishiring",
                }
            )
    info = state.source_of("hn_skill_counts")
    st.caption(
        f"Weighted log-odds with an informative prior, {how}; source: {info['producer']}; snapshot {info['snapshot_date']}"
    )
    st.page_link("views/skills.py", label="Skills in detail", icon=":material/construction:")


def render() -> None:
    st.title("Data Scientist or ML Engineer?")
    st.markdown(
        "Demand, pay and skills for the two roles, measured on public data. Every number carries its "
        "sample size and source; the filters in the sidebar apply to every view and live in the URL."
    )
    state = data.run_state()
    sc = scope.get()
    rows: list[dict] = []
    cols = st.columns(3)
    with cols[0]:
        demand_card(state, sc, rows)
    with cols[1]:
        pay_card(state, sc, rows)
    with cols[2]:
        skills_card(state, sc, rows)
    if rows and state.ok:
        frame = pd.DataFrame(rows)
        infos = [state.source_of(t) for t in ("salaries", "hn_demand_monthly") if state.has(t)]
        download_pair(
            f"Download these {len(frame)} figures (CSV)",
            "overview_rows",
            lambda: frame,
            lambda n: export.metadata(
                "overview",
                sc.describe(),
                n,
                infos,
                notes=["Each figure's n is the sample it was computed on."],
            ),
            "overview_figures",
        )


render()
