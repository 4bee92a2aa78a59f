"""Skills tied to the job they belong to inside multi-job ads (etl.transform.attribution)."""

from __future__ import annotations

import pandas as pd

from etl.transform import attribution, hn_roles
from etl.transform.skills import default_matcher

MATCHERS = hn_roles.compile_role_rules(hn_roles.load_role_rules())
SKILLS = default_matcher()


def attr(text: str, roles: list[str]) -> set[tuple[str, str, str]]:
    return set(attribution.attribute(text, roles, MATCHERS, SKILLS))


def skills_of(text: str, roles: list[str]) -> set[str]:
    """The skills attributed to any of `roles`."""
    return {s for _, s, _ in attr(text, roles)}


def assert_kept(text: str, role: str, kept: set[str], left_out: set[str]) -> None:
    """`role` gets every skill of `kept` and none of `left_out`."""
    got = skills_of(text, [role])
    assert kept <= got, kept - got
    assert not left_out & got, left_out & got


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
    assert_kept(text, "data_scientist", {"Python"}, {"Java", "TypeScript"})


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


def test_published_skill_counts_do_not_give_a_web_jobs_stack_to_the_data_scientist():
    """The mechanism behind the Skills view: the published per-role counts are built from the
    attributed skills, so the Rails job's Ruby/JavaScript of a multi-job ad are not counted for
    the data scientist, though the ad's whole-ad skills (posting_skills) hold them."""
    from etl.sources.hn_whoishiring import skill_aggregates
    from etl.transform.skills import extract_skills

    texts = [
        "Acme | Remote\n- Rails Engineer: Ruby, JavaScript\n- Data Scientist: Python, SQL",
        "Beta | NYC | Data Scientist\nPython, pandas and SQL.",
    ]
    postings = pd.DataFrame(
        {
            "posting_id": [1, 2],
            "text": texts,
            "first_line": [t.split("\n")[0] for t in texts],
            "thread_month": pd.to_datetime(["2024-03-01", "2024-03-01"]),
        }
    )
    flags = hn_roles.flag_roles(postings)
    flagged = pd.concat(
        [postings, flags.drop(columns=[c for c in flags.columns if c in postings.columns])], axis=1
    )
    whole = extract_skills(postings)
    assert {"Ruby", "JavaScript"} <= set(whole.loc[whole["posting_id"] == 1, "skill"])
    out = skill_aggregates(flagged, attribution.attribute_skills(postings, flags))
    ds = out["hn_skill_counts"].query("definition == 'anywhere' and role == 'data_scientist'")
    counts = ds.set_index("skill")["postings_with_skill"]
    assert counts["Python"] == 2 and counts["SQL"] == 2
    assert not {"Ruby", "JavaScript"} & set(counts.index)
    n = out["hn_role_year_counts"].query("definition == 'anywhere' and role == 'data_scientist'")
    assert n["role_postings"].tolist() == [2]


# One case per class of error found on the development part (`python -m eval --errors skills`).


def test_a_skill_in_another_jobs_title_of_a_list_is_that_jobs():
    text = (
        "Acme | Senior Back End Engineer, Python Engineer, Rust Engineers, Data Scientist | London\n"
        "We are hiring across the board! Positions include Machine Learning Engineers, "
        "Full Stack Engineers, Go/C++ Engineers and more."
    )
    got = {(r, s) for r, s, _ in attr(text, ["data_scientist", "ml_engineer"])}
    assert not {s for _, s in got} & {"Python", "Rust", "Go", "C++"}


def test_a_skill_goes_to_the_job_named_last_before_it_in_its_sentence():
    text = (
        "Acme | Remote\n"
        "We need engineers in the areas of Scala working on our services, Data Engineer working on "
        "our Kafka/Spark platform, Machine Learning Engineers working on PyTorch models."
    )
    got = attr(text, ["ml_engineer"])
    assert {s for _, s, _ in got} == {"PyTorch", "Machine learning"}  # the title names the field
    assert {how for *_, how in got} == {"job_part"}


def test_a_header_field_naming_no_job_is_every_job_of_the_header():
    text = "Acme | Data Engineer, Data Scientist, Front-end Developer | SQL, Python, R | Amsterdam"
    got = skills_of(text, ["data_scientist"])
    assert {"Python", "R"} <= got


def test_a_generic_job_noun_is_no_other_job():
    text = (
        "Acme | Remote\n"
        "- We keep growing our NLP team, looking for Machine Learning Engineers, and for engineers "
        "who know LLMs."
    )
    assert ("ml_engineer", "LLM") in {(r, s) for r, s, _ in attr(text, ["ml_engineer"])}


