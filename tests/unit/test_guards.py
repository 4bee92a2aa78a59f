"""Change guards (etl/guards.py) on frames small enough to check by hand; the thresholds come from
etl/vocab.py, so the expected texts are built from the same constants."""

from __future__ import annotations

import pandas as pd

from etl import guards, schema, store, vocab
from etl.sources import aijobs_salaries
from tests.conftest import aijobs_csv
from tests.support import oews_frame


def _salaries(
    n: int, *, dup_every: int = 0, usd: float = 100_000.0, year0: int = 2023
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "work_year": [year0 + i % 2 for i in range(n)],
            "salary_usd_annual": [usd + i for i in range(n)],
            "is_exact_duplicate": [bool(dup_every) and i % dup_every == 0 for i in range(n)],
        }
    )


def test_row_count_limits_are_the_sources_thresholds() -> None:
    drop = vocab.ROW_DROP_MAX_PCT["aijobs_salaries"]
    grow = vocab.ROW_GROWTH_MAX_PCT["aijobs_salaries"]
    assert drop == 10 and grow == 50  # the texts below are written for these
    # exactly at the limits: allowed
    assert guards.row_count("salaries", "aijobs_salaries", 1000, 900) == []
    assert guards.row_count("salaries", "aijobs_salaries", 1000, 1500) == []
    [f] = guards.row_count("salaries", "aijobs_salaries", 151_445, 1_000)
    assert str(f) == "salaries: rows 151,445 -> 1,000 (-99.3%); threshold: at most 10% fewer"
    [f] = guards.row_count("salaries", "aijobs_salaries", 1000, 2000)
    assert str(f) == "salaries: rows 1,000 -> 2,000 (+100.0%); threshold: at most 50% more"
    # BLS: no row may go; HN: no growth limit
    [f] = guards.row_count("oews_wages", "bls_oews", 15, 14)
    assert f.threshold == "no row may go"
    assert guards.row_count("hn_postings", "hn_whoishiring", 10, 10_000) == []


def test_keys_gone_names_the_missing_combinations() -> None:
    old = oews_frame()  # 2023 and 2024 x 15-2051, 15-1252
    new = old[~((old["year"] == 2023) & (old["soc_code"] == "15-1252"))]
    [f] = guards.keys_gone("oews_wages", old, new)
    assert str(f) == (
        "oews_wages: year, soc_code values present 4 -> 3 (1 gone: 2023 15-1252); threshold: none may go"
    )
    assert guards.keys_gone("oews_wages", old, pd.concat([old, old.head(1)])) == []


def test_null_share_jump() -> None:
    old = pd.DataFrame(
        {"variable": ["total postings"] * 10, "postings_index_sa": [1.0] * 9 + [None]}
    )
    new = old.assign(postings_index_sa=[1.0] * 8 + [None] * 2)
    assert guards.null_shares("indeed_aggregate_index", old, new) == []  # 10% -> 20%: at the limit
    new = old.assign(postings_index_sa=[None] * 10)
    found = {f.measure: str(f) for f in guards.null_shares("indeed_aggregate_index", old, new)}
    assert found == {
        "share of missing postings_index_sa": "indeed_aggregate_index: share of missing postings_index_sa "
        f"10.0% -> 100.0% (+90.0 pts); threshold: at most +{vocab.NULL_SHARE_JUMP_MAX_PTS} pts"
    }


def test_duplicate_share_every_row_twice() -> None:
    old = _salaries(100, dup_every=10)  # 10% repeat an earlier row
    twice = pd.concat([old, old.assign(is_exact_duplicate=True)])  # every row twice: 55%
    [f] = guards.duplicate_share("salaries", old, twice)
    assert (f.old, f.new) == ("10.0%", "55.0% (+45.0 pts)")
    assert guards.duplicate_share("salaries", old, _salaries(100, dup_every=5)) == []  # +10 pts


def test_thread_with_clearly_fewer_postings() -> None:
    old = pd.DataFrame(
        {
            "thread_id": [1, 2, 3],
            "thread_month": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "postings": [500, 500, 500],
        }
    )
    new = old.assign(postings=[450, 449, 600])  # -10% is allowed, -10.2% is not; growth is fine
    [f] = guards.thread_postings(old, new)
    assert str(f) == (
        "hn_threads: postings of thread 2 (2026-02) 500 -> 449 (-10.2%); threshold: at most 10% fewer"
    )


