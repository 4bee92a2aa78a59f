"""Salary ranges stated in Hacker News postings ("$150k - $200k + equity", "€70-90k", "£60k-£80k").

Reads posting texts; writes one row per stated range: min and max in the posting's currency and
period (year, month, day, hour), with the character offsets of the evidence. Equity and bonus
percentages, funding rounds, revenue and 401(k) plans are not salary.
"""

from __future__ import annotations

import re

import pandas as pd

from etl.schema import TABLES

# currency marks written before or after an amount -> ISO code
_PREFIX = {
    "us$": "USD", "usd": "USD", "$": "USD", "ca$": "CAD", "c$": "CAD", "cad": "CAD",
    "a$": "AUD", "au$": "AUD", "aud": "AUD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP",
    "chf": "CHF", "₹": "INR", "inr": "INR", "sek": "SEK", "nok": "NOK", "dkk": "DKK",
    "sgd": "SGD", "s$": "SGD", "nzd": "NZD", "brl": "BRL", "r$": "BRL", "pln": "PLN", "¥": "JPY",
    "euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP",
}  # fmt: skip
_CUR = r"(?:US\$|CA\$|AU\$|C\$|A\$|S\$|R\$|\$|€|£|₹|¥|USD|CAD|AUD|EUR|GBP|CHF|INR|SEK|NOK|DKK|SGD|NZD|BRL|PLN|[Ee]uros?|[Pp]ounds?)"
_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:\.\d{2})?|\d+(?:\.\d+)?"
_MULT = r"(?:k|K|m|M|mm|MM|L|lakhs?|lacs?)"
_AMOUNT = (
    rf"(?P<cI>{_CUR})?\s?(?P<nI>{_NUM})\s?(?P<mI>{_MULT}\b)?(?P<pI>\+(?=\s?{_CUR}))?"
    rf"(?:\s?(?P<dI>{_CUR})(?![\w$]))?"
)
_SEP = r"\s*(?:-|–|—|~|to|and|up\s+to)\s*"
# NOTE: case-sensitive (currency codes are written in capitals; "Up to"/"From" spelled out):
# an IGNORECASE scan of every posting costs twice as long in Python's re
_RANGE = re.compile(
    r"(?<![\w.,$€£])(?=[\d$€£₹¥UuFfSsACEGINRBPDe])(?P<up>[Uu]p\s+to\s+|[Ff]rom\s+|[Ss]tarting\s+(?:at|from)\s+)?"
    + _AMOUNT.replace("I>", "1>")
    + rf"(?:{_SEP}"
    + _AMOUNT.replace("I>", "2>")
    + r")?(?P<plus>\+)?",
)
_PERIOD = re.compile(
    r"^\s*(?:/|per\s+|an?\s+|p/?)\s*(?P<p>hour|hr|h\b|year|yr|annum|a\b|month|mo\b|day|week|wk)",
    re.IGNORECASE,
)
_PERIOD_WORDS = {"hour": "hour", "hr": "hour", "h": "hour", "year": "year", "yr": "year",
                 "annum": "year", "a": "year", "month": "month", "mo": "month", "day": "day",
                 "week": "week", "wk": "week"}  # fmt: skip
