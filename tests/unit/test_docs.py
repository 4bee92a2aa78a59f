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
