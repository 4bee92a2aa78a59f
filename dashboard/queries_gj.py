"""Queries of the Google Jobs postings (data_jobs) and CPI-U tables, as plain functions of
(DataState, Scope, view filters): each sums rows of a small published aggregate (gj_role_monthly,
gj_skill_monthly, gj_claim_monthly, gj_pay_yearly, cpi_annual), never posting rows. No Streamlit
widgets here, so tests call the same code the pages do."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import cube, data, memo
from dashboard.queries import share_table
from dashboard.scope import Scope
from etl.transform import prices
from etl.vocab import CLAIMS, COMPARED_ROLES, MIN_N, claim_text, role_label

NAME = "google_jobs_data_roles"
# the denominator of a skill share: all the role's postings, or those carrying a skills list
DENOMINATOR_COLUMN = {"all": "role_postings", "with_skills": "postings_with_skills_list"}


def _in(values: list) -> str:
    return ", ".join("?" for _ in values)


# the monthly aggregates the Skills view sums over a span of years, as prefix sums by year
# (dashboard/cube.py): table -> keys, columns. gj_role_monthly is unique per definition x role x
# month x sample (its schema's `unique`, etl/schema.py), so the sum of `months` (1 per row) is the
# number of months with postings.
CUBES = {
    "roles": (
        "gj_role_monthly",
        ("role", "sample"),
        (
            "months",
            "role_postings",
            "postings_with_skills_list",
            "postings_stating_pay",
            "source_rows",
        ),
    ),
    "skills": ("gj_skill_monthly", ("role", "skill", "category"), ("postings_with_skill",)),
    "claims": ("gj_claim_monthly", ("claim", "role"), ("postings_mentioning",)),
}


def _by_year(f: pd.DataFrame) -> pd.DataFrame:
    return f.assign(posted_year=pd.to_datetime(f["posted_month"]).dt.year, months=1)


def cube_of(state: data.DataState, name: str) -> cube.Cube:
    """The prefix-sum cube of one of CUBES (by the year of each month), built once per file."""
    table, keys, columns = CUBES[name]
    return data.from_frame(
        state, table, ("cube", keys, columns), lambda f: cube.build(_by_year(f), keys, columns)
    )


def _totals(
    state: data.DataState, scope: Scope, name: str, columns: tuple[str, ...]
) -> tuple[cube.Cube, dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(cube, codes, sums per column) of the keys with rows in the scope's definition and years."""
    c = cube_of(state, name)
    d, y0, y1 = scope.definition, scope.year_from, scope.year_to
    codes, lead = c.total(d, y0, y1, columns[0])
    sums = {columns[0]: lead, **{k: c.total(d, y0, y1, k)[1] for k in columns[1:]}}
    return c, codes, sums


