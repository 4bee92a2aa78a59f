"""Which job of a multi-job Hacker News ad each skill belongs to.

Reads postings (`posting_id`, `text`), their role flags (`flag_roles`, anywhere definition) and
the skill matcher; writes one row per (posting, role, skill) with how the skill was attributed
(SKILL_ATTRIBUTIONS): `single_job` (the ad offers one job only: every skill is that job's),
`job_part` (the skill sits in a line that names that role's job: a title line, a hiring sentence,
or a line opening with the job's title, "ML Engineer - you will ..."), `job_section` (the skill
sits in the lines below that job's title line, before the next line naming a job or a header
such as "Tech stack:" or "Why us"), `company_wide` (the skill sits in a part that names no job,
or in a company-wide stack line: it goes to every job of the ad). On a line naming several jobs
a skill is the job's whose list item holds it ("Python/C++ Engineers"), else the job's named
last before it in its sentence or header field ("Data Engineer working on Kafka/Spark"), else
every job the line names when its sentence or field names none ("| SQL, Python |"). A skill
that sits only in the part of another job ("Rails engineer: Ruby, Postgres") is not the role's.
The rules follow LABELLING.md's `role_skills`; `python -m eval --errors skills` lists the
development part's errors with the lines they sit in.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from etl.transform import hn_roles
from etl.transform.skills import SkillMatcher, default_matcher
from etl.vocab import ROLES, SKILL_ATTRIBUTIONS

ATTRIBUTION_COLUMNS = ["posting_id", "role", "skill", "attribution"]
ATTRIBUTIONS = SKILL_ATTRIBUTIONS

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


class _Remembered:
    """A role matcher whose decisions are remembered: one posting's line is decided for its
    jobs and again for where they are named."""

    def __init__(self, matcher: hn_roles.RoleMatcher) -> None:
        self.matcher = matcher
        self.seen: dict[str, list[tuple[str, str, int, int]]] = {}

    def decide(self, text: str) -> list[tuple[str, str, int, int]]:
        if text not in self.seen:
            self.seen[text] = self.matcher.decide(text)
        return self.seen[text]


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


# a line that opens with a job title before its text: "Full Stack Engineer - We are seeking ...",
# "Back End (Python) developer: Working on ...", "Golang Developer (New York) --https://..."
_TITLE_END = re.compile(r"\s*(?::|\s[-–—]+\s|\s--|\||\.\s|\(|https?://)")
_URL = re.compile(r"https?://\S+|www\.\S+")
# the items of a line that lists several jobs, split outside parentheses
_ITEM_SEP = re.compile(r"\s*(?:[,;|•]|<>|\s--\s|\s[-–—]\s|\band\b|\bas\s+well\s+as\b|\bor\b)\s*")
_AREA_SEP = re.compile(
    r"\s*(?:[,;|•&:]|<>|\s--\s|\s[-–—]\s|\band\b|\bas\s+well\s+as\b|\bor\b|\bfor\b|\bincluding\b)\s*"
)


_KEY_END = re.compile(r"\s*(?::|\s[-–—]+\s|\s--|\||https?://)")


def _prefix_jobs(
    line: str, matchers: dict[str, hn_roles.RoleMatcher]
) -> tuple[set[str], bool] | None:
    """The jobs a line's opening title names (our roles, any other job), or None when the line
    does not open with a title: a short run of words naming a job before ':', ' - ', '(' ...
    ("Back End (Go) developer: ...", "Golang Developer (NYC) --https://...")."""
    body = _BULLET.sub("", line, count=1)
    for pattern in (_TITLE_END, _KEY_END):
        cut = pattern.search(body)
        if cut is None or cut.start() == 0:
            continue
        head = body[: cut.start()]
        if len(head) > TITLE_LINE_CHARS // 2 or _PROSE.search(head):
            continue
        roles, other = line_jobs(head, False, matchers)
        if not (roles or other) and cut.group().strip() == ":":
            # a stack keyed by our role's field ("Data Analysis & Data Science: SQL, R")
            roles = {r for r, key in _ROLE_KEYS.items() if key.search(head)}
        if roles or other:
            return roles, other
    return None


# a job noun after one of these words is no particular job ("looking for engineers", "senior
# engineers"): only a named one ("Data Engineer", "Python/C++ Engineers") is another job of the line
_GENERIC = re.compile(
    r"(?:^|\b(?:a|an|the|our|for|of|to|with|hiring|all|more|several|many|new|great|strong|"
    r"talented|experienced|senior|junior|sr|jr|lead|staff|principal|level|founding|other|"
    r"remote|and|or|\d+))\W*$",
    re.IGNORECASE,
)


def _mentions(line: str, matchers: dict[str, hn_roles.RoleMatcher]) -> list[tuple[int, int, str]]:
    """(start, end, role or '' for another job) of each job a line names outside its links."""
    out = []
    masked = _URL.sub(lambda m: " " * (m.end() - m.start()), line)
    for role, m in matchers.items():
        why = m.decide(masked)
        if why and why[-1][0] == "include":
            _kind, _rule, start, end = why[-1]
            out.append((start, end, role))
            masked = masked[:start] + " " * (end - start) + masked[end:]
    masked = _COLLEAGUES.sub(lambda m: " " * (m.end() - m.start()), masked)
    for j in _JOB_NOUN.finditer(masked):
        if not _GENERIC.search(masked[max(0, j.start() - 40) : j.start()]):
            out.append((j.start(), j.end(), ""))
    return sorted(_area_items(line, out))


def _area_items(line: str, mentions: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """On a line listing hiring areas ("roles for Machine Learning, Scala & Elixir"), each role's
    mention cut to the items naming its area, and each item that is another area another job."""
    items = _items(line, _AREA_SEP)
    out, areas = [], False
    for start, end, role in mentions:
        if not role:
            out.append((start, end, role))
            continue
        own = [
            (a, b) for a, b in items if a < end and start < b and _ROLE_KEYS[role].search(line[a:b])
        ]
        if own and not _JOB_NOUN.search(line[own[0][0] : own[-1][1]]):
            areas = True
            out += [(a, b, role) for a, b in own]
        else:
            out.append((start, end, role))
    if areas:
        listed = [_segment(line, s) for s, _e, r in out if r]
        for a, b in items:
            if (
                _segment(line, a) in listed
                and not any(s < b and a < e for s, e, _ in out)
                and _area().fullmatch(line[a:b].strip())
            ):
                out.append((a, b, ""))
    return out


_BRACKET = re.compile(r"[()\[\]{}]")


def _items(line: str, sep: re.Pattern[str] = _ITEM_SEP) -> list[tuple[int, int]]:
    """(start, end) of the items of a line, split at list separators outside parentheses."""
    brackets = [(b.start(), b.group() in "([{") for b in _BRACKET.finditer(line)]
    bounds, depth, pos, k = [], 0, 0, 0
    for m in sep.finditer(line):
        while k < len(brackets) and brackets[k][0] < m.start():
            depth = depth + 1 if brackets[k][1] else max(depth - 1, 0)
            k += 1
        if depth == 0:
            if m.start() > pos:
                bounds.append((pos, m.start()))
            pos = m.end()
    bounds.append((pos, len(line)))
    return bounds


# a field of a header line, or a sentence: a skill in one that names no job is the line's
_SEGMENT = re.compile(r"\||(?<=[.!?])\s+|:\s")


def _segment(line: str, at: int) -> tuple[int, int]:
    """(start, end) of the header field or sentence of `line` holding offset `at`."""
    cuts = [0, *(m.end() for m in _SEGMENT.finditer(line)), len(line) + 1]
    return next((a, b) for a, b in zip(cuts, cuts[1:], strict=False) if a <= at < b)


def _owners(
    line: str, at: int, mentions: list[tuple[int, int, str]], items: list[tuple[int, int]]
) -> set[str] | None:
    """The jobs (roles, '' for another job) a skill mention at `at` belongs to on a line naming
    several: the jobs named in its own item ("Python/C++ Engineers"), else the job named last
    before it in its field or sentence ("Data Engineer working on Kafka/Spark"), else the first
    after it; None when its field or sentence names no job ("| SQL, Python |")."""
    lo, hi = _segment(line, at)
    near = [m for m in mentions if lo <= m[0] < hi]
    if not near:
        return None
    item = next(((a, b) for a, b in items if a <= at < b), (at, at + 1))
    own = {r for s, e, r in near if s < item[1] and item[0] < e}
    if own:
        return own
    before = [m for m in near if m[1] <= at]
    pick = before[-1] if before else near[0]
    return {r for s, e, r in near if s < pick[1] and pick[0] < e}


_BACKGROUND = re.compile(
    r"\b(?:founders?|co-?founders?|founded\s+by|investors?|backed\s+by|raised|previously|"
    r"ex-\w+|alumni|CEO|CTO|advisors?)\b",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _asked(line: str) -> str:
    """A line without its sentences about the company's people and backers ("founder of Puma,
    previously at MongoDB", "backed by the CEO of HuggingFace"): they ask nothing of a job."""
    if not _BACKGROUND.search(line):
        return line
    return " ".join(s for s in _SENTENCE_END.split(line) if not _BACKGROUND.search(s))


