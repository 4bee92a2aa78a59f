"""Skills, split by job: `taxonomy` (the mapping file and its rules), `matcher` (extraction into
`posting_skills`), `tables` (shares, log-odds, co-occurrence and the published aggregates).
The names below are the package's public interface."""

from etl.transform.skills.matcher import (
    SkillMatcher,
    default_matcher,
    extract_skills,
    naive_skills_in,
)
from etl.transform.skills.tables import (
    cooccurrence,
    skill_shares,
    stratified_log_odds,
    weighted_log_odds,
)
from etl.transform.skills.taxonomy import (
    CATEGORIES,
    MIN_SKILLS,
    RULES,
    TAXONOMY_COLUMNS,
    TAXONOMY_PATH,
    alias_pattern,
    load_taxonomy,
    skill_pattern,
    split_aliases,
    tokens,
)

__all__ = [
    "CATEGORIES",
    "MIN_SKILLS",
    "RULES",
    "TAXONOMY_COLUMNS",
    "TAXONOMY_PATH",
    "SkillMatcher",
    "alias_pattern",
    "cooccurrence",
    "default_matcher",
    "extract_skills",
    "load_taxonomy",
    "naive_skills_in",
    "skill_pattern",
    "skill_shares",
    "split_aliases",
    "stratified_log_odds",
    "tokens",
    "weighted_log_odds",
]
