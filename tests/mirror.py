"""The one place tests learn where the offline mirror is, and facts a person can check in its files.

`LMD_MIRROR_DIR` names the mirror for every test (default ../shared/mirror). The facts below are
computed at test time from the mirror's own files (thread months from the titles of the search
answer, postings = top-level children with a text, rows of the CSV), never pinned to a version.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
MIRROR_ENV = "LMD_MIRROR_DIR"
MIRROR_DIR = Path(os.environ.get(MIRROR_ENV) or REPO_ROOT.parent / "shared" / "mirror")
HN_API = MIRROR_DIR / "hn.algolia.com" / "api" / "v1"
HN_SEARCH = HN_API / "search_by_date?hitsPerPage=1000&tags=story,author_whoishiring"
AIJOBS_CSV = (
    MIRROR_DIR / "raw.githubusercontent.com/foorilla/ai-jobs-net-salaries/main/salaries.csv"
)
SKIP_REASON = f"no offline mirror at {MIRROR_DIR} (set {MIRROR_ENV} to a mirror folder)"

_MONTHS = "January February March April May June July August September October November December"
_TITLE = re.compile(r"\((" + "|".join(_MONTHS.split()) + r")\s+(\d{4})\)")


def available() -> bool:
    return HN_SEARCH.is_file()


@cache
def hn_threads() -> dict[str, int]:
    """'YYYY-MM' -> story id, from the titles of the hiring threads in the search answer."""
    hits = json.loads(HN_SEARCH.read_bytes())["hits"]
    out = {}
    for hit in hits:
        title = hit.get("title") or ""
        m = _TITLE.search(title)
        if title.startswith("Ask HN: Who is hiring?") and m:
            month = _MONTHS.split().index(m.group(1)) + 1
            out[f"{m.group(2)}-{month:02d}"] = int(hit["objectID"])
    return dict(sorted(out.items()))


@cache
def hn_postings_per_month() -> dict[str, int]:
    """'YYYY-MM' -> top-level children that carry a text (deleted postings have none)."""
    out = {}
    for month, story in hn_threads().items():
        item = json.loads((HN_API / "items" / str(story)).read_bytes())
        out[month] = sum(1 for c in item["children"] if (c.get("text") or "").strip())
    return out


@cache
def hn_children_without_text() -> int:
    total = 0
    for story in hn_threads().values():
        item = json.loads((HN_API / "items" / str(story)).read_bytes())
        total += sum(1 for c in item["children"] if not (c.get("text") or "").strip())
    return total


@cache
def aijobs_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(AIJOBS_CSV.read_text(encoding="utf-8"))))