_KEY_LINE = re.compile(r"^\W*[\w /&+.-]{1,30}:\s")
SECTION_HEADER_CHARS = 40


def _short_title(line: str) -> bool:
    """A title line of its own: short once its links are cut, and not prose."""
    body = _URL.sub("", line)
    return len(body.strip()) <= TITLE_LINE_CHARS // 2 and not _PROSE.search(body)


_JOB_DETAIL = re.compile(
    r"^\W*(?:responsibilit|requirements?\b|qualifications?\b|what\s+you|you\s+will|you'll|you\s+have|"
    r"about\s+the\s+(?:role|job)|the\s+role|duties|must|nice\s+to|bonus|ideal|preferred|minimum)",
    re.IGNORECASE,
)


def _section_break(line: str) -> bool:
    """A line naming no job that ends a job's section: a header ('Tech Stack:', 'Why us'), a
    stack line, or a 'Key: values' line of its own, unless it opens with the job's details
    ('Responsibilities:', 'Requirements', "You'll")."""
    bare = line.strip()
    if _JOB_DETAIL.match(line):
        return False  # "Responsibilities: ...", "You'll ...": the job's own details
    return bool(
        bare.strip("*_ ").endswith(":")
        or _STACK.search(line)
        or (bare and not _BULLET.match(line) and len(bare) <= SECTION_HEADER_CHARS)
        or _KEY_LINE.match(line)
    )


