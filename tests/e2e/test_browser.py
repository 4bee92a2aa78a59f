"""The dashboard in a real browser (Chromium) against a real `streamlit run`, on the hand-made data
of tests/support.py. Numbers a person can check by hand from that fixture:

- salaries, strict titles: 45 data scientists (40 US paid 100,000..139,000 plus 5 German ones paid
  65,000..69,000 USD; median 117,000) and 30 US ML engineers (130,000..159,000; median 144,500);
- US + work year 2024: 20 data scientists (100,000..119,000, median 109,500) and 15 ML engineers
  (130,000..144,000, median 137,000), 35 rows;
- US only: 40 data scientists, median 119,500; broad titles add one US Lead Data Scientist
  (150,000): 41, median 120,000;
- Hacker News: 3 monthly threads; 36 data-scientist and 18 ML-engineer postings.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from collections import Counter

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    captions,
    metric,
    multiselect_add,
    multiselect_remove,
    multiselect_values,
    open_view,
    radio_choose,
    radio_selected,
    sidebar_widget,
    slider_values,
    traces,
    wait_for_traces,
    wait_ready,
)

pytestmark = pytest.mark.e2e

PAY = "/pay"  # Overview is the default page (served at /); Pay always lives at /pay
PAY_TITLE = "Pay: Data Scientist vs ML Engineer"


def test_pay_view_shows_both_medians_and_a_chart(page: Page, timings: dict) -> None:
    timings["first_render_pay_s"] = round(open_view(page, PAY, PAY_TITLE), 2)

    expect(metric(page, "Data Scientist median")).to_have_text("$117,000")
    expect(metric(page, "ML Engineer median")).to_have_text("$144,500")
    caps = captions(page)
    assert any(c.startswith("n = 45") for c in caps), caps
    assert any(c.startswith("n = 30") for c in caps), caps

    # the percentile chart: one box per role, labelled with its n, and drawn
    charts = traces(page)
    assert charts[0] == ["Data Scientist (n=45)", "ML Engineer (n=30)"], charts
    first = page.get_by_test_id("stPlotlyChart").first
    expect(first.locator(".main-svg").first).to_be_visible()
    expect(first.locator("g.trace")).to_have_count(2)


def test_filter_change_redraws_chart_and_updates_url(page: Page, timings: dict) -> None:
    open_view(page, PAY, PAY_TITLE)
    assert traces(page)[0] == ["Data Scientist (n=45)", "ML Engineer (n=30)"]
    assert "country=" not in page.url

    # company country -> US: the 5 German data scientists drop out
    t0 = time.monotonic()
    multiselect_add(page, "Company country", "US")
    wait_for_traces(page, "charts.length > 0 && charts[0][0] === 'Data Scientist (n=40)'")
    timings["filter_change_to_updated_chart_s"] = round(time.monotonic() - t0, 2)
    expect(metric(page, "Data Scientist median")).to_have_text("$119,500")
    expect(metric(page, "ML Engineer median")).to_have_text("$144,500")
    expect(page).to_have_url(re.compile(r"[?&]country=US(&|$)"))
    assert multiselect_values(sidebar_widget(page, "stMultiSelect", "Company country")) == ["US"]

    # drop ML engineers from the roles: the chart keeps one trace, the ML metric goes away
    multiselect_remove(page, "Roles", "ML Engineer")
    wait_for_traces(page, "charts.length > 0 && charts[0].length === 1")
    assert traces(page)[0] == ["Data Scientist (n=40)"]
    expect(metric(page, "ML Engineer median")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"[?&]roles=data_scientist(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]country=US(&|$)"))

    # broad role definition: the US Lead Data Scientist joins
    radio_choose(page, "Role definition", "Broad")
    wait_for_traces(page, "charts.length > 0 && charts[0][0] === 'Data Scientist (n=41)'")
    expect(metric(page, "Data Scientist median")).to_have_text("$120,000")
    expect(page).to_have_url(re.compile(r"[?&]def=broad(&|$)"))


def test_pay_deep_link_restores_filters_and_numbers(page: Page) -> None:
    open_view(page, f"{PAY}?country=US&period_from=2024", PAY_TITLE)

    assert multiselect_values(sidebar_widget(page, "stMultiSelect", "Company country")) == ["US"]
    assert slider_values(page, "Period")[0] == "2024"
    assert multiselect_values(sidebar_widget(page, "stMultiSelect", "Roles")) == [
        "Data Scientist",
        "ML Engineer",
    ]
    expect(metric(page, "Data Scientist median")).to_have_text("$109,500")
    expect(metric(page, "ML Engineer median")).to_have_text("$137,000")
    caps = captions(page)
    assert any(c.startswith("n = 20") for c in caps), caps
    assert any(c.startswith("n = 15") for c in caps), caps
    assert traces(page)[0] == ["Data Scientist (n=20)", "ML Engineer (n=15)"]
    # the link is still the page's address (nothing dropped, no notice about bad values)
    expect(page).to_have_url(re.compile(r"country=US"))
    expect(page).to_have_url(re.compile(r"period_from=2024"))
    expect(page.get_by_text("Ignored unknown value")).to_have_count(0)


def test_demand_deep_link_restores_filters_and_numbers(page: Page) -> None:
    open_view(page, "/demand?def=broad&roles=ml_engineer", "Demand: postings per month")

    expect(radio_selected(page, "Role definition")).to_contain_text("Broad")
    assert multiselect_values(sidebar_widget(page, "stMultiSelect", "Roles")) == ["ML Engineer"]
    expect(metric(page, "ML Engineer postings")).to_have_text("18")
    expect(metric(page, "Data Scientist postings")).to_have_count(0)
    caps = " ".join(captions(page))
    assert "3 monthly threads" in caps and "definition: anywhere (broad)" in caps, caps
    names = traces(page)[0]
    assert names and all("ML Engineer" in n for n in names), names


def _download(page: Page, button_text: str | re.Pattern) -> tuple[str, bytes]:
    button = page.get_by_test_id("stDownloadButton").filter(has_text=button_text).first
    with page.expect_download(timeout=30_000) as d:
        button.get_by_role("button").click()
    dl = d.value
    path = dl.path()
    assert dl.failure() is None, dl.failure()
    with open(path, "rb") as f:
        return dl.suggested_filename, f.read()


def test_pay_csv_and_metadata_downloads_match_the_page(page: Page) -> None:
    open_view(page, f"{PAY}?country=US&period_from=2024", PAY_TITLE)

    button = page.get_by_test_id("stDownloadButton").filter(has_text="filtered rows")
    label = button.inner_text()
    m = re.search(r"Download the ([\d,]+) filtered rows", label)
    assert m, label
    n_label = int(m.group(1).replace(",", ""))
    n_captions = sum(
        int(x.group(1).replace(",", ""))
        for c in captions(page)
        if (x := re.match(r"n = ([\d,]+) · confidence", c))
    )
    assert n_label == n_captions == 35, (label, captions(page))

    name, body = _download(page, "filtered rows")
    assert name.endswith(".csv"), name
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert len(rows) == n_label
    assert {r["company_country_code"] for r in rows} == {"US"}
    assert {r["work_year"] for r in rows} == {"2024"}
    assert Counter(r["role_strict"] for r in rows) == {"data_scientist": 20, "ml_engineer": 15}

    wait_ready(page)
    name, body = _download(page, "Metadata (JSON)")
    assert name.endswith(".json"), name
    meta = json.loads(body)
    assert meta["view"] == "pay"
    assert meta["rows"] == n_label
    assert meta["n"] == {"data_scientist": 20, "ml_engineer": 15}
    filters = meta["filters"]
    assert ["US"] in filters.values(), filters
    assert 2024 in filters.values(), filters
    assert [s["source"] for s in meta["sources"]] == ["aijobs_salaries"]