def test_plausible_ranges_by_unit() -> None:
    lo, hi = vocab.PLAUSIBLE_RANGES["USD per year"]
    assert (lo, hi) == (1_000, 5_000_000)
    old = _salaries(4, usd=150_000)
    [f] = guards.plausible("salaries", _salaries(4, usd=150), old)
    assert str(f) == (
        "salaries: median salary_usd_annual 150,001.5 -> 151.5 (4 of 4 values outside "
        "1,000..5,000,000 USD per year, e.g. 150); threshold: every value within 1,000..5,000,000 USD per year"
    )
    # a first publish has nothing to compare with, and is still checked
    [f] = guards.plausible("salaries", _salaries(4, usd=6_000_000), None)
    assert f.old == "none published"
    # shares: the unit "%" of the field dictionary
    assert schema.FIELDS["posting_share_pct"].unit == "%"
    shares = pd.DataFrame({"posting_share_pct": [10.0, 101.0, None]})
    [f] = guards.plausible("hn_posted_pay_yearly", shares.assign(**_pay_columns(3)), None)
    assert "1 of 2 values outside 0..100 %" in f.new


def _pay_columns(n: int) -> dict[str, list[float]]:
    return {
        c: [100_000.0] * n for c in ("pay_mid_p25_usd", "pay_mid_median_usd", "pay_mid_p75_usd")
    }


def test_check_reads_the_last_published_version(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Identical tables: nothing found; the file cut to its first rows, every row twice or in
    thousands of dollars: refused, each with its measure."""
    raw = aijobs_csv(150, duplicates=50)  # 200 rows, a quarter repeat an earlier row
    base = schema.validate("salaries", aijobs_salaries.transform(aijobs_salaries.parse(raw)))
    meta = {"source": "aijobs_salaries"}
    manifest = store.publish(tmp_path, {"salaries": (base, meta)}, {}, {})
    assert guards.check("aijobs_salaries", {"salaries": base}, manifest, tmp_path) == []
    measures = {
        name: [
            f.measure for f in guards.check("aijobs_salaries", {"salaries": df}, manifest, tmp_path)
        ]
        for name, df in {
            "cut": base.head(100),
            "twice": pd.concat([base, base.assign(is_exact_duplicate=True)]),
            "thousands": base.assign(salary_usd_annual=base["salary_usd_annual"] / 1000),
            "year gone": base[base["work_year"] != 2021],
        }.items()
    }
    assert measures == {
        "cut": ["rows"],
        "twice": ["rows", "share of rows repeating an earlier row in every column"],
        "thousands": ["median salary_usd_annual"],
        "year gone": ["rows", "work_year values present"],
    }


def test_refusal_message_names_source_version_and_the_way_out() -> None:
    f = guards.Finding("salaries", "rows", "120", "100 (-16.7%)", "at most 10% fewer")
    msg = str(guards.ChangeRefused("aijobs_salaries", [f], "20261201T000000Z"))
    assert msg == (
        "aijobs_salaries: refused against the last published version 20261201T000000Z: "
        "salaries: rows 120 -> 100 (-16.7%); threshold: at most 10% fewer. The last good tables stay "
        "published; if the change is real, publish it with: python -m etl refresh --source "
        "aijobs_salaries --offline --accept-change aijobs_salaries"
    )


def test_thresholds_text_is_formatted_from_vocab() -> None:
    text = guards.describe_thresholds()
    for source, drop in vocab.ROW_DROP_MAX_PCT.items():
        assert f"{source} {drop:g}% / " in text
    assert f"at most {vocab.NULL_SHARE_JUMP_MAX_PTS:g} points" in text
    assert f"at most {vocab.THREAD_POSTINGS_DROP_MAX_PCT:g}% of its postings" in text
    assert "USD per year 1,000..5,000,000" in text and "--accept-change SOURCE" in text
    # every guarded table and key is a declared table and column
    for table, g in guards.TABLE_GUARDS.items():
        assert set(g.keys) <= set(schema.TABLES[table].columns), table
