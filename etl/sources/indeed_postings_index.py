"""Indeed Hiring Lab job postings index (CC BY 4.0): fetches the US sector file, the US aggregate
file and the sector -> example titles file; publishes them as `indeed_sector_index`,
`indeed_aggregate_index` and `indeed_sector_titles`. Values are an index (1 Feb 2020 = 100), not counts.
"""

from __future__ import annotations

import io
import logging

import pandas as pd

from etl.snapshot import Snapshot
from etl.sources.base import FetchContext, Origin, ParseError

NAME = "indeed_postings_index"
BASE = "https://raw.githubusercontent.com/hiring-lab/job_postings_tracker/master/"
FILES = {
    "job_postings_by_sector_US.csv": BASE + "US/job_postings_by_sector_US.csv",
    "aggregate_job_postings_US.csv": BASE + "US/aggregate_job_postings_US.csv",
    "sector-job-title-examples.csv": BASE + "sector-job-title-examples.csv",
}
ORIGIN = Origin(
    name=NAME,
    title="Indeed Job Postings Index",
    producer="Indeed Hiring Lab",
    urls=tuple(FILES.values()),
    license="CC BY 4.0",
    license_url="https://creativecommons.org/licenses/by/4.0/",
    citation="Indeed Hiring Lab, Job Postings Tracker, https://github.com/hiring-lab/job_postings_tracker (CC BY 4.0)",
    cadence_days=7,
    max_lag_days=30,
    data_through=("indeed_sector_index", "date", "day"),
    homepage="https://www.hiringlab.org/data/",
    notes="Index of postings (7-day trailing average, 1 Feb 2020 = 100). Indeed revises its whole history "
    "(e.g. November 2024): every refresh replaces the series, never appends.",
)
TABLES = ("indeed_sector_index", "indeed_aggregate_index", "indeed_sector_titles")

# NOTE: Indeed has no sector per job title: Data Scientist is listed under Mathematics; ML engineers
# have no sector and the nearest is Software Development. Both are labelled proxies wherever shown.
PROXY_SECTORS = {"Mathematics": "data_scientist", "Software Development": "ml_engineer"}
VARIABLES = ("total postings", "new postings")


def fetch(ctx: FetchContext) -> Snapshot:
    with ctx.store.begin(NAME, ctx.previous) as b:
        for i, (name, url) in enumerate(FILES.items()):
            if ctx.progress:
                ctx.progress(i, len(FILES), name)
            b.fetch(ctx.client, url, name, expect="csv")
        return b.commit(ORIGIN.to_json())


def _read(raw: bytes, name: str, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{name} is not UTF-8 text (byte {exc.start})") from exc
    try:
        df = pd.read_csv(io.StringIO(text), dtype="string", keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"{name} is not a readable CSV: {exc}") from exc
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise ParseError(
            f"{name}: expected columns missing: {', '.join(missing)} (found: {', '.join(df.columns)})"
        )
    return df


def _dates(s: pd.Series, name: str) -> pd.Series:
    d = pd.to_datetime(s, format="%Y-%m-%d", errors="coerce")
    if d.isna().any():
        raise ParseError(
            f"{name}: {int(d.isna().sum())} unreadable dates, e.g. {s[d.isna()].iloc[0]!r}"
        )
    return d


def _numbers(s: pd.Series, name: str, col: str, nullable: bool = False) -> pd.Series:
    v = pd.to_numeric(s.replace("", None), errors="coerce")
    bad = v.isna() & (s != "") if nullable else v.isna()
    if bad.any():
        raise ParseError(f"{name}: column {col} has {int(bad.sum())} non-numeric values")
    return v.astype("float64")


def _variables(df: pd.DataFrame, name: str) -> pd.DataFrame:
    unknown = sorted(set(df["variable"]) - set(VARIABLES))
    if unknown:
        # NOTE: a new series appears now and then; keep the ones we document, say which we drop
        logging.getLogger(__name__).warning("%s: ignoring unknown variable(s) %s", name, unknown)
    out = df[df["variable"].isin(VARIABLES)]
    if out.empty:
        raise ParseError(f"{name}: no rows with variable in {VARIABLES}")
    return out


def parse_sector(raw: bytes) -> pd.DataFrame:
    name = "job_postings_by_sector_US.csv"
    df = _variables(
        _read(
            raw,
            name,
            ("date", "jobcountry", "indeed_job_postings_index", "variable", "display_name"),
        ),
        name,
    )
    out = pd.DataFrame(
        {
            "date": _dates(df["date"], name),
            "country_code": df["jobcountry"].str.strip(),
            "sector": df["display_name"].str.strip(),
            "variable": df["variable"],
            "postings_index": _numbers(
                df["indeed_job_postings_index"], name, "indeed_job_postings_index"
            ),
        }
    )
    out["proxy_for"] = out["sector"].map(PROXY_SECTORS).fillna("")
    dup = out.duplicated(["date", "country_code", "sector", "variable"])
    if dup.any():
        raise ParseError(f"{name}: {int(dup.sum())} duplicated (date, sector, variable) rows")
    return out.sort_values(["sector", "variable", "date"]).reset_index(drop=True)


def parse_aggregate(raw: bytes) -> pd.DataFrame:
    name = "aggregate_job_postings_US.csv"
    cols = (
        "date",
        "jobcountry",
        "indeed_job_postings_index_SA",
        "indeed_job_postings_index_NSA",
        "variable",
    )
    df = _variables(_read(raw, name, cols), name)
    out = pd.DataFrame(
        {
            "date": _dates(df["date"], name),
            "country_code": df["jobcountry"].str.strip(),
            "variable": df["variable"],
            "postings_index_sa": _numbers(
                df["indeed_job_postings_index_SA"], name, "indeed_job_postings_index_SA", True
            ),
            "postings_index_nsa": _numbers(
                df["indeed_job_postings_index_NSA"], name, "indeed_job_postings_index_NSA", True
            ),
        }
    )
    if out.duplicated(["date", "country_code", "variable"]).any():
        raise ParseError(f"{name}: duplicated (date, variable) rows")
    return out.sort_values(["variable", "date"]).reset_index(drop=True)


def parse_titles(raw: bytes) -> pd.DataFrame:
    name = "sector-job-title-examples.csv"
    df = _read(raw, name, ("sector", "job_titles"))
    out = pd.DataFrame(
        {"sector": df["sector"].str.strip(), "example_titles": df["job_titles"].str.strip()}
    )
    out["proxy_for"] = out["sector"].map(PROXY_SECTORS).fillna("")
    return out


def build(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    sector = parse_sector(snapshot.read_bytes("job_postings_by_sector_US.csv"))
    missing = sorted(set(PROXY_SECTORS) - set(sector["sector"]))
    if missing:
        raise ParseError(f"job_postings_by_sector_US.csv: proxy sector(s) {missing} not found")
    return {
        "indeed_sector_index": sector,
        "indeed_aggregate_index": parse_aggregate(
            snapshot.read_bytes("aggregate_job_postings_US.csv")
        ),
        "indeed_sector_titles": parse_titles(snapshot.read_bytes("sector-job-title-examples.csv")),
    }


def coverage(tables: dict[str, pd.DataFrame]) -> dict:
    from etl.coverage import dates_coverage

    return dates_coverage(tables["indeed_sector_index"], "date")
