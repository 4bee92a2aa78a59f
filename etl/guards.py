"""Change guards: a source's validated tables against the last published version, before publishing.

Reads the new tables and the previous manifest's Parquet files (only the columns a guard needs);
returns findings, each naming the table, the measure, the old and new values and the threshold.
The thresholds are in etl/vocab.py (the change-guards section); which table is guarded on which
keys is declared here. A table that parses and validates can still be wrong: cut short, every row
twice, salaries in thousands of dollars, a month missing, a thread with half its postings.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from etl import schema, vocab


@dataclass(frozen=True)
class TableGuard:
    keys: tuple[str, ...] = ()  # columns whose values (or combinations) must not disappear


# the tables a source reads from its files; derived tables follow from them and from the code
TABLE_GUARDS: dict[str, TableGuard] = {
    "salaries": TableGuard(keys=("work_year",)),
    "oews_wages": TableGuard(keys=("year", "soc_code")),
    "indeed_sector_index": TableGuard(keys=("sector", "variable")),
    "indeed_aggregate_index": TableGuard(keys=("variable",)),
    "indeed_sector_titles": TableGuard(keys=("sector",)),
    "hn_threads": TableGuard(keys=("thread_month",)),
    "hn_postings": TableGuard(),
}
DUPLICATE_FLAG = "is_exact_duplicate"
SHOWN = 5  # examples named in a finding


@dataclass(frozen=True)
class Finding:
    table: str
    measure: str
    old: str
    new: str
    threshold: str

    def __str__(self) -> str:
        return f"{self.table}: {self.measure} {self.old} -> {self.new}; threshold: {self.threshold}"


class ChangeRefused(ValueError):
    """The new tables of a source changed past a guard's threshold; nothing of it was published."""

    def __init__(self, source: str, findings: list[Finding], version: str | None) -> None:
        self.source, self.findings = source, findings
        against = f"the last published version {version}" if version else "plausible values"
        super().__init__(
            f"{source}: refused against {against}: "
            + "; ".join(map(str, findings))
            + f". The last good tables stay published; if the change is real, publish it with: "
            f"python -m etl refresh --source {source} --offline --accept-change {source}"
        )


def _pct_change(old: int, new: int) -> float:
    return 100.0 * (new - old) / old


def _num(x: float) -> str:
    """1,000 / 109.5 / 145.08: thousands separated, at most two decimals, none when whole."""
    return f"{x:,.0f}" if float(x).is_integer() else f"{x:,.2f}".rstrip("0").rstrip(".")


def _share(s: pd.Series) -> float:
    return 100.0 * float(s.mean()) if len(s) else 0.0


def _key_text(k: Any) -> str:
    parts = k if isinstance(k, tuple) else (k,)
    return " ".join(p.strftime("%Y-%m") if isinstance(p, pd.Timestamp) else str(p) for p in parts)


def _keys(df: pd.DataFrame, cols: tuple[str, ...]) -> set[Any]:
    if len(cols) == 1:
        return set(df[cols[0]].dropna().unique())
    return set(df.loc[:, list(cols)].dropna().drop_duplicates().itertuples(index=False, name=None))


def _range_columns(table: str) -> dict[str, tuple[float, float]]:
    out = {}
    for c in schema.TABLES[table].columns:
        bounds = vocab.PLAUSIBLE_RANGES.get(schema.FIELDS[c].unit)
        if bounds is not None:
            out[c] = bounds
    return out


def _nullable(table: str) -> list[str]:
    return [c for c in schema.TABLES[table].columns if schema.FIELDS[c].nullable]


def _needed(table: str) -> list[str]:
    cols: list[str] = []
    if table in TABLE_GUARDS:
        cols += [*TABLE_GUARDS[table].keys, *_nullable(table)]
        if DUPLICATE_FLAG in schema.TABLES[table].columns:
            cols.append(DUPLICATE_FLAG)
    if table == "hn_threads":
        cols += ["thread_id", "thread_month", "postings"]
    cols += list(_range_columns(table))
    return list(dict.fromkeys(cols))


