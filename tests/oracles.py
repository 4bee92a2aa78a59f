"""Posting-level reference versions of the Skills and Overview numbers, for tests only.

The dashboard sums the aggregates the ETL publishes per definition x role x year; these functions
compute the same numbers from the published posting-level tables (hn_postings, hn_role_skills)
with plain pandas, the slow obvious way, so a test can hold the two equal.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.data import DataState
from dashboard.scope import Scope
from etl.transform.skills import cooccurrence, weighted_log_odds
from etl.vocab import CLAIMS, COMPARED_ROLES, ROLE_NAME_SKILLS, ROLES


def role_postings(state: DataState, sc: Scope) -> pd.DataFrame:
    """posting_id, role, posted_year of the postings flagged under the definition in the period."""
    p = pd.read_parquet(state.table_file("hn_postings"))
    p["posted_year"] = p["thread_month"].dt.year
    p = p[p["posted_year"].between(sc.year_from, sc.year_to)]
    parts = [
        p.loc[p[f"is_{r}_{sc.hn_definition}"], ["posting_id", "posted_year"]].assign(role=r)
        for r in ROLES
    ]
    return pd.concat(parts, ignore_index=True)[["posting_id", "role", "posted_year"]]


def role_skill_rows(state: DataState, sc: Scope) -> pd.DataFrame:
    """posting_id, role, posted_year, skill, category for role postings in the period: each
    role's skills as attributed inside the ad (hn_role_skills)."""
    rs = pd.read_parquet(state.table_file("hn_role_skills"))
    cats = pd.read_parquet(state.table_file("posting_skills"))[["skill", "category"]]
    rs = rs.merge(cats.drop_duplicates("skill"), on="skill")
    return role_postings(state, sc).merge(
        rs[["posting_id", "role", "skill", "category"]], on=["posting_id", "role"]
    )


def denominators(rp: pd.DataFrame) -> pd.Series:
    return rp.groupby("role")["posting_id"].nunique().reindex(list(ROLES), fill_value=0)


def _comparable(rows: pd.DataFrame, categories: list[str] | None) -> pd.DataFrame:
    r = rows[~rows["skill"].isin(ROLE_NAME_SKILLS)]
    return r[r["category"].isin(categories)] if categories else r


def skill_shares(rows: pd.DataFrame, den: pd.Series, categories: list[str] | None) -> pd.DataFrame:
    r = _comparable(rows, categories)
    out = r.groupby(["role", "skill", "category"], as_index=False)["posting_id"].nunique()
    out = out.rename(columns={"posting_id": "postings_with_skill"})
    out["role_postings"] = out["role"].map(den).astype("int64")
    out["posting_share_pct"] = 100 * out["postings_with_skill"] / out["role_postings"]
    return out.sort_values(
        ["role", "posting_share_pct", "skill"], ascending=[True, False, True]
    ).reset_index(drop=True)


def single_role(rp: pd.DataFrame) -> pd.DataFrame:
    """The postings of the compared pair flagged as one of the two roles only."""
    two = rp[rp["role"].isin(COMPARED_ROLES)]
    per = two.groupby("posting_id")["role"].nunique()
    return two[~two["posting_id"].isin(per.index[per > 1])]


def distinctive(
    rows: pd.DataFrame, rp: pd.DataFrame, categories: list[str] | None = None
) -> pd.DataFrame:
    """Weighted log-odds (ML engineer = a, data scientist = b), postings of both roles left out."""
    a, b = COMPARED_ROLES
    single = single_role(rp)
    r = _comparable(rows, categories)
    r = r[r["posting_id"].isin(single["posting_id"])]
    n_a = int(single.loc[single["role"] == a, "posting_id"].nunique())
    n_b = int(single.loc[single["role"] == b, "posting_id"].nunique())
    ca = r[r["role"] == a].groupby("skill")["posting_id"].nunique()
    cb = r[r["role"] == b].groupby("skill")["posting_id"].nunique()
    lo = weighted_log_odds(ca, n_a, cb, n_b).reset_index()
    return lo.rename(columns={lo.columns[0]: "skill"})


def claim_hits(rows: pd.DataFrame) -> pd.DataFrame:
    """claim, role, posted_year, postings_mentioning from the posting-skill rows."""
    recs = []
    for key, _role, _label, counted in CLAIMS:
        cats = [x.split(":", 1)[1] for x in counted if x.startswith("category:")]
        names = [x for x in counted if not x.startswith("category:")]
        hit = rows[rows["skill"].isin(names) | rows["category"].isin(cats)]
        n = hit.groupby(["role", "posted_year"])["posting_id"].nunique()
        for (role, year), v in n.items():
            recs.append(
                {"claim": key, "role": role, "posted_year": year, "postings_mentioning": int(v)}
            )
    return pd.DataFrame(recs, columns=["claim", "role", "posted_year", "postings_mentioning"])


def skill_trend_hits(rows: pd.DataFrame, skills: list[str], roles: list[str]) -> pd.DataFrame:
    r = rows[rows["skill"].isin(skills) & rows["role"].isin(roles)]
    return (
        r.groupby(["posted_year", "role", "skill"])["posting_id"]
        .nunique()
        .rename("postings_with_skill")
        .reset_index()
    )


def role_cooccurrence(
    rows: pd.DataFrame, rp: pd.DataFrame, role: str, min_count: int, top: int
) -> pd.DataFrame:
    ids = rp.loc[rp["role"] == role, "posting_id"].unique()
    return cooccurrence(
        rows[rows["role"] == role][["posting_id", "skill"]].drop_duplicates(),
        ids,
        min_count=min_count,
        top=top,
    )


def cosine_by_year(rows: pd.DataFrame, rp: pd.DataFrame) -> dict[int, float]:
    """The convergence measure's point estimate per year, the obvious way."""
    a, b = COMPARED_ROLES
    single = single_role(rp)
    r = rows[~rows["skill"].isin(ROLE_NAME_SKILLS) & rows["posting_id"].isin(single["posting_id"])]
    out = {}
    for year, part in single.groupby("posted_year"):
        n = part.groupby("role")["posting_id"].nunique()
        ry = r[r["posted_year"] == year]
        va = ry[ry["role"] == a].groupby("skill")["posting_id"].nunique() / n.get(a, np.nan)
        vb = ry[ry["role"] == b].groupby("skill")["posting_id"].nunique() / n.get(b, np.nan)
        va, vb = va.align(vb, fill_value=0.0)
        out[int(year)] = float((va * vb).sum() / np.sqrt((va**2).sum() * (vb**2).sum()))
    return out