# "a bit over $200k base": over / more than an amount that is then called a salary is its minimum
_MORE_THAN = re.compile(r"(?:over|more\s+than)[\s:]*$", re.IGNORECASE)
_CALLED_SALARY = re.compile(r"^[ \t]*(?:base\b|salary\b|base\s+salary\b)", re.IGNORECASE)
# NOTE: money that is not pay: a funding round, a valuation, revenue, a bonus or referral fee
_NOT_PAY_AFTER = re.compile(
    r"^[ \t]*(?:in[ \t]+)?(?:funding|raised|seed|series|valuation|revenue|arr|mrr|in\s+sales|"
    r"in\s+(?:venture|vc|capital|investment|annual\s+revenue)|referral|signing|sign-on|bonus|"
    r"grant|prize|budget|gmv|market|customers|users|of\s+(?:funding|revenue|capital)|"
    r"in\s+(?:contracted\s+)?(?:revenue|contracts?|bookings)|stipend|allowance|from\s+[A-Z]|"
    r"additional|commission|ote\b|orders?\b|deals?\b|invoices?\b|loans?\b|purchases?\b|"
    r"(?:of|in)[ \t]+(?:stock|equity|options|rsus?|shares)\b)",
    re.IGNORECASE,
)
_NOT_PAY_BEFORE = re.compile(
    r"(?:raised|raising|funding|funded|valuation|valued\s+at|revenue|arr|series\s+[a-e]|seed|"
    r"invested|investment|backed|grant|bonus|referral|prize|budget|worth|over|more\s+than|commission|"
    r"\bwe\s+(?:made|make|earned|earn|generated|generate|grossed|processed|process|did|do))"
    r"[\s:]*(?:of\s+)?(?:a\s+|an\s+)?$",
    re.IGNORECASE,
)
MIN_ANNUAL = 5_000  # a yearly amount below this is not a salary (a year, a count, a price)
MAX_ANNUAL = 999_999  # from a million it is a funding round or revenue, not a posted salary
# a noun after a range without a currency mark that makes it a count, not pay
_COUNTED = re.compile(
    r"[ \t]*(?:\+[ \t]*)?(?:[a-z]+[ \t]+)?(?:employees|people|users|customers|requests|transactions|"
    r"members|downloads|stars|installs|gpus|servers|nodes|lines|rows|records|events|visitors|"
    r"companies|businesses|students|patients|developers|engineers|sq|square|miles|km|words)\b",
    re.IGNORECASE,
)
# currencies of many units to the dollar: their salaries run into the millions
_SMALL_UNIT = {"INR": 100, "JPY": 200}
# the smallest amount per period that is pay (below: a perk, "$100/month DoorDash")
MIN_PER_PERIOD = {"year": MIN_ANNUAL, "month": 1_000, "day": 50, "hour": 10}
MAX_PER_PERIOD = {"year": MAX_ANNUAL, "month": 80_000, "day": 5_000, "hour": 1_000}
# NOTE: "150-200k" with no currency mark is a salary range as HN ads write it; its currency is
# the one the ad writes elsewhere (EUR for "€", GBP for "£"), else USD (LABELLING.md: "$" is USD)
_AD_CURRENCY = (("EUR", re.compile(r"€|\bEUR\b|\beuros?\b", re.I)), ("GBP", re.compile(r"£|\bGBP\b", re.I)),
                ("CHF", re.compile(r"\bCHF\b")), ("CAD", re.compile(r"\bCAD\b|CA\$")))  # fmt: skip


def _value(num: str, mult: str | None) -> float:
    text = (
        re.sub(r"\.\d{2}$", "", num) if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+\.\d{2}", num) else num
    )
    if re.fullmatch(r"\d{1,3}(?:[,.]\d{3})+", text):
        text = re.sub(r"[,.]", "", text)
    v = float(text)
    m = (mult or "").lower()
    if m == "k":
        v *= 1_000
    elif m in ("m", "mm"):
        v *= 1_000_000
    elif m in ("l", "lakh", "lakhs", "lac", "lacs"):
        v *= 100_000
    return v


# NOTE: a bare "$" in an ad whose first line places it in one other dollar country, and names no
# US place, is that country's dollar ("Acme | Sydney, Australia | $100,000 to $180,000")
_LOCAL_DOLLAR = (
    ("AUD", re.compile(r"\b(?:Australia|Sydney|Melbourne|Brisbane|Perth|Adelaide|AEST)\b")),
    ("CAD", re.compile(r"\b(?:Canada|Toronto|Vancouver|Montr[eé]al|Ottawa|Calgary|Waterloo)\b")),
    ("NZD", re.compile(r"\b(?:New Zealand|Auckland|Wellington|Christchurch)\b")),
    ("SGD", re.compile(r"\bSingapore\b")),
)
_US_PLACE = re.compile(
    r"\b(?:US|USA|U\.S\.A?\.?|United States|America|NYC|New York|San Francisco|SF|Bay Area|"
    r"Seattle|Boston|Austin|Chicago|Los Angeles|LA|[A-Z][a-z]+, (?:CA|NY|WA|MA|TX|IL|CO|GA|NC|PA|FL|OR|VA|DC))\b"
)


