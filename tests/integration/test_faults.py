"""Fault matrix: every source x every fault, through the real fetch code against a local server.

Rows come from `SOURCE_FIXTURES` in tests/conftest.py (one per source); a new source joins the
matrix by adding its row there. For each failure the published files stay byte-identical and the
error, in the outcome and in the JSON run report, names the source and the cause. The HN thread
list (search answer) and a posting found in two HN threads have their own cases.

The second matrix is data that arrives intact and parses but is wrong (`CHANGES` x every source
where the case applies, from each row's `changes`): cut short, every row twice, in thousands of
dollars, a key gone, a column emptied. The change guards (etl/guards.py) or the schema refuse it
with a message naming the table, the measure, the old and new values and the threshold, and the
published files stay byte-identical; `--accept-change` publishes it on purpose.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from etl import pipeline, sources
from etl.http import HttpClient
from etl.sources import SOURCES
from tests.conftest import (
    AIJOBS_HOST_PATH,
    HN_NOW_ID,
    HN_NOW_MONTH,
    HN_OLD_ID,
    HN_SEARCH_PATH,
    SOURCE_FIXTURES,
    FaultServer,
    Resp,
    SourceFixture,
    aijobs_csv,
    fast_settings,
    hn_item_json,
    hn_item_path,
    hn_search_json,
    read_published,
    tree_sha256,
)

HTML = b"<!DOCTYPE html><html><head><title>Rate limited</title></head><body>Try later</body></html>"


@dataclass(frozen=True)
class Fault:
    answers: Callable[[SourceFixture], list[Resp] | None]  # None: not applicable to this source
    ok: bool
    cause: str  # regex the error must match (failures), or "" for recoveries
    attempts: int | None = None  # requests to the target file expected


FAULTS: dict[str, Fault] = {
    "5xx_then_ok": Fault(
        lambda fx: [Resp(500, b"e"), Resp(502, b"e"), Resp(503, b"e"), Resp(body=fx.valid())],
        ok=True,
        cause="",
        attempts=4,
    ),
    "429_retry_after": Fault(
        lambda fx: [Resp(429, b"", headers={"Retry-After": "1"}), Resp(body=fx.valid())],
        ok=True,
        cause="",
        attempts=2,
    ),
    "5xx_forever": Fault(
        lambda fx: [Resp(503, b"e")], ok=False, cause=r"HTTP 503 .*after 4 attempts", attempts=4
    ),
    "connection_reset": Fault(
        lambda fx: [Resp(mode="reset")], ok=False, cause=r"ConnectionError", attempts=4
    ),
    "read_timeout": Fault(
        lambda fx: [Resp(body=fx.valid(), delay=0.6)], ok=False, cause=r"ReadTimeout", attempts=4
    ),
    "truncated_body": Fault(
        lambda fx: [Resp(body=fx.valid(), mode="truncate")],
        ok=False,
        cause=r"ChunkedEncodingError|IncompleteRead|truncated",
        attempts=4,
    ),
    "corrupt_gzip": Fault(
        lambda fx: [
            Resp(body=b"\x1f\x8b\x08\x00garbled" * 20, headers={"Content-Encoding": "gzip"})
        ],
        ok=False,
        cause=r"corrupt gzip body .*after 4 attempts",
        attempts=4,
    ),
    # a piece every 0.15 s never trips the 0.3 s read timeout; the 1 s deadline ends it, unretried
    "past_deadline": Fault(
        lambda fx: [Resp(body=fx.valid(), mode="slow", delay=3.0, chunks=20)],
        ok=False,
        cause=r"deadline of 1 s \(LMD_DOWNLOAD_DEADLINE\)",
        attempts=1,
    ),
    "html_with_200": Fault(lambda fx: [Resp(body=HTML)], ok=False, cause=r"HTML page", attempts=1),
    "empty_body": Fault(lambda fx: [Resp(body=b"")], ok=False, cause=r"empty body", attempts=1),
    "over_size_cap": Fault(
        lambda fx: [Resp(body=fx.valid() + b"\n" * 300_000)],  # cap in this module: 300,000
        ok=False,
        cause=r"larger than the cap .*LMD_MAX_BYTES",
        attempts=1,
    ),
    "renamed_column": Fault(
        lambda fx: [Resp(body=fx.renamed())], ok=False, cause="{renamed}", attempts=1
    ),
    "not_utf8": Fault(
        lambda fx: [Resp(body=fx.not_utf8())] if fx.not_utf8 else None,
        ok=False,
        cause=r"not UTF-8",
        attempts=1,
    ),
    "duplicated_rows": Fault(lambda fx: [Resp(body=fx.duplicated())], ok=True, cause="dup"),
}


def matrix_settings(data_dir: Path, server: FaultServer):  # type: ignore[no-untyped-def]
    return fast_settings(
        data_dir,
        mirror=server.url,
        retries=3,
        read_timeout=0.3,
        max_bytes=300_000,
        download_deadline=1.0,
    )


# Sources whose authors are still writing their fixture row (remove a name when its row lands).
PENDING_ROWS: set[str] = set()


def test_every_registered_source_has_a_fault_row() -> None:
    missing = sorted(set(SOURCES) - set(SOURCE_FIXTURES) - PENDING_ROWS)
    assert not missing, (
        f"sources without a row in SOURCE_FIXTURES (tests/conftest.py): {missing}; "
        "add one so the fault matrix covers them"
    )
    assert not PENDING_ROWS & set(SOURCE_FIXTURES), "a pending source has its row: drop it"
    pending = sorted(PENDING_ROWS & set(SOURCES))
    if pending:
        pytest.xfail(f"fault matrix rows still to add for {pending}")


@pytest.fixture(scope="module")
def matrix_server():  # type: ignore[no-untyped-def]
    s = FaultServer()
    yield s
    s.close()


@pytest.fixture(scope="module")
def baselines(matrix_server, tmp_path_factory):  # type: ignore[no-untyped-def]
    """One good refresh per source, made once; each test works on a copy."""
    out = {}
    for name in SOURCE_FIXTURES:
        for other in SOURCE_FIXTURES.values():
            other.install(matrix_server)
        d = tmp_path_factory.mktemp(f"baseline-{name}") / "data"
        report = pipeline.refresh(matrix_settings(d, matrix_server), [name])
        assert report.ok, report.outcomes
        out[name] = d
    return out


CASES = [(s, f) for s in SOURCE_FIXTURES for f in FAULTS]


@pytest.mark.parametrize(("source", "fault"), CASES, ids=[f"{s}-{f}" for s, f in CASES])
def test_fault(source, fault, matrix_server, baselines, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fx = SOURCE_FIXTURES[source]
    spec = FAULTS[fault]
    answers = spec.answers(fx)
    if answers is None:
        pytest.skip(f"{fault} does not apply to {source} (binary format)")
    data = tmp_path / "data"
    shutil.copytree(baselines[source], data)
    settings = matrix_settings(data, matrix_server)
    for other in SOURCE_FIXTURES.values():
        other.install(matrix_server)
    matrix_server.route(fx.target, *answers)
    before = tree_sha256(settings.processed_dir)
    n0 = matrix_server.count(fx.target)
    sleeps: list[float] = []
    client = HttpClient(settings, sleep=sleeps.append)
    try:
        report = pipeline.refresh(settings, [source], client=client)
    finally:
        client.close()
    outcome = report.outcomes[0]
    saved = json.loads(Path(report.report_path).read_text())
    saved_outcome = saved["outcomes"][0]
    assert saved_outcome["source"] == source
    if spec.attempts is not None:
        assert matrix_server.count(fx.target) - n0 == spec.attempts

    expect_ok = spec.ok
    cause = spec.cause.replace("{renamed}", "|".join(fx.renamed_names))
    if fault == "duplicated_rows":
        kind, _, detail = fx.duplicated_outcome.partition(":")
        expect_ok = kind == "kept"
        cause = detail

    if expect_ok:
        assert outcome.ok, outcome.error
        assert saved["ok"] is True and saved_outcome["error"] is None
        rows = read_published(settings.processed_dir)
        if fault == "duplicated_rows":
            table, _, n = cause.partition("=")
            assert rows[table] == int(n)
        if fault == "429_retry_after":
            assert 1.0 in sleeps
        return

    assert not outcome.ok
    assert saved["ok"] is False
    assert saved_outcome["ok"] is False and saved_outcome["error"] == outcome.error
    assert outcome.error and re.search(cause, outcome.error), outcome.error
    if fault != "duplicated_rows":  # a table-level check names the table, not a file
        # the error points at the file that failed (its URL or its name)
        target_file = fx.target.rsplit("/", 1)[-1]
        assert target_file in outcome.error, outcome.error
    # published data untouched, byte for byte
    assert tree_sha256(settings.processed_dir) == before
    state = json.loads((settings.state_dir / "sources.json").read_text())
    assert state[source]["last_error"] == outcome.error


# --------------------------------------------------------------------------------------------
# The HN thread list: the matrix injects faults into one thread item; the search answer that
# lists the threads gets its own cases (its errors surface while fetching, not while parsing).

HN_SEARCH_FAULTS = {
    "no_hits_list": (lambda: hn_search_json(drop="hits"), r"no `hits` list"),
    "renamed_title": (lambda: hn_search_json(drop="title"), r"`title`"),
    "no_object_id": (lambda: hn_search_json(drop="objectID"), r"`objectID`"),
    "not_utf8": (
        lambda: hn_search_json().replace(b"whoishiring", b"who\xe9shiring", 1),
        "not UTF-8",
    ),
}


@pytest.mark.parametrize("case", list(HN_SEARCH_FAULTS))
def test_hn_search_answer_fault(case, matrix_server, baselines, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body, cause = HN_SEARCH_FAULTS[case]
    data = tmp_path / "data"
    shutil.copytree(baselines["hn_whoishiring"], data)
    settings = matrix_settings(data, matrix_server)
    for fx in SOURCE_FIXTURES.values():
        fx.install(matrix_server)
    matrix_server.route(HN_SEARCH_PATH, Resp(body=body()))
    before = tree_sha256(settings.processed_dir)
    report = pipeline.refresh(settings, ["hn_whoishiring"])
    outcome = report.outcomes[0]
    assert not outcome.ok
    assert outcome.error and re.search(cause, outcome.error), outcome.error
    # names the source and the file (the thread list)
    assert "hn_whoishiring" in outcome.error and "search_p0.json" in outcome.error, outcome.error
    assert tree_sha256(settings.processed_dir) == before


def test_hn_posting_in_two_threads_is_an_error(matrix_server, baselines, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Within one thread a repeated posting counts once (the matrix's duplicated_rows case); the
    same posting id in two threads means a mixed-up snapshot and fails the source."""
    item = json.loads(hn_item_json(HN_NOW_ID, HN_NOW_MONTH))
    item["children"][0]["id"] = HN_OLD_ID * 10 + 1  # the first posting of the March 2024 thread
    data = tmp_path / "data"
    shutil.copytree(baselines["hn_whoishiring"], data)
    settings = matrix_settings(data, matrix_server)
    for fx in SOURCE_FIXTURES.values():
        fx.install(matrix_server)
    matrix_server.route(hn_item_path(HN_NOW_ID), Resp(body=json.dumps(item).encode()))
    before = tree_sha256(settings.processed_dir)
    report = pipeline.refresh(settings, ["hn_whoishiring"])
    outcome = report.outcomes[0]
    assert not outcome.ok
    assert outcome.error == "ParseError: hn_whoishiring: 1 postings appear in more than one thread"
    assert tree_sha256(settings.processed_dir) == before


