"""The common claims about each role ("data scientists use SQL", declared in etl/vocab.py CLAIMS),
checked on the postings: pure functions (no Streamlit) over the published claim counts per role
and year (queries.claim_counts) and the role-year counts (queries.role_year_counts)."""

from __future__ import annotations

import pandas as pd

from dashboard import memo, metrics
from etl.vocab import CLAIMS, role_label

CLAIMS_BY_KEY = {key: (role, label, counted) for key, role, label, counted in CLAIMS}


def _describe(key: str) -> dict[str, str]:
    claimed_for, label, counted = CLAIMS_BY_KEY[key]
    cats = [x.split(":", 1)[1] for x in counted if x.startswith("category:")]
    names = [x for x in counted if not x.startswith("category:")]
    return {
        "claim": f"{role_label(claimed_for)}s use {label}",
        "skills counted": ", ".join(names + [f"any {c} skill" for c in cats]),
    }


def _hits(counts: pd.DataFrame) -> dict[tuple[str, str], pd.Series]:
    """(claim, role) -> postings mentioning the claim's skills per posted year."""
    by = counts.groupby(["claim", "role", "posted_year"], sort=True)["postings_mentioning"].sum()
    out: dict[tuple[str, str], pd.Series] = {}
    for (claim, role), part in by.groupby(level=["claim", "role"], sort=False):
        out[(str(claim), str(role))] = part.droplevel(["claim", "role"])
    return out


_NONE = pd.Series([], dtype="int64", index=pd.Index([], dtype="int64", name="posted_year"))


def claims_table(
    counts: pd.DataFrame, denominators: pd.Series, roles: list[str] | None = None
) -> pd.DataFrame:
    """For each claim and role, pooled over the period: postings of the role mentioning any
    counted skill, the role's postings (n) and the share; no share below the minimum n."""
    recs = []
    found = _hits(counts)
    for key, *_ in CLAIMS:
        for role in roles or ("data_scientist", "ml_engineer"):
            n = int(denominators.get(role, 0))
            hit = int(found.get((key, role), _NONE).sum())
            recs.append(
                {
                    **_describe(key),
                    "role": role_label(role),
                    "postings mentioning": hit,
                    "role postings (n)": n,
                    "share_pct": round(100 * hit / n, 1) if n >= metrics.MIN_N else None,
                }
            )
    return pd.DataFrame(recs)


@memo.by_content
def matched_claims(
    counts: pd.DataFrame, rp: pd.DataFrame, years: list[int], roles: list[str]
) -> pd.DataFrame:
    """The claims, era-matched: each role's share per year over `years`, averaged with the
    weights of the two roles' combined postings per year (direct standardisation to one year mix)."""
    rp = rp[rp["posted_year"].isin(years)]
    per_year = rp.pivot_table(
        index="posted_year", columns="role", values="role_postings", aggfunc="sum"
    )
    per_year = per_year.reindex(columns=roles, fill_value=0).fillna(0)
    weights = per_year.sum(axis=1) / per_year.to_numpy().sum()
    found = _hits(counts[counts["posted_year"].isin(years)])
    recs = []
    for key, *_ in CLAIMS:
        for role in roles:
            hits = found.get((key, role), _NONE)
            n_y = per_year[role]
            share = (hits.reindex(n_y.index, fill_value=0) / n_y.where(n_y > 0)).fillna(0)
            n = int(n_y.sum())
            recs.append(
                {
                    **_describe(key),
                    "role": role_label(role),
                    "postings mentioning": int(hits.sum()),
                    "role postings (n)": n,
                    "share_pct": round(100 * float((share * weights).sum()), 1)
                    if n >= metrics.MIN_N
                    else None,
                }
            )
    return pd.DataFrame(recs)
