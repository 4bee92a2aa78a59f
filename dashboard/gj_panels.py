"""The Google Jobs postings (data_jobs) parts of the Skills, Pay and Demand views, and the real-pay
toggle of Pay: each a function the view calls, reading the published aggregates through
dashboard/queries_gj.py, with n, the source, its licence and snapshot under every number."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, data, export, filters, metrics, queries_gj, scope
from dashboard.sources_ui import download_pair, source_caption
from etl import vocab
from etl.coverage import format_months

NAME = queries_gj.NAME
PAY_UNITS = {"nominal": "Dollars of each year (as posted)", "real": "One year's dollars (CPI-U)"}


def _published(state: data.DataState, table: str) -> bool:
    if state.has(table):
        return True
    st.info(f"Google Jobs postings are not published yet: `python -m etl refresh --source {NAME}`.")
    return False


def _samples(totals: pd.DataFrame) -> str:
    """'n postings: x of them from the 2023 file (...), y from the monthly files (...)'."""
    per = totals.groupby("sample")["role_postings"].sum()
    return "; ".join(f"{int(v):,} are {vocab.GJ_SAMPLES[s]}" for s, v in per.items() if v)


def _coverage_note(state: data.DataState) -> str:
    cov = state.coverage(NAME)
    months = cov.get("all_postings_months", [])
    missing = [f[13:20] for f in cov.get("files_not_published", [])]
    text = (
        f"Monthly files with every posting: {format_months(months)}"
        if months
        else "No monthly file is published"
    )
    if missing:
        text += f"; not published (404): {', '.join(missing)}"
    if "repeated_rows" in cov:
        text += (
            f". {cov['repeated_rows']:,} source rows repeat a posting ({cov['postings_found_by_several_searches']:,} "
            "postings were found by more than one search): each posting is counted once"
        )
    return text


# --- Skills ------------------------------------------------------------------------------------


def skills_section(
    state: data.DataState, sc: scope.Scope, hn_shares: pd.DataFrame, hn_claims: pd.DataFrame
) -> None:
    """Top skills per role in the Google Jobs postings beside Hacker News (shares, n, the
    denominator stated), and the claims checked in both sources, disagreements named."""
    st.header("A second source: Google Jobs postings")
    if not _published(state, "gj_skill_monthly"):
        return
    info = state.source_of("gj_skill_monthly")
    den = filters.radio(
        "Google Jobs denominator",
        "gjden",
        list(vocab.GJ_DENOMINATORS),
        "all",
        format_func=vocab.GJ_DENOMINATORS.get,
        horizontal=True,
        container=st,
        help="All postings compares with Hacker News (whose ads all count); a fifth or so of these "
        "postings carry no skills list, so the other choice reads 'of the postings that list skills'.",
    )
    totals = queries_gj.role_totals(state, sc)
    n = queries_gj.denominators(totals, den)
    sh = queries_gj.skill_shares(state, sc, den, [])
    sh = sh[~sh["skill"].isin(vocab.ROLE_NAME_SKILLS)]
    roles = [r for r in sc.roles_or_all if r in vocab.ROLES]
    listed = queries_gj.denominators(totals, "with_skills")
    st.caption(
        f"Google Jobs search results collected by Luke Barousse, {sc.year_from}-{sc.year_to}, roles by the "
        f"survey's title mapping ({sc.definition}): the posting's own title, else the collector's label. A share "
        f"is the role's postings listing the skill divided by **{vocab.GJ_DENOMINATORS[den]}**: n = "
        + ", ".join(f"{charts.role_label(r)} {int(n.get(r, 0)):,}" for r in roles)
        + " (with a skills list: "
        + ", ".join(f"{int(listed.get(r, 0)):,}" for r in roles)
        + "). Of these postings "
        + (_samples(totals) or "none are published")
        + ". The source lists tools (a fixed vocabulary, mapped to our taxonomy: etl/mappings/gj_skills.csv), "
        "where Hacker News skills are found in the ad's text. " + _coverage_note(state) + "."
    )
    cols = st.columns(max(1, len(roles)))
    for c, role in zip(cols, roles, strict=False):
        if int(n.get(role, 0)) < vocab.MIN_N:
            c.info(
                f"Too few Google Jobs {charts.role_label(role)} postings (n = {int(n.get(role, 0))})."
            )
            continue
        top = sh[sh["role"] == role].head(15)
        fig = charts.top_skills(
            top, role, title=f"Google Jobs: {charts.role_label(role)} (n={int(n[role]):,})"
        )
        c.plotly_chart(fig, config=charts.CONFIG, width="stretch", key=f"gj_top_{role}")
    source_caption(info, "aggregates only, cite the author")

    side = side_by_side(hn_shares, sh)
    if len(side):
        st.subheader("Same skill, both sources")
        flips = side[side["sources"] == "disagree"]
        if len(flips):
            st.warning(
                "The sources disagree on which role lists these skills more often: "
                + ", ".join(flips["skill"].head(10))
                + "."
            )
        st.dataframe(side, hide_index=True, width="stretch")
        st.caption(
            "Each role's share in Hacker News (the panel above: period, definition and categories as filtered) "
            "and in Google Jobs (denominator as chosen); 'higher for' names the role with the larger share, "
            f"blank where a role has fewer than {vocab.MIN_N} postings. Skills among the top 15 of either "
            "role in either source."
        )
    claims_both(state, sc, hn_claims, den, info)


def side_by_side(hn: pd.DataFrame, gj: pd.DataFrame, top: int = 15) -> pd.DataFrame:
    """skill, each compared role's share in both sources, which role is higher in each, and
    whether the sources agree."""
    a, b = vocab.COMPARED_ROLES
    cols = ["role", "skill", "posting_share_pct", "role_postings"]
    picks: set[str] = set()
    shares = []
    for frame in (hn, gj):
        rows: dict[tuple[str, str], tuple[float, int]] = {}
        role_of, skill, share, n = (frame[c].to_numpy() for c in cols)
        for r in (a, b):
            at = np.flatnonzero(role_of == r)
            pairs = zip(share[at], n[at], strict=True)
            rows.update(zip(((k, r) for k in skill[at]), pairs, strict=True))
            picks.update(skill[at[:top]])  # the frame is sorted by role, share (descending), skill
        shares.append(rows)
    skills = sorted(picks)
    out: dict[str, list] = {"skill": skills}
    higher = []
    for src, rows in zip(("HN", "Google Jobs"), shares, strict=True):
        vals = {}
        for r in (a, b):
            got = [rows.get((k, r), (np.nan, 0)) for k in skills]
            vals[r] = np.array(
                [float(v) if n >= vocab.MIN_N else np.nan for v, n in got], dtype="float64"
            )
            out[f"{src}: {charts.role_label(r)} %"] = [
                round(float(v), 1) if not np.isnan(v) else None for v in vals[r]
            ]
        both = ~np.isnan(vals[a]) & ~np.isnan(vals[b])
        h = np.where(
            both,
            np.where(vals[a] > vals[b], charts.role_label(a), charts.role_label(b)),
            "",
        )
        out[f"{src}: higher for"] = h.tolist()
        higher.append(h)
    agree = np.where(higher[0] == higher[1], "agree", "disagree")
    out["sources"] = np.where(
        (higher[0] != "") & (higher[1] != ""), agree, "one source only"
    ).tolist()
    return pd.DataFrame(out)


def claims_both(
    state: data.DataState, sc: scope.Scope, hn_claims: pd.DataFrame, den: str, info: dict
) -> None:
    st.subheader("Claims, checked in both sources")
    gj = queries_gj.claims(state, sc, den)
    if gj.empty:
        st.info(
            "The claims compare "
            + " and ".join(f"{charts.role_label(r)}s" for r in vocab.COMPARED_ROLES)
            + ": select at least one of them in the roles filter."
        )
        return
    both = queries_gj.compare_claims(hn_claims, gj)
    dis = both[both["sources"] == "disagree"]
    if len(dis):
        st.warning("The two sources disagree on: " + "; ".join(dis["claim"]) + ".")
    elif (both["sources"] == "agree").any():
        st.success("Where both sources measure a claim, they agree on which role it fits better.")
    unmeasured = gj.loc[~gj["measurable"], "claim"].unique()
    st.dataframe(both, hide_index=True, width="stretch", height=35 * (len(both) + 1) + 3)
    st.caption(
        "A claim holds in a source when the claimed role's share of postings mentioning the counted skills is the "
        "higher one. Hacker News: the claims table above; Google Jobs: "
        f"{vocab.GJ_DENOMINATORS[den]}, pooled over the period, shares hidden below n = {vocab.MIN_N}."
        + (
            " Not measured in Google Jobs (its skills list has no such entry): "
            + "; ".join(unmeasured)
            + "."
            if len(unmeasured)
            else ""
        )
    )
    download_pair(
        "Download the claims of both sources (CSV)",
        "gj_claims",
        lambda: both,
        lambda k: export.metadata(
            "skills_claims_two_sources",
            {**sc.describe(), "gj_denominator": den},
            k,
            [info],
            notes=["Aggregates only; Hacker News and Google Jobs shares side by side."],
        ),
        "skills_claims_two_sources",
    )


# --- Demand ------------------------------------------------------------------------------------


def _section(state: data.DataState, sc: scope.Scope, header: str, table: str, query) -> tuple:  # type: ignore[no-untyped-def]
    """The section's header, then (source info, the query's rows), or None with the reason shown."""
    st.header(header)
    if not _published(state, table):
        return None
    df = query(state, sc)
    if df.empty:
        st.info(f"No Google Jobs postings of the selected roles in {sc.year_from}-{sc.year_to}.")
        return None
    return state.source_of(table), df


def demand_section(state: data.DataState, sc: scope.Scope) -> None:
    got = _section(
        state,
        sc,
        "Context: Google Jobs postings per month",
        "gj_role_monthly",
        queries_gj.demand_monthly,
    )
    if got is None:
        return
    info, df = got
    st.plotly_chart(charts.google_jobs_demand(df), config=charts.CONFIG, width="stretch")
    st.caption(
        "**A snapshot of search results, not a census**: what Google Jobs returned to the collector's searches "
        "(search_location is the place searched, not where the job is), so counts depend on how much was "
        f"searched. Two samples: {vocab.GJ_SAMPLES['salary_stated']} and {vocab.GJ_SAMPLES['all_postings']}; "
        "a month of the first is not comparable with one of the second. Hover for the share of the month's "
        f"postings and distinct companies. Definition {sc.definition}. "
        + _coverage_note(state)
        + "."
    )
    source_caption(info, "aggregates only, cite the author")


# --- Pay ---------------------------------------------------------------------------------------


def real_pay_toggle(state: data.DataState) -> queries_gj.RealPay | None:
    """The sidebar choice between each year's dollars and one year's (CPI-U); None = as posted."""
    real = queries_gj.real_pay(state)
    choice = filters.radio(
        "Pay in",
        "real",
        list(PAY_UNITS),
        "nominal",
        format_func=PAY_UNITS.get,
        help="One year's dollars: every salary of every series is multiplied by the CPI-U annual average of the "
        "base year divided by that of its own year"
        + (
            f" (base year {real.base_year}, the latest with all 12 months)."
            if real
            else " (CPI-U not published)."
        ),
    )
    if choice == "real" and real is None:
        st.sidebar.info("CPI-U is not published yet: `python -m etl refresh --source cpi_us`.")
    return real if choice == "real" else None


def real_caption(real: queries_gj.RealPay | None, state: data.DataState) -> None:
    if real is not None:
        st.info("Every amount on this page is " + real.describe() + ".")
        source_caption(state.source_of("cpi_annual"), "annual averages")


def pay_section(state: data.DataState, sc: scope.Scope, real: queries_gj.RealPay | None) -> None:
    """Posted salaries per role and year in the Google Jobs postings: a third pay series."""
    got = _section(
        state, sc, "Salaries posted on Google Jobs", "gj_pay_yearly", queries_gj.pay_yearly
    )
    if got is None:
        return
    info, pay = got
    cols = ["pay_mid_p25_usd", "pay_mid_median_usd", "pay_mid_p75_usd"]
    pay = queries_gj.deflate_columns(pay, "posted_year", cols, real)
    small = pay["postings_stating_pay"] < metrics.MIN_N
    pay[cols] = pay[cols].where(~small)
    gap = queries_gj.median_gap(pay)
    for g in gap.dropna(subset=["gap_usd"]).itertuples():
        st.metric(
            f"ML engineer minus data scientist posted median, {g.posted_year} ({vocab.GJ_SAMPLES[g.sample]})",
            f"{'+' if g.gap_usd >= 0 else '−'}${abs(g.gap_usd):,.0f}",
            help=f"n = {g.n_ml:,} ML-engineer and {g.n_ds:,} data-scientist salaries",
        )
        st.caption(f"n = {g.n_ml:,} ML engineers, {g.n_ds:,} data scientists")
    shown = (
        pay.assign(
            role=pay["role"].map(charts.role_label),
            sample=pay["sample"].map(vocab.GJ_SAMPLES),
            posting_share_pct=pay["posting_share_pct"].round(1),
            **{c: pay[c].map(lambda x: "—" if pd.isna(x) else f"${x:,.0f}") for c in cols},
        )
        .rename(
            columns={
                "posted_year": "year",
                "role_postings": "postings (n)",
                "postings_stating_pay": "salaries (n)",
                "posting_share_pct": "share stating a salary (%)",
                "salaries_hourly": "of them hourly",
                "pay_mid_p25_usd": "P25",
                "pay_mid_median_usd": "median",
                "pay_mid_p75_usd": "P75",
            }
        )
        .drop(columns=["definition"])
    )
    st.dataframe(shown, hide_index=True, width="stretch")
    cov = state.coverage(NAME)
    us = cov.get("salaried_us_share_pct")
    source_caption(
        info,
        f"the collector's midpoint of each posted range, in US dollars per year; {vocab.HOURLY_RULE}. "
        f"Statistics hidden below n = {metrics.MIN_N} salaries. The 2023 file holds only postings that state a "
        "salary (share 100% by construction); the monthly files hold every posting. "
        + (
            f"{vocab.pct(us)} of the salaried postings were found by searches of the United States (job_country "
            "follows the place searched). "
            if us is not None
            else ""
        )
        + f"Definition {sc.definition}"
        + ("; " + real.describe() if real else ""),
    )
    download_pair(
        f"Download the {len(pay):,} Google Jobs salary rows (CSV)",
        "gj_pay",
        lambda: pay,
        lambda k: export.metadata(
            "pay_google_jobs",
            {**sc.describe(), "dollars": f"{real.base_year} (CPI-U)" if real else "nominal"},
            k,
            [info],
            notes=[vocab.HOURLY_RULE, "Aggregates only: cite Luke Barousse (data_jobs)."],
        ),
        "pay_google_jobs_by_role_year",
    )


# --- Data & methods ------------------------------------------------------------------------------


def methods_section(state: data.DataState) -> None:
    """How the Google Jobs source's skills and roles map to ours, with the unmapped skills."""
    st.header("Google Jobs postings: skills and roles")
    if not state.has("gj_skill_map"):
        st.info(
            f"Google Jobs postings are not published yet: `python -m etl refresh --source {NAME}`."
        )
        return
    cov = state.coverage(NAME)
    sm = data.run_query(
        state,
        "SELECT * FROM {gj_skill_map} ORDER BY postings DESC, source_skill",
        (),
        ("gj_skill_map",),
    )
    unmapped = sm[sm["mapped_by"] == "unmapped"]
    st.caption(
        f"The source lists {sm['source_skill'].nunique():,} skill names; each counts as the skill(s) of our "
        "taxonomy that etl/mappings/gj_skills.csv names (reviewed, with a reason), else those whose aliases "
        f"match the name. {len(unmapped):,} names map to none of ours and are left out of the shares (listed "
        "below by postings). Roles: the survey's title mapping on the posting's own title (exact titles first), "
        "then on the collector's label; "
        + ", ".join(
            f"{charts.role_label(r)} {k:,}" for r, k in cov.get("roles_from_own_title", {}).items()
        )
        + " postings carry a title of our mapping themselves (broad)."
    )
    st.dataframe(sm, hide_index=True, width="stretch", height=300)
    download_pair(
        f"Download the {len(sm):,} skill-name mappings (CSV)",
        "gj_skill_map",
        lambda: sm,
        lambda k: export.metadata("methods_gj_skill_map", {}, k, [state.source_of("gj_skill_map")]),
        "gj_skill_map",
    )
