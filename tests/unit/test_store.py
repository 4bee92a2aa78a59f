"""Publishing: manifest contents, all-or-nothing per source, carried tables, version pruning."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys

import pandas as pd

from etl import pipeline, store
from etl.__main__ import main
from tests.conftest import (
    AIJOBS_HOST_PATH,
    Resp,
    aijobs_csv,
    bls_path,
    bls_years_served,
    bls_zip_cached,
    fast_env,
    read_published,
    tree_sha256,
)

TWO = ["aijobs_salaries", "bls_oews"]


def test_manifest_records_rows_checksums_code_version_and_times(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    report = pipeline.refresh(settings, TWO)
    assert report.ok
    m = store.read_manifest(settings.processed_dir)
    assert m is not None and m["version"] == report.manifest_version
    sal = m["tables"]["salaries"]
    assert sal["rows"] == 120 and sal["source"] == "aijobs_salaries"
    assert sal["input_sha256"] == {"salaries.csv": hashlib.sha256(aijobs_csv(120)).hexdigest()}
    assert sal["file"] == f"v/{m['version']}/salaries.parquet"
    assert "salary_usd_annual" in sal["columns"]
    oews = m["tables"]["oews_wages"]
    assert oews["rows"] == 3 * len(bls_years_served())
    assert oews["input_sha256"]["oesm23nat.zip"] == hashlib.sha256(bls_zip_cached(2023)).hexdigest()
    assert re.fullmatch(r"\d+\.\d+\.\d+(\+[0-9a-f]+)?", m["run"]["code_version"])
    assert m["run"]["started_at"].endswith("Z") and m["run"]["mode"] == "mirror"
    assert m["published_at"].endswith("Z") and sal["published_at"].endswith("Z")
    assert m["sources"]["aijobs_salaries"]["origin"]["license"] == "CC0 1.0"
    assert m["sources"]["bls_oews"]["snapshot_id"] == oews["snapshot_id"]
    from etl.transform.roles import load_title_map

    published = read_published(settings.processed_dir)
    # the counts of distinct responses the pay statistics read: every response counted once
    counts = store.read_table(settings.processed_dir, "salary_counts", m)
    assert published.pop("salary_counts") == len(counts) <= 120 and counts["n"].sum() == 120
    titles = store.read_table(settings.processed_dir, "salary_title_counts", m)
    assert published.pop("salary_title_counts") == len(titles) and titles["n"].sum() == 120
    assert published == {
        "oews_wages": oews["rows"],
        "salaries": 120,
        "job_title_map": len(load_title_map()),
    }


def test_schema_failure_publishes_nothing_for_that_source(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    assert pipeline.refresh(settings, TWO).ok
    before = store.read_manifest(settings.processed_dir)
    bad = aijobs_csv(120).replace(b",50000,USD,50000,", b",0,USD,0,", 1)  # row 0: salary 0
    server.route(AIJOBS_HOST_PATH, Resp(body=bad))
    report = pipeline.refresh(settings, ["aijobs_salaries"])
    assert not report.ok
    err = report.outcomes[0].error
    assert "SchemaError" in err and "salary_usd_annual must be > 0: 1 rows fail" in err
    after = store.read_manifest(settings.processed_dir)
    assert after == before  # nothing was published at all
    df = store.read_table(settings.processed_dir, "salaries")
    assert len(df) == 120 and df["salary_usd_annual"].min() == 50_000


def test_one_failing_source_does_not_block_the_other(served, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    assert pipeline.refresh(settings, TWO).ok
    old = store.read_manifest(settings.processed_dir)
    server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(130)))  # aijobs has new data
    server.route(bls_path(2022), Resp(body=b"<html><body>Access denied</body></html>"))
    for k, v in fast_env(settings.data_dir, server.url).items():
        if k.startswith("LMD_"):
            monkeypatch.setenv(k, v)
    code = main(["refresh", "--source", "aijobs_salaries", "--source", "bls_oews"])
    assert code == 1
    new = store.read_manifest(settings.processed_dir)
    assert new["tables"]["salaries"]["rows"] == 130  # updated
    # the failed source's table is carried over unchanged (same metadata, same bytes)
    assert new["tables"]["oews_wages"]["snapshot_id"] == old["tables"]["oews_wages"]["snapshot_id"]
    a = pd.read_parquet(settings.processed_dir / old["tables"]["oews_wages"]["file"])
    b = pd.read_parquet(settings.processed_dir / new["tables"]["oews_wages"]["file"])
    pd.testing.assert_frame_equal(a, b)
    # NOTE: by mtime: two reports in one second are named ...Z.json and ...Z-1.json, and the
    # second sorts first by name
    reports = sorted(
        settings.reports_dir.glob("refresh-*.json"), key=lambda p: p.stat().st_mtime_ns
    )
    last = json.loads(reports[-1].read_text())
    failed = [o for o in last["outcomes"] if not o["ok"]]
    assert [o["source"] for o in failed] == ["bls_oews"]
    assert "HTML page" in failed[0]["error"] and "oesm22nat.zip" in failed[0]["error"]


def test_publish_carries_tables_and_keeps_few_versions(tmp_path) -> None:  # type: ignore[no-untyped-def]
    processed = tmp_path / "processed"
    df = pd.DataFrame({"x": [1, 2, 3]})
    store.publish(processed, {"a": (df, {"source": "s1"})}, {}, {})
    versions = []
    for i in range(5):
        b = pd.DataFrame({"y": range(i + 1)})
        m = store.publish(processed, {"b": (b, {"source": "s2"})}, {}, {})
        versions.append(m["version"])
    assert m["tables"]["a"]["rows"] == 3 and m["tables"]["b"]["rows"] == 5
    assert m["previous_rows"] == {"a": 3, "b": 4}
    left = sorted(p.name for p in (processed / "v").iterdir())
    assert left == versions[-3:]  # KEEP_VERSIONS
    assert read_published(processed) == {"a": 3, "b": 5}


def test_dead_tmp_version_folders_are_cleaned(tmp_path) -> None:  # type: ignore[no-untyped-def]
    processed = tmp_path / "processed"
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    stale = processed / "v" / f".tmp-20250101T000000000000Z-{p.pid}"
    stale.mkdir(parents=True)
    (stale / "t.parquet").write_bytes(b"half")
    store.publish(processed, {"t": (pd.DataFrame({"x": [1]}), {})}, {}, {})
    assert not stale.exists()


def test_failed_publish_leaves_manifest_and_no_tmp(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    processed = tmp_path / "processed"
    store.publish(processed, {"t": (pd.DataFrame({"x": [1]}), {})}, {}, {})
    before = tree_sha256(processed)

    class Boom(pd.DataFrame):
        def to_parquet(self, *a, **k):  # type: ignore[no-untyped-def]
            raise OSError("disk full")

    try:
        store.publish(processed, {"u": (Boom({"x": [1]}), {})}, {}, {})
    except OSError:
        pass
    assert tree_sha256(processed) == before
