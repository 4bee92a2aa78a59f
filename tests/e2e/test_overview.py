"""The Overview and the new Pay panels in a real browser, on the hand-made data of tests/support.py
(3 monthly threads: 36 data-scientist and 18 ML-engineer postings of 90; survey work years 2023-2024)."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import open_view, traces, wait_ready

pytestmark = pytest.mark.e2e

TITLE = "Data Scientist or ML Engineer?"
_CHART_TITLES_JS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]
    .map(e => (e.layout && e.layout.title && e.layout.title.text) || '')"""


def _download(page: Page, text: str) -> tuple[str, bytes]:
    button = page.get_by_test_id("stDownloadButton").filter(has_text=text).first
    with page.expect_download(timeout=60_000) as d:
        button.get_by_role("button").click()
    dl = d.value
    assert dl.failure() is None, dl.failure()
    with open(dl.path(), "rb") as f:
        return dl.suggested_filename, f.read()


def test_overview_shows_its_three_charts(page: Page) -> None:
    open_view(page, "/", TITLE)
    titles = page.evaluate(_CHART_TITLES_JS)
    assert len(titles) == 3, titles
    assert "latest 12 months" in titles[0] and "gaps" in titles[1] and "Distinctive" in titles[2]
    demand = traces(page)[0]
    assert {"Data Scientist", "ML Engineer"} <= set(demand)
    main = page.get_by_test_id("stMain")
    expect(main).to_contain_text("In the latest 12 months")
    expect(main).to_contain_text("rests on only 18 postings")  # low n said in words
    expect(main).to_contain_text("In 2024, the survey's median ML engineer earned")


def test_overview_report_downloads_and_opens(page: Page) -> None:
    open_view(page, "/", TITLE)
    label = page.get_by_test_id("stDownloadButton").filter(has_text="figures (CSV)").inner_text()
    n_figures = int(re.search(r"Download these (\d+) figures", label).group(1))
    name, blob = _download(page, "one-page report")
    assert name == "overview_report.zip"
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        png = z.read("overview_report.png")
        rows = list(csv.DictReader(io.StringIO(z.read("overview_report_figures.csv").decode())))
        meta = json.loads(z.read("overview_report.metadata.json"))
    assert len(rows) == n_figures == meta["rows"]
    assert meta["view"] == "overview"
    assert {r["question"] for r in rows} == {"demand", "pay", "skills"}
    # the page opens as an image in the browser, at its full size
    wait_ready(page)
    page.set_content(f'<img id="r" src="data:image/png;base64,{base64.b64encode(png).decode()}">')
    page.wait_for_function("() => document.getElementById('r').complete")
    width, height = page.evaluate(
        "() => [document.getElementById('r').naturalWidth, document.getElementById('r').naturalHeight]"
    )
    assert width > 1000 and height > 500, (width, height)


def test_pay_shows_the_like_for_like_and_posted_pay_panels(page: Page) -> None:
    open_view(page, "/pay", "Pay: Data Scientist vs ML Engineer")
    main = page.get_by_test_id("stMain")
    # the fixture's ML engineers share no experience x size x country x year cell with its DS
    expect(main).to_contain_text("Like-for-like gap: too few responses in cells both roles have")
    expect(main).to_contain_text("Pay posted in the ads (Hacker News)")
    names = [n for chart in traces(page) for n in chart]
    assert "ML Engineer: posted median" in names, names
