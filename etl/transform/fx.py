"""Posted pay in annual US dollars: yearly average exchange rates and periods per year.

Reads `etl/mappings/fx_yearly.csv`: the yearly average exchange rates of the Board of Governors
of the Federal Reserve System, release G.5A "Foreign Exchange Rates (Annual)" (averages of the
daily noon buying rates certified by the Federal Reserve Bank of New York; US government data,
public domain), one row per currency and year, the rate as the release prints it (units per US
dollar, or US dollars per unit where the release stars the currency) and the release it comes
from. Writes nothing; `to_usd_annual` converts amounts as posted.

NOTE: G.5A has no Polish zloty series, and the table holds only the years of the releases read
(see the `release` column): a currency or year without a rate is left unconverted and reported
as such (`usd_conversion = 'no_rate'`), never taken at 1:1 (DOMAIN.md: a missing rate once
produced absurd salaries elsewhere).
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np
import pandas as pd

from etl.vocab import PERIODS_PER_YEAR

FX_PATH = Path(__file__).resolve().parents[1] / "mappings" / "fx_yearly.csv"
FX_SOURCE = (
    "Federal Reserve Board, G.5A Foreign Exchange Rates (Annual): yearly averages of daily noon "
    "buying rates in New York (etl/mappings/fx_yearly.csv)"
)
QUOTES = ("units_per_usd", "usd_per_unit")
# how each range was brought to US dollars
CONVERSIONS = ("as_posted", "fx_yearly", "no_rate")


class FxTableError(ValueError):
    pass


@functools.cache
def load_rates(path: Path = FX_PATH) -> pd.DataFrame:
    """currency, year, usd_per_unit (US dollars one unit buys, the year's average), release."""
    df = pd.read_csv(path, dtype={"currency": "string", "quote": "string", "release": "string"})
    problems = []
    if set(df.columns) != {"currency", "year", "rate", "quote", "release"}:
        problems.append(f"columns {list(df.columns)}")
    elif not df["quote"].isin(QUOTES).all():
        problems.append(f"quote not in {QUOTES}: {sorted(set(df['quote']) - set(QUOTES))}")
    elif not (df["rate"] > 0).all():
        problems.append("a rate is not positive")
    elif df.duplicated(["currency", "year"]).any():
        problems.append("a currency and year appear twice")
    if problems:
        raise FxTableError(f"{path}: {'; '.join(problems)}")
    df["usd_per_unit"] = np.where(df["quote"] == "usd_per_unit", df["rate"], 1 / df["rate"])
    return df[["currency", "year", "usd_per_unit", "release"]]


def to_usd_annual(
    amounts: pd.Series, currency: pd.Series, period: pd.Series, year: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """(amount in US dollars per year, how it was converted) for amounts as posted: the period's
    amount times PERIODS_PER_YEAR, times the currency's yearly average rate for the year the ad
    was posted; NaN with 'no_rate' where the table has no rate for that currency and year."""
    rates = load_rates().set_index(["currency", "year"])["usd_per_unit"]
    key = pd.MultiIndex.from_arrays([currency.astype(str), year.astype("int64")])
    rate = pd.Series(rates.reindex(key).to_numpy(), index=amounts.index)
    is_usd = currency.eq("USD")
    rate = rate.where(~is_usd, 1.0)
    factor = period.map(PERIODS_PER_YEAR).astype("float64")
    how = pd.Series(
        np.select([is_usd, rate.notna()], ["as_posted", "fx_yearly"], "no_rate"),
        index=amounts.index,
        dtype="string",
    )
    return amounts.astype("float64") * factor * rate, how
