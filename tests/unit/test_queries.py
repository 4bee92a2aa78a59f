"""Pure helpers of dashboard/queries.py on frames small enough to check by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import data, queries


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


def test_pair_only_leaves_out_postings_of_both_roles():
    from etl.transform.skills import tables

    roles = pd.DataFrame(
        {
            "posting_id": [1, 2, 3, 3, 4],
            "role": [
                "ml_engineer",
                "data_scientist",
                "ml_engineer",
                "data_scientist",
                "ai_engineer",
            ],
            "posted_year": 2026,
        }
    )
    skills = pd.DataFrame(
        {"posting_id": [1, 2, 3, 4], "skill": ["PyTorch", "SQL", "Excel", "Excel"], "category": "x"}
    )
    pair = ("ml_engineer", "data_scientist")
    counts = tables.role_year_counts(roles, pair).set_index("role")
    assert counts.loc["ml_engineer", "role_postings"] == 2
    assert counts.loc["ml_engineer", "pair_only_postings"] == 1
    assert pd.isna(counts.loc["ai_engineer", "pair_only_postings"])
    sk = tables.role_skill_counts(tables.whole_ad(skills, roles), roles, pair)
    sk = sk.set_index(["role", "skill"])
    assert sk.loc[("ml_engineer", "Excel"), "postings_with_skill"] == 1
    assert sk.loc[("ml_engineer", "Excel"), "pair_only_with_skill"] == 0
    assert sk.loc[("ml_engineer", "PyTorch"), "pair_only_with_skill"] == 1
    assert pd.isna(sk.loc[("ai_engineer", "Excel"), "pair_only_with_skill"])


@pytest.fixture(scope="module")
def published_state(tmp_path_factory):

    from tests.support import publish_all

    root = tmp_path_factory.mktemp("published")
    publish_all(root)
    mp = pytest.MonkeyPatch()
    mp.setenv("LMD_DATA_DIR", str(root))
    data.clear_query_results()
    yield data.load_state()
    mp.undo()


SCOPES = [
    ({}, None),
    ({"definition": "broad"}, ["languages"]),
    ({"year_from": 2026, "year_to": 2026}, None),
    ({"year_from": 2030, "year_to": 2031}, None),  # no postings at all
]


@pytest.mark.parametrize(("kw", "cats"), SCOPES)
def test_published_aggregates_equal_the_posting_level_oracles(published_state, kw, cats):
    """The Skills and Overview views sum what the ETL publishes per definition x role x year; on
    the fixture that must equal the same numbers computed from the posting-level rows."""
    from dashboard import claims
    from dashboard.scope import Scope
    from tests import oracles

    state, sc = published_state, Scope(**kw)
    rp = oracles.role_postings(state, sc)
    rows = oracles.role_skill_rows(state, sc)
    den = oracles.denominators(rp)
    counts = queries.role_year_counts(state, sc)
    assert queries.denominators_from_counts(counts).to_dict() == den.to_dict()
    assert queries.role_counts(state, sc).to_dict() == den.to_dict()

    got = queries.skill_shares(state, sc, den, cats)
    pd.testing.assert_frame_equal(got, oracles.skill_shares(rows, den, cats), check_dtype=False)

    a = oracles.distinctive(rows, rp, cats).set_index("skill").sort_index()
    b = queries.distinctive_from_counts(queries.distinctive_counts(state, sc, cats))
    pd.testing.assert_frame_equal(
        a, b.set_index("skill").sort_index(), check_dtype=False, check_index_type=False
    )

    by_year = queries.distinctive_counts_by_year(state, sc, cats)
    for year, part in rp.groupby("posted_year"):
        ref = oracles.distinctive(rows[rows["posted_year"] == year], part, cats)
        mine = by_year[by_year["stratum"] == year].set_index("skill")
        ref = ref.set_index("skill")
        assert (
            mine["count_a"].to_dict()
            == ref.loc[ref["count_a"] + ref["count_b"] > 0, "count_a"].to_dict()
        )

    hits = oracles.claim_hits(rows)
    for roles in (["data_scientist", "ml_engineer"], ["ml_engineer"]):
        pd.testing.assert_frame_equal(
            claims.claims_table(queries.claim_counts(state, sc), den, roles),
            claims.claims_table(hits, den, roles),
        )

    skills = ["SQL", "PyTorch", "Python"]
    roles = ["data_scientist", "ml_engineer"]
    pd.testing.assert_frame_equal(
        queries.skill_trend(state, sc, counts, skills, roles),
        queries.trend_table(oracles.skill_trend_hits(rows, skills, roles), counts, skills, roles),
        check_dtype=False,
    )
    for role in roles:
        ref = oracles.role_cooccurrence(rows, rp, role, min_count=2, top=15)
        got = queries.role_cooccurrence(state, sc, role, int(den[role]), min_count=2, top=15)
        pd.testing.assert_frame_equal(
            ref.reset_index(drop=True), got.reset_index(drop=True), check_dtype=False
        )


def test_published_convergence_equals_the_oracle(published_state):
    from dashboard.scope import Scope
    from tests import oracles

    sc = Scope(definition="broad")
    conv = queries.convergence(published_state, sc)
    assert len(conv) > 0
    ref = oracles.cosine_by_year(
        oracles.role_skill_rows(published_state, sc), oracles.role_postings(published_state, sc)
    )
    for r in conv.itertuples():
        if pd.notna(r.cosine):
            assert r.cosine == pytest.approx(ref[r.posted_year], abs=1e-6)
            assert r.ci_low <= r.ci_high
