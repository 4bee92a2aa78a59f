"""Role flags for HN postings: the rules file, tricky phrases, and the fixture threads."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from etl.sources.hn_parse import parse_thread
from etl.transform.hn_roles import (
    ROLE_RULES_PATH,
    ROLES,
    flag_column,
    flag_roles,
    load_role_rules,
    posting_roles_long,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PHRASES_FILE = FIXTURES / "hn_role_phrases.csv"
FLAG_COLUMNS = [
    "is_data_scientist_header",
    "is_ml_engineer_header",
    "is_ai_engineer_header",
    "is_data_scientist_anywhere",
    "is_ml_engineer_anywhere",
    "is_ai_engineer_anywhere",
]


def _postings(*pairs: tuple[str, str]) -> pd.DataFrame:
    """Postings from (first_line, body) pairs; the text holds the first line, like a real one."""
    return pd.DataFrame(
        {
            "posting_id": range(1, len(pairs) + 1),
            "first_line": [first for first, _ in pairs],
            "text": [f"{first}\n{body}".strip() for first, body in pairs],
        }
    )


def _read_phrases() -> list[dict[str, str]]:
    with PHRASES_FILE.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


PHRASES = _read_phrases()


# --- the rules file ----------------------------------------------------------------------


def test_shipped_rules_are_valid_and_documented() -> None:
    rules = load_role_rules()
    assert list(rules.columns) == ["rule_id", "role", "pattern", "kind", "note", "before"]
    assert rules["rule_id"].is_unique
    assert set(rules["role"]) == set(ROLES)
    assert set(rules["kind"]) == {"include", "exclude"}
    assert (rules["note"].str.len() > 10).all()


def _write_rules(
    tmp_path: Path, rows: list[list[str]], header: str = "rule_id,role,pattern,kind,note"
) -> Path:
    path = tmp_path / "rules.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        f.write(header + "\n")
        csv.writer(f).writerows(rows)
    return path


def _minimal_rows() -> list[list[str]]:
    return [
        ["ds_inc_01", "data_scientist", r"\bdata scientist\b", "include", "title"],
        ["ml_inc_01", "ml_engineer", r"\bml engineer\b", "include", "title"],
        ["ai_inc_01", "ai_engineer", r"\bai engineer\b", "include", "title"],
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ["pm_inc_01", "product_manager", r"\bpm\b", "include", "x"],
            "unknown role 'product_manager'",
        ),
        (["ml_inc_09", "ml_engineer", r"\bml\b", "maybe", "x"], "unknown kind 'maybe'"),
        (["ml_inc_09", "ml_engineer", r"(unclosed", "include", "x"], "invalid regex"),
        (["ml_inc_09", "ml_engineer", r"", "include", "x"], "empty pattern"),
        (["ml_inc_09", "ml_engineer", r"\bmle\b", "include", ""], "empty note"),
        (["ds_inc_09", "data_scientist", r"\bdata scientist\b", "include", "again"], "duplicate"),
        (
            ["ml_inc_01", "ml_engineer", r"\bmle\b", "include", "x"],
            "rule_id used by an earlier rule",
        ),
        (["ML-7", "ml_engineer", r"\bmle\b", "include", "x"], "is not like 'ml_inc_07'"),
    ],
)
def test_bad_rules_raise_naming_the_row(tmp_path: Path, change: list[str], message: str) -> None:
    path = _write_rules(tmp_path, [*_minimal_rows(), change])
    with pytest.raises(ValueError, match=message) as info:
        load_role_rules(path)
    assert "row 5" in str(info.value)
    assert str(path) in str(info.value)


def test_role_without_include_rule_is_refused(tmp_path: Path) -> None:
    path = _write_rules(tmp_path, _minimal_rows()[:2])
    with pytest.raises(ValueError, match="'ai_engineer' has no include rule"):
        load_role_rules(path)


def test_missing_column_is_refused(tmp_path: Path) -> None:
    path = _write_rules(
        tmp_path, [r[:4] for r in _minimal_rows()], header="rule_id,role,pattern,kind"
    )
    with pytest.raises(ValueError, match=r"missing column\(s\) \['note'\]"):
        load_role_rules(path)


def test_vouched_rules_skip_the_pattern_compile_until_a_file_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    from etl.transform import hn_roles

    rules, terms = tmp_path / "hn_role_rules.csv", tmp_path / "hn_role_terms.csv"
    shutil.copy(ROLE_RULES_PATH, rules)
    shutil.copy(hn_roles.ROLE_TERMS_PATH, terms)
    monkeypatch.setattr(hn_roles, "ROLE_RULES_PATH", rules)
    monkeypatch.setattr(hn_roles, "ROLE_TERMS_PATH", terms)
    monkeypatch.setattr(hn_roles, "_VOUCHED", set())
    hn_roles._validated_rules.cache_clear()
    expected = hn_roles.load_role_rules()
    hn_roles.vouch_for_role_rules()
    # a pattern broken with its file's size and time unchanged: vouched files are not compiled
    # pattern by pattern, so this goes unseen (what a stamp cannot tell, the code key does)
    st = rules.stat()
    text = rules.read_text()
    broken = text.replace(r"data[\s-]+scientists?\b", r"data[\s-]+scientists(\b", 1)
    assert broken != text and len(broken) == len(text)
    rules.write_text(broken)
    os.utime(rules, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert len(hn_roles.load_role_rules()) == len(expected)
    # once the file's time moves, it is checked in full again
    os.utime(rules, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    with pytest.raises(ValueError, match="invalid regex"):
        hn_roles.load_role_rules()
    hn_roles._validated_rules.cache_clear()


def test_default_path_is_the_mapping_file() -> None:
    assert ROLE_RULES_PATH.name == "hn_role_rules.csv"
    assert ROLE_RULES_PATH.parent.name == "mappings"


# --- tricky phrases ----------------------------------------------------------------------


def test_phrase_file_is_big_enough_and_well_formed() -> None:
    assert len(PHRASES) >= 40
    for row in PHRASES:
        assert row["definition"] in ("header", "anywhere")
        assert row["role"] in ROLES
        assert row["expected"] in ("True", "False")
        assert row["why"]


def test_tricky_phrases() -> None:
    postings = _postings(*[(r["first_line"], r["body"]) for r in PHRASES])
    flags = flag_roles(postings)
    wrong = []
    for i, row in enumerate(PHRASES):
        got = bool(flags.loc[i, flag_column(row["role"], row["definition"])])
        if got != (row["expected"] == "True"):
            text = row["first_line"] + (" / " + row["body"] if row["body"] else "")
            wrong.append(f"{text!r} {row['role']}/{row['definition']}: got {got} ({row['why']})")
    assert not wrong, "\n".join(wrong)


def test_exclusions_mask_a_mention_not_the_posting() -> None:
    flags = flag_roles(
        _postings(
            ("Acme | Backend Engineer", "You will work with our data scientists."),
            (
                "Acme | Backend Engineer",
                "You will work with our data scientists. Also hiring: Data Scientist.",
            ),
        )
    )
    assert flags["is_data_scientist_anywhere"].tolist() == [False, True]


def test_custom_rules_are_used(tmp_path: Path) -> None:
    rules = load_role_rules(_write_rules(tmp_path, _minimal_rows()))
    flags = flag_roles(_postings(("Acme | Machine Learning Engineer", "")), rules=rules)
    assert not flags.loc[0, "is_ml_engineer_header"]


# --- output shape ------------------------------------------------------------------------


def test_flag_columns_and_types() -> None:
    postings = _postings(("Acme | Data Scientist", ""), ("Acme | Designer", ""))
    postings["author"] = ["a", "b"]
    postings["thread_month"] = pd.Timestamp("2024-01-01")
    flags = flag_roles(postings)
    assert list(flags.columns) == ["posting_id", "thread_month", "author", *FLAG_COLUMNS]
    assert all(flags[c].dtype == bool for c in FLAG_COLUMNS)
    assert flags.index.equals(postings.index)
    assert "text" not in flags.columns


def test_missing_text_counts_as_no_match() -> None:
    postings = _postings(("Acme | Data Scientist", ""), ("", ""))
    postings.loc[1, "text"] = None
    flags = flag_roles(postings)
    assert flags["is_data_scientist_anywhere"].tolist() == [True, False]


def test_postings_without_needed_columns_are_refused() -> None:
    with pytest.raises(ValueError, match="first_line"):
        flag_roles(pd.DataFrame({"posting_id": [1], "text": ["x"]}))


def test_empty_postings() -> None:
    flags = flag_roles(_postings())
    assert flags.empty
    assert list(flags.columns) == ["posting_id", *FLAG_COLUMNS]


def test_posting_roles_long() -> None:
    flags = flag_roles(
        _postings(
            ("Acme | Data Scientist / ML Engineer", ""),
            ("Acme | Designer", "We also need an AI Engineer."),
            ("Acme | AI/ML Engineer", ""),
        )
    )
    header = posting_roles_long(flags, "header")
    assert list(header.columns) == ["posting_id", "role"]
    assert header.values.tolist() == [
        [1, "data_scientist"],
        [1, "ml_engineer"],
        [3, "ml_engineer"],
        [3, "ai_engineer"],
    ]
    anywhere = posting_roles_long(flags, "anywhere")
    assert [2, "ai_engineer"] in anywhere.values.tolist()
    assert header["posting_id"].dtype == "int64"
    with pytest.raises(ValueError, match="unknown definition"):
        posting_roles_long(flags, "title")


# --- the fixture threads -----------------------------------------------------------------


def test_fixture_threads_end_to_end() -> None:
    hn = FIXTURES / "hn"
    postings = pd.concat(
        [
            parse_thread((hn / "item_39217310.json").read_bytes(), "2024-02-01"),
            parse_thread((hn / "item_39562988.json").read_bytes(), "2024-03-01"),
            parse_thread((hn / "item_39894822.json").read_bytes(), "2024-04-01"),
        ],
        ignore_index=True,
    )
    flags = flag_roles(postings).set_index("posting_id")
    header = {r: set(flags.index[flags[f"is_{r}_header"]]) for r in ROLES}
    anywhere = {r: set(flags.index[flags[f"is_{r}_anywhere"]]) for r in ROLES}
    assert header["data_scientist"] == {39217401, 39563090, 39895000}
    assert header["ml_engineer"] == {39217455, 39563010, 39563090}
    assert header["ai_engineer"] == {39563010, 39894900}
    # "work with our data scientists", "used by data scientists", "notebooks for data
    # scientists" are mentions: the anywhere definition adds nothing here
    assert anywhere == header


def test_any_index_is_kept() -> None:
    postings = _postings(
        ("Acme | Backend", "Work with our data scientists."),
        ("Acme | Data Scientist", "Work with our data scientists."),
    )
    postings.index = [7, 7]
    flags = flag_roles(postings)
    assert flags.index.tolist() == [7, 7]
    assert flags["is_data_scientist_anywhere"].tolist() == [False, True]


def test_anchor_prefilter_changes_no_flag() -> None:
    """The fast path (a role's anchor words gate its rules) flags exactly what scanning every
    text with every rule flags, on the tricky phrases and on variants with the role's words."""
    from etl.transform.hn_roles import compile_role_rules, load_role_rules

    rules = load_role_rules()
    fast, naive = compile_role_rules(rules), compile_role_rules(rules, anchors=False)
    texts = [r["first_line"] + "\n" + r["body"] for r in PHRASES]
    texts += [t.upper() for t in texts] + [t.replace(" ", "  ") for t in texts]
    for role in fast:
        for text in texts:
            assert fast[role].decide(text) == naive[role].decide(text), (role, text)


def test_flags_and_evidence_equal_every_rule_scanning_every_text() -> None:
    """flag_roles_with_evidence (one anchor scan per text for the three roles, the prefilter,
    rules tried at their starts) flags and explains the tricky phrases exactly as each role's
    rules scanning each whole text do."""
    import dataclasses

    from etl.transform.hn_roles import (
        DEFINITIONS,
        compile_role_rules,
        flag_column,
        flag_roles_with_evidence,
        load_role_rules,
    )

    naive = {
        role: dataclasses.replace(m, required=None, anchor=None)
        for role, m in compile_role_rules(load_role_rules()).items()
    }
    postings = _postings(*((r["first_line"], r["body"]) for r in PHRASES))
    flags, ev = flag_roles_with_evidence(postings)
    rows = []
    for definition, column in DEFINITIONS.items():
        for pid, text in zip(postings["posting_id"], postings[column], strict=True):
            for role, m in naive.items():
                why = m.decide(text)
                hit = bool(why) and why[-1][0] == "include"
                assert flags.loc[pid - 1, flag_column(role, definition)] == hit, (role, text)
                rows += [(pid, role, definition, *w) for w in why] if hit else []
    got = sorted(ev.itertuples(index=False, name=None))
    assert got == sorted(rows)
    assert len(rows) > 100


def test_evidence_names_the_rule_and_offsets() -> None:
    from etl.transform.hn_roles import flag_roles_with_evidence

    postings = _postings(
        (
            "Acme | Backend Engineer",
            "You will work with our data scientists. Also hiring: Data Scientist.",
        )
    )
    flags, ev = flag_roles_with_evidence(postings)
    assert flags.loc[0, "is_data_scientist_anywhere"]
    text = postings.loc[0, "text"]
    rows = ev[(ev.role == "data_scientist") & (ev.definition == "anywhere")]
    assert list(rows["kind"]) == ["exclude", "include"]
    exc, inc = rows.iloc[0], rows.iloc[1]
    assert text[exc.start : exc.end] == "with our data scientists"
    assert text[inc.start : inc.end] == "Data Scientist"
    assert exc.rule_id.startswith("ds_exc_") and inc.rule_id.startswith("ds_inc_")
    assert set(ev.columns) == {
        "posting_id",
        "role",
        "definition",
        "kind",
        "rule_id",
        "start",
        "end",
    }
