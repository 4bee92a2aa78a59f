"""The only module that reads data/processed: the manifest, and Parquet tables through DuckDB with
parameterized queries. Results are cached keyed by the manifest version, so a refresh invalidates them.

The manifest is read once per script run (app.py calls `begin_run`; pages take that state with
`run_state`), so a publish between two reads never mixes two versions on one page.
"""

from __future__ import annotations

import gc
import json
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import streamlit as st

from dashboard import memo
from etl.config import load_settings
from etl.store import MANIFEST

_local = threading.local()


@dataclass(frozen=True)
class DataState:
    manifest: dict[str, Any] | None
    processed_dir: Path
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.manifest is not None

    @property
    def version(self) -> str:
        return (self.manifest or {}).get("version", "none")

    @property
    def memo_key(self) -> tuple[str, str]:
        """What a result computed from this state depends on (dashboard/memo.py)."""
        return (str(self.processed_dir), self.version)

    def has(self, table: str) -> bool:
        return self.ok and table in self.manifest["tables"]  # type: ignore[index]

    def table_file(self, table: str) -> str:
        assert self.manifest is not None
        return str(self.processed_dir / self.manifest["tables"][table]["file"])

    def source_of(self, table: str) -> dict[str, Any]:
        """Origin, snapshot and publication facts behind a table (for captions and exports)."""
        assert self.manifest is not None
        t = self.manifest["tables"][table]
        src = self.manifest.get("sources", {}).get(t["source"], {})
        return {
            "table": table,
            "source": t["source"],
            "title": src.get("origin", {}).get("title", t["source"]),
            "producer": src.get("origin", {}).get("producer", ""),
            "license": src.get("origin", {}).get("license", ""),
            "license_url": src.get("origin", {}).get("license_url", ""),
            "citation": src.get("origin", {}).get("citation", ""),
            "urls": src.get("origin", {}).get("urls", []),
            "snapshot_id": t.get("snapshot_id"),
            "snapshot_date": (src.get("fetched_at") or t.get("snapshot_created_at") or "")[:10],
            "data_through": src.get("data_through"),
            "fetched_at": src.get("fetched_at"),
            "published_at": t.get("published_at"),
            "rows": t.get("rows"),
            "coverage": src.get("coverage") or {},
        }

    def coverage(self, source: str) -> dict[str, Any]:
        """Facts about a source's published data, computed when it was published (etl.coverage)."""
        return ((self.manifest or {}).get("sources", {}).get(source) or {}).get("coverage") or {}


def processed_dir() -> Path:
    return load_settings().processed_dir


def load_state() -> DataState:
    """Read the manifest now (it is tiny); never raises."""
    pdir = processed_dir()
    path = pdir / MANIFEST
    if not path.is_file():
        return DataState(None, pdir, f"no published data in {pdir}")
    try:
        manifest = json.loads(path.read_text())
        manifest["tables"]  # noqa: B018 - shape check
    except (OSError, ValueError, KeyError) as exc:
        return DataState(None, pdir, f"the manifest {path} is unreadable: {exc}")
    from etl.schema import TABLES

    stale = [
        t
        for t, meta in manifest["tables"].items()
        if t in TABLES and meta.get("columns") != list(TABLES[t].columns)
    ]
    if stale:
        return DataState(
            None,
            pdir,
            f"the published tables {', '.join(sorted(stale))} were written by an older version of the code "
            "(their columns differ); `make etl` (or `python -m etl refresh --if-stale`) rebuilds them",
        )
    return DataState(manifest, pdir)


_RUN_STATE = "_published_state"


def begin_run() -> DataState:
    """Read the manifest for this script run; app.py calls it once, at the top of every run."""
    state = load_state()
    st.session_state[_RUN_STATE] = state
    return state


def run_state() -> DataState:
    """The published version this script run reads (the one `begin_run` read)."""
    state = st.session_state.get(_RUN_STATE)
    return state if isinstance(state, DataState) else begin_run()


_db: duckdb.DuckDBPyConnection | None = None
_db_lock = threading.Lock()


def _connection() -> duckdb.DuckDBPyConnection:
    # one cursor per thread: Streamlit runs each script run in a thread of its own, often a new
    # one per rerun. Cursors of one in-memory database cost nothing to open, where a new database
    # cost ~15 ms to open and ~20 ms more on its first query, on every rerun.
    global _db
    con = getattr(_local, "con", None)
    if con is None:
        with _db_lock:
            if _db is None:
                _db = duckdb.connect()
                _db.execute("SET threads TO 2")
            con = _db.cursor()
        _local.con = con
    return con


# Derived tables: small aggregates of a published table, named in queries like a table. Each is
# built once per Parquet file (files are immutable, one folder per published version), kept as an
# Arrow table shared by every thread, and scanned by DuckDB in place of the big table.
_memo_lock = threading.RLock()  # guards the stores and _build_locks (builds hold their key's lock)

