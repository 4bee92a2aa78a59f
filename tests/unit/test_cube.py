"""dashboard.cube: range sums by prefix sums equal filtering the rows and summing them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard import cube

ROWS = pd.DataFrame(
    {
        "definition": ["strict", "strict", "strict", "strict", "broad", "strict"],
        "posted_year": [2014, 2016, 2016, 2019, 2016, 2019],
        "role": [
            "ml_engineer",
            "ml_engineer",
            "data_scientist",
            "ml_engineer",
            "ml_engineer",
            "data_scientist",
        ],
        "skill": ["Python", "Python", "SQL", "Go", "Python", "SQL"],
        "n": [3, 4, 5, 6, 7, 1],
        "m": [1, None, 2, 0, 1, 1],
    }
)


def _naive(definition, lo, hi, first=None, at_least=1):
    r = ROWS[(ROWS["definition"] == definition) & ROWS["posted_year"].between(lo, hi)]
    if first is not None:
        r = r[r["role"] == first]
    g = r.groupby(["role", "skill"], as_index=False)[["n", "m"]].sum()
    g = g[g["n"] >= at_least].astype({"n": "int64", "m": "int64"})
    return g.sort_values(["role", "skill"]).reset_index(drop=True)


@pytest.mark.parametrize(
    "definition,lo,hi,first,at_least",
    [
        ("strict", 2013, 2026, None, 1),
        ("strict", 2015, 2016, None, 1),
        ("strict", 2016, 2019, "ml_engineer", 1),
        ("strict", 2014, 2019, "ml_engineer", 7),
        ("strict", 2017, 2018, None, 1),  # no year of the table in the span
        ("broad", 2013, 2026, "data_scientist", 1),  # no key with that first value
        ("strict", 2020, 2010, None, 1),  # an empty span
    ],
)
def test_sums_equal_filtering_and_summing_the_rows(definition, lo, hi, first, at_least):
    c = cube.build(ROWS, ("role", "skill"), ("n", "m"))
    codes, n = c.total(definition, lo, hi, "n", first)
    _, m = c.total(definition, lo, hi, "m", first)
    keep = n >= at_least
    got = pd.DataFrame(
        {
            "role": c.names("role", codes["role"][keep]),
            "skill": c.names("skill", codes["skill"][keep]),
            "n": n[keep],
            "m": m[keep],
        }
    )
    want = _naive(definition, lo, hi, first, at_least)
    pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_per_year_gives_zero_where_the_table_has_no_row_and_unknown_definitions_are_empty():
    c = cube.build(ROWS, ("role", "skill"), ("n",))
    codes, years, values = c.per_year("strict", 2014, 2019, "n", first="ml_engineer")
    assert c.names("skill", codes["skill"]).tolist() == ["Go", "Python"]
    assert c.names("role", codes["role"]).tolist() == ["ml_engineer", "ml_engineer"]
    assert years.tolist() == [2014, 2016, 2019]
    np.testing.assert_array_equal(values, [[0, 0, 6], [3, 4, 0]])
    assert len(c.total("anywhere", 2013, 2026, "n")[1]) == 0
    codes, years, values = c.per_year("anywhere", 2014, 2019, "n")
    assert values.shape == (0, 3) and len(codes["skill"]) == 0


def test_codes_follow_the_names_order_and_unknown_names_have_none():
    c = cube.build(ROWS, ("role", "skill"), ("n",))
    assert c.vocab["skill"].tolist() == ["Go", "Python", "SQL"]
    assert [c.code("skill", s) for s in ("Go", "SQL", "Rust")] == [0, 2, -1]
    codes, total = c.total("strict", 2013, 2026, "n")
    keys = zip(c.names("role", codes["role"]), c.names("skill", codes["skill"]), strict=True)
    got = dict(zip(keys, total, strict=True))
    assert c.isin("skill", codes["skill"], ["SQL", "Rust"]).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="read-only"):  # shared by every session
        codes["skill"][0] = 1
    assert got == {
        ("data_scientist", "SQL"): 6,
        ("ml_engineer", "Go"): 6,
        ("ml_engineer", "Python"): 7,
    }
