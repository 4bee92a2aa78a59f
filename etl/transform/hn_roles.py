"""Flag which roles each Hacker News posting is an opening for, from rules kept as data.

Reads postings (`first_line`, `text`) and `etl/mappings/hn_role_rules.csv`; writes one row per
posting with boolean `is_<role>_<definition>` columns, or a long posting_id/role table.
"""

from __future__ import annotations

import bisect
import functools
import hashlib
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from etl.transform.rule_literals import (
    MIN_LITERAL,
    Requirement,
    RuleGate,
    StartScan,
    all_of,
    at_starts,
    at_text_start,
    decode,
    encode,
    fold,
    requirement,
    starts,
)
from etl.vocab import HN_DEFINITIONS, ROLES

ROLE_RULES_PATH = Path(__file__).resolve().parents[1] / "mappings" / "hn_role_rules.csv"
# named sub-patterns that rules use as {NAME} (lists of hiring areas, separators ...)
ROLE_TERMS_PATH = ROLE_RULES_PATH.with_name("hn_role_terms.csv")
_TERM_REF = re.compile(r"\{([A-Z][A-Z_]*)\}")
# the term (of ROLE_TERMS_PATH) holding the words every rule of a role needs: a text without them
# is not scanned by that role's rules (tests/unit/test_hn_roles.py checks that this skips no flag)
ANCHOR_TERMS: dict[str, str] = {
    "data_scientist": "DS_ANCHOR",
    "ml_engineer": "ML_ANCHOR",
    "ai_engineer": "AI_ANCHOR",
}
RULE_KINDS: tuple[str, ...] = ("include", "exclude")
RULE_COLUMNS: list[str] = ["rule_id", "role", "pattern", "kind", "note"]
# optional: a regex the text just before a match must end with (see RoleMatcher.context)
OPTIONAL_COLUMNS: list[str] = ["before"]
BEFORE_CHARS = 1500
PARALLEL_FROM = 20_000  # postings from which flag_roles scans in several processes
MAX_WORKERS = 4  # how far back a `before` condition may reach (snapped to a line start)
EVIDENCE_COLUMNS: list[str] = [
    "posting_id",
    "role",
    "definition",
    "kind",
    "rule_id",
    "start",
    "end",
]
# definition -> the posting column it searches
DEFINITIONS: dict[str, str] = HN_DEFINITIONS
ID_COLUMNS: list[str] = ["posting_id", "thread_id", "thread_month", "author", "created_at"]
# What each character of an excluded phrase is replaced with: a non-word separator, so that
# masking cannot glue the words on either side into a new match, of the same length, so that the
# offsets of the includes found afterwards are offsets in the posting's own text.
_MASK = "\u00a6"


def flag_column(role: str, definition: str) -> str:
    """Name of the boolean column for one role under one definition, e.g. is_ml_engineer_header."""
    return f"is_{role}_{definition}"


