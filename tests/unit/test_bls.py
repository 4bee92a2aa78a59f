"""BLS OEWS national workbook parsing on a fixture zip written here with openpyxl."""

from __future__ import annotations

import io
import math
import zipfile

import pytest

from etl.schema import validate
from etl.sources.base import ParseError
from etl.sources.bls_oews import parse_zip
from tests.conftest import BLS_ROWS, bls_workbook, bls_zip


def _by_code(df):  # type: ignore[no-untyped-def]
    return {r.soc_code: r for r in df.itertuples()}


def test_fixture_zip_layout() -> None:
    zf = zipfile.ZipFile(io.BytesIO(bls_zip(2023)))
    assert zf.namelist() == ["oesm23nat/national_M2023_dl.xlsx"]


def test_parse_keeps_detailed_target_occupations_with_markers() -> None:
    df = parse_zip(bls_zip(2023), "oesm23nat.zip")
    assert sorted(df["soc_code"]) == ["15-1221", "15-1252", "15-2051"]  # totals/major dropped
    rows = _by_code(df)
    ds = rows["15-2051"]
    assert ds.year == 2023 and ds.employment == 192710
    assert ds.wage_annual_median_usd == 108020 and ds.wage_hourly_median_usd == 51.93
    assert not ds.is_proxy and ds.role == "data_scientist" and ds.topcoded_columns == ""
    # "**" -> employment NA
    assert rows["15-1252"].employment is None or math.isnan(rows["15-1252"].employment)
    # "*" -> NA; "#" -> NA and listed as top-coded
    cirs = rows["15-1221"]
    assert math.isnan(cirs.wage_annual_mean_usd)
    assert math.isnan(cirs.wage_annual_p90_usd)
    assert cirs.topcoded_columns == "wage_annual_p90_usd"
    assert cirs.wage_annual_p75_usd == 185160
    for code in ("15-1252", "15-1221"):
        assert rows[code].is_proxy and rows[code].role == "ml_engineer"
        assert "proxy" in rows[code].role_label
    out = validate("oews_wages", df)
    assert len(out) == 3 and out["is_proxy"].sum() == 2


def test_lower_case_columns_of_older_years_are_accepted() -> None:
    df = parse_zip(bls_zip(2021, lower_case=True), "oesm21nat.zip")
    assert len(df) == 3 and set(df["year"]) == {2021}


def test_missing_sheet_is_named() -> None:
    raw = bls_zip(2023, sheet="Sheet1")
    with pytest.raises(ParseError, match="sheet 'national_M2023_dl' not found"):
        parse_zip(raw, "oesm23nat.zip")


def test_renamed_column_is_named() -> None:
    raw = bls_zip(2023, rename={"TOT_EMP": "EMPLOYMENT"})
    with pytest.raises(ParseError, match="lacks columns TOT_EMP"):
        parse_zip(raw, "oesm23nat.zip")


def test_not_a_zip_and_wrong_member() -> None:
    with pytest.raises(ParseError, match="not a zip archive"):
        parse_zip(b"PK\x03\x04 broken", "x.zip")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("readme.txt", "nothing")
    with pytest.raises(ParseError, match="expected one national_M<YYYY>_dl.xlsx"):
        parse_zip(buf.getvalue(), "x.zip")


def test_broken_workbook_inside_zip() -> None:
    raw = bls_zip(2023, workbook=b"not an xlsx")
    with pytest.raises(ParseError, match="not a readable workbook"):
        parse_zip(raw, "oesm23nat.zip")


def test_unexpected_marker_is_an_error() -> None:
    rows = tuple(r if r[0] != "15-2051" else (*r[:7], "n/a", *r[8:]) for r in BLS_ROWS)
    with pytest.raises(ParseError, match="unexpected value 'n/a' in A_MEDIAN for 15-2051"):
        parse_zip(bls_zip(2023, rows=rows), "oesm23nat.zip")


def test_no_data_scientist_row_is_an_error() -> None:
    rows = tuple(r for r in BLS_ROWS if r[0] != "15-2051")
    with pytest.raises(ParseError, match="15-2051"):
        parse_zip(bls_zip(2023, rows=rows), "oesm23nat.zip")


def test_workbook_helper_writes_real_sheet_names() -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(bls_workbook(2024)), read_only=True)
    assert wb.sheetnames == ["national_M2024_dl", "Field Descriptions", "UpdateTime", "Filler"]