def test_a_line_opening_with_another_jobs_title_is_that_jobs():
    text = (
        "Acme | Data Scientist, Full Stack Engineer | NYC\n"
        "Full Stack Engineer - We are seeking a skilled engineer with JavaScript and TypeScript "
        "experience who will build our web app.\n"
        "Golang Developer (New York, Paris) --https://example.com/jobs/1\n"
        "Back End (Scala) developer: high-performance ad auction services\n"
        "Data Scientist - you will model churn in Python."
    )
    assert_kept(text, "data_scientist", {"Python"}, {"TypeScript", "Go", "Scala"})
    # the opening title decides even when the text names a field of ours further on
    text = (
        "Acme | ML Engineer, Full Stack Engineer | NYC\n"
        "Full Stack Engineer - We are seeking an engineer with Rust and Java to build web apps, "
        "with a passion for cutting-edge AI technologies.\n"
        "ML Engineer - train models in PyTorch."
    )
    assert_kept(text, "ml_engineer", {"PyTorch"}, {"Rust", "Java"})


def test_lines_below_a_jobs_title_are_its_section_until_a_header():
    text = (
        "Acme | San Francisco\n"
        "We're hiring for the following roles:\n"
        "1. Full Stack Engineer / Backend\n"
        "- Own our backend and re-engineer it to scale\n"
        "- Experience with Go a plus\n"
        "- Experience in Rails required, experience in R a plus\n"
        "2. Senior Data Scientist\n"
        "- Model pricing in Python\n"
        "Tech Stack:\n"
        "- Docker and Kubernetes"
    )
    got = attr(text, ["data_scientist"])
    assert ("data_scientist", "Python", "job_section") in got
    assert ("data_scientist", "Docker", "company_wide") in got
    assert not {"Go", "R"} & {s for _, s, _ in got}


def test_sentences_about_the_companys_people_and_backers_ask_no_skill():
    text = (
        "Acme | ML Engineer, Backend Engineer | Remote\n"
        "Hi all, I'm Ann, founder of Acme, previously led search at MongoDB. We train models "
        "in PyTorch.\n"
        "We are backed by the CEO of HuggingFace and ex-Snowflake engineers."
    )
    assert_kept(text, "ml_engineer", {"PyTorch"}, {"MongoDB", "Hugging Face", "Snowflake"})
    # an ad for one job likewise
    single = (
        "Acme | ML Engineer | Remote\nOur investors include the makers of TensorFlow.\nPyTorch."
    )
    assert skills_of(single, ["ml_engineer"]) == {"Machine learning", "PyTorch"}


def test_another_area_of_a_list_of_hiring_areas_keeps_its_skill():
    text = (
        "Acme | Technical Leadership roles for Machine Learning, Scala & Elixir | Remote\n"
        "We are looking for engineers for multiple roles including full stack, big data (spark), "
        "and machine learning. Languages we like: Python."
    )
    # a sentence naming no job is every listed job's
    assert_kept(text, "ml_engineer", {"Python"}, {"Scala", "Spark"})


def test_a_keyed_stack_line_makes_a_one_role_ad_a_multi_area_one():
    text = (
        "Acme | Data Scientist | Sydney\n"
        "Engineering stacks: Backend = Java services, Frontend = React + TypeScript, Data = Python."
    )
    got = attr(text, ["data_scientist"])
    assert {s for _, s, _ in got} == {"Python"}
    assert {how for *_, how in got} == {"job_part"}


def test_a_stack_keyed_by_our_roles_field_is_that_roles():
    text = (
        "Acme | Data Scientist, Machine Learning Engineer, iOS Engineer | SF\n"
        "Tech: Ruby on Rails, React\n"
        "Data Analysis & Data Science: SQL, R, Python"
    )
    got = attr(text, ["data_scientist", "ml_engineer"])
    assert ("data_scientist", "R", "job_part") in got
    assert not {s for r, s, _ in got if r == "ml_engineer"} & {"R", "Python"}


def test_a_lone_job_noun_in_prose_of_a_one_role_ad_is_that_roles_job():
    text = (
        "Acme AI | AI Engineer | Onsite SF\n"
        "We build agents for maps.\n"
        "We're 3 people, looking for a senior python engineer who has worked with LLMs before."
    )
    got = attr(text, ["ai_engineer"])
    assert {"Python", "LLM"} <= {s for _, s, _ in got}
    assert {how for *_, how in got} == {"single_job"}
    # another job on a line of its own, or among several on one line, still makes it multi-job
    listed = (
        text + "\nWe are also looking for Rails Developers, iOS Developers and Designers: Ruby."
    )
    assert "Ruby" not in skills_of(listed, ["ai_engineer"])


def test_a_jobs_details_below_its_title_stay_in_its_section():
    text = (
        "Acme | Multiple engineering roles | Boston\n"
        "Senior Backend Engineer (Call Infrastructure) | $130,000 - $156,000\n"
        "Responsibilities: build our calling services. Tech Stack: TypeScript, Docker, Postgres.\n"
        "Lead AI/ML Engineer | $152,000 - $182,000\n"
        "Responsibilities: lead a small team. Tech Stack: Python, PyTorch, XGBoost."
    )
    got = attr(text, ["ml_engineer"])
    assert ("ml_engineer", "PyTorch", "job_section") in got
    assert not {"TypeScript", "Docker"} & {s for _, s, _ in got}