def load_role_rules(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the role rules CSV (columns role, pattern, kind, note).

    Raises ValueError naming the file and row when a column is missing, a role or kind is
    unknown, a pattern or note is empty, a pattern is not a valid Python regex, a rule is
    duplicated, or a role has no include rule.
    """
    path = Path(path) if path is not None else ROLE_RULES_PATH
    # validation compiles every rule (~0.2 s): done once per process and version of the files,
    # and not at all for files an earlier build vouches for (vouch_for_role_rules)
    stamp = _stamp(path)
    return _validated_rules(str(path), stamp, (str(path), stamp) in _VOUCHED).copy()


def _stamp(path: Path) -> tuple:
    return tuple((f.stat().st_mtime_ns, f.stat().st_size) for f in (path, ROLE_TERMS_PATH))


# the rule files (path, stamp) whose patterns an earlier build of this code compiled and checked
_VOUCHED: set[tuple[str, tuple]] = set()


def vouch_for_role_rules() -> None:
    """Say that the packaged rule and term files, as they are now, passed load_role_rules in an
    earlier build of this code (the Hacker News build cache holds entries for this code and
    mapping version, build_cache.code_key): loading them then skips compiling each pattern
    alone to check it. Every other check still runs, and a change to either file (its stamp)
    is checked in full again."""
    _VOUCHED.add((str(ROLE_RULES_PATH), _stamp(ROLE_RULES_PATH)))


@functools.lru_cache(maxsize=8)
def _validated_rules(path: str, stamp: tuple, vouched: bool) -> pd.DataFrame:
    rules = pd.read_csv(path, dtype=str, keep_default_na=False)
    return validate_role_rules(rules, source=path, compile_patterns=not vouched)


def load_role_terms(path: str | Path | None = None) -> dict[str, str]:
    """The named sub-patterns ({NAME} in a rule), each a valid regex with a note."""
    path = Path(path) if path is not None else ROLE_TERMS_PATH
    terms = pd.read_csv(path, dtype=str, keep_default_na=False)
    problems = []
    for i, t in enumerate(terms.itertuples(index=False), start=2):
        if not re.fullmatch(r"[A-Z][A-Z_]*", t.term):
            problems.append(f"row {i}: term {t.term!r} is not UPPER_CASE")
        if not t.note.strip():
            problems.append(f"row {i} ({t.term}): empty note")
        try:
            re.compile(t.pattern)
        except re.error as exc:
            problems.append(f"row {i} ({t.term}): invalid regex: {exc}")
    if problems:
        raise ValueError(f"{path}: invalid role terms:\n  " + "\n  ".join(problems))
    return dict(zip(terms["term"], terms["pattern"], strict=True))


def expand_terms(pattern: str, terms: dict[str, str]) -> str:
    """`pattern` with each {NAME} replaced by the term's pattern, terms inside terms too
    (KeyError names an unknown one; a term that refers to itself is refused)."""
    for _ in range(10):
        if not _TERM_REF.search(pattern):
            return pattern
        pattern = _TERM_REF.sub(lambda m: f"(?:{terms[m.group(1)]})", pattern)
    raise ValueError(f"role terms refer to each other in a loop: {pattern[:80]!r}")


def validate_role_rules(
    rules: pd.DataFrame, source: str = "role rules", compile_patterns: bool = True
) -> pd.DataFrame:
    """Check a rules frame (see `load_role_rules`) and return a clean copy; `compile_patterns`
    False skips compiling each pattern alone (for files already checked so)."""
    missing = [c for c in RULE_COLUMNS if c not in rules.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; expected {RULE_COLUMNS}")
    rules = rules.assign(**{c: "" for c in OPTIONAL_COLUMNS if c not in rules.columns})
    rules = rules[RULE_COLUMNS + OPTIONAL_COLUMNS].fillna("").astype(str).copy()
    for column in ("rule_id", "role", "kind"):
        rules[column] = rules[column].str.strip()
    problems: list[str] = []
    terms = load_role_terms()
    for column in ("pattern", "before"):
        expanded = []
        for row_number, pattern in enumerate(rules[column], start=2):
            unknown = sorted({m for m in _TERM_REF.findall(pattern) if m not in terms})
            if unknown:
                problems.append(
                    f"row {row_number}: unknown term(s) {unknown} in {column} (etl/mappings/hn_role_terms.csv)"
                )
                expanded.append(pattern)
            else:
                expanded.append(expand_terms(pattern, terms))
        rules[column] = expanded
    for row_number, rule in enumerate(rules.itertuples(index=False), start=2):
        where = f"row {row_number} ({rule.role}, {rule.kind})"
        if rule.role not in ROLES:
            problems.append(f"{where}: unknown role {rule.role!r}, expected one of {ROLES}")
        if rule.kind not in RULE_KINDS:
            problems.append(f"{where}: unknown kind {rule.kind!r}, expected one of {RULE_KINDS}")
        if not rule.pattern.strip():
            problems.append(f"{where}: empty pattern")
        elif compile_patterns:
            try:
                re.compile(rule.pattern, re.IGNORECASE)
            except re.error as exc:
                problems.append(f"{where}: invalid regex {rule.pattern!r}: {exc}")
        if rule.before:
            if compile_patterns:
                try:
                    re.compile(rule.before, re.IGNORECASE)
                except re.error as exc:
                    problems.append(f"{where}: invalid `before` regex {rule.before!r}: {exc}")
            if rule.kind != "include":
                problems.append(f"{where}: only include rules take a `before` condition")
        if not rule.note.strip():
            problems.append(f"{where}: empty note (every rule says why it exists)")
        if not re.fullmatch(r"[a-z]+_[a-z]+_\d+", rule.rule_id):
            problems.append(f"{where}: rule_id {rule.rule_id!r} is not like 'ml_inc_07'")
    duplicated = rules.duplicated(["role", "pattern", "kind", "before"], keep="first")
    for row_number in rules.index[duplicated] + 2:
        problems.append(f"row {row_number}: duplicate of an earlier rule")
    for row_number in rules.index[rules.duplicated("rule_id", keep="first")] + 2:
        problems.append(f"row {row_number}: rule_id used by an earlier rule")
    included = set(rules.loc[rules["kind"] == "include", "role"])
    for role in ROLES:
        if role not in included:
            problems.append(f"role {role!r} has no include rule")
    if problems:
        raise ValueError(f"{source}: invalid role rules:\n  " + "\n  ".join(problems))
    return rules.reset_index(drop=True)


@dataclass(frozen=True)
class RoleMatcher:
    """One role's rules compiled: every include (and every exclude) as one alternation of named
    groups, so a match says which rule fired (`rule_ids[group name]`).

    With `required` (the prefilter), each rule carries what every text it matches contains
    (`rule_literals.requirement` of its pattern and `before` condition): a text is searched only
    with the rules whose requirement it meets, each on its own, and the leftmost match wins
    (the first rule among those at one offset), as in the alternation. A rule left out cannot
    match anywhere in the text, so the result is the one of all rules. A rule (an exclude
    alternation, a `before` condition) whose `rule_literals.starts` are known is tried only at
    the offsets where one of them begins, which the scans of the prefilter find."""

    include: re.Pattern[str] | None
    exclude: re.Pattern[str] | None
    rule_ids: dict[str, str]
    # rules with a `before` condition, each on its own: (rule_id, pattern, before). The pattern
    # starts at the role's own words, so a scan fails fast everywhere else, and the condition on
    # what precedes it (a hiring word, the other items of a list) is checked only where it matched.
    context: tuple[tuple[str, re.Pattern[str], re.Pattern[str]], ...] = ()
    anchor: re.Pattern[str] | None = None
    required: _Required | None = None  # the prefilter; None scans every text with every rule

    def search(self, text: str) -> bool:
        return self.find(text) is not None

    def find(self, text: str, folded: str | None = None) -> tuple[str, int, int] | None:
        """The first include that fires (rule_id, start, end), plain rules before `before` rules.
        `folded`: `rule_literals.fold(text)`, when the caller has it."""
        return self._find(text, folded)[0]

    def _find(
        self, text: str, folded: str | None, anchor_at: dict[str, list[int]] | None = None
    ) -> tuple[tuple[str, int, int] | None, dict[str, list[int]] | None]:
        """`find`, and the words of the role's scan found in the folded text, by start offset,
        when the prefilter ran that far (for the exclude step of `decide`)."""
        context: tuple = ()
        places = words_at = None
        if (req := self.required) is not None:
            folded = fold(text) if folded is None else folded
            # the anchor's words first (a small scan: most texts stop here), then one scan for
            # every word of the gates and every start of the include rules
            if self.anchor is not None:
                if anchor_at is None:
                    anchor_at = req.anchor_scan.places(folded)
                if _search(self.anchor, folded, anchor_at, req.anchor) is None:
                    return None, None
            words_at = req.scan.places(folded)
            active = req.rules.active_among(words_at.keys())
            if not active:
                return None, None
            places = words_at if len(folded) == len(text) else None  # offsets are the text's
            n = len(req.include)
            patterns = [(req.include[k], req.include_starts[k]) for k in active if k < n]
            context = tuple(
                (self.context[k - n], req.context_starts[k - n], req.before_starts[k - n])
                for k in active
                if k >= n
            )
            m = None
            for pattern, at in patterns:  # in rule order: a later rule must start strictly before
                hit = _search(pattern, text, places, at)
                if hit is not None and (m is None or hit.start() < m.start()):
                    m = hit
        else:
            # NOTE: the anchor runs case-sensitively on the folded text: twice as fast in
            # Python's re as an IGNORECASE scan, and anchors are written in lower case
            if self.anchor is not None and self.anchor.search(fold(text)) is None:
                return None, None
            context = tuple((c, None, None) for c in self.context)
            m = self.include.search(text) if self.include is not None else None
        if m is not None:
            return (self.rule_ids[m.lastgroup or ""], m.start(), m.end()), words_at
        # NOTE: several rules share one pattern and differ in their `before` condition: its
        # matches are found once
        found: dict[str, list[re.Match[str]]] = {}
        for (rule_id, pattern, before), at, before_at in context:
            if (hits := found.get(pattern.pattern)) is None:
                hits = found[pattern.pattern] = _matches(pattern, text, places, at)
            offsets = None
            if hits and places is not None and before_at is not None:
                offsets = at_starts(places, before_at)
            if (m := next(_context_hits(text, hits, before, offsets), None)) is not None:
                return (rule_id, m.start(), m.end()), words_at
        return None, words_at

    def decide(
        self,
        text: str,
        folded: str | None = None,
        anchor_at: dict[str, list[int]] | None = None,
    ) -> list[tuple[str, str, int, int]]:
        """Why `text` is (or is not) an opening: [] when no include fires; else the excluded
        phrases ('exclude', rule_id, start, end) and the include that survives their masking,
        if any ('include', ...). Flagged exactly when an 'include' row is present. `anchor_at`:
        the places in `folded` of (at least) the anchor's words, when the caller found them
        for several roles at once (`anchor_scan`)."""
        if self.required is not None and folded is None:
            folded = fold(text)
        found, words_at = self._find(text, folded, anchor_at)
        if found is None:
            return []
        exclude = self.exclude
        places = None
        if words_at is not None:
            places = words_at if len(folded or "") == len(text) else None
        if words_at is not None and not self.required.exclude.active_among(words_at.keys()):
            # NOTE: no exclude rule can match: none would mask anything. (The alternation of
            # only those that can match would mask the same, but the sets vary so much from
            # one posting to the next that compiling each cost more than it saved.)
            exclude = None
        if exclude is None:
            return [("include", *found)]
        at = rest = None
        if (req := self.required) is not None and places is not None:
            at, rest = req.exclude_starts, req.exclude_rest
            places = req.exclude_scan.places(folded or "")
        excluded = _matches(exclude, text, places, at, rest)
        if not excluded:
            return [("include", *found)]
        out = [("exclude", self.rule_ids[m.lastgroup or ""], m.start(), m.end()) for m in excluded]
        masked = _masked(text, excluded)
        again = self.find(masked)
        return out + ([("include", *again)] if again is not None else [])


def _search(
    pattern: re.Pattern[str],
    text: str,
    places: dict[str, list[int]] | None,
    at: frozenset[str] | None,
) -> re.Match[str] | None:
    """pattern.search(text): where the pattern's starts are known (`at`, with `places` of the
    text), tried only at the offsets where one of them begins: a match can begin nowhere else,
    and `match` at an offset is the attempt `search` makes there (look-behinds and \\b see the
    text before it), so the first hit is search's."""
    if places is None or at is None:
        return pattern.search(text)
    for p in at_starts(places, at):
        if (m := pattern.match(text, p)) is not None:
            return m
    return None


