"""Flag which roles each Hacker News posting is an opening for, from rules kept as data.

Reads postings (`first_line`, `text`) and `etl/mappings/hn_role_rules.csv`; writes one row per
posting with boolean `is_<role>_<definition>` columns, or a long posting_id/role table.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from etl.vocab import HN_DEFINITIONS, ROLES

ROLE_RULES_PATH = Path(__file__).resolve().parents[1] / "mappings" / "hn_role_rules.csv"
RULE_KINDS: tuple[str, ...] = ("include", "exclude")
RULE_COLUMNS: list[str] = ["role", "pattern", "kind", "note"]
# definition -> the posting column it searches
DEFINITIONS: dict[str, str] = HN_DEFINITIONS
ID_COLUMNS: list[str] = ["posting_id", "thread_id", "thread_month", "author", "created_at"]
# What an excluded phrase is replaced with: a non-word separator, so that masking cannot glue
# the words on either side into a new match.
_MASK = " \u00a6 "


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
    rules = pd.read_csv(path, dtype=str, keep_default_na=False)
    return validate_role_rules(rules, source=str(path))


def validate_role_rules(rules: pd.DataFrame, source: str = "role rules") -> pd.DataFrame:
    """Check a rules frame (see `load_role_rules`) and return a clean copy."""
    missing = [c for c in RULE_COLUMNS if c not in rules.columns]
    if missing:
        raise ValueError(f"{source}: missing column(s) {missing}; expected {RULE_COLUMNS}")
    rules = rules[RULE_COLUMNS].fillna("").astype(str).copy()
    for column in ("role", "kind"):
        rules[column] = rules[column].str.strip()
    problems: list[str] = []
    for row_number, rule in enumerate(rules.itertuples(index=False), start=2):
        where = f"row {row_number} ({rule.role}, {rule.kind})"
        if rule.role not in ROLES:
            problems.append(f"{where}: unknown role {rule.role!r}, expected one of {ROLES}")
        if rule.kind not in RULE_KINDS:
            problems.append(f"{where}: unknown kind {rule.kind!r}, expected one of {RULE_KINDS}")
        if not rule.pattern.strip():
            problems.append(f"{where}: empty pattern")
        else:
            try:
                re.compile(rule.pattern, re.IGNORECASE)
            except re.error as exc:
                problems.append(f"{where}: invalid regex {rule.pattern!r}: {exc}")
        if not rule.note.strip():
            problems.append(f"{where}: empty note (every rule says why it exists)")
    duplicated = rules.duplicated(["role", "pattern", "kind"], keep="first")
    for row_number in rules.index[duplicated] + 2:
        problems.append(f"row {row_number}: duplicate of an earlier rule")
    included = set(rules.loc[rules["kind"] == "include", "role"])
    for role in ROLES:
        if role not in included:
            problems.append(f"role {role!r} has no include rule")
    if problems:
        raise ValueError(f"{source}: invalid role rules:\n  " + "\n  ".join(problems))
    return rules.reset_index(drop=True)


def _combined(patterns: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def compile_role_rules(
    rules: pd.DataFrame,
) -> dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]]:
    """Return, per role, one combined include regex and one combined exclude regex (or None)."""
    compiled = {}
    for role in ROLES:
        of_role = rules[rules["role"] == role]
        include = _combined(of_role.loc[of_role["kind"] == "include", "pattern"].tolist())
        exclude = _combined(of_role.loc[of_role["kind"] == "exclude", "pattern"].tolist())
        assert include is not None  # validate_role_rules guarantees an include rule per role
        compiled[role] = (include, exclude)
    return compiled


def _match(
    texts: pd.Series, include: re.Pattern[str], exclude: re.Pattern[str] | None
) -> pd.Series:
    hit = texts.str.contains(include, regex=True).astype(bool)
    if exclude is not None and hit.any():
        # Exclusions work per mention, not per posting: an excluded phrase ("work with our data
        # scientists") is masked out and the include is tried again on what is left, so a
        # posting that also says "we are hiring a Data Scientist" still counts. Only the
        # (few) postings that matched are re-scanned.
        masked = texts[hit].str.replace(exclude, _MASK, regex=True)
        hit.loc[hit] = masked.str.contains(include, regex=True).to_numpy(dtype=bool)
    return hit


def flag_roles(postings: pd.DataFrame, rules: pd.DataFrame | None = None) -> pd.DataFrame:
    """Flag each posting as an opening for each role, under the two definitions.

    `header`: the role is named in `first_line`; `anywhere`: it is named anywhere in `text`.
    Both apply the exclude rules. Returns the id columns of `postings` that exist among
    posting_id, thread_id, thread_month, author, created_at, then six boolean columns
    `is_<role>_<definition>` (role in data_scientist, ml_engineer, ai_engineer). A posting can
    be flagged for several roles. `rules` defaults to `load_role_rules()`.
    """
    needed = ["posting_id", *DEFINITIONS.values()]
    missing = [c for c in needed if c not in postings.columns]
    if missing:
        raise ValueError(f"postings lack column(s) {missing} needed to flag roles")
    rules = load_role_rules() if rules is None else validate_role_rules(rules)
    compiled = compile_role_rules(rules)
    out = postings[[c for c in ID_COLUMNS if c in postings.columns]].copy()
    for definition, column in DEFINITIONS.items():
        texts = postings[column].fillna("").astype(str)
        for role, (include, exclude) in compiled.items():
            out[flag_column(role, definition)] = _match(texts, include, exclude)
    return out


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
