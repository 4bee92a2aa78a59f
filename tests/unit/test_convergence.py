"""How alike the two roles' skill profiles are per year (etl.transform.skills.tables.convergence)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.transform.skills import tables

PAIR = ("ml_engineer", "data_scientist")


def _postings(profiles: dict[tuple[str, int], dict[str, float]], n: int, seed: int = 1):
    """n postings per (role, year); each posting has each skill with the profile's probability."""
    rng = np.random.default_rng(seed)
    roles, skills, pid = [], [], 0
    for (role, year), profile in profiles.items():
        for _ in range(n):
            pid += 1
            roles.append((pid, role, year))
            for skill, p in profile.items():
                if rng.random() < p:
                    skills.append((pid, role, skill, "x"))
    return (
        pd.DataFrame(roles, columns=["posting_id", "role", "posted_year"]),
        pd.DataFrame(skills, columns=["posting_id", "role", "skill", "category"]),
    )


def _run(roles, skills, min_n=30):
    return tables.convergence(skills, roles, PAIR, ("Machine learning",), min_n, 300, 0.95, 7)


def test_same_profile_scores_near_one_and_different_profiles_low():
    same = {"Python": 0.8, "SQL": 0.5, "AWS": 0.3}
    roles, skills = _postings(
        {
            ("ml_engineer", 2020): same,
            ("data_scientist", 2020): same,
            ("ml_engineer", 2021): {"PyTorch": 0.8, "Kubernetes": 0.6},
            ("data_scientist", 2021): {"SQL": 0.8, "Excel": 0.6},
        },
        n=400,
    )
    out = _run(roles, skills).set_index("posted_year")
    assert out.loc[2020, "cosine"] > 0.98
    assert out.loc[2021, "cosine"] < 0.05
    for year in (2020, 2021):
        r = out.loc[year]
        assert r["ci_low"] <= r["cosine"] + 1e-9 and r["ci_low"] <= r["ci_high"]
    assert (out["n_a"] == 400).all() and (out["n_b"] == 400).all()


def test_postings_of_both_roles_and_role_name_skills_are_left_out():
    roles = pd.DataFrame(
        {
            "posting_id": [1, 1, 2, 3],
            "role": ["ml_engineer", "data_scientist", "ml_engineer", "data_scientist"],
            "posted_year": 2022,
        }
    )
    skills = pd.DataFrame(
        {
            "posting_id": [1, 1, 2, 2, 3],
            "role": [
                "ml_engineer",
                "data_scientist",
                "ml_engineer",
                "ml_engineer",
                "data_scientist",
            ],
            "skill": ["SQL", "SQL", "PyTorch", "Machine learning", "SQL"],
            "category": "x",
        }
    )
    out = _run(roles, skills, min_n=1).iloc[0]
    # posting 1 names both roles: left out; ML is posting 2 (PyTorch), DS posting 3 (SQL)
    assert (out["n_a"], out["n_b"]) == (1, 1)
    assert out["cosine"] == 0.0


def test_a_thin_year_has_n_but_no_cosine():
    p = {"Python": 0.5}
    roles, skills = _postings({("ml_engineer", 2013): p, ("data_scientist", 2013): p}, n=12)
    out = _run(roles, skills, min_n=30).iloc[0]
    assert out["n_a"] == 12 and pd.isna(out["cosine"]) and pd.isna(out["ci_low"])


def test_a_year_does_not_move_when_another_year_changes_and_is_kept_by_digest(tmp_path):
    from etl.build_cache import ResultCache

    p = {"Python": 0.6, "SQL": 0.4, "AWS": 0.2}
    base = {("ml_engineer", 2020): p, ("data_scientist", 2020): p}
    roles, skills = _postings(
        {**base, ("ml_engineer", 2021): p, ("data_scientist", 2021): {"SQL": 0.9}}, n=60
    )
    # 2021 gets other postings (a thread of 2021 changed): 2020's figures are the same
    roles2, skills2 = _postings(
        {**base, ("ml_engineer", 2021): {"Go": 0.5}, ("data_scientist", 2021): {"SQL": 0.9}}, n=60
    )
    same_2020 = roles2["posted_year"] == 2020
    roles2 = pd.concat([roles[roles["posted_year"] == 2020], roles2[~same_2020]])
    skills2 = pd.concat(
        [
            skills[
                skills["posting_id"].isin(roles.loc[roles["posted_year"] == 2020, "posting_id"])
            ],
            skills2[
                skills2["posting_id"].isin(roles2.loc[roles2["posted_year"] == 2021, "posting_id"])
            ],
        ]
    )
    first = _run(roles, skills).set_index("posted_year")
    second = _run(roles2, skills2).set_index("posted_year")
    pd.testing.assert_series_equal(first.loc[2020], second.loc[2020])
    assert first.loc[2021, "cosine"] != second.loc[2021, "cosine"]

    cache = ResultCache(tmp_path, "conv")
    memo = cache.get_or_compute
    args = (PAIR, ("Machine learning",), 30, 300, 0.95, 7)
    cold = tables.convergence(skills, roles, *args, memo=memo)
    assert (cache.hits, cache.misses) == (0, 2)
    warm = tables.convergence(skills2, roles2, *args, memo=memo)
    assert (cache.hits, cache.misses) == (1, 3)  # 2020 read back, the changed 2021 computed
    pd.testing.assert_frame_equal(cold, first.reset_index())
    pd.testing.assert_frame_equal(warm, second.reset_index())