# --------------------------------------------------------------------------------------------
# Data that parses but is wrong: the change guards against the last published version.

CHANGES = (
    "cut_short",
    "series_cut",
    "every_row_twice",
    "in_thousands",
    "key_gone",
    "column_emptied",
)
CHANGE_CASES = [(s, c) for s in SOURCE_FIXTURES for c in CHANGES]


def _served_change(source: str, case: str, server: FaultServer) -> None:
    fx = SOURCE_FIXTURES[source]
    change = fx.changes[case]
    for other in SOURCE_FIXTURES.values():
        other.install(server)
    for path, body in change.others().items():
        server.route(path, Resp(body=body))
    server.route(fx.target, Resp(body=change.body()))


def test_every_change_case_is_in_some_row() -> None:
    used = {c for fx in SOURCE_FIXTURES.values() for c in fx.changes}
    assert used == set(CHANGES), (
        f"rows name {sorted(used - set(CHANGES))}, unused {sorted(set(CHANGES) - used)}"
    )


@pytest.mark.parametrize(
    ("source", "case"), CHANGE_CASES, ids=[f"{s}-{c}" for s, c in CHANGE_CASES]
)
def test_change(source, case, matrix_server, baselines, tmp_path) -> None:  # type: ignore[no-untyped-def]
    fx = SOURCE_FIXTURES[source]
    if case not in fx.changes:
        pytest.skip(f"{case} does not apply to {source}")
    data = tmp_path / "data"
    shutil.copytree(baselines[source], data)
    settings = matrix_settings(data, matrix_server)
    _served_change(source, case, matrix_server)
    before = tree_sha256(settings.processed_dir)
    report = pipeline.refresh(settings, [source])
    outcome = report.outcomes[0]
    saved = json.loads(Path(report.report_path).read_text())["outcomes"][0]
    kind, _, detail = fx.changes[case].outcome.partition(":")
    if kind == "kept":
        assert outcome.ok, outcome.error
        table, _, n = detail.partition("=")
        assert read_published(settings.processed_dir)[table] == int(n)
        return
    assert not outcome.ok and saved["ok"] is False
    assert saved["error"] == outcome.error
    assert outcome.error and re.search(detail, outcome.error), outcome.error
    if kind == "refused":
        assert outcome.error.startswith(
            f"ChangeRefused: {source}: refused against the last published version"
        )
        assert f"--accept-change {source}" in outcome.error
    # the last good tables stay, byte for byte, and the state names the cause
    assert tree_sha256(settings.processed_dir) == before
    state = json.loads((settings.state_dir / "sources.json").read_text())
    assert state[source]["last_error"] == outcome.error


