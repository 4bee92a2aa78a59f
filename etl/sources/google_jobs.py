"""Google Jobs postings of data roles, collected by Luke Barousse (data_jobs): fetches the 2023 file
of postings stating a salary and the monthly files of 2024 (a month that answers 404 is "not
published"), parses the xlsx sheets into postings, their skills, salaries and the aggregates the
views read (etl/transform/gj_postings.py).
"""

from __future__ import annotations

import io
from datetime import date, datetime, time

import pandas as pd
import python_calamine

from etl.http import FetchError
from etl.snapshot import Snapshot
from etl.sources.base import FetchContext, Origin, ParseError

NAME = "google_jobs_data_roles"
SALARY_URL = (
    "https://raw.githubusercontent.com/lukebarousse/Excel_Data_Analytics_Course/main/"
    "0_Resources/Datasets/data_jobs_salary_all.xlsx"
)
MONTH_URL = (
    "https://raw.githubusercontent.com/lukebarousse/PowerBI_Data_Analytics_Course/main/"
    "Data/monthly_files/job_postings_{mm:02d}-{year}.xlsx"
)
SALARY_FILE = "data_jobs_salary_all.xlsx"
MONTHS_YEAR = 2024  # the year of the monthly files
MONTHS = tuple(range(1, 13))
ORIGIN = Origin(
    name=NAME,
    title="Google Jobs postings of data roles (data_jobs)",
    producer="Luke Barousse (collected from Google Jobs search results)",
    urls=(SALARY_URL, MONTH_URL.replace("{mm:02d}", "{MM}").replace("{year}", str(MONTHS_YEAR))),
    # NOTE: the licence line as the mirror README gives it: the repositories state none
    license="not stated in those repositories (the author's Hugging Face copy of the 2023 data, "
    "lukebarousse/data_jobs, is marked Apache-2.0): aggregates only, cite the author",
    license_url="https://huggingface.co/datasets/lukebarousse/data_jobs",
    citation="Luke Barousse, data_jobs: data-role postings from Google Jobs search results "
    "(github.com/lukebarousse)",
    cadence_days=30,
    max_lag_days=None,  # a snapshot data set, not a feed: old data is its nature, not staleness
    data_through=("gj_role_monthly", "posted_month", "month"),
    homepage="https://github.com/lukebarousse/PowerBI_Data_Analytics_Course",
    notes="A snapshot of search results, not a census; search_location is the place searched, not "
    "where the job is; a posting found by several searches is counted once.",
)
TABLES = (
    "gj_postings",
    "gj_search_rows",
    "gj_posting_skills",
    "gj_skill_map",
    "gj_role_monthly",
    "gj_skill_monthly",
    "gj_claim_monthly",
    "gj_pay_yearly",
)

# the columns the ETL reads (the monthly files add job_type_skills, not needed here); the two
# flags are not published, but a posting is told from another by every column but the place searched
COLUMNS = (
    "job_title_short",
    "job_title",
    "job_location",
    "job_via",
    "job_schedule_type",
    "job_work_from_home",
    "search_location",
    "job_posted_date",
    "job_no_degree_mention",
    "job_health_insurance",
    "job_country",
    "salary_rate",
    "salary_year_avg",
    "salary_hour_avg",
    "company_name",
    "job_skills",
)


def month_file(month: int) -> str:
    return f"job_postings_{month:02d}-{MONTHS_YEAR}.xlsx"


def sample_of(name: str) -> str:
    """Which postings a file holds (etl.vocab.GJ_SAMPLES)."""
    return "salary_stated" if name == SALARY_FILE else "all_postings"


