"""Pay view (a page script run by st.navigation): salary percentiles per role from the aijobs survey,
the ML-minus-DS median gap with a bootstrap interval, and BLS OEWS wages (Data Scientists; the
ML-engineer proxies labelled as proxies)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from dashboard import charts, data, export, filters, gj_panels, metrics, queries, queries_gj, scope
from dashboard.pay_text import gap_text, like_for_like_sentence
from dashboard.pay_text import usd as _usd
from dashboard.sources_ui import download_pair, source_caption
from etl import vocab
from etl.transform.fx import FX_SOURCE

EXPERIENCE = {"EN": "Entry", "MI": "Mid", "SE": "Senior", "EX": "Executive"}
EMPLOYMENT = {"FT": "Full-time", "PT": "Part-time", "CT": "Contract", "FL": "Freelance"}
SIZES = {"S": "Small (<50)", "M": "Medium (50-250)", "L": "Large (>250)"}
REMOTE = {0: "On-site (0%)", 50: "Hybrid (50%)", 100: "Remote (100%)"}
BIN_USD = 10_000
POSTED_USD = ("pay_mid_p25_usd", "pay_mid_median_usd", "pay_mid_p75_usd")


def pay_filters(state: data.DataState) -> dict[str, list]:
    st.sidebar.header("Pay filters")
    opts = {c: queries.salary_options(state, c) for c in queries.PAY_COLUMNS}
    return {
        "experience_level": filters.multiselect(
            "Experience level",
            "exp",
            [e for e in EXPERIENCE if e in opts["experience_level"]],
            format_func=lambda e: EXPERIENCE.get(e, e),
        ),
        "employment_type": filters.multiselect(
            "Employment type",
            "emp",
            [e for e in EMPLOYMENT if e in opts["employment_type"]],
            format_func=lambda e: EMPLOYMENT.get(e, e),
        ),
        "remote_ratio_pct": filters.multiselect(
            "Remote ratio",
            "remote",
            [r for r in REMOTE if r in opts["remote_ratio_pct"]],
            format_func=lambda r: REMOTE.get(r, str(r)),
        ),
        "company_size": filters.multiselect(
            "Company size",
            "size",
            [s for s in SIZES if s in opts["company_size"]],
            format_func=lambda s: SIZES.get(s, s),
        ),
        "identical_once": filters.radio(
            "Identical rows",
            "dups",
            ["keep", "once"],
            "keep",
            format_func=lambda d: {
                "keep": "Keep all (as published)",
                "once": "Count identical rows once",
            }[d],
            help=f"{_dup_share(state)} of the survey's rows repeat an earlier row in every column. Distinct people can "
            "give identical answers, so the source keeps them; counting them once shows how much n depends on it.",
        )
        == "once",
    }


def _dup_share(state: data.DataState) -> str:
    share = state.coverage("aijobs_salaries").get("exact_duplicate_share_pct")
    return "Some" if share is None else vocab.pct(share)


def render() -> None:
    st.title("Pay: Data Scientist vs ML Engineer")
    state = data.run_state()
    sc = scope.get()
    if not state.has("salary_counts"):
        st.info(
            "Salary data is not published yet. Run `make etl` (or `python -m etl refresh --source aijobs_salaries`)."
        )
        return
    extra = pay_filters(state)
    real = gj_panels.real_pay_toggle(state)
    filters.show_notices()
    info = state.source_of("salaries")
    applied = {**sc.describe(), **extra}
    vals = queries.salary_values(state, sc, extra)
    if real is not None:
        vals = queries_gj.survey_values_real(state, sc, extra, real)
    stats = queries.pay_summary(vals, sc.roles_or_all)

    years = [int(y) for y in queries.salary_options(state, "work_year")]
    y0, y1 = max(sc.year_from, min(years)), min(sc.year_to, max(years))
    n_rows, n_dup = queries.salary_duplicates(state, sc, extra)
    dup_note = (
        f" {n_dup:,} of the slice's {n_rows:,} rows ({100 * n_dup / n_rows:.0f}%) repeat another row exactly"
        + (
            " and are counted once here."
            if extra["identical_once"]
            else " and are kept, as the source publishes them."
        )
        if n_rows and n_dup
        else ""
    )
    st.caption(
        f"Annual salary in USD (the survey's own conversion); work years {y0}-{y1} (the survey covers "
        f"{min(years)}-{max(years)}); {filters.describe({'country': sc.countries, **{k: v for k, v in extra.items() if k != 'identical_once'}})}; "
        f"definition {sc.definition}. Statistics are hidden below n = {metrics.MIN_N} and marked low-confidence "
        f"below n = {metrics.LOW_N}.{dup_note}"
    )
    gj_panels.real_caption(real, state)
    cols = st.columns(len(stats))
    for c, (_, r) in zip(cols, stats.iterrows(), strict=True):
        label = f"{charts.role_label(r['role'])} median"
        if r["n"] < metrics.MIN_N:
            c.metric(
                label,
                "too few responses",
                help=f"n = {r['n']}: fewer than {metrics.MIN_N} responses in this slice",
            )
        else:
            c.metric(label, _usd(r["median"]), help=f"n = {r['n']:,}; confidence {r['confidence']}")
        c.caption(f"n = {r['n']:,} · confidence: {r['confidence']}")

    if {"data_scientist", "ml_engineer"} <= set(sc.roles_or_all):
        gap = queries.pay_gap(vals)
        if np.isnan(gap["gap"]):
            st.info(
                f"Median gap: too few responses (ML engineers n = {gap['n_a']}, data scientists n = {gap['n_b']}; "
                f"both need at least {metrics.MIN_N})."
            )
        else:
            low_conf = min(gap["n_a"], gap["n_b"]) < metrics.LOW_N
            st.metric(
                "ML engineer minus data scientist median",
                f"{'+' if gap['gap'] >= 0 else '−'}${abs(gap['gap']):,.0f}",
                help=f"Bootstrap {vocab.INTERVAL_LEVEL:.0%} interval: {vocab.BOOTSTRAP_RESAMPLES:,} resamples of each role's responses.",
            )
            st.caption(
                f"{vocab.INTERVAL_LEVEL:.0%} bootstrap interval {_usd(gap['low'])} to {_usd(gap['high'])}; n = {gap['n_a']:,} ML engineers, "
                f"{gap['n_b']:,} data scientists" + (" · low confidence" if low_conf else "")
            )

    if {"data_scientist", "ml_engineer"} <= set(sc.roles_or_all):
        like_for_like_panel(state, sc, extra)

    table = stats.copy()
    table.insert(0, "Role", table.pop("role").map(charts.role_label))
    for c in metrics.PCT_COLS:
        table[c] = table[c].map(_usd)
    table.loc[table["n"] < metrics.MIN_N, list(metrics.PCT_COLS)] = "too few responses"
    st.dataframe(
        table.rename(
            columns={"p10": "P10", "p25": "P25", "median": "Median", "p75": "P75", "p90": "P90"}
        ),
        hide_index=True,
        width="stretch",
    )

    shown = stats[stats["n"] >= metrics.MIN_N]
    if len(shown):
        st.plotly_chart(charts.percentile_bands(shown), config=charts.CONFIG, width="stretch")
        source_caption(info, "n per role in the labels")
        binned = vals[vals["role"].isin(shown["role"])].assign(
            bin_start_usd=lambda d: (d["value"] // BIN_USD) * BIN_USD
        )
        binned = binned.groupby(["role", "bin_start_usd"], as_index=False, sort=False)["n"].sum()
        st.plotly_chart(
            charts.salary_histogram(
                binned, dict(zip(shown["role"], shown["n"], strict=True)), BIN_USD
            ),
            config=charts.CONFIG,
            width="stretch",
        )
        source_caption(info, f"{BIN_USD:,} USD bins")
    else:
        st.warning(
            "No role has enough responses in this slice to show a distribution. Widen the filters."
        )

    total = int(stats["n"].sum())
    download_pair(
        f"Download the {total:,} filtered rows (CSV)",
        "pay_rows",
        lambda: queries.salary_rows(state, sc, extra),
        lambda n: export.metadata(
            "pay",
            applied,
            n,
            [info],
            counts={r: int(v) for r, v in zip(stats["role"], stats["n"], strict=True)},
            notes=[
                "One row per survey response; salary_usd_annual is the source's own USD conversion."
            ],
        ),
        "pay_salaries_filtered",
    )
    posted_pay_panel(state, sc, real)
    gj_panels.pay_section(state, sc, real)
    bls_panel(state, sc, real)


MIX_LABELS = {
    "experience_level": ("Experience level", EXPERIENCE),
    "company_size": ("Company size", SIZES),
    "country_group": ("Company country", {}),
    "work_year": ("Work year", {}),
}


def like_for_like_panel(state: data.DataState, sc: scope.Scope, extra: dict) -> None:
    """The ML-minus-DS gap with seniority, company size, country and year held equal."""
    lfl, mix = queries.like_for_like_gap(state, sc, extra)
    a, b = vocab.COMPARED_ROLES
    if np.isnan(lfl["gap"]):
        st.info(
            f"Like-for-like gap: too few responses in cells both roles have (ML engineers n = {lfl[f'n_{a}']}, "
            f"data scientists n = {lfl[f'n_{b}']}; both need at least {metrics.MIN_N})."
        )
        return
    st.metric(
        "Like-for-like: ML engineer minus data scientist median",
        gap_text(lfl["gap"]),
        help="Both roles' responses weighted to one mix (methods on Data & methods).",
    )
    st.caption(like_for_like_sentence(lfl))
    latest = queries.latest_survey_year(queries.survey_year_counts(state, sc))
    if latest is not None and sc.year_from < latest:
        st.caption(
            f"The latest work year in which both roles have {metrics.LOW_N} responses (else {metrics.MIN_N}) is "
            f"{latest}: the Overview's pay answer is for that year; set the period to {latest} here to match it."
        )
    with st.expander("Each role's mix (why the raw gap differs)"):
        wide = queries.mix_table(mix)
        wide["dimension"] = wide["dimension"].map(lambda d: MIX_LABELS[d][0])
        codes = {k: v for _, (_, m) in MIX_LABELS.items() for k, v in m.items()}
        wide["level"] = wide["level"].map(lambda v: codes.get(v, v))
        st.dataframe(
            wide.rename(
                columns={
                    **{r: f"{charts.role_label(r)} (%)" for r in (a, b)},
                    "reference": "reference mix (%)",
                }
            ).round(1),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            "Share of each role's responses per level (each dimension sums to 100%); the reference mix is the "
            "two roles' responses pooled over the cells both have."
        )


def posted_pay_panel(
    state: data.DataState, sc: scope.Scope, real: queries_gj.RealPay | None = None
) -> None:
    st.header("Pay posted in the ads (Hacker News)")
    if not state.has("hn_posted_pay_yearly"):
        st.info("Posted pay is not published yet: `python -m etl refresh --source hn_whoishiring`.")
        return
    info = state.source_of("hn_posted_pay_yearly")
    posted = queries.posted_pay_yearly(state, sc)
    if posted.empty:
        st.info(f"No Hacker News postings of the selected roles in {sc.year_from}-{sc.year_to}.")
        return
    survey = queries.survey_us_medians(state, sc).rename(columns={"year": "posted_year"})
    table = posted.merge(survey, on=["role", "posted_year"], how="left")
    table["survey_n"] = table["survey_n"].astype("Int64")
    table = queries_gj.deflate_columns(
        table, "posted_year", [*POSTED_USD, "pay_mid_median_all_usd", "survey_median_usd"], real
    )
    small = table["ranges_usd_year"] < metrics.MIN_N
    for c in ("pay_mid_p25_usd", "pay_mid_median_usd", "pay_mid_p75_usd"):
        table[c] = table[c].where(~small)
    table["pay_mid_median_all_usd"] = table["pay_mid_median_all_usd"].where(
        table["ranges_all_currencies"] >= metrics.MIN_N
    )
    st.plotly_chart(charts.posted_pay(table), config=charts.CONFIG, width="stretch")
    shown = table.assign(
        role=table["role"].map(charts.role_label),
        posting_share_pct=table["posting_share_pct"].round(1),
        **{
            c: table[c].map(_usd)
            for c in (
                "pay_mid_p25_usd",
                "pay_mid_median_usd",
                "pay_mid_p75_usd",
                "pay_mid_median_all_usd",
                "survey_median_usd",
            )
        },
    ).rename(
        columns={
            "posted_year": "year",
            "role_postings": "postings (n)",
            "postings_stating_pay": "stating pay",
            "posting_share_pct": "share stating pay (%)",
            "ranges_usd_year": "USD/year ranges (n)",
            "pay_mid_p25_usd": "posted P25",
            "pay_mid_median_usd": "posted median",
            "pay_mid_p75_usd": "posted P75",
            "ranges_all_currencies": "all-currency ranges (n)",
            "pay_mid_median_all_usd": "posted median, all currencies",
            "ranges_no_rate": "ranges without a rate",
            "survey_n": "survey n (US)",
            "survey_median_usd": "survey median (US)",
        }
    )
    # a statistic hidden for a small n says so in words (0 ranges: nothing to hide, a dash)
    few = f"too few ranges (n < {metrics.MIN_N})"
    for cols, n_col in (
        (("posted P25", "posted median", "posted P75"), "USD/year ranges (n)"),
        (("posted median, all currencies",), "all-currency ranges (n)"),
    ):
        hide = shown[n_col].between(1, metrics.MIN_N - 1)
        shown.loc[hide, list(cols)] = few
    st.dataframe(shown, hide_index=True, width="stretch")
    source_caption(
        info,
        "employer-posted ranges in the ads, tied to the role whose job they are for (etl/transform/pay.py), "
        "roles under the anywhere definition whatever the filter; a "
        "posted figure is the midpoint of a salary range (yearly or monthly, both ends stated) in US dollars per "
        "year. The P25 / median / P75 are of ranges posted in US dollars (beside the survey's US median); the "
        f"all-currency median adds the other currencies at the year's average rate ({FX_SOURCE}); ranges "
        "without a rate for their currency and year are counted, never taken at 1:1; statistics are "
        f"hidden below n = {metrics.MIN_N} ranges. Beside it, the survey's median at US companies for the same "
        f"role, definition ({sc.definition}) and year, every experience level",
    )
    download_pair(
        f"Download the {len(table):,} posted-pay rows (CSV)",
        "pay_posted",
        lambda: table,
        lambda n: export.metadata(
            "pay_posted",
            sc.describe(),
            n,
            [info, state.source_of("salaries")] if state.has("salaries") else [info],
            notes=[
                "Midpoints of salary ranges in USD per year; other currencies at the posting year's "
                f"average rate ({FX_SOURCE}), those without a rate counted in ranges_no_rate."
            ],
        ),
        "pay_posted_by_role_year",
    )


def bls_panel(
    state: data.DataState, sc: scope.Scope, real: queries_gj.RealPay | None = None
) -> None:
    st.header("Official statistics: BLS OEWS (United States)")
    if not state.has("oews_wages"):
        st.info(
            "BLS wages are not published yet: `python -m etl refresh --source bls_oews` "
            "(or `python -m etl import bls_oews FILE.zip` when bls.gov refuses the download)."
        )
        return
    info = state.source_of("oews_wages")
    oews = queries.oews(state)
    oews = queries_gj.deflate_columns(
        oews, "year", [c for c in oews if c.startswith("wage_annual")], real
    )
    st.caption(
        "Data Scientists have their own occupation code (SOC 15-2051). **There is no code for ML engineers**: "
        "Software Developers (15-1252) and Computer and Information Research Scientists (15-1221) are shown "
        "only as labelled proxies. Employment-weighted estimates from an establishment survey, not postings; "
        "the global filters do not apply here."
    )
    st.plotly_chart(charts.bls_wage_lines(oews), config=charts.CONFIG, width="stretch")
    source_caption(
        info, "May estimates; wages above the BLS top-code are withheld (#) and left blank"
    )
    if state.has("salaries"):
        both = queries.survey_vs_bls(state, sc.definition)
        both = queries_gj.deflate_columns(
            both,
            "year",
            ["survey_median_usd", "wage_annual_median_usd", "survey_minus_bls_usd"],
            real,
        )
        if len(both):
            st.subheader("Survey vs BLS, same year: data scientists at US companies")
            latest = both.iloc[-1]
            st.caption(
                f"Each year that both publish: the survey's median for data scientists at US companies (all "
                f"experience levels, definition {sc.definition}; hidden below n = {metrics.MIN_N}) beside BLS's "
                f"15-2051 median, an employment-weighted establishment survey. Survey rows are counted as published, "
                f"identical rows included. Latest common year {int(latest['year'])}: "
                f"survey {_usd(latest['survey_median_usd'])} (n = {int(latest['n']):,}), BLS "
                f"{_usd(latest['wage_annual_median_usd'])}."
            )
            st.dataframe(
                both.assign(
                    survey_median_usd=both["survey_median_usd"].map(_usd),
                    wage_annual_median_usd=both["wage_annual_median_usd"].map(_usd),
                    survey_minus_bls_usd=both["survey_minus_bls_usd"].map(_usd),
                ).rename(
                    columns={
                        "survey_median_usd": "survey median",
                        "n": "survey n",
                        "wage_annual_median_usd": "BLS 15-2051 median",
                        "employment": "BLS employment",
                        "survey_minus_bls_usd": "survey minus BLS",
                    }
                ),
                hide_index=True,
                width="stretch",
            )
    show = oews[
        [
            "year",
            "soc_code",
            "role_label",
            "employment",
            "wage_annual_p10_usd",
            "wage_annual_p25_usd",
            "wage_annual_median_usd",
            "wage_annual_p75_usd",
            "wage_annual_p90_usd",
            "topcoded_columns",
        ]
    ]
    st.dataframe(
        show.rename(
            columns={"role_label": "series (proxies labelled)", "employment": "employment (jobs)"}
        ),
        hide_index=True,
        width="stretch",
    )
    download_pair(
        "Download BLS rows (CSV)",
        "pay_bls",
        lambda: oews,
        lambda n: export.metadata(
            "pay_bls",
            {},
            n,
            [info],
            notes=["15-1252 and 15-1221 are proxies for ML engineers, not ML engineers."],
        ),
        "pay_bls_oews",
    )


render()
