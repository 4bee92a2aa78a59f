"""The product's vocabulary, declared once: roles, their labels, the role definitions and every
threshold that code and text both use. The ETL, the dashboard and the tests import it; captions
and method notes format these constants instead of typing the numbers.

Imports nothing else of `etl`.
"""

from __future__ import annotations

# --- roles -------------------------------------------------------------------------------------
ROLES: tuple[str, ...] = ("data_scientist", "ml_engineer", "ai_engineer")
ROLE_LABELS: dict[str, str] = {
    "data_scientist": "Data Scientist",
    "ml_engineer": "ML Engineer",
    "ai_engineer": "AI Engineer",
    "other": "Other",
}
# the two roles every comparison is about (ML engineer minus data scientist)
COMPARED_ROLES: tuple[str, str] = ("ml_engineer", "data_scientist")

# --- definitions -------------------------------------------------------------------------------
# Hacker News: which posting column a definition searches
HN_DEFINITIONS: dict[str, str] = {"header": "first_line", "anywhere": "text"}
# the global filter's definitions and what each means for both sources
SCOPE_DEFINITIONS: dict[str, str] = {
    "strict": "Strict: exact titles / role named in the posting's first line",
    "broad": "Broad: reviewed title variants / role named anywhere in the posting",
}
# the Hacker News definition each global definition stands for
HN_DEFINITION_OF: dict[str, str] = {"strict": "header", "broad": "anywhere"}

# --- sample sizes ------------------------------------------------------------------------------
MIN_N = 10  # below this a slice shows no statistic
LOW_N = 30  # below this a statistic is marked low-confidence
HIGH_N = 100  # from this a statistic is marked high-confidence

# a year enters the like-with-like (era-matched) skill comparison when both roles have this many
# postings in it
ERA_MATCH_MIN_N = LOW_N

# --- pay ---------------------------------------------------------------------------------------
BOOTSTRAP_RESAMPLES = 2000
BOOTSTRAP_SEED = 20261128
# the like-for-like gap's resamples are Poisson draws when both roles have this many responses
# (cheaper, and equal to fixed-n resampling to within Monte Carlo error at such n), else fixed n
POISSON_BOOTSTRAP_MIN_N = 1000
INTERVAL_LEVEL = 0.95
# posted pay in US dollars per year: how many of each posted period a year holds (full time:
# 52 weeks of 5 days of 8 hours)
PERIODS_PER_YEAR: dict[str, int] = {"year": 1, "month": 12, "day": 260, "hour": 2080}
# periods of a salary: the posted-pay percentiles use these (hourly and daily rates, mostly
# contract work, are converted in hn_posted_pay but left out of the percentiles)
SALARY_PERIODS: tuple[str, ...] = ("year", "month")

# the like-for-like pay gap gives both roles one mix of these survey columns (country_group from
# company_country_code: the United States, Europe, every other country)
MIX_DIMENSIONS: tuple[str, ...] = ("experience_level", "company_size", "country_group", "work_year")
EUROPE_CODES: tuple[str, ...] = (
    "AD", "AL", "AT", "BA", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
    "GR", "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "MD", "ME", "MK", "MT", "NL",
    "NO", "PL", "PT", "RO", "RS", "SE", "SI", "SK", "UA", "XK",
)  # fmt: skip
COUNTRY_GROUPS: tuple[str, ...] = ("United States", "Europe", "Other")

# --- demand ------------------------------------------------------------------------------------
# a thread is partial when its snapshot was taken less than this many days after it opened ...
EARLY_SNAPSHOT_DAYS = 30
# ... or its newest posting is less than this many days after it opened
LAST_POSTING_DAYS = 10
MOVING_AVERAGE_MONTHS = 3  # trailing window of the smoothed share
RECENT_MONTHS = 12  # the Overview's "latest 12 months" window, compared with the 12 before
POOLED_RATIO_MONTHS = 3  # the ML-per-DS ratio pools this many calendar months
POOLED_RATIO_MIN_DS = 10  # ... and is drawn only where this many DS postings stand behind it

