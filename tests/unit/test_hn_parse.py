"""Parsing of frozen Hacker News answers: hand-written fixtures, plus the offline mirror when present."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd
import pytest

from etl.sources.hn_parse import (
    POSTING_COLUMNS,
    THREAD_COLUMNS,
    page_count,
    parse_thread,
    parse_thread_list,
    thread_month_from_title,
)
from tests import mirror

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "hn"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _search_with(titles: list[tuple[int, str, int]]) -> bytes:
    hits = [
        {"objectID": str(i), "title": t, "created_at_i": c, "num_comments": 1} for i, t, c in titles
    ]
    return json.dumps({"hits": hits, "page": 0, "nbPages": 1}).encode()


# --- thread list -------------------------------------------------------------------------


def test_thread_list_keeps_only_who_is_hiring_threads() -> None:
    threads = parse_thread_list(_read("search_by_date.json"))
    assert list(threads.columns) == THREAD_COLUMNS
    assert threads["thread_id"].tolist() == [39217310, 39562988, 39894822]
    assert threads["thread_month"].tolist() == [
        pd.Timestamp("2024-02-01"),
        pd.Timestamp("2024-03-01"),
        pd.Timestamp("2024-04-01"),
    ]
    assert threads["num_comments"].tolist() == [4, 3, 6]


def test_thread_list_types() -> None:
    threads = parse_thread_list(_read("search_by_date.json"))
    assert threads["thread_id"].dtype == "int64"
    assert str(threads["created_at"].dt.tz) == "UTC"
    # 2024-03-01T16:00:00Z in the fixture
    assert threads.loc[1, "created_at"] == pd.Timestamp("2024-03-01 16:00", tz="UTC")


def test_page_count() -> None:
    assert page_count(_read("search_by_date.json")) == 1
    assert page_count(b'{"hits": [], "page": 0, "nbPages": 3}') == 3


@pytest.mark.parametrize(
    ("title", "month"),
    [
        ("Ask HN: Who is hiring? (May 2026)", "2026-05-01"),
        ("Ask HN: Who is hiring? (September 2013)", "2013-09-01"),
        ("Ask HN: Who is hiring? (Sept 2015)", "2015-09-01"),
        ("Ask HN: Who is hiring? (january 2018)", "2018-01-01"),
    ],
)
def test_month_comes_from_title(title: str, month: str) -> None:
    assert thread_month_from_title(title) == pd.Timestamp(month)


def test_month_from_title_not_from_timestamp() -> None:
    # Opened on 31 May in US time = 1 June in UTC: the title decides.
    raw = _search_with([(1, "Ask HN: Who is hiring? (June 2024)", 1717199999)])
    assert parse_thread_list(raw)["thread_month"].tolist() == [pd.Timestamp("2024-06-01")]


def test_unparseable_month_raises_naming_the_title() -> None:
    raw = _search_with([(1, "Ask HN: Who is hiring? (Summer edition)", 1700000000)])
    with pytest.raises(ValueError, match=r"Summer edition"):
        parse_thread_list(raw)


def test_duplicate_month_keeps_latest_and_warns(caplog: pytest.LogCaptureFixture) -> None:
    raw = _search_with(
        [
            (10, "Ask HN: Who is hiring? (May 2024)", 1714579200),
            (11, "Ask HN: Who is hiring? (May 2024)", 1714582800),
            (9, "Ask HN: Who is hiring? (April 2024)", 1711987200),
        ]
    )
    with caplog.at_level(logging.WARNING, logger="etl.sources.hn_parse"):
        threads = parse_thread_list(raw)
    assert threads["thread_id"].tolist() == [9, 11]
    assert "same month" in caplog.text


def test_thread_list_rejects_non_search_answers() -> None:
    with pytest.raises(ValueError, match="not JSON"):
        parse_thread_list(b"<!DOCTYPE html><html><body>Too many requests</body></html>")
    with pytest.raises(ValueError, match="hits"):
        parse_thread_list(b'{"message": "Invalid Application-ID", "status": 403}')
    with pytest.raises(ValueError, match="nbPages"):
        page_count(b'{"message": "Invalid Application-ID", "status": 403}')


# --- one thread --------------------------------------------------------------------------


def test_thread_postings_are_top_level_children_with_text() -> None:
    postings = parse_thread(_read("item_39217310.json"), pd.Timestamp("2024-02-01"))
    assert list(postings.columns) == POSTING_COLUMNS
    # 4 children: one deleted (text and author null); the 2 nested replies are not postings
    assert postings["posting_id"].tolist() == [39217401, 39217455, 39217530]
    assert (postings["thread_id"] == 39217310).all()
    assert (postings["thread_month"] == pd.Timestamp("2024-02-01")).all()
    assert postings["author"].tolist() == ["acme_jobs", "betaco", "gammadata"]


def test_empty_text_child_is_not_a_posting() -> None:
    postings = parse_thread(_read("item_39894822.json"), "2024-04")
    assert 39894960 not in postings["posting_id"].tolist()
    assert len(postings) == 3


def test_posting_text_is_clean_plain_text() -> None:
    postings = parse_thread(_read("item_39217310.json"), "2024-02-01").set_index("posting_id")
    text = postings.loc[39217401, "text"]
    assert "We're hiring a data scientist" in text
    assert "<p>" not in text and "&#x27;" not in text and "href" not in text
    assert "https://acme.example/jobs" in text
    assert postings.loc[39217401, "first_line"] == (
        "Acme Robotics | Senior Data Scientist | Remote (US) | $150k/yr"
    )
    # a raw newline also ends the first line
    assert postings.loc[39217530, "first_line"] == (
        "Gamma Data | Backend Engineer (Go) | Berlin, Germany | Hybrid"
    )


def test_first_line_skips_leading_blank_and_is_capped() -> None:
    postings = parse_thread(_read("item_39562988.json"), "2024-03-01").set_index("posting_id")
    assert (
        postings.loc[39563044, "first_line"]
        == "Epsilon Docs | XML Engineer | Paris, France | ONSITE"
    )
    long_story = {
        "id": 1,
        "type": "story",
        "children": [{"id": 2, "author": "a", "created_at_i": 0, "text": "x" * 500 + "<p>y"}],
    }
    long = parse_thread(json.dumps(long_story).encode(), "2024-01-01")
    assert long.loc[0, "first_line"] == "x" * 300


def test_posting_types() -> None:
    postings = parse_thread(_read("item_39562988.json"), "2024-03-01")
    assert postings["posting_id"].dtype == "int64"
    assert postings["thread_id"].dtype == "int64"
    assert str(postings["created_at"].dt.tz) == "UTC"
    assert postings.loc[0, "created_at"] == pd.Timestamp("2024-03-01 16:05", tz="UTC")


def test_thread_month_accepts_string_and_normalises_to_month_start() -> None:
    postings = parse_thread(_read("item_39562988.json"), "2024-03-17")
    assert (postings["thread_month"] == pd.Timestamp("2024-03-01")).all()


def test_thread_without_postings_gives_empty_typed_frame() -> None:
    raw = json.dumps({"id": 5, "type": "story", "children": []}).encode()
    postings = parse_thread(raw, "2024-01-01")
    assert postings.empty
    assert list(postings.columns) == POSTING_COLUMNS
    assert postings["posting_id"].dtype == "int64"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<html><body>Sorry, we're down</body></html>", "not JSON"),
        (b'{"status": 404, "error": "Not Found"}', "not a story"),
        (b'{"id": 7, "type": "comment", "children": []}', "not a story"),
        (b'{"id": 7, "type": "story", "title": "x"}', "no `children`"),
        (b"[]", "not a story"),
    ],
)
def test_thread_rejects_answers_that_are_not_a_story(raw: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_thread(raw, "2024-01-01")


# --- the offline mirror (real data) ------------------------------------------------------


@pytest.mark.mirror
@pytest.mark.skipif(not mirror.available(), reason=mirror.SKIP_REASON)
def test_real_mirror_threads_and_postings() -> None:
    """The parser agrees with counts taken from the mirror files by a simpler reading
    (tests/mirror.py): the months in the titles, and top-level children that have a text."""
    threads = parse_thread_list(mirror.HN_SEARCH.read_bytes())
    expected = mirror.hn_postings_per_month()
    assert sorted(threads["thread_month"].dt.strftime("%Y-%m")) == sorted(expected)
    assert threads["thread_month"].is_unique

    per_thread = {}
    for thread in threads.itertuples():
        raw = (mirror.HN_API / "items" / str(thread.thread_id)).read_bytes()
        per_thread[f"{thread.thread_month:%Y-%m}"] = parse_thread(raw, thread.thread_month)
    postings = pd.concat(per_thread.values(), ignore_index=True)
    assert {m: len(p) for m, p in per_thread.items()} == expected
    assert postings["posting_id"].is_unique
    assert (postings["first_line"] != "").all()
