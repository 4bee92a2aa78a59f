"""aijobs.net salary survey (Foorilla, CC0): fetches salaries.csv, parses it into the `salaries` table
with roles under the strict and broad title mappings.
"""

from __future__ import annotations

import pandas as pd

from etl.snapshot import Snapshot
from etl.sources.base import FetchContext, Origin, ParseError, read_csv_bytes
from etl.transform.roles import assign_roles

NAME = "aijobs_salaries"
URL = "https://raw.githubusercontent.com/foorilla/ai-jobs-net-salaries/main/salaries.csv"
FILE = "salaries.csv"
ORIGIN = Origin(
    name=NAME,
    title="AI, ML and data science salaries",
    producer="aijobs.net (Foorilla LLC)",
    urls=(URL,),
    license="CC0 1.0",
    license_url="https://creativecommons.org/publicdomain/zero/1.0/",
    citation="aijobs.net salaries, Foorilla LLC, https://aijobs.net/salaries/ (CC0 1.0)",
    cadence_days=7,
    max_lag_days=400,
    data_through=("salaries", "work_year", "year"),
    homepage="https://github.com/foorilla/ai-jobs-net-salaries",
    notes="Self-reported survey; most rows are from its latest years and from US companies (the published "
    "coverage gives the shares): year-over-year trends need care.",
)
TABLES = ("salaries", "salary_counts", "salary_title_counts", "job_title_map")

COLUMNS = (
    "work_year",
    "experience_level",
    "employment_type",
    "job_title",
    "salary",
    "salary_currency",
    "salary_in_usd",
    "employee_residence",
    "remote_ratio",
    "company_location",
    "company_size",
)
SENIORITY = {"EN": "entry", "MI": "mid", "SE": "senior", "EX": "executive"}


def fetch(ctx: FetchContext) -> Snapshot:
    with ctx.store.begin(NAME, ctx.previous) as b:
        b.fetch(ctx.client, URL, FILE, expect="csv")
        return b.commit(ORIGIN.to_json())


def parse(raw: bytes) -> pd.DataFrame:
    return read_csv_bytes(
        raw, FILE, COLUMNS, dtype={"job_title": "string"}, keep_default_na=False, na_values=[""]
    )


def transform(df: pd.DataFrame) -> pd.DataFrame:
    for col in ("work_year", "salary", "salary_in_usd", "remote_ratio"):
        converted = pd.to_numeric(df[col], errors="coerce")
        bad = converted.isna() & df[col].notna()
        if bad.any():
            raise ParseError(
                f"{FILE}: column {col} has {int(bad.sum())} non-numeric values, e.g. {df.loc[bad, col].iloc[0]!r}"
            )
        df[col] = converted
    out = pd.DataFrame(
        {
            "work_year": df["work_year"].astype("int64"),
            "experience_level": df["experience_level"].astype("string").str.strip(),
            "employment_type": df["employment_type"].astype("string").str.strip(),
            "job_title": df["job_title"].astype("string").str.strip(),
            "salary_local": df["salary"].astype("float64"),
            "salary_currency": df["salary_currency"].astype("string").str.strip().str.upper(),
            "salary_usd_annual": df["salary_in_usd"].astype("float64"),
            "employee_country_code": df["employee_residence"]
            .astype("string")
            .str.strip()
            .str.upper(),
            "company_country_code": df["company_location"].astype("string").str.strip().str.upper(),
            "remote_ratio_pct": df["remote_ratio"].astype("int64"),
            "company_size": df["company_size"].astype("string").str.strip(),
        }
    )
    out["seniority"] = out["experience_level"].map(SENIORITY).astype("string")
    # NOTE: about half the rows repeat an earlier row exactly. Distinct people can give identical
    # answers (round salaries), so the rows are kept as the source publishes them; the flag lets
    # the dashboard count identical rows once and say how many there are.
    out["is_exact_duplicate"] = df.loc[:, list(COLUMNS)].duplicated(keep="first").to_numpy()
    out = pd.concat([out, assign_roles(out["job_title"])], axis=1)
    return out


def salary_counts(salaries: pd.DataFrame) -> pd.DataFrame:
    """The responses per distinct combination of SALARY_COUNT_COLUMNS (a few thousand rows where
    the survey has tens of thousands, and the scaled benchmark stores millions): the pay
    statistics of the dashboard are sums and weighted quantiles over it."""
    from etl.schema import SALARY_COUNT_COLUMNS

    cols = list(SALARY_COUNT_COLUMNS)
    out = salaries.groupby(cols, dropna=False, observed=True, sort=True).size()
    return out.rename("n").astype("int64").reset_index()


def salary_title_counts(salaries: pd.DataFrame) -> pd.DataFrame:
    """The responses per job title, with its roles under both definitions (a title has one role
    per definition: the title map decides by title)."""
    cols = ["job_title", "role_strict", "role_broad"]
    out = salaries.groupby(cols, dropna=False, observed=True, sort=True).size()
    return out.rename("n").astype("int64").reset_index()


def build(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    from etl.transform.roles import load_title_map

    salaries = transform(parse(snapshot.read_bytes(FILE)))
    # the title map that built the roles is published with them (Data & methods shows it)
    return {
        "salaries": salaries,
        "salary_counts": salary_counts(salaries),
        "salary_title_counts": salary_title_counts(salaries),
        "job_title_map": load_title_map(),
    }


def coverage(tables: dict[str, pd.DataFrame]) -> dict:
    from etl.coverage import salaries_coverage

    return salaries_coverage(tables["salaries"])
