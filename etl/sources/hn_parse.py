"""Parse frozen Hacker News "Ask HN: Who is hiring?" answers (no network).

Reads the bytes of the Algolia `search_by_date` answer and of `items/{id}` thread answers;
writes one DataFrame of threads (one row per month) and one of postings (one row per posting).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pandas as pd

from etl.transform.text import clean_html

log = logging.getLogger(__name__)

THREAD_TITLE_PREFIX = "Ask HN: Who is hiring?"
FIRST_LINE_MAX_CHARS = 300

HIT_FIELDS = ("objectID", "title", "created_at_i")  # what a search hit must carry
THREAD_COLUMNS = ["thread_id", "title", "thread_month", "created_at", "num_comments"]
POSTING_COLUMNS = [
    "posting_id",
    "thread_id",
    "thread_month",
    "author",
    "created_at",
    "text",
    "first_line",
]

# NOTE: the month is taken from the title, "Ask HN: Who is hiring? (May 2026)", not from
# `created_at_i`: the archived 2013-2018 threads carry a reconstructed timestamp, and a thread
# opened late on the last day of a month (US time) would land in the wrong month in UTC.
_TITLE_MONTH = re.compile(
    r"\(\s*(?P<month>January|February|March|April|May|June|July|August|September|October"
    r"|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?\s+"
    r"(?P<year>(?:19|20)\d\d)\s*\)",
    re.IGNORECASE,
)


def _load_json(raw: bytes, what: str) -> Any:
    try:
        return json.loads(raw)
    except UnicodeDecodeError as exc:
        # NOTE: JSON is UTF-8 by RFC 8259; a stray Latin-1 byte is an encoding fault, not bad JSON
        raise ValueError(
            f"{what}: not UTF-8 text (byte {exc.start}: {raw[exc.start : exc.start + 1]!r})"
        ) from exc
    except json.JSONDecodeError as exc:
        start = raw[:80].decode("utf-8", errors="replace")
        raise ValueError(f"{what}: not JSON ({exc}); answer starts with {start!r}") from exc


def thread_month_from_title(title: str) -> pd.Timestamp:
    """Return the first day of the month named in a thread title, e.g. "(May 2026)".

    Raises ValueError naming the title when no month can be read from it.
    """
    match = _TITLE_MONTH.search(title or "")
    if match is None:
        raise ValueError(f"cannot read the month from HN thread title {title!r}")
    month_text = match["month"][:3].title()
    return pd.Timestamp(pd.to_datetime(f"{month_text} {match['year']}", format="%b %Y"))


def page_count(raw: bytes) -> int:
    """Return `nbPages` of an Algolia search answer; fetch pages while `page + 1 < nbPages`."""
    data = _load_json(raw, "HN search answer")
    if not isinstance(data, dict) or "nbPages" not in data:
        raise ValueError("HN search answer has no `nbPages`: not an Algolia search answer")
    return int(data["nbPages"])


def parse_thread_list(raw: bytes) -> pd.DataFrame:
    """Parse the Algolia search answer into one row per "Who is hiring?" thread.

    Columns: thread_id (int64), title, thread_month (Timestamp of the month's first day),
    created_at (UTC), num_comments (Int64; includes replies, so it is not a posting count).
    Sorted by thread_month.
    """
    data = _load_json(raw, "HN search answer")
    if not isinstance(data, dict) or not isinstance(data.get("hits"), list):
        raise ValueError("HN search answer has no `hits` list: not an Algolia search answer")
    rows = []
    for i, hit in enumerate(data["hits"]):
        missing = [f"`{k}`" for k in HIT_FIELDS if not isinstance(hit, dict) or k not in hit]
        if missing:
            found = ", ".join(hit) if isinstance(hit, dict) else type(hit).__name__
            raise ValueError(
                f"HN search answer: hit {i} has no {', '.join(missing)} (found: {found})"
            )
        title = (hit.get("title") or "").strip()
        # NOTE: the whoishiring account also posts "Who wants to be hired?" and
        # "Freelancer? Seeking freelancer?" threads; only the hiring threads hold job postings.
        if not title.startswith(THREAD_TITLE_PREFIX):
            continue
        rows.append(
            {
                "thread_id": int(hit["objectID"]),
                "title": title,
                "thread_month": thread_month_from_title(title),
                "created_at": pd.Timestamp(int(hit["created_at_i"]), unit="s", tz="UTC"),
                "num_comments": hit.get("num_comments"),
            }
        )
    threads = pd.DataFrame(rows, columns=THREAD_COLUMNS)
    threads = threads.astype(
        {
            "thread_id": "int64",
            "title": "str",
            "thread_month": "datetime64[ns]",
            "created_at": "datetime64[ns, UTC]",
            "num_comments": "Int64",
        }
    )
    duplicated = threads["thread_month"].duplicated(keep=False)
    if duplicated.any():
        dupes = threads.loc[duplicated, ["thread_month", "thread_id", "title"]]
        log.warning(
            "several HN hiring threads for the same month; keeping the latest of each:\n%s",
            dupes.to_string(index=False),
        )
        threads = threads.sort_values(["thread_month", "created_at", "thread_id"])
        threads = threads.drop_duplicates("thread_month", keep="last")
    return threads.sort_values("thread_month").reset_index(drop=True)


def _first_line(text: str) -> str:
    for line in text.splitlines():
        line = line.strip()
        if line:
            return line[:FIRST_LINE_MAX_CHARS].rstrip()
    return ""


def parse_thread(raw: bytes, thread_month: pd.Timestamp | str) -> pd.DataFrame:
    """Parse one `items/{id}` answer into one row per posting.

    A posting is a top-level child of the story with a non-empty text; replies nested in a
    child's `children` and deleted postings (no text) are skipped, and a posting listed twice
    is kept once (the first time; a warning names the ids). Columns: posting_id (int64),
    thread_id (int64), thread_month, author (str, "" when missing), created_at (UTC), text
    (plain text) and first_line (first non-empty line of the text, at most 300 chars).
    """
    data = _load_json(raw, "HN thread answer")
    if not isinstance(data, dict) or data.get("type") != "story":
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        raise ValueError(f"HN thread answer is not a story item (type {kind!r})")
    children = data.get("children")
    if not isinstance(children, list):
        raise ValueError(f"HN thread answer for story {data.get('id')} has no `children` list")
    thread_id = int(data["id"])
    month = pd.Timestamp(thread_month).to_period("M").to_timestamp()
    rows = []
    for child in children:
        # NOTE: deleted or dead postings come back with `text` null (and `author` null) or
        # empty; they are not postings. Nested `children` are replies, never postings.
        raw_text = child.get("text")
        if not raw_text:
            continue
        text = clean_html(raw_text)
        if not text:
            continue
        rows.append(
            {
                "posting_id": int(child["id"]),
                "thread_id": thread_id,
                "thread_month": month,
                "author": child.get("author") or "",
                "created_at": int(child["created_at_i"]),  # seconds: converted at once below
                "text": text,
                "first_line": _first_line(text),
            }
        )
    postings = pd.DataFrame(rows, columns=POSTING_COLUMNS)
    postings["created_at"] = pd.to_datetime(
        postings["created_at"].astype("int64"), unit="s", utc=True
    )
    # NOTE: an HN id names one comment, so an id listed twice in one thread answer is the same
    # posting repeated, not two postings: count it once. The same id in two different threads
    # stays an error (hn_whoishiring._no_repeats): that means a mixed-up snapshot.
    repeated = postings["posting_id"].duplicated()
    if repeated.any():
        log.warning(
            "HN thread %s lists %d posting(s) more than once (ids %s); each is counted once",
            thread_id,
            int(repeated.sum()),
            ", ".join(str(i) for i in postings.loc[repeated, "posting_id"].head(5)),
        )
        postings = postings[~repeated].reset_index(drop=True)
    return postings.astype(
        {
            "posting_id": "int64",
            "thread_id": "int64",
            "thread_month": "datetime64[ns]",
            "author": "str",
            "created_at": "datetime64[ns, UTC]",
            "text": "str",
            "first_line": "str",
        }
    )
