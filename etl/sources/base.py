"""What every source module provides, and the context its fetch receives.

A source module defines NAME, ORIGIN, TABLES, fetch(ctx) -> Snapshot and build(snapshot) -> tables.
"""

from __future__ import annotations

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

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["urls"] = list(self.urls)
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


class ParseError(ValueError):
    """Frozen bytes do not have the expected shape (renamed columns, wrong sheet, ...)."""