def _local_dollar(first_line: str) -> str | None:
    """The dollar a bare "$" stands for in an ad with this first line, when not the US dollar."""
    if _US_PLACE.search(first_line):
        return None
    found = [cur for cur, pat in _LOCAL_DOLLAR if pat.search(first_line)]
    return found[0] if len(found) == 1 else None


def _currency(*marks: str | None) -> str | None:
    """The range's currency: a written code or a specific sign ("CAD", "€", "C$") wins over a bare
    "$" ("$150k CAD" is Canadian dollars); a bare "$" alone is USD (LABELLING.md)."""
    codes = [_PREFIX.get(m.lower()) for m in marks if m]
    specific = [c for m, c in zip([m for m in marks if m], codes, strict=True) if c and m != "$"]
    if specific:
        return specific[0]
    return codes[0] if codes else None


# every range holds a currency mark or a "k"-style multiplier right after a digit: a text with
# neither is not scanned (tests/unit/test_pay.py checks the scan finds nothing more without it)
_MONEY_HINT = re.compile(
    r"[$€£₹¥]|\d\s?(?:[kKmML]\b|lakh|lac)|USD|EUR|GBP|CHF|CAD|AUD|INR|SEK|NOK|DKK|SGD|NZD|BRL|PLN|[Ee]uro|[Pp]ound"
)


def extract_pay(text: str) -> list[tuple[float | None, float | None, str, str, int, int]]:
    """(min, max, currency, period, start, end) of every salary range stated in `text`."""
    if not _MONEY_HINT.search(text):
        return []
    out = []
    seen = set()
    local = _local_dollar(text.split("\n", 1)[0])
    for m in _RANGE.finditer(text):
        cur = _currency(m["c1"], m["d1"], m["c2"], m["d2"])
        if cur == "USD" and local and {m["c1"], m["d1"], m["c2"], m["d2"]} <= {"$", None}:
            cur = local
        if cur is None:
            # no currency mark: a count, a year, a percentage, unless a "k" range ("150-200k")
            if not (m["n2"] and (m["m2"] or "").lower() == "k"):
                continue
            if _COUNTED.match(text[m.end() : m.end() + 30]):
                continue  # "10-15k employees", "50-100k requests/day"
            cur = next((c for c, pat in _AD_CURRENCY if pat.search(text)), "USD")
        if m["n1"] and text[m.end() : m.end() + 1] == "%":
            continue
        if re.match(r"\s*%", text[m.end() : m.end() + 3]):
            continue
        before = text[max(0, m.start() - 40) : m.start()]
        after = text[m.end() : m.end() + 40]
        at_least = bool(_MORE_THAN.search(before) and _CALLED_SALARY.match(after))
        if (_NOT_PAY_BEFORE.search(before) and not at_least) or _NOT_PAY_AFTER.search(after):
            continue
        if re.search(r"401\s*\(?k", text[max(0, m.start() - 2) : m.end() + 3], re.IGNORECASE):
            continue
        m1, m2 = m["m1"], m["m2"]
        # "$277—$397k", "150-200k": a multiplier written once applies to both ends, but never to
        # an amount written in full ("$150,000 - 200k")
        n1_small = _value(m["n1"], None) < 1000
        lo = _value(m["n1"], m1 or (m2 if m["n2"] and n1_small else None))
        hi = _value(m["n2"], m2 or m1) if m["n2"] else None
        pm = _PERIOD.match(text[m.end() : m.end() + 20])
        period = _PERIOD_WORDS[pm["p"].lower()] if pm else "year"
        if period == "week":
            continue
        scale = _SMALL_UNIT.get(cur, 1)
        vals = [v for v in (lo, hi) if v is not None]
        if period != "year" and any(
            v < MIN_PER_PERIOD[period] * scale or v > MAX_PER_PERIOD[period] * scale for v in vals
        ):
            continue
        if period == "year":
            if any(v < MIN_ANNUAL * scale or v > MAX_ANNUAL * scale for v in vals):
                # NOTE: "$50-70" with no period and no k is more often an hourly rate than a salary
                if all(v < 500 for v in vals) and not (m1 or m2):
                    period = "hour" if re.search(r"hour|hr\b|/h\b", after, re.I) else period
                if period == "year":
                    continue
        if hi is not None and hi < lo:
            lo, hi = hi, lo
        if m["up"] and m["up"].lower().startswith("up") and hi is None:
            lo, hi = None, lo
        elif m["up"] and hi is None:
            pass  # "from €50,000": a minimum (merged below with a following "up to")
        elif (m["plus"] or m["p1"] or at_least) and hi is None:
            pass  # "$150k+", "160k+ USD", "over $200k base": a minimum
        elif hi is None:
            hi = lo  # a single amount
        # the same range repeated on one line is one range; on two lines (two jobs) it is two
        key = (lo, hi, cur, period, text.count("\n", 0, m.start()))
        if key in seen:
            continue
        seen.add(key)
        prev = out[-1] if out else None
        # "from €50,000 but it could go up to €100,000+": one range written in two halves
        if (
            prev is not None
            and prev[1] is None
            and lo is None
            and (prev[2], prev[3]) == (cur, period)
            and m.start() - prev[5] <= 60
            and "\n" not in text[prev[5] : m.start()]
        ):
            out[-1] = (prev[0], hi, cur, period, prev[4], m.end())
            continue
        out.append((lo, hi, cur, period, m.start(), m.end()))
    return out


