"""A screenshot of every view, for a person to look at: artifacts/screenshots/<view>.png (gitignored).

Streamlit scrolls inside stMain, so a full-page screenshot of the document is only the viewport:
the viewport is grown to the main area's height first (capped) to get the whole view.
"""

from __future__ import annotations

import os
import struct

import pytest
from playwright.sync_api import Page

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import open_view, wait_ready

pytestmark = pytest.mark.e2e

SCREENSHOTS = ARTIFACTS / "screenshots"
MAX_HEIGHT = 12_000
# view -> (path, title); Overview is the default page, served at /
VIEWS = {
    "overview": ("/", "Data Scientist or ML Engineer?"),
    "pay": ("/pay", "Pay: Data Scientist vs ML Engineer"),
    "demand": ("/demand", "Demand: postings per month"),
    "skills": ("/skills", "Skills: what each role asks for"),
    "methods": ("/methods", "Data & methods"),
}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("view", list(VIEWS))
def test_screenshot_of_each_view(page: Page, view: str) -> None:
    path, title = VIEWS[view]
    if view == "overview":
        page.goto("/")
        wait_ready(page)
        nav = page.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink")
        nav.first.wait_for(timeout=60_000)
        if not any(t.strip().endswith("Overview") for t in nav.all_inner_texts()):
            pytest.skip("no Overview page registered in dashboard/app.py yet")
    open_view(page, path, title)

    main_height = page.get_by_test_id("stMain").evaluate("e => e.scrollHeight")
    width = page.viewport_size["width"] if page.viewport_size else 1400
    page.set_viewport_size({"width": width, "height": min(max(main_height, 800), MAX_HEIGHT)})
    wait_ready(page)
    page.wait_for_timeout(300)  # let Plotly re-layout to the new size

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    out = SCREENSHOTS / f"{view}.png"
    data = page.screenshot()
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(out)  # atomic: another run may be writing the same file
    assert out.stat().st_size == len(data)
    w, h = png_size(data)
    assert w == width and h >= 800, (w, h)
    assert len(data) > 30_000, f"{out} is only {len(data):,} bytes: a blank page?"
