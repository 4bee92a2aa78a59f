"""Immutable raw snapshots: data/raw/<source>/<UTC timestamp>/<file> plus a `_snapshot.json` sidecar
(origin, licence, citation, and per file: url, final url, fetched_at, status, etag, last-modified,
bytes, sha256). Reads and writes only under the raw directory.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from etl.http import Download, HttpClient, sha256_file
from etl.store import pid_alive

log = logging.getLogger(__name__)

SIDECAR = "_snapshot.json"


class SnapshotError(RuntimeError):
    pass


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass
class FileMeta:
    name: str
    url: str
    final_url: str
    status: int
    fetched_at: str
    etag: str | None
    last_modified: str | None
    bytes: int
    sha256: str
    # "downloaded", "not_modified" (304: bytes taken from the previous snapshot),
    # "carried" (not requested: final data kept from the previous snapshot), "imported"
    how: str = "downloaded"


@dataclass
class Snapshot:
    source: str
    path: Path
    created_at: str
    origin: dict[str, Any]
    files: dict[str, FileMeta] = field(default_factory=dict)

    @property
    def snapshot_id(self) -> str:
        return self.path.name

    def file(self, name: str, verify: bool = True) -> Path:
        """Path of one file; its checksum is verified against the sidecar first."""
        if name not in self.files:
            raise SnapshotError(f"{self.source} snapshot {self.snapshot_id} has no file {name!r}")
        p = self.path / name
        if verify:
            actual = sha256_file(p)
            if actual != self.files[name].sha256:
                raise SnapshotError(
                    f"checksum mismatch for {p}: sidecar says {self.files[name].sha256[:12]}, "
                    f"file has {actual[:12]} (the raw snapshot was modified or corrupted)"
                )
        return p

    def read_bytes(self, name: str) -> bytes:
        return self.file(name).read_bytes()

    def verify(self) -> None:
        for name in self.files:
            self.file(name, verify=True)

    def checksums(self) -> dict[str, str]:
        return {n: m.sha256 for n, m in sorted(self.files.items())}

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "snapshot_id": self.snapshot_id,
            "created_at": self.created_at,
            "origin": self.origin,
            "files": {n: asdict(m) for n, m in sorted(self.files.items())},
        }

    @classmethod
    def load(cls, path: Path) -> Snapshot:
        data = json.loads((path / SIDECAR).read_text())
        files = {n: FileMeta(**m) for n, m in data["files"].items()}
        return cls(data["source"], path, data["created_at"], data.get("origin", {}), files)


def _safe_name(name: str) -> str:
    if "/" in name or name.startswith(".") or name == SIDECAR:
        raise SnapshotError(f"bad snapshot file name {name!r}")
    return name


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


class SnapshotBuilder:
    """Collects the files of one new snapshot in a hidden temp folder; `commit` renames it."""

    def __init__(self, store: SnapshotStore, source: str, previous: Snapshot | None) -> None:
        self.store = store
        self.source = source
        self.previous = previous
        self.started = utc_now()
        base = store.root / source
        base.mkdir(parents=True, exist_ok=True)
        self.tmp = base / f".partial-{self.started:%Y%m%dT%H%M%S%f}-{os.getpid()}"
        self.tmp.mkdir()
        self.files: dict[str, FileMeta] = {}
        self.previous_damaged = False

    def fetch(self, client: HttpClient, url: str, name: str, *, expect: str) -> FileMeta:
        """Download `url` as `name`; conditional on the previous snapshot's copy of `name`."""
        name = _safe_name(name)
        prev = self.previous.files.get(name) if self.previous else None
        same_url = prev is not None and prev.url == url
        if same_url and not self._previous_intact(name):
            # NOTE: a damaged previous copy cannot stand in for a 304: ask for the full body
            log.warning("%s: previous copy of %s fails its checksum, refetching", self.source, name)
            same_url = False
            self.previous_damaged = True
        d: Download = client.download(
            url,
            self.tmp / name,
            expect=expect,
            etag=prev.etag if same_url and prev else None,
            last_modified=prev.last_modified if same_url and prev else None,
        )
        now = iso(utc_now())
        if d.not_modified:
            assert prev is not None and self.previous is not None
            _link_or_copy(self.previous.file(name), self.tmp / name)
            meta = FileMeta(
                **{**asdict(prev), "how": "not_modified", "status": 304, "fetched_at": now}
            )
        else:
            meta = FileMeta(
                name, url, d.final_url, d.status, now, d.etag, d.last_modified, d.bytes, d.sha256
            )
        self.files[name] = meta
        return meta

    def _previous_intact(self, name: str) -> bool:
        assert self.previous is not None
        try:
            self.previous.file(name, verify=True)
        except (OSError, SnapshotError):
            return False
        return True

    def carry(self, name: str) -> FileMeta:
        """Keep `name` from the previous snapshot without a request (its data is final)."""
        if self.previous is None or name not in self.previous.files:
            raise SnapshotError(f"cannot carry {name!r}: not in the previous snapshot")
        _link_or_copy(self.previous.file(name), self.tmp / _safe_name(name))
        meta = FileMeta(**{**asdict(self.previous.files[name]), "how": "carried"})
        self.files[name] = meta
        return meta

    def add_local(self, name: str, src: Path, *, url: str) -> FileMeta:
        """Import a file obtained by other means (a manual download)."""
        dst = self.tmp / _safe_name(name)
        shutil.copyfile(src, dst)
        meta = FileMeta(
            name,
            url,
            f"file://{Path(src).resolve()}",
            200,
            iso(utc_now()),
            None,
            None,
            dst.stat().st_size,
            sha256_file(dst),
            how="imported",
        )
        self.files[name] = meta
        return meta

    def unchanged(self) -> bool:
        if self.previous is None or self.previous_damaged:
            return False
        if set(self.files) != set(self.previous.files):
            return False
        return all(m.sha256 == self.previous.files[n].sha256 for n, m in self.files.items())

    def commit(self, origin: dict[str, Any]) -> Snapshot:
        """Write the sidecar and publish the folder. When every file is byte-identical to the
        previous snapshot (all 304 / carried), the previous snapshot is returned instead."""
        if not self.files:
            self.abort()
            raise SnapshotError(f"{self.source}: no files were fetched")
        if self.unchanged():
            assert self.previous is not None
            self.abort()
            log.info(
                "%s: nothing changed since snapshot %s", self.source, self.previous.snapshot_id
            )
            return self.previous
        final = self.tmp.parent / f"{self.started:%Y%m%dT%H%M%S%fZ}"
        # the sidecar names the final folder (snapshot_id), not the temp one it is written in
        snap = Snapshot(self.source, final, iso(self.started), origin, dict(self.files))
        (self.tmp / SIDECAR).write_text(json.dumps(snap.to_json(), indent=2))
        for p in self.tmp.iterdir():
            p.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
        os.replace(self.tmp, final)
        self.store.prune(self.source)
        return snap

    def abort(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self) -> SnapshotBuilder:
        return self

    def __exit__(self, exc_type: object, *_: object) -> None:
        if exc_type is not None:
            self.abort()


