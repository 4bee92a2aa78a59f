"""The role rules' literal prefilter: what a regex's matches need, and that skipping the rules
whose literals a text lacks changes no decision."""

from __future__ import annotations

import csv
import dataclasses
import random
import re
from pathlib import Path

import pytest

from etl.sources.hn_parse import parse_thread, thread_month_from_title
from etl.transform import rule_literals as lit
from etl.transform.hn_roles import compile_role_rules, load_role_rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _phrases() -> list[str]:
    with (FIXTURES / "hn_role_phrases.csv").open(newline="", encoding="utf-8") as f:
        return [f"{r['first_line']}\n{r['body']}".strip() for r in csv.DictReader(f)]


def _fixture_postings() -> list[str]:
    import json

    texts = []
    for path in sorted((FIXTURES / "hn").glob("item_*.json")):
        raw = path.read_bytes()
        month = thread_month_from_title(json.loads(raw)["title"])
        texts += parse_thread(raw, month)["text"].tolist()
    return texts


def _holds(clauses: lit.Clauses, text: str) -> bool:
    folded = lit.fold(text)
    return all(any(w in folded for w in c) for c in clauses)


# --- what a regex needs ------------------------------------------------------------------


def test_requirement_of_plain_words_and_alternations() -> None:
    assert lit.requirement(r"data[\s-]+scientists?\b") == ("&", ("data", "scientist"))
    assert lit.requirement(r"\b(?:ML|machine[\s-]+learning)\s+engineer") == (
        "&",
        (("|", ("ml", ("&", ("machine", "learning")))), "engineer"),
    )
    # a part that may be absent requires nothing
    assert lit.requirement(r"(?:senior\s+)?engineer") == "engineer"
    assert lit.requirement(r"x*") is None


def test_lookarounds_and_unknown_constructs() -> None:
    # a positive look-ahead must be in the text; a negative one requires nothing
    assert lit.requirement(r"team(?=[^.]{0,40}hiring)") == ("&", ("hiring", "team"))
    assert lit.requirement(r"team(?!\s+player)") == "team"
    # case-sensitive parts are matched case-insensitively too (a weaker requirement)
    assert lit.requirement(r"(?-i:\bMLE)\b") == "mle"
    # a back-reference, verbose mode or a bad pattern: nothing can be said, the rule always runs
    assert lit.requirement(r"(ab)\1") is None
    assert lit.requirement(r"(?x) a b c") is None
    assert lit.requirement(r"(unclosed") is None


def test_ascii_equivalents_are_the_ones_re_knows() -> None:
    """Folding maps exactly the characters re.IGNORECASE takes for ASCII letters."""
    assert lit.all_ascii_equivalents() == lit.ASCII_EQUIVALENTS
    # the Kelvin sign and the long s match 'k' and 's' in re: folding finds the literal
    assert re.search("skills", "\u017f\u212aills", re.IGNORECASE)
    assert _holds(lit.clauses("skills"), "\u017f\u212aills")


def test_clauses_are_implied_by_the_requirement() -> None:
    req = lit.requirement(r"(?:machine\s+learning|ML|computer\s+vision)\s+engineers?")
    cl = lit.clauses(req)
    assert frozenset({"engineer"}) in cl
    for text in ("ML engineers", "machine  learning engineer", "Computer Vision Engineer"):
        assert _holds(cl, text)
    assert not _holds(cl, "computer engineer")


def test_starts_of_words_options_and_unknown_beginnings() -> None:
    """What every match begins with: the leading run of literals, an optional part's words
    and the words after it, each branch's; None where a match may begin otherwise."""
    assert lit.starts(r"\bML\b") == {"ml"}
    assert lit.starts(r"(?:applied\s+)?(?:machine[\s-]*learning|NLP)\s+engineer") == {
        "applied",
        "machine",
        "nlp",
    }
    assert lit.starts(r"(?<!\bAI\s)\b(?:engineers?|technical\s+staff)") == {"engineer", "technical"}
    assert lit.starts(r"A\.?I\b") == {"a.i", "ai"}
    # a word that begins with another one adds no place: the shorter one is kept
    assert lit.starts(r"gen\s*AI|genai") == {"gen"}
    # a class, a '.', a non-ASCII character or an empty match may begin it: nothing is known
    assert lit.starts(r"[\w-]+\s+engineer") is None
    assert lit.starts(r"(?:senior)?") is None
    assert lit.starts(r"\u2013 engineer") is None
    # one-letter starts only when asked for
    assert lit.starts(r"\bI\s+am") is None
    assert lit.starts(r"\bI\s+am", 1) == {"i"}


def test_at_text_start_only_where_every_branch_begins_with_backslash_a() -> None:
    assert lit.at_text_start(r"\A[^\n]*\|")
    assert lit.at_text_start(r"(?:\A[^\n]*\||\Afoo)\s*\Z")
    assert lit.at_text_start(r"(?:(?:\Aa)|(?:\Ab[|)]))x")
    assert not lit.at_text_start(r"(?:\Afoo)?x")  # the group may be skipped
    assert not lit.at_text_start(r"x|\Afoo")
    assert not lit.at_text_start(r"^foo")  # a line start, with re.MULTILINE


def _texts_and_variants() -> list[str]:
    rng = random.Random(3)
    texts = _phrases() + _fixture_postings()
    return texts + [v for t in rng.sample(texts, 40) for v in _variants(t, rng)]


