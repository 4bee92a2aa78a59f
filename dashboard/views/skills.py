"""Skills view (a page script run by st.navigation): top skills per role side by side, distinctive
skills (weighted log-odds, ML engineer vs data scientist), skill trends, co-occurrence, and the
panel that checks the common claims about each role, all with n."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, data, export, filters, gj_panels, queries, scope
from dashboard.claims import claims_table, matched_claims
from dashboard.sources_ui import download_pair
from etl import vocab
from etl.coverage import describe_years
from etl.transform.skills import CATEGORIES


def skill_filters(state: data.DataState) -> dict:
    st.sidebar.header("Skills filters")
    # the taxonomy's categories (etl/mappings/skills.csv): every published skill has one of them
    cats = sorted(CATEGORIES)
    categories = filters.multiselect("Skill categories", "cat", cats, help="Empty: every category")
    top_n = filters.radio("Top N", "top", [10, 15, 20, 30], 15, horizontal=True)
    compare = filters.radio(
        "Compare the roles",
        "cmp",
        list(COMPARISONS),
        "years",
        format_func=COMPARISONS.get,
        help="Within the same years: each year in which both roles have at least "
        f"{vocab.ERA_MATCH_MIN_N} postings is compared on its own and the years are combined, so the "
        "roles' different peak years do not pass for differences between the roles. Pooled: all "
        "postings of the period in one comparison.",
    )
    return {"categories": categories, "top": top_n, "compare": compare}


COMPARISONS = {
    "years": "Within the same years (like with like)",
    "pooled": "Pooled over the period",
}


SKILL_TABLES = ("hn_role_year_counts", "hn_skill_counts", "hn_claim_counts", "hn_skill_pairs")


def _years(years: list[int]) -> str:
    return describe_years({"years": years})


def _strongest(lo: pd.DataFrame, top: int) -> pd.DataFrame:
    """The most distinctive skills of each side: half of the top N (at least 5) per side."""
    k = max(5, top // 2)
    z = lo["z"].to_numpy(dtype="float64")
    # what nlargest / nsmallest pick, in their order (ties: the first rows; NaN last): those
    # two cost more than the rest of the distinctive-skills chart
    high = charts.nan_last_order(z, "stable", descending=True)[:k]
    low = charts.nan_last_order(z, "stable")[:k]
    return lo.iloc[np.concatenate([high, low])].drop_duplicates("skill")


def render() -> None:
    st.title("Skills: what each role asks for")
    state = data.run_state()
    if not all(state.has(t) for t in SKILL_TABLES):
        st.info("Skill data is not published yet: `python -m etl refresh --source hn_whoishiring`.")
        return
    sc = scope.get()
    f = skill_filters(state)
    filters.show_notices()
    info = state.source_of("hn_skill_counts")
    rp = queries.role_year_counts(state, sc)
    denominators = queries.denominators_from_counts(rp)
    sh = queries.skill_shares(state, sc, denominators, f["categories"])
    period = f"{sc.year_from}-{sc.year_to}"
    st.caption(
        f"Hacker News 'Who is hiring?' postings {period}, definition: {sc.hn_definition} ({sc.definition}); n = "
        + ", ".join(f"{charts.role_label(r)} {int(n):,}" for r, n in denominators.items())
        + ". A share is the postings that mention the skill divided by the role's postings. Aliases are merged and "
        "ambiguous names have their own rules (Data & methods lists the taxonomy). 'Machine learning' and "
        "'Artificial intelligence' are left out of the comparisons: the role definitions select postings that say them. "
        "A role's skills are those of its own job inside the ad: in an ad that lists several jobs, a skill named "
        "only for another job ('Rails engineer: Ruby') does not count for the role, while a stack the ad does not "
        "tie to any job counts for every job of the ad (hn_role_skills; its precision and recall on hand-labelled "
        "postings are on Data & methods)."
    )
    caption = (
        f"Source: {info['producer']} ({info['source']}); aggregate use only; snapshot {info['snapshot_date']}; "
        f"{period}, {sc.hn_definition}"
    )

    roles = sc.roles_or_all
    compare = {"data_scientist", "ml_engineer"} <= set(roles)
    st.header("Top skills per role")
    cols = st.columns(len(roles))
    for c, role in zip(cols, roles, strict=True):
        top = sh[sh["role"] == role].head(f["top"])
        if denominators[role] < vocab.MIN_N:
            c.info(
                f"Too few {charts.role_label(role)} postings (n = {denominators[role]}) in this period."
            )
            continue
        c.plotly_chart(
            charts.top_skills(top, role), config=charts.CONFIG, width="stretch", key=f"top_{role}"
        )
        c.caption(caption)

    matched = compare and f["compare"] == "years"
    years: list[int] = []
    if compare:
        by_year = queries.distinctive_counts_by_year(state, sc, f["categories"])
        lo_years, years = queries.distinctive_within_years(by_year)
    st.header("Claims, checked")
    claim_roles = [r for r in roles if r in ("data_scientist", "ml_engineer")]
    claim_years = queries.matched_years(rp, claim_roles) if claim_roles else []
    claim_counts = queries.claim_counts(state, sc)
    if matched and claim_years:
        claims = matched_claims(claim_counts, rp, claim_years, claim_roles)
        how = (
            f"within the same years ({_years(claim_years)}: every year with at least {vocab.ERA_MATCH_MIN_N} "
            "postings of each role), each role's yearly share weighted by the two roles' combined postings per year"
        )
    else:
        claims = claims_table(claim_counts, denominators, claim_roles)
        how = f"pooled over {period}"
        if matched:
            st.info(
                f"No year has {vocab.ERA_MATCH_MIN_N} postings of both roles in {period}: the comparison is pooled."
            )
    st.dataframe(claims, hide_index=True, width="stretch", height=35 * (len(claims) + 1) + 3)
    st.caption(
        "Each claim is measured as the share of each role's postings that mention any of the counted skills, "
        f"{how}; the claimed role should show the higher share. " + caption
    )

    st.header("Distinctive skills")
    n_ml, n_ds = int(denominators["ml_engineer"]), int(denominators["data_scientist"])
    if not compare:
        st.info("Select both Data Scientist and ML Engineer in the Roles filter to compare them.")
    elif matched and years:
        lo = lo_years
        strongest = _strongest(lo, f["top"])
        n_a, n_b = int(lo["n_a"].iloc[0]), int(lo["n_b"].iloc[0])
        st.plotly_chart(
            charts.distinctive_skills(strongest, n_a, n_b), config=charts.CONFIG, width="stretch"
        )
        st.caption(
            f"Compared within the same years: {_years(years)} (each year in which both roles have at least "
            f"{vocab.ERA_MATCH_MIN_N} postings). In each year the weighted log-odds ratio with the year's pooled "
            "counts as prior (Monroe, Colaresi and Quinn 2008); the years are combined by inverse-variance "
            f"weights. n = {n_a:,} ML-engineer-only and {n_b:,} data-scientist-only postings in those years; "
            "postings of both roles are left out. The pooled comparison is one click away in the sidebar. "
            + caption
        )
    elif min(n_ml, n_ds) >= vocab.MIN_N:
        lo = queries.distinctive_from_counts(queries.distinctive_counts(state, sc, f["categories"]))
        strongest = _strongest(lo, f["top"])
        n_a, n_b = (int(lo["n_a"].iloc[0]), int(lo["n_b"].iloc[0])) if len(lo) else (n_ml, n_ds)
        st.plotly_chart(
            charts.distinctive_skills(strongest, n_a, n_b), config=charts.CONFIG, width="stretch"
        )
        st.caption(
            "Weighted log-odds ratio with an informative Dirichlet prior (Monroe, Colaresi and Quinn 2008); "
            f"the prior is the pooled skill counts. Postings naming both roles ({n_ml - n_a:,}) are "
            "left out so the two groups are independent. " + caption
        )
    else:
        st.info("Too few postings of one of the roles to compare.")

    convergence_section(state, sc, caption)

    st.header("Trends")
    all_skills = sorted(sh["skill"].unique())
    chosen = filters.multiselect(
        "Skills to follow",
        "trend",
        all_skills,
        [s for s in ("Python", "SQL", "PyTorch") if s in all_skills],
        container=st,
    )
    filters.show_notices()  # a link's bad 'trend' values: said here, this run
    if chosen:
        trend = queries.skill_trend(
            state, sc, rp, chosen, [r for r in roles if r != "ai_engineer"] or roles
        )
        if trend["posted_year"].nunique() < 2:
            st.info("The filtered postings cover a single year: widen the period to see a trend.")
        st.plotly_chart(charts.skill_trends(trend), config=charts.CONFIG, width="stretch")
        st.caption(
            f"Every year with postings of the role is drawn, zero mentions included; years with fewer than "
            f"{vocab.MIN_N} postings of a role are left blank (too few to show a share). Hover for n. "
            + caption
        )

    st.header("Skills that go together")
    cols = st.columns(len(roles))
    for c, role in zip(cols, roles, strict=True):
        n_role = int(denominators[role])
        co = queries.role_cooccurrence(state, sc, role, n_role)
        c.subheader(charts.role_label(role))
        c.dataframe(co, hide_index=True, width="stretch")
        c.caption(
            f"Pairs mentioned together in at least {vocab.COOCCURRENCE_MIN_PAIRS} postings, by lift; "
            f"n = {n_role:,} postings"
        )

    gj_panels.skills_section(state, sc, sh, claims)

    def export_frame() -> pd.DataFrame:  # built when the button is clicked
        out = sh[sh["role"].isin(roles)].copy()
        out.insert(0, "definition", sc.hn_definition)
        out.insert(1, "period", period)
        return out

    download_pair(
        "Download the claims table (CSV)",
        "skills_claims",
        lambda: claims,
        lambda n: export.metadata(
            "skills_claims",
            {**sc.describe(), **f},
            n,
            [info],
            counts={r: int(v) for r, v in denominators.items()},
        ),
        "skills_claims",
    )
    download_pair(
        f"Download the {int(sh['role'].isin(roles).sum()):,} skill shares (CSV)",
        "skills_rows",
        export_frame,
        lambda n: export.metadata(
            "skills",
            {**sc.describe(), **f},
            n,
            [info],
            counts={r: int(v) for r, v in denominators.items()},
            notes=[
                "Aggregates only: Hacker News posts belong to their authors and are not exported.",
                "Every skill of the selected roles and categories; the chart shows the top N of these.",
            ],
        ),
        "skills_shares",
    )


def convergence_section(state: data.DataState, sc: scope.Scope, caption: str) -> None:
    """Are the two roles' skill profiles converging or splitting? The published cosine per year."""
    st.header("Converging or splitting?")
    if not state.has("hn_role_convergence"):
        st.info("Not published yet: `python -m etl refresh --source hn_whoishiring`.")
        return
    conv = queries.convergence(state, sc)
    shown = conv.dropna(subset=["cosine"])
    if shown.empty:
        st.info(
            f"No year of the period has {vocab.ERA_MATCH_MIN_N} postings of each role (not flagged as "
            "the other): too few to compare their skill profiles."
        )
        return
    st.plotly_chart(charts.convergence(conv), config=charts.CONFIG, width="stretch")
    first, last = shown.iloc[0], shown.iloc[-1]
    overlap = first["ci_high"] >= last["ci_low"] and last["ci_high"] >= first["ci_low"]
    trend = (
        "the intervals of the first and last year overlap: no clear change"
        if overlap
        else ("more alike" if last["cosine"] > first["cosine"] else "less alike")
    )
    st.markdown(
        f"**{int(first['posted_year'])}: {first['cosine']:.2f}, {int(last['posted_year'])}: "
        f"{last['cosine']:.2f}** ({trend})."
    )
    skipped = conv[conv["cosine"].isna()]
    st.caption(
        "Cosine similarity of the two roles' skill-share vectors per year (the share of each role's "
        "postings that mention each skill, every skill but the ones the role definitions select; 1 = "
        "the same profile), from postings flagged as one of the two roles and not the other, with a "
        f"{vocab.INTERVAL_LEVEL:.0%} bootstrap interval ({vocab.BOOTSTRAP_RESAMPLES:,} resamples of "
        "the postings within each role and year). Few postings pull the cosine down (their shares "
        "are noisier), so read a low value in a thin year with its n (hover)."
        + (
            f" Years with fewer than {vocab.ERA_MATCH_MIN_N} postings of a role are not drawn: "
            + _years([int(y) for y in skipped["posted_year"]])
            + "."
            if len(skipped)
            else ""
        )
        + " "
        + caption
    )


render()
