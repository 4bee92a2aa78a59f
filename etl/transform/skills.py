"""Skill extraction and comparison.

Reads the taxonomy `etl/mappings/skills.csv` and clean posting text; writes `posting_skills`
(one row per posting and skill), skill shares per role, weighted log-odds and co-occurrence.

Matching semantics (shared by the fast matcher and the naive reference):
- `word`: case-insensitive (ASCII) whole-word match of any alias. Word characters are
  `A-Z a-z 0-9 _ + #`, so "C++", "C#" and "F#" are words of their own; anything else,
  including `.`, `-`, `/` and non-ASCII characters, is a boundary. Spaces inside an alias
  also match hyphens and runs of whitespace ("time series" matches "time-series").
- `case_sensitive`: the same, with exact case.
- `regex`: the aliases column holds a Python regular expression searched in the text.

Speed: extraction is one pass of tokenising per posting (bytes lower + translate + split, all
in C) followed by set look-ups. A skill is decided by its token alone when that is exact (a
one-token `word` alias); otherwise its own pattern runs, but only on postings that contain its
anchor tokens, so the corpus is never scanned once per skill.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]

import numpy as np
import pandas as pd

TAXONOMY_PATH = Path(__file__).resolve().parents[1] / "mappings" / "skills.csv"

CATEGORIES: tuple[str, ...] = (
    "languages",
    "ml_dl_frameworks",
    "classical_ml_stats",
    "data_engineering",
    "mlops_deployment",
    "cloud",
    "bi_spreadsheets",
    "databases",
    "llm_genai",
)
RULES: tuple[str, ...] = ("word", "case_sensitive", "regex")
TAXONOMY_COLUMNS: tuple[str, ...] = ("skill", "category", "aliases", "rule", "note")
MIN_SKILLS = 150

_TOKEN_CHARS = frozenset(b"abcdefghijklmnopqrstuvwxyz0123456789_+#")
# Maps every byte that is not a token character to a space. Upper-case ASCII letters are
# lowered by bytes.lower() before the translation; bytes >= 0x80 (UTF-8 of non-ASCII text)
# become spaces too, matching the "non-ASCII is a boundary" rule of `word` aliases.
_SEPARATORS = bytes(b if b in _TOKEN_CHARS else 0x20 for b in range(256))
_WORD_LEFT = r"(?<![A-Za-z0-9_+#])"
_WORD_RIGHT = r"(?![A-Za-z0-9_+#])"


def tokens(text: str) -> set[bytes]:
    """Return the set of lower-case tokens of `text` (the pre-filter of `SkillMatcher`)."""
    return set(text.encode("utf-8", "surrogatepass").lower().translate(_SEPARATORS).split())


# ---------------------------------------------------------------------------------------------
# Taxonomy
# ---------------------------------------------------------------------------------------------


def load_taxonomy(path: Path | None = None) -> pd.DataFrame:
    """Read and validate the skill taxonomy CSV.

    Checks: the five columns, no blank skill/category/aliases/rule, unique canonical names,
    known categories and rules, at least one non-empty alias, every regex compiles and has a
    literal anchor word (needed for the pre-filter), every category present and at least
    `MIN_SKILLS` rows. Raises ValueError naming the offending rows.
    """
    path = TAXONOMY_PATH if path is None else Path(path)
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in TAXONOMY_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing taxonomy columns {missing}")
    df = df[list(TAXONOMY_COLUMNS)].copy()
    for col in ("skill", "category", "aliases", "rule"):
        df[col] = df[col].str.strip()
        blank = df.index[df[col] == ""].tolist()
        if blank:
            raise ValueError(f"{path}: blank {col!r} on data rows {[i + 2 for i in blank]}")
    dupes = sorted(df.loc[df["skill"].duplicated(), "skill"].unique())
    if dupes:
        raise ValueError(f"{path}: duplicate skill names {dupes}")
    bad_cat = sorted(set(df["category"]) - set(CATEGORIES))
    if bad_cat:
        raise ValueError(f"{path}: unknown categories {bad_cat}; expected one of {CATEGORIES}")
    bad_rule = sorted(set(df["rule"]) - set(RULES))
    if bad_rule:
        raise ValueError(f"{path}: unknown rules {bad_rule}; expected one of {RULES}")
    for row in df.itertuples(index=False):
        if row.rule == "regex":
            try:
                re.compile(row.aliases)
            except re.error as exc:
                raise ValueError(
                    f"{path}: regex for skill {row.skill!r} does not compile: {exc}"
                ) from exc
            if not regex_anchors(row.aliases):
                raise ValueError(
                    f"{path}: regex for skill {row.skill!r} has no literal anchor word in every "
                    "alternative, so it cannot be pre-filtered"
                )
        elif not split_aliases(row.aliases):
            raise ValueError(f"{path}: skill {row.skill!r} has no aliases")
    absent = sorted(set(CATEGORIES) - set(df["category"]))
    if absent:
        raise ValueError(f"{path}: categories without any skill {absent}")
    if len(df) < MIN_SKILLS:
        raise ValueError(f"{path}: {len(df)} skills, expected at least {MIN_SKILLS}")
    return df.reset_index(drop=True)


def split_aliases(aliases: str) -> list[str]:
    """Split a `|`-separated alias list, dropping blanks and duplicates (order kept)."""
    seen: dict[str, None] = {}
    for alias in aliases.split("|"):
        alias = alias.strip()
        if alias:
            seen.setdefault(alias, None)
    return list(seen)


def alias_pattern(alias: str) -> str:
    """Regex source for one `word`/`case_sensitive` alias, with the shared word boundaries."""
    body = r"[\s-]+".join(re.escape(part) for part in alias.split())
    return _WORD_LEFT + body + _WORD_RIGHT


def skill_pattern(aliases: str, rule: str) -> re.Pattern[str]:
    """Compile the one pattern that decides a skill (also the naive reference's pattern)."""
    if rule == "regex":
        return re.compile(aliases)
    source = "|".join(alias_pattern(a) for a in split_aliases(aliases))
    flags = re.ASCII | (re.IGNORECASE if rule == "word" else 0)
    return re.compile(source, flags)


# --- literal anchors of a regex (for the token pre-filter) -----------------------------------
# A regex skill is only searched in postings that contain one of its anchor words as a token.
# The anchors are read from the parsed pattern; a word counts only where the pattern itself
# guarantees token boundaries on both sides (a look-around that excludes every word
# character, a separator character, or `\b`), so the pre-filter never hides a match.

_ASSERTS = {sre_c.ASSERT, sre_c.ASSERT_NOT}
_REPEATS = {sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)}
_BOUNDARY_AT = {
    sre_c.AT_BOUNDARY,
    sre_c.AT_BEGINNING,
    sre_c.AT_BEGINNING_STRING,
    sre_c.AT_END,
    sre_c.AT_END_STRING,
}
_ALL_WORD_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_+#"
Item = tuple[object, object]


