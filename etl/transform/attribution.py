"""Which job of a multi-job Hacker News ad each skill belongs to.

Reads postings (`posting_id`, `text`), their role flags (`flag_roles`, anywhere definition) and
the skill matcher; writes one row per (posting, role, skill) with how the skill was attributed:
`single_job` (the ad offers one job only: every skill is that job's), `job_part` (the skill sits
in a line of the part of the ad that describes that role's job), `company_wide` (the skill sits
in a part that names no job, or in a company-wide stack line: it goes to every job of the ad).
A skill that sits only in the part of another job ("Rails engineer: Ruby, Postgres") is not the
role's. The rules follow LABELLING.md's `role_skills`.

NOTE: a job's part is its own line: on the development labels, letting it
reach the bullets under a title line (F1 0.875) or every line down to the next title (0.853)
scored lower than the line alone (0.893). On the held-out part the attribution does not beat
giving every skill of the ad to every role (make eval prints both), so the views still read
whole-ad `posting_skills` and say so.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from etl.transform import hn_roles
from etl.transform.skills import SkillMatcher, default_matcher
from etl.vocab import ROLES

ATTRIBUTION_COLUMNS = ["posting_id", "role", "skill", "attribution"]
ATTRIBUTIONS = ("single_job", "job_part", "company_wide")

# NOTE: a line "names a job" when it is title-like (a header field, a bullet, a short line, or
# a hiring sentence) and holds a job noun. Lines of prose that mention "engineers" in passing do
# not start a job part.
_JOB_NOUN = re.compile(
    r"\b(?:engineers?|engineering\s+manager|developers?|devs?|designers?|managers?|analysts?|"
    r"architects?|scientists?|researchers?|recruiters?|marketers?|writers?|specialists?|"
    r"administrators?|admins?|sres?|interns?|consultants?|representatives?|reps|executives?|"
    r"directors?|officers?|coordinators?|technicians?|associates?|leads?|heads?\s+of|"
    r"hackers?|programmers?|product\s+owners?|ux|ui)\b",
    re.IGNORECASE,
)
_HIRING = re.compile(
    r"\b(?:hiring|looking\s+for|seeking|open\s+(?:roles|positions)|positions?:|roles?:|we\s+need)\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*•·◦●#>]+|\d+[.)])\s*")
_STACK = re.compile(
    r"\b(?:tech(?:nology)?\s*stack|our\s+stack|stack\s*:|we\s+use|technologies|tools\s*:|"
    r"built\s+(?:with|on)|tech\s*:|languages\s*:)",
    re.IGNORECASE,
)
TITLE_LINE_CHARS = 120
# "Backend = scalable Java services, Frontend = React + TypeScript, Data = Python": a line of
# keyed stacks, each key an area of the company; a key's skills belong to that area's job
_KEYED = re.compile(r"(?:^|[,;|.]|\band\b)\s*(?P<key>[A-Za-z][\w /&+.-]{0,30}?)\s*=\s*")
_ROLE_KEYS = {
    "data_scientist": re.compile(r"\bdata[\s-]*scien|\bdata\b$|\banalytics\b", re.IGNORECASE),
    "ml_engineer": re.compile(
        r"\b(?:ML|machine[\s-]+learning|AI|computer[\s-]+vision|NLP|deep[\s-]+learning)\b",
        re.IGNORECASE,
    ),
    "ai_engineer": re.compile(r"\b(?:AI|LLMs?|gen\s*-?\s*AI)\b", re.IGNORECASE),
}


def keyed_parts(line: str) -> list[tuple[str, str]]:
    """(key, value) parts of a keyed stack line; [] unless it has at least two keys."""
    marks = list(_KEYED.finditer(line))
    if len(marks) < 2:
        return []
    parts = []
    for m, nxt in zip(marks, [*marks[1:], None], strict=True):
        value = line[m.end() : nxt.start() if nxt else len(line)]
        parts.append((m.group("key").strip(), value))
    return parts


_PROSE = re.compile(r"\b(?:you|you'll|we|we're|our|will|with|to|is|are|and\s+the)\b", re.IGNORECASE)
# a job noun in a mention of colleagues is not another opening ("work with our engineers")
_COLLEAGUES = re.compile(
    r"\b(?:with|alongside|among|by|from|of)\s+(?:our|the|other|fellow|a\s+team\s+of)?\s*(?:[\w-]+\s+){0,3}?"
    r"(?:engineers?|developers?|designers?|scientists?|researchers?|managers?)\b",
    re.IGNORECASE,
)


def _title_like(line: str, first: bool) -> bool:
    """A header, a bullet, a hiring sentence, or a short line that reads as a title, not prose."""
    return (
        first
        or "|" in line
        or bool(_BULLET.match(line))
        or bool(_HIRING.search(line))
        or (len(line.strip()) <= TITLE_LINE_CHARS // 2 and not _PROSE.search(line))
    )


def line_jobs(
    line: str, first: bool, matchers: dict[str, hn_roles.RoleMatcher]
) -> tuple[set[str], bool]:
    """Our roles a line names as openings, and whether it names any other job."""
    if not _title_like(line, first):
        return set(), False
    roles: set[str] = set()
    others = False
    masked = line
    for role, m in matchers.items():
        why = m.decide(line)
        if why and why[-1][0] == "include":
            roles.add(role)
        for kind, _rule, start, end in why:
            if kind == "include":
                masked = masked[:start] + " " * (end - start) + masked[end:]
    masked = _COLLEAGUES.sub(lambda m: " " * (m.end() - m.start()), masked)
    if _JOB_NOUN.search(masked) or (_HIRING.search(masked) and _area().search(masked)):
        others = True
    return roles, others


@cache
def _area() -> re.Pattern[str]:
    """Another hiring area (the role terms' AREA, e.g. 'Backend', 'iOS'): a hiring line that
    lists one offers another job too."""
    terms = hn_roles.load_role_terms()
    return re.compile(r"\b" + hn_roles.expand_terms("{AREA}", terms) + r"\b", re.I)


def attribute(
    text: str,
    roles: list[str],
    matchers: dict[str, hn_roles.RoleMatcher],
    skills: SkillMatcher,
) -> list[tuple[str, str, str]]:
    """(role, skill, attribution) for one posting offering `roles` (those flagged for it)."""
    if not roles:
        return []
    lines = text.split("\n")
    named = [line_jobs(ln, i == 0, matchers) for i, ln in enumerate(lines)]
    any_other = any(o for _, o in named)
    all_skills = skills.skills_in(text)
    if len(roles) == 1 and not any_other:
        return [(roles[0], s, "single_job") for s in sorted(all_skills)]
    out: dict[tuple[str, str], str] = {}
    for i, ln in enumerate(lines):
        found = skills.skills_in(ln) if ln.strip() else set()
        jobs, other = named[i]
        if not found:
            continue
        parts = keyed_parts(ln)
        if parts:
            for key, value in parts:
                keyed = {r for r in roles if _ROLE_KEYS[r].search(key)}
                for s in skills.skills_in(value):
                    for role in keyed:
                        out[(role, s)] = "job_part"
            continue
        # a line naming no job (or a stack line, or a header without our roles) is the ad's
        if _STACK.search(ln) or not (jobs or other) or (i == 0 and not jobs):
            targets, how = set(roles), "company_wide"
        else:
            targets, how = jobs & set(roles), "job_part"
        for role in targets:
            for s in found:
                if out.get((role, s)) != "job_part":
                    out[(role, s)] = how
    return [(r, s, how) for (r, s), how in sorted(out.items())]


def attribute_skills(
    postings: pd.DataFrame,
    flags: pd.DataFrame,
    definition: str = "anywhere",
    skills: SkillMatcher | None = None,
    matchers: dict[str, hn_roles.RoleMatcher] | None = None,
) -> pd.DataFrame:
    """The `role_skills` table: ATTRIBUTION_COLUMNS for every flagged posting."""
    matchers = matchers or hn_roles.compile_role_rules(hn_roles.load_role_rules())
    skills = default_matcher() if skills is None else skills
    cols = [hn_roles.flag_column(r, definition) for r in ROLES]
    merged = postings[["posting_id", "text"]].merge(flags[["posting_id", *cols]], on="posting_id")
    rows = []
    for rec in merged.itertuples(index=False):
        roles = [r for r, c in zip(ROLES, cols, strict=True) if getattr(rec, c)]
        for role, skill, how in attribute(str(rec.text or ""), roles, matchers, skills):
            rows.append((int(rec.posting_id), role, skill, how))
    return pd.DataFrame(rows, columns=ATTRIBUTION_COLUMNS).astype({"posting_id": "int64"})
