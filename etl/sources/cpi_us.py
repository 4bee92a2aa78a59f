"""US CPI-U, all items (BLS series CUUR0000SA0), as packaged by datasets/cpi-us (ODC-PDDL-1.0):
fetches cpiai.csv, parses it into `cpi_monthly` and the annual averages `cpi_annual` that turn
salaries of different years into one year's dollars (etl/transform/prices.py).
"""

from __future__ import annotations

import pandas as pd

from etl.snapshot import Snapshot
from etl.sources.base import FetchContext, Origin, ParseError, read_csv_bytes

NAME = "cpi_us"
URL = "https://raw.githubusercontent.com/datasets/cpi-us/main/data/cpiai.csv"
FILE = "cpiai.csv"
ORIGIN = Origin(
    name=NAME,
    title="Consumer Price Index for All Urban Consumers (CPI-U), US city average, all items",
    producer="U.S. Bureau of Labor Statistics (series CUUR0000SA0), packaged by datasets/cpi-us",
    urls=(URL,),
    license="ODC-PDDL-1.0 (data: U.S. Bureau of Labor Statistics)",
    license_url="https://opendatacommons.org/licenses/pddl/1-0/",
    citation="U.S. Bureau of Labor Statistics, CPI-U all items (CUUR0000SA0), via github.com/datasets/cpi-us",
    cadence_days=30,
    # BLS publishes a month's index about two weeks after the month ends
    max_lag_days=75,
    data_through=("cpi_monthly", "month", "month"),
    homepage="https://www.bls.gov/cpi/",
    notes="Monthly, 1982-84 = 100, not seasonally adjusted; a year's average is the mean of the months published.",
)
TABLES = ("cpi_monthly", "cpi_annual")
COLUMNS = ("Date", "Index")


def fetch(ctx: FetchContext) -> Snapshot:
    with ctx.store.begin(NAME, ctx.previous) as b:
        b.fetch(ctx.client, URL, FILE, expect="csv")
        return b.commit(ORIGIN.to_json())


def parse(raw: bytes) -> pd.DataFrame:
    df = read_csv_bytes(raw, FILE, COLUMNS, dtype="string", keep_default_na=False, na_values=[""])
    month = pd.to_datetime(df["Date"], format="%Y-%m-%d", errors="coerce")
    index = pd.to_numeric(df["Index"], errors="coerce")
    for name, parsed in (("Date", month), ("Index", index)):
        bad = parsed.isna()
        if bad.any():
            raise ParseError(
                f"{FILE}: column {name} has {int(bad.sum())} unreadable values, e.g. {df.loc[bad, name].iloc[0]!r}"
            )
    if (month.dt.day != 1).any():
        raise ParseError(f"{FILE}: dates must be the first of a month (monthly series)")
    dup = month.duplicated()
    if dup.any():
        raise ParseError(
            f"{FILE}: {int(dup.sum())} months appear twice (e.g. {month[dup].iloc[0]:%Y-%m}): a monthly series has one index a month"
        )
    return pd.DataFrame({"month": month, "cpi_index": index.astype("float64")}).sort_values("month")


def build(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    from etl.transform.prices import annual_averages

    monthly = parse(snapshot.read_bytes(FILE)).reset_index(drop=True)
    return {"cpi_monthly": monthly, "cpi_annual": annual_averages(monthly)}


def coverage(tables: dict[str, pd.DataFrame]) -> dict:
    from etl.transform.prices import cpi_coverage

    return cpi_coverage(tables["cpi_monthly"], tables["cpi_annual"])