def _matches(
    pattern: re.Pattern[str],
    text: str,
    places: dict[str, list[int]] | None,
    at: frozenset[str] | None,
    rest: re.Pattern[str] | None = None,
) -> list[re.Match[str]]:
    """list(pattern.finditer(text)), tried only where the pattern's starts begin (as `_search`)
    and, for an alternation some of whose branches have no starts, where `rest` (a look-ahead of
    those branches) finds one: after a match, the next is looked for from its end. (A pattern
    with starts never matches the empty string; should a branch of `rest` match it, finditer's
    own rules for empty matches decide: the whole text is scanned.)"""
    if places is None or at is None:
        return list(pattern.finditer(text))
    offsets = at_starts(places, at)
    if rest is not None:
        offsets = sorted({*offsets, *(m.start() for m in rest.finditer(text))})
    out: list[re.Match[str]] = []
    end = 0
    for p in offsets:
        if p >= end and (m := pattern.match(text, p)) is not None:
            if m.end() == p:
                return list(pattern.finditer(text))
            out.append(m)
            end = m.end()
    return out


def _masked(text: str, matches: list[re.Match[str]]) -> str:
    """`text` with each of the (non-overlapping, ascending) matches replaced by _MASK
    characters, of the same length."""
    parts = []
    last = 0
    for m in matches:
        parts += [text[last : m.start()], _MASK * (m.end() - m.start())]
        last = m.end()
    return "".join([*parts, text[last:]])


