"""The global filters shared by every view (roles, role definition, period, country), rendered once
in the sidebar by app.py and kept in the URL query string; views read them with `get()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import streamlit as st

from dashboard import charts, data, filters
from etl.coverage import describe_hn, describe_salaries
from etl.vocab import COMPARED_ROLES, ROLES, pct
from etl.vocab import HN_DEFINITION_OF as HN_DEFINITION
from etl.vocab import SCOPE_DEFINITIONS as DEFINITIONS

DEFAULT_ROLES = [COMPARED_ROLES[1], COMPARED_ROLES[0]]
_KEY = "_scope"


@dataclass(frozen=True)
class Scope:
    roles: list[str] = field(default_factory=lambda: list(DEFAULT_ROLES))
    definition: str = "strict"
    # the published years replace these once the sidebar has read them (scope.render)
    year_from: int = 1900
    year_to: int = 9999
    countries: list[str] = field(default_factory=list)

    @property
    def hn_definition(self) -> str:
        return HN_DEFINITION[self.definition]

    @property
    def roles_or_all(self) -> list[str]:
        return self.roles or list(ROLES)

    def describe(self) -> dict:
        d = asdict(self)
        d["hn_definition"] = self.hn_definition
        return d


def years(state: data.DataState) -> list[int]:
    parts = []
    if state.has("salary_counts"):
        parts.append("SELECT DISTINCT work_year AS y FROM {salary_counts}")
    if state.has("hn_postings"):
        parts.append("SELECT DISTINCT year(thread_month) AS y FROM {hn_postings}")
    if not parts:
        return []
    tables = tuple(
        t
        for t, has in (
            ("salary_counts", state.has("salary_counts")),
            ("hn_postings", state.has("hn_postings")),
        )
        if has
    )
    df = data.run_query(state, " UNION ".join(parts) + " ORDER BY 1", (), tables)
    return [int(y) for y in df["y"]]


def countries(state: data.DataState) -> list[str]:
    if not state.has("salary_counts"):
        return []
    df = data.run_query(
        state,
        "SELECT company_country_code AS c, sum(n) AS n FROM {salary_counts} GROUP BY 1 "
        "ORDER BY n DESC, c",
        (),
        ("salary_counts",),
    )
    return df["c"].tolist()


def render(state: data.DataState) -> Scope:
    sb = st.sidebar
    sb.header("Filters for every view")
    roles = filters.multiselect(
        "Roles",
        "roles",
        ROLES,
        DEFAULT_ROLES,
        format_func=charts.role_label,
        help="Empty: all three roles",
    )
    definition = filters.radio(
        "Role definition",
        "def",
        list(DEFINITIONS),
        "strict",
        format_func=DEFINITIONS.get,
        help="Salaries: strict = the exact titles, broad = adds reviewed variants "
        "(etl/mappings/job_titles.csv). Hacker News: strict = the posting's first line "
        "names the role, broad = the text names it anywhere.",
    )
    published = years(state)
    ys = [str(y) for y in published] or [str(Scope.year_from), str(Scope.year_to)]
    hn = describe_hn(state.coverage("hn_whoishiring")) if state.ok else "not published"
    sal = describe_salaries(state.coverage("aijobs_salaries")) if state.ok else "not published"
    y0, y1 = filters.period(
        "Period (years)",
        "period",
        ys,
        help=f"Salaries: work year; Hacker News: thread month. Published: Hacker News {hn}; salaries {sal}.",
    )
    cs = filters.multiselect(
        "Company country (pay only)",
        "country",
        countries(state),
        help=f"ISO codes by number of responses ({_top_countries(state)}). "
        "Hacker News postings carry no reliable country, so demand and skills ignore it.",
    )
    scope = Scope(list(roles), definition, int(y0), int(y1), list(cs))
    st.session_state[_KEY] = scope
    return scope


def _top_countries(state: data.DataState) -> str:
    top = state.coverage("aijobs_salaries").get("top_countries", []) if state.ok else []
    return ", ".join(f"{c['code']} {pct(c['share_pct'])}" for c in top[:3]) or "no salary data"


def get() -> Scope:
    return st.session_state.get(_KEY) or Scope()
