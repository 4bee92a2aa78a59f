"""The common claims about each role ("data scientists use SQL", declared in etl/vocab.py CLAIMS),
checked on the postings: pure functions (no Streamlit) over the published claim counts per role
and year (queries.claim_counts) and the role-year counts (queries.role_year_counts)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard import metrics
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


def _hits(counts: pd.DataFrame) -> dict[tuple[str, str], dict[int, int]]:
    """(claim, role) -> {posted year: postings mentioning the claim's skills}."""
    return metrics.nested_sums(counts, ["claim", "role"], "posted_year", "postings_mentioning")


def _row(key: str, role: str, hit: int, n: int, pct: float) -> dict:
    return {
        **_describe(key),
        "role": role_label(role),
        "postings mentioning": hit,
        "role postings (n)": n,
        "share_pct": round(pct, 1) if n >= metrics.MIN_N else None,
    }


def claims_table(
    counts: pd.DataFrame, denominators: pd.Series, roles: list[str] | None = None
) -> pd.DataFrame:
    """For each claim and role, pooled over the period: postings of the role mentioning any
    counted skill, the role's postings (n) and the share; no share below the minimum n."""
    found = _hits(counts)
    recs = []
    for key, *_ in CLAIMS:
        for role in roles or ("data_scientist", "ml_engineer"):
            n = int(denominators.get(role, 0))
            hit = sum(found.get((key, role), {}).values())
            recs.append(_row(key, role, hit, n, 100 * hit / n if n else 0.0))
    return pd.DataFrame(recs)


def matched_claims(
    counts: pd.DataFrame, rp: pd.DataFrame, years: list[int], roles: list[str]
) -> pd.DataFrame:
    """The claims, era-matched: each role's share per year over `years`, averaged with the
    weights of the two roles' combined postings per year (direct standardisation to one year mix)."""
    wanted = {int(y) for y in years}
    sums = metrics.nested_sums(rp, ["role"], "posted_year", "role_postings")
    per_year = {r: {y: n for y, n in sums.get(r, {}).items() if y in wanted} for r in roles}
    # the years with postings of the roles, each weighted by the roles' combined postings
    seen = sorted({y for per in per_year.values() for y in per})
    table = np.array([[per_year[r].get(y, 0) for r in roles] for y in seen], dtype="float64")
    weights = table.sum(axis=1) / table.sum() if len(seen) else np.zeros(0)
    found = _hits(counts)
    recs = []
    for key, *_ in CLAIMS:
        for i, role in enumerate(roles):
            hits = {y: v for y, v in found.get((key, role), {}).items() if y in wanted}
            n_y = table[:, i] if len(seen) else np.zeros(0)
            hit_y = np.array([hits.get(y, 0) for y in seen], dtype="float64")
            share = np.divide(hit_y, n_y, out=np.zeros(len(seen)), where=n_y > 0)
            pct = 100 * float((share * weights).sum())
            recs.append(_row(key, role, sum(hits.values()), int(n_y.sum()), pct))
    return pd.DataFrame(recs)