class SnapshotStore:
    def __init__(self, root: Path, keep: int = 5) -> None:
        self.root = Path(root)
        self.keep = max(1, keep)

    def list(self, source: str) -> list[Snapshot]:
        base = self.root / source
        if not base.is_dir():
            return []
        out = []
        for p in sorted(base.iterdir()):
            if p.name.startswith(".") or not (p / SIDECAR).is_file():
                continue
            try:
                out.append(Snapshot.load(p))
            except (OSError, ValueError, KeyError, TypeError) as exc:
                log.warning("ignoring unreadable snapshot %s: %s", p, exc)
        return out

    def latest(self, source: str) -> Snapshot | None:
        snaps = self.list(source)
        return snaps[-1] if snaps else None

    def begin(self, source: str, previous: Snapshot | None = None) -> SnapshotBuilder:
        self.clean_partials(source)
        return SnapshotBuilder(self, source, previous)

    def prune(self, source: str) -> None:
        snaps = self.list(source)
        for s in snaps[: -self.keep]:
            _rmtree_readonly(s.path)
        self.clean_partials(source)

    def clean_partials(self, source: str) -> None:
        """Remove partial folders left by a killed process (their pid is no longer alive)."""
        base = self.root / source
        if base.is_dir():
            for p in base.iterdir():
                if p.name.startswith(".partial-") and not _pid_alive(p.name.rsplit("-", 1)[-1]):
                    _rmtree_readonly(p)


def _rmtree_readonly(path: Path) -> None:
    def onerror(func, p, _exc):  # type: ignore[no-untyped-def]
        os.chmod(p, stat.S_IWUSR | stat.S_IRUSR | stat.S_IXUSR)
        func(p)

    shutil.rmtree(path, onerror=onerror)


def _pid_alive(pid_text: str) -> bool:
    return pid_text.isdigit() and pid_alive(int(pid_text))
