"""What every source module provides, and the context its fetch receives.

A source module defines NAME, ORIGIN, TABLES, fetch(ctx) -> Snapshot and build(snapshot) -> tables.
"""

from __future__ import annotations

import io
import logging
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

import pandas as pd

from etl.config import Settings
from etl.http import HttpClient
from etl.snapshot import Snapshot, SnapshotStore


@dataclass(frozen=True)
class Origin:
    name: str
    title: str
    producer: str
    urls: tuple[str, ...]
    license: str
    license_url: str
    citation: str
    cadence_days: float
    homepage: str = ""
    notes: str = ""
    # how far behind today the newest data may be before the dashboard warns (None: no check)
    max_lag_days: float | None = None
    # (table, column, unit) whose latest value says how recent the data is; unit: year, year_may, month, day
    data_through: tuple[str, str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["urls"] = list(self.urls)
        d["data_through"] = list(self.data_through) if self.data_through else None
        return d


@dataclass
class FetchContext:
    settings: Settings
    client: HttpClient
    store: SnapshotStore
    previous: Snapshot | None
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("etl.fetch"))
    progress: Any = None  # callable(done, total, label) or None


class SourceModule(Protocol):
    NAME: str
    ORIGIN: Origin
    TABLES: tuple[str, ...]

    def fetch(self, ctx: FetchContext) -> Snapshot: ...

    def build(self, snapshot: Snapshot) -> dict[str, pd.DataFrame]: ...


def data_through(origin: Origin, tables: dict[str, pd.DataFrame]) -> str | None:
    """Last day covered by the newest data (ISO date), from the origin's declared column."""
    if origin.data_through is None or origin.data_through[0] not in tables:
        return None
    table, column, unit = origin.data_through
    latest = tables[table][column].max()
    if pd.isna(latest):
        return None
    if unit == "year":
        return f"{int(latest)}-12-31"
    if unit == "year_may":  # OEWS estimates refer to May of their year
        return f"{int(latest)}-05-31"
    ts = pd.Timestamp(latest)
    if unit == "month":
        ts = ts + pd.offsets.MonthEnd(0)
    return ts.strftime("%Y-%m-%d")


class ParseError(ValueError):
    """Frozen bytes do not have the expected shape (renamed columns, wrong sheet, ...)."""


def read_csv_bytes(raw: bytes, label: str, columns: tuple[str, ...], **kwargs: Any) -> pd.DataFrame:
    """A UTF-8 CSV file as a frame with at least `columns`; ParseError naming `label` and the cause."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(f"{label} is not UTF-8 text (byte {exc.start}): {exc.reason}") from exc
    try:
        df = pd.read_csv(io.StringIO(text), **kwargs)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ParseError(f"{label} is not a readable CSV: {exc}") from exc
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ParseError(
            f"{label}: expected columns missing: {', '.join(missing)} (found: {', '.join(map(str, df.columns))})"
        )
    return df
