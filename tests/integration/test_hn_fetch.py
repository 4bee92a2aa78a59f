"""The HN source's fetch against a local server on 127.0.0.1 laid out like the mirror: paging,
429 on an item, a missing item, deleted postings, and incremental refresh (final threads are not
fetched again; the requests are counted on the server)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pandas as pd
import pytest

from etl import pipeline, store
from etl.http import HttpClient
from tests.conftest import FaultServer, Resp, tree_sha256

SEARCH = "/hn.algolia.com/api/v1/search_by_date?tags=story,author_whoishiring&hitsPerPage=1000"
ITEM = "/hn.algolia.com/api/v1/items/{}"
NOW = datetime.now(UTC)
THIS_MONTH = pd.Timestamp(NOW.year, NOW.month, 1)


def thread(tid: int, month: pd.Timestamp, n_postings: int, deleted: int = 0) -> bytes:
    created = int(month.tz_localize(UTC).timestamp()) + 15 * 3600
    kids = [
        {
            "id": tid * 1000 + i,
            "created_at_i": created + i * 6 * 86400,  # spread over weeks, as a complete thread
            "type": "comment",
            "author": f"u{i}",
            "text": f"Co{i} | {'Data Scientist' if i % 2 else 'Machine Learning Engineer'} | Remote<p>Python and SQL.",
            "parent_id": tid,
            "children": [
                {"id": tid * 1000 + 500 + i, "text": "a reply, not a posting", "children": []}
            ],
        }
        for i in range(n_postings)
    ]
    kids += [
        {
            "id": tid * 1000 + 900 + i,
            "created_at_i": created,
            "type": "comment",
            "author": None,
            "text": None,
            "parent_id": tid,
            "children": [],
        }
        for i in range(deleted)
    ]
    title = f"Ask HN: Who is hiring? ({month.strftime('%B %Y')})"
    return json.dumps(
        {"id": tid, "type": "story", "title": title, "created_at_i": created, "children": kids}
    ).encode()


def hit(tid: int, month: pd.Timestamp, title: str | None = None) -> dict:
    return {
        "objectID": str(tid),
        "title": title or f"Ask HN: Who is hiring? ({month.strftime('%B %Y')})",
        "created_at_i": int(month.tz_localize(UTC).timestamp()),
        "num_comments": 3,
    }


def search(hits: list[dict], page: int = 0, pages: int = 1) -> bytes:
    return json.dumps({"hits": hits, "page": page, "nbPages": pages, "hitsPerPage": 1000}).encode()


@pytest.fixture
def hn(server: FaultServer, settings):
    old = pd.Timestamp("2024-01-01")
    server.route(
        SEARCH,
        Resp(
            body=search(
                [
                    hit(1001, old),
                    hit(1002, THIS_MONTH),
                    hit(1003, old, "Ask HN: Who wants to be hired? (January 2024)"),
                ]
            )
        ),
    )
    server.route(ITEM.format(1001), Resp(body=thread(1001, old, 4, deleted=2)))
    server.route(ITEM.format(1002), Resp(body=thread(1002, THIS_MONTH, 3)))
    return server, settings.with_overrides(mirror=server.url)


def refresh(settings, sleep=None):
    client = HttpClient(settings, sleep=sleep or (lambda s: None))
    try:
        return pipeline.refresh(settings, ["hn_whoishiring"], client=client, progress=False)
    finally:
        client.close()


def test_postings_exclude_replies_and_deleted(hn):
    server, settings = hn
    report = refresh(settings)
    assert report.ok, report.outcomes[0].error
    posts = store.read_table(settings.processed_dir, "hn_postings")
    assert (
        len(posts) == 7
    )  # 4 + 3 top-level children with text; 2 deleted and 7 replies are not postings
    threads = store.read_table(settings.processed_dir, "hn_threads")
    assert sorted(threads.thread_id) == [1001, 1002]  # "Who wants to be hired?" is dropped
    assert server.count(ITEM.format(1003)) == 0


def test_second_refresh_fetches_only_non_final_threads(hn):
    server, settings = hn
    assert refresh(settings).ok
    assert (
        server.count(SEARCH) == 1
        and server.count(ITEM.format(1001)) == 1
        and server.count(ITEM.format(1002)) == 1
    )
    report = refresh(settings)
    assert report.ok
    # January 2024 ended more than 40 days before its snapshot: final, carried, not requested again
    assert server.count(ITEM.format(1001)) == 1
    # the current month's thread is still collecting postings: fetched again, as is the thread list
    assert server.count(ITEM.format(1002)) == 2
    assert server.count(SEARCH) == 2
    assert report.outcomes[0].requests == 2
    # the partial-month flag: the current month's thread was snapshotted < 30 days after it opened
    threads = store.read_table(settings.processed_dir, "hn_threads").set_index("thread_id")
    assert bool(threads.loc[1002, "is_partial"]) and not bool(threads.loc[1001, "is_partial"])


def test_paging_follows_nb_pages(server, settings):
    old, older = pd.Timestamp("2024-01-01"), pd.Timestamp("2023-12-01")
    server.route(SEARCH, Resp(body=search([hit(1001, old)], 0, 2)))
    server.route(SEARCH + "&page=1", Resp(body=search([hit(1000, older)], 1, 2)))
    server.route(ITEM.format(1001), Resp(body=thread(1001, old, 2)))
    server.route(ITEM.format(1000), Resp(body=thread(1000, older, 5)))
    report = refresh(settings.with_overrides(mirror=server.url))
    assert report.ok, report.outcomes[0].error
    assert server.count(SEARCH + "&page=1") == 1
    assert server.count(SEARCH + "&page=2") == 0  # no page beyond nbPages
    assert len(store.read_table(settings.processed_dir, "hn_postings")) == 7


def test_429_on_an_item_is_honoured(hn):
    server, settings = hn
    server.route(
        ITEM.format(1002),
        Resp(429, b"slow down", headers={"Retry-After": "2"}),
        Resp(body=thread(1002, THIS_MONTH, 3)),
    )
    waits: list[float] = []
    report = refresh(settings, sleep=waits.append)
    assert report.ok
    assert 2.0 in waits
    assert server.count(ITEM.format(1002)) == 2


def test_missing_item_fails_clearly_and_keeps_published_data(hn):
    server, settings = hn
    assert refresh(settings).ok
    before = tree_sha256(settings.processed_dir)
    server.route(
        SEARCH,
        Resp(
            body=search(
                [
                    hit(1001, pd.Timestamp("2024-01-01")),
                    hit(1002, THIS_MONTH),
                    hit(1004, THIS_MONTH - pd.DateOffset(months=1)),
                ]
            )
        ),
    )
    report = refresh(settings)
    assert not report.ok
    err = report.outcomes[0].error
    assert "1004" in err and "404" in err
    assert tree_sha256(settings.processed_dir) == before


def test_second_refresh_builds_from_the_per_thread_cache(hn, caplog):
    """The refresh keeps each thread's posting-level results in data/cache. A second refresh that
    fetches the same files keeps the published tables without building; a rebuild (`--offline`)
    reads both threads back from the cache and publishes the same postings."""
    import logging

    server, settings = hn
    assert refresh(settings).ok
    first = store.read_table(settings.processed_dir, "hn_postings")
    caplog.set_level(logging.INFO, logger="etl.build")
    again = refresh(settings)
    assert again.ok and again.outcomes[0].unchanged and "threads from the build" not in caplog.text
    assert pipeline.refresh(settings, ["hn_whoishiring"], offline=True, progress=False).ok
    assert "2 threads from the build cache, 0 built" in caplog.text
    pd.testing.assert_frame_equal(first, store.read_table(settings.processed_dir, "hn_postings"))
    assert len(list((settings.data_dir / "cache" / "hn_whoishiring").glob("*/*"))) == 2
