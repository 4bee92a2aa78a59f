"""Every chart builder's spec is valid Plotly: the builders skip graph_objects' validation for
speed (charts.figure), so the validation they skip runs here, on small frames in each builder's
input shape, with plotly's validators on (an unknown or mistyped property raises)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts

MONTHS = pd.to_datetime(["2025-01-01", "2025-02-01", "2025-04-01"])


def _frames() -> dict[str, tuple]:
    roles = ["data_scientist", "ml_engineer"]
    demand = pd.DataFrame(
        {
            "thread_month": list(MONTHS) * 2,
            "role": ["data_scientist"] * 3 + ["ml_engineer"] * 3,
            "postings": [3, 4, 5, 6, 7, 8],
            "month_postings": [100] * 6,
            "posting_share_pct": [3.0, 4.0, np.nan, 6.0, 7.0, 8.0],
            "share_ma3_pct": [3.0, 3.5, 4.0, 6.0, 6.5, 7.0],
            "is_partial": [False, False, True, False, False, None],
        }
    )
    ratio = pd.DataFrame(
        {
            "thread_month": MONTHS,
            "pooled_ratio": [1.0, np.nan, 1.2],
            "pooled_ml": [6, 7, 8],
            "pooled_ds": [6, 0, 7],
            "ml_per_ds_ratio": [2.0, np.nan, 1.6],
            "ml_postings": [6, 7, 8],
            "ds_postings": [3, 0, 5],
        }
    )
    skills = pd.DataFrame(
        {
            "skill": ["python", "sql"],
            "posting_share_pct": [50.0, 20.0],
            "postings_with_skill": [10, 4],
            "role_postings": [20, 20],
            "z": [2.5, -3.0],
            "count_a": [9, 1],
            "count_b": [2, 8],
        }
    )
    trend = pd.DataFrame(
        {
            "posted_year": [2020, 2022, 2020],
            "role": ["data_scientist", "data_scientist", "ml_engineer"],
            "skill": ["python"] * 3,
            "posting_share_pct": [40.0, 50.0, np.nan],
            "postings_with_skill": [4, 5, None],
            "role_postings": [10, 10, 5],
        }
    )
    pay = pd.DataFrame(
        {
            "role": roles,
            "posted_year": [2025, 2025],
            "pay_mid_median_usd": [150_000.0, np.nan],
            "pay_mid_p25_usd": [130_000.0, np.nan],
            "pay_mid_p75_usd": [170_000.0, np.nan],
            "ranges_usd_year": [12, 3],
            "postings_stating_pay": [12, 3],
            "role_postings": [40, 30],
            "survey_median_usd": [160_000.0, 180_000.0],
        }
    )
    conv = pd.DataFrame(
        {
            "posted_year": [2020, 2021],
            "n_a": [40, 5],
            "n_b": [50, 6],
            "cosine": [0.7, np.nan],
            "ci_low": [0.6, np.nan],
            "ci_high": [0.8, np.nan],
        }
    )
    yearly = pd.DataFrame(
        {
            "role": ["data_scientist", "data_scientist", "ml_engineer"],
            "year": [2023, 2025, 2025],
            "postings": [10, 12, 14],
            "month_postings": [500, 400, 400],
            "share_pct": [2.0, 3.0, 3.5],
        }
    )
    recent = pd.DataFrame(
        {
            "role": roles,
            "share_pct": [3.1, np.nan],
            "postings": [30, 0],
            "month_postings": [1000, 1000],
            "window_start": ["2025-06-01", "2025-06-01"],
            "window_end": ["2026-05-01", "2026-05-01"],
        }
    )
    medians = pd.DataFrame(
        {
            "label": ["Data Scientist (survey)", "ML Engineer (survey)"],
            "role": roles,
            "value": [150_000.0, 170_000.0],
            "low": [145_000.0, 160_000.0],
            "high": [155_000.0, 180_000.0],
        }
    )
    gaps = pd.DataFrame(
        {
            "label": ["raw", "like for like"],
            "value": [20_000.0, 9_000.0],
            "low": [10_000.0, -1_000.0],
            "high": [30_000.0, 19_000.0],
        }
    )
    stats = pd.DataFrame(
        {
            "role": roles,
            "n": [40, 5],
            "p10": [90.0, np.nan],
            "p25": [110.0, np.nan],
            "median": [130.0, np.nan],
            "p75": [150.0, np.nan],
            "p90": [170.0, np.nan],
        }
    )
    binned = pd.DataFrame(
        {
            "role": ["data_scientist", "data_scientist"],
            "bin_start_usd": [100_000, 110_000],
            "n": [3, 5],
        }
    )
    oews = pd.DataFrame(
        {
            "soc_code": ["15-2051", "15-2051", "15-1252"],
            "year": [2023, 2024, 2024],
            "wage_annual_p10_usd": [70.0, 72.0, 80.0],
            "wage_annual_p90_usd": [190.0, 200.0, 210.0],
            "wage_annual_median_usd": [110.0, 112.0, 130.0],
            "is_proxy": [False, False, True],
            "role_label": ["Data Scientists", "Data Scientists", "Software Developers (proxy)"],
        }
    )
    indeed = pd.DataFrame(
        {
            "date": pd.to_datetime(["2025-01-01", "2025-01-02"]),
            "sector": ["software"] * 2,
            "postings_index": [80.0, 81.0],
            "proxy_for": ["ml_engineer"] * 2,
        }
    )
    gj = pd.DataFrame(
        {
            "posted_month": MONTHS[:2],
            "role": roles,
            "role_postings": [10, 20],
            "posting_share_pct": [5.0, 10.0],
            "month_postings": [200, 200],
            "distinct_companies": [8, 15],
            "sample": ["all", "all"],
        }
    )
    return {
        "salary_histogram": (binned, {"data_scientist": 8}, 10_000),
        "percentile_bands": (stats,),
        "bls_wage_lines": (oews,),
        "demand_share": (demand, roles),
        "demand_ratio": (ratio,),
        "google_jobs_demand": (gj,),
        "indeed_sectors": (indeed,),
        "top_skills": (skills, "data_scientist"),
        "distinctive_skills": (skills, 20, 30),
        "skill_trends": (trend,),
        "posted_pay": (pay,),
        "convergence": (conv,),
        "overview_demand": (yearly, recent),
        "overview_pay": (medians, gaps),
        "overview_skills": (skills,),
    }


CASES = _frames()


def test_every_builder_has_a_case():
    builders = {
        name
        for name, f in vars(charts).items()
        if callable(f)
        and not name.startswith("_")
        and getattr(f, "__annotations__", {}).get("return") in ("go.Figure", go.Figure)
        and name != "figure"
    }
    assert builders == set(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_builder_spec_passes_plotly_validation(name):
    fig = getattr(charts, name)(*CASES[name])
    spec = fig.to_dict()
    assert spec["data"], f"{name} drew no trace"
    checked = go.Figure(spec)  # validators on: raises ValueError on an invalid property
    assert len(checked.data) == len(spec["data"])
    assert checked.layout.title.text == spec["layout"]["title"]["text"]


def test_fast_figure_keeps_values_and_gaps():
    fig = charts.demand_share(*CASES["demand_share"])
    ds_monthly = fig.data[0]
    # the archive has no March thread: the line breaks there (NaN, null in the JSON), and NaN shares are gaps too
    assert pd.Timestamp(ds_monthly.x[2]) == pd.Timestamp("2025-03-01")
    assert np.isnan(ds_monthly.y[2]) and np.isnan(ds_monthly.y[3])
    assert list(ds_monthly.customdata[0]) == [3, 100]


def test_overview_pay_panels_match_plotly_subplots():
    from plotly.subplots import make_subplots

    ref = make_subplots(rows=2, cols=1, row_heights=[0.64, 0.36], vertical_spacing=0.16).layout
    fig = charts.overview_pay(*CASES["overview_pay"])
    assert fig.layout.yaxis.domain == pytest.approx(ref.yaxis.domain)
    assert fig.layout.yaxis2.domain == pytest.approx(ref.yaxis2.domain)
    axes = {(t.xaxis, t.yaxis) for t in fig.data}
    assert axes == {("x", "y"), ("x2", "y2")}


def test_skill_trends_draws_each_skill_and_role_over_every_year_of_its_span():
    trend = pd.DataFrame(
        {
            "posted_year": [2015, 2018, 2015, 2016],
            "role": ["ml_engineer", "ml_engineer", "data_scientist", "data_scientist"],
            "skill": ["SQL", "SQL", "SQL", "SQL"],
            "postings_with_skill": [1, 4, 6, 7],
            "role_postings": [10, 40, 60, 70],
            "posting_share_pct": [10.0, 10.0, 10.0, 10.0],
        }
    )
    lines = {t.name: t for t in charts.skill_trends(trend).data}
    assert list(lines) == ["SQL · Data Scientist", "SQL · ML Engineer"]
    ml = lines["SQL · ML Engineer"]
    assert list(ml.x) == [2015, 2016, 2017, 2018]  # years without postings are gaps
    assert np.isnan(ml.y[1]) and np.isnan(ml.customdata[2][0]) and list(ml.customdata[3]) == [4, 40]
    assert list(lines["SQL · Data Scientist"].customdata[1]) == [7, 70]
    assert charts.skill_trends(trend.iloc[0:0]).data == ()  # no rows: an empty chart, no error
