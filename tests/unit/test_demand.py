"""Monthly HN demand on a three-month example small enough to check by hand.

Months: January, February and April 2024 (March is missing from the archive).
Header definition:
  month     postings  data_scientist        ml_engineer     ai_engineer
  Jan       4         2 (author a twice)    1               0
  Feb       5         1                     2               0
  Apr       10        0                     1               1
DS share 50, 20, 0 -> 3-month average 50, 35, 23.33; ML share 25, 40, 10 -> 25, 32.5, 25.
ML per DS 0.5, 2.0, NaN (no DS posting in April). April was snapshotted 10 days after it
opened -> partial; January exactly 30 days after -> not partial.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from etl.transform.demand import DEMAND_COLUMNS, monthly_demand
from etl.transform.hn_roles import ROLES, flag_column

JAN, FEB, APR = pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01"), pd.Timestamp("2024-04-01")


def _posting(month: pd.Timestamp, author: str, *roles: str, anywhere: tuple[str, ...] = ()) -> dict:
    row = {"thread_month": month, "author": author}
    for role in ROLES:
        row[flag_column(role, "header")] = role in roles
        row[flag_column(role, "anywhere")] = role in roles or role in anywhere
    return row


def _example() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        _posting(JAN, "a", "data_scientist"),
        _posting(JAN, "a", "data_scientist", "ml_engineer"),
        _posting(JAN, "b", anywhere=("data_scientist",)),
        _posting(JAN, "c"),
        _posting(FEB, "d", "data_scientist"),
        _posting(FEB, "e", "ml_engineer"),
        _posting(FEB, "", "ml_engineer"),
        _posting(FEB, "f"),
        _posting(FEB, "g"),
        _posting(APR, "h", "ml_engineer", "ai_engineer"),
        *[_posting(APR, f"z{i}") for i in range(9)],
    ]
    postings = pd.DataFrame(rows)
    postings.insert(0, "posting_id", range(100, 100 + len(postings)))
    opened = pd.to_datetime(["2024-01-01 16:00", "2024-02-01 16:00", "2024-04-01 15:00"], utc=True)
    threads = pd.DataFrame(
        {
            "thread_id": [11, 12, 14],
            "thread_month": [JAN, FEB, APR],
            "created_at": opened,
            "snapshot_fetched_at": opened + pd.to_timedelta([30, 45, 10], unit="D"),
        }
    )
    return postings, threads


def _rows(demand: pd.DataFrame, definition: str, role: str) -> pd.DataFrame:
    return demand[(demand["definition"] == definition) & (demand["role"] == role)].set_index(
        "thread_month"
    )


def test_shape_and_columns() -> None:
    demand = monthly_demand(*_example())
    assert list(demand.columns) == DEMAND_COLUMNS
    assert len(demand) == 3 * 2 * 3  # months x definitions x roles
    assert demand["postings"].dtype == "int64"
    assert demand["is_partial"].dtype == bool


def test_counts_and_shares() -> None:
    demand = monthly_demand(*_example())
    ds = _rows(demand, "header", "data_scientist")
    assert ds["month_postings"].tolist() == [4, 5, 10]
    assert ds["postings"].tolist() == [2, 1, 0]
    assert ds["posting_share_pct"].tolist() == pytest.approx([50.0, 20.0, 0.0])
    ml = _rows(demand, "header", "ml_engineer")
    assert ml["posting_share_pct"].tolist() == pytest.approx([25.0, 40.0, 10.0])
    ai = _rows(demand, "header", "ai_engineer")
    assert ai["postings"].tolist() == [0, 0, 1]


def test_three_month_trailing_average_over_calendar_months() -> None:
    demand = monthly_demand(*_example())
    ds = _rows(demand, "header", "data_scientist")
    # April's window is Feb, Mar, Apr: March is missing and not interpolated, so (20 + 0) / 2
    assert ds["share_ma3_pct"].tolist() == pytest.approx([50.0, 35.0, 10.0])
    ml = _rows(demand, "header", "ml_engineer")
    assert ml["share_ma3_pct"].tolist() == pytest.approx([25.0, 32.5, 25.0])


def test_distinct_authors_ignore_repeats_and_blanks() -> None:
    demand = monthly_demand(*_example())
    assert _rows(demand, "header", "data_scientist")["distinct_authors"].tolist() == [1, 1, 0]
    # February: "e" and a deleted account ("")
    assert _rows(demand, "header", "ml_engineer")["distinct_authors"].tolist() == [1, 1, 1]


def test_ml_per_ds_ratio_is_nan_without_data_scientists() -> None:
    demand = monthly_demand(*_example())
    for role in ROLES:  # the same value on each role row of a month
        ratio = _rows(demand, "header", role)["ml_per_ds_ratio"].tolist()
        assert ratio[:2] == pytest.approx([0.5, 2.0])
        assert math.isnan(ratio[2])


def test_definitions_are_separate() -> None:
    demand = monthly_demand(*_example())
    ds = _rows(demand, "anywhere", "data_scientist")
    assert ds["postings"].tolist() == [3, 1, 0]
    assert ds["posting_share_pct"].tolist() == pytest.approx([75.0, 20.0, 0.0])
    assert _rows(demand, "anywhere", "ml_engineer")["ml_per_ds_ratio"].iloc[0] == pytest.approx(
        1 / 3
    )


def test_partial_month_flag() -> None:
    demand = monthly_demand(*_example())
    partial = _rows(demand, "header", "data_scientist")["is_partial"]
    assert partial.tolist() == [False, False, True]
    assert demand.loc[demand["thread_month"] == APR, "is_partial"].all()


def test_missing_fetch_time_counts_as_partial() -> None:
    postings, threads = _example()
    threads["snapshot_fetched_at"] = threads["snapshot_fetched_at"].astype(object)
    threads.loc[0, "snapshot_fetched_at"] = None
    demand = monthly_demand(postings, threads)
    assert _rows(demand, "header", "ml_engineer")["is_partial"].tolist() == [True, False, True]


def test_month_without_postings_has_nan_share_that_the_average_skips() -> None:
    postings, threads = _example()
    may = pd.Timestamp("2024-05-01")
    threads.loc[len(threads)] = [
        15,
        may,
        pd.Timestamp("2024-05-01 15:00", tz="UTC"),
        pd.Timestamp("2024-06-20", tz="UTC"),
    ]
    demand = monthly_demand(postings, threads)
    ds = _rows(demand, "header", "data_scientist")
    assert ds.loc[may, "month_postings"] == 0
    assert math.isnan(ds.loc[may, "posting_share_pct"])
    # window Mar (missing), Apr (0), May (no postings: NaN) -> the mean of what is there: 0
    assert ds.loc[may, "share_ma3_pct"] == pytest.approx(0.0)


def test_bad_inputs_are_refused() -> None:
    postings, threads = _example()
    with pytest.raises(ValueError, match="snapshot_fetched_at"):
        monthly_demand(postings, threads.drop(columns="snapshot_fetched_at"))
    with pytest.raises(ValueError, match="is_ai_engineer_anywhere"):
        monthly_demand(postings.drop(columns="is_ai_engineer_anywhere"), threads)
    with pytest.raises(ValueError, match="no thread"):
        monthly_demand(postings, threads[threads["thread_month"] != APR])
    with pytest.raises(ValueError, match="several rows"):
        monthly_demand(postings, pd.concat([threads, threads.iloc[[0]]]))


def test_fixture_threads_end_to_end() -> None:
    from pathlib import Path

    from etl.sources.hn_parse import parse_thread, parse_thread_list
    from etl.transform.hn_roles import flag_roles

    hn = Path(__file__).resolve().parents[1] / "fixtures" / "hn"
    threads = parse_thread_list((hn / "search_by_date.json").read_bytes())
    postings = pd.concat(
        [
            parse_thread((hn / f"item_{t.thread_id}.json").read_bytes(), t.thread_month)
            for t in threads.itertuples()
        ],
        ignore_index=True,
    )
    threads["snapshot_fetched_at"] = pd.Timestamp("2024-04-15", tz="UTC")
    flags = flag_roles(postings)
    demand = monthly_demand(flags, threads)
    ds = _rows(demand, "header", "data_scientist")
    assert ds["month_postings"].tolist() == [3, 3, 3]
    assert ds["posting_share_pct"].tolist() == pytest.approx([100 / 3] * 3)
    assert ds["ml_per_ds_ratio"].tolist() == pytest.approx([1.0, 2.0, 0.0])
    assert ds["is_partial"].tolist() == [False, False, True]
