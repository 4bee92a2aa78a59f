"""Bad links: 1,000 random query strings (known and random keys, valid and garbage values, odd
percent-encodings, invalid UTF-8, empty keys and values, repeated keys, up to 10 kB) against
every view. No exception; invalid values and unknown keys are dropped with the notice.

Two layers, to keep the run short: all 1,000 strings go through urllib's parse_qs (what Streamlit
parses a link with) and the dashboard's own link readers (dashboard/filters.py `unknown_keys`,
`link_values`) for every view's keys; a seeded subset of them (SUBSET per view) runs through the
whole app in AppTest on the hand-made data of tests/support.py, where the warnings shown must be
exactly the expected ones and the query string afterwards holds no unknown key.
"""

from __future__ import annotations

import random
import string
from pathlib import Path
from urllib.parse import parse_qs, quote

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data, filters
from etl.vocab import ROLES, SCOPE_DEFINITIONS
from tests.support import publish_all

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
SEED = 20261201
N_LINKS = 1000
SUBSET = 8  # links per view through AppTest
MAX_LEN = 10_240

# values that are options on the fixture data, per key, and whether the widget takes several
GLOBAL = {
    "roles": (list(ROLES), True),
    "def": (list(SCOPE_DEFINITIONS), False),
    "period_from": (["2023"], False),  # the fixture's years: 2023, 2024 (salaries), 2026 (HN)
    "period_to": (["2026"], False),
    "country": (["US", "DE"], True),
}
PAY = {
    "exp": (["SE", "MI"], True),
    "emp": (["FT"], True),
    "remote": (["0", "100"], True),
    "size": (["M", "L"], True),
    "dups": (["keep", "once"], False),
}
SKILLS = {
    "cat": (["languages"], True),
    "top": (["10", "30"], False),
    "cmp": (["years", "pooled"], False),
    # its options are the skills of the chosen roles and years: links give it garbage or "all"
    "trend": ([], True),
}
VIEWS = {
    "overview": GLOBAL,
    "pay": {**GLOBAL, **PAY},
    "demand": GLOBAL,
    "skills": {**GLOBAL, **SKILLS},
    "methods": GLOBAL,
}
ALL_KEYS = {**GLOBAL, **PAY, **SKILLS}
STREAMLIT_KEYS = {"embed", "embed_options"}  # Streamlit's own, never shown to the app
# raw fragments: bad or odd percent-escapes, encoded UTF-8 (some invalid), separators, markup
ODD = [
    "%00", "%ZZ", "%", "%C3%28", "%E2%82", "%F0%9F%92%A9", "%FF%FE", "+", "%2B", "%26", "%3D",
    "%252F", "%u2603", "%EF%BB%BF", "<script>", "'\";--", "..%2F..", "\\", "~", "%7F", ";",
]  # fmt: skip
NOTICE_MAX = 600  # a notice quotes a few short excerpts, never the link


def _garbage(rng: random.Random, n: int) -> str:
    alphabet = string.ascii_letters + string.digits + "-_.~!*'()"
    out = []
    while len("".join(out)) < n:
        out.append(rng.choice(ODD) if rng.random() < 0.3 else rng.choice(alphabet))
    return "~" + "".join(out)  # "~" is in no option: garbage is never valid


def _value(rng: random.Random, key: str) -> str:
    r = rng.random()
    if key in ALL_KEYS and ALL_KEYS[key][0] and r < 0.4:
        v = rng.choice(ALL_KEYS[key][0])
        return quote(v, safe="") if rng.random() < 0.3 else v  # sometimes percent-encoded
    if r < 0.5:
        return "all"
    if r < 0.55:
        return ""
    return _garbage(rng, rng.choice((1, 5, 30, 200)))