def previous_table(
    manifest: dict[str, Any] | None, processed_dir: Path, table: str
) -> tuple[int, pd.DataFrame] | None:
    """Rows and the guarded columns of `table` as last published, or None when it never was."""
    meta = (manifest or {}).get("tables", {}).get(table)
    if meta is None:
        return None
    cols = [c for c in _needed(table) if c in meta.get("columns", [])]
    if not cols:
        return int(meta["rows"]), pd.DataFrame()
    return int(meta["rows"]), pd.read_parquet(Path(processed_dir) / meta["file"], columns=cols)


def row_count(table: str, source: str, old: int, new: int) -> list[Finding]:
    if old == 0:
        return []
    change = _pct_change(old, new)
    drop, growth = vocab.ROW_DROP_MAX_PCT.get(source), vocab.ROW_GROWTH_MAX_PCT.get(source)
    if drop is not None and change < -drop:
        limit = "no row may go" if drop == 0 else f"at most {drop:g}% fewer"
        return [Finding(table, "rows", f"{old:,}", f"{new:,} ({change:+.1f}%)", limit)]
    if growth is not None and change > growth:
        return [
            Finding(
                table, "rows", f"{old:,}", f"{new:,} ({change:+.1f}%)", f"at most {growth:g}% more"
            )
        ]
    return []


def keys_gone(table: str, old: pd.DataFrame, new: pd.DataFrame) -> list[Finding]:
    cols = tuple(c for c in TABLE_GUARDS[table].keys if c in old.columns)
    if not cols:
        return []
    before, after = _keys(old, cols), _keys(new, cols)
    gone = sorted(before - after, key=_key_text)
    if not gone:
        return []
    shown = ", ".join(_key_text(k) for k in gone[:SHOWN]) + (" ..." if len(gone) > SHOWN else "")
    return [
        Finding(
            table,
            f"{', '.join(cols)} values present",
            f"{len(before):,}",
            f"{len(after):,} ({len(gone):,} gone: {shown})",
            "none may go",
        )
    ]


def null_shares(table: str, old: pd.DataFrame, new: pd.DataFrame) -> list[Finding]:
    out = []
    limit = vocab.NULL_SHARE_JUMP_MAX_PTS
    for c in _nullable(table):
        if c not in old.columns or old.empty or new.empty:
            continue
        a, b = _share(old[c].isna()), _share(new[c].isna())
        if b - a > limit:
            out.append(
                Finding(
                    table,
                    f"share of missing {c}",
                    f"{a:.1f}%",
                    f"{b:.1f}% ({b - a:+.1f} pts)",
                    f"at most +{limit:g} pts",
                )
            )
    return out


def duplicate_share(table: str, old: pd.DataFrame, new: pd.DataFrame) -> list[Finding]:
    if DUPLICATE_FLAG not in old.columns or old.empty:
        return []
    a, b = _share(old[DUPLICATE_FLAG]), _share(new[DUPLICATE_FLAG])
    limit = vocab.DUPLICATE_SHARE_JUMP_MAX_PTS
    if b - a <= limit:
        return []
    return [
        Finding(
            table,
            "share of rows repeating an earlier row in every column",
            f"{a:.1f}%",
            f"{b:.1f}% ({b - a:+.1f} pts)",
            f"at most +{limit:g} pts",
        )
    ]


