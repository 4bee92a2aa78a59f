"""Overview (the landing view, a page script): for the current global filters, the three answers side
by side, each as a sentence made from the data, a small chart, n, source and period, linking to its
detailed view: demand (each role's share per year, the latest 12 months marked), pay (survey and
posted medians with intervals, the raw and like-for-like gap, in the latest survey year with enough
responses) and skills (the most distinctive skills per role, era-matched). A one-page report (PNG,
figures CSV, metadata) downloads as a zip."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, data, export, metrics, queries, report, scope
from dashboard.pay_text import gap_text, like_for_like_sentence
from dashboard.pay_text import usd as _usd
from dashboard.sources_ui import download_pair
from etl import vocab
from etl.coverage import describe_years

W = vocab.RECENT_MONTHS


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else f"{x:.2f}%"


def demand_card(
    state: data.DataState, sc: scope.Scope, out: list[dict], answers: list[report.Answer]
) -> None:
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
    sentence = demand_sentence(rec)
    st.markdown(sentence)
    yearly = queries.demand_yearly(monthly)
    st.plotly_chart(
        charts.overview_demand(yearly, rec), config=charts.CONFIG, width="stretch", key="ov_demand"
    )
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
    cap = (
        f"Source: {info['producer']}; snapshot {info['snapshot_date']}; definition {sc.hn_definition}; "
        f"per year over {int(yearly['year'].min())}-{int(yearly['year'].max())}"
    )
    st.caption(cap)
    answers.append(
        report.Answer(
            "Demand",
            sentence,
            cap,
            "demand",
            {"yearly": yearly, "recent": rec[rec["role"].isin(sc.roles_or_all)]},
        )
    )
    st.page_link("views/demand.py", label="Demand in detail", icon=":material/trending_up:")


def demand_sentence(rec: pd.DataFrame) -> str:
    """The demand answer in words: each role's share of the latest window, its change, and a low n
    said in words (a share resting on few postings)."""
    r0 = rec.iloc[0]
    parts, notes = [], []
    for _, r in rec.iterrows():
        label = charts.role_label(r["role"])
        if r["postings"] < metrics.MIN_N:
            parts.append(f"{label}s too few to tell ({r['postings']} postings)")
            continue
        trend = ""
        if not pd.isna(r["previous_share_pct"]):
            d = r["share_pct"] - r["previous_share_pct"]
            trend = (
                f", {'up' if d > 0 else 'down'} from {r['previous_share_pct']:.1f}%"
                if abs(d) >= 0.05
                else ", flat"
            )
        article = "an" if label[0] in "AEIMO" else "a"  # an ML Engineer, an AI Engineer
        parts.append(f"**{r['share_pct']:.1f}%** named {article} {label} opening{trend}")
        if r["postings"] < metrics.LOW_N:
            notes.append(
                f"the {label} share rests on only {r['postings']} postings, too few for a firm figure"
            )
    text = (
        f"In the latest {W} months ({r0['window_start']:%b %Y} to {r0['window_end']:%b %Y}) of "
        f"{int(r0['month_postings']):,} Hacker News postings, " + "; ".join(parts) + "."
    )
    return text + (f" Note: {'; '.join(notes)}." if notes else "")


def pay_card(
    state: data.DataState, sc: scope.Scope, out: list[dict], answers: list[report.Answer]
) -> None:
    st.subheader("Pay")
    if not state.has("salary_counts"):
        st.info("No salary data published yet.")
        return
    ml, ds = vocab.COMPARED_ROLES
    counts = queries.survey_year_counts(state, sc)
    latest = queries.latest_survey_year(counts)
    if latest is None:
        st.metric("ML engineer minus data scientist median", "too few responses")
        st.info(
            f"No work year in {sc.year_from}-{sc.year_to} has {metrics.MIN_N} survey responses of both roles "
            "for the current filters."
        )
        return
    ysc = dataclasses.replace(sc, year_from=latest, year_to=latest)
    vals = queries.salary_values(state, ysc, {})
    stats = queries.pay_summary(vals, [ds, ml])
    gap = queries.pay_gap(vals)
    lfl, _ = queries.like_for_like_gap(state, ysc, {})
    medians = survey_and_posted_medians(state, sc, vals, latest)
    sentence = pay_sentence(latest, gap, lfl, medians, counts)
    st.markdown(sentence)
    gaps = pd.DataFrame(
        [
            {"label": "Gap, raw", "value": gap["gap"], "low": gap["low"], "high": gap["high"]},
            {
                "label": "Gap, like for like",
                "value": lfl["gap"],
                "low": lfl["low"],
                "high": lfl["high"],
            },
        ]
    ).dropna(subset=["value"])
    shown = medians.dropna(subset=["value"])
    if len(shown) or len(gaps):
        st.plotly_chart(
            charts.overview_pay(shown, gaps), config=charts.CONFIG, width="stretch", key="ov_pay"
        )
    if np.isnan(gap["gap"]):
        st.metric("ML engineer minus data scientist median", "too few responses")
    else:
        st.metric(
            "ML engineer minus data scientist median",
            gap_text(gap["gap"]),
            help=f"Work year {latest}; bootstrap {vocab.INTERVAL_LEVEL:.0%} interval, {vocab.BOOTSTRAP_RESAMPLES:,} resamples",
        )
        st.caption(
            f"Raw: {vocab.INTERVAL_LEVEL:.0%} interval {_usd(gap['low'])} to {_usd(gap['high'])}"
        )
    if not np.isnan(lfl["gap"]):
        st.metric("Like for like", gap_text(lfl["gap"]), help=like_for_like_sentence(lfl))
        st.caption(like_for_like_sentence(lfl))
    for rec in (
        {
            "measure": "median gap (USD), raw",
            "value": gap["gap"],
            "low_95": gap["low"],
            "high_95": gap["high"],
            "n": gap["n_a"],
            "denominator": gap["n_b"],
        },
        {
            "measure": "median gap (USD), like for like",
            "value": lfl["gap"],
            "low_95": lfl["low"],
            "high_95": lfl["high"],
            "n": lfl[f"n_{ml}"],
            "denominator": lfl[f"n_{ds}"],
        },
    ):
        out.append(
            {
                "question": "pay",
                "role": f"{ml} - {ds}",
                "year": latest,
                **rec,
                "source": "aijobs_salaries",
            }
        )
    for _, r in stats.iterrows():
        val = "too few responses" if r["n"] < metrics.MIN_N else f"${r['median']:,.0f}"
        st.caption(
            f"{charts.role_label(r['role'])} median {val} (n = {r['n']:,}, {r['confidence']} confidence)"
        )
    for _, r in medians.iterrows():
        out.append(
            {
                "question": "pay",
                "role": r["role"],
                "measure": r["label"],
                "year": r["year"],
                "value": r["value"],
                "low_95": r["low"],
                "high_95": r["high"],
                "n": r["n"],
                "source": r["source"],
            }
        )
    info = state.source_of("salaries")
    cap = (
        f"Source: {info['producer']} survey, {info['license']}; snapshot {info['snapshot_date']}; "
        f"work year {latest} (the latest in {sc.year_from}-{sc.year_to} with {metrics.LOW_N} responses of both "
        f"roles, else {metrics.MIN_N}); definition {sc.definition}"
        + (f"; countries {', '.join(sc.countries)}" if sc.countries else "")
        + "; every experience level, employment type, remote ratio and company size (the Pay view's own filters "
        "do not apply here). Posted: Hacker News ads, midpoints of salary ranges posted in US dollars, the "
        f"latest year in which both roles have {metrics.MIN_N} ranges, P25-P75 as the bar."
    )
    st.caption(cap)
    answers.append(report.Answer("Pay", sentence, cap, "pay", {"medians": shown, "gaps": gaps}))
    st.page_link("views/pay.py", label="Pay in detail", icon=":material/payments:")


def survey_and_posted_medians(
    state: data.DataState, sc: scope.Scope, vals: pd.DataFrame, year: int
) -> pd.DataFrame:
    """label, role, source, year, n, value, low, high: the survey's median per compared role in
    `year` with its bootstrap interval, and the posted median (P25-P75) of the latest year in the
    period where the role has MIN_N ranges in US dollars (published hn_posted_pay_yearly)."""
    rows = []
    survey = queries.median_intervals(vals).set_index("role")
    posted = queries.posted_pay_yearly(state, sc) if state.has("hn_posted_pay_yearly") else None
    if posted is not None:
        # one year for both roles: the latest in which each has MIN_N ranges
        enough = posted[posted["ranges_usd_year"] >= metrics.MIN_N]
        both = enough.groupby("posted_year")["role"].nunique()
        common = both[both == len(vocab.COMPARED_ROLES)].index
        posted = enough[enough["posted_year"] == common.max()] if len(common) else None
    for role in reversed(vocab.COMPARED_ROLES):
        label = charts.role_label(role)
        if role in survey.index:
            r = survey.loc[role]
            rows.append(
                (
                    f"{label}, survey {year}",
                    role,
                    "aijobs_salaries",
                    year,
                    int(r["n"]),
                    r["median"],
                    r["low"],
                    r["high"],
                )
            )
        if posted is not None:
            p = posted[(posted["role"] == role) & (posted["ranges_usd_year"] >= metrics.MIN_N)]
            if len(p):
                p = p.iloc[-1]
                rows.append(
                    (f"{label}, posted {int(p['posted_year'])}", role, "hn_whoishiring", int(p["posted_year"]),
                     int(p["ranges_usd_year"]), p["pay_mid_median_usd"], p["pay_mid_p25_usd"], p["pay_mid_p75_usd"])
                )  # fmt: skip
    return pd.DataFrame(
        rows, columns=["label", "role", "source", "year", "n", "value", "low", "high"]
    )


def pay_sentence(
    year: int, gap: dict, lfl: dict, medians: pd.DataFrame, counts: pd.DataFrame
) -> str:
    """The pay answer in words: the raw and like-for-like gap with intervals, the posted medians,
    and low n said in words."""
    if np.isnan(gap["gap"]):
        return (
            f"In {year} there are too few survey responses of both roles to compare their medians "
            f"(ML engineers n = {gap['n_a']}, data scientists n = {gap['n_b']})."
        )
    more = "more" if gap["gap"] >= 0 else "less"
    text = (
        f"In {year}, the survey's median ML engineer earned **{_usd(abs(gap['gap']))} {more}** than the "
        f"median data scientist ({vocab.INTERVAL_LEVEL:.0%} interval {_usd(gap['low'])} to {_usd(gap['high'])}; "
        f"n = {gap['n_a']:,} and {gap['n_b']:,})"
    )
    if not np.isnan(lfl["gap"]):
        text += (
            f"; with experience level, company size, country and year held equal the gap is "
            f"**{gap_text(lfl['gap'])}** ({_usd(lfl['low'])} to {_usd(lfl['high'])})"
        )
    else:
        text += (
            "; too few responses of both roles share an experience level, company size, country and year "
            f"(ML engineers n = {lfl[f'n_{vocab.COMPARED_ROLES[0]}']}, data scientists n = "
            f"{lfl[f'n_{vocab.COMPARED_ROLES[1]}']}) to compare them like for like"
        )
    text += "."
    posted = medians[medians["source"] == "hn_whoishiring"].dropna(subset=["value"])
    if len(posted):
        text += (
            " Hacker News ads posted a median of "
            + " and ".join(
                f"{_usd(r['value'])} for {charts.role_label(r['role'])}s ({r['year']}, n = {r['n']} ranges)"
                for _, r in posted.iterrows()
            )
            + "."
        )
    if min(gap["n_a"], gap["n_b"]) < metrics.LOW_N:
        text += f" Few responses (fewer than {metrics.LOW_N} on one side): read the gap as rough."
    later = counts[counts["work_year"] > year].groupby("work_year")["n"].sum()
    if len(later):
        text += (
            f" {', '.join(str(y) for y in later.index)} has too few responses of both roles so far "
            f"({', '.join(f'{int(n)}' for n in later)} in all)."
        )
    return text


def skills_card(
    state: data.DataState, sc: scope.Scope, out: list[dict], answers: list[report.Answer]
) -> None:
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
    sentence = skills_sentence(sides, den, how)
    st.markdown(sentence)
    top = pd.concat([side for _, side in sides], ignore_index=True)
    if len(top):
        st.plotly_chart(
            charts.overview_skills(top), config=charts.CONFIG, width="stretch", key="ov_skills"
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
    cap = (
        f"Weighted log-odds with an informative prior, {how}; source: {info['producer']}; snapshot "
        f"{info['snapshot_date']}; definition {sc.hn_definition}"
    )
    st.caption(cap)
    answers.append(report.Answer("Skills", sentence, cap, "skills", {"distinctive": top}))
    st.page_link("views/skills.py", label="Skills in detail", icon=":material/construction:")


def skills_sentence(sides: tuple, den: pd.Series, how: str) -> str:
    """The skills answer in words: each role's most distinctive skills (|z| > 1.96), n, and weak
    evidence said as such."""
    parts = []
    for role, side in sides:
        strong = side[side["z"].abs() > 1.96]["skill"].head(3).tolist()
        label = charts.role_label(role)
        parts.append(
            f"{label} ads (n = {int(den[role]):,}) lean most towards **{', '.join(strong)}**"
            if strong
            else f"no skill leans clearly towards {label} ads (n = {int(den[role]):,})"
        )
    low = [charts.role_label(r) for r, _ in sides if den[r] < metrics.LOW_N]
    return (
        "Compared "
        + how.split(" (")[0].replace("compared ", "")
        + ": "
        + "; ".join(parts)
        + "."
        + (f" Few {' and '.join(low)} postings: weak evidence." if low else "")
    )


TITLE = "Data Scientist or ML Engineer?"


def render() -> None:
    st.title(TITLE)
    st.markdown(
        "Demand, pay and skills for the two roles, measured on public data. Every number carries its "
        "sample size and source; the filters in the sidebar apply to every view and live in the URL."
    )
    state = data.run_state()
    sc = scope.get()
    rows: list[dict] = []
    cols = st.columns(3)
    answers: list[report.Answer] = []
    with cols[0]:
        demand_card(state, sc, rows, answers)
    with cols[1]:
        pay_card(state, sc, rows, answers)
    with cols[2]:
        skills_card(state, sc, rows, answers)
    if rows and state.ok:
        frame = pd.DataFrame(rows)
        infos = [state.source_of(t) for t in ("salaries", "hn_demand_monthly") if state.has(t)]

        def meta(n: int) -> dict:
            return export.metadata(
                "overview",
                sc.describe(),
                n,
                infos,
                notes=["Each figure's n is the sample it was computed on."],
            )

        st.download_button(
            "Download the one-page report (PNG, figures CSV and metadata, zipped)",
            data=lambda: report.build(TITLE, answers, frame, meta(len(frame))),
            file_name=f"{report.STEM}.zip",
            mime="application/zip",
            key="overview_report",
            on_click="ignore",
            icon=":material/summarize:",
        )
        download_pair(
            f"Download these {len(frame)} figures (CSV)",
            "overview_rows",
            lambda: frame,
            meta,
            "overview_figures",
        )


render()
