"""The Hacker News build's per-thread cache (etl/build_cache.py): a build from the cache equals a
build from scratch; a changed thread, a code or mapping change, or a damaged entry is rebuilt."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from etl import build_cache
from etl.snapshot import SnapshotStore
from etl.sources import hn_whoishiring
from etl.sources.base import ParseError
from etl.transform import hn_roles
from tests.support import hn_files


def _snapshot(tmp: Path, files: dict[str, bytes], tag: str):
    raw = SnapshotStore(tmp / f"raw-{tag}")
    b = raw.begin("hn_whoishiring")
    src = tmp / f"src-{tag}"
    src.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (src / name).write_bytes(body)
        b.add_local(name, src / name, url="https://hn.algolia.com/fixture/" + name)
    return b.commit(hn_whoishiring.ORIGIN.to_json())


def _equal(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(
            a[name].reset_index(drop=True),
            b[name].reset_index(drop=True),
            check_dtype=False,
            obj=name,
        )


def _built(monkeypatch) -> list[int]:
    """Records the number of postings each posting-level batch computes."""
    sizes: list[int] = []
    real = hn_whoishiring.posting_products

    def counted(postings):
        sizes.append(len(postings))
        return real(postings)

    monkeypatch.setattr(hn_whoishiring, "posting_products", counted)
    return sizes


def test_cached_build_equals_a_build_from_scratch_and_skips_the_work(tmp_path, monkeypatch):
    snap = _snapshot(tmp_path, hn_files(), "a")
    scratch = hn_whoishiring.build(snap)
    cache = tmp_path / "cache"
    sizes = _built(monkeypatch)
    vouched = []
    monkeypatch.setattr(hn_roles, "vouch_for_role_rules", lambda: vouched.append(True))
    first = hn_whoishiring.build(snap, cache_dir=cache)
    assert vouched == []  # an empty cache vouches for nothing: the rules are checked in full
    second = hn_whoishiring.build(snap, cache_dir=cache)
    _equal(scratch, first)
    _equal(scratch, second)
    assert sizes == [90]  # the second build computed nothing: every thread came from the cache


def test_one_changed_thread_is_the_only_one_rebuilt(tmp_path, monkeypatch):
    files = hn_files()
    cache = tmp_path / "cache"
    hn_whoishiring.build(_snapshot(tmp_path, files, "a"), cache_dir=cache)
    # March gains a posting
    name = "item_46000003.json"
    item = json.loads(files[name])
    extra = dict(
        item["children"][0],
        id=46000003 * 100 + 50,
        text="Zed | Data Scientist | Remote<p>Julia and R.",
    )
    item["children"].append(extra)
    files[name] = json.dumps(item).encode()
    snap = _snapshot(tmp_path, files, "b")
    sizes = _built(monkeypatch)
    vouched = []
    monkeypatch.setattr(hn_roles, "vouch_for_role_rules", lambda: vouched.append(True))
    incremental = hn_whoishiring.build(snap, cache_dir=cache)
    assert sizes == [31]  # March only
    # the entries of this code key vouch for the rule files: they were checked when built
    assert vouched == [True]
    monkeypatch.undo()
    _equal(hn_whoishiring.build(snap), incremental)
    assert incremental["hn_threads"].set_index("thread_id").loc[46000003, "postings"] == 31
    # the entries of the old March file are gone: one entry per thread remains
    entries = list((cache / "hn_whoishiring" / build_cache.code_key()).iterdir())
    assert len(entries) == 3


def test_a_code_or_mapping_change_rebuilds_everything(tmp_path, monkeypatch):
    snap = _snapshot(tmp_path, hn_files(), "a")
    cache = tmp_path / "cache"
    hn_whoishiring.build(snap, cache_dir=cache)
    monkeypatch.setattr(build_cache, "code_key", lambda: "another-version")
    sizes = _built(monkeypatch)
    hn_whoishiring.build(snap, cache_dir=cache)
    assert sizes == [90]
    assert [d.name for d in (cache / "hn_whoishiring").iterdir()] == ["another-version"]


def test_the_code_key_covers_the_mappings():
    files = {p.relative_to(build_cache.ETL_DIR).as_posix() for p in build_cache.ETL_DIR.rglob("*")}
    assert "mappings/hn_role_rules.csv" in files and "mappings/skills.csv" in files
    assert len(build_cache.code_key()) == 20


def test_a_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    snap = _snapshot(tmp_path, hn_files(), "a")
    cache = tmp_path / "cache"
    expected = hn_whoishiring.build(snap, cache_dir=cache)
    entry = next((cache / "hn_whoishiring" / build_cache.code_key()).iterdir())
    (entry / "flags.arrow").write_bytes(b"not an arrow file")
    sizes = _built(monkeypatch)
    _equal(expected, hn_whoishiring.build(snap, cache_dir=cache))
    assert sizes == [30]


def test_the_build_in_several_processes_equals_the_build_in_one(tmp_path, monkeypatch):
    snap = _snapshot(tmp_path, hn_files(), "p")
    monkeypatch.setattr(hn_whoishiring, "PARALLEL_THREADS", 10**9)
    one = hn_whoishiring.build(snap)
    monkeypatch.setattr(hn_whoishiring, "PARALLEL_THREADS", 1)
    monkeypatch.setattr(hn_whoishiring.os, "cpu_count", lambda: 2)
    several = hn_whoishiring.build(snap, cache_dir=tmp_path / "cache")
    _equal(one, several)
    # and what the processes built was cached: a second build reads every thread back
    _equal(one, hn_whoishiring.build(snap, cache_dir=tmp_path / "cache"))


def test_a_few_threads_built_as_shares_of_their_postings_equal_the_build_in_one(
    tmp_path, monkeypatch
):
    files = hn_files()
    first = _snapshot(tmp_path, files, "a")
    one = hn_whoishiring.build(first)
    cache = tmp_path / "cache"
    hn_whoishiring.build(first, cache_dir=cache)
    # March changes: its postings alone are rebuilt, split over two processes
    name = "item_46000003.json"
    item = json.loads(files[name])
    item["children"].append(dict(item["children"][0], id=46000003 * 100 + 50, text="ML Engineer"))
    files[name] = json.dumps(item).encode()
    snap = _snapshot(tmp_path, files, "b")
    scratch = hn_whoishiring.build(snap)
    monkeypatch.setattr(hn_whoishiring, "PARALLEL_POSTINGS", 10)
    monkeypatch.setattr(hn_whoishiring.os, "cpu_count", lambda: 2)
    sizes = _built(monkeypatch)
    incremental = hn_whoishiring.build(snap, cache_dir=cache)
    assert sizes == []  # nothing was classified in this process: the two shares were elsewhere
    _equal(scratch, incremental)
    # and every thread, split so, equals the build in one process
    monkeypatch.setattr(hn_whoishiring, "PARALLEL_POSTINGS", 2)
    _equal(one, hn_whoishiring.build(first))
    # the split thread's entry is read back as built
    monkeypatch.undo()
    sizes = _built(monkeypatch)
    _equal(scratch, hn_whoishiring.build(snap, cache_dir=cache))
    assert sizes == []


def test_the_sums_of_a_definition_computed_in_another_process_equal_those_computed_here(
    tmp_path, monkeypatch
):
    snap = _snapshot(tmp_path, hn_files(), "s")
    here = hn_whoishiring.build(snap)
    monkeypatch.setattr(hn_whoishiring, "PARALLEL_AGGREGATES_FROM", 1)
    monkeypatch.setattr(hn_whoishiring.os, "cpu_count", lambda: 2)
    cache = tmp_path / "cache"
    _equal(here, hn_whoishiring.build(snap, cache_dir=cache))
    kept = cache / "hn_whoishiring-convergence" / build_cache.code_key()
    entries = {p.name: p.stat().st_mtime_ns for p in kept.glob("*.json")}
    assert entries
    # what either process kept is read back by the next build: not pruned, not computed again
    _equal(here, hn_whoishiring.build(snap, cache_dir=cache))
    assert {p.name: p.stat().st_mtime_ns for p in kept.glob("*.json")} == entries


def test_a_broken_thread_built_in_another_process_is_named(tmp_path, monkeypatch):
    files = hn_files()
    broken = sorted(n for n in files if n.startswith("item_"))[0]
    files[broken] = b'{"children": ['
    snap = _snapshot(tmp_path, files, "b")
    monkeypatch.setattr(hn_whoishiring, "PARALLEL_THREADS", 1)
    monkeypatch.setattr(hn_whoishiring.os, "cpu_count", lambda: 2)
    with pytest.raises(ParseError, match=broken):
        hn_whoishiring.build(snap)


def test_the_rules_literals_are_derived_once_per_version_of_the_rules(tmp_path, monkeypatch):
    derived: list[str] = []
    real = hn_roles.requirement

    def counted(source: str):
        derived.append(source)
        return real(source)

    started: list[str] = []
    real_starts = hn_roles.starts

    def counted_starts(source: str, shortest: int = 2):
        started.append(source)
        return real_starts(source, shortest)

    monkeypatch.setattr(hn_roles, "requirement", counted)
    monkeypatch.setattr(hn_roles, "starts", counted_starts)
    rules = hn_roles.load_role_rules()
    sources = hn_roles.rule_sources(rules)
    first = build_cache.ResultCache(tmp_path, "literals")
    hn_roles.keep_requirements(rules, first.get_or_compute)
    assert (first.hits, first.misses) == (0, 1)
    assert sorted(derived) == sources == sorted(started)  # each distinct regex derived once
    # a later refresh with the same rules reads them back: nothing is derived
    derived.clear()
    started.clear()
    again = build_cache.ResultCache(tmp_path, "literals")
    hn_roles.keep_requirements(rules, again.get_or_compute)
    assert (again.hits, again.misses, derived, started) == (1, 0, [], [])
    # what was read back is what deriving gives: the starts with one-letter ones kept
    assert all(hn_roles._starts(s, 1) == real_starts(s, 1) for s in sources)
    assert all(hn_roles._starts(s) == real_starts(s) for s in sources)
    # a changed rule: derived again, and its matcher's prefilter asks for the new words
    changed = rules.copy()
    row = changed.index[(changed["role"] == "ml_engineer") & (changed["kind"] == "include")][0]
    changed.loc[row, "pattern"] = r"\bmachine[\s-]+learning\s+wranglers?\b"
    changed.loc[row, "before"] = ""
    third = build_cache.ResultCache(tmp_path, "literals")
    hn_roles.keep_requirements(changed, third.get_or_compute)
    assert (third.hits, third.misses) == (0, 1)
    assert r"\bmachine[\s-]+learning\s+wranglers?\b" in derived
    matcher = hn_roles.compile_role_rules(changed)["ml_engineer"]
    assert "wrangler" in matcher.required.rules.words
    assert matcher.search("Machine Learning Wrangler | Remote")
    assert not hn_roles.compile_role_rules(rules)["ml_engineer"].search("Machine Learning Wrangler")


def test_the_yearly_sums_of_an_unchanged_year_are_read_back(tmp_path, monkeypatch):
    built = hn_whoishiring.build(_snapshot(tmp_path, hn_files(), "a"))
    flagged, role_skills = built["hn_postings"], built["hn_role_skills"]
    # January's thread moved to 2025: two years of postings (every sum is over one year's)
    january = flagged["thread_id"] == 46000001
    flagged.loc[january, "thread_month"] = pd.Timestamp("2025-01-01")
    cache = tmp_path / "cache"
    summed: list[list[int]] = []
    real = hn_whoishiring._sums

    def recorded(names, roles, rs):
        summed.append(sorted(roles["posted_year"].unique().tolist()))
        return real(names, roles, rs)

    monkeypatch.setattr(hn_whoishiring, "_sums", recorded)
    _equal(
        hn_whoishiring.skill_aggregates(flagged, role_skills),
        hn_whoishiring.skill_aggregates(flagged, role_skills, cache_dir=cache),
    )
    assert summed == [[2025, 2026], [2025, 2026], [2025, 2026], [2025, 2026]]
    # a 2026 posting loses a role skill: only 2026 is summed again, for both definitions
    summed.clear()
    in_2026 = role_skills["posting_id"].isin(flagged.loc[~january, "posting_id"])
    fewer = role_skills.drop(index=role_skills.index[in_2026][0])
    again = hn_whoishiring.skill_aggregates(flagged, fewer, cache_dir=cache)
    assert summed == [[2026], [2026]]
    _equal(hn_whoishiring.skill_aggregates(flagged, fewer), again)
    assert not again["hn_skill_counts"].equals(built["hn_skill_counts"])
