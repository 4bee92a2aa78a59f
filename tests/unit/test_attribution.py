"""Skills tied to the job they belong to inside multi-job ads (etl.transform.attribution)."""

from __future__ import annotations

import pandas as pd

from etl.transform import attribution, hn_roles
from etl.transform.skills import default_matcher

MATCHERS = hn_roles.compile_role_rules(hn_roles.load_role_rules())
SKILLS = default_matcher()


def attr(text: str, roles: list[str]) -> set[tuple[str, str, str]]:
    return set(attribution.attribute(text, roles, MATCHERS, SKILLS))


def test_single_job_ad_gives_every_skill_to_the_job():
    text = "Acme | Senior Data Scientist | Remote\nWe use Python, R and Tableau."
    got = attr(text, ["data_scientist"])
    assert {s for _, s, _ in got} == {"Python", "R", "Tableau"}
    assert {how for *_, how in got} == {"single_job"}


def test_another_jobs_line_keeps_its_skills():
    text = (
        "Acme | Remote\n"
        "- Rails Engineer: Ruby, Postgres, JavaScript\n"
        "- Senior Data Scientist: Python, pandas, scikit-learn\n"
        "Our tech stack: Docker and AWS."
    )
    got = attr(text, ["data_scientist"])
    skills = {s for _, s, _ in got}
    assert {"Python", "pandas", "scikit-learn"} <= skills
    assert not {"Ruby", "PostgreSQL", "JavaScript"} & skills
    # a company-wide stack line goes to every job
    assert ("data_scientist", "Docker", "company_wide") in got


def test_keyed_stack_line_ties_each_stack_to_its_area():
    text = (
        "Acme | Sydney\nWe're hiring Backend, Frontend, Data Science and more.\n"
        "Stacks: Backend = Java services, Frontend = React + TypeScript, Data Science = Python."
    )
    got = {s for _, s, _ in attr(text, ["data_scientist"])}
    assert "Python" in got and "Java" not in got and "TypeScript" not in got


def test_table_shape_and_values():
    postings = pd.DataFrame(
        {
            "posting_id": [1, 2],
            "text": ["Acme | ML Engineer\nPyTorch and Kubernetes.", "Acme | Designer\nFigma."],
            "first_line": ["Acme | ML Engineer", "Acme | Designer"],
        }
    )
    flags = hn_roles.flag_roles(postings)
    table = attribution.attribute_skills(postings, flags)
    assert list(table.columns) == attribution.ATTRIBUTION_COLUMNS
    assert set(table["posting_id"]) == {1}
    assert set(zip(table["role"], table["skill"], strict=True)) == {
        ("ml_engineer", "Machine learning"),  # the title names the field too
        ("ml_engineer", "PyTorch"),
        ("ml_engineer", "Kubernetes"),
    }