def _class_has(av: object, ch: str) -> bool:
    """Whether the character class `av` (a parsed IN) contains `ch`."""
    hit, negate = False, False
    for o, a in av:  # type: ignore[attr-defined]
        if o is sre_c.NEGATE:
            negate = True
        elif o is sre_c.LITERAL and a == ord(ch):
            hit = True
        elif o is sre_c.RANGE and a[0] <= ord(ch) <= a[1]:
            hit = True
        elif o is sre_c.CATEGORY and (
            (a is sre_c.CATEGORY_WORD and (ch.isalnum() or ch == "_"))
            or (a is sre_c.CATEGORY_DIGIT and ch.isdigit())
        ):
            hit = True
    return hit != negate


def _token_char(op: object, av: object) -> str | None:
    """The lower-case token character an item always consumes, if it is one fixed character."""
    if op is sre_c.LITERAL:
        ch = chr(av).lower()  # type: ignore[arg-type]
        return ch if ord(ch) < 128 and ord(ch) in _TOKEN_CHARS else None
    if op is sre_c.IN and all(o is sre_c.LITERAL for o, _ in av):  # type: ignore[attr-defined]
        chars = {chr(c).lower() for _, c in av}  # type: ignore[attr-defined]
        if len(chars) == 1:
            return _token_char(sre_c.LITERAL, ord(chars.pop()))
    return None


def _non_token_class(op: object, av: object) -> bool:
    """True if a one-character item can never consume a token character."""
    if op is sre_c.LITERAL:
        return _token_char(op, av) is None
    if op is sre_c.IN:
        return not any(_class_has(av, ch) for ch in _ALL_WORD_CHARS)
    return False


