"""Prices: CPI-U annual averages, the base year of real pay, and the factors that put an amount of
year Y into base-year dollars. Pure functions over the `cpi_monthly` / `cpi_annual` tables; the
dashboard imports them too, so the rule is written once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from etl.coverage import format_months
from etl.vocab import CPI_MONTHS_PER_YEAR


def annual_averages(monthly: pd.DataFrame) -> pd.DataFrame:
    """calendar_year, cpi_annual_avg (mean of the months published), months, is_complete (all
    CPI_MONTHS_PER_YEAR months published: BLS's own annual average)."""
    g = monthly.assign(calendar_year=monthly["month"].dt.year.astype("int64")).groupby(
        "calendar_year"
    )
    out = g["cpi_index"].agg(cpi_annual_avg="mean", months="size").reset_index()
    out["months"] = out["months"].astype("int64")
    out["is_complete"] = out["months"] == CPI_MONTHS_PER_YEAR
    return out


def base_year(annual: pd.DataFrame) -> int | None:
    """The latest year whose average is complete (every month published)."""
    done = annual.loc[annual["is_complete"].astype(bool), "calendar_year"]
    return int(done.max()) if len(done) else None


def factors(annual: pd.DataFrame, base: int) -> pd.Series:
    """year -> multiplier that turns that year's dollars into `base`-year dollars
    (CPI average of the base year / CPI average of the year)."""
    avg = annual.set_index("calendar_year")["cpi_annual_avg"].astype("float64")
    if base not in avg.index:
        raise ValueError(f"no CPI average for base year {base}")
    return avg.loc[base] / avg


def deflate(values: pd.Series, years: pd.Series, f: pd.Series) -> pd.Series:
    """values of `years` in base-year dollars; NaN where a year has no CPI average."""
    return values.astype("float64") * years.map(f).astype("float64").to_numpy()


def partial_years(annual: pd.DataFrame) -> dict[int, int]:
    """year -> months published, for the years whose average is not complete."""
    part = annual[~annual["is_complete"].astype(bool)]
    return {int(y): int(m) for y, m in zip(part["calendar_year"], part["months"], strict=True)}


def cpi_coverage(monthly: pd.DataFrame, annual: pd.DataFrame) -> dict[str, Any]:
    months = monthly["month"].dt.strftime("%Y-%m")
    every = pd.period_range(months.iloc[0], months.iloc[-1], freq="M").astype(str)
    missing = [m for m in every if m not in set(months)]
    b = base_year(annual)
    return {
        "rows": int(len(monthly)),
        "first_month": str(months.min()),
        "last_month": str(months.max()),
        "months_missing": missing,
        "base_year": b,
        "base_year_avg": float(
            np.round(annual.set_index("calendar_year").loc[b, "cpi_annual_avg"], 3)
        )
        if b
        else None,
        "partial_years": {str(k): v for k, v in partial_years(annual).items()},
    }


def describe_cpi(cov: dict[str, Any] | None) -> str:
    if not cov or "rows" not in cov:
        return "coverage not computed for this publish (a refresh computes it)"
    text = f"monthly {cov['first_month']}..{cov['last_month']}"
    if cov.get("months_missing"):
        text += f" (no index for {format_months(cov['months_missing'])})"
    if cov.get("base_year"):
        text += f"; base year of real pay {cov['base_year']} (latest year with all months)"
    return text