def attribute(
    text: str,
    roles: list[str],
    matchers: dict[str, hn_roles.RoleMatcher],
    skills: SkillMatcher,
) -> list[tuple[str, str, str]]:
    """(role, skill, attribution) for one posting offering `roles` (those flagged for it)."""
    if not roles:
        return []
    matchers = {r: _Remembered(m) for r, m in matchers.items()}  # type: ignore[misc]
    lines = text.split("\n")
    named = []
    for i, ln in enumerate(lines):
        jobs, other = line_jobs(ln, i == 0, matchers)
        titled = False
        # a line naming none of our roles that opens with a job's title is that job's, whatever
        # else its text names ("Full Stack Engineer - ... a passion for AI technologies")
        if not jobs and i > 0 and (pre := _prefix_jobs(ln, matchers)) is not None:
            (jobs, other), titled = pre, True
        named.append((jobs, other, titled))
    mentions_of = cache(lambda i: _mentions(lines[i], matchers))
    # another job of the ad: one named in the header, a title line or a bullet, or on a line
    # naming several jobs; a lone job noun in prose ("looking for a senior python engineer who
    # knows LLMs") in an ad for one role is most likely that role's job, described
    any_o = any(
        o
        and (i == 0 or t or _short_title(ln) or bool(_BULLET.match(ln)) or len(mentions_of(i)) > 1)
        for i, (ln, (_, o, t)) in enumerate(zip(lines, named, strict=True))
    )
    # a keyed stack line ("Backend = Java, Data = Python") names the ad's other areas too
    any_other = any_o or any(
        not any(_ROLE_KEYS[r].search(key) for r in roles)
        for ln in lines
        if "=" in ln
        for key, _value in keyed_parts(ln)
    )
    # a line naming no job keeps only the sentences that may ask something of a job
    asked = [
        ln if jobs or other else _asked(ln)
        for ln, (jobs, other, _) in zip(lines, named, strict=True)
    ]
    if len(roles) == 1 and not any_other:
        kept = skills.skills_in("\n".join(asked))
        return [(roles[0], s, "single_job") for s in sorted(kept)]
    ours = set(roles)
    out: dict[tuple[str, str], str] = {}

    def give(targets: set[str], found: set[str], how: str) -> None:
        for role in targets & ours:
            for s in found:
                if out.get((role, s)) != "job_part":
                    out[(role, s)] = how

    section: set[str] | None = None  # the jobs of the title line the lines below belong to
    for i, ln in enumerate(lines):
        jobs, other, titled = named[i]
        mentions = mentions_of(i) if (jobs or other) and not titled else []
        if i > 0 and (jobs or other):
            one = len({r for *_, r in mentions}) <= 1
            if one and (titled or _short_title(ln)):
                section = jobs
            elif jobs or not _BULLET.match(ln):
                # a bullet naming another job in passing ("re-engineer it") stays in its section
                section = None
        elif _section_break(ln):
            section = None
        found = skills.skills_in(asked[i]) if asked[i].strip() else set()
        if not found:
            continue
        parts = keyed_parts(ln)
        if parts:
            for key, value in parts:
                keyed = {r for r in roles if _ROLE_KEYS[r].search(key)}
                give(keyed, skills.skills_in(value), "job_part")
            continue
        if section is not None and not (jobs or other):
            give(section, found, "job_section")
        # a line naming no job (or a stack line, or a header without our roles) is the ad's
        elif not titled and (_STACK.search(ln) or not (jobs or other) or (i == 0 and not jobs)):
            give(ours, found, "company_wide")
        elif len({r for *_, r in mentions}) < 2:
            give(jobs, found, "job_part")
        else:
            items = _items(ln)
            for at, s in skills.skill_mentions(ln):
                owners = _owners(ln, at, mentions, items)
                give(jobs if owners is None else owners, {s}, "job_part")
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
