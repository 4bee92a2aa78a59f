"""Runs the real fetch code against ../shared/mirror (the offline copy of the live sources) into a
temporary data directory and checks published values against the sources' own figures."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from etl import store

REPO = Path(__file__).resolve().parents[2]
MIRROR = Path(os.environ.get("LMD_MIRROR_DIR", REPO.parent / "shared" / "mirror"))

pytestmark = [
    pytest.mark.mirror,
    pytest.mark.skipif(
        not MIRROR.is_dir(),
        reason=f"no mirror of the live sources at {MIRROR} (a fresh clone has none)",
    ),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "etl",
            "refresh",
            "--mirror",
            str(MIRROR),
            "--data-dir",
            str(data_dir),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return data_dir


def table(data_dir: Path, name: str) -> pd.DataFrame:
    return store.read_table(data_dir / "processed", name)


def test_bls_data_scientist_medians(published):
    o = table(published, "oews_wages")
    ds = o[o.soc_code == "15-2051"].set_index("year")["wage_annual_median_usd"]
    assert ds[2023] == 108020
    assert ds[2024] == 112590
    assert sorted(o.year.unique()) == [2021, 2022, 2023, 2024, 2025]
    proxies = o[o.is_proxy]
    assert set(proxies.soc_code) == {"15-1252", "15-1221"}
    assert proxies.role_label.str.contains("proxy").all()
    # 15-1221's 2021 P90 is top-coded (#) in the workbook: withheld, not zero
    r = o[(o.year == 2021) & (o.soc_code == "15-1221")].iloc[0]
    assert pd.isna(r.wage_annual_p90_usd) and "wage_annual_p90_usd" in r.topcoded_columns


def test_aijobs_exact_data_scientist(published):
    s = table(published, "salaries")
    assert len(s) == 74301
    ds = s[s.job_title == "Data Scientist"]
    assert len(ds) == 11669
    assert ds.salary_usd_annual.median() == 152000
    assert (s.role_strict == "data_scientist").sum() == 11669
    assert (s.role_strict == "ml_engineer").sum() == 5841


def test_indeed_proxies_labelled(published):
    sec = table(published, "indeed_sector_index")
    assert set(sec.loc[sec.proxy_for != "", "sector"]) == {"Mathematics", "Software Development"}
    assert sec.date.min() == pd.Timestamp("2020-02-01")


def test_manifest_traces_inputs(published):
    m = store.read_manifest(published / "processed")
    t = m["tables"]["salaries"]
    assert t["rows"] == 74301 and t["source"] == "aijobs_salaries"
    assert len(t["input_sha256"]["salaries.csv"]) == 64
    assert m["sources"]["bls_oews"]["origin"]["license"] == "US public domain"
    through = {name: src["data_through"] for name, src in m["sources"].items()}
    assert through == {
        "aijobs_salaries": "2025-12-31",
        "bls_oews": "2025-05-31",
        "hn_whoishiring": "2026-05-31",
        "indeed_postings_index": "2024-09-27",
    }


def test_second_refresh_reuses_snapshots(published):
    before = sorted(p.name for p in (published / "raw" / "aijobs_salaries").iterdir())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "etl",
            "refresh",
            "--mirror",
            str(MIRROR),
            "--data-dir",
            str(published),
            "--source",
            "aijobs_salaries",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    after = sorted(p.name for p in (published / "raw" / "aijobs_salaries").iterdir())
    assert before == after  # the 304 reused the snapshot: no new folder


def test_hn_threads_and_postings(published):
    threads = table(published, "hn_threads")
    posts = table(published, "hn_postings")
    assert len(threads) == 59
    # The mirror holds 29,890 top-level children; one (id 8122553, August 2014) has an empty text,
    # so it is not a posting under the definition "top-level children that have text".
    assert len(posts) == 29_889
    assert 8122553 not in set(posts.posting_id)
    nov17 = threads[threads.thread_month == pd.Timestamp("2017-11-01")].iloc[0]
    assert nov17.postings == 854
    assert (posts.thread_month == pd.Timestamp("2017-11-01")).sum() == 854


def test_hn_children_count_matches_mirror_readme():
    import json

    items = MIRROR / "hn.algolia.com" / "api" / "v1" / "items"
    children = sum(len(json.loads(p.read_bytes())["children"]) for p in items.iterdir())
    assert children == 29_890


def test_demand_and_skills_published(published):
    d = table(published, "hn_demand_monthly")
    assert set(d.role) == {"data_scientist", "ml_engineer", "ai_engineer"}
    assert d.thread_month.nunique() == 59
    ps = table(published, "posting_skills")
    assert ps.skill.nunique() > 100
    sh = table(published, "skill_shares")
    assert (sh.postings_with_skill <= sh.role_postings).all()