def _is_guard(item: Item, direction: int) -> bool:
    """A negative look-around (1 ahead, -1 behind) that excludes every token character."""
    op, av = item
    if op is not sre_c.ASSERT_NOT or av[0] != direction:  # type: ignore[index]
        return False
    body = list(av[1])  # type: ignore[index]
    alts = (
        [list(a) for a in body[0][1][1]]
        if len(body) == 1 and body[0][0] is sre_c.BRANCH
        else [body]
    )
    for alt in alts:
        if len(alt) == 1 and alt[0][0] is sre_c.IN:
            if all(_class_has(alt[0][1], ch) for ch in _ALL_WORD_CHARS):
                return True
    return False


def _starts_non_token(items: Sequence[Item], next_ok: bool) -> bool:
    """True if the text right after this point can never begin with a token character.

    `items` is what the pattern matches next; `next_ok` says the same of whatever follows
    `items` in the enclosing pattern (False at the end of the whole pattern).
    """
    if not items:
        return next_ok
    op, av = items[0]
    rest = list(items[1:])
    if _is_guard(items[0], 1):
        return True
    if op is sre_c.ASSERT and av[0] == 1:  # type: ignore[index]
        if _starts_non_token(list(av[1]), False):  # type: ignore[index]
            return True
        return _starts_non_token(rest, next_ok)
    if op in _ASSERTS:
        return _starts_non_token(rest, next_ok)
    if op is sre_c.AT:
        return av in _BOUNDARY_AT or _starts_non_token(rest, next_ok)
    if op in (sre_c.LITERAL, sre_c.IN):
        return _non_token_class(op, av)
    if op is sre_c.SUBPATTERN:
        return _starts_non_token(list(av[-1]) + rest, next_ok)  # type: ignore[index]
    if op in _REPEATS:
        lo, sub = av[0], list(av[2])  # type: ignore[index]
        first = _starts_non_token(sub + rest, next_ok)
        return first if lo >= 1 else first and _starts_non_token(rest, next_ok)
    if op is sre_c.BRANCH:
        return all(_starts_non_token(list(alt) + rest, next_ok) for alt in av[1])  # type: ignore[index]
    return False


def _ends_non_token(items: Sequence[Item], prev_ok: bool) -> bool:
    """True if the text right before this point can never end with a token character."""
    if not items:
        return prev_ok
    op, av = items[-1]
    head = list(items[:-1])
    if _is_guard(items[-1], -1):
        return True
    if op is sre_c.ASSERT and av[0] == -1:  # type: ignore[index]
        if _ends_non_token(list(av[1]), False):  # type: ignore[index]
            return True
        return _ends_non_token(head, prev_ok)
    if op in _ASSERTS:
        return _ends_non_token(head, prev_ok)
    if op is sre_c.AT:
        return av in _BOUNDARY_AT or _ends_non_token(head, prev_ok)
    if op in (sre_c.LITERAL, sre_c.IN):
        return _non_token_class(op, av)
    if op is sre_c.SUBPATTERN:
        return _ends_non_token(head + list(av[-1]), prev_ok)  # type: ignore[index]
    if op in _REPEATS:
        lo, sub = av[0], list(av[2])  # type: ignore[index]
        last = _ends_non_token(head + sub, prev_ok)
        return last if lo >= 1 else last and _ends_non_token(head, prev_ok)
    if op is sre_c.BRANCH:
        return all(_ends_non_token(head + list(alt), prev_ok) for alt in av[1])  # type: ignore[index]
    return False


_MAX_WORDS = 64


def _words_from(items: Sequence[Item], next_ok: bool) -> set[str] | None:
    """Whole tokens a match starting here (at a token boundary) can begin with.

    Follows fixed characters through alternations, optional parts and zero-width
    assertions; None when the token is not a finite set of literal words.
    """
    word, k = "", 0
    while k < len(items) and (c := _token_char(*items[k])) is not None:
        word += c
        k += 1
    rest = list(items[k:])
    if _starts_non_token(rest, next_ok):
        return {word}
    if not rest:
        return None
    op, av = rest[0]
    tails: set[str] | None
    if op in _ASSERTS or op is sre_c.AT:
        tails = _words_from(rest[1:], next_ok)
    elif op is sre_c.BRANCH:
        parts = [_words_from(list(alt) + rest[1:], next_ok) for alt in av[1]]  # type: ignore[index]
        tails = None if any(p is None for p in parts) else set().union(*parts)  # type: ignore[arg-type]
    elif op is sre_c.SUBPATTERN:
        tails = _words_from(list(av[-1]) + rest[1:], next_ok)  # type: ignore[index]
    elif op in _REPEATS and av[0] == 0 and av[1] == 1:  # type: ignore[index]
        with_part = _words_from(list(av[2]) + rest[1:], next_ok)  # type: ignore[index]
        without = _words_from(rest[1:], next_ok)
        tails = None if with_part is None or without is None else with_part | without
    else:
        tails = None
    if tails is None or len(tails) > _MAX_WORDS:
        return None
    return {word + t for t in tails}


