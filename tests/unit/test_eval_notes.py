"""eval's before/after shares per year and the note of a missed target, on hand-made frames."""

from __future__ import annotations

import pandas as pd

from etl.transform.hn_roles import flag_column
from eval.__main__ import _target_note
from eval.shares import shares_by_year


def test_shares_by_year_counts_flagged_postings_of_each_year() -> None:
    postings = pd.DataFrame(
        {
            "posting_id": [1, 2, 3, 4, 5],
            "thread_month": pd.to_datetime(
                ["2018-01-01", "2018-02-01", "2018-02-01", "2018-03-01", "2022-01-01"]
            ),
        }
    )
    flags = pd.DataFrame(
        {
            "posting_id": [1, 2, 3, 4, 5],
            # a column of the flags table that the postings have too must not get in the way
            "thread_month": postings["thread_month"],
            flag_column("data_scientist", "anywhere"): [True, False, False, False, True],
            flag_column("ml_engineer", "anywhere"): [True, True, False, False, False],
            flag_column("ai_engineer", "anywhere"): [False, False, False, False, False],
        }
    )
    table = shares_by_year(postings, flags, [2018, 2022, 2025]).set_index(["year", "role"])
    assert table.loc[(2018, "data_scientist"), "flagged"] == 1
    assert table.loc[(2018, "ml_engineer"), "posting_share_pct"] == 50.0  # 2 of 4
    assert table.loc[(2022, "data_scientist"), "posting_share_pct"] == 100.0
    assert table.loc[(2022, "ai_engineer"), "postings"] == 1
    assert table.loc[(2025, "ml_engineer"), "postings"] == 0  # no postings: share unknown
    assert pd.isna(table.loc[(2025, "ml_engineer"), "posting_share_pct"])


