"""The explicit registry of sources (no import magic): name -> module."""

from __future__ import annotations

from etl.sources import (
    aijobs_salaries,
    bls_oews,
    cpi_us,
    google_jobs,
    hn_whoishiring,
    indeed_postings_index,
)
from etl.sources.base import SourceModule

SOURCES: dict[str, SourceModule] = {
    aijobs_salaries.NAME: aijobs_salaries,  # type: ignore[dict-item]
    bls_oews.NAME: bls_oews,  # type: ignore[dict-item]
    indeed_postings_index.NAME: indeed_postings_index,  # type: ignore[dict-item]
    hn_whoishiring.NAME: hn_whoishiring,  # type: ignore[dict-item]
    google_jobs.NAME: google_jobs,  # type: ignore[dict-item]
    cpi_us.NAME: cpi_us,  # type: ignore[dict-item]
}


def get(name: str) -> SourceModule:
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r}; known: {', '.join(SOURCES)}") from None
