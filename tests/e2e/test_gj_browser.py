"""The Google Jobs panels and the real-pay toggle in a real browser (Debian's Chromium), on the
hand-made data of tests/support_gj.py: the panels render with n and source, the toggle and the
denominator choice change the numbers and the link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import captions, metric, open_view, radio_choose, wait_ready

pytestmark = pytest.mark.e2e


def _main(page: Page):  # type: ignore[no-untyped-def]
    return page.get_by_test_id("stMain")


def test_pay_real_dollars_toggle_and_third_series(page: Page) -> None:
    open_view(page, "/pay", "Pay: Data Scientist vs ML Engineer")
    main = _main(page)
    expect(main.get_by_role("heading", name="Salaries posted on Google Jobs")).to_be_visible()
    expect(metric(page, "Data Scientist median")).to_have_text("$117,000")
    radio_choose(page, "Pay in", "One year's dollars")
    expect(page).to_have_url(re.compile(r"[?&]real=real"))
    wait_ready(page)
    # the fixture CPI: 2023 is the base year; 2024 responses x 110 / 120
    expect(
        main.get_by_text(re.compile(r"Every amount on this page is in 2023 US dollars"))
    ).to_be_visible()
    expect(metric(page, "Data Scientist median")).not_to_have_text("$117,000")
    assert any("2,080 hours" in c for c in captions(page))


def test_skills_second_source_and_denominator(page: Page) -> None:
    open_view(page, "/skills", "Skills: what each role asks for")
    main = _main(page)
    expect(
        main.get_by_role("heading", name="A second source: Google Jobs postings")
    ).to_be_visible()
    expect(main.get_by_role("heading", name="Claims, checked in both sources")).to_be_visible()
    assert any("all the role's postings" in c and "Data Scientist 13" in c for c in captions(page))
    radio = main.get_by_test_id("stRadio").filter(has_text="Google Jobs denominator")
    radio.get_by_test_id("stRadioOption").filter(has_text="carry a skills list").click()
    expect(page).to_have_url(re.compile(r"[?&]gjden=with_skills"))
    wait_ready(page)
    assert any("carry a skills list" in c and "**" not in c for c in captions(page))


def test_demand_google_jobs_context(page: Page) -> None:
    open_view(page, "/demand", "Demand")
    main = _main(page)
    expect(
        main.get_by_role("heading", name="Context: Google Jobs postings per month")
    ).to_be_visible()
    assert any("A snapshot of search results, not a census" in c for c in captions(page))
