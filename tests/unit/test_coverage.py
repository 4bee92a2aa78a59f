"""Facts about the data computed at publish time (etl.coverage), on frames small enough to read."""

from __future__ import annotations

import pandas as pd

from etl import coverage


def test_format_months_joins_runs():
    months = ["2018-06", "2016-07", "2018-05", "2017-08", "2017-09", "2018-07"]
    assert coverage.format_months(months) == "2016-07, 2017-08..2017-09, 2018-05..2018-07"
    assert coverage.format_months([]) == "none"


def _threads(months, partial, postings):
    return pd.DataFrame(
        {
            "thread_id": range(1, len(months) + 1),
            "thread_month": pd.to_datetime([f"{m}-01" for m in months]),
            "is_partial": partial,
            "postings": postings,
        }
    )


def test_hn_coverage_lists_missing_partial_and_one_timestamp_months():
    threads = _threads(["2020-01", "2020-02", "2020-05"], [True, False, False], [2, 3, 1])
    t0, t1 = pd.Timestamp("2020-01-01 15:00", tz="UTC"), pd.Timestamp("2020-02-03", tz="UTC")
    postings = pd.DataFrame(
        {
            "thread_id": [1, 1, 2, 2, 2, 3],
            "created_at": [t0, t0, t1, t1 + pd.Timedelta(hours=1), t1, t1],
        }
    )
    cov = coverage.hn_coverage(threads, postings)
    assert cov["first_month"] == "2020-01" and cov["last_month"] == "2020-05"
    assert cov["months_missing"] == ["2020-03", "2020-04"]
    assert cov["partial_months"] == ["2020-01"]
    # thread 1: two postings with one time; thread 3 has a single posting, which proves nothing
    assert cov["one_timestamp_months"] == ["2020-01"]
    assert (cov["threads"], cov["postings"]) == (3, 6)
    text = coverage.describe_hn(cov)
    assert "2020-01..2020-05" in text and "no thread for 2020-03..2020-04" in text


def test_salaries_coverage_shares():
    s = pd.DataFrame(
        {
            "work_year": [2024, 2024, 2024, 2025],
            "company_country_code": ["US", "US", "DE", "US"],
            "is_exact_duplicate": [False, True, False, False],
        }
    )
    cov = coverage.salaries_coverage(s)
    assert cov["rows_by_year"] == {"2024": 3, "2025": 1}
    assert cov["exact_duplicate_share_pct"] == 25.0
    assert cov["top_countries"][0] == {"code": "US", "rows": 3, "share_pct": 75.0}
    assert "4 responses of work years 2024-2025 (2024: 75%, 2025: 25% of them)" in (
        coverage.describe_salaries(cov)
    )


def test_readme_block_round_trip():
    manifest = {"version": "v1", "run": {"mode": "mirror"}, "sources": {}}
    readme = f"intro\n{coverage.FACTS_START}\nold\n{coverage.FACTS_END}\nrest\n"
    new = coverage.replace_facts(readme, manifest)
    assert new.startswith("intro\n") and new.endswith("\nrest\n")
    assert coverage.readme_facts_lines(new) == coverage.facts_lines(manifest)
