"""Every benchmark module imports with the code of this commit (`make bench` runs them in turn:
one that no longer imports would stop the run at its step), and the harness's targets and
docs writer agree with what the README and docs/SCALING.md hold."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
MODULES = sorted(p.stem for p in BENCH.glob("*.py") if p.stem != "__init__")


@pytest.mark.parametrize("name", MODULES)
def test_the_bench_module_imports(name: str) -> None:
    module = importlib.import_module(f"bench.{name}")
    assert module.__doc__, f"bench/{name}.py says what it measures"


def test_the_docs_hold_the_markers_the_bench_writes_its_figures_between() -> None:
    import bench.__main__ as harness

    for path, start, end in (
        (harness.README, harness.README_START, harness.README_END),
        (harness.SCALING, harness.SCALING_START, harness.SCALING_END),
    ):
        text = path.read_text()
        assert text.count(start) == 1 and text.count(end) == 1, path
        assert text.index(start) < text.index(end), path


def test_the_evaluation_marks_a_miss_with_its_gap_and_cause() -> None:
    import bench.__main__ as harness

    res = {"scripts": {"views": {"pay": {"p95_ms": 900.0, "p50_ms": 400.0}}}}
    pay = [e for e in harness.evaluate(res) if e["target"] == "x10 pay: script run p95 (ms)"]
    assert pay and pay[0]["status"] == "miss" and pay[0]["gap"] == 700.0
    assert pay[0]["cause"] == harness.KNOWN_CAUSES["script run"]
    lines = harness.evaluation_lines({"evaluation": pay})
    limit = harness.TARGETS["x10_script_p95_ms"]
    assert lines[0].startswith(f"- **miss**: x10 pay: script run p95 (ms): 900.0 vs {limit}")