def _row(precision: float, recall: float, tp: int, fp: int, fn: int) -> dict:
    return {
        "role": "ml_engineer",
        "definition": "anywhere",
        "era": "all",
        "precision": precision,
        "recall": recall,
        "precision_95": (0.90, 0.99),
        "recall_95": (0.70, 0.85),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def test_a_missed_target_says_by_how_much_and_why() -> None:
    note = _target_note(_row(0.96, 0.78, tp=78, fp=3, fn=22), {"precision": 0.99, "recall": 0.93})
    assert note.startswith("precision >= 0.95 met; recall >= 0.90 MISSED by 0.12 (")
    assert "22 of 100 openings missed" in note
    assert "the target is outside the 95% interval" in note  # 0.90 > 0.85
    assert "dev part 0.93" in note


def test_a_shortfall_inside_the_interval_is_said_to_be_within_sampling() -> None:
    row = _row(0.93, 0.91, tp=91, fp=7, fn=9)
    note = _target_note(row)
    assert "precision >= 0.95 MISSED by 0.02 (7 of 98 flagged are not openings" in note
    assert "the target is inside the 95% interval" in note  # 0.90 <= 0.95 <= 0.99
    assert "recall >= 0.90 met" in note
    assert _target_note({**row, "era": "2013-2017"}) == ""  # per-era rows carry no target


def _labelled(rows: list[tuple[int, str, str, int, list[str]]]) -> pd.DataFrame:
    """Labelled postings (id, split, stratum, wave, roles) of era 2013-2017."""
    frame = pd.DataFrame(rows, columns=["id", "split", "stratum", "wave", "roles"])
    frame["era"] = "2013-2017"
    for role in ("data_scientist", "ml_engineer", "ai_engineer"):
        frame[role] = frame["roles"].map(lambda rs, r=role: r in rs)
    return frame


def test_held_out_weights_count_every_held_out_wave_of_a_cell_and_no_dev_posting() -> None:
    from eval.__main__ import heldout_weights

    # the record: 6 postings of the ML-words stratum and 4 of the rest in 2014
    record = pd.DataFrame(
        {
            "thread_month": pd.to_datetime(["2014-05-01"] * 10),
            "text": ["we use machine learning"] * 6 + ["hello"] * 4,
        }
    )
    labels = _labelled(
        [
            (1, "heldout", "ml_terms", 1, []),
            (2, "heldout", "ml_terms", 1, []),
            (3, "heldout", "ml_terms", 7, []),  # the second held-out part, same design
            (4, "heldout", "other", 1, []),
            (5, "dev", "ml_terms", 1, []),
            (6, "dev", "ml_terms", 6, []),
        ]
    )
    w = heldout_weights(labels, record)
    assert w.iloc[:3].tolist() == [2.0, 2.0, 2.0]  # 6 postings of the cell / 3 held-out draws
    assert w.iloc[3] == 4.0
    assert w.iloc[4:].isna().all()  # development postings stand for nothing


def test_a_held_out_wave_is_scored_under_its_own_name_and_agreement_per_wave() -> None:
    from eval.__main__ import agreement_by_wave, role_metrics

    labels = _labelled(
        [
            (1, "heldout", "ml_terms", 1, ["ml_engineer"]),
            (2, "heldout", "ml_terms", 7, ["ml_engineer"]),
            (3, "heldout", "ml_terms", 7, []),
            (4, "dev", "ml_terms", 6, ["ml_engineer"]),
        ]
    )
    flags = pd.DataFrame({"posting_id": [1, 2, 3, 4]})
    for definition in ("header", "anywhere"):
        for role in ("data_scientist", "ml_engineer", "ai_engineer"):
            flags[flag_column(role, definition)] = [role == "ml_engineer", True, False, True]
    rows = role_metrics(labels[labels["wave"] == 7], flags, "heldout", "heldout_wave7")
    ml = next(
        r
        for r in rows
        if r["role"] == "ml_engineer" and r["definition"] == "anywhere" and r["era"] == "all"
    )
    assert ml["split"] == "heldout_wave7"
    assert (ml["n"], ml["tp"], ml["fp"], ml["fn"]) == (2, 1, 0, 0)
    second = _labelled(
        [(2, "heldout", "ml_terms", 7, []), (4, "dev", "ml_terms", 6, ["ml_engineer"])]
    )
    by_wave = agreement_by_wave(labels, second)
    assert by_wave["7"]["postings"] == 1 and by_wave["7"]["ml_engineer"]["agree"] == 0
    assert by_wave["6"]["ml_engineer"]["agree"] == 1


def test_skill_errors_list_the_dev_part_only_with_how_each_skill_was_attributed() -> None:
    import pytest

    from eval.__main__ import skill_attribution_metrics, skill_errors

    labels = pd.DataFrame(
        {
            "id": [1, 2],
            "split": ["dev", "heldout"],
            "roles": [["data_scientist"], ["data_scientist"]],
            "multi_job": [True, False],
            # LABELLING.md counts "neural networks" as deep_learning (a taxonomy skill of its own)
            "role_skills": [{"data_scientist": ["python", "deep_learning"]}, {}],
        }
    )
    texts = [
        "Acme | Remote\n- Rails Engineer: Ruby, Java\n- Data Scientist: Python, neural networks",
        "Beta | Data Scientist\nPython.",
    ]
    postings = pd.DataFrame({"posting_id": [1, 2], "text": texts})
    assert skill_errors(labels, postings, "dev") == []
    labels.at[0, "role_skills"] = {"data_scientist": ["java"]}
    [(pid, _text, wrong, missed)] = skill_errors(labels, postings, "dev")
    assert pid == 1
    assert wrong == {
        ("data_scientist", "python"): "job_part",
        ("data_scientist", "deep_learning"): "job_part",
    }
    assert missed == {("data_scientist", "java")}
    with pytest.raises(ValueError, match="development part only"):
        skill_errors(labels, postings, "heldout")
    m = skill_attribution_metrics(labels, postings, "dev")["all"]["attributed"]
    assert (m["tp"], m["fp"], m["fn"]) == (0, 2, 1)