@dataclass(frozen=True)
class _Required:
    """RoleMatcher's prefilter: each plain include rule's pattern on its own (a named group, as
    in the alternation); the gate of the include rules then the context rules, in that order;
    the gate of the exclude rules. Then the `rule_literals.starts` of each plain include, of
    each context rule's pattern and of the exclude alternation (None where not known), and the
    scan that finds all of them in a text."""

    include: tuple[re.Pattern[str], ...]
    rules: RuleGate
    exclude: RuleGate
    include_starts: tuple[frozenset[str] | None, ...]
    context_starts: tuple[frozenset[str] | None, ...]
    before_starts: tuple[frozenset[str] | None, ...]  # of each context rule's `before` condition
    exclude_starts: frozenset[str] | None
    exclude_rest: re.Pattern[str] | None  # where a rule of `exclude` without starts can match
    anchor: frozenset[str] | None  # the starts of the role's anchor
    anchor_scan: StartScan  # the words of `anchor`
    scan: StartScan  # every word of the gates and every start of an include rule
    # the exclude alternation's starts (single letters among them: found only for the texts an
    # include fired in)
    exclude_scan: StartScan


def _prefix(text: str, start: int, lines: bool) -> str:
    """The text a `before` condition sees: the match's own line, or, for a condition that spans
    lines (its pattern names \\n), up to BEFORE_CHARS back, cut at a line start."""
    if not lines:
        return text[text.rfind("\n", 0, start) + 1 : start]
    if start <= BEFORE_CHARS:
        return text[:start]
    cut = text.rfind("\n", 0, start - BEFORE_CHARS) + 1
    return text[cut:start]