# the columns as extracted; `with_usd_annual` adds the year and the annual US-dollar columns
USD_COLUMNS = ("posted_year", "pay_min_usd_annual", "pay_max_usd_annual", "usd_conversion")
POSTED_PAY_COLUMNS: list[str] = [c for c in TABLES["hn_posted_pay"].columns if c not in USD_COLUMNS]


def attribute_pay(
    text: str, roles: list[str], matchers: dict, ranges: list[tuple]
) -> list[tuple[str, str, tuple]]:
    """(role, attribution, range) per range: a single-job ad's ranges are that job's
    (single_job); a range on a line that names roles is theirs (job_part); on a line that names
    only another job it is that job's ('other', other_job); on a line naming no job it is the
    ad's (every flagged role, company_wide); in a posting that offers none of our roles, 'other'."""
    from etl.transform import attribution

    lines = text.split("\n")
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    named = [attribution.line_jobs(ln, i == 0, matchers) for i, ln in enumerate(lines)]
    single = len(roles) == 1 and not any(o for _, o in named)
    out = []
    for rng in ranges:
        i = max(k for k, s in enumerate(starts) if s <= rng[4])
        jobs, other = named[i]
        if not roles:
            out.append(("other", "no_role", rng))
        elif single:
            out.append((roles[0], "single_job", rng))
        elif jobs or other:
            # a line naming several jobs ("Data Scientist ($150k-$180k), Backend Engineer
            # ($140k-$170k)"): the range is the job's whose mention comes last before it
            owner = _nearest_job(lines[i], rng[4] - starts[i], matchers)
            if owner in roles:
                out.append((owner, "job_part", rng))
            elif owner is None:
                out.extend((r, "company_wide", rng) for r in roles)
            else:
                out.append(("other", "other_job", rng))
        else:
            out.extend((r, "company_wide", rng) for r in roles)
    return out


def _nearest_job(line: str, at: int, matchers: dict) -> str | None:
    """The role (or 'other') of the job mention on `line` that ends last before offset `at`,
    else the first one after it; None when the line names no job."""
    from etl.transform import attribution

    mentions = []
    masked = line
    for role, m in matchers.items():
        for kind, _rule, start, end in m.decide(line):
            if kind == "include":
                mentions.append((start, end, role))
                masked = masked[:start] + " " * (end - start) + masked[end:]
    mentions += [(j.start(), j.end(), "other") for j in attribution._JOB_NOUN.finditer(masked)]
    if not mentions:
        return None
    before = [x for x in mentions if x[1] <= at]
    return max(before)[2] if before else min(mentions)[2]


