"""aijobs salaries.csv parsing on a hand-written 6-row fixture."""

from __future__ import annotations

import pytest

from etl.schema import validate
from etl.sources.aijobs_salaries import parse, transform
from etl.sources.base import ParseError
from tests.conftest import AIJOBS_HEADER, AIJOBS_SIX_ROWS, aijobs_csv

SIX = (AIJOBS_HEADER + "\n" + AIJOBS_SIX_ROWS).encode()


def test_six_rows_parse_with_units_and_roles() -> None:
    df = transform(parse(SIX))
    assert len(df) == 6  # the exact duplicate (rows 1 and 6) is kept, as in the source
    assert df.drop(columns="is_exact_duplicate").duplicated().sum() == 1
    assert df["is_exact_duplicate"].sum() == 1  # flagged, not dropped
    roles = {
        t: (s, b)
        for t, s, b in zip(df["job_title"], df["role_strict"], df["role_broad"], strict=True)
    }
    assert roles["Data Scientist"] == ("data_scientist", "data_scientist")
    assert roles["Lead Data Scientist"] == ("other", "data_scientist")
    assert roles["ML Engineer"] == ("other", "ml_engineer")
    assert roles["MLOps Engineer"] == ("other", "other")
    assert roles["Machine Learning Engineer"] == ("ml_engineer", "ml_engineer")
    lead = df[df.job_title == "Lead Data Scientist"].iloc[0]
    assert lead.salary_local == 60000 and lead.salary_currency == "EUR"
    assert lead.salary_usd_annual == 65000 and lead.employee_country_code == "DE"
    assert lead.seniority == "mid" and lead.remote_ratio_pct == 100
    assert list(df["seniority"]) == ["senior", "mid", "entry", "senior", "executive", "senior"]


def test_renamed_column_is_named_in_the_error() -> None:
    bad = SIX.replace(b"salary_in_usd", b"salary_usd", 1)
    with pytest.raises(ParseError, match="missing: salary_in_usd") as ei:
        parse(bad)
    assert "salary_usd" in str(ei.value)  # what was found instead is listed too


def test_non_utf8_bytes_are_a_clear_error() -> None:
    bad = SIX.replace(b"MLOps Engineer", b"MLOps Ing\xe9nieur")
    with pytest.raises(ParseError, match=r"not UTF-8 text \(byte \d+\)"):
        parse(bad)


def test_utf8_bom_is_accepted() -> None:
    # NOTE: a file saved by a spreadsheet program starts with a BOM; the header must still match
    df = parse(b"\xef\xbb\xbf" + SIX)
    assert list(df.columns)[0] == "work_year"


def test_non_numeric_salary_is_named() -> None:
    bad = SIX.replace(b",150000,USD,150000,", b",150k,USD,150000,", 1)
    with pytest.raises(ParseError, match="column salary has 1 non-numeric values, e.g. '150k'"):
        transform(parse(bad))


def test_generated_fixture_passes_the_schema() -> None:
    out = validate("salaries", transform(parse(aijobs_csv(120, duplicates=3))))
    assert len(out) == 123
    assert out["salary_usd_annual"].min() == 50_000 and out["salary_usd_annual"].max() == 169_000


def test_exact_duplicate_rows_are_kept_and_flagged():
    from etl.sources import aijobs_salaries

    header = "work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,employee_residence,remote_ratio,company_location,company_size"
    row = "2024,SE,FT,Data Scientist,150000,USD,150000,US,0,US,M"
    other = "2024,SE,FT,Data Scientist,150000,USD,150000,US,0,US,L"
    df = aijobs_salaries.transform(
        aijobs_salaries.parse(f"{header}\n{row}\n{other}\n{row}\n{row}\n".encode())
    )
    assert len(df) == 4
    assert df["is_exact_duplicate"].tolist() == [False, False, True, True]


def test_salary_counts_count_every_response_once_missing_values_included():
    import pandas as pd

    from etl.schema import SALARY_COUNT_COLUMNS
    from etl.sources.aijobs_salaries import salary_counts

    row = {
        "work_year": 2025,
        "company_country_code": "US",
        "experience_level": "SE",
        "employment_type": "FT",
        "remote_ratio_pct": 0,
        "company_size": "L",
        "role_strict": "ml_engineer",
        "role_broad": "ml_engineer",
        "is_exact_duplicate": False,
        "salary_usd_annual": 200_000.0,
        "job_title": "ML Engineer",
    }
    rows = pd.DataFrame(
        [
            row,
            {**row, "job_title": "MLE"},
            {**row, "company_size": None},
            {**row, "work_year": 2024},
        ]
    ).astype({"company_size": "string"})
    counts = salary_counts(rows)
    assert list(counts.columns) == [*SALARY_COUNT_COLUMNS, "n"]
    # job_title is not a count column: the first two rows are one combination
    assert counts["n"].sum() == 4 and len(counts) == 3
    assert counts.loc[counts["company_size"].isna(), "n"].tolist() == [1]
