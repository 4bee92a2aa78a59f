"""Per-thread build results kept between refreshes (the Hacker News build's incremental part).

A thread's posting-level products (parsed postings, role flags and their evidence, skills, the
skills tied to each job, posted pay) depend only on the thread's bytes and on the code and mapping
files that compute them. They are kept under

    <data>/cache/<source>/<code key>/<thread id>-<sha256 of the thread file>/<product>.arrow

where the code key hashes every Python file of `etl/` and every mapping file: a change to either
starts an empty key (everything is rebuilt) and the old keys are removed. A refresh in which one
thread changed recomputes that thread only. Entries are written to a temporary folder and renamed
into place, so a crash never leaves half an entry; an entry that cannot be read is rebuilt.

The same layout keeps the build's record-wide parts by what they are computed from: the sums of
each definition and year (a ThreadCache entry per year and digest of the year's input), each
year's convergence bootstrap and the role rules' literal requirements (ResultCache JSON files).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from functools import cache
from pathlib import Path

import pyarrow as pa
import pyarrow.feather as feather

log = logging.getLogger("etl.cache")
ETL_DIR = Path(__file__).resolve().parent


@cache
def code_key() -> str:
    """A digest of the code and mappings the build runs (etl/**/*.py, etl/mappings/*)."""
    h = hashlib.sha256()
    files = [*ETL_DIR.rglob("*.py"), *(ETL_DIR / "mappings").glob("*")]
    for p in sorted(f for f in files if f.is_file() and "__pycache__" not in f.parts):
        h.update(str(p.relative_to(ETL_DIR)).encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()[:20]


class ThreadCache:
    """Posting-level products of each thread, keyed by the thread file's checksum and code_key()."""

    def __init__(self, root: Path | None, source: str, products: tuple[str, ...]) -> None:
        self.products = products
        self.base = None if root is None else Path(root) / source
        self.dir = None if self.base is None else self.base / code_key()
        self.hits = 0
        self.misses = 0

    def _entry(self, thread_id: int, sha256: str) -> Path | None:
        return None if self.dir is None else self.dir / f"{thread_id}-{sha256[:32]}"

    def has(self, thread_id: int, sha256: str) -> bool:
        """Whether an entry is kept (get() may still find it unreadable)."""
        entry = self._entry(thread_id, sha256)
        return entry is not None and entry.is_dir()

    def get(self, thread_id: int, sha256: str) -> dict[str, pa.Table] | None:
        entry = self._entry(thread_id, sha256)
        if entry is None or not entry.is_dir():
            self.misses += 1
            return None
        try:
            # Arrow IPC files: read without conversion, memory-mapped (Parquet cost ~9 ms a file)
            out = {
                p: feather.read_table(entry / f"{p}.arrow", memory_map=True) for p in self.products
            }
        except Exception as exc:  # a damaged entry is rebuilt, never trusted
            log.warning("cache entry %s unreadable (%s): rebuilding the thread", entry.name, exc)
            shutil.rmtree(entry, ignore_errors=True)
            self.misses += 1
            return None
        self.hits += 1
        return out

    def put(self, thread_id: int, sha256: str, frames: dict[str, pa.Table]) -> None:
        entry = self._entry(thread_id, sha256)
        if entry is None:
            return
        tmp = entry.with_name(f".{entry.name}.{os.getpid()}.tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        for p in self.products:
            # NOTE: uncompressed, so a read is a memory map: reading the 153 unchanged threads of
            # a refresh back took ~0.8 s with lz4 and ~0.3 s so (the entries are ~1.7x larger)
            feather.write_feather(frames[p], tmp / f"{p}.arrow", compression="uncompressed")
        shutil.rmtree(entry, ignore_errors=True)
        os.replace(tmp, entry)

    def prune(self, keep: set[tuple[int, str]]) -> None:
        """Remove other code keys, and the entries of this key not in `keep` (thread, sha256)."""
        if self.base is None or not self.base.is_dir():
            return
        for d in self.base.iterdir():
            if d != self.dir:
                shutil.rmtree(d, ignore_errors=True)
        if self.dir is None or not self.dir.is_dir():
            return
        names = {self._entry(t, s).name for t, s in keep}  # type: ignore[union-attr]
        for d in self.dir.iterdir():
            if d.name not in names:
                shutil.rmtree(d, ignore_errors=True)


class ResultCache:
    """Small results (JSON objects) of a pure computation, kept by a digest of its inputs under
    code_key(): e.g. the convergence bootstrap of one year, which a refresh that changed another
    year's thread need not run again. Same layout rules as ThreadCache:
    <data>/cache/<name>/<code key>/<digest>.json, written by rename, other code keys removed."""

    def __init__(self, root: Path | None, name: str) -> None:
        self.base = None if root is None else Path(root) / name
        self.dir = None if self.base is None else self.base / code_key()
        self.used: set[str] = set()
        self.hits = 0
        self.misses = 0

    def get_or_compute(self, digest: str, compute) -> dict:  # type: ignore[no-untyped-def]
        """The kept result for `digest`, else compute() (a JSON-able dict), kept."""
        self.used.add(digest)
        path = None if self.dir is None else self.dir / f"{digest}.json"
        if path is not None and path.is_file():
            try:
                out = json.loads(path.read_text())
                self.hits += 1
                return out
            except (OSError, ValueError) as exc:  # a damaged entry is recomputed
                log.warning("cache entry %s unreadable (%s): recomputing", path.name, exc)
        self.misses += 1
        out = compute()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(out))
            os.replace(tmp, path)
        return out

    def prune(self) -> None:
        """Remove other code keys, and this key's entries not used since this cache was made."""
        if self.base is None or not self.base.is_dir():
            return
        for d in self.base.iterdir():
            if d != self.dir:
                shutil.rmtree(d, ignore_errors=True)
        if self.dir is not None and self.dir.is_dir():
            for f in self.dir.glob("*.json"):
                if f.stem not in self.used:
                    f.unlink(missing_ok=True)
