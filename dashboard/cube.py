"""Sums over a range of years of a published per-year aggregate, by prefix sums.

The Skills and Overview views sum the ETL's per definition x role x year aggregates over the
selected years. A `Cube` holds one such table as dense arrays per definition (one row per key,
e.g. role x skill, one column per year) with their cumulative sums along the years, so the sum
over any span of years is one subtraction per key: a filter change costs a few array operations
instead of filtering, grouping and summing the table's rows again. Key columns are held as integer
codes into a sorted vocabulary per column, so the callers can compute in arrays and turn only the
few rows they show back into text. Built once per published file (`data.from_frame`) and shared:
its arrays are read-only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


def encode(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(vocab, codes): the distinct values of `values` sorted, and each value's position in them
    (the integer coding of a key column, shared by the cubes and queries.SalaryArrays)."""
    vocab, codes = np.unique(values, return_inverse=True)
    return vocab, codes.ravel().astype("int64")


def isin(vocab: np.ndarray, codes: np.ndarray, values: list) -> np.ndarray:
    """Which of `codes` (into `vocab`) stand for one of `values` (taken in the vocab's type):
    one test per distinct value, then a lookup per row."""
    return np.isin(vocab, np.asarray(list(values), dtype=vocab.dtype))[codes]


@dataclass(frozen=True)
class Part:
    """One definition's keys (sorted by their codes, i.e. by name) and their prefix sums."""

    codes: dict[str, np.ndarray]  # key column -> code per key (into Cube.vocab), keys sorted
    cumulative: dict[str, np.ndarray]  # column -> (keys, years + 1): sums up to each year
    first: dict[str, slice]  # keys of each value of the first key column (contiguous)


@dataclass(frozen=True)
class Cube:
    years: np.ndarray  # the table's years, ascending
    keys: tuple[str, ...]
    vocab: dict[str, np.ndarray]  # key column -> its distinct values, sorted (object array)
    parts: dict[str, Part]  # per definition

    def span(self, year_from: int, year_to: int) -> tuple[int, int]:
        """The positions lo..hi (exclusive) of the table's years within year_from..year_to."""
        lo = int(np.searchsorted(self.years, year_from, side="left"))
        hi = int(np.searchsorted(self.years, year_to, side="right"))
        return lo, max(hi, lo)

    def rows(self, definition: str, first: str | None = None) -> tuple[Part | None, slice]:
        """The definition's part and its keys whose first key column is `first` (all: None)."""
        part = self.parts.get(definition)
        if part is None:
            return None, slice(0, 0)
        if first is None:
            return part, slice(0, len(part.codes[self.keys[0]]))
        return part, part.first.get(first, slice(0, 0))

    def total(
        self, definition: str, year_from: int, year_to: int, column: str, first: str | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """(codes per key column, `column` summed over year_from..year_to) for the keys of `rows`
        (every key, zero sums included)."""
        part, rows = self.rows(definition, first)
        if part is None:
            return {k: np.zeros(0, dtype="int64") for k in self.keys}, np.zeros(0, dtype="int64")
        lo, hi = self.span(year_from, year_to)
        cum = part.cumulative[column]
        return {k: v[rows] for k, v in part.codes.items()}, cum[rows, hi] - cum[rows, lo]

    def per_year(
        self, definition: str, year_from: int, year_to: int, column: str, first: str | None = None
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """(codes per key column, years, values): the keys of `rows`, the table's years within
        year_from..year_to and `column` per key x year (zero where the table has no row)."""
        part, rows = self.rows(definition, first)
        lo, hi = self.span(year_from, year_to)
        if part is None:
            codes = {k: np.zeros(0, dtype="int64") for k in self.keys}
            return codes, self.years[lo:hi], np.zeros((0, hi - lo), dtype="int64")
        values = np.diff(part.cumulative[column][rows, lo : hi + 1], axis=1)
        return {k: v[rows] for k, v in part.codes.items()}, self.years[lo:hi], values

    def names(self, column: str, codes: np.ndarray) -> np.ndarray:
        """The text of `codes` of a key column (object array)."""
        return self.vocab[column][codes]

    def code(self, column: str, value: str) -> int:
        """The code of `value` in a key column, -1 when the table has no such value."""
        v = self.vocab[column]
        i = int(np.searchsorted(v, value))
        return i if i < len(v) and v[i] == value else -1

    def isin(self, column: str, codes: np.ndarray, values: list[str]) -> np.ndarray:
        """Which of `codes` (of a key column) stand for one of `values`."""
        return isin(self.vocab[column], codes, values)


def build(frame: pd.DataFrame, keys: tuple[str, ...], columns: tuple[str, ...]) -> Cube:
    """A Cube of `frame` (definition, posted_year, the `keys` and `columns`; one row per
    definition x year x key, as the ETL publishes them; missing counts count as zero)."""
    years = np.sort(frame["posted_year"].unique()).astype("int64")
    vocab, codes_all = {}, {}
    for k in keys:
        vocab[k], codes_all[k] = encode(frame[k].astype(str).to_numpy(dtype=object))
    definition_codes, definitions = pd.factorize(frame["definition"].astype(str), sort=True)
    year_all = np.searchsorted(years, frame["posted_year"].to_numpy())
    parts = {}
    for d_code, definition in enumerate(definitions):
        at = np.flatnonzero(definition_codes == d_code)
        row_codes = np.stack([codes_all[k][at] for k in keys], axis=1)
        uniq, key_of_row = np.unique(row_codes, axis=0, return_inverse=True)  # sorted by codes
        key_of_row = key_of_row.ravel()
        cumulative = {}
        for c in columns:
            dense = np.zeros((len(uniq), len(years)), dtype="int64")
            values = frame[c].to_numpy(dtype="float64", na_value=0.0)[at].astype("int64")
            np.add.at(dense, (key_of_row, year_all[at]), values)
            cumulative[c] = np.concatenate(
                [np.zeros((len(uniq), 1), dtype="int64"), dense.cumsum(axis=1)], axis=1
            )
        lead = uniq[:, 0]
        starts = np.flatnonzero(np.r_[True, lead[1:] != lead[:-1]]) if len(lead) else []
        ends = [*starts[1:], len(lead)]
        first = {
            str(vocab[keys[0]][lead[s]]): slice(int(s), int(e))
            for s, e in zip(starts, ends, strict=True)
        }
        codes = {k: uniq[:, i].copy() for i, k in enumerate(keys)}
        # shared by every thread and session: callers get views of these, never to be written
        for array in (*codes.values(), *cumulative.values()):
            array.flags.writeable = False
        parts[str(definition)] = Part(codes, cumulative, first)
    years.flags.writeable = False
    for v in vocab.values():
        v.flags.writeable = False
    return Cube(years, tuple(keys), vocab, parts)