@memo.by_content
def role_totals(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """role, sample, role_postings, postings_with_skills_list, postings_stating_pay, source_rows,
    months: the role's postings in the period under the scope's definition, per sample."""
    columns = CUBES["roles"][2]
    c, codes, sums = _totals(state, scope, "roles", columns)
    at = np.flatnonzero((sums["months"] > 0) & c.isin("role", codes["role"], scope.roles_or_all))
    out = {k: c.names(k, codes[k][at]) for k in ("role", "sample")}
    return pd.DataFrame({**out, **{k: sums[k][at] for k in (*columns[1:], "months")}})


def denominators(totals: pd.DataFrame, denominator: str) -> pd.Series:
    """role -> postings behind each share (summed over the samples)."""
    col = DENOMINATOR_COLUMN[denominator]
    sums: dict[str, int] = {}
    for role, v in zip(totals["role"], totals[col].to_numpy("int64"), strict=True):
        sums[role] = sums.get(role, 0) + int(v)
    roles = sorted(sums)
    return pd.Series(
        [sums[r] for r in roles], index=pd.Index(roles, name="role"), name=col, dtype="int64"
    )


@memo.by_content
def skill_shares(
    state: data.DataState, scope: Scope, denominator: str, categories: list[str]
) -> pd.DataFrame:
    """role, skill, category, postings_with_skill, role_postings (the chosen denominator),
    posting_share_pct over the period, from gj_skill_monthly / gj_role_monthly."""
    c, codes, sums = _totals(state, scope, "skills", ("postings_with_skill",))
    n = sums["postings_with_skill"]
    keep = c.isin("role", codes["role"], scope.roles_or_all)
    if categories:
        keep &= c.isin("category", codes["category"], categories)
    # the keys with rows in the period: a published row counts at least one posting (the ETL
    # counts the postings that list the skill per group, etl/transform/gj_postings.py)
    at = np.flatnonzero(keep & (n > 0))
    return share_table(c, codes, at, n, denominators(role_totals(state, scope), denominator))


def _vocabulary(m: pd.DataFrame) -> tuple[frozenset[str], frozenset[str]]:
    skills = m["skill"].dropna()
    return frozenset(skills[skills != ""]), frozenset(m["category"].dropna())


def source_vocabulary(state: data.DataState) -> tuple[frozenset[str], frozenset[str]]:
    """(our skills, our categories) that the source's skills vocabulary can express at all
    (gj_skill_map), read once per published file."""
    return data.from_frame(state, "gj_skill_map", "vocabulary", _vocabulary)


@memo.by_content
def claims(state: data.DataState, scope: Scope, denominator: str) -> pd.DataFrame:
    """claim, role, postings mentioning, role postings (n), share_pct (blank below MIN_N), and
    measurable (the source lists at least one of the claim's skills or categories)."""
    roles = [r for r in scope.roles_or_all if r in COMPARED_ROLES]
    c, codes, sums = _totals(state, scope, "claims", ("postings_mentioning",))
    hits = {
        (str(k), str(r)): int(v)
        for k, r, v in zip(
            c.names("claim", codes["claim"]),
            c.names("role", codes["role"]),
            sums["postings_mentioning"],
            strict=True,
        )
    }
    den = denominators(role_totals(state, scope), denominator)
    listed, cats = source_vocabulary(state)
    recs = []
    for key, claimed_for, label, skills in CLAIMS:
        measurable = any(
            (s.split(":", 1)[1] in cats) if s.startswith("category:") else (s in listed)
            for s in skills
        )
        text = claim_text(claimed_for, label)
        for role in roles:
            n = int(den.get(role, 0))
            hit = int(hits.get((key, role), 0))
            recs.append(
                {
                    "claim": text,
                    "role": role_label(role),
                    "postings mentioning": hit,
                    "role postings (n)": n,
                    "share_pct": round(100 * hit / n, 1) if n >= MIN_N and measurable else None,
                    "measurable": measurable,
                }
            )
    columns = ["claim", "role", "postings mentioning", "role postings (n)", "share_pct"]
    return pd.DataFrame(recs, columns=[*columns, "measurable"])


def verdict(shares: dict[str, object], claimed_for: str) -> str:
    """'holds' when the claimed role's share (role -> share) is the higher one, 'does not hold'
    otherwise, 'not measured' when a share is missing."""
    a, b = (shares.get(r) for r in COMPARED_ROLES)
    if a is None or b is None or pd.isna(a) or pd.isna(b):
        return "not measured"
    claimed_is_a = claimed_for == COMPARED_ROLES[0]
    higher = a > b if claimed_is_a else b > a
    return "holds" if higher else "does not hold"


@memo.by_content
def compare_claims(hn: pd.DataFrame, gj: pd.DataFrame) -> pd.DataFrame:
    """One row per claim: each role's share in both sources (HN: the claims panel's table), the
    verdict in each, and whether the sources agree."""
    # (claim, role label) -> row, per source: lookups instead of filtering the frames per claim
    rows = {
        src: {
            (r["claim"], r["role"]): r
            for r in (
                frame[["claim", "role", "share_pct", "role postings (n)"]].to_dict("records")
                if len(frame)
                else []
            )
        }
        for src, frame in (("HN", hn), ("Google Jobs", gj))
    }
    recs = []
    for _, claimed_for, label, _ in CLAIMS:
        text = claim_text(claimed_for, label)
        rec: dict[str, object] = {"claim": text}
        verdicts = []
        for src, found in rows.items():
            shares = {}
            for r in COMPARED_ROLES:
                row = found.get((text, role_label(r)))
                share = None if row is None else row["share_pct"]
                rec[f"{src}: {role_label(r)} %"] = share
                rec[f"{src}: {role_label(r)} n"] = (
                    0 if row is None else int(row["role postings (n)"])
                )
                if row is not None:
                    shares[r] = share
            seen = any(key[0] == text for key in found)
            v = verdict(shares, claimed_for) if seen else "not measured"
            rec[f"{src}: verdict"] = v
            verdicts.append(v)
        measured = [v for v in verdicts if v != "not measured"]
        rec["sources"] = (
            "disagree"
            if len(set(measured)) > 1
            else ("agree" if len(measured) == 2 else "one source only")
        )
        recs.append(rec)
    return pd.DataFrame(recs)


def demand_monthly(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """posted_month, sample, role, role_postings, month_postings, posting_share_pct,
    distinct_companies for the scope's roles, definition and period."""
    roles = scope.roles_or_all
    return data.run_query(
        state,
        "SELECT posted_month, sample, role, role_postings, month_postings, posting_share_pct, "
        "distinct_companies FROM {gj_role_monthly} WHERE definition = ? AND year(posted_month) BETWEEN ? AND ? "
        f"AND role IN ({_in(roles)}) ORDER BY role, posted_month, sample",
        [scope.definition, scope.year_from, scope.year_to, *roles],
        ("gj_role_monthly",),
    )


def pay_yearly(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """The published posted-salary rows for the scope's roles, definition and period."""
    roles = scope.roles_or_all
    return data.run_query(
        state,
        "SELECT * FROM {gj_pay_yearly} WHERE definition = ? AND posted_year BETWEEN ? AND ? "
        f"AND role IN ({_in(roles)}) ORDER BY role, posted_year, sample",
        [scope.definition, scope.year_from, scope.year_to, *roles],
        ("gj_pay_yearly",),
    )


# --- real pay ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealPay:
    """Base-year dollars: the base year (the latest with a complete CPI-U average), the factor of
    each year, and the years whose average is built from fewer months."""

    base_year: int
    factors: pd.Series
    partial: dict[int, int]

    def apply(self, values: pd.Series, years: pd.Series) -> pd.Series:
        return prices.deflate(values, years, self.factors)

    def describe(self) -> str:
        text = (
            f"in {self.base_year} US dollars: each year's amount x CPI-U average of {self.base_year} / "
            "CPI-U average of its year (BLS CUUR0000SA0; the base year is the latest with all 12 months)"
        )
        if self.partial:
            text += "; " + ", ".join(
                f"{y}'s average is of its {m} months published"
                for y, m in sorted(self.partial.items())
            )
        return text


@memo.by_content
def real_pay(state: data.DataState) -> RealPay | None:
    """The CPI-U conversion to base-year dollars, or None when no CPI is published."""
    if not state.has("cpi_annual"):
        return None
    annual = data.run_query(
        state, "SELECT * FROM {cpi_annual} ORDER BY calendar_year", (), ("cpi_annual",)
    )
    base = prices.base_year(annual)
    if base is None:
        return None
    return RealPay(base, prices.factors(annual, base), prices.partial_years(annual))


def survey_values_real(
    state: data.DataState, scope: Scope, extra: dict[str, list], real: RealPay
) -> pd.DataFrame:
    """role, value (base-year USD), n: queries.salary_values with each response in its work year's
    factor; years without a CPI average are left out (n says how many remain)."""
    from dashboard import queries

    w, params = queries.salary_where(scope, extra)
    vals = data.run_query(
        state,
        f'SELECT "role_{scope.definition}" AS role, work_year, salary_usd_annual AS value, sum(n)::BIGINT AS n '
        f"FROM {{salary_counts}}{w} GROUP BY ALL ORDER BY role, work_year, value",
        params,
        ("salary_counts",),
    )
    vals["value"] = real.apply(vals["value"], vals["work_year"])
    vals = vals.dropna(subset=["value"])
    out = vals.groupby(["role", "value"], as_index=False)["n"].sum()
    return out.sort_values(["role", "value"]).reset_index(drop=True)


def deflate_columns(
    frame: pd.DataFrame, year_col: str, cols: list[str], real: RealPay | None
) -> pd.DataFrame:
    """`cols` of `frame` in base-year dollars by the year in `year_col` (unchanged when real is None)."""
    if real is None:
        return frame
    out = frame.copy()
    for c in cols:
        out[c] = real.apply(out[c], out[year_col])
    return out


@memo.by_content
def median_gap(pay: pd.DataFrame) -> pd.DataFrame:
    """Per year and sample where both roles have MIN_N salaries: ML minus DS posted median."""
    rows = []
    for (y, sample), part in pay.groupby(["posted_year", "sample"]):
        by = part.set_index("role")
        if not set(COMPARED_ROLES) <= set(by.index):
            continue
        ml, ds = by.loc[COMPARED_ROLES[0]], by.loc[COMPARED_ROLES[1]]
        ok = min(ml["postings_stating_pay"], ds["postings_stating_pay"]) >= MIN_N
        rows.append(
            {
                "posted_year": int(y),
                "sample": sample,
                "ml_median_usd": ml["pay_mid_median_usd"] if ok else np.nan,
                "ds_median_usd": ds["pay_mid_median_usd"] if ok else np.nan,
                "gap_usd": (ml["pay_mid_median_usd"] - ds["pay_mid_median_usd"]) if ok else np.nan,
                "n_ml": int(ml["postings_stating_pay"]),
                "n_ds": int(ds["postings_stating_pay"]),
            }
        )
    cols = ["posted_year", "sample", "ml_median_usd", "ds_median_usd", "gap_usd", "n_ml", "n_ds"]
    return pd.DataFrame(rows, columns=cols)
