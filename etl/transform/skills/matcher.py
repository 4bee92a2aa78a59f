"""One-pass skill extraction: `SkillMatcher` and `extract_skills` (-> `posting_skills`).

Speed: extraction is one pass of tokenising per posting (bytes lower + translate + split, all
in C) followed by set look-ups. A skill is decided by its token alone when that is exact (a
one-token `word` alias); otherwise its own pattern runs, but only on postings that contain its
anchor tokens, so the corpus is never scanned once per skill. `naive_skills_in` is the
reference: every skill's pattern searched one by one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from etl.transform.skills.taxonomy import (
    _SEPARATORS,
    _WORD_RIGHT,
    load_taxonomy,
    skill_pattern,
    split_aliases,
)


def _alias_fast_source(alias: str, lowered: bool) -> str:
    """One alias as `first(?<![word]first)...` (compiled with re.ASCII): same matches as
    `alias_pattern`, but the leading literal lets re jump straight to candidates. With
    `lowered`, it is meant for the ASCII-lowered text and matches the lower-cased alias
    (= case-insensitive ASCII match)."""
    parts = (alias.lower() if lowered else alias).split()
    first = re.escape(parts[0])
    body = "".join(r"[\s-]+" + re.escape(part) for part in parts[1:])
    return f"{first}(?<![A-Za-z0-9_+#]{first}){body}{_WORD_RIGHT}"


def _alias_fast_pattern(alias: str, lowered: bool) -> re.Pattern[str]:
    """`_alias_fast_source` compiled."""
    return re.compile(_alias_fast_source(alias, lowered), re.ASCII)


@dataclass(slots=True)
class _Gate:
    skill: int  # index into SkillMatcher.skills
    others: frozenset[bytes]  # other tokens that must also be present
    # the pattern that confirms a hit: (source, flags), or None when the token alone decides
    # (a one-token `word` alias)
    source: tuple[str, int] | None
    on_lower: bool  # verify on the ASCII-lowered text rather than the original
    verify: re.Pattern[str] | None = None  # `source` compiled, on the first hit that needs it

    def compiled(self) -> re.Pattern[str]:
        assert self.source is not None
        self.verify = re.compile(*self.source)
        return self.verify


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
        # NOTE: each skill's pattern, and each gate's, is compiled when first needed: a rebuild
        # of one thread meets a few hundred of the ~750 (compiling all was ~0.2 s a process)
        self._rules: list[tuple[str, str]] = list(zip(tax["aliases"], tax["rule"], strict=True))
        self._patterns: list[re.Pattern[str] | None] = [None] * len(self._rules)
        index: dict[bytes, list[_Gate]] = {}
        rows = zip(tax["aliases"], tax["rule"], tax["anchors"], strict=True)
        for k, (aliases, rule, anchors) in enumerate(rows):
            gates: list[tuple[frozenset[bytes], tuple[str, int] | None, bool]] = []
            if rule == "regex":
                words = split_aliases(anchors)
                if not words:
                    raise ValueError(f"regex for skill {self.skills[k]!r} has no anchor word")
                # the skill's own pattern (skill_pattern compiles a regex rule as it is)
                gates = [(frozenset({w.encode()}), (aliases, 0), False) for w in words]
            else:
                for alias in split_aliases(aliases):
                    toks = frozenset(alias.lower().encode().translate(_SEPARATORS).split())
                    if rule == "word" and alias.lower().encode() in toks:
                        gates.append((toks, None, True))
                    else:
                        source = (_alias_fast_source(alias, rule == "word"), re.ASCII)
                        gates.append((toks, source, rule == "word"))
            for toks, source, on_lower in gates:
                anchor = max(sorted(toks), key=len)
                index.setdefault(anchor, []).append(_Gate(k, toks - {anchor}, source, on_lower))
        for gate_list in index.values():
            gate_list.sort(key=lambda g: g.source is not None)  # token-only gates first
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
                if gate.source is None:
                    found.add(k)
                    continue
                verify = gate.verify or gate.compiled()
                if gate.on_lower:
                    if low is None:
                        # NOTE: bytes.lower() only lowers ASCII, so `low` has the same length
                        # and non-ASCII characters as `text`.
                        low = lowered.decode("utf-8", "surrogatepass")
                    if verify.search(low):
                        found.add(k)
                elif verify.search(text):
                    found.add(k)
        return found

    def pattern(self, k: int) -> re.Pattern[str]:
        """The one pattern that decides skill `k` (`skill_pattern`), compiled on first use."""
        p = self._patterns[k]
        if p is None:
            p = self._patterns[k] = skill_pattern(*self._rules[k])
        return p

    @property
    def patterns(self) -> list[re.Pattern[str]]:
        """Every skill's pattern (`skill_pattern`), in the order of `skills`."""
        return [self.pattern(k) for k in range(len(self.skills))]

    def skills_in(self, text: str) -> set[str]:
        """Canonical names of the skills mentioned in `text`."""
        return {self.skills[k] for k in self.skill_ids_in(text)}

    def skill_mentions(self, text: str) -> list[tuple[int, str]]:
        """(offset, canonical name) of every mention of a skill in `text`, in order."""
        return sorted(
            (m.start(), self.skills[k])
            for k in self.skill_ids_in(text)
            for m in self.pattern(k).finditer(text)
        )


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
