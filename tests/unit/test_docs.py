"""Documentation that must not drift from the code."""

from __future__ import annotations

from pathlib import Path

from etl.schema import data_dictionary_markdown

REPO = Path(__file__).resolve().parents[2]


def test_data_dictionary_is_generated_from_the_schema():
    assert (
        REPO / "docs" / "DATA_DICTIONARY.md"
    ).read_text() == data_dictionary_markdown() + "\n", (
        "docs/DATA_DICTIONARY.md is stale: run `python -m etl dictionary > docs/DATA_DICTIONARY.md`"
    )


def test_readme_opens_with_the_two_commands():
    head = (REPO / "README.md").read_text().split("\n## ")[0]
    assert "make run" in head and "make test" in head


def test_readme_eval_block_is_the_committed_results() -> None:
    """The README quotes eval/results.json as `make eval` renders it (no hand edits)."""
    import json

    from eval.__main__ import README_END, README_START, RESULTS_JSON, markdown

    readme = (REPO / "README.md").read_text()
    block = readme[readme.index(README_START) + len(README_START) : readme.index(README_END)]
    assert block.strip() == markdown(json.loads(RESULTS_JSON.read_text())).strip()


def test_methods_table_has_every_role_and_definition() -> None:
    import json

    from dashboard.views.methods import EVAL_RESULTS, counting_quality_table

    table = counting_quality_table(json.loads(EVAL_RESULTS.read_text()))
    assert len(table) == 6
    assert set(table["definition"]) == {"header", "anywhere"}
    assert table["precision"].between(0, 1).all() and table["recall"].between(0, 1).all()