def posted_pay_by_role(
    postings: pd.DataFrame,
    flags: pd.DataFrame,
    definition: str = "anywhere",
    matchers: dict | None = None,
) -> pd.DataFrame:
    """POSTED_PAY_COLUMNS: every range stated in the postings, tied to the roles it is for."""
    from etl.transform import hn_roles
    from etl.vocab import ROLES

    matchers = matchers or hn_roles.compile_role_rules(hn_roles.load_role_rules())
    cols = [hn_roles.flag_column(r, definition) for r in ROLES]
    merged = postings[["posting_id", "text"]].merge(flags[["posting_id", *cols]], on="posting_id")
    rows = []
    for rec in merged.itertuples(index=False):
        text = str(rec.text or "")
        ranges = extract_pay(text)
        if not ranges:
            continue
        roles = [r for r, c in zip(ROLES, cols, strict=True) if getattr(rec, c)]
        for role, how, (lo, hi, cur, period, start, end) in attribute_pay(
            text, roles, matchers, ranges
        ):
            rows.append((int(rec.posting_id), role, lo, hi, cur, period, how, start, end))
    return pd.DataFrame(rows, columns=POSTED_PAY_COLUMNS).astype(
        {
            "posting_id": "int64",
            "pay_min": "float64",
            "pay_max": "float64",
            "start_char": "int64",
            "end_char": "int64",
        }
    )


def with_usd_annual(posted: pd.DataFrame, postings: pd.DataFrame) -> pd.DataFrame:
    """The published hn_posted_pay: `posted` with the year of the posting's thread and each end in
    US dollars per year (etl.transform.fx: the period's amount times the periods in a year, at the
    year's average exchange rate; 'no_rate' and blank where the table has no rate)."""
    from etl.transform import fx

    year = postings.set_index("posting_id")["thread_month"].dt.year
    out = posted.assign(posted_year=posted["posting_id"].map(year).astype("int64"))
    lo, how = fx.to_usd_annual(out["pay_min"], out["currency"], out["period"], out["posted_year"])
    hi, _ = fx.to_usd_annual(out["pay_max"], out["currency"], out["period"], out["posted_year"])
    out = out.assign(pay_min_usd_annual=lo, pay_max_usd_annual=hi, usd_conversion=how)
    return out[list(TABLES["hn_posted_pay"].columns)]


# the published table's columns, declared once, in the field dictionary
POSTED_PAY_YEARLY_COLUMNS: list[str] = list(TABLES["hn_posted_pay_yearly"].columns)


def posted_pay_yearly(
    posted: pd.DataFrame, postings: pd.DataFrame, flags: pd.DataFrame, definition: str = "anywhere"
) -> pd.DataFrame:
    """Per role and year: the role's postings, how many state pay for the role (any currency, any
    period) and the P25 / median / P75 of the range midpoints in US dollars per year over the
    salaries (SALARY_PERIODS, both ends stated) posted in US dollars, beside the median over the
    salaries of every currency converted at the year's rate (`posted` is `with_usd_annual`'s
    table) and the count of ranges left unconverted for want of a rate."""
    import numpy as np

    from etl.transform import hn_roles
    from etl.vocab import ROLES, SALARY_PERIODS

    year = postings.set_index("posting_id")["thread_month"].dt.year
    both = posted["pay_min_usd_annual"].notna() & posted["pay_max_usd_annual"].notna()
    salaried = posted["period"].isin(SALARY_PERIODS) & both
    mid = (posted["pay_min_usd_annual"] + posted["pay_max_usd_annual"]) / 2
    rows = []
    for role in ROLES:
        flagged = flags.loc[flags[hn_roles.flag_column(role, definition)], "posting_id"]
        per_year = year.loc[flagged].value_counts()
        mine = posted["role"] == role
        for y, n_role in sorted(per_year.items()):
            here = mine & (posted["posted_year"] == y)
            stating = posted.loc[here, "posting_id"].nunique()
            usd = mid[here & salaried & (posted["currency"] == "USD")].to_numpy()
            every = mid[here & salaried].to_numpy()
            q = np.percentile(usd, [25, 50, 75]) if len(usd) else [np.nan] * 3
            rows.append(
                (
                    role,
                    int(y),
                    int(n_role),
                    int(stating),
                    100.0 * stating / n_role,
                    int(len(usd)),
                    *map(float, q),
                    int(len(every)),
                    float(np.median(every)) if len(every) else np.nan,
                    int((here & posted["usd_conversion"].eq("no_rate")).sum()),
                )
            )
    return pd.DataFrame(rows, columns=POSTED_PAY_YEARLY_COLUMNS).astype(
        {
            "posted_year": "int64",
            "role_postings": "int64",
            "postings_stating_pay": "int64",
            "ranges_usd_year": "int64",
            "ranges_all_currencies": "int64",
            "ranges_no_rate": "int64",
        }
    )
