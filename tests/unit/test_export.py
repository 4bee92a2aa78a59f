from __future__ import annotations

import io
import json

import pandas as pd

from dashboard import export


def test_formula_cells_are_escaped_numbers_are_not():
    df = pd.DataFrame(
        {
            "title": ['=HYPERLINK("x")', "+1", "-cmd", "@SUM(A1)", "\tx", "\rx", "Data Scientist"],
            "usd": [-5, 1, 2, 3, 4, 5, 6],
        }
    )
    text = export.to_csv_bytes(df).decode()
    back = pd.read_csv(io.StringIO(text))
    assert back["title"].tolist()[:4] == ['\'=HYPERLINK("x")', "'+1", "'-cmd", "'@SUM(A1)"]
    assert back["title"].iloc[-1] == "Data Scientist"
    assert back["usd"].iloc[0] == -5  # a negative number stays a number


def test_metadata_carries_filters_n_sources_and_version():
    src = {
        "source": "aijobs_salaries",
        "title": "t",
        "producer": "p",
        "license": "CC0 1.0",
        "license_url": "u",
        "citation": "c",
        "urls": ["https://x"],
        "snapshot_id": "s",
        "snapshot_date": "2026-11-01",
        "published_at": "x",
    }
    meta = json.loads(
        export.metadata_bytes(
            export.metadata("pay", {"year": [2024]}, 12, [src], counts={"ds": 12})
        )
    )
    assert meta["filters"] == {"year": [2024]} and meta["rows"] == 12 and meta["n"] == {"ds": 12}
    assert (
        meta["sources"][0]["license"] == "CC0 1.0"
        and meta["sources"][0]["snapshot_date"] == "2026-11-01"
    )
    assert meta["app_version"]


def test_hidden_and_full_width_formula_starts_are_escaped():
    for cell in (" =1+1", "\n=1+1", "  @SUM(A1)", "\uff1dSUM(A1)", "\uff0b1", "\uff20x"):
        assert export.escape_cell(cell) == "'" + cell
    assert export.escape_cell("Data = Science") == "Data = Science"
