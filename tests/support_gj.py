"""Hand-made files in the real formats of the Google Jobs (data_jobs xlsx) and CPI-U (cpiai.csv)
sources, small enough to check by hand, and a publish of the tables the ETL builds from them."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime
from pathlib import Path

import openpyxl

GJ_HEADER = (
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
GJ_SALARY_PATH = (
    "/raw.githubusercontent.com/lukebarousse/Excel_Data_Analytics_Course/main/"
    "0_Resources/Datasets/data_jobs_salary_all.xlsx"
)
GJ_MONTH_PATH = (
    "/raw.githubusercontent.com/lukebarousse/PowerBI_Data_Analytics_Course/main/"
    "Data/monthly_files/job_postings_{mm:02d}-2024.xlsx"
)
CPI_PATH = "/raw.githubusercontent.com/datasets/cpi-us/main/data/cpiai.csv"


def _row(
    short,
    title,
    when,
    rate=None,
    year=None,
    hour=None,
    skills=None,
    search="Texas, United States",
    company="Acme",
    country="United States",
):  # type: ignore[no-untyped-def]  # noqa: E501
    return (short, title, "Austin, TX", "via LinkedIn", "Full-time", False, search, when, False, True,
            country, rate, year, hour, company, skills)  # fmt: skip


def salary_rows() -> list[tuple]:
    """The 2023 file (postings stating a salary), 14 rows, 13 postings:
    - 10 Data Scientist postings, yearly 100,000..190,000 (median 145,000), skills ['sql', 'python'];
      the first also lists 'excel' and 'oracle' (oracle: deliberately unmapped); the first is found
      a second time by a search of 'Sudan' (a repeat: counted once);
    - 2 Machine Learning Engineer postings paying 60 and 70 an hour (= 124,800 and 145,600 a year),
      skills ['pytorch', 'aws', 'no-sql'];
    - 1 posting labelled Machine Learning Engineer titled 'AI Engineer' (our AI engineer), no skills
      list, 80 an hour."""
    rows = []
    for i in range(10):
        skills = "['sql', 'python', 'excel', 'oracle']" if i == 0 else "['sql', 'python']"
        rows.append(_row("Data Scientist", f"Data Scientist {i}", datetime(2023, 3, 1 + i, 9), "year", 100_000 + 10_000 * i, skills=skills, company=f"Co{i}"))  # fmt: skip
    rows.append(rows[0][:6] + ("Sudan",) + rows[0][7:10] + ("Sudan",) + rows[0][11:])
    for i, rate in enumerate((60.0, 70.0)):
        rows.append(_row("Machine Learning Engineer", "Machine Learning Engineer", datetime(2023, 4, 2 + i, 10), "hour", hour=rate, skills="['pytorch', 'aws', 'no-sql']", company=f"ML{i}"))  # fmt: skip
    rows.append(_row("Machine Learning Engineer", "AI Engineer", datetime(2023, 4, 20, 10), "hour", hour=80.0, company="AIco"))  # fmt: skip
    return rows


def month_rows() -> list[tuple]:
    """The December 2024 file (every posting), 6 postings: 3 Data Scientist ['sql', 'r', 'excel'],
    1 Senior Data Scientist (broad only) ['python'], 1 Machine Learning Engineer ['python', 'docker']
    paying 150,000 a year, 1 Data Analyst ['excel', 'flow'] ('flow': not in our taxonomy)."""
    d = datetime(2024, 12, 3, 8)
    rows = [_row("Data Scientist", "Data Scientist", d.replace(day=3 + i), skills="['sql', 'r', 'excel']", company=f"D{i}") for i in range(3)]  # fmt: skip
    rows.append(_row("Senior Data Scientist", "Senior Data Scientist", d, skills="['python']", company="S"))  # fmt: skip
    rows.append(_row("Machine Learning Engineer", "ML Engineer", d, "year", 150_000, skills="['python', 'docker']", company="M"))  # fmt: skip
    rows.append(_row("Data Analyst", "Data Analyst", d, skills="['excel', 'flow']", company="A"))  # fmt: skip
    return rows


def gj_workbook(
    rows: list[tuple] | None = None, *, rename: dict[str, str] | None = None, monthly: bool = False
) -> bytes:  # noqa: E501
    """An xlsx laid out as the source's: one sheet, the header, one posting per row (the monthly
    files add job_type_skills, which the ETL does not read)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    header = [(rename or {}).get(c, c) for c in GJ_HEADER] + (
        ["job_type_skills"] if monthly else []
    )
    ws.append(header)
    for r in salary_rows() if rows is None else rows:
        ws.append(list(r) + (["{'programming': ['sql']}"] if monthly else []))
    stamp = datetime(2024, 1, 1)
    wb.properties.created = wb.properties.modified = stamp
    buf = io.BytesIO()
    wb.save(buf)
    # the same workbook gives the same bytes (the archive's entry times fixed too), as a file that
    # did not change on the server does: a refresh then sees an unchanged snapshot
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                body = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", body
                )
            dst.writestr(entry, body)
    return out.getvalue()


def cpi_csv(*, duplicate: bool = False, header: str = "Date,Index,Inflation") -> bytes:
    """CPI-U monthly 2022-01..2024-03: 100 in every month of 2022, 110 in 2023, 120 in 2024 (three
    months: a partial year). So 2023 is the base year and a 2022 dollar is worth 1.1 of 2023's."""
    lines = [header]
    for year, value, months in ((2022, 100.0, 12), (2023, 110.0, 12), (2024, 120.0, 3)):
        for m in range(1, months + 1):
            lines.append(f"{year}-{m:02d}-01,{value},")
    if duplicate:
        lines.append(lines[-1])
    return ("\n".join(lines) + "\n").encode()


def gj_files() -> dict[str, bytes]:
    """Server path -> body: the 2023 file and December 2024 (the other months answer 404)."""
    return {
        GJ_SALARY_PATH: gj_workbook(),
        GJ_MONTH_PATH.format(mm=12): gj_workbook(month_rows(), monthly=True),
    }


def publish_gj(data_dir: Path) -> dict:
    """Publish the fixture survey and BLS tables plus the Google Jobs and CPI tables built by the
    real build code from the files above; returns the manifest."""
    from etl.sources import cpi_us, google_jobs
    from etl.transform import gj_postings
    from tests.support import _relaxed, hn_tables, publish_fixture

    frames = []
    for name, rows, monthly in (
        (google_jobs.SALARY_FILE, salary_rows(), False),
        (google_jobs.month_file(12), month_rows(), True),
    ):
        df = google_jobs.parse_workbook(gj_workbook(rows, monthly=monthly), name)
        df.insert(0, "source_file", name)
        df.insert(1, "sample", google_jobs.sample_of(name))
        frames.append(df)
    import pandas as pd

    gj = gj_postings.build_tables(pd.concat(frames, ignore_index=True))
    monthly = cpi_us.parse(cpi_csv()).reset_index(drop=True)
    from etl.transform.prices import annual_averages

    extra = {t: (df, "hn_whoishiring") for t, df in hn_tables(Path(data_dir)).items()}
    extra.update({t: (_relaxed(t, df), google_jobs.NAME) for t, df in gj.items()})
    extra["cpi_monthly"] = (_relaxed("cpi_monthly", monthly), cpi_us.NAME)
    extra["cpi_annual"] = (_relaxed("cpi_annual", annual_averages(monthly)), cpi_us.NAME)
    return publish_fixture(data_dir, extra)
