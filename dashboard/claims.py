"""The common claims about each role ("data scientists use SQL"), checked on the postings: pure
functions (no Streamlit) over role-skill rows and role-year counts."""

from __future__ import annotations

import pandas as pd

from dashboard import metrics
from etl.vocab import role_label

CLAIMS = [
    ("data_scientist", "SQL", ("SQL",)),
    ("data_scientist", "Excel", ("Excel",)),
    ("data_scientist", "Linear regression", ("Linear regression",)),
    ("data_scientist", "scikit-learn", ("scikit-learn",)),
    ("data_scientist", "XGBoost", ("XGBoost",)),
    ("ml_engineer", "Deep neural networks", ("Deep learning", "Neural networks")),
    ("ml_engineer", "the cloud", ("category:cloud",)),
    ("ml_engineer", "MLOps", ("MLOps",)),
]


def claims_table(
    rows: pd.DataFrame, denominators: pd.Series, roles: list[str] | None = None
) -> pd.DataFrame:
    """For each claim and role: postings of the role mentioning any counted skill, the role's
    postings (n) and the share; no share below the minimum n."""
    recs = []
    for claimed_for, label, skills in CLAIMS:
        cats = [x.split(":", 1)[1] for x in skills if x.startswith("category:")]
        names = [x for x in skills if not x.startswith("category:")]
        match = rows["skill"].isin(names) | rows["category"].isin(cats)
        for role in roles or ("data_scientist", "ml_engineer"):
            n = int(denominators.get(role, 0))
            hit = rows[(rows["role"] == role) & match]["posting_id"].nunique()
            recs.append(
                {
                    "claim": f"{role_label(claimed_for)}s use {label}",
                    "skills counted": ", ".join(names + [f"any {c} skill" for c in cats]),
                    "role": role_label(role),
                    "postings mentioning": int(hit),
                    "role postings (n)": n,
                    "share_pct": round(100 * hit / n, 1) if n >= metrics.MIN_N else None,
                }
            )
    return pd.DataFrame(recs)


def matched_claims(
    rows: pd.DataFrame, rp: pd.DataFrame, years: list[int], roles: list[str]
) -> pd.DataFrame:
    """The claims, era-matched: each role's share per year over `years`, averaged with the
    weights of the two roles' combined postings per year (direct standardisation to one year mix)."""
    rp = rp[rp["posted_year"].isin(years)]
    per_year = rp.pivot_table(
        index="posted_year", columns="role", values="role_postings", aggfunc="sum"
    )
    per_year = per_year.reindex(columns=roles, fill_value=0).fillna(0)
    weights = per_year.sum(axis=1) / per_year.to_numpy().sum()
    recs = []
    for claimed_for, label, skills in CLAIMS:
        cats = [x.split(":", 1)[1] for x in skills if x.startswith("category:")]
        names = [x for x in skills if not x.startswith("category:")]
        match = rows["posted_year"].isin(years) & (
            rows["skill"].isin(names) | rows["category"].isin(cats)
        )
        for role in roles:
            hits = (
                rows[match & (rows["role"] == role)].groupby("posted_year")["posting_id"].nunique()
            )
            n_y = per_year[role]
            share = (hits.reindex(n_y.index, fill_value=0) / n_y.where(n_y > 0)).fillna(0)
            n = int(n_y.sum())
            recs.append(
                {
                    "claim": f"{role_label(claimed_for)}s use {label}",
                    "skills counted": ", ".join(names + [f"any {c} skill" for c in cats]),
                    "role": role_label(role),
                    "postings mentioning": int(hits.sum()),
                    "role postings (n)": n,
                    "share_pct": round(100 * float((share * weights).sum()), 1)
                    if n >= metrics.MIN_N
                    else None,
                }
            )
    return pd.DataFrame(recs)
