"""Small Playwright helpers for the Streamlit dashboard (selectors are Streamlit's data-testid)."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Locator, Page, expect

# the app root carries the connection and script state; notRunning = the last rerun finished
READY = (
    "[data-testid=stApp][data-test-connection-state=CONNECTED][data-test-script-state=notRunning]"
)
# a wait, not a speed check (speed is measured by `make bench`): on a shared 2-core machine under
# load a rerun of a page has taken more than 30 s
TIMEOUT_MS = 60_000

# names of each Plotly chart's traces, one list per chart, in page order
_TRACES_JS = """() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]
    .map(e => (e.data || []).map(t => t.name || ''))"""
# every chart placeholder has a drawn Plotly figure
_CHARTS_DRAWN_JS = """() => {
    const boxes = document.querySelectorAll('[data-testid=stPlotlyChart]');
    const drawn = document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot .main-svg');
    return boxes.length > 0 && drawn.length >= boxes.length;
}"""


def wait_ready(page: Page, timeout: float = TIMEOUT_MS) -> None:
    """The last rerun finished and every lazily loaded element (Plotly, dataframes, widgets: a
    stSkeleton placeholder while their code loads) is in place."""
    page.wait_for_selector(READY, timeout=timeout)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout
    )


def open_view(page: Page, path: str, title: str) -> float:
    """Go to `path`, wait until the page script finished with its title shown and every Plotly
    chart it placed drawn; no exception box. Returns the seconds it took."""
    t0 = time.monotonic()
    page.goto(path)
    expect(page.get_by_role("heading", level=1).first).to_contain_text(title, timeout=TIMEOUT_MS)
    wait_ready(page)
    if page.get_by_test_id("stPlotlyChart").count():
        page.wait_for_function(_CHARTS_DRAWN_JS, timeout=TIMEOUT_MS)
    elapsed = time.monotonic() - t0
    assert_no_exception(page)
    return elapsed


def assert_no_exception(page: Page) -> None:
    errors = page.get_by_test_id("stException")
    assert errors.count() == 0, f"the page shows an exception: {errors.first.inner_text()[:2000]}"


def traces(page: Page) -> list[list[str]]:
    return page.evaluate(_TRACES_JS)


def wait_for_traces(page: Page, predicate_js: str, timeout: float = TIMEOUT_MS) -> None:
    """Wait until `predicate_js` (a JS expression over `charts`, the list of trace-name lists) is
    true, then until the rerun finished."""
    page.wait_for_function(
        f"() => {{ const charts = ({_TRACES_JS})(); return {predicate_js}; }}", timeout=timeout
    )
    wait_ready(page)


def metric(page: Page, label: str) -> Locator:
    """The value of the st.metric whose label is exactly `label`."""
    return (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        .get_by_test_id("stMetricValue")
    )


def sidebar_widget(page: Page, testid: str, label: str) -> Locator:
    """A sidebar widget (stMultiSelect, stRadio, stSlider) by the start of its label."""
    return (
        page.get_by_test_id("stSidebar")
        .get_by_test_id(testid)
        .filter(has=page.get_by_test_id("stWidgetLabel").filter(has_text=re.compile("^" + label)))
    )


def multiselect_values(widget: Locator) -> list[str]:
    return widget.locator("[data-tag]").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))"
    )


def multiselect_add(page: Page, label: str, option: str) -> None:
    widget = sidebar_widget(page, "stMultiSelect", label)
    widget.locator("input").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def multiselect_remove(page: Page, label: str, option: str) -> None:
    widget = sidebar_widget(page, "stMultiSelect", label)
    widget.get_by_role("button", name=f"Remove {option}", exact=True).click()


def radio_choose(page: Page, label: str, option_prefix: str) -> None:
    widget = sidebar_widget(page, "stRadio", label)
    widget.get_by_test_id("stRadioOption").filter(has_text=re.compile("^" + option_prefix)).click()


def radio_selected(page: Page, label: str) -> Locator:
    widget = sidebar_widget(page, "stRadio", label)
    return widget.locator("[data-testid=stRadioOption][data-selected=true]")


def slider_values(page: Page, label: str) -> list[str]:
    widget = sidebar_widget(page, "stSlider", label)
    return [t.inner_text() for t in widget.get_by_test_id("stSliderThumbValue").all()]


def captions(page: Page) -> list[str]:
    return page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").all_inner_texts()
