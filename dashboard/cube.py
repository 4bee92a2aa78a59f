"""Sums over a range of years of a published per-year aggregate, by prefix sums.

The Skills and Overview views sum the ETL's per definition x role x year aggregates over the
selected years. A `Cube` holds one such table as dense arrays per definition (one row per key,
e.g. role x skill, one column per year) with their cumulative sums along the years, so the sum
over any span of years is one subtraction per key: a filter change costs a few array operations
instead of filtering, grouping and summing the table's rows again. Built once per published file
(`data.from_frame`); read only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class _Part:
    keys: pd.DataFrame  # one row per key, sorted by the key columns
    cumulative: dict[str, np.ndarray]  # column -> (keys, years + 1): sums up to each year
    first: dict[str, slice]  # rows of each value of the first key column (contiguous)


@dataclass(frozen=True)
class Cube:
    years: np.ndarray  # the table's years, ascending
    parts: dict[str, _Part]  # per definition

    def _span(self, year_from: int, year_to: int) -> tuple[int, int]:
        lo = int(np.searchsorted(self.years, year_from, side="left"))
        hi = int(np.searchsorted(self.years, year_to, side="right"))
        return lo, max(hi, lo)

    def _rows(self, definition: str, first: str | None) -> tuple[_Part | None, slice]:
        part = self.parts.get(definition)
        if part is None:
            return None, slice(0, 0)
        if first is None:
            return part, slice(0, len(part.keys))
        return part, part.first.get(first, slice(0, 0))

    def sums(
        self,
        definition: str,
        year_from: int,
        year_to: int,
        columns: tuple[str, ...],
        first: str | None = None,
        at_least: int = 1,
    ) -> pd.DataFrame:
        """The key columns and each of `columns` summed over the years year_from..year_to, for
        the keys whose sum of the first of `columns` is at least `at_least` (by default the keys
        whose rows appear in the span); `first`: only the keys whose first key column has this
        value. Key columns are text ("str"), sums int64."""
        part, rows = self._rows(definition, first)
        if part is None:
            return pd.DataFrame(columns=[*self._key_names(), *columns])
        lo, hi = self._span(year_from, year_to)
        sums = {c: part.cumulative[c][rows, hi] - part.cumulative[c][rows, lo] for c in columns}
        keep = np.flatnonzero(sums[columns[0]] >= at_least)
        out = part.keys.take(keep + rows.start).reset_index(drop=True)
        for c, s in sums.items():
            out[c] = s[keep]
        return out

    def per_year(
        self, definition: str, year_from: int, year_to: int, column: str, first: str | None = None
    ) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
        """(keys, years, values): the keys (rows as in `sums`, all of them), the table's years
        within year_from..year_to and `column` per key x year (zero where the table has no row)."""
        part, rows = self._rows(definition, first)
        lo, hi = self._span(year_from, year_to)
        if part is None:
            return pd.DataFrame(columns=self._key_names()), self.years[lo:hi], np.zeros((0, 0))
        values = np.diff(part.cumulative[column][rows, lo : hi + 1], axis=1)
        return part.keys.iloc[rows].reset_index(drop=True), self.years[lo:hi], values

    def _key_names(self) -> list[str]:
        for part in self.parts.values():
            return list(part.keys.columns)
        return []


def build(frame: pd.DataFrame, keys: tuple[str, ...], columns: tuple[str, ...]) -> Cube:
    """A Cube of `frame` (definition, posted_year, the `keys` and `columns`; one row per
    definition x year x key, as the ETL publishes them; missing counts count as zero)."""
    years = np.sort(frame["posted_year"].unique()).astype("int64")
    parts = {}
    for definition, rows in frame.groupby("definition", sort=True):
        uniq = rows[list(keys)].drop_duplicates().sort_values(list(keys)).reset_index(drop=True)
        uniq = uniq.astype(dict.fromkeys(keys, "str"))  # once here, not on every sum
        index = pd.MultiIndex.from_frame(uniq)
        code = index.get_indexer(pd.MultiIndex.from_frame(rows[list(keys)].astype(uniq.dtypes)))
        year = np.searchsorted(years, rows["posted_year"].to_numpy())
        cumulative = {}
        for c in columns:
            dense = np.zeros((len(uniq), len(years)), dtype="int64")
            np.add.at(dense, (code, year), rows[c].fillna(0).to_numpy("int64"))
            cumulative[c] = np.concatenate(
                [np.zeros((len(uniq), 1), dtype="int64"), dense.cumsum(axis=1)], axis=1
            )
        lead = uniq[keys[0]].to_numpy()
        starts = np.flatnonzero(np.r_[True, lead[1:] != lead[:-1]]) if len(lead) else []
        ends = [*starts[1:], len(lead)]
        first = {str(lead[s]): slice(int(s), int(e)) for s, e in zip(starts, ends, strict=True)}
        parts[str(definition)] = _Part(uniq, cumulative, first)
    return Cube(years, parts)
