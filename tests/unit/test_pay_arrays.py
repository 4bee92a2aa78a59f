"""The Pay and Overview survey queries sum salary_counts held as arrays (queries.SalaryArrays);
here they are held equal to the SQL over the published file that they replaced, on a hand-made
survey with every filter column varied."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pandas as pd
import pytest

from dashboard import data, queries
from dashboard.scope import Scope
from etl.vocab import COMPARED_ROLES, COUNTRY_GROUPS, EUROPE_CODES
from tests.support import publish_fixture, salaries_csv

# extra rows: a UK and an Indian company (the other two country groups), contract and part-time
# work, small companies, one row given three times (exact duplicates) and an AI engineer
EXTRA = [
    "2024,EN,CT,Data Scientist,70000,GBP,88000,GB,50,GB,S",
    "2023,MI,PT,Machine Learning Engineer,40000,USD,40000,IN,100,IN,M",
    "2023,EX,FT,Data Scientist,210000,USD,210000,US,0,US,L",
    "2024,SE,FT,Machine Learning Engineer,99000,EUR,105000,FR,50,FR,S",
    *["2024,MI,FT,AI Engineer,150000,USD,150000,US,100,US,M"] * 3,
]


@pytest.fixture(scope="module")
def state(tmp_path_factory):
    root = tmp_path_factory.mktemp("pay_arrays")
    publish_fixture(root, csv=salaries_csv() + "\n".join(EXTRA) + "\n")
    return data.DataState(
        json.loads((root / "processed" / "manifest.json").read_text()), root / "processed"
    )


# --- the SQL the arrays replaced (the reference) ---------------------------------------------


def sql_values(state, sc, extra):
    w, params = queries.salary_where(sc, extra)
    return data.run_query(
        state,
        f'SELECT "role_{sc.definition}" AS role, salary_usd_annual AS value, sum(n)::BIGINT AS n '
        f"FROM {{salary_counts}}{w} GROUP BY ALL ORDER BY role, value",
        params,
        ("salary_counts",),
    )


def sql_duplicates(state, sc, extra):
    w, params = queries.salary_where(sc, {**extra, "identical_once": False})
    r = data.run_query(
        state,
        "SELECT coalesce(sum(n), 0)::BIGINT AS n, coalesce(sum(n) FILTER (WHERE "
        f"is_exact_duplicate), 0)::BIGINT AS dup FROM {{salary_counts}}{w}",
        params,
        ("salary_counts",),
    ).iloc[0]
    return int(r["n"]), int(r["dup"])


def sql_cells(state, sc, extra):
    w, params = queries.salary_where(sc, extra)
    role = f'"role_{sc.definition}"'
    europe = ", ".join(f"'{c}'" for c in EUROPE_CODES)
    us, eu, other = COUNTRY_GROUPS
    sql = (
        f"WITH s AS (SELECT {role} AS role, experience_level, company_size, CASE WHEN "
        f"company_country_code = 'US' THEN '{us}' WHEN company_country_code IN ({europe}) "
        f"THEN '{eu}' ELSE '{other}' END AS country_group, work_year, salary_usd_annual AS "
        f"value, n FROM {{salary_counts}}{w} AND {role} IN (?, ?)) SELECT *, concat_ws(' | ', "
        "experience_level, company_size, country_group, work_year) AS cell FROM (SELECT role, "
        "experience_level, company_size, country_group, work_year, value, sum(n)::BIGINT AS n "
        "FROM s GROUP BY ALL) ORDER BY ALL"
    )
    return data.run_query(state, sql, [*params, *COMPARED_ROLES], ("salary_counts",))


def sql_years(state, sc):
    w, params = queries.salary_where(sc, {})
    role = f'"role_{sc.definition}"'
    return data.run_query(
        state,
        f"SELECT work_year, {role} AS role, sum(n)::BIGINT AS n FROM {{salary_counts}}{w} "
        f"AND {role} IN (?, ?) GROUP BY ALL ORDER BY ALL",
        [*params, *COMPARED_ROLES],
        ("salary_counts",),
    )


def sql_options(state, col):
    return data.run_query(
        state,
        f'SELECT "{col}" AS v, sum(n)::BIGINT AS n FROM {{salary_counts}} GROUP BY 1 '
        "ORDER BY n DESC, 1",
        (),
        ("salary_counts",),
    )["v"].tolist()


SCOPES = [
    Scope(roles=roles, definition=d, year_from=y0, year_to=y1, countries=countries)
    for roles, d, (y0, y1), countries in itertools.product(
        [[], ["data_scientist"], ["ai_engineer"]],
        ["strict", "broad"],
        [(1900, 9999), (2024, 2024)],
        [[], ["DE", "GB", "IN"], ["ZZ"]],
    )
]
EXTRAS = [
    {},
    {"identical_once": True},
    {"experience_level": ["SE", "EX"], "company_size": ["L"]},
    {"employment_type": ["CT", "PT"], "remote_ratio_pct": [50, 100]},
]


def frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert dict(a.dtypes) == dict(b.dtypes)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("extra", EXTRAS, ids=lambda e: ",".join(e) or "none")
def test_the_arrays_give_the_sql_results(state, extra):
    for sc in SCOPES:
        frames_equal(queries.salary_values(state, sc, extra), sql_values(state, sc, extra))
        frames_equal(queries.like_for_like_cells(state, sc, extra), sql_cells(state, sc, extra))
        assert queries.salary_duplicates(state, sc, extra) == sql_duplicates(state, sc, extra)
    for sc in SCOPES:
        frames_equal(queries.survey_year_counts(state, sc), sql_years(state, sc))


def test_options_and_a_slice_a_person_can_check(state):
    for col in (*queries.PAY_COLUMNS, "work_year", "company_country_code"):
        got, want = queries.salary_options(state, col), sql_options(state, col)
        assert got == want and [type(x) for x in got] == [type(x) for x in want]
    # 40 US data scientists (strict) + the 2023 executive at a US company: 41 in the US
    vals = queries.salary_values(state, Scope(roles=["data_scientist"], countries=["US"]), {})
    assert vals["n"].sum() == 41 and vals["value"].min() == 100_000
    # the AI engineer's row three times: 3 rows, 2 of them exact repeats of the first
    ai = Scope(roles=["ai_engineer"])
    assert queries.salary_duplicates(state, ai, {}) == (3, 2)
    assert queries.salary_values(state, ai, {"identical_once": True})["n"].tolist() == [1]
    cells = queries.like_for_like_cells(state, Scope(countries=["GB", "FR"]), {})
    assert cells["cell"].tolist() == ["EN | S | Europe | 2024", "SE | S | Europe | 2024"]


def test_us_medians_equal_the_sql_ones(state):
    got = queries._us_medians.__wrapped__(state, "strict", 0, 9999)
    # the median of the 20 US data scientists of 2024 (100,000..119,000) is 109,500; fewer than
    # MIN_N responses would blank it
    ds = got[(got["role"] == "data_scientist") & (got["year"] == 2024)].iloc[0]
    assert ds["survey_n"] == 20 and ds["survey_median_usd"] == 109_500
    sql = data.run_query(
        state,
        'SELECT "role_strict" AS role, work_year AS year, sum(n)::BIGINT AS survey_n FROM '
        "{salary_counts} WHERE company_country_code = 'US' GROUP BY ALL ORDER BY ALL",
        (),
        ("salary_counts",),
    )
    assert got[["role", "year", "survey_n"]].to_dict("list") == sql.to_dict("list")
    assert np.isnan(got.loc[got["survey_n"] < queries.MIN_N, "survey_median_usd"]).all()