def _is_keyword_guard(item: Item, word: str) -> bool:
    """`(?<![...]word)`: a look-behind excluding every token character before `word`."""
    op, av = item
    if op is not sre_c.ASSERT_NOT or av[0] != -1:  # type: ignore[index]
        return False
    body = list(av[1])  # type: ignore[index]
    if len(body) != len(word) + 1 or body[0][0] is not sre_c.IN:
        return False
    if not all(_class_has(body[0][1], ch) for ch in _ALL_WORD_CHARS):
        return False
    return "".join(_token_char(*it) or "\0" for it in body[1:]) == word


def _guard_after_run(items: Sequence[Item], i: int) -> bool:
    """A keyword written `kw(?<![...]kw)`: the look-behind after it guards its left side.

    The look-behind may also open every branch of an alternation that follows (re's parser
    factors a common `kw` prefix out of `kw(?<!...)A|kw(?<!...)B`).
    """
    j, word = i, ""
    while j < len(items) and (c := _token_char(*items[j])) is not None:
        word += c
        j += 1
    if j >= len(items):
        return False
    op, av = items[j]
    if op is sre_c.BRANCH:
        return all(alt and _is_keyword_guard(alt[0], word) for alt in av[1])  # type: ignore[index]
    return _is_keyword_guard(items[j], word)


def _sequence_anchors(items: Sequence[Item], prev_ok: bool, next_ok: bool) -> set[str] | None:
    """Anchor words of a sequence: a set of tokens, one of which every match contains whole."""
    best: set[str] | None = None
    for i, (op, av) in enumerate(items):
        cand: set[str] | None = None
        if _token_char(op, av) is not None:
            if _ends_non_token(items[:i], prev_ok) or _guard_after_run(items, i):
                cand = _words_from(items[i:], next_ok)
                if cand is not None and "" in cand:
                    cand = None
        elif op in (sre_c.SUBPATTERN, sre_c.BRANCH) or (op in _REPEATS and av[0] >= 1):  # type: ignore[index,operator]
            before = _ends_non_token(items[:i], prev_ok)
            after = _starts_non_token(items[i + 1 :], next_ok)
            if op is sre_c.SUBPATTERN:
                cand = _sequence_anchors(list(av[-1]), before, after)  # type: ignore[index]
            elif op is sre_c.BRANCH:
                alts = [_sequence_anchors(list(a), before, after) for a in av[1]]  # type: ignore[index]
                cand = set().union(*alts) if all(alts) else None  # type: ignore[arg-type]
            else:
                cand = _sequence_anchors(list(av[2]), before, after)  # type: ignore[index]
        if cand and (best is None or min(map(len, cand)) > min(map(len, best))):
            best = cand
    return best


def regex_anchors(pattern: str) -> set[str]:
    """Lower-case words such that every match of `pattern` contains one of them as a token.

    Returns an empty set when the pattern does not guarantee such a word (for instance a
    keyword without boundary guards, which could match inside a longer word).
    """
    parsed = sre_parse.parse(pattern)
    return _sequence_anchors(list(parsed), False, False) or set()


# ---------------------------------------------------------------------------------------------
# Matcher
# ---------------------------------------------------------------------------------------------


def _alias_fast_pattern(alias: str, lowered: bool) -> re.Pattern[str]:
    """One alias as `first(?<![word]first)...`: same matches as `alias_pattern`, but the
    leading literal lets re jump straight to candidates. With `lowered`, it is meant for the
    ASCII-lowered text and matches the lower-cased alias (= case-insensitive ASCII match)."""
    parts = (alias.lower() if lowered else alias).split()
    first = re.escape(parts[0])
    body = "".join(r"[\s-]+" + re.escape(part) for part in parts[1:])
    return re.compile(f"{first}(?<![A-Za-z0-9_+#]{first}){body}{_WORD_RIGHT}", re.ASCII)


