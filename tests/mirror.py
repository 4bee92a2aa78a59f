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


# --- Google Jobs postings (data_jobs xlsx) and CPI-U -------------------------------------------
GJ_SALARY_XLSX = (
    MIRROR_DIR
    / "raw.githubusercontent.com/lukebarousse/Excel_Data_Analytics_Course/main"
    / "0_Resources/Datasets/data_jobs_salary_all.xlsx"
)
GJ_MONTHS_DIR = (
    MIRROR_DIR
    / "raw.githubusercontent.com/lukebarousse/PowerBI_Data_Analytics_Course/main/Data/monthly_files"
)
CPI_CSV = MIRROR_DIR / "raw.githubusercontent.com/datasets/cpi-us/main/data/cpiai.csv"
# a posting is the same whatever the place searched (search_location, and job_country that follows it)
_GJ_NOT_KEY = ("search_location", "job_country", "job_type_skills")


def gj_files() -> dict[str, Path]:
    """File name -> path of the Google Jobs workbooks present in the mirror."""
    files = {GJ_SALARY_XLSX.name: GJ_SALARY_XLSX} if GJ_SALARY_XLSX.is_file() else {}
    if GJ_MONTHS_DIR.is_dir():
        files.update({p.name: p for p in sorted(GJ_MONTHS_DIR.glob("job_postings_*.xlsx"))})
    return files


@cache
def gj_counts() -> dict[str, dict]:
    """Per workbook: rows, distinct postings (all columns but the place searched) and distinct
    postings per job_title_short label, read from the sheet with openpyxl."""
    import openpyxl

    out = {}
    for name, path in gj_files().items():
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = wb[wb.sheetnames[0]].iter_rows(values_only=True)
        header = list(next(rows))
        keep = [i for i, c in enumerate(header) if c not in _GJ_NOT_KEY]
        label = header.index("job_title_short")
        n, seen = 0, set()
        labels: dict[str, int] = {}
        for r in rows:
            if all(v is None for v in r):
                continue
            n += 1
            key = tuple(r[i] for i in keep)
            if key not in seen:
                seen.add(key)
                labels[r[label]] = labels.get(r[label], 0) + 1
        wb.close()
        out[name] = {"rows": n, "postings": len(seen), "labels": labels}
    return out


def cpi_rows() -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(CPI_CSV.read_text(encoding="utf-8"))))