def _context_hits(  # type: ignore[no-untyped-def]
    text: str,
    matches: list[re.Match[str]],
    before: re.Pattern[str],
    offsets: list[int] | None = None,
):
    """The matches of a context rule's pattern in `text` that its `before` condition admits.
    A condition that begins at the start of the text before (\\A) is matched there alone; with
    `offsets` (ascending, of the text: where one of the condition's starts begins), it is
    matched at those inside the text before, as `_search` does."""
    lines = "\\n" in before.pattern
    anchored = at_text_start(before.pattern)
    for m in matches:
        prefix = _prefix(text, m.start(), lines)
        if anchored:
            admitted = before.match(prefix) is not None
        elif offsets is None:
            admitted = before.search(prefix) is not None
        else:
            cut = m.start() - len(prefix)
            inside = offsets[
                bisect.bisect_left(offsets, cut) : bisect.bisect_left(offsets, m.start())
            ]
            admitted = any(before.match(prefix, q - cut) is not None for q in inside)
        if admitted:
            yield m


def _parts(rows: pd.DataFrame, rule_ids: dict[str, str]) -> list[str]:
    """Each rule of `rows` as a named group of an alternation."""
    parts = []
    for rule_id in rows["rule_id"]:
        group = f"g{len(rule_ids)}"
        rule_ids[group] = rule_id
        parts.append(group)
    return [f"(?P<{g}>{p})" for g, p in zip(parts, rows["pattern"], strict=True)]


