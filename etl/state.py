"""Per-source refresh state (data/state/sources.json) and the refresh lock (data/state/refresh.lock).

The lock is an flock: the kernel drops it when its holder dies, so a lock left by a killed
process is taken over automatically; the file keeps the holder's pid for the message.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import Any

from etl.store import atomic_write_text

STATE_FILE = "sources.json"
LOCK_FILE = "refresh.lock"


def load_state(state_dir: Path) -> dict[str, Any]:
    p = Path(state_dir) / STATE_FILE
    if not p.is_file():
        return {}
    try:
        return json.loads(p.read_text())
    except json.JSONDecodeError:
        return {}


def save_state(state_dir: Path, state: dict[str, Any]) -> None:
    atomic_write_text(Path(state_dir) / STATE_FILE, json.dumps(state, indent=2, sort_keys=True))


class LockBusy(RuntimeError):
    pass


class RefreshLock:
    def __init__(self, state_dir: Path, wait_seconds: float = 0.0) -> None:
        self.path = Path(state_dir) / LOCK_FILE
        self.wait_seconds = wait_seconds
        self.fd: int | None = None

    def __enter__(self) -> RefreshLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 200, 0).decode(errors="replace").strip() or "unknown"
                    os.close(fd)
                    raise LockBusy(
                        f"another refresh is running (lock {self.path} held by {holder}); "
                        "try again later or pass --wait SECONDS"
                    ) from None
                time.sleep(0.2)
        os.ftruncate(fd, 0)
        os.pwrite(
            fd,
            f"pid {os.getpid()} since {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}".encode(),
            0,
        )
        self.fd = fd
        return self

    def __exit__(self, *_: object) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None