@dataclass(frozen=True, slots=True)
class _Gate:
    skill: int  # index into SkillMatcher.skills
    others: frozenset[bytes]  # other tokens that must also be present
    verify: re.Pattern[str] | None  # None: the token alone decides (one-token `word` alias)
    on_lower: bool  # verify on the ASCII-lowered text rather than the original


class SkillMatcher:
    """All skills of a taxonomy, compiled once for one-pass extraction.

    Each posting is tokenised once; its token set is intersected with the anchor tokens of
    all aliases (a C-level set operation). A hit on a one-token `word` alias is a match by
    itself; any other hit is confirmed by that alias's (or regex skill's) own pattern, run on
    that posting only.
    """

    def __init__(self, taxonomy: pd.DataFrame | None = None) -> None:
        tax = load_taxonomy() if taxonomy is None else taxonomy
        self.skills: list[str] = tax["skill"].tolist()
        self.categories: list[str] = tax["category"].tolist()
        self.category_of: dict[str, str] = dict(zip(self.skills, self.categories, strict=True))
        self.patterns: list[re.Pattern[str]] = [
            skill_pattern(a, r) for a, r in zip(tax["aliases"], tax["rule"], strict=True)
        ]
        index: dict[bytes, list[_Gate]] = {}
        for k, (aliases, rule) in enumerate(zip(tax["aliases"], tax["rule"], strict=True)):
            gates: list[tuple[frozenset[bytes], re.Pattern[str] | None, bool]] = []
            if rule == "regex":
                words = regex_anchors(aliases)
                if not words:
                    raise ValueError(f"regex for skill {self.skills[k]!r} has no anchor word")
                gates = [(frozenset({w.encode()}), self.patterns[k], False) for w in words]
            else:
                for alias in split_aliases(aliases):
                    toks = frozenset(alias.lower().encode().translate(_SEPARATORS).split())
                    if rule == "word" and alias.lower().encode() in toks:
                        gates.append((toks, None, True))
                    else:
                        gates.append(
                            (toks, _alias_fast_pattern(alias, rule == "word"), rule == "word")
                        )
            for toks, verify, on_lower in gates:
                anchor = max(sorted(toks), key=len)
                index.setdefault(anchor, []).append(_Gate(k, toks - {anchor}, verify, on_lower))
        for gate_list in index.values():
            gate_list.sort(key=lambda g: g.verify is not None)  # token-only gates first
        self._index = index
        self._anchors = frozenset(index)
        # Every token any gate looks at: a posting's tokens are filtered to these at once.
        self._relevant = self._anchors.union(*(g.others for gl in index.values() for g in gl))

    def skill_ids_in(self, text: str) -> set[int]:
        """Indices (into `self.skills`) of the skills mentioned in `text`."""
        lowered = text.encode("utf-8", "surrogatepass").lower()
        toks = self._relevant.intersection(lowered.translate(_SEPARATORS).split())
        found: set[int] = set()
        low: str | None = None
        for tok in toks.intersection(self._anchors):
            for gate in self._index[tok]:
                k = gate.skill
                if k in found or (gate.others and not gate.others <= toks):
                    continue
                if gate.verify is None:
                    found.add(k)
                elif gate.on_lower:
                    if low is None:
                        # NOTE: bytes.lower() only lowers ASCII, so `low` has the same length
                        # and non-ASCII characters as `text`.
                        low = lowered.decode("utf-8", "surrogatepass")
                    if gate.verify.search(low):
                        found.add(k)
                elif gate.verify.search(text):
                    found.add(k)
        return found

    def skills_in(self, text: str) -> set[str]:
        """Canonical names of the skills mentioned in `text`."""
        return {self.skills[k] for k in self.skill_ids_in(text)}


def naive_skills_in(text: str, matcher: SkillMatcher) -> set[str]:
    """Reference implementation: every skill's own pattern searched in the text, one by one."""
    return {s for s, p in zip(matcher.skills, matcher.patterns, strict=True) if p.search(text)}


_DEFAULT_MATCHER: SkillMatcher | None = None