# result columns of these DuckDB types convert to pandas faster through Arrow, with the same
# DataFrame as .df(); any other type (dates, decimals, booleans, ...) goes through .df()
_ARROW_SAFE = {"VARCHAR", "BIGINT", "INTEGER", "DOUBLE"}


def run_query(
    state: DataState,
    sql: str,
    params: list[Any] | tuple[Any, ...] = (),
    tables: tuple[str, ...] = (),
) -> pd.DataFrame:
    """Run `sql` where `{table_name}` placeholders stand for the published Parquet files."""
    files = {t: state.table_file(t) for t in tables}
    resident = tuple(sorted(t for t in tables if is_resident(state, t)))
    args = (state.version, sql, tuple(params), tuple(sorted(files.items())), resident)
    key = repr(args)
    kept = _query_results.get(key)
    if kept is memo.MISSING:
        kept = _query(*args)
        _query_results.put(key, kept)
    return memo.fresh(kept)


# NOTE: speed: the query results of the process, kept per published version, SQL, parameters
# and files (a file is immutable: one folder per published version), shared by every session and
# handed out as copies. In place of st.cache_data, whose hashing of the arguments and unpickling
# of the result cost ~1.2 ms a hit where a copy costs ~0.07 ms, a few dozen hits per rerun
# across the views. clear_query_results() empties it (the benches time queries cold with it).
QUERY_RESULTS_KEPT = 512
_query_results = memo.Kept(QUERY_RESULTS_KEPT)


def clear_query_results() -> None:
    """Forget every kept query result (and Streamlit's caches): the next queries run in DuckDB."""
    _query_results.clear()
    st.cache_data.clear()


def _parquet(file: str) -> str:
    return "read_parquet('" + file.replace("'", "''") + "')"


# NOTE: speed: a page's frames are small (tens to hundreds of rows), and pandas' default text
# columns (Arrow-backed) cost more per filter, sort and head than the operation itself: the Skills
# script ran ~30% faster with Python-object text (A/B under AppTest at x10). The values and the CSV
# exports are the same (the tables' Arrow for the browser types text as string, not large_string).
# dashboard/app.py sets it for the dashboard's process; bench/queries.py times the views' data
# functions under it and the naive pandas way without it; tests/conftest.py resets it after each
# test, so an AppTest run does not change the other tests' frames.
PANDAS_TEXT = ("mode.string_storage", "python")


# Resident tables: a published table of at most this many rows (the per-year aggregates the
# Skills and Overview views sum, the demand table, the mappings) is read into memory once per
# Parquet file as an Arrow table shared by every thread, so a query over it does not open and
# parse the file again on every rerun.
RESIDENT_MAX_ROWS = 200_000


# resident files kept per process: two versions' worth (a refresh publishes while sessions still
# read the version before), each a few dozen small tables, frames and cubes
_RESIDENT_KEEP = 64
_resident_tables: dict[Any, pa.Table] = {}
_frames: dict[Any, pd.DataFrame] = {}
_build_locks: dict[Any, threading.Lock] = {}


def is_resident(state: DataState, table: str) -> bool:
    """Whether the table is small enough (RESIDENT_MAX_ROWS) to be held in memory whole."""
    rows = state.manifest["tables"][table].get("rows", RESIDENT_MAX_ROWS + 1)  # type: ignore[index]
    return rows <= RESIDENT_MAX_ROWS


def _memo(store: dict, key: Any, build: Any, keep: int) -> Any:
    """`store[key]`, built once by `build()`; the oldest entries beyond `keep` are dropped (files
    are immutable, one folder per published version). A build holds only its own key's lock, so
    a thread that finds its entry built, or builds another one, never waits for it."""
    value = store.get(key)
    if value is not None:
        return value
    with _memo_lock:  # one lock per store and key: a frame's build reads its file's table
        lock = _build_locks.setdefault((id(store), key), threading.Lock())
    with lock:
        value = store.get(key)
        if value is None:
            value = build()
            with _memo_lock:
                store[key] = value
                while len(store) > keep:
                    _build_locks.pop((id(store), old := next(iter(store))), None)
                    store.pop(old)
    return value


def _resident(file: str) -> pa.Table:
    return _memo(_resident_tables, file, lambda: pq.read_table(file), _RESIDENT_KEEP)


def _plain_frame(file: str) -> pd.DataFrame:
    df = _resident(file).to_pandas()
    # text columns as plain Python strings: on tables of a few thousand rows pandas' Arrow
    # strings cost more per operation than the operation itself
    for col in df.columns:
        if pd.api.types.is_string_dtype(df[col]):
            df[col] = df[col].astype(object)
    return df


