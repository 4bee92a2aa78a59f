"""Settings: defaults, LMD_* environment, flags, validation, and that README documents them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from etl.config import REPO_ROOT, SETTINGS_DOC, Settings, load_settings

README = REPO_ROOT / "README.md"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):  # type: ignore[no-untyped-def]
    import os

    for k in list(os.environ):
        if k.startswith("LMD_"):
            monkeypatch.delenv(k)


def test_defaults() -> None:
    s = load_settings()
    assert s == Settings()
    assert s.data_dir == REPO_ROOT / "data"
    assert (s.retries, s.backoff, s.read_timeout, s.keep_snapshots) == (4, 1.0, 60.0, 5)
    assert s.processed_dir == REPO_ROOT / "data" / "processed"


def test_environment_then_flags(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path / "env"))
    monkeypatch.setenv("LMD_RETRIES", "7")
    monkeypatch.setenv("LMD_READ_TIMEOUT", "2.5")
    monkeypatch.setenv("LMD_CONTACT", "me@example.org")
    monkeypatch.setenv("LMD_MIRROR", "")  # empty means unset
    s = load_settings()
    assert (s.data_dir, s.retries, s.read_timeout) == (tmp_path / "env", 7, 2.5)
    assert s.mirror is None
    assert "me@example.org" in s.user_agent and s.user_agent.startswith("labor-market-dashboard/")
    s2 = load_settings(data_dir=str(tmp_path / "flag"), contact=None)
    assert s2.data_dir == tmp_path / "flag" and s2.contact == "me@example.org"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("LMD_RETRIES", "x", "LMD_RETRIES='x' is not a valid int"),
        ("LMD_RETRIES", "-1", "LMD_RETRIES=-1 must be >= 0"),
        ("LMD_READ_TIMEOUT", "0", "LMD_READ_TIMEOUT=0.0 must be > 0"),
        ("LMD_KEEP_SNAPSHOTS", "0", "LMD_KEEP_SNAPSHOTS=0 must be >= 1"),
        ("LMD_MAX_BYTES", "-5", "LMD_MAX_BYTES=-5 must be > 0"),
        ("LMD_BACKOFF", "inf", "LMD_BACKOFF=inf must be a finite number"),
        ("LMD_READ_TIMEOUT", "nan", "LMD_READ_TIMEOUT=nan must be a finite number"),
        (
            "LMD_MIRROR",
            "/nonexistent/m",
            "LMD_MIRROR='/nonexistent/m' is neither a folder nor an http",
        ),
        ("LMD_MIRROR", "ftp://host/", "LMD_MIRROR='ftp://host/' is neither a folder nor an http"),
        ("LMD_DATA_DIR", __file__, "LMD_DATA_DIR='" + __file__ + "' is a file, not a directory"),
        (
            "LMD_CONTACT",
            "a@b.org\r\nX: 1",
            "LMD_CONTACT='a@b.org.*' holds a control character",
        ),
    ],
)
def test_invalid_values_name_the_variable(monkeypatch, name, value, message) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        load_settings()


def test_every_setting_is_parsed_from_the_environment(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    values = {
        "LMD_DATA_DIR": "/tmp/lmd-x",
        "LMD_MIRROR": "http://127.0.0.1:1",
        "LMD_CONTACT": "c@example.org",
        "LMD_KEEP_SNAPSHOTS": "2",
        "LMD_CONNECT_TIMEOUT": "3",
        "LMD_READ_TIMEOUT": "4",
        "LMD_RETRIES": "5",
        "LMD_BACKOFF": "0.5",
        "LMD_MAX_RETRY_AFTER": "6",
        "LMD_MAX_BYTES": "7",
        "LMD_DOWNLOAD_DEADLINE": "8",
    }
    assert set(values) == set(SETTINGS_DOC)
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    s = load_settings()
    assert s != Settings()
    got = {
        "LMD_DATA_DIR": str(s.data_dir),
        "LMD_MIRROR": s.mirror,
        "LMD_CONTACT": s.contact,
        "LMD_KEEP_SNAPSHOTS": str(s.keep_snapshots),
        "LMD_CONNECT_TIMEOUT": f"{s.connect_timeout:g}",
        "LMD_READ_TIMEOUT": f"{s.read_timeout:g}",
        "LMD_RETRIES": str(s.retries),
        "LMD_BACKOFF": f"{s.backoff:g}",
        "LMD_MAX_RETRY_AFTER": f"{s.max_retry_after:g}",
        "LMD_MAX_BYTES": str(s.max_bytes),
        "LMD_DOWNLOAD_DEADLINE": f"{s.download_deadline:g}",
    }
    assert got == values


@pytest.mark.xfail(
    not README.exists(), reason="README.md is being written", strict=False, run=README.exists()
)
def test_every_setting_is_documented_in_readme() -> None:
    text = README.read_text()
    missing = [k for k in SETTINGS_DOC if k not in text]
    assert not missing, f"README.md does not document {missing}"


def test_a_flag_is_named_as_the_flag(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="^--mirror='/nonexistent/m' is neither"):
        load_settings(mirror="/nonexistent/m")
    assert load_settings(mirror=str(tmp_path)).mirror == str(tmp_path)
    assert load_settings(mirror="http://127.0.0.1:1").mirror == "http://127.0.0.1:1"
