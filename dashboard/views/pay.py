"""Pay view (a page script run by st.navigation): salary percentiles per role from the aijobs survey, the ML-minus-DS median gap with a
bootstrap interval, and BLS OEWS wages (Data Scientists; ML-engineer proxies labelled as proxies)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import charts, data, export, filters, metrics
from dashboard.sources_ui import download_pair, source_caption

EXPERIENCE = {"EN": "Entry", "MI": "Mid", "SE": "Senior", "EX": "Executive"}
EMPLOYMENT = {"FT": "Full-time", "PT": "Part-time", "CT": "Contract", "FL": "Freelance"}
SIZES = {"S": "Small (<50)", "M": "Medium (50-250)", "L": "Large (>250)"}
REMOTE = {0: "On-site (0%)", 50: "Hybrid (50%)", 100: "Remote (100%)"}
ROLES = ("data_scientist", "ml_engineer", "ai_engineer")
BIN_USD = 10_000


def _options(state: data.DataState, col: str) -> list:
    df = data.run_query(
        state,
        f'SELECT "{col}" AS v, count(*) AS n FROM {{salaries}} GROUP BY 1 ORDER BY n DESC',
        (),
        ("salaries",),
    )
    return df["v"].tolist()


def salary_filters(state: data.DataState) -> dict:
    st.sidebar.header("Pay filters")
    definition = filters.radio(
        "Role definition",
        "def",
        ["strict", "broad"],
        "strict",
        format_func=lambda d: {
            "strict": "Strict (exact titles)",
            "broad": "Broad (reviewed variants)",
        }[d],
        help="Strict: only the exact titles. Broad: adds reviewed variants such as 'Lead Data Scientist' "
        "(see Data & methods for the mapping).",
    )
    roles = filters.multiselect(
        "Roles", "roles", ROLES, ["data_scientist", "ml_engineer"], format_func=charts.role_label
    )
    years = filters.multiselect("Work year", "year", sorted(_options(state, "work_year")))
    exp = filters.multiselect(
        "Experience level",
        "exp",
        [e for e in EXPERIENCE if e in _options(state, "experience_level")],
        format_func=lambda e: EXPERIENCE.get(e, e),
    )
    emp = filters.multiselect(
        "Employment type",
        "emp",
        [e for e in EMPLOYMENT if e in _options(state, "employment_type")],
        format_func=lambda e: EMPLOYMENT.get(e, e),
    )
    country = filters.multiselect(
        "Company country (ISO code)",
        "country",
        _options(state, "company_country_code"),
        help="Ordered by number of responses; ~90% of responses are US companies.",
    )
    remote = filters.multiselect(
        "Remote ratio",
        "remote",
        [r for r in REMOTE if r in _options(state, "remote_ratio_pct")],
        format_func=lambda r: REMOTE.get(r, str(r)),
    )
    size = filters.multiselect(
        "Company size",
        "size",
        [s for s in SIZES if s in _options(state, "company_size")],
        format_func=lambda s: SIZES.get(s, s),
    )
    return {
        "definition": definition,
        "roles": roles or list(ROLES),
        "work_year": years,
        "experience_level": exp,
        "employment_type": emp,
        "company_country_code": country,
        "remote_ratio_pct": remote,
        "company_size": size,
    }


def _where(f: dict) -> tuple[str, list]:
    role_col = f"role_{f['definition']}"
    cols = (
        "work_year",
        "experience_level",
        "employment_type",
        "company_country_code",
        "remote_ratio_pct",
        "company_size",
    )
    return data.where({role_col: f["roles"], **{c: f[c] for c in cols}})


def salary_values(state: data.DataState, f: dict) -> pd.DataFrame:
    """role, value (USD), n (responses with that exact value) for the filtered slice."""
    w, params = _where(f)
    sql = (
        f'SELECT "role_{f["definition"]}" AS role, salary_usd_annual AS value, count(*) AS n '
        f"FROM {{salaries}}{w} GROUP BY ALL ORDER BY role, value"
    )
    return data.run_query(state, sql, params, ("salaries",))


def filtered_rows(state: data.DataState, f: dict) -> pd.DataFrame:
    w, params = _where(f)
    return data.run_query(
        state,
        f"SELECT * FROM {{salaries}}{w} ORDER BY work_year, job_title, salary_usd_annual",
        params,
        ("salaries",),
    )


def _fmt_usd(x: float) -> str:
    return "—" if pd.isna(x) else f"${x:,.0f}"


def render() -> None:
    st.title("Pay: Data Scientist vs ML Engineer")
    state = data.load_state()
    if not state.has("salaries"):
        st.info(
            "Salary data is not published yet. Run `make etl` (or `python -m etl refresh --source aijobs_salaries`)."
        )
        return
    f = salary_filters(state)
    filters.show_notices()
    info = state.source_of("salaries")
    vals = salary_values(state, f)
    stats = metrics.summary(vals).set_index("role").reindex(f["roles"]).reset_index()
    stats["n"] = stats["n"].fillna(0).astype(int)
    stats["confidence"] = stats["confidence"].fillna(metrics.confidence(0))

    st.caption(
        f"Annual salary in USD (the survey's own conversion), {filters.describe({k: v for k, v in f.items() if k not in ('roles',)})}. "
        f"Statistics are hidden below n = {metrics.MIN_N} and marked low-confidence below n = {metrics.LOW_N}."
    )
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
            c.metric(
                label, _fmt_usd(r["median"]), help=f"n = {r['n']:,}; confidence {r['confidence']}"
            )
        c.caption(f"n = {r['n']:,} · confidence: {r['confidence']}")

    # the headline comparison
    ds = vals[vals["role"] == "data_scientist"]
    ml = vals[vals["role"] == "ml_engineer"]
    if {"data_scientist", "ml_engineer"} <= set(f["roles"]):
        gap = metrics.median_gap(
            ml["value"].to_numpy(), ml["n"].to_numpy(), ds["value"].to_numpy(), ds["n"].to_numpy()
        )
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
                help="Bootstrap 95% interval: 2,000 resamples of each role's responses.",
            )
            st.caption(
                f"95% bootstrap interval {_fmt_usd(gap['low'])} to {_fmt_usd(gap['high'])}; "
                f"n = {gap['n_a']:,} ML engineers, {gap['n_b']:,} data scientists"
                + (" · low confidence" if low_conf else "")
            )

    table = stats.copy()
    table.insert(0, "Role", table.pop("role").map(charts.role_label))
    for c in metrics.PCT_COLS:
        table[c] = table[c].map(_fmt_usd)
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
        source_caption(
            info,
            f"n per role in the labels; {filters.describe({k: v for k, v in f.items() if k != 'definition'})}",
        )
        ok_roles = shown["role"].tolist()
        binned = vals[vals["role"].isin(ok_roles)].assign(
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
        lambda: filtered_rows(state, f),
        lambda n: export.metadata(
            "pay",
            f,
            n,
            [info],
            counts={r: int(v) for r, v in zip(stats["role"], stats["n"], strict=True)},
            notes=[
                "One row per survey response; salary_usd_annual is the source's own USD conversion."
            ],
        ),
        "pay_salaries_filtered",
    )

    bls_panel(state)


def bls_panel(state: data.DataState) -> None:
    st.header("Official statistics: BLS OEWS (United States)")
    if not state.has("oews_wages"):
        st.info(
            "BLS wages are not published yet: `python -m etl refresh --source bls_oews` "
            "(or `python -m etl import bls_oews FILE.zip` when bls.gov refuses the download)."
        )
        return
    info = state.source_of("oews_wages")
    oews = data.run_query(
        state, "SELECT * FROM {oews_wages} ORDER BY year, soc_code", (), ("oews_wages",)
    )
    st.caption(
        "Data Scientists have their own occupation code (SOC 15-2051). **There is no code for ML engineers**: "
        "Software Developers (15-1252) and Computer and Information Research Scientists (15-1221) are shown "
        "only as labelled proxies. Employment-weighted estimates from an establishment survey, not postings."
    )
    st.plotly_chart(charts.bls_wage_lines(oews), config=charts.CONFIG, width="stretch")
    source_caption(
        info, "May estimates; wages above the BLS top-code are withheld (#) and left blank"
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
