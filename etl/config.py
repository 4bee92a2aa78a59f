"""Settings for the ETL: paths, network limits and mirror, read from flags or LMD_* environment variables.

Imports nothing else of `etl`, so every module can depend on it.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
VERSION = "0.1.0"

ENV_PREFIX = "LMD_"

# Every setting, its environment variable and what it means; README documents the same list and
# tests/unit/test_config.py fails when a setting is missing from the README.
SETTINGS_DOC: dict[str, str] = {
    "LMD_DATA_DIR": "data directory holding raw/, processed/, state/ and reports/ (default ./data)",
    "LMD_MIRROR": "serve every HTTP GET from a mirror folder (or an http://host:port prefix) instead of the live sites",
    "LMD_CONTACT": "contact put in the User-Agent (an e-mail or URL); bls.gov refuses anonymous clients",
    "LMD_KEEP_SNAPSHOTS": "raw snapshots kept per source (default 5)",
    "LMD_CONNECT_TIMEOUT": "seconds to wait for a connection (default 10)",
    "LMD_READ_TIMEOUT": "seconds to wait between bytes of an answer (default 60)",
    "LMD_RETRIES": "retries after a connection error, timeout, 5xx or 429 (default 4)",
    "LMD_BACKOFF": "base of the exponential backoff between retries in seconds (default 1.0)",
    "LMD_MAX_RETRY_AFTER": "longest Retry-After honoured, in seconds (default 120)",
    "LMD_MAX_BYTES": "size cap of one download in bytes (default 300000000)",
    "LMD_DOWNLOAD_DEADLINE": "longest time one download may take in seconds, from request to last byte (default 600); "
    "past it the download fails and is not retried",
}


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(ENV_PREFIX + name)
    return value if value not in (None, "") else default


@dataclass(frozen=True)
class Settings:
    data_dir: Path = field(default_factory=lambda: REPO_ROOT / "data")
    mirror: str | None = None
    contact: str = "https://github.com/labor-market-dashboard (set LMD_CONTACT)"
    keep_snapshots: int = 5
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    retries: int = 4
    backoff: float = 1.0
    max_retry_after: float = 120.0
    max_bytes: int = 300_000_000
    download_deadline: float = 600.0

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    @property
    def reports_dir(self) -> Path:
        return self.data_dir / "reports"

    @property
    def user_agent(self) -> str:
        return f"labor-market-dashboard/{VERSION} (+{self.contact}) python-requests"

    def with_overrides(self, **kwargs: object) -> Settings:
        clean = {k: v for k, v in kwargs.items() if v is not None}
        return replace(self, **clean)  # type: ignore[arg-type]


def load_settings(**overrides: object) -> Settings:
    """Defaults, then LMD_* environment variables, then explicit overrides (CLI flags)."""
    s = Settings()
    env: dict[str, object] = {}
    if (v := _env("DATA_DIR")) is not None:
        env["data_dir"] = Path(v).expanduser().resolve()
    if (v := _env("MIRROR")) is not None:
        env["mirror"] = v
    if (v := _env("CONTACT")) is not None:
        env["contact"] = v
    for key, cast in (
        ("keep_snapshots", int),
        ("connect_timeout", float),
        ("read_timeout", float),
        ("retries", int),
        ("backoff", float),
        ("max_retry_after", float),
        ("max_bytes", int),
        ("download_deadline", float),
    ):
        if (v := _env(key.upper())) is not None:
            try:
                env[key] = cast(v)
            except ValueError as exc:
                raise ValueError(
                    f"{ENV_PREFIX}{key.upper()}={v!r} is not a valid {cast.__name__}"
                ) from exc
    s = s.with_overrides(**env)
    if "data_dir" in overrides and overrides["data_dir"] is not None:
        overrides["data_dir"] = Path(str(overrides["data_dir"])).expanduser().resolve()
    s = s.with_overrides(**overrides)
    _check_ranges(s)
    _check_paths(s, {k for k, v in overrides.items() if v is not None})
    return s


# NOTE: a negative LMD_RETRIES made the client give up before its first request, and a zero
# timeout or size cap fails every download with a misleading message: refuse them up front
_LOWER_BOUNDS = {
    "keep_snapshots": (1, False),
    "connect_timeout": (0, True),
    "read_timeout": (0, True),
    "retries": (0, False),
    "backoff": (0, False),
    "max_retry_after": (0, False),
    "max_bytes": (0, True),
    "download_deadline": (0, True),
}


def _check_ranges(s: Settings) -> None:
    for key, (low, strict) in _LOWER_BOUNDS.items():
        value = getattr(s, key)
        if not math.isfinite(value):
            # NOTE: float() reads 'nan' and 'inf': an infinite backoff or timeout hangs a refresh
            raise ValueError(f"{ENV_PREFIX}{key.upper()}={value!r} must be a finite number")
        if value < low or (strict and value == low):
            bound = f"> {low}" if strict else f">= {low}"
            raise ValueError(f"{ENV_PREFIX}{key.upper()}={value!r} must be {bound}")


def _check_paths(s: Settings, from_flags: set[str]) -> None:
    """A data directory that is a file, a contact that cannot go in a header, or a mirror that is
    neither a folder nor an http(s) URL would fail deep inside a refresh: name the setting (or its
    flag) up front instead."""

    def name(key: str) -> str:
        return f"--{key.replace('_', '-')}" if key in from_flags else f"{ENV_PREFIX}{key.upper()}"

    if s.data_dir.exists() and not s.data_dir.is_dir():
        raise ValueError(f"{name('data_dir')}={str(s.data_dir)!r} is a file, not a directory")
    if any(ord(c) < 32 or ord(c) == 127 for c in s.contact):
        # NOTE: it goes into the User-Agent header, where a newline would fail every request
        raise ValueError(f"{name('contact')}={s.contact!r} holds a control character")
    m = s.mirror
    if m and not m.startswith(("http://", "https://")) and not Path(m).expanduser().is_dir():
        raise ValueError(
            f"{name('mirror')}={m!r} is neither a folder nor an http:// or https:// prefix"
        )