def _key(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.6:
        return rng.choice(list(ALL_KEYS))
    if r < 0.65:
        k = rng.choice(list(ALL_KEYS))
        return "".join(f"%{ord(c):02X}" for c in k)  # a known key, percent-encoded
    if r < 0.7:
        return rng.choice(list(ALL_KEYS)).upper()
    if r < 0.72:
        return ""
    return _garbage(rng, rng.choice((1, 8, 40)))


def random_link(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.choice((0, 1, 2, 4, 8, 20))):
        k = _key(rng)
        if rng.random() < 0.1:
            parts.append(k)  # a key with no '='
        elif rng.random() < 0.05:
            parts.extend(f"{k}={_value(rng, k)}" for _ in range(rng.choice((3, 250))))
        else:
            parts.append(f"{k}={_value(rng, k)}")
        if rng.random() < 0.05:
            parts.append("")  # '&&'
    if rng.random() < 0.05:  # one huge value
        parts.append(f"{rng.choice(list(ALL_KEYS))}={_garbage(rng, MAX_LEN)}")
    return "&".join(parts)[:MAX_LEN]


LINKS = [random_link(random.Random(SEED + i)) for i in range(N_LINKS)]


def parsed(link: str) -> dict[str, list[str]]:
    return {
        k: v
        for k, v in parse_qs(link, keep_blank_values=True).items()
        if k.lower() not in STREAMLIT_KEYS
    }


def expected_notices(params: dict[str, list[str]], keys: dict) -> set[str]:
    """The keys whose link values the view must say it ignored ('?' for unknown keys)."""
    out = {"?"} if any(k not in filters.KNOWN_KEYS for k in params) else set()
    for k, (options, multi) in keys.items():
        vals = params.get(k, [])[: filters.MAX_URL_VALUES]
        if not vals or (multi and vals == [filters.EMPTY]):
            continue
        if any(v not in options for v in vals):
            out.add(k)
    return out


def test_the_links_are_as_odd_as_promised() -> None:
    lengths = [len(x) for x in LINKS]
    assert max(lengths) == MAX_LEN and min(lengths) == 0
    joined = "&".join(LINKS)
    for fragment in ("%C3%28", "%ZZ", "%00", "=all", "&&"):
        assert fragment in joined, fragment
    assert sum(any(k not in filters.KNOWN_KEYS for k in parsed(x)) for x in LINKS) > 300
    assert sum(bool(expected_notices(parsed(x), ALL_KEYS) - {"?"}) for x in LINKS) > 300


@pytest.mark.parametrize("view", list(VIEWS))
def test_every_link_through_the_link_readers(view: str) -> None:
    keys = VIEWS[view]
    for link in LINKS:
        params = parsed(link)
        unknown, notice = filters.unknown_keys(list(params))
        assert set(unknown) == {k for k in params if k not in filters.KNOWN_KEYS}
        assert (notice is None) == (not unknown)
        said = {"?"} if notice else set()
        for k, (options, multi) in keys.items():
            if k not in params:
                continue
            values, notices = filters.link_values(k, params[k], options, multi=multi)
            assert values is None or set(values) <= set(options), (link, k, values)
            if values:  # the link's order, each once
                first = [
                    v for v in dict.fromkeys(params[k][: filters.MAX_URL_VALUES]) if v in options
                ]
                assert values == first
            assert all(len(n) <= NOTICE_MAX for n in notices), notices
            if any(f"for '{k}' in the link" in n for n in notices):
                said.add(k)
        assert said == expected_notices(params, keys), link[:300]


@pytest.fixture(scope="module")
def fixture_dir(tmp_path_factory):  # type: ignore[no-untyped-def]
    d = tmp_path_factory.mktemp("links")
    publish_all(d)
    return d


def _subset(view: str) -> list[str]:
    rng = random.Random(f"{SEED}-{view}")
    return rng.sample(LINKS, SUBSET - 2) + [max(LINKS, key=len), ""]


def _run(view: str, params: dict[str, list[str]]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in params.items():
        at.query_params[k] = v
    at.switch_page(f"views/{view}.py").run()
    return at


def test_the_valid_values_are_options_on_the_fixture(fixture_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Every value the links draw as valid is an option there: a link of only those shows no notice."""
    monkeypatch.setenv("LMD_DATA_DIR", str(fixture_dir))
    data.clear_query_results()
    for view, keys in VIEWS.items():
        params = {k: options if multi else options[:1] for k, (options, multi) in keys.items()}
        at = _run(view, params)
        assert not at.exception, [e.value for e in at.exception]
        assert [w.value for w in at.warning if "in the link" in w.value] == [], view


@pytest.mark.parametrize("view", list(VIEWS))
def test_random_links_in_the_app(view, fixture_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("LMD_DATA_DIR", str(fixture_dir))
    data.clear_query_results()
    for link in _subset(view):
        params = parsed(link)
        at = _run(view, params)
        assert not at.exception, (link[:300], [e.value for e in at.exception])
        notices = [w.value for w in at.warning if "in the link" in w.value]
        assert all(len(n) <= NOTICE_MAX for n in notices), notices
        said = {"?"} if any(n.startswith("Ignored unknown parameter") for n in notices) else set()
        said |= {k for k in VIEWS[view] for n in notices if f"for '{k}' in the link" in n}
        assert said == expected_notices(params, VIEWS[view]), (link[:300], notices)
        left = [k for k in at.query_params if k not in filters.KNOWN_KEYS | STREAMLIT_KEYS]
        assert left == [], left
