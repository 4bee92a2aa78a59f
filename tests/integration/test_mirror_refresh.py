"""Runs the real fetch code against the offline mirror (the copy of the live sources) into a
temporary data directory and checks the published tables against what a person can count in the
mirror's own files (computed here, at test time: tests/mirror.py) and against figures the sources
publish (BLS medians). No count of one mirror version is pinned, so the mirror can grow."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from etl import store
from etl.coverage import facts_lines, readme_facts_lines
from etl.vocab import ERA_MATCH_MIN_N
from tests import mirror

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.mirror,
    pytest.mark.skipif(not mirror.available(), reason=mirror.SKIP_REASON),
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
            str(mirror.MIRROR_DIR),
            "--data-dir",
            str(data_dir),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return data_dir


def table(data_dir: Path, name: str) -> pd.DataFrame:
    return store.read_table(data_dir / "processed", name)


def test_bls_data_scientist_medians(published):
    o = table(published, "oews_wages")
    ds = o[o.soc_code == "15-2051"].set_index("year")["wage_annual_median_usd"]
    # BLS OEWS national median annual wage of Data Scientists (15-2051), as BLS published them
    assert ds[2021] == 100910
    assert ds[2022] == 103500
    assert ds[2023] == 108020
    assert ds[2024] == 112590
    assert ds[2025] == 120230  # May 2025 estimates (national_M2025_dl.xlsx)
    proxies = o[o.is_proxy]
    assert set(proxies.soc_code) == {"15-1252", "15-1221"}
    assert proxies.role_label.str.contains("proxy").all()
    # 15-1221's 2021 P90 is top-coded (#) in the workbook: withheld, not zero
    r = o[(o.year == 2021) & (o.soc_code == "15-1221")].iloc[0]
    assert pd.isna(r.wage_annual_p90_usd) and "wage_annual_p90_usd" in r.topcoded_columns


def test_aijobs_rows_and_titles_match_the_csv(published):
    rows = mirror.aijobs_rows()
    s = table(published, "salaries")
    assert len(s) == len(rows)
    titles = Counter(r["job_title"] for r in rows)
    assert (s.job_title == "Data Scientist").sum() == titles["Data Scientist"]
    assert (s.role_strict == "data_scientist").sum() == titles["Data Scientist"]
    assert (s.role_strict == "ml_engineer").sum() == titles["Machine Learning Engineer"]
    ds = sorted(int(r["salary_in_usd"]) for r in rows if r["job_title"] == "Data Scientist")
    assert s[s.job_title == "Data Scientist"].salary_usd_annual.median() == pd.Series(ds).median()
    years = Counter(int(r["work_year"]) for r in rows)
    assert s.work_year.value_counts().to_dict() == dict(years)


def test_indeed_proxies_labelled(published):
    sec = table(published, "indeed_sector_index")
    assert set(sec.loc[sec.proxy_for != "", "sector"]) == {"Mathematics", "Software Development"}
    assert sec.date.min() == pd.Timestamp("2020-02-01")


def test_manifest_traces_inputs_and_coverage(published):
    m = store.read_manifest(published / "processed")
    rows = mirror.aijobs_rows()
    t = m["tables"]["salaries"]
    assert t["rows"] == len(rows) and t["source"] == "aijobs_salaries"
    assert len(t["input_sha256"]["salaries.csv"]) == 64
    assert m["sources"]["bls_oews"]["origin"]["license"] == "US public domain"
    months = sorted(mirror.hn_threads())
    hn = m["sources"]["hn_whoishiring"]
    assert hn["data_through"] == str((pd.Period(months[-1], "M").to_timestamp(how="end")).date())
    cov = hn["coverage"]
    assert cov["first_month"] == months[0] and cov["last_month"] == months[-1]
    expected_missing = [
        str(p) for p in pd.period_range(months[0], months[-1], freq="M") if str(p) not in months
    ]
    assert cov["months_missing"] == expected_missing
    assert cov["threads"] == len(months)
    assert cov["postings"] == sum(mirror.hn_postings_per_month().values())
    sal = m["sources"]["aijobs_salaries"]
    years = Counter(r["work_year"] for r in rows)
    assert sal["coverage"]["rows_by_year"] == dict(sorted(years.items()))
    assert sal["data_through"] == f"{max(int(y) for y in years)}-12-31"
    top = Counter(r["company_location"] for r in rows).most_common(1)[0]
    assert sal["coverage"]["top_countries"][0]["code"] == top[0]
    assert sal["coverage"]["top_countries"][0]["rows"] == top[1]
    seen, repeats = set(), 0
    for r in rows:
        key = tuple(r.values())
        repeats += key in seen
        seen.add(key)
    assert sal["coverage"]["exact_duplicate_share_pct"] == round(100 * repeats / len(rows), 1)


def test_readme_facts_come_from_a_mirror_run(published):
    """The README's facts block is what a refresh of this mirror publishes, line for line
    (regenerate it with `python -m etl facts --write-readme` after a mirror refresh)."""
    m = store.read_manifest(published / "processed")
    readme = (REPO / "README.md").read_text()
    assert readme_facts_lines(readme) == facts_lines(m)


def test_second_refresh_reuses_snapshots(published):
    before = sorted(p.name for p in (published / "raw" / "aijobs_salaries").iterdir())
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "etl",
            "refresh",
            "--mirror",
            str(mirror.MIRROR_DIR),
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


def test_hn_threads_and_postings_match_the_mirror_files(published):
    threads = table(published, "hn_threads")
    posts = table(published, "hn_postings")
    per_month = mirror.hn_postings_per_month()
    assert sorted(threads.thread_month.dt.strftime("%Y-%m")) == sorted(per_month)
    assert len(posts) == sum(per_month.values())
    assert posts.posting_id.is_unique
    published_per_month = posts.thread_month.dt.strftime("%Y-%m").value_counts().to_dict()
    assert published_per_month == {m: n for m, n in per_month.items() if n}
    by_month = threads.set_index(threads.thread_month.dt.strftime("%Y-%m"))["postings"]
    assert by_month.to_dict() == per_month
    # children without a text (deleted postings) are in the files but are not postings
    assert mirror.hn_children_without_text() > 0


def test_demand_and_skills_published(published):
    d = table(published, "hn_demand_monthly")
    assert set(d.role) == {"data_scientist", "ml_engineer", "ai_engineer"}
    assert d.thread_month.nunique() == len(mirror.hn_threads())
    ps = table(published, "posting_skills")
    assert ps.skill.nunique() > 100
    counts = table(published, "hn_role_year_counts")
    sk = table(published, "hn_skill_counts")
    j = sk.merge(counts, on=["definition", "role", "posted_year"])
    assert len(j) == len(sk) and (j.postings_with_skill <= j.role_postings).all()
    # every role posting of the anywhere definition is counted once per year
    posts = table(published, "hn_postings")
    n_ds = int(posts.is_data_scientist_anywhere.sum())
    anywhere = counts[(counts.definition == "anywhere") & (counts.role == "data_scientist")]
    assert int(anywhere.role_postings.sum()) == n_ds
    conv = table(published, "hn_role_convergence")
    measured = conv[conv.cosine.notna()]
    assert len(measured) and (measured.ci_low <= measured.ci_high).all()
    # a year without a cosine is one where a role has too few postings to compare (by design)
    unmeasured = conv[conv.cosine.isna()]
    assert (unmeasured[["n_a", "n_b"]].min(axis=1) < ERA_MATCH_MIN_N).all()


def test_declared_skill_anchors_lose_no_match_on_real_postings(published):
    """The matcher only runs a regex skill on postings holding one of the anchors the taxonomy
    declares for it: on a sample of real postings it finds exactly what searching every skill's
    pattern finds."""
    from etl.transform.skills import SkillMatcher, load_taxonomy, naive_skills_in

    tax = load_taxonomy()
    regex = tax[tax.rule == "regex"]
    m = SkillMatcher(regex)
    posts = table(published, "hn_postings").sample(n=4000, random_state=7)
    for text in posts.text:
        assert m.skills_in(text) == naive_skills_in(text, m)


def test_committed_eval_figures_are_this_codes(published):
    """eval/results.json (quoted in the README and on Data & methods) is what this code scores on
    the labelled postings published from the mirror: a rule change without `make eval` fails."""
    proc = subprocess.run(
        [sys.executable, "-m", "eval", "--data-dir", str(published), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.skipif(not mirror.gj_files(), reason="no Google Jobs workbooks in the mirror")
def test_google_jobs_counts_match_the_workbooks(published):
    counted = mirror.gj_counts()
    m = store.read_manifest(published / "processed")
    cov = m["sources"]["google_jobs_data_roles"]["coverage"]
    assert cov["rows_by_file"] == {f: c["rows"] for f, c in counted.items()}
    assert cov["source_rows"] == sum(c["rows"] for c in counted.values())
    months = [f"job_postings_{mm:02d}-2024.xlsx" for mm in range(1, 13)]
    assert cov["files_not_published"] == [f for f in months if f not in counted]
    p = table(published, "gj_postings")
    assert len(p) == sum(c["postings"] for c in counted.values())
    assert cov["repeated_rows"] == cov["source_rows"] - len(p)
    for f, c in counted.items():
        mine = p[p.source_file == f]
        assert len(mine) == c["postings"], f
        assert mine.job_title_short.value_counts().to_dict() == c["labels"], f
    # the month's denominator is every posting of that month's file
    rm = table(published, "gj_role_monthly")
    per_month = (
        rm[(rm["sample"] == "all_postings") & (rm.definition == "strict")]
        .groupby("posted_month")["month_postings"]
        .first()
    )
    by_file = p[p["sample"] == "all_postings"].groupby("posted_month").size()
    assert per_month.to_dict() == by_file.to_dict()
    # the strict role is the author's exact label unless the posting's own title is an exact title
    ds_label = sum(c["labels"].get("Data Scientist", 0) for c in counted.values())
    assert abs((p.role_strict == "data_scientist").sum() - ds_label) <= 0.01 * ds_label


@pytest.mark.skipif(not mirror.CPI_CSV.is_file(), reason="no CPI-U file in the mirror")
def test_cpi_annual_averages_match_the_file_and_bls(published):
    rows = mirror.cpi_rows()
    a = table(published, "cpi_annual").set_index("calendar_year")
    # annual averages BLS publishes for CPI-U all items
    assert round(a.loc[2019, "cpi_annual_avg"], 3) == 255.657
    assert round(a.loc[2024, "cpi_annual_avg"], 3) == 313.689
    by_year: dict[int, list[float]] = {}
    for r in rows:
        by_year.setdefault(int(r["Date"][:4]), []).append(float(r["Index"]))
    assert a["months"].to_dict() == {y: len(v) for y, v in by_year.items()}
    complete = [y for y, v in by_year.items() if len(v) == 12]
    cov = store.read_manifest(published / "processed")["sources"]["cpi_us"]["coverage"]
    assert cov["base_year"] == max(complete)
    assert len(table(published, "cpi_monthly")) == len(rows)