def fetch(ctx: FetchContext) -> Snapshot:
    with ctx.store.begin(NAME, ctx.previous) as b:
        b.fetch(ctx.client, SALARY_URL, SALARY_FILE, expect="zip")  # an xlsx is a zip
        not_published = []
        for i, mm in enumerate(MONTHS):
            name = month_file(mm)
            if ctx.progress:
                ctx.progress(i, len(MONTHS), name)
            try:
                b.fetch(ctx.client, MONTH_URL.format(mm=mm, year=MONTHS_YEAR), name, expect="zip")
            except FetchError as exc:
                if exc.status != 404:
                    raise
                if ctx.previous is not None and name in ctx.previous.files:
                    # NOTE: a month published before and gone now: keep the last good copy
                    ctx.log.warning("%s: %s answers 404 now; the previous copy is kept", NAME, name)
                    b.carry(name)
                else:
                    not_published.append(name)
        if not_published:
            ctx.log.info(
                "%s: not published (404): %s", NAME, ", ".join(n[13:15] for n in not_published)
            )
        return b.commit(ORIGIN.to_json())


def parse_workbook(raw: bytes, label: str) -> pd.DataFrame:
    """The first sheet of one xlsx as a frame of COLUMNS (empty cells None), read with calamine
    (Rust; the files hold tens of thousands of rows, which openpyxl took ~10x longer to read)."""
    try:
        book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(raw))
        rows = book.get_sheet_by_index(0).to_python()
    except Exception as exc:  # calamine raises its own error types for a broken workbook
        raise ParseError(f"{label} is not a readable workbook: {exc}") from exc
    head = rows[0] if rows else ()
    header = [str(c).strip() for c in head]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ParseError(
            f"{label}: expected columns missing: {', '.join(missing)} (found: {', '.join(header)})"
        )
    idx = [header.index(c) for c in COLUMNS]
    # calamine reads an empty cell as ""; the transform expects None
    data = [tuple(None if (v := r[i]) == "" else v for i in idx) for r in rows[1:]]
    df = pd.DataFrame(data, columns=list(COLUMNS))
    df = df[df.notna().any(axis=1)]  # trailing empty rows of a sheet
    df["job_posted_date"] = _dates(df["job_posted_date"], label)
    return df.reset_index(drop=True)


def _as_datetime(v: object) -> object:
    if isinstance(v, datetime):
        return v
    if isinstance(v, date):  # calamine reads a date cell without a time as a date
        return datetime.combine(v, time())
    return v.strip() if isinstance(v, str) else v


def _dates(col: pd.Series, label: str) -> pd.Series:
    """Posted dates: xlsx date cells (datetime or date) or ISO text; anything else names the row."""
    ok = col.map(lambda v: isinstance(v, date) or (isinstance(v, str) and v.strip() != ""))
    if not ok.all():
        bad = col[~ok]
        raise ParseError(
            f"{label}: job_posted_date is not a date in {len(bad)} rows "
            f"(sheet row {int(bad.index[0]) + 2}: {bad.iloc[0]!r})"
        )
    out = pd.to_datetime(col.map(_as_datetime), errors="coerce")
    if out.isna().any():
        i = int(out.index[out.isna()][0])
        raise ParseError(f"{label}: job_posted_date {col[i]!r} (sheet row {i + 2}) is not a date")
    return out


def parse_snapshot(snapshot: Snapshot) -> pd.DataFrame:
    if SALARY_FILE not in snapshot.files:
        raise ParseError(f"{NAME} snapshot {snapshot.snapshot_id} has no {SALARY_FILE}")
    frames = []
    for name in [SALARY_FILE, *(month_file(m) for m in MONTHS if month_file(m) in snapshot.files)]:
        df = parse_workbook(snapshot.read_bytes(name), name)
        df.insert(0, "source_file", name)
        df.insert(1, "sample", sample_of(name))
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


def build(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    from etl.transform import gj_postings

    return gj_postings.build_tables(parse_snapshot(snapshot))


def coverage(tables: dict[str, pd.DataFrame]) -> dict:
    from etl.transform.gj_postings import gj_coverage

    expected = [month_file(m) for m in MONTHS]
    return gj_coverage(tables, expected)
