"""The global filters shared by every view (roles, role definition, period, country), rendered once
in the sidebar by app.py and kept in the URL query string; views read them with `get()`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import streamlit as st

from dashboard import charts, data, filters

ROLES = ("data_scientist", "ml_engineer", "ai_engineer")
DEFINITIONS = {
    "strict": "Strict: exact titles / role named in the posting's first line",
    "broad": "Broad: reviewed title variants / role named anywhere in the posting",
}
# the Hacker News definition each global definition stands for
HN_DEFINITION = {"strict": "header", "broad": "anywhere"}
_KEY = "_scope"


@dataclass(frozen=True)
class Scope:
    roles: list[str] = field(default_factory=lambda: ["data_scientist", "ml_engineer"])
    definition: str = "strict"
    year_from: int = 2013
    year_to: int = 2026
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
    if state.has("salaries"):
        parts.append("SELECT DISTINCT work_year AS y FROM {salary_counts}")
    if state.has("hn_postings"):
        parts.append("SELECT DISTINCT year(thread_month) AS y FROM {hn_postings}")
    if not parts:
        return []
    tables = tuple(
        t
        for t, has in (
            ("salary_counts", state.has("salaries")),
            ("hn_postings", state.has("hn_postings")),
        )
        if has
    )
    df = data.run_query(state, " UNION ".join(parts) + " ORDER BY 1", (), tables)
    return [int(y) for y in df["y"]]


def countries(state: data.DataState) -> list[str]:
    if not state.has("salaries"):
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
        ["data_scientist", "ml_engineer"],
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
    ys = [str(y) for y in years(state)] or ["2013", "2026"]
    y0, y1 = filters.period(
        "Period (years)",
        "period",
        ys,
        help="Salaries: work year; Hacker News: thread month. The archive has 2013-2018 and 2026.",
    )
    cs = filters.multiselect(
        "Company country (pay only)",
        "country",
        countries(state),
        help="ISO codes by number of responses; ~90% of salary responses are US companies. "
        "Hacker News postings carry no reliable country, so demand and skills ignore it.",
    )
    scope = Scope(list(roles), definition, int(y0), int(y1), list(cs))
    st.session_state[_KEY] = scope
    return scope


def get() -> Scope:
    return st.session_state.get(_KEY) or Scope()
