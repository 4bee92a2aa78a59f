"""Google Jobs postings (data_jobs xlsx) and CPI-U: parsing, roles, repeats, skills, salaries and
the aggregates, on the hand-made files of tests/support_gj.py (values checkable by hand)."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from etl import schema
from etl.sources import cpi_us, google_jobs
from etl.sources.base import ParseError
from etl.transform import gj_postings, prices
from etl.vocab import HOURS_PER_YEAR
from tests import support_gj


def build(salary_rows=None, month_rows=None) -> dict[str, pd.DataFrame]:  # type: ignore[no-untyped-def]
    frames = []
    for name, rows, monthly in (
        (google_jobs.SALARY_FILE, salary_rows or support_gj.salary_rows(), False),
        (google_jobs.month_file(12), month_rows or support_gj.month_rows(), True),
    ):
        df = google_jobs.parse_workbook(support_gj.gj_workbook(rows, monthly=monthly), name)
        df.insert(0, "source_file", name)
        df.insert(1, "sample", google_jobs.sample_of(name))
        frames.append(df)
    tables = gj_postings.build_tables(pd.concat(frames, ignore_index=True))
    return {
        t: schema.validate(t, df) if schema.TABLES[t].min_rows <= len(df) else df
        for t, df in tables.items()
    }


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return build()


# --- skills lists ------------------------------------------------------------------------------


def test_skill_list_is_read_as_a_literal_never_run():
    assert gj_postings.parse_skill_list("['sql', 'python', 'SQL']") == ("sql", "python")
    assert gj_postings.parse_skill_list("[]") == ()
    assert gj_postings.parse_skill_list(None) is None
    assert gj_postings.parse_skill_list("  ") is None
    with pytest.raises(ValueError, match="not a list literal"):
        gj_postings.parse_skill_list("__import__('os').system('echo hi')")
    with pytest.raises(ValueError, match="not a list of strings"):
        gj_postings.parse_skill_list("{'programming': ['sql']}")
    with pytest.raises(ValueError, match="not a list of strings"):
        gj_postings.parse_skill_list("['sql', 3]")


def test_a_broken_skills_list_names_the_file_and_row():
    rows = support_gj.salary_rows()
    rows[2] = rows[2][:15] + ("['sql', python]",)
    with pytest.raises(ParseError, match=r"data_jobs_salary_all.xlsx: job_skills of sheet row 4"):
        build(rows)


# --- parsing -----------------------------------------------------------------------------------


def test_renamed_column_and_bad_date_are_named():
    with pytest.raises(ParseError, match="expected columns missing: job_skills"):
        google_jobs.parse_workbook(
            support_gj.gj_workbook(rename={"job_skills": "skills"}), "x.xlsx"
        )
    rows = support_gj.salary_rows()
    rows[1] = rows[1][:7] + (12345,) + rows[1][8:]
    with pytest.raises(
        ParseError, match=r"x.xlsx: job_posted_date is not a date in 1 rows \(sheet row 3"
    ):
        google_jobs.parse_workbook(support_gj.gj_workbook(rows), "x.xlsx")


def test_unknown_salary_rate_is_refused():
    rows = support_gj.salary_rows()
    rows[0] = rows[0][:11] + ("month",) + rows[0][12:]
    with pytest.raises(
        ParseError, match="salary_rate has 1 values other than year/hour, e.g. 'month'"
    ):
        build(rows)


def test_posted_date_and_samples(tables):
    p = tables["gj_postings"]
    assert p["posted_date"].min() == pd.Timestamp("2023-03-01")
    assert set(p.loc[p["sample"] == "all_postings", "posted_month"]) == {pd.Timestamp("2024-12-01")}
    assert p.groupby("sample").size().to_dict() == {"all_postings": 6, "salary_stated": 13}


# --- repeats and the place searched --------------------------------------------------------------


def test_a_posting_found_by_two_searches_is_counted_once(tables):
    p, s = tables["gj_postings"], tables["gj_search_rows"]
    assert len(p) == 19  # 14 + 6 rows, one repeat
    first = p[p["job_title"] == "Data Scientist 0"].iloc[0]
    assert first["search_rows"] == 2 and first["search_locations"] == 2
    assert first["search_location"] == "Texas, United States"  # the first search that found it
    places = s[s["gj_posting_id"] == first["gj_posting_id"]]
    assert sorted(places["search_location"]) == ["Sudan", "Texas, United States"]
    assert sorted(places["job_country"]) == ["Sudan", "United States"]
    cov = gj_postings.gj_coverage(tables, [google_jobs.month_file(m) for m in google_jobs.MONTHS])
    assert cov["source_rows"] == 20 and cov["postings"] == 19 and cov["repeated_rows"] == 1
    assert cov["postings_found_by_several_searches"] == 1
    assert cov["files_not_published"] == [google_jobs.month_file(m) for m in range(1, 12)]


def test_posting_ids_are_stable_across_runs(tables):
    again = build()
    assert sorted(again["gj_postings"]["gj_posting_id"]) == sorted(
        tables["gj_postings"]["gj_posting_id"]
    )


# --- roles -------------------------------------------------------------------------------------


def test_roles_from_the_label_and_the_postings_own_title(tables):
    p = tables["gj_postings"]
    strict = p["role_strict"].value_counts().to_dict()
    broad = p["role_broad"].value_counts().to_dict()
    # 10 + 3 labelled Data Scientist; 'Senior Data Scientist' only under broad
    assert strict["data_scientist"] == 13 and broad["data_scientist"] == 14
    # 2 + 'ML Engineer' (label Machine Learning Engineer); the one titled 'AI Engineer' is ours
    assert strict["ml_engineer"] == 3 and broad["ml_engineer"] == 3
    assert strict["ai_engineer"] == 1
    assert (
        p.loc[p["job_title"] == "AI Engineer", "job_title_short"].iloc[0]
        == "Machine Learning Engineer"
    )
    # a strict role always holds under broad
    held = p["role_strict"] != "other"
    assert (p.loc[held, "role_strict"] == p.loc[held, "role_broad"]).all()


# --- salaries ----------------------------------------------------------------------------------


def test_yearly_and_hourly_salaries(tables):
    p = tables["gj_postings"]
    ml = p[(p["role_strict"] == "ml_engineer") & (p["sample"] == "salary_stated")]
    assert sorted(ml["pay_usd_year"]) == [60 * HOURS_PER_YEAR, 70 * HOURS_PER_YEAR]
    assert HOURS_PER_YEAR == 2080
    py = tables["gj_pay_yearly"].set_index(["definition", "role", "posted_year", "sample"])
    ds = py.loc[("strict", "data_scientist", 2023, "salary_stated")]
    assert ds["postings_stating_pay"] == 10 and ds["pay_mid_median_usd"] == 145_000
    mlr = py.loc[("strict", "ml_engineer", 2023, "salary_stated")]
    assert mlr["salaries_hourly"] == 2 and mlr["pay_mid_median_usd"] == (124_800 + 145_600) / 2
    dec = py.loc[("strict", "data_scientist", 2024, "all_postings")]
    assert dec["role_postings"] == 3 and dec["postings_stating_pay"] == 0


# --- skills ------------------------------------------------------------------------------------


def test_skills_mapped_to_the_taxonomy_and_unmapped_reported(tables):
    sm = tables["gj_skill_map"].set_index(["source_skill", "skill"])
    assert sm.loc[("excel", "Excel"), "mapped_by"] == "override"
    assert sm.loc[("no-sql", "NoSQL"), "mapped_by"] == "override"
    assert sm.loc[("python", "Python"), "mapped_by"] == "taxonomy"
    assert sm.loc[("r", "R"), "postings"] == 3
    unmapped = tables["gj_skill_map"].query("mapped_by == 'unmapped'")
    assert sorted(unmapped["source_skill"]) == ["flow", "oracle"]
    ps = tables["gj_posting_skills"]
    p = tables["gj_postings"]
    first = p.loc[p["job_title"] == "Data Scientist 0", "gj_posting_id"].iloc[0]
    assert sorted(ps.loc[ps["gj_posting_id"] == first, "skill"]) == ["Excel", "Python", "SQL"]


def test_skill_and_role_aggregates(tables):
    rm = tables["gj_role_monthly"].set_index(["definition", "role", "posted_month", "sample"])
    dec = rm.loc[("strict", "data_scientist", pd.Timestamp("2024-12-01"), "all_postings")]
    assert dec["role_postings"] == 3 and dec["month_postings"] == 6
    assert dec["posting_share_pct"] == 50.0 and dec["postings_with_skills_list"] == 3
    # months without postings of a role are rows with zero
    assert (
        rm.loc[
            ("strict", "ai_engineer", pd.Timestamp("2024-12-01"), "all_postings"), "role_postings"
        ]
        == 0
    )
    # the AI engineer has no skills list: counted in the postings, not in the listed ones
    apr = rm.loc[("strict", "ai_engineer", pd.Timestamp("2023-04-01"), "salary_stated")]
    assert apr["role_postings"] == 1 and apr["postings_with_skills_list"] == 0
    sk = tables["gj_skill_monthly"].set_index(
        ["definition", "role", "posted_month", "sample", "skill"]
    )
    assert (
        sk.loc[
            ("strict", "data_scientist", pd.Timestamp("2024-12-01"), "all_postings", "R"),
            "postings_with_skill",
        ]
        == 3
    )
    mar = sk.xs(
        ("strict", "data_scientist", "salary_stated", "SQL"),
        level=["definition", "role", "sample", "skill"],
    )
    assert int(mar["postings_with_skill"].sum()) == 10


# --- CPI-U -------------------------------------------------------------------------------------


def test_cpi_annual_averages_base_year_and_factors():
    monthly = cpi_us.parse(support_gj.cpi_csv()).reset_index(drop=True)
    annual = prices.annual_averages(monthly)
    assert annual.set_index("calendar_year")["months"].to_dict() == {2022: 12, 2023: 12, 2024: 3}
    assert prices.base_year(annual) == 2023  # 2024 has 3 months only
    f = prices.factors(annual, 2023)
    assert f[2022] == pytest.approx(1.1) and f[2023] == 1.0
    out = prices.deflate(pd.Series([100_000.0, 100_000.0]), pd.Series([2022, 2030]), f)
    assert out.iloc[0] == pytest.approx(110_000) and pd.isna(out.iloc[1])
    cov = prices.cpi_coverage(monthly, annual)
    assert (
        cov["base_year"] == 2023
        and cov["partial_years"] == {"2024": 3}
        and cov["months_missing"] == []
    )


def test_cpi_faults_are_named():
    with pytest.raises(ParseError, match="1 months appear twice"):
        cpi_us.parse(support_gj.cpi_csv(duplicate=True))
    with pytest.raises(ParseError, match="expected columns missing: Index"):
        cpi_us.parse(support_gj.cpi_csv(header="Date,Value,Inflation"))
    bad = support_gj.cpi_csv().replace(b"2023-05-01,110.0", b"2023-05-01,n/a")
    with pytest.raises(ParseError, match="column Index has 1 unreadable values, e.g. 'n/a'"):
        cpi_us.parse(bad)


def test_a_gap_month_is_reported():
    raw = support_gj.cpi_csv().replace(b"2023-10-01,110.0,\n", b"")
    monthly = cpi_us.parse(raw).reset_index(drop=True)
    annual = prices.annual_averages(monthly)
    cov = prices.cpi_coverage(monthly, annual)
    assert cov["months_missing"] == ["2023-10"] and cov["base_year"] == 2022
    assert prices.describe_cpi(cov).startswith("monthly 2022-01..2024-03 (no index for 2023-10)")


def test_dates_as_iso_text_are_read():
    rows = support_gj.salary_rows()
    rows[0] = rows[0][:7] + ("2023-03-01 09:00:00",) + rows[0][8:]
    df = google_jobs.parse_workbook(support_gj.gj_workbook(rows), "x.xlsx")
    assert df["job_posted_date"].iloc[0] == datetime(2023, 3, 1, 9)


def test_claims_count_a_posting_once_whatever_skills_it_lists(tables):
    c = tables["gj_claim_monthly"]
    strict = c[c["definition"] == "strict"]
    sql = strict[(strict["claim"] == "ds_sql") & (strict["role"] == "data_scientist")]
    assert sql.groupby("sample")["postings_mentioning"].sum().to_dict() == {
        "all_postings": 3,
        "salary_stated": 10,
    }
    cloud = strict[(strict["claim"] == "ml_cloud") & (strict["role"] == "ml_engineer")]
    assert int(cloud["postings_mentioning"].sum()) == 2  # 'aws' in the two hourly postings
    # the source lists tools, not methods: no posting counts for linear regression
    assert c[c["claim"] == "ds_linear_regression"].empty
