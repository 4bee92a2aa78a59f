"""Shared test fixtures: fast settings, small fixture files written here in the real formats
(aijobs CSV, BLS OEWS zip with an openpyxl workbook, HN Algolia JSON answers, Indeed Hiring Lab
CSVs), and a local HTTP server on 127.0.0.1 that serves them laid out like the mirror
(/<host>/<path>) and injects faults on demand.

Nothing here reads ../shared/mirror; tests that need it are marked `mirror` and skip without it.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import socket
import struct
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest

from etl.config import Settings

REPO_ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(REPO_ROOT / ".venv" / "bin" / "python")
if not Path(PYTHON).exists():  # a CI runner without the project venv
    PYTHON = sys.executable
from tests import support_gj  # noqa: E402
from tests.mirror import MIRROR_DIR, SKIP_REASON  # noqa: E402 - the one variable naming the mirror

CONTACT = "etl-tests@example.org"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if MIRROR_DIR.is_dir():
        return
    skip = pytest.mark.skip(reason=SKIP_REASON)
    for item in items:
        if "mirror" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _pandas_string_storage() -> Iterator[None]:
    """dashboard/app.py sets pandas' text storage for the dashboard's process; an AppTest run
    inside this process must not change how the frames of the tests after it store text."""
    yield
    pd.reset_option("mode.string_storage")


# --------------------------------------------------------------------------------------------
# Settings


def fast_settings(data_dir: Path, **overrides: Any) -> Settings:
    """Tiny timeouts and backoff so fault tests run in milliseconds."""
    base = Settings(
        data_dir=Path(data_dir),
        mirror=None,
        contact=CONTACT,
        keep_snapshots=3,
        connect_timeout=2.0,
        read_timeout=0.5,
        retries=2,
        backoff=0.01,
        max_retry_after=5.0,
        max_bytes=2_000_000,
    )
    return base.with_overrides(**overrides)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return fast_settings(tmp_path / "data")


def fast_env(data_dir: Path, mirror: str | None = None, **extra: str) -> dict[str, str]:
    """Environment for `python -m etl` subprocesses: same fast limits as `fast_settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMD_")}
    env.update(
        LMD_DATA_DIR=str(data_dir),
        LMD_CONTACT=CONTACT,
        LMD_KEEP_SNAPSHOTS="3",
        LMD_CONNECT_TIMEOUT="2",
        LMD_READ_TIMEOUT="0.5",
        LMD_RETRIES="2",
        LMD_BACKOFF="0.01",
        LMD_MAX_RETRY_AFTER="5",
        LMD_MAX_BYTES="2000000",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if mirror:
        env["LMD_MIRROR"] = mirror
    env.update(extra)
    return env


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "-m", "etl", *args],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --------------------------------------------------------------------------------------------
# aijobs.net salaries.csv fixtures

AIJOBS_HOST_PATH = "/raw.githubusercontent.com/foorilla/ai-jobs-net-salaries/main/salaries.csv"
AIJOBS_HEADER = (
    "work_year,experience_level,employment_type,job_title,salary,salary_currency,"
    "salary_in_usd,employee_residence,remote_ratio,company_location,company_size"
)
# Six hand-written rows; the last is an exact duplicate of the first (the live file has those).
AIJOBS_SIX_ROWS = """\
2024,SE,FT,Data Scientist,150000,USD,150000,US,0,US,M
2024,MI,FT,Lead Data Scientist,60000,EUR,65000,DE,100,DE,L
2023,EN,FT,ML Engineer,90000,USD,90000,US,50,US,S
2024,SE,FT,MLOps Engineer,140000,USD,140000,US,0,US,M
2025,EX,CT,Machine Learning Engineer,220000,USD,220000,CA,100,US,L
2024,SE,FT,Data Scientist,150000,USD,150000,US,0,US,M
"""
_TITLES = (
    "Data Scientist",
    "Machine Learning Engineer",
    "AI Engineer",
    "Lead Data Scientist",
    "ML Engineer",
    "MLOps Engineer",
    "Data Analyst",
)


def aijobs_csv(
    n_rows: int = 120,
    *,
    duplicates: int = 0,
    header: str = AIJOBS_HEADER,
    first_year: int = 2021,
    in_thousands: bool = False,
) -> bytes:
    """A valid salaries.csv of `n_rows` distinct rows (schema wants >= 100) plus `duplicates`
    exact copies of its first rows. Salary of row i is 50,000 + 1,000 * i USD (50 + i with
    `in_thousands`, as a file in thousands of dollars); work years first_year..first_year + 3."""
    lines = [header]
    rows = []
    for i in range(n_rows):
        salary = (50 + i) if in_thousands else 50_000 + 1_000 * i
        rows.append(
            f"{first_year + i % 4},{'ENMISEEX'[2 * (i % 4) : 2 * (i % 4) + 2]},FT,{_TITLES[i % len(_TITLES)]},"
            f"{salary},USD,{salary},US,{(0, 50, 100)[i % 3]},US,{'SML'[i % 3]}"
        )
    lines += rows + rows[:duplicates]
    return ("\n".join(lines) + "\n").encode()


# --------------------------------------------------------------------------------------------
# BLS OEWS national zip fixtures

BLS_COLUMNS = (
    "AREA AREA_TITLE AREA_TYPE PRIM_STATE NAICS NAICS_TITLE I_GROUP OWN_CODE OCC_CODE OCC_TITLE "
    "O_GROUP TOT_EMP EMP_PRSE JOBS_1000 LOC_QUOTIENT PCT_TOTAL PCT_RPT H_MEAN A_MEAN MEAN_PRSE "
    "H_PCT10 H_PCT25 H_MEDIAN H_PCT75 H_PCT90 A_PCT10 A_PCT25 A_MEDIAN A_PCT75 A_PCT90 ANNUAL HOURLY"
).split()
# (code, title, group, TOT_EMP, A_MEAN, A_PCT10, A_PCT25, A_MEDIAN, A_PCT75, A_PCT90, H_MEDIAN)
# The markers are where a person can check them: 15-1252 employment "**"; 15-1221 mean wage "*"
# and 90th percentiles "#" (top-coded).
BLS_ROWS = (
    ("00-0000", "All Occupations", "total", 151853870, 65470, 29050, 35660, 48060, 76980, 121470, 23.11),
    ("15-0000", "Computer and Mathematical Occupations", "major", 5177000, 110680, 55000, 74000, 104200, 137000, 171000, 50.1),
    ("15-1221", "Computer and Information Research Scientists", "detailed", 35210, "*", 81450, 109990, 145080, 185160, "#", 69.75),
    ("15-1252", "Software Developers", "detailed", "**", 138110, 77020, 101200, 132270, 167540, 208620, 63.59),
    ("15-2051", "Data Scientists", "detailed", 192710, 119040, 61070, 79810, 108020, 147670, 184090, 51.93),
)  # fmt: skip


def bls_in_thousands(rows: tuple = BLS_ROWS) -> tuple:
    """The rows with every annual wage in thousands of dollars (markers such as '*' kept)."""
    return tuple(
        (*r[:4], *(v / 1000 if isinstance(v, (int, float)) else v for v in r[4:10]), r[10])
        for r in rows
    )


def bls_workbook(
    year: int,
    *,
    rows: tuple = BLS_ROWS,
    lower_case: bool = False,
    sheet: str | None = None,
    rename: dict[str, str] | None = None,
) -> bytes:
    """national_M{year}_dl.xlsx as BLS lays it out (data sheet first, then the extra sheets)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = sheet or f"national_M{year}_dl"
    header = [(rename or {}).get(c, c) for c in BLS_COLUMNS]
    ws.append([c.lower() if lower_case else c for c in header])
    for code, title, group, emp, a_mean, p10, p25, med, p75, p90, h_med in rows:
        rec = dict.fromkeys(BLS_COLUMNS)
        rec.update(
            AREA="99",
            AREA_TITLE="U.S.",
            AREA_TYPE="1",
            PRIM_STATE="US",
            NAICS="000000",
            NAICS_TITLE="Cross-industry",
            I_GROUP="cross-industry",
            OWN_CODE="1235",
            OCC_CODE=code,
            OCC_TITLE=title,
            O_GROUP=group,
            TOT_EMP=emp,
            A_MEAN=a_mean,
            A_PCT10=p10,
            A_PCT25=p25,
            A_MEDIAN=med,
            A_PCT75=p75,
            A_PCT90=p90,
            H_MEDIAN=h_med,
            H_PCT90="#" if p90 == "#" else None,
            ANNUAL="",
            HOURLY="",
        )
        ws.append([rec[c] for c in BLS_COLUMNS])
    for extra in ("Field Descriptions", "UpdateTime", "Filler"):
        wb.create_sheet(extra).append(["fixture"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bls_zip(year: int, workbook: bytes | None = None, **kwargs: Any) -> bytes:
    """oesm{YY}nat.zip holding oesm{YY}nat/national_M{YYYY}_dl.xlsx."""
    yy = year % 100
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            f"oesm{yy:02d}nat/national_M{year}_dl.xlsx", workbook or bls_workbook(year, **kwargs)
        )
    return buf.getvalue()


def bls_path(year: int) -> str:
    return f"/www.bls.gov/oes/special-requests/oesm{year % 100:02d}nat.zip"


def bls_years_served() -> list[int]:
    """Years the fixture server publishes: 2021 up to two years ago (the ETL treats a 404 for the
    last two years as 'not published yet')."""
    return list(range(2021, datetime.now(UTC).year - 1))


_BLS_CACHE: dict[int, bytes] = {}


def bls_zip_cached(year: int) -> bytes:
    if year not in _BLS_CACHE:
        _BLS_CACHE[year] = bls_zip(year)
    return _BLS_CACHE[year]


# --------------------------------------------------------------------------------------------
# Local HTTP server with fault injection


@dataclass
class Resp:
    """One answer. mode: ok | truncate (Content-Length larger than the bytes sent, then close) |
    reset (TCP RST, no answer) | slow (headers, then the body in `chunks` pieces over `delay` s)."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    mode: str = "ok"
    delay: float = 0.0  # before the answer (ok, truncate) or spread over the body (slow)
    chunks: int = 10
    etag: str | None = None  # when set: sent as ETag, and If-None-Match == etag answers 304


@dataclass
class Seen:
    path: str
    headers: dict[str, str]
    at: float


class FaultServer:
    """ThreadingHTTPServer on 127.0.0.1. `route(path, *answers)`: answers are used in turn, the
    last one sticks. Unknown paths are 404. `seen` records every request."""

    def __init__(self) -> None:
        self.routes: dict[str, list[Resp]] = {}
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_: object) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer._handle(self)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda *a: None  # type: ignore[method-assign]
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def route(self, path: str, *answers: Resp) -> None:
        with self._lock:
            self.routes[path] = list(answers)

    def count(self, path: str) -> int:
        return sum(1 for s in self.seen if s.path == path)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handle(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.seen.append(Seen(h.path, dict(h.headers.items()), time.monotonic()))
            answers = self.routes.get(h.path)
            if not answers:
                r = Resp(404, b"not found")
            elif len(answers) > 1:
                r = answers.pop(0)
            else:
                r = answers[0]
        h.close_connection = True
        if r.mode == "reset":
            h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            h.connection.close()
            return
        if r.delay and r.mode != "slow":
            time.sleep(r.delay)
        if r.etag and h.headers.get("If-None-Match") == r.etag:
            h.send_response(304)
            h.send_header("ETag", r.etag)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(r.status)
        headers = {"Content-Length": str(len(r.body)), "Connection": "close", **r.headers}
        if r.etag:
            headers["ETag"] = r.etag
        if r.mode == "truncate":
            headers["Content-Length"] = str(len(r.body) + 1000)
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        try:
            if r.mode == "slow":
                step = max(1, len(r.body) // r.chunks)
                for i in range(0, len(r.body), step):
                    h.wfile.write(r.body[i : i + step])
                    h.wfile.flush()
                    time.sleep(r.delay / r.chunks)
            elif r.mode == "truncate":
                h.wfile.write(r.body[: len(r.body) // 2])
            else:
                h.wfile.write(r.body)
            h.wfile.flush()
        except OSError:
            pass


@pytest.fixture
def server() -> Iterator[FaultServer]:
    s = FaultServer()
    yield s
    s.close()


# --------------------------------------------------------------------------------------------
# Per-source fixture table: how each source is served and which bodies make it fail.
# To add a source to the fault matrix (tests/integration/test_faults.py) add one row here.


@dataclass(frozen=True)
class Change:
    """A body that parses and validates but is wrong (or suspicious): cut short, every row twice,
    in thousands of dollars, a key gone, a column emptied. `outcome`: "refused:<regex>" (the change
    guards refuse it), "error:<regex>" (parsing or the schema already refuse it) or
    "kept:<table>=<rows>" (harmless: published as the source means it)."""

    body: Callable[[], bytes]  # served for the fixture's target
    outcome: str
    others: Callable[[], dict[str, bytes]] = dict  # other paths answered differently


def first_lines(body: bytes, n: int) -> bytes:
    """The first `n` lines of a text file: a valid file of fewer rows, as a cut download is."""
    return b"".join(body.splitlines(keepends=True)[:n])


@dataclass
class SourceFixture:
    name: str
    target: str  # server path of the file faults are injected into
    valid: Callable[[], bytes]  # good body for `target`
    others: Callable[[], dict[str, bytes]]  # every other path the source fetches -> good body
    renamed: Callable[[], bytes]  # body with a renamed/missing column
    renamed_names: tuple[str, ...]  # the expected column(s) the error must name
    not_utf8: Callable[[], bytes] | None  # text sources: bytes that are not UTF-8
    duplicated: Callable[[], bytes]  # body with duplicated rows
    # "kept:<table>=<rows>" when duplicates are published as they are, or "error:<text>"
    duplicated_outcome: str
    # the change-guard cases of the fault matrix that apply to the source (test_faults.CHANGES)
    changes: dict[str, Change] = field(default_factory=dict)

    def install(self, server: FaultServer) -> None:
        for path, body in self.others().items():
            server.route(path, Resp(body=body))
        server.route(self.target, Resp(body=self.valid()))


def _aijobs_renamed() -> bytes:
    return aijobs_csv(header=AIJOBS_HEADER.replace("salary_in_usd", "salary_usd"))


def _bls_others() -> dict[str, bytes]:
    return {bls_path(y): bls_zip_cached(y) for y in bls_years_served() if y != 2023}


# Hacker News: the Algolia search answer listing two hiring threads (and one "Who wants to be
# hired?" thread the source skips), and each thread's items/<id> answer. March 2024 is final, so a
# refresh after the baseline carries it; the current month's thread is fetched every time and is
# the file faults go into.
HN_SEARCH_PATH = (
    "/hn.algolia.com/api/v1/search_by_date?tags=story,author_whoishiring&hitsPerPage=1000"
)
HN_OLD_ID, HN_NOW_ID, HN_WANTS_ID = 39562986, 47000002, 47000003
_NOW = datetime.now(UTC)
HN_NOW_MONTH = pd.Timestamp(_NOW.year, _NOW.month, 1)
HN_OLD_MONTH = pd.Timestamp(2024, 3, 1)


def hn_item_path(thread_id: int) -> str:
    return f"/hn.algolia.com/api/v1/items/{thread_id}"


def _hn_title(month: pd.Timestamp, kind: str = "Who is hiring?") -> str:
    return f"Ask HN: {kind} ({month.strftime('%B %Y')})"


def hn_search_json(*, drop: str | None = None, without: int | None = None) -> bytes:
    """search_by_date answer; `drop` removes that key from every hit (or `hits` itself);
    `without` leaves the thread of that id out of the list."""
    hits = []
    for tid, month, kind in (
        (HN_WANTS_ID, HN_NOW_MONTH, "Who wants to be hired?"),
        (HN_NOW_ID, HN_NOW_MONTH, "Who is hiring?"),
        (HN_OLD_ID, HN_OLD_MONTH, "Who is hiring?"),
    ):
        if tid == without:
            continue
        created = int(month.tz_localize(UTC).timestamp()) + 16 * 3600
        hit = {
            "_tags": ["story", "author_whoishiring", f"story_{tid}", "ask_hn"],
            "author": "whoishiring",
            "created_at": pd.Timestamp(created, unit="s").strftime("%Y-%m-%dT%H:%M:%SZ"),
            "created_at_i": created,
            "num_comments": 7,
            "objectID": str(tid),
            "points": 300,
            "story_id": tid,
            "title": _hn_title(month, kind),
        }
        hit.pop(drop or "", None)
        hits.append(hit)
    answer = {"hits": hits, "nbHits": len(hits), "page": 0, "nbPages": 1, "hitsPerPage": 1000}
    answer.pop(drop or "", None)
    return json.dumps(answer).encode()


# (id offset, author, HN HTML text); text None = a deleted posting
_HN_POSTINGS = (
    (1, "acme_hr", "Acme Analytics | Senior Data Scientist | Remote (US)<p>We model demand with "
     "Python, SQL &amp; scikit-learn. Apply: <a href=\"https:&#x2F;&#x2F;acme.example&#x2F;jobs\" "
     "rel=\"nofollow\">https:&#x2F;&#x2F;acme.example&#x2F;jobs</a>"),
    (2, "rocketml", "RocketML | Machine Learning Engineer | Berlin | ONSITE<p>PyTorch, AWS, "
     "Docker. Visa sponsorship."),
    (3, "shopco", "ShopCo | Frontend Engineer | NYC<p>React &amp; TypeScript; <i>no agencies</i>."),
    (4, None, None),
)  # fmt: skip


def hn_item_json(
    thread_id: int,
    month: pd.Timestamp,
    *,
    repeat_first: bool = False,
    repeat_all: bool = False,
    postings: int | None = None,
    children_key: str = "children",
) -> bytes:
    """items/<id> answer: the story with three postings (one carries a nested reply, which is not
    a posting) and a deleted one; `repeat_first` lists the first posting twice, `repeat_all` every
    posting twice; `postings` keeps only the first that many."""
    created = int(month.tz_localize(UTC).timestamp()) + 16 * 3600
    kids = []
    for k, author, text in _HN_POSTINGS:
        pid = thread_id * 10 + k
        kids.append(
            {
                "id": pid,
                "created_at": None,
                "created_at_i": created + 60 * k,
                "type": "comment",
                "author": author,
                "text": text,
                "points": None,
                "parent_id": thread_id,
                "story_id": thread_id,
                "children": [
                    {
                        "id": pid * 10,
                        "created_at_i": created + 600,
                        "type": "comment",
                        "author": "curious",
                        "text": "<p>Is this role open to EU residents?",
                        "parent_id": pid,
                        "story_id": thread_id,
                        "children": [],
                    }
                ]
                if k == 1
                else [],
            }
        )
    if postings is not None:
        kids = kids[:postings]
    if repeat_first:
        kids.append(kids[0])
    if repeat_all:
        kids = kids + kids
    story = {
        "id": thread_id,
        "created_at_i": created,
        "type": "story",
        "author": "whoishiring",
        "title": _hn_title(month),
        "text": "Please state the location and include REMOTE for remote work.",
        "points": 300,
        "parent_id": None,
        "story_id": thread_id,
        children_key: kids,
    }
    return json.dumps(story).encode()


def _hn_others() -> dict[str, bytes]:
    return {
        HN_SEARCH_PATH: hn_search_json(),
        hn_item_path(HN_OLD_ID): hn_item_json(HN_OLD_ID, HN_OLD_MONTH),
    }


# Indeed Hiring Lab: the three CSVs with their real headers. The index tables need >= 100 rows,
# so the sector file has 3 sectors x 60 days and the aggregate file 120 days, from 2024-01-01.
INDEED_BASE = "/raw.githubusercontent.com/hiring-lab/job_postings_tracker/master/"
INDEED_SECTOR_PATH = INDEED_BASE + "US/job_postings_by_sector_US.csv"
INDEED_SECTORS = ("Banking & Finance", "Mathematics", "Software Development")


def indeed_sector_csv(days: int = 60, *, duplicates: int = 0, header: str | None = None) -> bytes:
    """Sector file: index of sector s on day d = 100 + 10 * s + d / 4 (s = 0, 1, 2 in the order
    above), so Mathematics on 2024-01-05 is 111.0; the first `duplicates` rows are repeated."""
    lines = [header or "date,jobcountry,indeed_job_postings_index,variable,display_name"]
    rows = []
    for s_i, sector in enumerate(INDEED_SECTORS):
        for d in range(days):
            day = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
            rows.append(f"{day},US,{100 + 10 * s_i + d / 4:g},total postings,{sector}")
    lines += rows + rows[:duplicates]
    return ("\n".join(lines) + "\n").encode()


def indeed_aggregate_csv(days: int = 120) -> bytes:
    lines = ["date,jobcountry,indeed_job_postings_index_SA,indeed_job_postings_index_NSA,variable"]
    for d in range(days):
        day = (pd.Timestamp("2024-01-01") + pd.Timedelta(days=d)).strftime("%Y-%m-%d")
        lines.append(f"{day},US,{110 + d / 10:g},{108 + d / 8:g},total postings")
    return ("\n".join(lines) + "\n").encode()


INDEED_TITLES_CSV = b"""sector,job_titles
Banking & Finance,"risk manager, relationship banker"
Mathematics,"data scientist, statistician"
Software Development,"software engineer, developer"
"""


def _indeed_others() -> dict[str, bytes]:
    return {
        INDEED_BASE + "US/aggregate_job_postings_US.csv": indeed_aggregate_csv(),
        INDEED_BASE + "sector-job-title-examples.csv": INDEED_TITLES_CSV,
    }


SOURCE_FIXTURES: dict[str, SourceFixture] = {
    "google_jobs_data_roles": SourceFixture(
        name="google_jobs_data_roles",
        target=support_gj.GJ_SALARY_PATH,
        valid=support_gj.gj_workbook,
        # December 2024 is served; the other months answer 404 (not published)
        others=lambda: {
            k: v for k, v in support_gj.gj_files().items() if k != support_gj.GJ_SALARY_PATH
        },
        renamed=lambda: support_gj.gj_workbook(rename={"job_skills": "skills"}),
        renamed_names=("job_skills",),
        not_utf8=None,  # a zip of XML: no text encoding to get wrong
        duplicated=lambda: support_gj.gj_workbook(
            support_gj.salary_rows() + support_gj.salary_rows()[:3]
        ),
        # NOTE: a posting found twice is one posting (13 in the 2023 file, 6 in December 2024)
        duplicated_outcome="kept:gj_postings=19",
    ),
    "cpi_us": SourceFixture(
        name="cpi_us",
        target=support_gj.CPI_PATH,
        valid=support_gj.cpi_csv,
        others=dict,
        renamed=lambda: support_gj.cpi_csv(header="Date,Value,Inflation"),
        renamed_names=("Index",),
        not_utf8=lambda: support_gj.cpi_csv().replace(b"Date,", b"D\xe4te,"),
        duplicated=lambda: support_gj.cpi_csv(duplicate=True),
        # one index a month: a repeated month means a broken file
        duplicated_outcome="error:months appear twice",
    ),
    "aijobs_salaries": SourceFixture(
        name="aijobs_salaries",
        target=AIJOBS_HOST_PATH,
        valid=lambda: aijobs_csv(120),
        others=dict,
        renamed=_aijobs_renamed,
        renamed_names=("salary_in_usd",),
        not_utf8=lambda: aijobs_csv(120).replace(b"Data Analyst", b"Data Analyst \xe9\xff"),
        duplicated=lambda: aijobs_csv(110, duplicates=7),
        # NOTE: aijobs keeps exact duplicate rows (different people, same answers), as the source does
        duplicated_outcome="kept:salaries=117",
        changes={
            # the first 100 of 120 rows: still valid (the schema wants 100)
            "cut_short": Change(
                lambda: first_lines(aijobs_csv(120), 101),
                r"refused:salaries: rows 120 -> 100 \(-16\.7%\); threshold: at most 10% fewer",
            ),
            "every_row_twice": Change(
                lambda: aijobs_csv(120, duplicates=120),
                r"refused:salaries: share of rows repeating an earlier row in every column 0\.0% -> "
                r"50\.0% \(\+50\.0 pts\); threshold: at most \+10 pts",
            ),
            "in_thousands": Change(
                lambda: aijobs_csv(120, in_thousands=True),
                r"refused:salaries: median salary_usd_annual 109,500 -> 109\.5 \(120 of 120 values "
                r"outside 1,000\.\.5,000,000 USD per year, e\.g\. 50\)",
            ),
            "key_gone": Change(
                lambda: aijobs_csv(120, first_year=2022),
                r"refused:salaries: work_year values present 4 -> 4 \(1 gone: 2021\); threshold: none may go",
            ),
        },
    ),
    "bls_oews": SourceFixture(
        name="bls_oews",
        target=bls_path(2023),
        valid=lambda: bls_zip_cached(2023),
        others=_bls_others,
        renamed=lambda: bls_zip(2023, rename={"A_MEDIAN": "A_MEDIAN_WAGE"}),
        renamed_names=("A_MEDIAN",),
        not_utf8=None,  # a zip of XML workbooks: no text encoding to get wrong
        duplicated=lambda: bls_zip(2023, rows=BLS_ROWS + BLS_ROWS[-1:]),
        # a BLS sheet lists each occupation once: a repeated one means a broken file
        duplicated_outcome="error:duplicate keys on year, soc_code",
        changes={
            # the sheet ends before its last row, Data Scientists
            "cut_short": Change(
                lambda: bls_zip(2023, rows=BLS_ROWS[:-1]),
                r"error:no detailed row for SOC 15-2051",
            ),
            "every_row_twice": Change(
                lambda: bls_zip(2023, rows=BLS_ROWS + BLS_ROWS),
                "error:duplicate keys on year, soc_code",
            ),
            "in_thousands": Change(
                lambda: bls_zip(2023, rows=bls_in_thousands()),
                r"refused:oews_wages: median wage_annual_median_usd 132,270 -> 120,145 \(3 of 12 "
                r"values outside 1,000\.\.5,000,000 USD per year, e\.g\. 145\.08\)",
            ),
            "key_gone": Change(
                lambda: bls_zip(2023, rows=tuple(r for r in BLS_ROWS if r[0] != "15-1252")),
                r"refused:oews_wages: year, soc_code values present 12 -> 11 \(1 gone: 2023 "
                r"15-1252\); threshold: none may go",
            ),
            # BLS prints * for every mean wage of the year
            "column_emptied": Change(
                lambda: bls_zip(2023, rows=tuple((*r[:4], "*", *r[5:]) for r in BLS_ROWS)),
                r"refused:oews_wages: share of missing wage_annual_mean_usd 33\.3% -> 50\.0% "
                r"\(\+16\.7 pts\); threshold: at most \+10 pts",
            ),
        },
    ),
    "hn_whoishiring": SourceFixture(
        name="hn_whoishiring",
        target=hn_item_path(HN_NOW_ID),
        valid=lambda: hn_item_json(HN_NOW_ID, HN_NOW_MONTH),
        others=_hn_others,
        # an items/<id> answer whose postings list is missing (here: under another key)
        renamed=lambda: hn_item_json(HN_NOW_ID, HN_NOW_MONTH, children_key="kids"),
        renamed_names=("children",),
        not_utf8=lambda: hn_item_json(HN_NOW_ID, HN_NOW_MONTH).replace(b"Berlin", b"M\xfcnchen"),
        duplicated=lambda: hn_item_json(HN_NOW_ID, HN_NOW_MONTH, repeat_first=True),
        # NOTE: an HN id names one comment: a posting listed twice in one thread answer is counted
        # once (3 postings per thread, 2 threads); the same id in two threads stays an error
        duplicated_outcome="kept:hn_postings=6",
        changes={
            # the current thread comes back with one of its three postings
            "cut_short": Change(
                lambda: hn_item_json(HN_NOW_ID, HN_NOW_MONTH, postings=1),
                rf"refused:hn_threads: postings of thread {HN_NOW_ID} \({HN_NOW_MONTH:%Y-%m}\) "
                r"3 -> 1 \(-66\.7%\); threshold: at most 10% fewer",
            ),
            "every_row_twice": Change(
                lambda: hn_item_json(HN_NOW_ID, HN_NOW_MONTH, repeat_all=True),
                "kept:hn_postings=6",
            ),
            # the thread list no longer lists March 2024
            "key_gone": Change(
                lambda: hn_item_json(HN_NOW_ID, HN_NOW_MONTH),
                r"refused:hn_threads: thread_month values present 2 -> 1 \(1 gone: 2024-03\); "
                "threshold: none may go",
                others=lambda: {HN_SEARCH_PATH: hn_search_json(without=HN_OLD_ID)},
            ),
        },
    ),
    "indeed_postings_index": SourceFixture(
        name="indeed_postings_index",
        target=INDEED_SECTOR_PATH,
        valid=indeed_sector_csv,
        others=_indeed_others,
        renamed=lambda: indeed_sector_csv(
            header="date,jobcountry,indeed_job_postings_index,variable,sector_name"
        ),
        renamed_names=("display_name",),
        not_utf8=lambda: indeed_sector_csv().replace(
            b"Banking & Finance", b"Banca \xe9 Finanzas", 1
        ),
        duplicated=lambda: indeed_sector_csv(duplicates=5),
        # one index value per (date, sector, variable): a repeat means a broken file
        duplicated_outcome=r"error:duplicated \(date, sector, variable\) rows",
        changes={
            # the first half of the file: Software Development (a proxy sector) is cut off
            "cut_short": Change(
                lambda: first_lines(indeed_sector_csv(), 91),
                r"error:proxy sector\(s\) \['Software Development'\] not found",
            ),
            # the series end 10 days early
            "series_cut": Change(
                lambda: indeed_sector_csv(days=50),
                r"refused:indeed_sector_index: rows 180 -> 150 \(-16\.7%\); threshold: at most 10% fewer",
            ),
            "every_row_twice": Change(
                lambda: indeed_sector_csv(duplicates=180),
                r"error:180 duplicated \(date, sector, variable\) rows",
            ),
            "key_gone": Change(
                lambda: indeed_sector_csv().replace(b"Banking & Finance", b"Banking"),
                r"refused:indeed_sector_index: sector, variable values present 3 -> 3 \(1 gone: "
                r"Banking & Finance total postings\); threshold: none may go",
            ),
        },
    ),
}


def serve_all(server: FaultServer) -> None:
    for fx in SOURCE_FIXTURES.values():
        fx.install(server)


@pytest.fixture
def served(server: FaultServer, settings: Settings) -> tuple[FaultServer, Settings]:
    """The local server answering every source with good fixture bodies, and settings using it."""
    serve_all(server)
    return server, settings.with_overrides(mirror=server.url)


# --------------------------------------------------------------------------------------------
# Checks on data/processed


def tree_sha256(root: Path) -> dict[str, str]:
    """sha256 of every file under root (relative path -> digest); {} when root is missing."""
    root = Path(root)
    if not root.exists():
        return {}
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def read_published(processed: Path) -> dict[str, int]:
    """Read manifest then every table it references (as the dashboard does); table -> rows.
    Raises AssertionError when a table's row count differs from the manifest's."""
    manifest = json.loads((Path(processed) / "manifest.json").read_text())
    rows = {}
    for name, meta in manifest["tables"].items():
        df = pd.read_parquet(Path(processed) / meta["file"])
        assert len(df) == meta["rows"], f"{name}: {len(df)} rows, manifest says {meta['rows']}"
        rows[name] = len(df)
    return rows
