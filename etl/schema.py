"""The field dictionary (type, unit, description of every published column) and each published
table's checks. Reads DataFrames, writes nothing; `validate` raises SchemaError listing every problem.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pandas as pd

from etl.vocab import (
    EARLY_SNAPSHOT_DAYS,
    GJ_SAMPLES,
    HOURLY_RULE,
    LAST_POSTING_DAYS,
    SKILL_ATTRIBUTIONS,
)
from etl.vocab import ROLES as VOCAB_ROLES

ROLES = (*VOCAB_ROLES, "other")  # a salary title can map to no role
CURRENT_YEAR = datetime.now(UTC).year


class SchemaError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    dtype: str  # "int64", "Int64" (nullable), "float64", "string", "bool", "datetime64[ns, UTC]", "date"
    unit: str
    description: str
    nullable: bool = False


FIELDS: dict[str, Field] = {
    # --- shared
    "role": Field("string", "", "role: data_scientist, ml_engineer, ai_engineer or other"),
    "is_exact_duplicate": Field(
        "bool",
        "",
        "the row repeats an earlier row of the source file in every column (kept; the dashboard can count such rows once)",
    ),
    "role_strict": Field(
        "string",
        "",
        "role under the strict definition (exact job titles; etl/mappings/job_titles.csv)",
    ),
    "role_broad": Field(
        "string",
        "",
        "role under the broad definition (reviewed title variants; etl/mappings/job_titles.csv)",
    ),
    # --- aijobs salaries
    "n": Field("int64", "responses", "survey responses with exactly these values (salary_counts)"),
    "work_year": Field("int64", "year", "year the salary was paid"),
    "experience_level": Field(
        "string", "", "aijobs code: EN entry, MI mid, SE senior, EX executive"
    ),
    "seniority": Field("string", "", "experience_level spelled out: entry, mid, senior, executive"),
    "employment_type": Field("string", "", "FT full-time, PT part-time, CT contract, FL freelance"),
    "job_title": Field("string", "", "job title as reported (free text)"),
    "salary_local": Field(
        "float64", "salary_currency per year", "gross annual salary in the original currency"
    ),
    "salary_currency": Field("string", "ISO 4217", "currency the salary was paid in"),
    "salary_usd_annual": Field(
        "float64",
        "USD per year",
        "gross annual salary in USD, the source's own conversion (salary_in_usd)",
    ),
    "employee_country_code": Field(
        "string", "ISO 3166-1 alpha-2", "employee's country of residence"
    ),
    "company_country_code": Field(
        "string", "ISO 3166-1 alpha-2", "country of the employer's main office"
    ),
    "remote_ratio_pct": Field("int64", "%", "share of work done remotely: 0, 50 or 100"),
    "company_size": Field("string", "", "S (<50 employees), M (50-250), L (>250)"),
    # --- BLS OEWS
    "year": Field("int64", "year", "OEWS reference year (estimates for May of that year)"),
    "soc_code": Field("string", "SOC 2018", "occupation code"),
    "occupation_title": Field("string", "", "BLS occupation title"),
    "is_proxy": Field(
        "bool",
        "",
        "true when the occupation only stands in for the role (no SOC code exists for ML engineers)",
    ),
    "role_label": Field("string", "", "how the dashboard labels the series, proxies named as such"),
    "employment": Field(
        "float64", "jobs", "estimated employment (NA where BLS prints **)", nullable=True
    ),
    "wage_annual_mean_usd": Field(
        "float64", "USD per year", "mean annual wage (NA where BLS prints *)", nullable=True
    ),
    "wage_annual_p10_usd": Field(
        "float64", "USD per year", "10th percentile annual wage", nullable=True
    ),
    "wage_annual_p25_usd": Field(
        "float64", "USD per year", "25th percentile annual wage", nullable=True
    ),
    "wage_annual_median_usd": Field("float64", "USD per year", "median annual wage", nullable=True),
    "wage_annual_p75_usd": Field(
        "float64", "USD per year", "75th percentile annual wage", nullable=True
    ),
    "wage_annual_p90_usd": Field(
        "float64", "USD per year", "90th percentile annual wage", nullable=True
    ),
    "wage_hourly_median_usd": Field("float64", "USD per hour", "median hourly wage", nullable=True),
    "topcoded_columns": Field(
        "string",
        "",
        "wage columns BLS top-coded with # (value withheld, above the top-code threshold); empty when none",
    ),
    # --- Indeed Hiring Lab
    "date": Field("date", "day", "day the 7-day trailing average ends"),
    "sector": Field("string", "", "Indeed occupational sector (display_name)"),
    "variable": Field("string", "", "Indeed series: total postings or new postings"),
    "postings_index": Field(
        "float64",
        "index, 1 Feb 2020 = 100",
        "Indeed job postings index (sector files are not seasonally adjusted)",
    ),
    "postings_index_sa": Field(
        "float64", "index, 1 Feb 2020 = 100", "seasonally adjusted index", nullable=True
    ),
    "postings_index_nsa": Field(
        "float64", "index, 1 Feb 2020 = 100", "not seasonally adjusted index", nullable=True
    ),
    "country_code": Field("string", "ISO 3166-1 alpha-2", "country"),
    "example_titles": Field("string", "", "example job titles Indeed files under the sector"),
    "proxy_for": Field(
        "string", "", "role this sector is a labelled proxy for, empty when none", nullable=True
    ),
    # --- Hacker News "Who is hiring?"
    "thread_id": Field("int64", "", "Hacker News story id of the monthly thread"),
    "title": Field("string", "", "thread title, e.g. 'Ask HN: Who is hiring? (May 2026)'"),
    "thread_month": Field("date", "month (first day)", "month named in the thread title"),
    "created_at": Field(
        "datetime64[ns, UTC]",
        "UTC",
        "when the thread or posting was created (archived copies carry one reconstructed time, the 1st of the month; "
        "the published coverage lists those threads)",
    ),
    "num_comments": Field(
        "int64", "comments", "comment count reported by the search API (replies included)"
    ),
    "snapshot_fetched_at": Field(
        "datetime64[ns, UTC]", "UTC", "when the thread's item file was downloaded"
    ),
    "postings": Field(
        "int64", "postings", "number of postings (Hacker News: top-level comments with text)"
    ),
    "last_posting_at": Field(
        "datetime64[ns, UTC]", "UTC", "time of the thread's newest posting in the snapshot"
    ),
    "is_partial": Field(
        "bool",
        "",
        f"the month is incomplete: snapshotted less than {EARLY_SNAPSHOT_DAYS} days after the thread opened, "
        f"or its newest posting is less than {LAST_POSTING_DAYS} days after (archived or early copies)",
    ),
    "posting_id": Field("int64", "", "Hacker News comment id of the posting"),
    "author": Field("string", "", "Hacker News user name of the poster (empty when deleted)"),
    "text": Field(
        "string",
        "",
        "posting text as plain text: kept for skill extraction, never shown in full or exported",
    ),
    "first_line": Field(
        "string", "", "first non-empty line of the posting (where most postings name the role)"
    ),
    "is_data_scientist_header": Field(
        "bool", "", "first line names a data-scientist opening (etl/mappings/hn_role_rules.csv)"
    ),
    "is_ml_engineer_header": Field("bool", "", "first line names an ML-engineer opening"),
    "is_ai_engineer_header": Field("bool", "", "first line names an AI-engineer opening"),
    "is_data_scientist_anywhere": Field("bool", "", "text anywhere names a data-scientist opening"),
    "is_ml_engineer_anywhere": Field("bool", "", "text anywhere names an ML-engineer opening"),
    "is_ai_engineer_anywhere": Field("bool", "", "text anywhere names an AI-engineer opening"),
    "definition": Field(
        "string",
        "",
        "role definition: header (first line) or anywhere (whole text) for Hacker News; strict (exact "
        "titles) or broad (reviewed variants) for title-based sources",
    ),
    "month_postings": Field(
        "int64",
        "postings",
        "all postings of the month (Hacker News: its thread; Google Jobs: the sample's postings of the month): the share's denominator",
    ),
    "posting_share_pct": Field(
        "float64", "%", "share of the denominator's postings", nullable=True
    ),
    "share_ma3_pct": Field(
        "float64",
        "%",
        "trailing 3-month moving average of posting_share_pct over the months present",
        nullable=True,
    ),
    "distinct_authors": Field("int64", "authors", "distinct posters behind the role's postings"),
    "ml_per_ds_ratio": Field(
        "float64",
        "ratio",
        "ML-engineer postings per data-scientist posting that month (NA when no data-scientist posting)",
        nullable=True,
    ),
    # --- role evidence
    "rule_id": Field(
        "string", "", "id of the rule that fired (etl/mappings/hn_role_rules.csv, column rule_id)"
    ),
    "rule_kind": Field(
        "string",
        "",
        "include (the mention that makes the posting an opening) or exclude (a mention masked out)",
    ),
    "start_char": Field(
        "int64",
        "characters",
        "offset of the match's first character in the searched text (first_line for header, text for anywhere)",
    ),
    "end_char": Field("int64", "characters", "offset just past the match's last character"),
    "attribution": Field(
        "string",
        "",
        "how a skill or a pay range was tied to a role's job: single_job (the ad offers one job), job_part "
        "(it sits in the part of the ad about that job), job_section (a skill: it sits in the lines below that "
        "job's title line, before the next job or header), company_wide (a part that names no job, or a stack "
        "line; for pay also a header field that names no job, in an ad with several jobs), other_job (a range of another job: role other), no_role (the posting offers none of our roles)",
    ),
    # --- posted pay
    "pay_min": Field(
        "float64",
        "currency units per period",
        "lower end of a salary range stated in the posting, in its own currency and period (empty for 'up to X')",
        nullable=True,
    ),
    "pay_max": Field(
        "float64",
        "currency units per period",
        "upper end of the range (empty for 'X+'; equal to pay_min for a single amount)",
        nullable=True,
    ),
    "currency": Field(
        "string",
        "ISO 4217",
        "currency of the range as the posting writes it ('150-200k' with no mark: the ad's other currency, else USD)",
    ),
    "period": Field("string", "", "year, month, day or hour (year when the posting names none)"),
    "postings_stating_pay": Field(
        "int64",
        "postings",
        "the role's postings that state a salary range for the role (any currency or period)",
    ),
    "pay_min_usd_annual": Field(
        "float64",
        "USD per year",
        "pay_min in US dollars per year: times the periods in a year (etl/vocab.py PERIODS_PER_YEAR), at the "
        "posting year's average exchange rate (etl/mappings/fx_yearly.csv, Federal Reserve G.5A); empty "
        "without a rate",
        nullable=True,
    ),
    "pay_max_usd_annual": Field(
        "float64", "USD per year", "pay_max converted like pay_min_usd_annual", nullable=True
    ),
    "usd_conversion": Field(
        "string",
        "",
        "as_posted (US dollars), fx_yearly (converted at the year's average rate) or no_rate (no rate for "
        "that currency and year: left unconverted, never taken at 1:1)",
    ),
    "ranges_usd_year": Field(
        "int64",
        "ranges",
        "salaries (a yearly or monthly range with both ends) posted in US dollars: the percentiles' n",
    ),
    "ranges_all_currencies": Field(
        "int64",
        "ranges",
        "salaries with both ends in any currency that has a rate for the year (US dollars included)",
    ),
    "pay_mid_median_all_usd": Field(
        "float64",
        "USD per year",
        "median of the midpoints of the ranges_all_currencies salaries, converted to US dollars per year",
        nullable=True,
    ),
    "ranges_no_rate": Field(
        "int64",
        "ranges",
        "the role's ranges of the year left unconverted: no exchange rate for their currency and year",
    ),
    "pay_mid_p25_usd": Field(
        "float64", "USD per year", "25th percentile of the midpoints of those ranges", nullable=True
    ),
    "pay_mid_median_usd": Field(
        "float64", "USD per year", "median of the midpoints of those ranges", nullable=True
    ),
    "pay_mid_p75_usd": Field(
        "float64", "USD per year", "75th percentile of the midpoints of those ranges", nullable=True
    ),
    # --- skills
    "skill": Field("string", "", "canonical skill name (etl/mappings/skills.csv)"),
    "category": Field("string", "", "skill category (languages, cloud, mlops_deployment, ...)"),
    "posted_year": Field(
        "int64",
        "year",
        "year the postings belong to (Hacker News: of the thread month; Google Jobs: of posted_date)",
    ),
    "postings_with_skill": Field(
        "int64", "postings", "postings of the group that mention the skill"
    ),
    "role_postings": Field(
        "int64", "postings", "all postings of the group (the share's denominator)"
    ),
    "pair_only_postings": Field(
        "Int64",
        "postings",
        "the role's postings not flagged as the other compared role (the two independent groups of the "
        "log-odds and the convergence measure); empty for a role outside the comparison",
        nullable=True,
    ),
    "pair_only_with_skill": Field(
        "Int64",
        "postings",
        "of those, the postings that mention the skill; empty for a role outside the comparison",
        nullable=True,
    ),
    "claim": Field("string", "", "claim key (etl/vocab.py CLAIMS: who is said to use what)"),
    "postings_mentioning": Field(
        "int64", "postings", "the role's postings that mention any skill the claim counts"
    ),
    "skill_a": Field("string", "", "first skill of the pair (alphabetical order)"),
    "skill_b": Field("string", "", "second skill of the pair"),
    "pair_postings": Field("int64", "postings", "the role's postings that mention both skills"),
    "n_a": Field(
        "int64", "postings", "ML-engineer postings not flagged as data scientist (the first group)"
    ),
    "n_b": Field(
        "int64", "postings", "data-scientist postings not flagged as ML engineer (the second group)"
    ),
    "cosine": Field(
        "float64",
        "0-1",
        "cosine similarity of the two groups' skill-share vectors (1 = the same profile); empty "
        "below the era-match minimum n",
        nullable=True,
    ),
    "ci_low": Field("float64", "0-1", "lower end of the bootstrap interval", nullable=True),
    "ci_high": Field("float64", "0-1", "upper end of the bootstrap interval", nullable=True),
    "aliases": Field(
        "string", "", "the words that count as the skill (| separated), or its regular expression"
    ),
    "rule": Field("string", "", "how aliases match: word, case_sensitive or regex"),
    "anchors": Field(
        "string",
        "",
        "for a regex: tokens one of which every match contains (the matcher's pre-filter)",
    ),
    "note": Field("string", "", "why the rule is as it is"),
    "reason": Field("string", "", "why the title maps to its roles"),
    # --- Google Jobs postings (google_jobs_data_roles)
    "gj_posting_id": Field(
        "int64",
        "",
        "id of a distinct Google Jobs posting: a hash of its columns other than the place searched "
        "(rows repeated across or within searches share it)",
    ),
    "source_file": Field("string", "", "file of the source the row comes from"),
    "sample": Field(
        "string",
        "",
        "which postings the file holds: " + "; ".join(f"{k} = {v}" for k, v in GJ_SAMPLES.items()),
    ),
    "posted_date": Field("date", "day", "day the posting was published (job_posted_date)"),
    "posted_month": Field("date", "month (first day)", "month of posted_date"),
    "job_title_short": Field(
        "string", "", "the collector's role label (10 classes; no AI Engineer class)"
    ),
    "company_name": Field("string", "", "employer as the posting names it"),
    "job_location": Field("string", "", "where the job is, as the posting says"),
    "job_via": Field("string", "", "the job board the search result came from"),
    "job_schedule_type": Field("string", "", "full-time, contractor, part-time, ..."),
    "is_remote": Field("bool", "", "the posting says work from home"),
    "search_location": Field(
        "string",
        "",
        "the place searched, NOT where the job is (a Nebraska job can carry 'Sudan'); on gj_postings the "
        "first search that found the posting",
    ),
    "search_rows": Field(
        "int64",
        "rows",
        "rows of the source file behind the posting (repeats across or within searches)",
    ),
    "search_locations": Field("int64", "places", "distinct places searched that found the posting"),
    "source_rows": Field("int64", "rows", "rows of the source file behind the count"),
    "job_country": Field(
        "string", "", "country the source gives; it follows the place searched, not the job"
    ),
    "has_skills_list": Field("bool", "", "the posting carries a skills list (job_skills)"),
    "salary_rate": Field(
        "string",
        "",
        "year or hour: the period of the posted salary (empty when none)",
        nullable=True,
    ),
    "salary_posted": Field(
        "float64",
        "USD per salary_rate",
        "salary as posted (the collector's midpoint of the posted range), per year or per hour",
        nullable=True,
    ),
    "pay_usd_year": Field(
        "float64", "USD per year", f"salary in US dollars per year; {HOURLY_RULE}", nullable=True
    ),
    "source_skill": Field("string", "", "skill name as the source lists it (job_skills)"),
    "mapped_by": Field(
        "string",
        "",
        "override (etl/mappings/gj_skills.csv), taxonomy (the aliases of etl/mappings/skills.csv) or unmapped",
    ),
    "postings_with_skills_list": Field(
        "int64", "postings", "the group's postings that carry a skills list (the other denominator)"
    ),
    "distinct_companies": Field("int64", "companies", "distinct company names behind the postings"),
    "salaries_hourly": Field(
        "int64",
        "postings",
        f"postings stating an hourly salary (in the percentiles: {HOURLY_RULE})",
    ),
    # --- CPI-U
    "month": Field("date", "month (first day)", "month of the index"),
    "cpi_index": Field(
        "float64", "index, 1982-84 = 100", "CPI-U all items, not seasonally adjusted"
    ),
    "calendar_year": Field("int64", "year", "calendar year"),
    "cpi_annual_avg": Field(
        "float64", "index, 1982-84 = 100", "mean of the year's monthly indexes published"
    ),
    "months": Field("int64", "months", "monthly indexes published in the year"),
    "is_complete": Field(
        "bool", "", "every month of the year is published (the average is BLS's annual average)"
    ),
}


Check = Callable[[pd.DataFrame], pd.Series]  # returns a boolean Series: True = row is bad


@dataclass(frozen=True)
class TableSchema:
    name: str
    description: str
    columns: tuple[str, ...]
    checks: dict[str, Check] = field(default_factory=dict)
    unique: tuple[str, ...] = ()
    min_rows: int = 1


def _not_in(col: str, allowed: tuple) -> Check:
    return lambda df: ~df[col].isin(allowed)


TABLES: dict[str, TableSchema] = {}
# the columns of salary_counts besides its count: the Pay view's filter columns and the salary
SALARY_COUNT_COLUMNS = (
    "work_year",
    "company_country_code",
    "experience_level",
    "employment_type",
    "remote_ratio_pct",
    "company_size",
    "role_strict",
    "role_broad",
    "is_exact_duplicate",
    "salary_usd_annual",
)


def register(schema: TableSchema) -> TableSchema:
    for c in schema.columns:
        if c not in FIELDS:
            raise KeyError(
                f"table {schema.name}: column {c!r} is missing from the field dictionary"
            )
    TABLES[schema.name] = schema
    return schema


register(
    TableSchema(
        "salaries",
        "aijobs.net salary survey, one row per response, with roles under both definitions",
        (
            "work_year",
            "experience_level",
            "seniority",
            "employment_type",
            "job_title",
            "salary_local",
            "salary_currency",
            "salary_usd_annual",
            "employee_country_code",
            "company_country_code",
            "remote_ratio_pct",
            "company_size",
            "role_strict",
            "role_broad",
            "is_exact_duplicate",
        ),
        {
            "salary_usd_annual must be > 0": lambda df: ~(df["salary_usd_annual"] > 0),
            "salary_local must be > 0": lambda df: ~(df["salary_local"] > 0),
            "work_year must be 2020..next year": lambda df: (
                ~df["work_year"].between(2020, CURRENT_YEAR + 1)
            ),
            "experience_level in EN/MI/SE/EX": _not_in(
                "experience_level", ("EN", "MI", "SE", "EX")
            ),
            "employment_type in FT/PT/CT/FL": _not_in("employment_type", ("FT", "PT", "CT", "FL")),
            "remote_ratio_pct in 0/50/100": _not_in("remote_ratio_pct", (0, 50, 100)),
            "company_size in S/M/L": _not_in("company_size", ("S", "M", "L")),
            "role_strict in allowed set": _not_in("role_strict", ROLES),
            "role_broad in allowed set": _not_in("role_broad", ROLES),
            "country codes are 2 letters": lambda df: (
                ~(
                    df["company_country_code"].str.fullmatch(r"[A-Z]{2}").fillna(False).astype(bool)
                    & df["employee_country_code"]
                    .str.fullmatch(r"[A-Z]{2}")
                    .fillna(False)
                    .astype(bool)
                )
            ),
            "salary_currency is 3 letters": lambda df: (
                ~df["salary_currency"].str.fullmatch(r"[A-Z]{3}").fillna(False).astype(bool)
            ),
        },
        min_rows=100,
    )
)

register(
    TableSchema(
        "salary_title_counts",
        "The survey's responses per job title with the roles the title map gives it: what Data & "
        "methods lists as the titles in no role (sum(n) = the salaries table's rows)",
        ("job_title", "role_strict", "role_broad", "n"),
        {"n must be > 0": lambda df: ~(df["n"] > 0)},
        unique=("job_title",),
    )
)

register(
    TableSchema(
        "salary_counts",
        "The survey's responses counted per distinct combination of the columns the Pay view "
        "filters on and the salary: what the dashboard's pay statistics read (sum(n) = the "
        "salaries table's rows)",
        SALARY_COUNT_COLUMNS + ("n",),
        {"n must be > 0": lambda df: ~(df["n"] > 0)},
        unique=SALARY_COUNT_COLUMNS,
    )
)

register(
    TableSchema(
        "oews_wages",
        "BLS OEWS national wage estimates for Data Scientists (15-2051) and the labelled ML-engineer proxies (15-1252, 15-1221)",
        (
            "year",
            "soc_code",
            "occupation_title",
            "role",
            "is_proxy",
            "role_label",
            "employment",
            "wage_annual_mean_usd",
            "wage_annual_p10_usd",
            "wage_annual_p25_usd",
            "wage_annual_median_usd",
            "wage_annual_p75_usd",
            "wage_annual_p90_usd",
            "wage_hourly_median_usd",
            "topcoded_columns",
        ),
        {
            "year must be 2019..next year": lambda df: ~df["year"].between(2019, CURRENT_YEAR + 1),
            "role in allowed set": _not_in("role", ROLES),
            "wages must be > 0 where present": lambda df: (
                df[[c for c in df.columns if c.startswith("wage_")]].le(0).any(axis=1)
            ),
            "percentiles must be ordered": lambda df: (
                (df["wage_annual_p10_usd"] > df["wage_annual_median_usd"])
                | (df["wage_annual_median_usd"] > df["wage_annual_p90_usd"])
            ).fillna(False),
            "proxies must be labelled": lambda df: (
                df["is_proxy"] & ~df["role_label"].str.contains("proxy")
            ),
        },
        unique=("year", "soc_code"),
    )
)


register(
    TableSchema(
        "indeed_sector_index",
        "Indeed job postings index per occupational sector, US (index, not counts); Mathematics and "
        "Software Development are labelled proxies for data scientists and ML engineers",
        ("date", "country_code", "sector", "variable", "postings_index", "proxy_for"),
        {
            "index must be > 0": lambda df: ~(df["postings_index"] > 0),
            "variable in total/new postings": _not_in(
                "variable", ("total postings", "new postings")
            ),
            "dates from 2020-02-01": lambda df: df["date"] < pd.Timestamp("2020-02-01"),
            "proxy_for in allowed roles": _not_in("proxy_for", ("", *ROLES)),
        },
        unique=("date", "country_code", "sector", "variable"),
        min_rows=100,
    )
)

register(
    TableSchema(
        "indeed_aggregate_index",
        "Indeed job postings index for all US postings, seasonally adjusted and not",
        ("date", "country_code", "variable", "postings_index_sa", "postings_index_nsa"),
        {
            "index must be > 0": lambda df: (
                (df["postings_index_sa"] <= 0) | (df["postings_index_nsa"] <= 0)
            ),
            "variable in total/new postings": _not_in(
                "variable", ("total postings", "new postings")
            ),
        },
        unique=("date", "country_code", "variable"),
        min_rows=100,
    )
)

register(
    TableSchema(
        "indeed_sector_titles",
        "Example job titles Indeed files under each sector",
        ("sector", "example_titles", "proxy_for"),
        unique=("sector",),
    )
)


register(
    TableSchema(
        "hn_threads",
        "Monthly Hacker News 'Ask HN: Who is hiring?' threads",
        (
            "thread_id",
            "title",
            "thread_month",
            "created_at",
            "num_comments",
            "snapshot_fetched_at",
            "postings",
            "last_posting_at",
            "is_partial",
        ),
        {
            "title starts with 'Ask HN: Who is hiring?'": lambda df: (
                ~df["title"].str.startswith("Ask HN: Who is hiring?")
            ),
            "months from 2011": lambda df: df["thread_month"] < pd.Timestamp("2011-01-01"),
        },
        unique=("thread_id",),
    )
)

register(
    TableSchema(
        "hn_postings",
        "One row per posting (top-level comment with text) with role flags under both definitions",
        (
            "posting_id",
            "thread_id",
            "thread_month",
            "author",
            "created_at",
            "text",
            "first_line",
            "is_data_scientist_header",
            "is_ml_engineer_header",
            "is_ai_engineer_header",
            "is_data_scientist_anywhere",
            "is_ml_engineer_anywhere",
            "is_ai_engineer_anywhere",
        ),
        {
            "text must not be empty": lambda df: df["text"].str.len() == 0,
            "a header match is also an anywhere match": lambda df: (
                (df["is_data_scientist_header"] & ~df["is_data_scientist_anywhere"])
                | (df["is_ml_engineer_header"] & ~df["is_ml_engineer_anywhere"])
                | (df["is_ai_engineer_header"] & ~df["is_ai_engineer_anywhere"])
            ),
        },
        unique=("posting_id",),
    )
)

register(
    TableSchema(
        "hn_demand_monthly",
        "Postings per month, definition and role, as a share of the month's postings",
        (
            "thread_month",
            "thread_id",
            "definition",
            "role",
            "postings",
            "month_postings",
            "posting_share_pct",
            "share_ma3_pct",
            "distinct_authors",
            "ml_per_ds_ratio",
            "is_partial",
        ),
        {
            "role in allowed set": _not_in("role", ROLES),
            "definition is header or anywhere": _not_in("definition", ("header", "anywhere")),
            "share between 0 and 100": lambda df: (
                ~df["posting_share_pct"].between(0, 100) & df["posting_share_pct"].notna()
            ),
            "postings <= month_postings": lambda df: df["postings"] > df["month_postings"],
        },
        unique=("thread_month", "definition", "role"),
    )
)


register(
    TableSchema(
        "hn_role_evidence",
        "Why each role flag of hn_postings is set: the rules that fired in the posting, with character "
        "offsets (never the text); one include row per flag, plus the excluded mentions masked before it",
        ("posting_id", "role", "definition", "rule_kind", "rule_id", "start_char", "end_char"),
        {
            "role in allowed set": _not_in("role", VOCAB_ROLES),
            "kind include or exclude": _not_in("rule_kind", ("include", "exclude")),
            "offsets ordered": lambda df: (
                (df["start_char"] < 0) | (df["end_char"] < df["start_char"])
            ),
        },
        min_rows=0,
    )
)

register(
    TableSchema(
        "hn_role_skills",
        "Skills of each flagged posting tied to the job of each role it offers (anywhere definition): a "
        "skill named only in another job's part of a multi-job ad is not that role's (etl/transform/attribution.py)",
        ("posting_id", "role", "skill", "attribution"),
        {
            "role in allowed set": _not_in("role", VOCAB_ROLES),
            "attribution in allowed set": _not_in("attribution", SKILL_ATTRIBUTIONS),
        },
        unique=("posting_id", "role", "skill"),
        min_rows=0,
    )
)

register(
    TableSchema(
        "hn_posted_pay",
        "Salary ranges stated in the postings (min, max, currency, period, character offsets), each tied to "
        "the role whose job it is for (etl/transform/pay.py); amounts as posted and in US dollars per year",
        (
            "posting_id",
            "role",
            "pay_min",
            "pay_max",
            "currency",
            "period",
            "attribution",
            "start_char",
            "end_char",
            "posted_year",
            "pay_min_usd_annual",
            "pay_max_usd_annual",
            "usd_conversion",
        ),
        {
            "role in allowed set": _not_in("role", ROLES),
            "period in allowed set": _not_in("period", ("year", "month", "day", "hour")),
            "usd_conversion in allowed set": _not_in(
                "usd_conversion", ("as_posted", "fx_yearly", "no_rate")
            ),
            "no rate means no USD": lambda df: (
                df["usd_conversion"].eq("no_rate")
                & (df["pay_min_usd_annual"].notna() | df["pay_max_usd_annual"].notna())
            ),
            "attribution in allowed set": _not_in(
                "attribution", ("single_job", "job_part", "company_wide", "other_job", "no_role")
            ),
            "min <= max": lambda df: (
                df["pay_min"].notna() & df["pay_max"].notna() & (df["pay_min"] > df["pay_max"])
            ),
            "a range has an end": lambda df: df["pay_min"].isna() & df["pay_max"].isna(),
        },
        min_rows=0,
    )
)

register(
    TableSchema(
        "hn_posted_pay_yearly",
        "Posted pay per role and year: postings stating pay and the midpoints' P25 / median / P75 of the "
        "salaries posted in US dollars, and the median over every currency converted at the year's average rate",
        (
            "role",
            "posted_year",
            "role_postings",
            "postings_stating_pay",
            "posting_share_pct",
            "ranges_usd_year",
            "pay_mid_p25_usd",
            "pay_mid_median_usd",
            "pay_mid_p75_usd",
            "ranges_all_currencies",
            "pay_mid_median_all_usd",
            "ranges_no_rate",
        ),
        {
            "role in allowed set": _not_in("role", VOCAB_ROLES),
            "share between 0 and 100": lambda df: ~df["posting_share_pct"].between(0, 100),
            "stating <= role postings": lambda df: df["postings_stating_pay"] > df["role_postings"],
        },
        unique=("role", "posted_year"),
        min_rows=0,
    )
)

register(
    TableSchema(
        "posting_skills",
        "One row per posting and skill it mentions (aliases merged; rules in etl/mappings/skills.csv)",
        ("posting_id", "skill", "category"),
        unique=("posting_id", "skill"),
    )
)

_SKILL_KEYS = ("definition", "role", "posted_year")
_DEFINITION_OK = {"definition is header or anywhere": _not_in("definition", ("header", "anywhere"))}
_ROLE_OK = {"role in allowed set": _not_in("role", VOCAB_ROLES)}

register(
    TableSchema(
        "hn_role_year_counts",
        "Postings per definition, role and year, all and those not flagged as the other compared "
        "role: the denominators the Skills and Overview views sum over the selected years",
        (*_SKILL_KEYS, "role_postings", "pair_only_postings"),
        {
            **_DEFINITION_OK,
            **_ROLE_OK,
            "pair-only <= role postings": lambda df: df["pair_only_postings"] > df["role_postings"],
        },
        unique=_SKILL_KEYS,
    )
)

register(
    TableSchema(
        "hn_skill_counts",
        "A role's postings that mention a skill, per definition and year (all, and not flagged as the "
        "other compared role); the views divide their sums by hn_role_year_counts",
        (*_SKILL_KEYS, "skill", "category", "postings_with_skill", "pair_only_with_skill"),
        {
            **_DEFINITION_OK,
            **_ROLE_OK,
            "pair-only <= all": lambda df: df["pair_only_with_skill"] > df["postings_with_skill"],
        },
        unique=(*_SKILL_KEYS, "skill"),
    )
)

register(
    TableSchema(
        "hn_claim_counts",
        "For each claim (etl/vocab.py CLAIMS), the role's postings per definition and year that "
        "mention any skill the claim counts; zeros included",
        ("definition", "claim", "role", "posted_year", "postings_mentioning"),
        {**_DEFINITION_OK, **_ROLE_OK},
        unique=("definition", "claim", "role", "posted_year"),
    )
)

register(
    TableSchema(
        "hn_skill_pairs",
        "Skill pairs mentioned together in a role's postings, per definition and year (the "
        "co-occurrence table sums them and divides by hn_skill_counts for the lift)",
        (*_SKILL_KEYS, "skill_a", "skill_b", "pair_postings"),
        {
            **_DEFINITION_OK,
            **_ROLE_OK,
            "skill_a before skill_b": lambda df: df["skill_a"] >= df["skill_b"],
        },
        unique=(*_SKILL_KEYS, "skill_a", "skill_b"),
        min_rows=0,
    )
)

register(
    TableSchema(
        "hn_role_convergence",
        "Per definition and year, how alike the ML-engineer and data-scientist skill profiles are: "
        "cosine similarity of the share vectors with a bootstrap interval",
        ("definition", "posted_year", "n_a", "n_b", "cosine", "ci_low", "ci_high"),
        {
            **_DEFINITION_OK,
            "cosine between 0 and 1": lambda df: ~df["cosine"].between(0, 1) & df["cosine"].notna(),
            "interval ordered": lambda df: df["ci_low"] > df["ci_high"],
        },
        unique=("definition", "posted_year"),
        min_rows=0,
    )
)

register(
    TableSchema(
        "job_title_map",
        "The job-title map that built the survey's roles (etl/mappings/job_titles.csv at the time of "
        "the build)",
        ("job_title", "role_strict", "role_broad", "reason"),
        {
            "role_strict in allowed set": _not_in("role_strict", ROLES),
            "role_broad in allowed set": _not_in("role_broad", ROLES),
        },
        unique=("job_title",),
    )
)

register(
    TableSchema(
        "skill_taxonomy",
        "The skill taxonomy that built the published skill tables (etl/mappings/skills.csv at the "
        "time of the build)",
        ("skill", "category", "aliases", "rule", "anchors", "note"),
        unique=("skill",),
    )
)


# --- Google Jobs postings ---------------------------------------------------------------------
_GJ_GROUP = ("definition", "role", "posted_month", "sample")
_gj_role_checks: dict[str, Check] = {
    "role in allowed set": _not_in("role", VOCAB_ROLES),
    "definition strict or broad": _not_in("definition", ("strict", "broad")),
    "sample in allowed set": _not_in("sample", tuple(GJ_SAMPLES)),
}

register(
    TableSchema(
        "gj_postings",
        "Google Jobs postings of data roles (Luke Barousse's data_jobs): one row per distinct posting "
        "(repeats across searches counted once), roles under both title definitions, salary per year",
        (
            "gj_posting_id",
            "source_file",
            "sample",
            "posted_date",
            "posted_month",
            "job_title_short",
            "job_title",
            "company_name",
            "job_location",
            "job_via",
            "job_schedule_type",
            "is_remote",
            "search_location",
            "search_rows",
            "search_locations",
            "has_skills_list",
            "salary_rate",
            "salary_posted",
            "pay_usd_year",
            "role_strict",
            "role_broad",
        ),
        {
            "role_strict in allowed set": _not_in("role_strict", ROLES),
            "role_broad in allowed set": _not_in("role_broad", ROLES),
            "sample in allowed set": _not_in("sample", tuple(GJ_SAMPLES)),
            "salary_rate year or hour": lambda df: (
                df["salary_rate"].notna() & ~df["salary_rate"].isin(("year", "hour"))
            ),
            "a salary has a rate": lambda df: (
                df["pay_usd_year"].notna() != df["salary_rate"].notna()
            ),
            "salary must be > 0": lambda df: df["pay_usd_year"].notna() & ~(df["pay_usd_year"] > 0),
            "search_rows >= 1": lambda df: df["search_rows"] < 1,
        },
        unique=("gj_posting_id",),
    )
)

register(
    TableSchema(
        "gj_search_rows",
        "Where each Google Jobs posting was found: one row per posting x place searched x country, with "
        "the source rows behind it (more than 1: the same search returned it twice)",
        ("gj_posting_id", "search_location", "job_country", "source_rows"),
        {"source_rows >= 1": lambda df: df["source_rows"] < 1},
        unique=("gj_posting_id", "search_location", "job_country"),
    )
)

register(
    TableSchema(
        "gj_posting_skills",
        "Skills listed by each Google Jobs posting, in our taxonomy (etl/mappings/gj_skills.csv, then the "
        "aliases of etl/mappings/skills.csv)",
        ("gj_posting_id", "skill", "category"),
        unique=("gj_posting_id", "skill"),
        min_rows=0,
    )
)

register(
    TableSchema(
        "gj_skill_map",
        "Every skill name the Google Jobs source lists, with the skill(s) of our taxonomy it counts as (empty: "
        "unmapped, reported) and the postings listing it",
        ("source_skill", "skill", "category", "mapped_by", "postings"),
        {"mapped_by in allowed set": _not_in("mapped_by", ("override", "taxonomy", "unmapped"))},
        unique=("source_skill", "skill"),
        min_rows=0,
    )
)

register(
    TableSchema(
        "gj_role_monthly",
        "Google Jobs postings per role, posted month and sample under both title definitions (zero months "
        "included): the role's postings, those with a skills list or a salary, and the month's postings",
        (
            *_GJ_GROUP,
            "month_postings",
            "role_postings",
            "postings_with_skills_list",
            "postings_stating_pay",
            "distinct_companies",
            "source_rows",
            "posting_share_pct",
        ),
        {
            **_gj_role_checks,
            "role postings <= month postings": lambda df: (
                df["role_postings"] > df["month_postings"]
            ),
            "skills list <= role postings": lambda df: (
                df["postings_with_skills_list"] > df["role_postings"]
            ),
        },
        unique=_GJ_GROUP,
    )
)

register(
    TableSchema(
        "gj_skill_monthly",
        "Google Jobs postings per role, posted month and sample that list each skill (numerators; the "
        "denominators are in gj_role_monthly)",
        (*_GJ_GROUP, "skill", "category", "postings_with_skill"),
        _gj_role_checks,
        unique=(*_GJ_GROUP, "skill"),
        min_rows=0,
    )
)

register(
    TableSchema(
        "gj_claim_monthly",
        "Google Jobs postings per role, posted month and sample that list any skill a common claim "
        "counts (etl.vocab.CLAIMS); the denominators are in gj_role_monthly",
        ("claim", *_GJ_GROUP, "postings_mentioning"),
        _gj_role_checks,
        unique=("claim", *_GJ_GROUP),
        min_rows=0,
    )
)

register(
    TableSchema(
        "gj_pay_yearly",
        "Google Jobs posted salaries per role, year and sample: postings, those stating a salary (hourly "
        "converted by the stated rule) and the P25 / median / P75 in US dollars per year",
        (
            "definition",
            "role",
            "posted_year",
            "sample",
            "role_postings",
            "postings_stating_pay",
            "posting_share_pct",
            "salaries_hourly",
            "pay_mid_p25_usd",
            "pay_mid_median_usd",
            "pay_mid_p75_usd",
        ),
        {
            **_gj_role_checks,
            "share between 0 and 100": lambda df: ~df["posting_share_pct"].between(0, 100),
            "stating <= role postings": lambda df: df["postings_stating_pay"] > df["role_postings"],
        },
        unique=("definition", "role", "posted_year", "sample"),
        min_rows=0,
    )
)

# --- CPI-U --------------------------------------------------------------------------------------
register(
    TableSchema(
        "cpi_monthly",
        "US CPI-U all items (BLS CUUR0000SA0), monthly, not seasonally adjusted",
        ("month", "cpi_index"),
        {"index must be > 0": lambda df: ~(df["cpi_index"] > 0)},
        unique=("month",),
        min_rows=12,
    )
)

register(
    TableSchema(
        "cpi_annual",
        "US CPI-U annual averages: the mean of each year's monthly indexes, with the months behind it",
        ("calendar_year", "cpi_annual_avg", "months", "is_complete"),
        {
            "index must be > 0": lambda df: ~(df["cpi_annual_avg"] > 0),
            "months 1..12": lambda df: ~df["months"].between(1, 12),
        },
        unique=("calendar_year",),
    )
)


def validate(name: str, df: pd.DataFrame) -> pd.DataFrame:
    """Check `df` against table `name`; return it with declared column order and dtypes."""
    schema = TABLES.get(name)
    if schema is None:
        raise SchemaError(f"no schema declared for table {name!r}")
    problems: list[str] = []
    missing = [c for c in schema.columns if c not in df.columns]
    extra = [c for c in df.columns if c not in schema.columns]
    if missing:
        problems.append(f"missing columns: {', '.join(missing)}")
    if extra:
        problems.append(f"undeclared columns: {', '.join(extra)}")
    if problems:
        raise SchemaError(f"table {name}: " + "; ".join(problems))
    out = df.loc[:, list(schema.columns)].copy()
    for c in schema.columns:
        f = FIELDS[c]
        try:
            out[c] = _coerce(out[c], f.dtype)
        except (TypeError, ValueError) as exc:
            problems.append(f"column {c} is not {f.dtype}: {exc}")
            continue
        if not f.nullable and out[c].isna().any():
            problems.append(f"column {c} has {int(out[c].isna().sum())} missing values")
    if len(out) < schema.min_rows:
        problems.append(f"{len(out)} rows, fewer than the minimum {schema.min_rows}")
    if not problems:
        for label, check in schema.checks.items():
            bad = check(out)
            nbad = int(bad.fillna(False).astype(bool).sum())
            if nbad:
                problems.append(f"{label}: {nbad} rows fail")
        if schema.unique and out.duplicated(list(schema.unique)).any():
            dups = out.loc[out.duplicated(list(schema.unique)), list(schema.unique)].head(3)
            shown = "; ".join(
                ", ".join(str(v) for v in row) for row in dups.itertuples(index=False)
            )
            problems.append(f"duplicate keys on {', '.join(schema.unique)} (e.g. {shown})")
    if problems:
        raise SchemaError(f"table {name}: " + "; ".join(problems))
    return out.reset_index(drop=True)


def _coerce(s: pd.Series, dtype: str) -> pd.Series:
    if dtype == "string":
        return s.astype("string")
    if dtype == "int64":
        if s.isna().any():
            raise ValueError("missing values in an integer column")
        return s.astype("int64")
    if dtype == "Int64":  # nullable integer
        return s.astype("Int64")
    if dtype == "float64":
        return s.astype("float64")
    if dtype == "bool":
        if s.isna().any():
            raise ValueError("missing values in a boolean column")
        return s.astype(bool)
    if dtype == "date":
        return pd.to_datetime(s).astype("datetime64[ms]")
    if dtype.startswith("datetime64"):
        return pd.to_datetime(s, utc=True)
    raise ValueError(f"unknown dtype {dtype}")


def data_dictionary_markdown() -> str:
    """The field dictionary as a Markdown table per published table (README links to it)."""
    lines = [
        "# Data dictionary",
        "",
        "Generated from `etl/schema.py` by `python -m etl dictionary`.",
        "",
    ]
    for t in TABLES.values():
        lines += [
            f"## `{t.name}`",
            "",
            t.description,
            "",
            "| column | type | unit | description |",
            "|---|---|---|---|",
        ]
        for c in t.columns:
            f = FIELDS[c]
            lines.append(
                f"| `{c}` | {f.dtype}{' (nullable)' if f.nullable else ''} | {f.unit} | {f.description} |"
            )
        if t.checks:
            lines += [
                "",
                "Checks: "
                + "; ".join(t.checks)
                + ("; unique " + ", ".join(t.unique) if t.unique else "")
                + ".",
            ]
        lines.append("")
    return "\n".join(lines)