def frame(state: DataState, table: str) -> pd.DataFrame:
    """A small published table (at most RESIDENT_MAX_ROWS rows: the per-year aggregates) whole, as
    a DataFrame read once per Parquet file and shared by every thread and session: callers filter
    and sum it and must not modify it. Raises for a table too big to hold this way."""
    if not is_resident(state, table):
        rows = state.manifest["tables"][table].get("rows")  # type: ignore[index]
        count = f"{rows:,}" if isinstance(rows, int) else "an unknown number of"
        raise ValueError(f"{table} has {count} rows: query it with run_query instead")
    file = state.table_file(table)
    return _memo(_frames, file, lambda: _plain_frame(file), _RESIDENT_KEEP)


def from_frame(state: DataState, table: str, name: Any, build: Any) -> Any:
    """`build(frame(state, table))`, built once per published file and kept like the frame (a
    read-only structure derived from a resident table, e.g. a cube.Cube); `name` tells apart the
    structures built from one table."""
    file = state.table_file(table)
    return _memo(_frames, (file, name), lambda: build(frame(state, table)), _RESIDENT_KEEP)


_settled: list[Any] = [None]  # the resident entries when the collector last set them aside


def settle_resident() -> bool:
    """After a script run: when the resident tables, frames and cubes changed since the last call,
    collect garbage once and set every object alive now aside from the cyclic garbage collector
    (gc.freeze). Returns whether it did.

    NOTE: speed: the resident data lives as long as the process and holds tens of thousands of
    container objects; each full collection the reruns trigger scanned them all again, a pause of
    tens of milliseconds at random reruns (the Skills script's p95 under AppTest at x10 was 150-163
    ms with them set aside, 176-297 ms without, 2 runs each). Objects set aside are still freed
    when nothing refers to them; the unfreeze before each collection lets an evicted entry's
    reference cycles be collected too."""
    with _memo_lock:
        now = (tuple(_resident_tables), tuple(_frames))
        if now == _settled[0]:
            return False
        _settled[0] = now
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    return True


def _query(
    version: str,
    sql: str,
    params: tuple[Any, ...],
    files: tuple[tuple[str, str], ...],
    resident: tuple[str, ...] = (),
) -> pd.DataFrame:
    con = _connection()
    names = {}
    for t, f in files:
        if t in resident:
            con.register(f"_resident_{t}", _resident(f))
            names[t] = f"_resident_{t}"
        else:
            names[t] = _parquet(f)
    rel = con.sql(sql.format(**names), params=list(params) or None)
    if all(str(ty) in _ARROW_SAFE for ty in rel.types):
        table = rel.to_arrow_table()
        if table.num_rows:  # .df() types the columns of an empty result differently
            return table.to_pandas()
    return rel.df()


def where(filters: dict[str, list[Any]]) -> tuple[str, list[Any]]:
    """A WHERE clause from {column: allowed values}; an empty list means no filter on that column.
    Column names come from code, never from users; values are bound as parameters."""
    parts, params = [], []
    for col, values in filters.items():
        if values:
            parts.append(f'"{col}" IN ({", ".join("?" for _ in values)})')
            params.extend(values)
    return (" WHERE " + " AND ".join(parts)) if parts else "", params


def age_days(iso_text: str | None) -> float | None:
    if not iso_text:
        return None
    dt = datetime.fromisoformat(iso_text.replace("Z", "+00:00"))
    return (datetime.now(UTC) - dt).total_seconds() / 86400


def refresh_state() -> dict[str, Any]:
    """Per-source refresh state written by the ETL (last attempt, success, error)."""
    from etl.state import load_state as _load

    return _load(load_settings().state_dir)


def staleness(state: DataState, now: datetime | None = None) -> list[dict[str, Any]]:
    """Sources whose data is older than their cadence or whose last refresh failed."""
    if not state.ok:
        return []
    now = now or datetime.now(UTC)
    rs = refresh_state()
    out = []
    for name, src in state.manifest.get("sources", {}).items():  # type: ignore[union-attr]
        cadence = float(src.get("origin", {}).get("cadence_days", 0) or 0)
        fetched = src.get("fetched_at")
        age = None
        if fetched:
            age = (
                now - datetime.fromisoformat(fetched.replace("Z", "+00:00"))
            ).total_seconds() / 86400
        st_ = rs.get(name, {})
        failed = bool(st_.get("last_error"))
        stale = cadence > 0 and age is not None and age > cadence
        through = src.get("data_through")
        max_lag = src.get("origin", {}).get("max_lag_days")
        lag = None
        if through and max_lag:
            lag = (
                now - datetime.fromisoformat(through).replace(tzinfo=UTC)
            ).total_seconds() / 86400
        lagging = lag is not None and lag > float(max_lag)
        if stale or failed or lagging:
            out.append(
                {
                    "stale": stale,
                    "data_through": through,
                    "lag_days": lag,
                    "max_lag_days": max_lag,
                    "lagging": lagging,
                    "source": name,
                    "age_days": age,
                    "cadence_days": cadence,
                    "failed": failed,
                    "last_error": st_.get("last_error"),
                    "last_error_at": st_.get("last_error_at"),
                }
            )
    return out