def default_matcher() -> SkillMatcher:
    """The matcher for the packaged taxonomy, built on first use."""
    global _DEFAULT_MATCHER
    if _DEFAULT_MATCHER is None:
        _DEFAULT_MATCHER = SkillMatcher()
    return _DEFAULT_MATCHER


# ---------------------------------------------------------------------------------------------
# Tables
# ---------------------------------------------------------------------------------------------


def extract_skills(postings: pd.DataFrame, matcher: SkillMatcher | None = None) -> pd.DataFrame:
    """Return `posting_skills`: one row per (posting_id, skill) with the skill's category.

    Input columns: `posting_id` (int64) and `text` (clean plain text). Output columns:
    `posting_id` (int64), `skill` (str), `category` (str); deduplicated, sorted by
    posting_id then skill. A posting repeated in the input contributes its skills once.
    """
    m = default_matcher() if matcher is None else matcher
    ids = postings["posting_id"].to_numpy(dtype=np.int64)
    texts = postings["text"].fillna("").astype(str).tolist()
    counts = np.empty(len(texts), dtype=np.int64)
    found: list[int] = []
    for i, text in enumerate(texts):
        ks = m.skill_ids_in(text)
        counts[i] = len(ks)
        found.extend(ks)
    codes = np.asarray(found, dtype=np.int64)
    rows_pid = np.repeat(ids, counts)
    # Skill codes re-numbered in alphabetical order so one lexsort gives the final order.
    order = np.argsort(np.asarray(m.skills, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    sort_key = rank[codes] if len(codes) else codes
    idx = np.lexsort((sort_key, rows_pid))
    rows_pid, codes, sort_key = rows_pid[idx], codes[idx], sort_key[idx]
    if len(rows_pid) > 1:
        keep = np.ones(len(rows_pid), dtype=bool)
        keep[1:] = (rows_pid[1:] != rows_pid[:-1]) | (sort_key[1:] != sort_key[:-1])
        rows_pid, codes = rows_pid[keep], codes[keep]
    skills = np.asarray(m.skills, dtype=object)
    cats = np.asarray(m.categories, dtype=object)
    return pd.DataFrame(
        {
            "posting_id": pd.Series(rows_pid, dtype="int64"),
            "skill": pd.Series(skills[codes] if len(codes) else [], dtype="str"),
            "category": pd.Series(cats[codes] if len(codes) else [], dtype="str"),
        }
    )


def skill_shares(
    posting_skills: pd.DataFrame,
    posting_roles: pd.DataFrame,
    group_cols: Sequence[str] = ("role",),
) -> pd.DataFrame:
    """Share of a group's postings that mention each skill.

    `posting_roles` has one row per (posting_id, role) plus any period columns named in
    `group_cols` (e.g. `posted_month`). The denominator `role_postings` is the number of
    distinct postings in the group, whether or not they mention any skill. Output columns:
    the group columns, `skill`, `category`, `postings_with_skill`, `role_postings`,
    `posting_share_pct` (100 * with / role_postings); skills never mentioned in a group are
    omitted. Sorted by group then share descending then skill.
    """
    gcols = list(group_cols)
    roles = posting_roles[["posting_id", *gcols]].drop_duplicates()
    denom = roles.groupby(gcols, observed=True, dropna=False)["posting_id"].nunique()
    denom = denom.rename("role_postings").reset_index()
    ps = posting_skills[["posting_id", "skill", "category"]].drop_duplicates(
        ["posting_id", "skill"]
    )
    joined = roles.merge(ps, on="posting_id", how="inner")
    num = (
        joined.groupby([*gcols, "skill", "category"], observed=True, dropna=False)["posting_id"]
        .nunique()
        .rename("postings_with_skill")
        .reset_index()
    )
    out = num.merge(denom, on=gcols, how="left")
    out["postings_with_skill"] = out["postings_with_skill"].astype("int64")
    out["role_postings"] = out["role_postings"].astype("int64")
    out["posting_share_pct"] = 100.0 * out["postings_with_skill"] / out["role_postings"]
    out = out.sort_values(
        [*gcols, "posting_share_pct", "skill"], ascending=[True] * len(gcols) + [False, True]
    )
    return out.reset_index(drop=True)[
        [
            *gcols,
            "skill",
            "category",
            "postings_with_skill",
            "role_postings",
            "posting_share_pct",
        ]
    ]


def weighted_log_odds(
    counts_a: pd.Series,
    n_a: int,
    counts_b: pd.Series,
    n_b: int,
    prior: pd.Series | None = None,
    alpha0: float | None = None,
) -> pd.DataFrame:
    """Weighted log-odds ratio with an informative Dirichlet prior ("Fightin' Words").

    Monroe, Colaresi & Quinn (2008), Political Analysis 16(4), eq. 15-22. For skill w, with
    y_a = counts_a[w], y_b = counts_b[w], alpha_w = prior[w] and alpha_0 = sum of alpha:

        delta_w = log((y_a + alpha_w) / (n_a + alpha_0 - y_a - alpha_w))
                - log((y_b + alpha_w) / (n_b + alpha_0 - y_b - alpha_w))
        variance_w ~= 1 / (y_a + alpha_w) + 1 / (y_b + alpha_w)
        z_w = delta_w / sqrt(variance_w)

    Positive z means distinctive of group a. Here a "count" is the number of postings that
    mention the skill and n the number of postings of the group (the model's "total words"),
    so n - y is the number of postings without the skill. When `prior` is None the prior is
    the pooled counts (y_a + y_b) scaled to sum to `alpha0` (default: the number of skills,
    i.e. one pseudo-count per skill on average); a given prior is used as is unless `alpha0`
    is given, in which case it is rescaled to that total.

    Returns a frame indexed by skill with `count_a`, `count_b`, `n_a`, `n_b`, `alpha`,
    `delta`, `variance`, `z`, sorted by z descending.
    """
    idx = counts_a.index.union(counts_b.index)
    ya = counts_a.reindex(idx, fill_value=0).astype(float)
    yb = counts_b.reindex(idx, fill_value=0).astype(float)
    if prior is None:
        # A skill absent from both groups carries no information (and would get alpha = 0).
        idx = idx[(ya + yb).to_numpy() > 0]
        ya, yb = ya.loc[idx], yb.loc[idx]
        pooled = ya + yb
        total = alpha0 if alpha0 is not None else float(len(idx))
        alpha = pooled / pooled.sum() * total if pooled.sum() > 0 else pooled + 0.0
    else:
        alpha = prior.reindex(idx, fill_value=0).astype(float)
        if alpha0 is not None:
            alpha = alpha / alpha.sum() * alpha0
    a0 = float(alpha.sum())
    if (alpha <= 0).any():
        raise ValueError("prior must be positive for every skill")
    if ((ya > n_a) | (yb > n_b)).any():
        raise ValueError("a count exceeds its group size")
    delta = np.log((ya + alpha) / (n_a + a0 - ya - alpha)) - np.log(
        (yb + alpha) / (n_b + a0 - yb - alpha)
    )
    variance = 1.0 / (ya + alpha) + 1.0 / (yb + alpha)
    out = pd.DataFrame(
        {
            "count_a": ya.astype("int64"),
            "count_b": yb.astype("int64"),
            "n_a": int(n_a),
            "n_b": int(n_b),
            "alpha": alpha,
            "delta": delta,
            "variance": variance,
            "z": delta / np.sqrt(variance),
        },
        index=idx,
    )
    out.index.name = "skill"
    return out.sort_values("z", ascending=False)


def stratified_log_odds(counts: pd.DataFrame, min_n: int) -> tuple[pd.DataFrame, list]:
    """Weighted log-odds compared within strata (e.g. years) and combined: like with like.

    `counts`: one row per stratum x skill with `stratum`, `skill`, `count_a`, `count_b` and the
    stratum's group sizes `n_a`, `n_b`. Strata where either group has fewer than `min_n` postings
    are left out. In each stratum `weighted_log_odds` (its own pooled prior) gives delta and its
    variance per skill; a skill's deltas are combined by inverse-variance weights (a fixed-effect
    meta-analysis): delta = sum(w * delta_s) / sum(w), variance = 1 / sum(w), w = 1 / variance_s,
    z = delta / sqrt(variance). So a skill cannot look distinctive of a role only because that
    role's postings come from the years in which the skill was common.

    Returns (a frame like `weighted_log_odds`'s, with counts and group sizes summed over the
    strata used and `strata` = how many strata the skill was seen in; the sorted strata used).
    """
    sizes = counts.groupby("stratum")[["n_a", "n_b"]].first()
    used = sorted(sizes.index[(sizes["n_a"] >= min_n) & (sizes["n_b"] >= min_n)].tolist())
    parts = []
    for stratum in used:
        part = counts[counts["stratum"] == stratum].set_index("skill")
        lo = weighted_log_odds(
            part["count_a"],
            int(sizes.loc[stratum, "n_a"]),
            part["count_b"],
            int(sizes.loc[stratum, "n_b"]),
        )
        parts.append(lo.assign(stratum=stratum))
    cols = ["count_a", "count_b", "n_a", "n_b", "delta", "variance", "z", "strata"]
    if not parts:
        return pd.DataFrame(columns=cols).rename_axis("skill"), used
    allp = pd.concat(parts)
    allp["w"] = 1.0 / allp["variance"]
    allp["wd"] = allp["w"] * allp["delta"]
    g = allp.groupby(level=0)
    out = pd.DataFrame(
        {
            "count_a": g["count_a"].sum().astype("int64"),
            "count_b": g["count_b"].sum().astype("int64"),
            "n_a": int(sizes.loc[used, "n_a"].sum()),
            "n_b": int(sizes.loc[used, "n_b"].sum()),
            "delta": g["wd"].sum() / g["w"].sum(),
            "variance": 1.0 / g["w"].sum(),
            "strata": g.size().astype("int64"),
        }
    )
    out["z"] = out["delta"] / np.sqrt(out["variance"])
    out.index.name = "skill"
    return out[cols].sort_values("z", ascending=False), used


def cooccurrence(
    posting_skills: pd.DataFrame,
    posting_ids: Iterable[int] | None = None,
    min_count: int = 5,
    top: int = 20,
) -> pd.DataFrame:
    """Skill pairs that appear together more often than chance.

    Over the postings in `posting_ids` (default: every posting in `posting_skills`; postings
    with no skill still count in `n_postings` when listed), for each pair skill_a < skill_b:
    `pair_postings` (postings with both), `postings_a`, `postings_b`, `n_postings` and
    `lift` = P(a,b) / (P(a) P(b)) = pair * n / (postings_a * postings_b). Keeps pairs with
    pair_postings >= min_count; returns the `top` by lift (ties: more pair postings first).
    """
    ps = posting_skills[["posting_id", "skill"]].drop_duplicates()
    if posting_ids is not None:
        universe = pd.Index(pd.unique(np.fromiter(posting_ids, dtype=np.int64)))
        ps = ps[ps["posting_id"].isin(universe)]
        n = len(universe)
    else:
        n = int(ps["posting_id"].nunique())
    cols = ["skill_a", "skill_b", "pair_postings", "postings_a", "postings_b", "n_postings", "lift"]
    if ps.empty or n == 0:
        return pd.DataFrame({c: [] for c in cols})
    # Integer codes in name order, so code_a < code_b is skill_a < skill_b and the self-join
    # stays cheap on the full corpus.
    codes, names = pd.factorize(ps["skill"], sort=True)
    slim = pd.DataFrame({"posting_id": ps["posting_id"].to_numpy(), "code": codes})
    per_code = np.bincount(codes, minlength=len(names))
    pairs = slim.merge(slim, on="posting_id", suffixes=("_a", "_b"))
    pairs = pairs[pairs["code_a"] < pairs["code_b"]]
    out = pairs.groupby(["code_a", "code_b"]).size().rename("pair_postings").reset_index()
    out = out[out["pair_postings"] >= min_count].copy()
    out["skill_a"] = np.asarray(names, dtype=object)[out["code_a"].to_numpy()]
    out["skill_b"] = np.asarray(names, dtype=object)[out["code_b"].to_numpy()]
    per_skill = pd.Series(per_code, index=names)
    out["pair_postings"] = out["pair_postings"].astype("int64")
    out["postings_a"] = out["skill_a"].map(per_skill).astype("int64")
    out["postings_b"] = out["skill_b"].map(per_skill).astype("int64")
    out["n_postings"] = np.int64(n)
    out["lift"] = out["pair_postings"] * n / (out["postings_a"] * out["postings_b"])
    out = out.sort_values(
        ["lift", "pair_postings", "skill_a", "skill_b"], ascending=[False, False, True, True]
    )
    return out.head(top).reset_index(drop=True)[cols]
