"""Salary ranges stated in postings (etl.transform.pay), on phrases written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from etl.transform import hn_roles, pay


def ranges(text: str) -> list[tuple]:
    return [(lo, hi, cur, period) for lo, hi, cur, period, *_ in pay.extract_pay(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme | $150,000 - $200,000 + equity | Remote", [(150_000, 200_000, "USD", "year")]),
        ("Acme | $277—$397k | SF", [(277_000, 397_000, "USD", "year")]),
        ("Acme | Berlin | €70-90k", [(70_000, 90_000, "EUR", "year")]),
        ("Acme | London | £60k-£80k", [(60_000, 80_000, "GBP", "year")]),
        ("Acme | NYC | 150-200k", [(150_000, 200_000, "USD", "year")]),
        ("Acme | Vienna | Full-Time 45-90k Euro", [(45_000, 90_000, "EUR", "year")]),
        ("Acme | $150k+ | Remote", [(150_000, None, "USD", "year")]),
        ("Acme | up to $220K", [(None, 220_000, "USD", "year")]),
        ("Contract, $50-70/hr", [(50, 70, "USD", "hour")]),
        ("Pay: SDE2: ₹14L (Base + bonus)", [(1_400_000, 1_400_000, "INR", "year")]),
        (
            "We'd start from €50,000 but it could go up to €100,000+ for seniors.",
            [(50_000, 100_000, "EUR", "year")],
        ),
    ],
)
def test_ranges_as_posted(text, expected):
    assert ranges(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "0.5% - 1% equity, 401k match",
        "We raised $20M Series A from great investors.",
        "Referral bonus: $10k cash for a referral who joins.",
        "We scaled to $1MM+ in contracted revenue.",
        "Perks: $100/month DoorDash, $1000 home office stipend",
        "Founded in 2015, 150-200 employees",
    ],
)
def test_not_pay(text):
    assert ranges(text) == []


def test_commission_is_not_base_salary():
    text = "£80-100k base salary with £25k additional commission"
    assert ranges(text) == [(80_000, 100_000, "GBP", "year")]


def test_money_hint_finds_each_kind_of_mark():
    for t in ["pay $150", "EUR 60.000", "60k", "10 lakh", "an 80 K salary", "in pounds", "¥9m"]:
        assert pay._money_hint(t), t
    assert not pay._money_hint("Founded 2015 in Munich, 40 hours")


def test_money_hint_prefilter_changes_nothing():
    """A text without a currency mark or a k-style multiplier is not scanned: the scan would
    find nothing there either."""
    texts = ["Founded 2015, 150-200 employees, 40 hours", "Python, Go and 3 years of experience"]
    for t in texts:
        assert not pay._money_hint(t)
        assert not [
            m for m in pay._RANGE.finditer(t) if pay._currency(m["c1"], m["d1"], m["c2"], m["d2"])
        ]


def test_ranges_tied_to_the_role_they_are_for():
    text = (
        "Acme | Remote | Multiple roles\n"
        "- Senior Data Scientist ($150k-$180k)\n"
        "- Rails Engineer ($120k-$140k)\n"
        "All roles get equity."
    )
    postings = pd.DataFrame(
        {"posting_id": [7], "text": [text], "first_line": [text.split("\n")[0]]}
    )
    flags = hn_roles.flag_roles(postings)
    table = pay.posted_pay_by_role(postings, flags)
    assert list(table.columns) == pay.POSTED_PAY_COLUMNS
    ds = table[table.role == "data_scientist"]
    assert list(zip(ds.pay_min, ds.pay_max, strict=True)) == [(150_000, 180_000)]
    assert set(ds.attribution) == {"job_part"}
    other = table[table.role == "other"]
    assert list(zip(other.pay_min, other.attribution, strict=True)) == [(120_000, "other_job")]
    assert text[int(ds.start_char.iloc[0]) : int(ds.end_char.iloc[0])] == "$150k-$180k"


TRICKY = pd.read_csv(Path(__file__).resolve().parents[1] / "fixtures" / "pay_tricky.csv")


@pytest.mark.parametrize("row", TRICKY.to_dict("records"), ids=list(TRICKY["why"]))
def test_tricky_phrases(row):
    """One case per class of miss found on the development part (`python -m eval --errors pay`),
    in phrases written for the fixture."""
    expected = [tuple(r) for r in json.loads(row["expected"])]
    assert ranges(row["text"]) == expected, row["why"]


def _attributed(text: str, roles: list[str]) -> list[tuple]:
    matchers = hn_roles.compile_role_rules(hn_roles.load_role_rules())
    return [
        (role, how, lo, hi)
        for role, how, (lo, hi, *_rest) in pay.attribute_pay(
            text, roles, matchers, pay.extract_pay(text)
        )
    ]


def _of(got: list[tuple], role: str) -> list[tuple]:
    return [g for g in got if g[0] == role]


def test_a_header_pay_field_is_every_role_of_a_multi_job_ad():
    """A range alone in a header field of an ad with several jobs is the ad's: every flagged role
    gets it (the labelled set reads header ranges ad-wide)."""
    text = (
        "Acme | Senior Machine Learning Engineer, Backend Engineer | Remote | $160k - $210k\n"
        "We build tools for shops."
    )
    assert _attributed(text, ["ml_engineer"]) == [("ml_engineer", "company_wide", 160e3, 210e3)]


def test_header_ranges_go_to_the_listed_titles_in_order():
    text = (
        "Acme | Junior Analyst, Backend Engineer, Senior Data Scientist | NYC | "
        "$70-90k, $120-150k, $150-190k\nWe sell boxes."
    )
    got = _attributed(text, ["data_scientist"])
    assert ("data_scientist", "job_part", 150e3, 190e3) in got
    assert [g for g in got if g[0] == "data_scientist"] == [
        ("data_scientist", "job_part", 150e3, 190e3)
    ]
    assert [(g[2], g[3]) for g in got if g[0] == "other"] == [(70e3, 90e3), (120e3, 150e3)]


def test_a_range_after_one_mention_of_two_roles_is_both_roles():
    text = "Acme | Remote | Several roles\n- Lead AI/ML Engineer | $150,000 - $180,000\n- Designer | $90,000 - $110,000"
    got = _attributed(text, ["ai_engineer", "ml_engineer"])
    assert sorted(g for g in got if g[0] != "other") == [
        ("ai_engineer", "job_part", 150e3, 180e3),
        ("ml_engineer", "job_part", 150e3, 180e3),
    ]
    assert [(g[0], g[2]) for g in got if g[0] == "other"] == [("other", 90e3)]


def test_other_positions_line_is_not_the_main_job():
    text = (
        "Acme Lab | Data Scientist | Houston | salary 95-125k\n"
        "We also need a programmer.\n"
        "Other positions: $20k student part time, $60-70k postdoc full time."
    )
    got = _attributed(text, ["data_scientist"])
    assert _of(got, "data_scientist") == [("data_scientist", "company_wide", 95e3, 125e3)]
    assert {g[1] for g in _of(got, "other")} == {"other_job"}


def test_the_posters_own_pay_is_another_job():
    text = (
        "Acme | Remote\n"
        "* Senior Data Scientist - $150,000 to $180,000\n"
        "* Backend Engineer - $140,000 to $170,000\n"
        "Every role has a range; as a staff engineer here I make a bit over $210k base."
    )
    got = _attributed(text, ["data_scientist"])
    assert _of(got, "data_scientist") == [("data_scientist", "job_part", 150e3, 180e3)]
    assert ("other", "other_job", 210e3, None) in _of(got, "other")