def thread_postings(old: pd.DataFrame, new: pd.DataFrame) -> list[Finding]:
    """HN threads that come back with clearly fewer postings than their last published count."""
    if not {"thread_id", "postings"} <= set(old.columns):
        return []
    both = old.merge(new[["thread_id", "postings"]], on="thread_id", suffixes=("_old", ""))
    limit = vocab.THREAD_POSTINGS_DROP_MAX_PCT
    fewer = both[both["postings"] < both["postings_old"] * (1 - limit / 100)]
    out = []
    for r in fewer.itertuples(index=False):
        out.append(
            Finding(
                "hn_threads",
                f"postings of thread {r.thread_id} ({pd.Timestamp(r.thread_month):%Y-%m})",
                f"{r.postings_old:,}",
                f"{r.postings:,} ({_pct_change(r.postings_old, r.postings):+.1f}%)",
                f"at most {limit:g}% fewer",
            )
        )
    return out


def plausible(table: str, new: pd.DataFrame, old: pd.DataFrame | None) -> list[Finding]:
    """Values outside the plausible range of their unit (vocab.PLAUSIBLE_RANGES); the medians say
    by how much (salaries in thousands of dollars: a median of 150 where it was 150,000)."""
    out = []
    for c, (lo, hi) in _range_columns(table).items():
        if c not in new.columns:
            continue
        values = new[c].dropna()
        bad = values[(values < lo) | (values > hi)]
        if bad.empty:
            continue
        was = (
            _num(float(old[c].median()))
            if old is not None and c in old.columns and old[c].notna().any()
            else "none published"
        )
        unit = schema.FIELDS[c].unit
        out.append(
            Finding(
                table,
                f"median {c}",
                was,
                f"{_num(float(values.median()))} ({len(bad):,} of {len(values):,} values outside "
                f"{_num(lo)}..{_num(hi)} {unit}, e.g. {_num(float(bad.iloc[0]))})",
                f"every value within {_num(lo)}..{_num(hi)} {unit}",
            )
        )
    return out


def check(
    source: str,
    tables: dict[str, pd.DataFrame],
    manifest: dict[str, Any] | None,
    processed_dir: Path,
) -> list[Finding]:
    """Every finding of the guards for the new `tables` of `source` against `manifest`."""
    findings: list[Finding] = []
    for table, new in tables.items():
        prev = previous_table(manifest, processed_dir, table)
        old = prev[1] if prev else None
        findings += plausible(table, new, old)
        if prev is None or table not in TABLE_GUARDS:
            continue
        findings += row_count(table, source, prev[0], len(new))
        findings += keys_gone(table, old, new)
        findings += null_shares(table, old, new)
        findings += duplicate_share(table, old, new)
        if table == "hn_threads":
            findings += thread_postings(old, new)
    return findings


def describe_thresholds() -> str:
    """The guards and their thresholds, formatted from etl/vocab.py (the README's facts block)."""
    rows = ", ".join(
        f"{s} {vocab.ROW_DROP_MAX_PCT[s]:g}% / "
        + ("no limit" if (g := vocab.ROW_GROWTH_MAX_PCT.get(s)) is None else f"{g:g}%")
        for s in vocab.ROW_DROP_MAX_PCT
    )
    keys = "; ".join(f"{t}: {', '.join(g.keys)}" for t, g in TABLE_GUARDS.items() if g.keys)
    ranges = ", ".join(
        f"{unit} {_num(lo)}..{_num(hi)}" for unit, (lo, hi) in vocab.PLAUSIBLE_RANGES.items()
    )
    return (
        "Change guards (etl/vocab.py, etl/guards.py), against the last published version: the most a "
        f"source table's rows may fall / grow: {rows}; no value of these keys may disappear: {keys}; "
        f"a column's share of missing values may rise at most {vocab.NULL_SHARE_JUMP_MAX_PTS:g} points "
        f"and the share of rows repeating an earlier row at most {vocab.DUPLICATE_SHARE_JUMP_MAX_PTS:g}; "
        f"a Hacker News thread may lose at most {vocab.THREAD_POSTINGS_DROP_MAX_PCT:g}% of its postings; "
        f"plausible values: {ranges}. A refused change fails its source (its last good tables stay) "
        "until published on purpose with `python -m etl refresh --accept-change SOURCE`"
    )
