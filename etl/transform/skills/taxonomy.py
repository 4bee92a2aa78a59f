"""The skill taxonomy (`etl/mappings/skills.csv`): loading and validating it, and the matching
semantics its rules declare.

- `word`: case-insensitive (ASCII) whole-word match of any alias. Word characters are
  `A-Z a-z 0-9 _ + #`, so "C++", "C#" and "F#" are words of their own; anything else,
  including `.`, `-`, `/` and non-ASCII characters, is a boundary. Spaces inside an alias
  also match hyphens and runs of whitespace ("time series" matches "time-series").
- `case_sensitive`: the same, with exact case.
- `regex`: the aliases column holds a Python regular expression searched in the text; its
  `anchors` column lists lower-case tokens such that every text the regex matches contains one
  of them as a token (the matcher's pre-filter; a test checks it on the fixture phrases and a
  mirror test on real postings).
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

TAXONOMY_PATH = Path(__file__).resolve().parents[2] / "mappings" / "skills.csv"

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
TAXONOMY_COLUMNS: tuple[str, ...] = ("skill", "category", "aliases", "rule", "anchors", "note")
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


def load_taxonomy(path: Path | None = None) -> pd.DataFrame:
    """Read and validate the skill taxonomy CSV.

    Checks: the five columns, no blank skill/category/aliases/rule, unique canonical names,
    known categories and rules, at least one non-empty alias, every regex compiles and has a
    declared anchor tokens (the pre-filter), every category present and at least
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
            words = split_aliases(row.anchors)
            if not words:
                raise ValueError(
                    f"{path}: regex for skill {row.skill!r} declares no anchors (the tokens one "
                    "of which every match contains), so it cannot be pre-filtered"
                )
            bad = [w for w in words if tokens(w) != {w.encode()}]
            if bad:
                raise ValueError(
                    f"{path}: anchors of skill {row.skill!r} must be lower-case single tokens: {bad}"
                )
        elif row.anchors.strip():
            raise ValueError(
                f"{path}: skill {row.skill!r} declares anchors, which only regex rules use "
                "(a word rule's aliases are its anchors)"
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