def test_every_match_of_a_rule_begins_with_one_of_its_starts() -> None:
    """Wherever a rule's pattern matches, overlapping matches included, the folded text there
    begins with one of its starts; wherever a role's exclude alternation matches, one of its
    starts begins or its look-ahead of the rules without starts matches: trying them only there
    finds every match."""
    matchers = compile_role_rules(load_role_rules())
    rules = load_role_rules()
    patterns = [(r.rule_id, r.pattern, lit.starts(r.pattern), None) for r in rules.itertuples()]
    patterns += [
        (f"{r.rule_id} before", r.before, lit.starts(r.before), None)
        for r in rules.itertuples()
        if r.before
    ]
    for role, m in matchers.items():
        if m.exclude is not None and m.required is not None:
            ex = m.required
            patterns.append(
                (f"{role} excludes", m.exclude.pattern, ex.exclude_starts, ex.exclude_rest)
            )
    checked = 0
    for name, source, starts, rest in patterns:
        if not starts:
            continue
        anywhere = re.compile(f"(?=(?:{source}))", re.IGNORECASE)
        for text in _texts_and_variants():
            folded = lit.fold(text)
            for hit in anywhere.finditer(text):
                p = hit.start()
                found = folded.startswith(tuple(starts), p) or (rest and rest.match(text, p))
                assert found, (name, text[p:][:80])
                checked += 1
    assert checked > 500


# --- the rules: a rule whose literals are absent cannot match ------------------------------


def _rules():  # type: ignore[no-untyped-def]
    for r in load_role_rules().itertuples(index=False):
        pattern = re.compile(r.pattern, re.IGNORECASE)
        before = (
            re.compile(f"(?:{r.before})\\Z", re.IGNORECASE | re.MULTILINE) if r.before else None
        )
        req = lit.all_of(lit.requirement(r.pattern), lit.requirement(r.before))
        yield r.rule_id, pattern, before, lit.clauses(req), lit.literals(req)


def test_every_rule_that_matches_meets_its_clauses() -> None:
    """On the tricky phrases, the fixture postings and their exotic spellings, each rule that matches
    (its pattern, and its `before` condition somewhere) meets its clauses; with each of its
    literals spelled differently, a rule whose clauses then fail does not match."""
    texts = _phrases() + _fixture_postings()
    # re takes the long s, the Kelvin sign and dotless i for 's', 'k' and 'i'
    texts += [t.replace("s", "\u017f").replace("K", "\u212a").replace("i", "\u0131") for t in texts]
    checked = 0
    for rule_id, pattern, before, cl, words in _rules():
        for text in texts:
            if not _matches(pattern, before, text):
                continue
            assert _holds(cl, text), (rule_id, text[:200])
            checked += 1
            for w in words:
                # the literal broken up ('data' -> 'd#ata'): if the clauses fail, so does the rule
                broken = re.sub(re.escape(w), w[0] + "#" + w[1:], text, flags=re.IGNORECASE)
                if not _holds(cl, broken):
                    assert not _matches(pattern, before, broken), (rule_id, w, broken[:200])
    assert checked > 100  # the phrases exercise most rules


def _matches(pattern: re.Pattern[str], before: re.Pattern[str] | None, text: str) -> bool:
    """The rule fires somewhere: its pattern matches where its `before` condition holds."""
    from etl.transform.hn_roles import _prefix

    if before is None:
        return pattern.search(text) is not None
    lines = "\\n" in before.pattern
    return any(before.search(_prefix(text, m.start(), lines)) for m in pattern.finditer(text))


def _variants(text: str, rng: random.Random) -> list[str]:
    """The text upper-cased, with random case flips, with re's non-ASCII equivalents of 's',
    'k' and 'i', and with a word of another posting spliced in."""
    flipped = "".join(c.upper() if rng.random() < 0.3 else c for c in text)
    exotic = text.replace("s", "\u017f").replace("k", "\u212a").replace("i", "\u0131")
    dotted = text.replace("I", "\u0130")
    return [text.upper(), flipped, exotic, dotted]


@pytest.mark.parametrize("seed", [0, 1])
def test_prefiltered_decisions_equal_unfiltered(seed: int) -> None:
    """For fixture postings, phrases and random variants of them, the matchers with the
    anchor, the prefilter and the rules tried only where their starts are decide exactly as the
    same matchers without them (every rule scanning every text)."""
    rng = random.Random(seed)
    fast = compile_role_rules(load_role_rules())
    naive = {role: dataclasses.replace(m, required=None, anchor=None) for role, m in fast.items()}
    assert all(m.required is not None for m in fast.values())
    texts = _phrases() + _fixture_postings()
    sample = texts + [v for t in rng.sample(texts, 60) for v in _variants(t, rng)]
    # lines and pairs of lines, as the attribution and pay steps ask about them
    lines = [ln for t in rng.sample(texts, 40) for ln in t.split("\n") if ln.strip()]
    sample += lines + [a + "\n" + b for a, b in zip(lines, lines[1:], strict=False)]
    flagged = 0
    for role in fast:
        for text in sample:
            got = fast[role].decide(text)
            assert got == naive[role].decide(text), (role, text[:200])
            flagged += bool(got and got[-1][0] == "include")
    assert flagged > 50
