"""Monthly demand for each role from the Hacker News "Who is hiring?" threads.

Reads the per-posting role flags (`flag_roles`) and the threads table (with the time each thread
was snapshotted); writes one long row per thread_month x definition x role.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.schema import TABLES
from etl.transform.hn_roles import DEFINITIONS, ROLES, flag_column
from etl.vocab import EARLY_SNAPSHOT_DAYS, LAST_POSTING_DAYS, MOVING_AVERAGE_MONTHS

# the published table's columns, in order: declared once, in the field dictionary
DEMAND_COLUMNS: list[str] = list(TABLES["hn_demand_monthly"].columns)


def _check_columns(frame: pd.DataFrame, needed: list[str], name: str) -> None:
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise ValueError(f"{name} lack column(s) {missing}")


def partial_threads(threads: pd.DataFrame) -> pd.Series:
    """A thread is partial when the evidence says it was observed early: its snapshot was taken
    less than EARLY_SNAPSHOT_DAYS after it opened, or its newest posting is less than
    LAST_POSTING_DAYS after it opened.

    NOTE: the second rule catches copies fetched early by someone else and archived copies whose
    postings all carry one reconstructed time (the 1st of the month). A copy fetched mid-month
    whose newest posting is already LAST_POSTING_DAYS old cannot be told apart.
    """
    opened = pd.to_datetime(threads["created_at"], utc=True)
    fetched = pd.to_datetime(threads["snapshot_fetched_at"], utc=True)
    last = pd.to_datetime(threads["last_posting_at"], utc=True)
    early_snapshot = fetched.isna() | (fetched - opened < pd.Timedelta(days=EARLY_SNAPSHOT_DAYS))
    early_last_posting = last - opened < pd.Timedelta(days=LAST_POSTING_DAYS)
    return (early_snapshot | early_last_posting).astype(bool)


def monthly_demand(postings_flags: pd.DataFrame, threads: pd.DataFrame) -> pd.DataFrame:
    """Count each role's postings per month and definition, as a share of the month's postings.

    `postings_flags`: one row per posting with thread_month, posting_id, author and the
    `is_<role>_<definition>` columns of `flag_roles`. `threads`: one row per thread with
    thread_month, thread_id, created_at (UTC) and snapshot_fetched_at (UTC, when the thread's
    item file was fetched).

    Returns one row per thread_month x definition (header, anywhere) x role (data_scientist,
    ml_engineer, ai_engineer) with: postings (role postings), month_postings (all postings of
    the month's thread), posting_share_pct (100 * postings / month_postings),
    share_ma3_pct (trailing mean of the share over the last 3 months present, per role and
    definition), distinct_authors (distinct non-empty authors among the role postings),
    ml_per_ds_ratio (ml_engineer / data_scientist postings for that month and definition, the
    same on the month's three role rows; NaN when there is no data-scientist posting) and
    is_partial (the thread was snapshotted less than 30 days after it opened).
    """
    flag_columns = [flag_column(r, d) for d in DEFINITIONS for r in ROLES]
    _check_columns(
        postings_flags, ["thread_month", "posting_id", "author", *flag_columns], "postings_flags"
    )
    _check_columns(
        threads, ["thread_month", "thread_id", "created_at", "snapshot_fetched_at"], "threads"
    )
    if threads["thread_month"].duplicated().any():
        months = threads.loc[threads["thread_month"].duplicated(), "thread_month"].tolist()
        raise ValueError(f"threads has several rows for month(s) {months}; expected one each")
    # NOTE: the months, not one Timestamp per posting (building those was ~0.1 s per refresh)
    months_seen = pd.Series(postings_flags["thread_month"].unique())
    unknown = set(months_seen) - set(threads["thread_month"])
    if unknown:
        raise ValueError(f"postings_flags has month(s) with no thread: {sorted(unknown)}")

    keep = ["thread_month", "thread_id", "created_at", "snapshot_fetched_at"]
    months = threads[keep + (["is_partial"] if "is_partial" in threads.columns else [])].copy()
    months = months.sort_values("thread_month").reset_index(drop=True)
    opened = pd.to_datetime(months["created_at"], utc=True)
    fetched = pd.to_datetime(months["snapshot_fetched_at"], utc=True)
    # NOTE: a thread keeps collecting postings for weeks; one fetched before it was 30 days old
    # is incomplete. A missing fetch time cannot prove completeness, so it counts as partial.
    if "is_partial" in months.columns:
        months["is_partial"] = months["is_partial"].astype(bool)
    else:
        months["is_partial"] = (fetched.isna() | (fetched - opened < pd.Timedelta(days=30))).astype(
            bool
        )
    per_month = postings_flags.groupby("thread_month").size().rename("month_postings")
    months = months.join(per_month, on="thread_month")
    months["month_postings"] = months["month_postings"].fillna(0).astype("int64")

    authors = postings_flags["author"].fillna("").astype(str)
    pieces = []
    for definition in DEFINITIONS:
        for role in ROLES:
            is_role = postings_flags[flag_column(role, definition)].fillna(False).astype(bool)
            of_role = postings_flags.loc[is_role, ["thread_month"]].assign(
                author=authors[is_role].replace("", np.nan)
            )
            counts = of_role.groupby("thread_month").agg(
                postings=("thread_month", "size"), distinct_authors=("author", "nunique")
            )
            piece = months[["thread_month", "thread_id", "month_postings", "is_partial"]].join(
                counts, on="thread_month"
            )
            piece[["postings", "distinct_authors"]] = (
                piece[["postings", "distinct_authors"]].fillna(0).astype("int64")
            )
            piece.insert(2, "definition", definition)
            piece.insert(3, "role", role)
            total = piece["month_postings"].where(piece["month_postings"] > 0)
            piece["posting_share_pct"] = 100.0 * piece["postings"] / total
            # NOTE: the window is the MOVING_AVERAGE_MONTHS CALENDAR months ending at the month,
            # averaging the months present in it: a month missing from the archive (the published
            # coverage lists them) is not interpolated, and a window never reaches across a gap
            # into months years away. NaN shares (months with no posting) are skipped.
            share = piece.set_index("thread_month")["posting_share_pct"]
            calendar = pd.date_range(share.index.min(), share.index.max(), freq="MS")
            moving = share.reindex(calendar).rolling(MOVING_AVERAGE_MONTHS, min_periods=1).mean()
            piece["share_ma3_pct"] = moving.reindex(share.index).to_numpy()
            pieces.append(piece)
    demand = pd.concat(pieces, ignore_index=True)

    counts = demand.pivot_table(
        index=["thread_month", "definition"], columns="role", values="postings", aggfunc="sum"
    )
    ds = counts["data_scientist"].where(counts["data_scientist"] > 0)
    ratio = (counts["ml_engineer"] / ds).rename("ml_per_ds_ratio")
    demand = demand.join(ratio, on=["thread_month", "definition"])

    demand = demand.astype(
        {
            "thread_month": "datetime64[ns]",
            "thread_id": "int64",
            "definition": "str",
            "role": "str",
            "posting_share_pct": "float64",
            "share_ma3_pct": "float64",
            "ml_per_ds_ratio": "float64",
            "is_partial": "bool",
        }
    )
    order = {"definition": list(DEFINITIONS), "role": list(ROLES)}
    demand = demand.sort_values(
        ["definition", "role", "thread_month"],
        key=lambda s: s.map({v: i for i, v in enumerate(order[s.name])}) if s.name in order else s,
    )
    return demand[DEMAND_COLUMNS].reset_index(drop=True)
