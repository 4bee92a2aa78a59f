"""The command line (`python -m etl ...`, run in-process through etl.__main__.main): sources, status,
refresh exit codes, an invalid LMD_* setting (exit 2, one line naming it, no traceback), the BLS 403
message and `import bls_oews`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from etl.__main__ import main
from etl.config import SETTINGS_DOC
from etl.sources import SOURCES
from tests.conftest import (
    CONTACT,
    Resp,
    bls_path,
    bls_years_served,
    bls_zip,
    fast_env,
    run_cli,
    serve_all,
    tree_sha256,
)

FIXTURE_SOURCES = ["--source", "aijobs_salaries", "--source", "bls_oews"]


@pytest.fixture
def cli_env(monkeypatch, server, tmp_path):  # type: ignore[no-untyped-def]
    """LMD_* environment pointing at the fixture server and a temp data dir."""
    serve_all(server)
    data = tmp_path / "data"
    for k, v in fast_env(data, server.url).items():
        if k.startswith("LMD_"):
            monkeypatch.setenv(k, v)
    return data


def test_sources_lists_name_publisher_licence_urls(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    for name, mod in SOURCES.items():
        assert name in out
        assert mod.ORIGIN.producer in out and mod.ORIGIN.license in out
        for u in mod.ORIGIN.urls:
            assert u in out
    assert "aijobs.net (Foorilla LLC)" in out and "CC0 1.0" in out
    assert "U.S. Bureau of Labor Statistics" in out and "US public domain" in out


def test_refresh_exit_0_then_status_json(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["status", "--json"]) == 0  # before any refresh: nothing, but well-formed
    before = {r["source"]: r for r in json.loads(capsys.readouterr().out)}
    assert before["aijobs_salaries"]["last_success"] is None
    assert before["aijobs_salaries"]["snapshot_age_hours"] is None

    assert main(["refresh", *FIXTURE_SOURCES]) == 0
    out = capsys.readouterr().out
    assert "salaries=120" in out and "oews_wages=" in out

    assert main(["status", "--json"]) == 0
    rows = {r["source"]: r for r in json.loads(capsys.readouterr().out)}
    assert set(rows) == set(SOURCES)  # every registered source has a status row
    a = rows["aijobs_salaries"]
    for key in (
        "last_attempt",
        "last_success",
        "snapshot_age_hours",
        "rows_published",
        "last_error",
    ):
        assert key in a
    assert a["last_success"] and a["last_attempt"] and a["last_error"] is None
    assert 0 <= a["snapshot_age_hours"] < 0.1
    assert a["rows_published"]["salaries"] == 120
    # the title map that built the roles is published beside them, and the responses counted
    # per combination of the pay filters (what the dashboard's pay statistics read)
    assert set(a["rows_published"]) == {
        "salaries",
        "salary_counts",
        "salary_title_counts",
        "job_title_map",
    }
    assert rows["bls_oews"]["rows_published"] == {"oews_wages": 3 * len(bls_years_served())}
    assert a["stale"] is False


def test_refresh_exit_1_when_one_source_fails(cli_env, server, capsys) -> None:  # type: ignore[no-untyped-def]
    server.route(bls_path(2022), Resp(500, b"oops"))
    assert main(["refresh", *FIXTURE_SOURCES]) == 1
    cap = capsys.readouterr()
    assert "bls_oews" in cap.err and "last good data is kept" in cap.err
    assert "aijobs_salaries          ok" in cap.out
    main(["status", "--json"])
    rows = {r["source"]: r for r in json.loads(capsys.readouterr().out)}
    assert "HTTP 500" in rows["bls_oews"]["last_error"]
    assert rows["bls_oews"]["last_success"] is None
    assert rows["aijobs_salaries"]["rows_published"]["salaries"] == 120


def test_if_stale_skips_fresh_sources(cli_env, server, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["refresh", *FIXTURE_SOURCES]) == 0
    n = len(server.seen)
    assert main(["refresh", "--if-stale", *FIXTURE_SOURCES]) == 0
    assert "skipped (fresh)" in capsys.readouterr().out
    assert len(server.seen) == n  # no request at all


def test_bad_setting_is_exit_2(monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LMD_RETRIES", "three")
    assert main(["status"]) == 2
    assert "LMD_RETRIES='three' is not a valid int" in capsys.readouterr().err


# one invalid value for every setting (tests/unit/test_config.py checks each message)
INVALID_SETTINGS = {
    "LMD_DATA_DIR": str(Path(__file__)),  # a file
    "LMD_MIRROR": "/nonexistent/mirror",
    "LMD_CONTACT": "me@example.org\nX-Injected: 1",
    "LMD_KEEP_SNAPSHOTS": "0",
    "LMD_CONNECT_TIMEOUT": "soon",
    "LMD_READ_TIMEOUT": "nan",
    "LMD_RETRIES": "1.5",
    "LMD_BACKOFF": "inf",
    "LMD_MAX_RETRY_AFTER": "-1",
    "LMD_MAX_BYTES": "10MB",
    "LMD_DOWNLOAD_DEADLINE": "0",
}


def test_every_setting_has_an_invalid_case() -> None:
    assert set(INVALID_SETTINGS) == set(SETTINGS_DOC)


@pytest.mark.parametrize("name", sorted(INVALID_SETTINGS))
@pytest.mark.parametrize("command", [["refresh"], ["status"], ["facts"]])
def test_every_invalid_setting_names_the_variable(monkeypatch, capsys, name, command) -> None:  # type: ignore[no-untyped-def]
    for k in [k for k in os.environ if k.startswith("LMD_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv(name, INVALID_SETTINGS[name])
    assert main(command) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {name}=") and err.count("\n") == 1, err


@pytest.mark.parametrize("name", ["LMD_DATA_DIR", "LMD_MIRROR", "LMD_BACKOFF", "LMD_RETRIES"])
def test_invalid_setting_in_a_real_process_is_one_line_no_traceback(name, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = fast_env(tmp_path / "data", **{name: INVALID_SETTINGS[name]})
    done = run_cli("refresh", "--source", "aijobs_salaries", env=env)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith(f"error: {name}=") and done.stderr.count("\n") == 1, done.stderr
    assert not (tmp_path / "data").exists()  # nothing was started


# --------------------------------------------------------------------------------------------
# BLS: blocked downloads and the manual import


def test_bls_403_says_blocked_and_keeps_published_data(cli_env, server, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["refresh", *FIXTURE_SOURCES]) == 0
    before = tree_sha256(cli_env / "processed")
    for y in bls_years_served():
        server.route(bls_path(y), Resp(403, b"<html>Access Denied</html>"))
    assert main(["refresh", "--source", "bls_oews"]) == 1
    out = capsys.readouterr().out
    assert "HTTP 403" in out and "bls.gov often refuses scripted downloads" in out
    assert "LMD_CONTACT" in out and "python -m etl import bls_oews oesm21nat.zip" in out
    assert tree_sha256(cli_env / "processed") == before
    # the User-Agent the server refused did carry the contact
    assert CONTACT in server.seen[-1].headers["User-Agent"]


def test_import_bls_zip_publishes_rows(cli_env, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "oesm23nat.zip"
    f.write_bytes(bls_zip(2023))
    assert main(["import", "bls_oews", str(f)]) == 0
    assert "oews_wages=3" in capsys.readouterr().out
    manifest = json.loads((cli_env / "processed" / "manifest.json").read_text())
    assert manifest["tables"]["oews_wages"]["rows"] == 3
    snaps = list((cli_env / "raw" / "bls_oews").iterdir())
    side = json.loads((snaps[0] / "_snapshot.json").read_text())
    assert side["files"]["oesm23nat.zip"]["how"] == "imported"


def _three_bls_snapshots(server) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):  # keep_snapshots = 3: the store is full
        rows = (
            (
                "15-2051",
                "Data Scientists",
                "detailed",
                1000 + i,
                100_000,
                50_000,
                60_000,
                70_000,
                80_000,
                90_000,
                40.0,
            ),
        )
        server.route(bls_path(2023), Resp(body=bls_zip(2023, rows=rows)))
        assert main(["refresh", "--source", "bls_oews"]) == 0


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"this is not a zip", "not a zip archive"),
        (bls_zip(2023, workbook=b"broken workbook"), "not a readable workbook"),
        (bls_zip(2022, sheet="Sheet1"), "sheet 'national_M2022_dl' not found"),
    ],
)
def test_import_broken_zip_changes_nothing(
    cli_env, server, tmp_path, capsys, body, message
) -> None:  # type: ignore[no-untyped-def]
    _three_bls_snapshots(server)
    raw_before = sorted(p.name for p in (cli_env / "raw" / "bls_oews").iterdir())
    processed_before = tree_sha256(cli_env / "processed")
    capsys.readouterr()
    f = tmp_path / "oesm23nat.zip"
    f.write_bytes(body)
    assert main(["import", "bls_oews", str(f)]) == 2
    err = capsys.readouterr().err
    assert message in err and "nothing was changed" in err
    assert sorted(p.name for p in (cli_env / "raw" / "bls_oews").iterdir()) == raw_before
    assert tree_sha256(cli_env / "processed") == processed_before


def test_import_missing_file(cli_env, capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["import", "bls_oews", str(Path("/nonexistent/oesm23nat.zip"))]) == 2
    assert "no such file" in capsys.readouterr().err