def _combined(parts: list[str]) -> re.Pattern[str] | None:
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


# the literal requirements of rule patterns derived by an earlier process (keep_requirements)
_KEPT_REQUIREMENTS: dict[str, Requirement] = {}


# ... and their starts (`rule_literals.starts` with one-letter starts kept)
_KEPT_STARTS: dict[str, frozenset[str] | None] = {}


def _requirement(source: str) -> Requirement:
    if source in _KEPT_REQUIREMENTS:
        return _KEPT_REQUIREMENTS[source]
    return requirement(source)


def _starts(source: str, shortest: int = MIN_LITERAL) -> frozenset[str] | None:
    """`rule_literals.starts(source, shortest)`, from the kept ones where they are known."""
    if source not in _KEPT_STARTS:
        return starts(source, shortest)
    found = _KEPT_STARTS[source]
    return None if found is None or any(len(w) < shortest for w in found) else found


def rule_sources(rules: pd.DataFrame) -> list[str]:
    """Every distinct regex of a validated rules frame: its patterns and `before` conditions."""
    return sorted({*rules["pattern"], *(b for b in rules["before"] if b)})


def keep_requirements(rules: pd.DataFrame, memo: Callable[[str, Callable[[], dict]], dict]) -> None:
    """Derive the literal requirements (`rule_literals.requirement`) and starts
    (`rule_literals.starts`; ~1 s for both, for the packaged rules) of every regex of `rules`
    through `memo(key, compute)`, e.g. build_cache.ResultCache.get_or_compute, which keeps them
    between refreshes by the key, a digest of the regexes: rules that did not change are not
    derived again, a changed rule gives another key. compile_role_rules then takes them from
    here."""
    sources = rule_sources(rules)
    key = hashlib.sha256("\0".join(sources).encode()).hexdigest()[:32]

    def derive() -> dict:
        out = {}
        for s in sources:
            found = starts(s, 1)
            out[s] = [encode(requirement(s)), sorted(found) if found is not None else None]
        return out

    kept = memo(key, derive)
    for s in sources:
        req, found = kept[s]
        _KEPT_REQUIREMENTS[s] = decode(req)
        _KEPT_STARTS[s] = frozenset(found) if found is not None else None


def compile_role_rules(rules: pd.DataFrame, anchors: bool = True) -> dict[str, RoleMatcher]:
    """Per role, the combined include and exclude regexes (exclude None when the role has none);
    `anchors=False` scans every text with every rule (the naive path the tests compare with).

    Compiled once per process and version of the rules and terms: the flags, the attribution of
    skills and of pay each ask for them, and a compile (~0.1-0.2 s, more once the skill matcher's
    patterns have pushed these out of `re`'s own cache) is most of a small rebuild's rule work.
    The matchers are immutable and shared by every caller."""
    columns = [c for c in RULE_COLUMNS + OPTIONAL_COLUMNS if c in rules.columns]
    key = tuple(rules[columns].itertuples(index=False, name=None))
    stamp = (ROLE_TERMS_PATH.stat().st_mtime_ns, ROLE_TERMS_PATH.stat().st_size)
    return dict(_compiled_role_rules(tuple(columns), key, anchors, stamp))