def test_accept_change_publishes_and_the_report_records_it(
    matrix_server, baselines, tmp_path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The salary file cut short is refused; `--accept-change` (offline: the refused snapshot, not
    a new download) publishes its 100 rows and the run report lists what was accepted."""
    from etl.__main__ import main

    data = tmp_path / "data"
    shutil.copytree(baselines["aijobs_salaries"], data)
    settings = matrix_settings(data, matrix_server)
    _served_change("aijobs_salaries", "cut_short", matrix_server)
    assert not pipeline.refresh(settings, ["aijobs_salaries"]).ok
    assert read_published(settings.processed_dir)["salaries"] == 120

    report = pipeline.refresh(
        settings, ["aijobs_salaries"], offline=True, accept_change=["aijobs_salaries"]
    )
    outcome = report.outcomes[0]
    assert outcome.ok, outcome.error
    assert read_published(settings.processed_dir)["salaries"] == 100
    expected = ["salaries: rows 120 -> 100 (-16.7%); threshold: at most 10% fewer"]
    assert outcome.accepted_changes == expected
    saved = json.loads(Path(report.report_path).read_text())
    assert saved["accept_change"] == ["aijobs_salaries"]
    assert saved["outcomes"][0]["accepted_changes"] == expected
    manifest = json.loads((settings.processed_dir / "manifest.json").read_text())
    assert manifest["sources"]["aijobs_salaries"]["accepted_changes"] == expected

    # the CLI: every row twice is refused (exit 1), then accepted; the accepted change is printed
    matrix_server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(120, duplicates=120)))
    args = ["refresh", "--source", "aijobs_salaries", "--data-dir", str(data)]
    assert main([*args, "--mirror", matrix_server.url]) == 1
    assert "share of rows repeating an earlier row" in capsys.readouterr().out
    assert main([*args, "--offline", "--accept-change", "aijobs_salaries"]) == 0
    out = capsys.readouterr().out
    assert "accepted change (--accept-change): salaries: rows 100 -> 240 (+140.0%)" in out, out
    assert read_published(settings.processed_dir)["salaries"] == 240


@pytest.mark.parametrize("source", list(SOURCE_FIXTURES))
def test_an_unchanged_source_keeps_its_tables_without_a_rebuild(
    source, matrix_server, baselines, tmp_path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """Refreshed again with the same answers, a source's snapshot and the code are those of its
    published tables: nothing is built or published, the state records the check. A code or
    mapping change (another build key) or `--offline` rebuilds."""
    data = tmp_path / "data"
    shutil.copytree(baselines[source], data)
    settings = matrix_settings(data, matrix_server)
    for fx in SOURCE_FIXTURES.values():
        fx.install(matrix_server)
    before = tree_sha256(settings.processed_dir)
    version = json.loads((settings.processed_dir / "manifest.json").read_text())["version"]
    built = []
    real = sources.get(source).build
    monkeypatch.setattr(
        sources.get(source), "build", lambda *a, **k: built.append(1) or real(*a, **k)
    )
    report = pipeline.refresh(settings, [source])
    outcome = report.outcomes[0]
    assert outcome.ok and outcome.unchanged, outcome
    assert not built and report.manifest_version is None
    assert tree_sha256(settings.processed_dir) == before
    published = read_published(settings.processed_dir)
    assert set(outcome.rows) == set(sources.get(source).TABLES)
    assert outcome.rows == {t: published[t] for t in outcome.rows}
    state = json.loads((settings.state_dir / "sources.json").read_text())
    assert state[source]["last_success"] >= report.started_at

    offline = pipeline.refresh(settings, [source], offline=True)
    assert offline.outcomes[0].ok and not offline.outcomes[0].unchanged and built == [1]
    monkeypatch.setattr(pipeline.build_cache, "code_key", lambda: "another-code")
    changed = pipeline.refresh(settings, [source])
    assert changed.outcomes[0].ok and not changed.outcomes[0].unchanged and built == [1, 1]
    assert changed.manifest_version not in (None, version)
