"""Job title -> role under the strict and broad definitions, from etl/mappings/job_titles.csv.

Reads the mapping file and a Series of titles; writes role columns. Titles not in the file are `other`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.schema import ROLES

MAPPING_FILE = Path(__file__).resolve().parents[1] / "mappings" / "job_titles.csv"


def load_title_map(path: Path | None = None) -> pd.DataFrame:
    df = pd.read_csv(path or MAPPING_FILE, dtype="string", keep_default_na=False)
    expected = {"job_title", "role_strict", "role_broad", "reason"}
    if set(df.columns) != expected:
        raise ValueError(
            f"{path or MAPPING_FILE}: columns must be {sorted(expected)}, got {list(df.columns)}"
        )
    key = df["job_title"].str.strip().str.casefold()
    if key.duplicated().any():
        raise ValueError(
            f"duplicate job titles in mapping: {sorted(df.loc[key.duplicated(), 'job_title'])}"
        )
    for col in ("role_strict", "role_broad"):
        bad = df.loc[~df[col].isin(ROLES), col]
        if len(bad):
            raise ValueError(f"{col} has unknown roles {sorted(set(bad))}; allowed: {ROLES}")
    if (df["reason"].str.strip() == "").any():
        raise ValueError("every mapping row needs a reason")
    strict_not_broad = df[(df.role_strict != "other") & (df.role_strict != df.role_broad)]
    if len(strict_not_broad):
        raise ValueError(
            f"strict roles must also hold under broad: {list(strict_not_broad.job_title)}"
        )
    return df


def assign_roles(titles: pd.Series, mapping: pd.DataFrame | None = None) -> pd.DataFrame:
    """Columns role_strict and role_broad for each title (case and surrounding space ignored)."""
    m = mapping if mapping is not None else load_title_map()
    key = m["job_title"].str.strip().str.casefold()
    strict = dict(zip(key, m["role_strict"], strict=True))
    broad = dict(zip(key, m["role_broad"], strict=True))
    k = titles.astype("string").str.strip().str.casefold()
    return pd.DataFrame(
        {
            "role_strict": k.map(strict).fillna("other").astype("string"),
            "role_broad": k.map(broad).fillna("other").astype("string"),
        },
        index=titles.index,
    )


def unmapped_titles(titles: pd.Series, roles: pd.DataFrame) -> pd.DataFrame:
    """Titles that fall in `other` under the broad definition, with their counts (most common first)."""
    other = titles[roles["role_broad"] == "other"]
    out = other.value_counts().rename_axis("job_title").reset_index(name="responses")
    return out