@functools.lru_cache(maxsize=8)
def _compiled_role_rules(
    columns: tuple[str, ...], key: tuple[tuple[str, ...], ...], anchors: bool, stamp: tuple
) -> dict[str, RoleMatcher]:
    rules = pd.DataFrame(list(key), columns=list(columns), dtype=object)
    terms = load_role_terms() if anchors else {}
    compiled = {}
    for role in ROLES:
        of_role = rules[rules["role"] == role]
        ids: dict[str, str] = {}
        plain = of_role[(of_role["kind"] == "include") & (of_role["before"] == "")]
        with_before = of_role[(of_role["kind"] == "include") & (of_role["before"] != "")]
        include_parts = _parts(plain, ids)
        exclude_parts = _parts(of_role[of_role["kind"] == "exclude"], ids)
        context = tuple(
            (
                r.rule_id,
                re.compile(r.pattern, re.IGNORECASE),
                # `^` is a line start; the text before is cut at a line start too
                re.compile(f"(?:{r.before})\\Z", re.IGNORECASE | re.MULTILINE),
            )
            for r in with_before.itertuples(index=False)
        )
        anchor = re.compile(terms[ANCHOR_TERMS[role]]) if anchors else None
        required = None
        if anchors:
            exclude_rules = of_role[of_role["kind"] == "exclude"]
            # NOTE: a rule's named group has its pattern's starts
            include_starts = tuple(_starts(p) for p in plain["pattern"])
            context_starts = tuple(_starts(r.pattern) for r in with_before.itertuples(index=False))
            before_starts = tuple(_starts(r.before) for r in with_before.itertuples(index=False))
            # NOTE: the exclude alternation is tried where one of its rules' starts begins (a
            # single letter too: it runs on few texts, and a letter's places are still far fewer
            # than a text's offsets) and where a look-ahead scan of the rules without starts
            # finds one of them
            ex_starts = [_starts(p, 1) for p in exclude_rules["pattern"]]
            exclude_starts = frozenset().union(*(s for s in ex_starts if s))
            unstarted = [p for p, s in zip(exclude_parts, ex_starts, strict=True) if s is None]
            exclude_rest = re.compile(f"(?=(?:{'|'.join(unstarted)}))", re.I) if unstarted else None
            anchor_starts = starts(terms[ANCHOR_TERMS[role]])
            known = [s for s in (*include_starts, *context_starts, *before_starts) if s]
            rule_gate = RuleGate(
                [_requirement(p) for p in plain["pattern"]]
                + [
                    all_of(_requirement(r.pattern), _requirement(r.before))
                    for r in with_before.itertuples(index=False)
                ]
            )
            exclude_gate = RuleGate([_requirement(p) for p in exclude_rules["pattern"]])
            required = _Required(
                tuple(re.compile(p, re.IGNORECASE) for p in include_parts),
                rule_gate,
                exclude_gate,
                include_starts,
                context_starts,
                before_starts,
                exclude_starts if exclude_parts else None,
                exclude_rest,
                anchor_starts,
                StartScan(anchor_starts or frozenset()),
                StartScan(frozenset().union(rule_gate.words, exclude_gate.words, *known)),
                StartScan(exclude_starts),
            )
        compiled[role] = RoleMatcher(
            _combined(include_parts),
            _combined(exclude_parts),
            ids,
            context,
            anchor,
            required,
        )
    return compiled


