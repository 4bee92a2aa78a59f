"""Pure helpers of dashboard/queries.py on frames small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import queries


def _monthly(months: list[str], ds: list[int], totals: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "thread_month": pd.to_datetime(months),
            "role": "data_scientist",
            "postings": ds,
            "month_postings": totals,
            "is_partial": False,
        }
    )


def test_demand_recent_uses_calendar_months_and_never_crosses_a_gap():
    # 2017-12 and 2018-01 are old threads, 2026-03..05 the recent ones: the 12-month window ending
    # 2026-05 holds only the three 2026 threads, and nothing lies in the 12 months before it
    m = _monthly(
        ["2017-12-01", "2018-01-01", "2026-03-01", "2026-04-01", "2026-05-01"],
        [50, 50, 1, 2, 3],
        [500, 500, 100, 100, 100],
    )
    r = queries.demand_recent(m).iloc[0]
    assert r["threads"] == 3 and r["postings"] == 6 and r["month_postings"] == 300
    assert r["share_pct"] == 2.0
    assert r["previous_threads"] == 0 and np.isnan(r["previous_share_pct"])


def test_demand_recent_trend_against_the_previous_twelve_months():
    months = pd.date_range("2015-01-01", "2016-12-01", freq="MS").strftime("%Y-%m-%d").tolist()
    m = _monthly(months, [1] * 12 + [3] * 12, [100] * 24)
    r = queries.demand_recent(m).iloc[0]
    assert (r["share_pct"], r["previous_share_pct"]) == (3.0, 1.0)
    assert (r["threads"], r["previous_threads"]) == (12, 12)


def test_pooled_ratio_needs_ten_data_scientist_postings():
    ratio = pd.DataFrame(
        {
            "thread_month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "ml_per_ds_ratio": [8.0, 4.0, 6.0],
            "ml_postings": [8, 8, 12],
            "ds_postings": [1, 2, 8],
        }
    )
    out = queries.pooled_ratio(ratio).set_index("thread_month")
    assert np.isnan(out.loc["2026-01-01", "pooled_ratio"])  # 1 DS posting
    assert np.isnan(out.loc["2026-02-01", "pooled_ratio"])  # 3 DS postings
    assert out.loc["2026-03-01", "pooled_ratio"] == 28 / 11  # 28 ML / 11 DS over Jan-Mar


def test_distinctive_leaves_out_postings_of_both_roles():
    rp = pd.DataFrame(
        {
            "posting_id": [1, 2, 3, 3],
            "role": ["ml_engineer", "data_scientist", "ml_engineer", "data_scientist"],
            "posted_year": 2026,
        }
    )
    rows = pd.DataFrame(
        {
            "posting_id": [1, 2, 3, 3],
            "role": ["ml_engineer", "data_scientist", "ml_engineer", "data_scientist"],
            "skill": ["PyTorch", "SQL", "Excel", "Excel"],
            "category": "x",
        }
    )
    den = queries.denominators(rp)
    lo = queries.distinctive(rows, den, role_posts=rp).set_index("skill")
    assert "Excel" not in lo.index or lo.loc["Excel", ["count_a", "count_b"]].sum() == 0
    assert (lo["n_a"].iloc[0], lo["n_b"].iloc[0]) == (1, 1)
    assert lo.loc["PyTorch", "z"] > 0 > lo.loc["SQL", "z"]


def test_sql_distinctive_counts_equal_the_pandas_path(tmp_path, monkeypatch):
    """The overview's aggregated-in-DuckDB log-odds must equal the Skills view's row-based one."""
    import streamlit as st

    from dashboard import data
    from dashboard.scope import Scope
    from tests.support import publish_all

    publish_all(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    st.cache_data.clear()
    state = data.load_state()
    for sc in (Scope(), Scope(definition="broad"), Scope(year_from=2026, year_to=2026)):
        rp = queries.role_postings(state, sc)
        den = queries.denominators(rp)
        assert den.to_dict() == queries.role_counts(state, sc).to_dict()
        rows = queries.role_skill_rows(state, sc)
        a = queries.distinctive(rows, den, role_posts=rp).set_index("skill").sort_index()
        b = (
            queries.distinctive_from_counts(queries.distinctive_counts(state, sc))
            .set_index("skill")
            .sort_index()
        )
        pd.testing.assert_frame_equal(a, b, check_dtype=False)


def test_aggregated_skills_queries_equal_the_row_based_ones(tmp_path, monkeypatch):
    """The Skills page reads counts aggregated in DuckDB; they must equal the posting-level path."""
    import streamlit as st

    from dashboard import data
    from dashboard.scope import Scope
    from etl.transform.skills import cooccurrence
    from tests.support import publish_all

    publish_all(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    st.cache_data.clear()
    state = data.load_state()
    for sc, cats in ((Scope(), None), (Scope(definition="broad"), ["languages"])):
        rp = queries.role_postings(state, sc)
        den = queries.denominators(rp)
        counts = queries.role_year_counts(state, sc)
        assert queries.denominators_from_counts(counts).to_dict() == den.to_dict()
        rows = queries.role_skill_rows(state, sc)
        a = queries.distinctive(rows, den, cats, role_posts=rp).set_index("skill").sort_index()
        b = (
            queries.distinctive_from_counts(queries.distinctive_counts(state, sc, cats))
            .set_index("skill")
            .sort_index()
        )
        pd.testing.assert_frame_equal(a, b, check_dtype=False)
        t1 = queries.skill_trend(rows, rp, ["SQL", "PyTorch"], ["data_scientist", "ml_engineer"])
        t2 = queries.skill_trend(
            rows, counts, ["SQL", "PyTorch"], ["data_scientist", "ml_engineer"]
        )
        pd.testing.assert_frame_equal(t1, t2, check_dtype=False)
        for role in ("data_scientist", "ml_engineer"):
            ids = rp.loc[rp["role"] == role, "posting_id"].unique()
            ref = cooccurrence(
                rows[rows["role"] == role][["posting_id", "skill"]].drop_duplicates(),
                ids,
                min_count=5,
                top=15,
            )
            got = queries.role_cooccurrence(rows, role, int(den[role]), min_count=5, top=15)
            pd.testing.assert_frame_equal(
                ref.reset_index(drop=True), got.reset_index(drop=True), check_dtype=False
            )
