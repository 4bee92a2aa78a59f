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