# --- change guards (etl/guards.py) -------------------------------------------------------------
# Before a source publishes, its tables are compared with the last published version; a change
# past these limits fails the source (its last good tables stay) until accepted on purpose with
# `python -m etl refresh --accept-change SOURCE`.
# per source: the most a guarded table's row count may fall, in percent (0: no row may go) ...
ROW_DROP_MAX_PCT: dict[str, float] = {
    "aijobs_salaries": 10,
    "bls_oews": 0,
    "indeed_postings_index": 10,
    "hn_whoishiring": 5,
}
# ... and the most it may grow, in percent (None: no limit). HN grows a thread a month; Indeed
# once doubled its sector file by adding the 'new postings' series.
ROW_GROWTH_MAX_PCT: dict[str, float | None] = {
    "aijobs_salaries": 50,
    "bls_oews": 100,
    "indeed_postings_index": 150,
    "hn_whoishiring": None,
}
NULL_SHARE_JUMP_MAX_PTS = 10  # a column's share of missing values may rise this many points
DUPLICATE_SHARE_JUMP_MAX_PTS = 10  # the share of rows repeating an earlier row, likewise
THREAD_POSTINGS_DROP_MAX_PCT = (
    10  # an HN thread may come back with this many percent fewer postings
)
# plausible values per field unit (etl/schema.py FIELDS): a value outside is refused
PLAUSIBLE_RANGES: dict[str, tuple[float, float]] = {
    "USD per year": (1_000, 5_000_000),
    "%": (0, 100),
}


def claim_text(claimed_for: str, label: str) -> str:
    return f"{role_label(claimed_for)}s use {label}"


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role)


def pct(x: float) -> str:
    """A share in percent, as text reads it: '52%'; below 10 with one decimal: '4.3%'."""
    return f"{x:.1f}%" if abs(x) < 10 else f"{x:.0f}%"


# --- skills ------------------------------------------------------------------------------------
# skills the role definitions select postings by ('machine learning' finds ML engineers): left out
# of every comparison of the roles' skills
ROLE_NAME_SKILLS: tuple[str, ...] = ("Machine learning", "Artificial intelligence")
# how a skill of hn_role_skills was tied to a role's job (etl/transform/attribution.py)
SKILL_ATTRIBUTIONS: tuple[str, ...] = ("single_job", "job_part", "job_section", "company_wide")
# the common claims about each role, checked on the postings: (key, claimed role, what is claimed,
# the skills counted, any of them; "category:X" = any skill of category X)
CLAIMS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("ds_sql", "data_scientist", "SQL", ("SQL",)),
    ("ds_excel", "data_scientist", "Excel", ("Excel",)),
    ("ds_linear_regression", "data_scientist", "Linear regression", ("Linear regression",)),
    ("ds_scikit_learn", "data_scientist", "scikit-learn", ("scikit-learn",)),
    ("ds_xgboost", "data_scientist", "XGBoost", ("XGBoost",)),
    (
        "ml_deep_learning",
        "ml_engineer",
        "Deep neural networks",
        ("Deep learning", "Neural networks"),
    ),
    ("ml_cloud", "ml_engineer", "the cloud", ("category:cloud",)),
    ("ml_mlops", "ml_engineer", "MLOps", ("MLOps",)),
)
# skill pairs enter the co-occurrence table from this many postings with both
COOCCURRENCE_MIN_PAIRS = 5
# --- Google Jobs postings (google_jobs_data_roles) ---------------------------------------------
# an hourly posted rate as a yearly salary: 40 hours a week x 52 weeks
HOURS_PER_WEEK = 40
WEEKS_PER_YEAR = 52
HOURS_PER_YEAR = HOURS_PER_WEEK * WEEKS_PER_YEAR
HOURLY_RULE = (
    f"an hourly rate is turned into a yearly salary at {HOURS_PER_YEAR:,} hours "
    f"({HOURS_PER_WEEK} hours a week x {WEEKS_PER_YEAR} weeks)"
)
# the samples of the source: which postings a file holds
GJ_SAMPLES: dict[str, str] = {
    "salary_stated": "postings that state a salary (the 2023 file)",
    "all_postings": "every posting of the month (the monthly files)",
}
# the denominators a skill share of that source can use
GJ_DENOMINATORS: dict[str, str] = {
    "all": "all the role's postings",
    "with_skills": "the role's postings that carry a skills list",
}

# --- prices --------------------------------------------------------------------------------------
# a year's CPI-U annual average is complete when all its monthly indexes are published; the base
# year of real pay is the latest complete year
CPI_MONTHS_PER_YEAR = 12
