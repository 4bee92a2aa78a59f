"""Posted pay in annual US dollars (etl.transform.fx, pay.with_usd_annual), on amounts and rates
a person can check by hand against etl/mappings/fx_yearly.csv."""

from __future__ import annotations

import pandas as pd
import pytest

from etl.transform import fx, hn_roles, pay
from etl.vocab import PERIODS_PER_YEAR

# every currency the extractor can write (its table of marks); USD needs no rate
EMITTED = sorted(set(pay._PREFIX.values()))
# currencies the Federal Reserve's G.5A publishes no series for: reported as unconverted
NO_SERIES = {"PLN"}


def test_every_emitted_currency_has_rates_or_is_declared_unconverted():
    rates = fx.load_rates()
    have = set(rates["currency"])
    for cur in EMITTED:
        if cur == "USD":
            continue
        assert (cur in have) != (cur in NO_SERIES), cur


def test_every_currency_year_is_converted_or_reported_unconverted():
    """For every currency the extractor emits and every year from the table's first to one past its
    last: a rate from the table, else NaN marked 'no_rate' (never 1:1)."""
    rates = fx.load_rates().set_index(["currency", "year"])["usd_per_unit"]
    years = range(int(fx.load_rates()["year"].min()) - 1, int(fx.load_rates()["year"].max()) + 2)
    grid = pd.DataFrame([(c, y) for c in EMITTED for y in years], columns=["currency", "year"])
    amount = pd.Series(100_000.0, index=grid.index)
    usd, how = fx.to_usd_annual(
        amount, grid["currency"], pd.Series("year", index=grid.index), grid["year"]
    )
    for i, (cur, year) in grid.iterrows():
        if cur == "USD":
            assert (usd[i], how[i]) == (100_000.0, "as_posted")
        elif (cur, year) in rates.index:
            assert how[i] == "fx_yearly"
            assert usd[i] == pytest.approx(100_000 * rates[(cur, year)])
        else:
            assert how[i] == "no_rate" and pd.isna(usd[i]), (cur, year)


def test_rates_as_the_release_prints_them():
    r = fx.load_rates().set_index(["currency", "year"])["usd_per_unit"]
    # G.5A prints the euro and the pound in US dollars per unit, the yen in units per dollar
    assert r[("EUR", 2023)] == pytest.approx(1.0817)
    assert r[("GBP", 2022)] == pytest.approx(1.2371)
    assert r[("JPY", 2021)] == pytest.approx(1 / 109.8429)


def test_periods_annualised_and_converted():
    amounts = pd.Series([70_000.0, 5_000.0, 50.0, 80_000.0])
    usd, how = fx.to_usd_annual(
        amounts,
        pd.Series(["EUR", "USD", "USD", "PLN"]),
        pd.Series(["year", "month", "hour", "year"]),
        pd.Series([2023, 2023, 2023, 2023]),
    )
    assert usd[0] == pytest.approx(70_000 * 1.0817)  # €70k in 2023
    assert usd[1] == 5_000 * PERIODS_PER_YEAR["month"]
    assert usd[2] == 50 * PERIODS_PER_YEAR["hour"]
    assert pd.isna(usd[3])
    assert list(how) == ["fx_yearly", "as_posted", "as_posted", "no_rate"]


def test_a_broken_rate_table_is_refused(tmp_path):
    bad = tmp_path / "fx.csv"
    bad.write_text("currency,year,rate,quote,release\nEUR,2023,1.08,per_euro,x\n")
    with pytest.raises(fx.FxTableError, match="quote"):
        fx.load_rates(bad)


def test_published_table_has_annual_usd_and_the_range_as_posted():
    text = "Acme | Berlin | Data Scientist | €70-90k\nWe use Python."
    postings = pd.DataFrame(
        {
            "posting_id": [1],
            "text": [text],
            "first_line": [text.split("\n")[0]],
            "thread_month": pd.to_datetime(["2023-05-01"], utc=True),
        }
    )
    flags = hn_roles.flag_roles(postings)
    table = pay.with_usd_annual(pay.posted_pay_by_role(postings, flags), postings)
    row = table.iloc[0]
    assert (row.pay_min, row.pay_max, row.currency, row.period) == (70_000, 90_000, "EUR", "year")
    assert row.pay_min_usd_annual == pytest.approx(70_000 * 1.0817)
    assert row.pay_max_usd_annual == pytest.approx(90_000 * 1.0817)
    assert (row.posted_year, row.usd_conversion) == (2023, "fx_yearly")
    yearly = pay.posted_pay_yearly(
        table, postings, pd.concat([postings, flags.drop(columns="posting_id")], axis=1)
    )
    ds = yearly[yearly.role == "data_scientist"].iloc[0]
    # posted in euros: not among the US-dollar percentiles, in the all-currency median
    assert (ds.ranges_usd_year, ds.ranges_all_currencies, ds.ranges_no_rate) == (0, 1, 0)
    assert ds.pay_mid_median_all_usd == pytest.approx(80_000 * 1.0817)