def flag_roles(postings: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Flag each posting as an opening for each role, under the two definitions.

    `header`: the role is named in `first_line`; `anywhere`: it is named anywhere in `text`.
    Both apply the exclude rules. Returns the id columns of `postings` that exist among
    posting_id, thread_id, thread_month, author, created_at, then six boolean columns
    `is_<role>_<definition>` (role in data_scientist, ml_engineer, ai_engineer). A posting can
    be flagged for several roles. `rules` defaults to `load_role_rules()`.
    """
    return flag_roles_with_evidence(postings, rules, evidence=False)[0]


def flag_roles_with_evidence(
    postings: pd.DataFrame, rules: pd.DataFrame | None = None, evidence: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`flag_roles` and, for every flag set, why (see `role_evidence`), in one scan."""
    needed = ["posting_id", *DEFINITIONS.values()]
    missing = [c for c in needed if c not in postings.columns]
    if missing:
        raise ValueError(f"postings lack column(s) {missing} needed to flag roles")
    rules = load_role_rules() if rules is None else validate_role_rules(rules)
    out = postings[[c for c in ID_COLUMNS if c in postings.columns]].copy()
    columns = needed
    workers = min(MAX_WORKERS, os.cpu_count() or 1)
    if len(postings) < PARALLEL_FROM or workers < 2:
        flags, ev = _flags(postings[columns], rules, evidence)
    else:
        # NOTE: Python's re holds the GIL: the rules scan in processes, one chunk each
        chunks = np.array_split(np.arange(len(postings)), workers)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(
                pool.map(
                    _flags,
                    [postings[columns].iloc[c] for c in chunks],
                    [rules] * len(chunks),
                    [evidence] * len(chunks),
                )
            )
        flags = pd.concat([f for f, _ in parts])
        ev = pd.concat([e for _, e in parts], ignore_index=True)
    for column in flags.columns:
        out[column] = flags[column].to_numpy(bool)
    return out, ev


def _flags(
    texts: pd.DataFrame, rules: pd.DataFrame, evidence: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    compiled = compile_role_rules(rules)
    anchors = anchor_scan(compiled)
    out = pd.DataFrame(index=texts.index)
    rows = []
    ids = texts["posting_id"].to_numpy()
    for definition, column in DEFINITIONS.items():
        values = texts[column].fillna("").astype(str).tolist()
        whys: dict[str, list[list[tuple[str, str, int, int]]]] = {r: [] for r in compiled}
        for text in values:
            folded = fold(text)  # once per text for the three roles
            anchor_at = anchors.places(folded) if anchors is not None else None
            for role, matcher in compiled.items():
                whys[role].append(matcher.decide(text, folded, anchor_at))
        for role in compiled:
            hit = np.zeros(len(values), dtype=bool)
            for i, why in enumerate(whys[role]):
                if why and why[-1][0] == "include":
                    hit[i] = True
                    if evidence:
                        rows.extend((int(ids[i]), role, definition, *w) for w in why)
            out[flag_column(role, definition)] = hit
    ev = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    return out, ev.astype({"posting_id": "int64", "start": "int64", "end": "int64"})


def anchor_scan(matchers: dict[str, RoleMatcher]) -> StartScan | None:
    """One scan for the anchor words of all the roles (one pass over a text in place of one per
    role); None when a matcher has no prefilter."""
    words = []
    for m in matchers.values():
        if m.required is None:
            return None
        words.append(m.required.anchor_scan.words)
    return _scan_of(frozenset().union(*words))


@functools.lru_cache(maxsize=8)
def _scan_of(words: frozenset[str]) -> StartScan:
    return StartScan(words)


def role_evidence(
    postings: pd.DataFrame, flags: pd.DataFrame | None = None, rules: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Why each flag is set: one row per rule that fired in a flagged posting (EVIDENCE_COLUMNS:
    posting_id, role, definition, kind include/exclude, rule_id, start, end; offsets into the
    definition's column, `first_line` or `text`). Never the text itself. `flags` is accepted
    for callers that have them; the evidence is recomputed with the flags in one scan."""
    return flag_roles_with_evidence(postings, rules)[1]


def posting_roles_long(flags: pd.DataFrame, definition: str) -> pd.DataFrame:
    """One row per posting per role it is flagged for under `definition` (header/anywhere).

    Columns: posting_id (int64), role (str). Postings flagged for no role have no row.
    """
    if definition not in DEFINITIONS:
        raise ValueError(f"unknown definition {definition!r}, expected one of {list(DEFINITIONS)}")
    columns = {flag_column(role, definition): role for role in ROLES}
    missing = [c for c in ["posting_id", *columns] if c not in flags.columns]
    if missing:
        raise ValueError(f"flags lack column(s) {missing}; build them with flag_roles()")
    long = flags[["posting_id", *columns]].melt(
        id_vars="posting_id", var_name="flag", value_name="is_role"
    )
    long = long[long["is_role"].astype(bool)]
    long = long.assign(role=long["flag"].map(columns).astype("str"))
    order = {role: i for i, role in enumerate(ROLES)}
    long = long.sort_values(
        ["posting_id", "role"], key=lambda s: s.map(order) if s.name == "role" else s
    )
    return long[["posting_id", "role"]].astype({"posting_id": "int64"}).reset_index(drop=True)
