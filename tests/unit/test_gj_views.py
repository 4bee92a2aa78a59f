"""AppTest of the Google Jobs panels (Skills, Pay, Demand) and the real-pay toggle, on the hand-made
files of tests/support_gj.py published by the real build code beside the survey, BLS and HN fixtures."""

from __future__ import annotations

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, queries_gj
from tests.support_gj import publish_gj
from tests.unit.test_views import open_view


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    publish_gj(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    return tmp_path


def texts(at: AppTest) -> str:
    parts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    parts += (
        [w.value for w in at.warning] + [i.value for i in at.info] + [s.value for s in at.success]
    )
    return "\n".join(str(p) for p in parts)


def frame_with(at: AppTest, column: str) -> pd.DataFrame:
    for d in at.dataframe:
        if column in d.value.columns:
            return d.value
    raise AssertionError(f"no table with column {column!r}")


def test_skills_view_shows_the_second_source_with_n_and_denominator(data_dir):
    at = open_view("skills", {"period_from": "2023", "period_to": "2026"})
    t = texts(at)
    assert "A second source: Google Jobs postings" in t
    # 10 + 3 data scientists and 3 ML engineers (strict); the AI engineer's ad has no skills list
    assert "Data Scientist 13" in t and "ML Engineer 3" in t
    assert "all the role's postings" in t
    assert "google_jobs_data_roles" in t and "cite the author" in t
    side = frame_with(at, "Google Jobs: Data Scientist %")
    sql = side[side["skill"] == "SQL"].iloc[0]
    assert sql["Google Jobs: Data Scientist %"] == 100.0  # 13 of 13 list sql
    claims = frame_with(at, "Google Jobs: verdict")
    row = claims[claims["claim"] == "Data Scientists use SQL"].iloc[0]
    # ML engineers: 3 postings, below the minimum n: not measured in Google Jobs
    assert row["Google Jobs: verdict"] == "not measured"
    assert "Not measured in Google Jobs" in t and "Linear regression" in t


def test_denominator_choice_changes_the_share_and_the_link(data_dir):
    at = open_view("skills", {"period_from": "2023", "period_to": "2026"})
    at.radio(key="gjden").set_value("with_skills").run()
    assert at.query_params["gjden"] == ["with_skills"] or at.query_params["gjden"] == "with_skills"
    t = texts(at)
    assert "the role's postings that carry a skills list" in t


def test_claims_disagreement_is_named():
    hn = pd.DataFrame(
        [
            {
                "claim": "Data Scientists use SQL",
                "role": "Data Scientist",
                "share_pct": 60.0,
                "role postings (n)": 50,
            },
            {
                "claim": "Data Scientists use SQL",
                "role": "ML Engineer",
                "share_pct": 20.0,
                "role postings (n)": 40,
            },
        ]
    )
    gj = hn.assign(share_pct=[30.0, 45.0])
    both = queries_gj.compare_claims(hn, gj).set_index("claim")
    assert both.loc["Data Scientists use SQL", "HN: verdict"] == "holds"
    assert both.loc["Data Scientists use SQL", "Google Jobs: verdict"] == "does not hold"
    assert both.loc["Data Scientists use SQL", "sources"] == "disagree"
    assert both.loc["Data Scientists use Excel", "sources"] == "one source only"


def test_pay_view_third_series_and_real_pay_toggle(data_dir):
    at = open_view("pay", {"period_from": "2023", "period_to": "2026"})
    t = texts(at)
    assert "Salaries posted on Google Jobs" in t
    gj = frame_with(at, "of them hourly")
    ds = gj[(gj["role"] == "Data Scientist") & (gj["year"] == 2023)].iloc[0]
    assert ds["median"] == "$145,000" and ds["salaries (n)"] == 10
    assert "2,080 hours" in t
    at.radio(key="real").set_value("real").run()
    assert not at.exception
    t = texts(at)
    # the fixture CPI: 2022 = 100, 2023 = 110 (complete), 2024 = 120 for three months
    assert "in 2023 US dollars" in t and "2024's average is of its 3 months published" in t
    gj = frame_with(at, "of them hourly")
    ds = gj[(gj["role"] == "Data Scientist") & (gj["year"] == 2023)].iloc[0]
    assert ds["median"] == "$145,000"  # 2023 is the base year
    bls = frame_with(at, "BLS 15-2051 median")
    # the survey/BLS fixture years 2023 and 2024: 2024's 112,590 x 110/120
    row = bls[bls["year"] == 2024].iloc[0]
    assert row["BLS 15-2051 median"] == f"${112_590 * 110 / 120:,.0f}"


def test_demand_view_shows_the_snapshot_context(data_dir):
    at = open_view("demand", {"period_from": "2023", "period_to": "2026"})
    t = texts(at)
    assert "Context: Google Jobs postings per month" in t
    assert "A snapshot of search results, not a census" in t
    assert "not published (404): 01-2024" in t


def test_side_by_side_names_the_higher_role_in_each_source():
    from dashboard.gj_panels import side_by_side

    def shares(ds: float, ml: float, n: int = 50) -> pd.DataFrame:
        return pd.DataFrame(
            [
                {
                    "role": "data_scientist",
                    "skill": "SQL",
                    "posting_share_pct": ds,
                    "role_postings": n,
                },
                {
                    "role": "ml_engineer",
                    "skill": "SQL",
                    "posting_share_pct": ml,
                    "role_postings": n,
                },
            ]
        )

    out = side_by_side(shares(60, 20), shares(30, 45)).set_index("skill")
    assert out.loc["SQL", "HN: higher for"] == "Data Scientist"
    assert out.loc["SQL", "Google Jobs: higher for"] == "ML Engineer"
    assert out.loc["SQL", "sources"] == "disagree"
    # below the minimum n a share is not compared
    out = side_by_side(shares(60, 20), shares(30, 45, n=5)).set_index("skill")
    assert out.loc["SQL", "sources"] == "one source only"
    assert pd.isna(out.loc["SQL", "Google Jobs: Data Scientist %"])


@pytest.mark.parametrize("view", ["overview", "pay", "demand", "skills", "methods"])
@pytest.mark.parametrize(
    "roles", [["ai_engineer"], ["data_scientist"], ["ml_engineer", "ai_engineer"]]
)
def test_every_view_opens_with_one_or_neither_compared_role(data_dir, view, roles):
    """Fewer than both compared roles selected: the views that compare data scientists with ML
    engineers say so instead of failing (with only AI engineers selected, the Skills view's Google
    Jobs claims and the Pay view's Google Jobs gap once raised a KeyError)."""
    at = open_view(view, {"roles": roles, "period_from": "2023", "period_to": "2026"})
    if view == "skills" and roles == ["ai_engineer"]:
        assert "select at least one of them" in texts(at)
