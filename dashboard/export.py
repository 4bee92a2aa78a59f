"""Export bytes (no Streamlit): CSV of exactly the rows a view shows, with cells that a spreadsheet
would run as formulas escaped, and the metadata JSON that travels with it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pandas as pd

from etl.config import VERSION

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# spreadsheets also read full-width forms, and ignore spaces and newlines before a formula
FULLWIDTH = ("\uff1d", "\uff0b", "\uff0d", "\uff20")


def escape_cell(value: object) -> object:
    """Prefix a quote to text that a spreadsheet would treat as a formula (OWASP CSV injection).
    Numbers are left alone: -5 stays a number."""
    if isinstance(value, str) and (
        value.startswith(FORMULA_PREFIXES)
        or value.lstrip(" \n\r\t").startswith(FORMULA_PREFIXES + FULLWIDTH)
    ):
        return "'" + value
    return value


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(escape_cell, na_action="ignore")
    out.columns = [escape_cell(str(c)) for c in out.columns]
    return out.to_csv(index=False).encode("utf-8")


def metadata(
    view: str,
    filters: dict[str, Any],
    n_rows: int,
    sources: list[dict[str, Any]],
    notes: list[str] | None = None,
    counts: dict[str, int] | None = None,
) -> dict[str, Any]:
    return {
        "view": view,
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "app_version": VERSION,
        "filters": filters,
        "rows": n_rows,
        "n": counts or {},
        "sources": [
            {
                k: s.get(k)
                for k in (
                    "source",
                    "title",
                    "producer",
                    "license",
                    "license_url",
                    "citation",
                    "urls",
                    "snapshot_id",
                    "snapshot_date",
                    "published_at",
                )
            }
            for s in sources
        ],
        "notes": notes or [],
    }


def metadata_bytes(meta: dict[str, Any]) -> bytes:
    return json.dumps(meta, indent=2, default=str).encode("utf-8")
