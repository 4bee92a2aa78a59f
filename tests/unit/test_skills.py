"""Unit tests for etl.transform.skills: taxonomy, matcher, posting_skills and comparisons.

Reads tests/fixtures/skills_tricky.csv and the packaged taxonomy; writes only to tmp_path.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pandas as pd
import pytest

from etl.transform.skills import (
    CATEGORIES,
    SkillMatcher,
    cooccurrence,
    extract_skills,
    load_taxonomy,
    naive_skills_in,
    skill_shares,
    weighted_log_odds,
)

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "skills_tricky.csv"


def _tricky_rows() -> list[dict[str, str]]:
    with FIXTURE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _split(cell: str) -> set[str]:
    return {s for s in cell.split("|") if s}


@pytest.fixture(scope="module")
def matcher() -> SkillMatcher:
    return SkillMatcher()


# --- taxonomy ---------------------------------------------------------------------------------


def test_taxonomy_size_categories_and_rules() -> None:
    tax = load_taxonomy()
    assert len(tax) >= 150
    assert set(tax["category"]) == set(CATEGORIES)
    assert tax["skill"].is_unique
    assert set(tax["rule"]) <= {"word", "case_sensitive", "regex"}
    # The ambiguous names carry a rule of their own and a note saying why.
    for name in ["R", "C", "Go", "Julia", "Spark", "Excel", "Machine learning"]:
        row = tax.loc[tax["skill"] == name].iloc[0]
        assert row["rule"] == "regex", name
        assert len(row["note"]) > 20, name


def test_claim_skills_present() -> None:
    skills = set(load_taxonomy()["skill"])
    claim = {"SQL", "Excel", "Linear regression", "scikit-learn", "XGBoost", "Deep learning"}
    claim |= {"Neural networks", "PyTorch", "TensorFlow", "AWS", "GCP", "Azure", "MLOps"}
    claim |= {"Kubernetes", "Docker", "A/B testing", "LLM", "RAG", "LangChain", "OpenAI API"}
    assert claim <= skills


def _write_taxonomy(tmp_path: Path, mutate) -> Path:
    tax = load_taxonomy()
    tax = mutate(tax.copy())
    path = tmp_path / "skills.csv"
    tax.to_csv(path, index=False)
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda t: pd.concat([t, t.iloc[[0]]]), "duplicate skill names"),
        (
            lambda t: t.assign(category=t["category"].replace("cloud", "clouds")),
            "unknown categories",
        ),
        (lambda t: t.assign(rule=t["rule"].replace("word", "words")), "unknown rules"),
        (lambda t: t.groupby("category").head(5), "expected at least 150"),
        (lambda t: t[t["category"] != "cloud"], "categories without any skill"),
        (lambda t: t.drop(columns=["note"]), "missing taxonomy columns"),
    ],
)
def test_broken_taxonomy_raises_clear_error(tmp_path: Path, mutate, message: str) -> None:
    path = _write_taxonomy(tmp_path, mutate)
    with pytest.raises(ValueError, match=message):
        load_taxonomy(path)


def test_bad_regex_raises(tmp_path: Path) -> None:
    def broken(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[t["skill"] == "R", "aliases"] = "R(?<!x"
        return t

    with pytest.raises(ValueError, match="regex for skill 'R' does not compile"):
        load_taxonomy(_write_taxonomy(tmp_path, broken))


def test_regex_without_anchors_raises(tmp_path: Path) -> None:
    # A regex skill is only searched in postings holding one of its declared anchor tokens.
    def broken(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[t["skill"] == "R", "anchors"] = ""
        return t

    with pytest.raises(ValueError, match="regex for skill 'R' declares no anchors"):
        load_taxonomy(_write_taxonomy(tmp_path, broken))


@pytest.mark.parametrize("anchors", ["R", "py spark", "c++/c"])
def test_anchor_must_be_a_lower_case_token(tmp_path: Path, anchors: str) -> None:
    def broken(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[t["skill"] == "R", "anchors"] = anchors
        return t

    with pytest.raises(ValueError, match="anchors of skill 'R' must be lower-case single tokens"):
        load_taxonomy(_write_taxonomy(tmp_path, broken))


def test_anchors_only_on_regex_rules(tmp_path: Path) -> None:
    def broken(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[t["skill"] == "Python", "anchors"] = "python"
        return t

    with pytest.raises(ValueError, match="skill 'Python' declares anchors"):
        load_taxonomy(_write_taxonomy(tmp_path, broken))


def test_a_missing_anchor_loses_matches(tmp_path: Path) -> None:
    # the pre-filter trusts the declared anchors: drop 'golang' and 'Golang' is no longer found,
    # which the naive reference (every pattern searched) still finds; the equality tests below
    # and the mirror test catch such a gap
    def drop(t: pd.DataFrame) -> pd.DataFrame:
        t.loc[t["skill"] == "Go", "anchors"] = "go"
        return t

    m = SkillMatcher(load_taxonomy(_write_taxonomy(tmp_path, drop)))
    text = "Backend in Golang and Python"
    assert "Go" in naive_skills_in(text, m)
    assert "Go" not in m.skills_in(text)


# --- matcher ----------------------------------------------------------------------------------


def test_fixture_is_big_enough() -> None:
    assert len(_tricky_rows()) >= 60


@pytest.mark.parametrize("row", _tricky_rows(), ids=lambda r: r["sentence"][:40])
def test_tricky_sentence(matcher: SkillMatcher, row: dict[str, str]) -> None:
    found = matcher.skills_in(row["sentence"])
    must, must_not = _split(row["must"]), _split(row["must_not"])
    assert (must | must_not) <= set(matcher.skills), "fixture names an unknown skill"
    assert must <= found, f"missing {sorted(must - found)}"
    assert not (must_not & found), f"unwanted {sorted(must_not & found)}"


def test_one_pass_equals_naive_reference(matcher: SkillMatcher) -> None:
    for row in _tricky_rows():
        text = row["sentence"]
        assert matcher.skills_in(text) == naive_skills_in(text, matcher), text
    # Case and punctuation variants too.
    for row in _tricky_rows():
        for text in (row["sentence"].upper(), row["sentence"].lower(), f"({row['sentence']})"):
            assert matcher.skills_in(text) == naive_skills_in(text, matcher), text


def test_aliases_count_once(matcher: SkillMatcher) -> None:
    text = "mongo, MongoDB, postgres, PostgreSQL, k8s, Kubernetes, sklearn, scikit-learn"
    assert matcher.skills_in(text) == {"MongoDB", "PostgreSQL", "Kubernetes", "scikit-learn"}


def test_non_ascii_text(matcher: SkillMatcher) -> None:
    text = "Zürich – Python’s great; “SQL” • Kubernetes…"
    assert matcher.skills_in(text) == {"Python", "SQL", "Kubernetes"}
    assert matcher.skills_in(text) == naive_skills_in(text, matcher)


# --- extract_skills ---------------------------------------------------------------------------


def test_extract_skills_exact_rows(matcher: SkillMatcher) -> None:
    postings = pd.DataFrame(
        {
            "posting_id": pd.Series([13, 10, 11, 12], dtype="int64"),
            "text": [
                "mongo, MongoDB, Excel spreadsheets",
                "Python and SQL; postgres/PostgreSQL.",
                "You will excel at R&D.",
                "PyTorch, k8s and Kubernetes on AWS.",
            ],
        }
    )
    out = extract_skills(postings, matcher)
    expected = pd.DataFrame(
        {
            "posting_id": pd.Series([10, 10, 10, 12, 12, 12, 13, 13], dtype="int64"),
            "skill": ["PostgreSQL", "Python", "SQL", "AWS", "Kubernetes", "PyTorch"]
            + ["Excel", "MongoDB"],
            "category": ["databases", "languages", "languages", "cloud", "mlops_deployment"]
            + ["ml_dl_frameworks", "bi_spreadsheets", "databases"],
        }
    )
    assert list(out.columns) == ["posting_id", "skill", "category"]
    assert out["posting_id"].dtype == "int64"
    assert out.astype({"skill": object, "category": object}).equals(
        expected.astype({"skill": object, "category": object})
    )


def test_extract_skills_dedupes_repeated_postings(matcher: SkillMatcher) -> None:
    postings = pd.DataFrame(
        {"posting_id": pd.Series([5, 5], dtype="int64"), "text": ["Python", "Python, SQL"]}
    )
    out = extract_skills(postings, matcher)
    assert out[["posting_id", "skill"]].values.tolist() == [[5, "Python"], [5, "SQL"]]


def test_extract_skills_empty(matcher: SkillMatcher) -> None:
    postings = pd.DataFrame({"posting_id": pd.Series([], dtype="int64"), "text": []})
    out = extract_skills(postings, matcher)
    assert out.empty and list(out.columns) == ["posting_id", "skill", "category"]


# --- skill_shares -----------------------------------------------------------------------------


@pytest.fixture()
def small_tables() -> tuple[pd.DataFrame, pd.DataFrame]:
    posting_skills = pd.DataFrame(
        {
            "posting_id": [1, 2, 2, 3, 3, 4],
            "skill": ["SQL", "SQL", "Python", "Python", "PyTorch", "PyTorch"],
            "category": ["languages", "languages", "languages", "languages"]
            + ["ml_dl_frameworks", "ml_dl_frameworks"],
        }
    )
    # Posting 3 is both roles; posting 5 (ml) mentions no skill but still counts.
    posting_roles = pd.DataFrame(
        {
            "posting_id": [1, 2, 3, 3, 4, 5],
            "role": ["data_scientist"] * 3 + ["ml_engineer"] * 3,
            "posted_month": ["2024-01", "2024-02", "2024-02", "2024-02", "2024-02", "2024-02"],
        }
    )
    return posting_skills, posting_roles


def test_skill_shares_denominators(small_tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    posting_skills, posting_roles = small_tables
    out = skill_shares(posting_skills, posting_roles).set_index(["role", "skill"])
    # data_scientist: postings 1, 2, 3 -> 3; SQL in 1 and 2 -> 2/3.
    assert out.loc[("data_scientist", "SQL"), "role_postings"] == 3
    assert out.loc[("data_scientist", "SQL"), "postings_with_skill"] == 2
    assert out.loc[("data_scientist", "SQL"), "posting_share_pct"] == pytest.approx(200 / 3)
    assert out.loc[("data_scientist", "PyTorch"), "posting_share_pct"] == pytest.approx(100 / 3)
    # ml_engineer: postings 3, 4, 5 -> 3 (5 has no skill); PyTorch in 3 and 4 -> 2/3.
    assert out.loc[("ml_engineer", "PyTorch"), "role_postings"] == 3
    assert out.loc[("ml_engineer", "PyTorch"), "posting_share_pct"] == pytest.approx(200 / 3)
    assert ("ml_engineer", "SQL") not in out.index
    assert out["postings_with_skill"].dtype == "int64"


def test_skill_shares_by_month(small_tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    posting_skills, posting_roles = small_tables
    out = skill_shares(posting_skills, posting_roles, group_cols=("role", "posted_month"))
    out = out.set_index(["role", "posted_month", "skill"])
    # data_scientist in 2024-02: postings 2 and 3 -> 2; SQL only in 2 -> 50%.
    assert out.loc[("data_scientist", "2024-02", "SQL"), "role_postings"] == 2
    assert out.loc[("data_scientist", "2024-02", "SQL"), "posting_share_pct"] == 50.0
    assert out.loc[("data_scientist", "2024-01", "SQL"), "posting_share_pct"] == 100.0


# --- weighted_log_odds ------------------------------------------------------------------------


def test_weighted_log_odds_by_hand() -> None:
    # a: 10 postings, SQL in 8, PyTorch in 2; b: 10 postings, SQL in 2, PyTorch in 8.
    # Prior alpha = 1 for each skill (alpha_0 = 2). For SQL:
    #   delta = log((8+1)/(10+2-8-1)) - log((2+1)/(10+2-2-1)) = log(9/3) - log(3/9) = 2 log 3
    #   variance = 1/9 + 1/3 = 4/9, z = 2 log 3 / (2/3) = 3 log 3 = 3.2958
    a = pd.Series({"SQL": 8, "PyTorch": 2})
    b = pd.Series({"SQL": 2, "PyTorch": 8})
    prior = pd.Series({"SQL": 1.0, "PyTorch": 1.0})
    out = weighted_log_odds(a, 10, b, 10, prior=prior)
    assert out.loc["SQL", "delta"] == pytest.approx(2 * math.log(3))
    assert out.loc["SQL", "variance"] == pytest.approx(4 / 9)
    assert out.loc["SQL", "z"] == pytest.approx(3 * math.log(3))
    assert out.loc["PyTorch", "z"] == pytest.approx(-3 * math.log(3))  # distinctive of b
    assert list(out.index) == ["SQL", "PyTorch"]  # sorted by z, a-distinctive first
    # Default prior: pooled counts (10, 10) scaled to alpha_0 = 2 skills -> alpha = 1 each.
    default = weighted_log_odds(a, 10, b, 10)
    assert default.loc["SQL", "z"] == pytest.approx(3 * math.log(3))
    assert default.loc["SQL", "count_a"] == 8 and default.loc["SQL", "count_b"] == 2


def test_weighted_log_odds_missing_skill_and_errors() -> None:
    a = pd.Series({"SQL": 3})
    b = pd.Series({"PyTorch": 3})
    out = weighted_log_odds(a, 5, b, 5)
    assert out.loc["SQL", "z"] > 0 > out.loc["PyTorch", "z"]
    with pytest.raises(ValueError, match="exceeds"):
        weighted_log_odds(pd.Series({"SQL": 6}), 5, b, 5)


# --- cooccurrence -----------------------------------------------------------------------------


def test_cooccurrence_lift_by_hand() -> None:
    # 1: A B, 2: A B, 3: A, 4: B C, 5: C.  n = 5.
    # A,B: pair 2, P(A)=3/5, P(B)=3/5 -> lift = (2/5)/(9/25) = 10/9.
    # B,C: pair 1, P(B)=3/5, P(C)=2/5 -> lift = (1/5)/(6/25) = 5/6.
    ps = pd.DataFrame(
        {
            "posting_id": [1, 1, 2, 2, 3, 4, 4, 5],
            "skill": ["A", "B", "A", "B", "A", "B", "C", "C"],
        }
    )
    out = cooccurrence(ps, min_count=1)
    assert out[["skill_a", "skill_b"]].values.tolist() == [["A", "B"], ["B", "C"]]
    assert out["lift"].tolist() == pytest.approx([10 / 9, 5 / 6])
    assert out.iloc[0][["pair_postings", "postings_a", "postings_b", "n_postings"]].tolist() == [
        2,
        3,
        3,
        5,
    ]
    # min_count filters; a listed posting without skills (6) enlarges n: 2*6/(3*3) = 4/3.
    assert cooccurrence(ps, min_count=2)["skill_b"].tolist() == ["B"]
    wider = cooccurrence(ps, posting_ids=[1, 2, 3, 4, 5, 6], min_count=2)
    assert wider["lift"].tolist() == pytest.approx([4 / 3])
    assert len(cooccurrence(ps, min_count=1, top=1)) == 1


def test_stratified_log_odds_compares_like_with_like():
    """A skill common in one year and rare in another looks distinctive of the role whose
    postings come from the common year when pooled, and not when compared within years."""
    import pandas as pd

    from etl.transform.skills import stratified_log_odds, weighted_log_odds

    rows = []
    # 2018: 100 DS and 50 ML postings, LLM in 2% of each; 2024: 50 DS and 100 ML, LLM in 40% of each
    for year, n_a, n_b, share in ((2018, 50, 100, 0.02), (2024, 100, 50, 0.40)):
        rows.append(
            dict(
                stratum=year,
                skill="LLM",
                count_a=round(n_a * share),
                count_b=round(n_b * share),
                n_a=n_a,
                n_b=n_b,
            )
        )
        rows.append(
            dict(stratum=year, skill="Python", count_a=n_a // 2, count_b=n_b // 2, n_a=n_a, n_b=n_b)
        )
    counts = pd.DataFrame(rows)
    pooled = counts.groupby("skill")[["count_a", "count_b"]].sum()
    z_pooled = weighted_log_odds(pooled["count_a"], 150, pooled["count_b"], 150).loc["LLM", "z"]
    lo, used = stratified_log_odds(counts, min_n=30)
    assert used == [2018, 2024]
    assert z_pooled > 1.96  # pooled: LLM "distinctive of ML engineers" (group a)
    assert abs(lo.loc["LLM", "z"]) < 1.0  # within years: no difference
    assert (lo.loc["LLM", "n_a"], lo.loc["LLM", "n_b"]) == (150, 150)
    # a year below the minimum is left out
    _, used_40 = stratified_log_odds(counts, min_n=60)
    assert used_40 == []


def test_stratified_log_odds_equals_weighted_log_odds_per_stratum_combined():
    """The vectorised strata are the per-stratum weighted_log_odds (pooled prior of the stratum)
    combined by inverse-variance weights, computed here the slow way."""
    import numpy as np
    import pandas as pd

    from etl.transform.skills import stratified_log_odds, weighted_log_odds

    rng = np.random.default_rng(3)
    rows = []
    for stratum, (n_a, n_b) in {2018: (40, 90), 2019: (60, 50), 2020: (5, 80)}.items():
        for skill in "ABCDEFG":
            ca, cb = int(rng.integers(0, n_a // 2)), int(rng.integers(0, n_b // 2))
            if ca + cb:
                rows.append((stratum, skill, ca, cb, n_a, n_b))
    counts = pd.DataFrame(rows, columns=["stratum", "skill", "count_a", "count_b", "n_a", "n_b"])
    got, used = stratified_log_odds(counts, min_n=30)
    assert used == [2018, 2019]  # 2020 has 5 postings of group a
    parts = []
    for stratum in used:
        part = counts[counts["stratum"] == stratum].set_index("skill")
        n_a, n_b = int(part["n_a"].iloc[0]), int(part["n_b"].iloc[0])
        parts.append(weighted_log_odds(part["count_a"], n_a, part["count_b"], n_b))
    allp = pd.concat(parts)
    w = 1 / allp["variance"]
    delta = (w * allp["delta"]).groupby(level=0).sum() / w.groupby(level=0).sum()
    pd.testing.assert_series_equal(got["delta"].sort_index(), delta.sort_index(), check_names=False)
    assert np.allclose(got["variance"].sort_index(), (1 / w.groupby(level=0).sum()).sort_index())
