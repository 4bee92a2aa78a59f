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
    "euro": "EUR", "euros": "EUR", "pound": "GBP", "pounds": "GBP", "usd$": "USD", "$a": "AUD",
    "$usd": "USD", "$aud": "AUD", "$cad": "CAD", "$nzd": "NZD", "$sgd": "SGD",
    "zł": "PLN",
}  # fmt: skip
_CUR = r"(?:\$(?:USD|AUD|CAD|NZD|SGD)|USD\$|US\$|CA\$|AU\$|C\$|A\$|S\$|R\$|\$A|\$|€|£|₹|¥|USD|CAD|AUD|EUR|GBP|CHF|INR|SEK|NOK|DKK|SGD|NZD|BRL|PLN|zł|[Ee]uros?|[Pp]ounds?)"
_CODES = "USD|CAD|AUD|EUR|GBP|CHF|INR|SEK|NOK|DKK|SGD|NZD|BRL|PLN"
# thousands grouped by commas, dots or spaces ("60 000 EUR"), or digits with decimals
_NUM = r"\d{1,3}(?:[,.]\d{3})+(?:\.\d{2})?|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?![\d,.])|\d+(?:\.\d+)?"
_MULT = r"(?:k|K|m|M|mm|MM|L|lakhs?|lacs?)"
# "150k-225kUSD": a currency code written against the multiplier
_AMOUNT = (
    rf"(?P<cI>{_CUR})?\s?~?(?P<nI>{_NUM})\s?(?P<mI>{_MULT}(?:\b|(?=(?:{_CODES})\b)))?"
    rf"(?P<pI>\+(?=\s?{_CUR}))?(?:\s?(?P<dI>{_CUR})(?![\w$]))?"
)
# "$80K/YR - $150K/YR": a period written after the lower end too
_SEP = (
    r"(?:\s?/\s?(?i:yr|year|hr|hour|h|mo|month)\b)?"
    r"\s*(?:-|–|—|~|to|and|up\s+to|through(?:\s+to)?)\s*(?:~|circa\s+|ca\.\s*)?"
)
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
    r"^[ \t]*(?:in[ \t]+)?(?:funding|fundrais|raised|seed|series|valuation|revenue|arr|mrr|in\s+sales|"
    r"in\s+(?:venture|vc|capital|investment|annual\s+revenue)|referral|signing|sign-on|bonus|"
    r"grant|prize|budget|gmv|market|customers|users|of\s+(?:funding|revenue|capital)|"
    r"in\s+(?:contracted\s+)?(?:revenue|contracts?|bookings)|stipend|allowance|from\s+[A-Z]|"
    r"additional|commission|ote\b|orders?\b|deals?\b|invoices?\b|loans?\b|purchases?\b|"
    r"(?:of|in)[ \t]+(?:stock|equity|options|rsus?|shares)\b|relocation|reimburse|tuition|(?:\w[\w+&/-]*[ \t]+){0,2}"
    r"(?:budget|stipend|allowance|reimbursement)\b|for[ \t]+(?:each|any|every|a|the)[ \t]+"
    r"(?:successful[ \t]+)?(?:referral|hire)|in[ \t]+(?:[\w-]+[ \t]+)?(?:sales|transactions|"
    r"payments|volume|revenue|funding|arr|mrr)\b|(?:apartment|house|home|car|subscription)\b|"
    r"to[ \t]+spend\b)",
    re.IGNORECASE,
)
# "$90-130k + $100k stock-options": an amount of equity added to the salary (not "$150k + equity"
# nor "$150k-$210k USD equity, benefits")
_ADD_ON = re.compile(r"(?:\+|\bplus|\band|&)\s*$", re.IGNORECASE)
_EQUITY_AFTER = re.compile(r"^[ \t]*(?:in[ \t]+)?(?:stock|equity|options|rsus?|shares)\b", re.I)
_NOT_PAY_BEFORE = re.compile(
    r"(?:raised|raising|funding|funded|valuation|valued\s+at|revenue|arr|series\s+[a-e]|seed|"
    r"invested|investment|backed|grant|bonus|referral|prize|budget|worth|over|more\s+than|commission|"
    r"\bwe\s+(?:made|make|earned|earn|generated|generate|grossed|processed|process|did|do)|"
    # money someone made, spent or saved, a price: not the pay of the job
    r"\b(?:made|earned|makes|making|earns|distributed|invest|spend|spending|spent|saves?|saved|saving|"
    r"costs?|costing|price[ds]?|buy|buying|bought|purchased?|charges?|charged|sold|fixed|"
    r"relocation(?:\s+(?:package|assistance|bonus|budget|support|stipend))?)\b(?:\s+of)?"
    r"(?:\s+(?:about|around|roughly|nearly|almost|~|at\s+most|at\s+least|up\s+to))?|\bsub-)"
    r"[\s:]*(?:of\s+)?(?:a\s+|an\s+)?$",
    re.IGNORECASE,
)
# a single amount after these words is a minimum ("Above €80K", ">= $200k", "starting around
# $120k") or a maximum ("max $135K", "Upto €65K")
_AT_LEAST_BEFORE = re.compile(
    r"(?:\babove|\bat\s+least|\bminimum(?:\s+of)?|\bmin\.|>=?|≥|"
    r"\bstart(?:s|ing)?\s+(?:at|around|from))[\s:~]*$",
    re.IGNORECASE,
)
_AT_MOST_BEFORE = re.compile(
    r"(?:\bmax(?:imum)?\.?(?:\s+of)?|\bup[\s-]*to|<=?|≤)[\s:~]*$", re.IGNORECASE
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
# NOTE: a range without a currency mark is a count when a plural noun follows it ("100-150k
# active programmers"), or when something grew to it ("grown from 10k to 500k"); the words that
# follow a salary, and a preposition ("100-120k for leads"), do not start a counted noun
_COUNT_WORDS = re.compile(r"^[ \t]*([a-z]+)(?:[ \t]+([a-z]+))?(?![:\w])")
_PAY_WORDS = frozenset(
    "plus bonus bonuses options benefits perks rsus shares stocks equity salary base annual "
    "annually depending depends dependent varies dep doe gross net total comp compensation cash "
    "with and or per pa year yr a an range includes for to in at of on from based by as if "
    "when the".split()
)
# "420-780K MXN", "6-15k RMB": a currency the extractor has no mark (and no rate) for
_OTHER_CODES = re.compile(
    r"^[ \t]?(?:MXN|RMB|CNY|JPY|HKD|ILS|ZAR|CZK|HUF|RON|TRY|ARS|COP|CLP|IDR|KRW|TWD|THB|MYR|VND|"
    r"UAH|RUB|NGN|KES|EGP|AED|SAR|PKR|BDT|LKR|ISK|BGN|HRK)\b"
)
_GREW_TO = re.compile(
    r"\b(?:grown|grew|grow|growing|increased?|went|gone|scaled?|jumped|rose|doubled)\b[^.\n]{0,30}$",
    re.IGNORECASE,
)
# "C$80 - C$150" in an ad's header, "$110-$150 + equity": thousands left unwritten
_THOUSANDS_AFTER = re.compile(
    r"^[ \t]*(?:\+|plus|and|w/|with|,)?[ \t]*(?:equity|options|stock|base|salary|doe|depending)\b",
    re.IGNORECASE,
)
_HOURLY = re.compile(r"hour|hourly|\bhr\b|/h\b|\bper\b|\brate\b", re.IGNORECASE)
# "£90k-£100k ($117k-$130k)", "60-100 PLN/h (~14-23€/h)", "£80k/$100k equivalent": the same
# pay in another currency ("$120K USD / CA$120K" without "equivalent" may be a second place's)
_CONVERSION_GAP = re.compile(
    r"^\s*(?:/\s?[a-z]{1,5}\.?)?\s*(?:\(\s*(?:~|≈|approx\.?|about|ca\.|roughly)?\s*|~\s*|≈\s*)$",
    re.IGNORECASE,
)
_EQUIVALENT = re.compile(r"^\S{0,8}\s*equivalent\b", re.IGNORECASE)


def _is_count(text: str, start: int, end: int) -> bool:
    """A range written without a currency mark that counts things rather than pays."""
    after = text[end : end + 40]
    if _COUNTED.match(after) or _GREW_TO.search(text[max(0, start - 60) : start]):
        return True
    words = _COUNT_WORDS.match(after)
    if not words or words.group(1) in _PAY_WORDS:
        return False
    head = words.group(2) or words.group(1)  # "active programmers", "students"
    return (
        len(head) > 3 and head.endswith("s") and not head.endswith("ss") and head not in _PAY_WORDS
    )


# currencies of many units to the dollar: their salaries run into the millions
_SMALL_UNIT = {"INR": 100, "JPY": 200}
# ... and salaries below the dollar floor times that ("INR400K – INR800K", about $5-10k a year)
_SMALL_UNIT_LOW = {"INR": 50, "JPY": 100}
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
    if re.fullmatch(r"\d{1,3}(?:[,. \u00a0\u202f]\d{3})+", text):
        text = re.sub(r"[,. \u00a0\u202f]", "", text)
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


_CODE_BEFORE = re.compile(r"\b(USD|CAD|AUD|NZD|SGD)\s?$")


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
# NOTE: in three parts, each fast in Python's re or str (one alternation of them all, whose
# branches begin differently, tried every offset: ~3x the time)
_MONEY_SIGNS = ("$", "€", "£", "₹", "¥")
_MONEY_WORDS = re.compile(
    r"USD|EUR|GBP|CHF|CAD|AUD|INR|SEK|NOK|DKK|SGD|NZD|BRL|PLN|Euro|euro|Pound|pound"
)
_MONEY_MULTIPLIER = re.compile(r"\d\s?(?:[kKmML]\b|lakh|lac)")


def _money_hint(text: str) -> bool:
    """Whether `text` has a currency sign, code or word, or a digit with a multiplier."""
    return (
        any(sign in text for sign in _MONEY_SIGNS)
        or _MONEY_WORDS.search(text) is not None
        or _MONEY_MULTIPLIER.search(text) is not None
    )


def _thousands_unwritten(text: str, m: re.Match, vals: list[float]) -> bool:
    """A range of two amounts of 30-999 with a currency mark and no period, in the header's pay
    field or followed by '+ equity' / 'base' / 'DOE': thousands ("C$80 - C$150")."""
    if len(vals) != 2 or not all(30 <= v < 1000 for v in vals) or m["m1"] or m["m2"]:
        return False
    if not (m["c1"] or m["d1"]) or not (m["c2"] or m["d2"]):
        return False
    line_start = text.rfind("\n", 0, m.start()) + 1
    line_end = text.find("\n", m.end())
    line = text[line_start : line_end if line_end >= 0 else len(text)]
    if _HOURLY.search(line):
        return False
    field = re.split(r"\|", text[line_start : m.start()])[-1] + text[m.start() : m.end()]
    in_header = line_start == 0 and "|" in line and field.strip() == m.group(0).strip()
    return in_header or bool(_THOUSANDS_AFTER.match(text[m.end() : m.end() + 30]))


def extract_pay(text: str) -> list[tuple[float | None, float | None, str, str, int, int]]:
    """(min, max, currency, period, start, end) of every salary range stated in `text`."""
    if not _money_hint(text):
        return []
    out = []
    seen = set()
    local = _local_dollar(text.split("\n", 1)[0])
    for m in _RANGE.finditer(text):
        cur = _currency(m["c1"], m["d1"], m["c2"], m["d2"])
        bare = {m["c1"], m["d1"], m["c2"], m["d2"]} <= {"$", None}
        # the code, a space and a newline at most end where the range begins: only that much is searched
        if (
            cur == "USD"
            and bare
            and (code := _CODE_BEFORE.search(text, max(0, m.start() - 5), m.start()))
        ):
            cur = _PREFIX[code.group(1).lower()]  # "AUD $100-$180K"
        elif cur == "USD" and local and bare:
            cur = local
        if cur is None:
            # no currency mark: a count, a year, a percentage, unless a "k" range ("150-200k")
            if not (m["n2"] and (m["m2"] or "").lower() == "k"):
                continue
            if _is_count(text, m.start(), m.end()):
                continue  # "10-15k employees", "50-100k requests/day"
            if _OTHER_CODES.match(text[m.end() : m.end() + 5]):
                continue
            # NOTE: not from the place the ad names: the labelled set records an unmarked range in an
            # Amsterdam ad as USD by convention (eval/labels.jsonl notes)
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
        if _EQUITY_AFTER.match(after) and _ADD_ON.search(before):
            continue
        if re.search(r"401\s*\(?k", text[max(0, m.start() - 2) : m.end() + 3], re.IGNORECASE):
            continue
        m1, m2 = m["m1"], m["m2"]
        # "$277—$397k", "150-200k": a multiplier written once applies to both ends, but never to
        # an amount written in full ("$150,000 - 200k")
        n1_small = _value(m["n1"], None) < 1000
        lo = _value(m["n1"], m1 or (m2 if m["n2"] and n1_small else None))
        hi = _value(m["n2"], m2 or m1) if m["n2"] else None
        # "£40-60,000": the lower end's thousands are those written at the upper end
        if (
            hi is not None
            and n1_small
            and not (m1 or m2 or m["c2"])
            and hi >= 10_000
            and hi / 4 <= lo * 1000 <= hi
        ):
            lo *= 1000
        pm = _PERIOD.match(text[m.end() : m.end() + 20])
        period = _PERIOD_WORDS[pm["p"].lower()] if pm else "year"
        if pm is None and (inner := re.search(r"/\s?(hr|hour|h|mo|month)\b", m.group(0), re.I)):
            period = _PERIOD_WORDS[inner.group(1).lower()]
        if period == "week":
            continue
        scale = _SMALL_UNIT.get(cur, 1)
        low = _SMALL_UNIT_LOW.get(cur, 1)
        vals = [v for v in (lo, hi) if v is not None]
        if period != "year" and any(
            v < MIN_PER_PERIOD[period] * low or v > MAX_PER_PERIOD[period] * scale for v in vals
        ):
            continue
        if period == "year":
            if any(v < MIN_ANNUAL * low or v > MAX_ANNUAL * scale for v in vals):
                # NOTE: "$50-70" with no period and no k is more often an hourly rate than a salary
                if all(v < 500 for v in vals) and not (m1 or m2):
                    period = "hour" if re.search(r"hour|hr\b|/h\b", after, re.I) else period
                if period == "year" and _thousands_unwritten(text, m, vals):
                    lo, hi = lo * 1000, hi * 1000
                elif period == "year":
                    continue
        if hi is not None and hi < lo:
            lo, hi = hi, lo
        if m["up"] and m["up"].lower().startswith("up") and hi is None:
            lo, hi = None, lo
        elif m["up"] and hi is None:
            pass  # "from €50,000": a minimum (merged below with a following "up to")
        elif (m["plus"] or m["p1"] or at_least) and hi is None:
            pass  # "$150k+", "160k+ USD", "over $200k base": a minimum
        elif hi is None and _AT_MOST_BEFORE.search(before):
            lo, hi = None, lo  # "max $135K", "Upto €65K"
        elif hi is None and _AT_LEAST_BEFORE.search(before):
            pass  # "Above €80K", ">= $200k", "salaries start at $150k"
        elif hi is None:
            hi = lo  # a single amount
        # the same range repeated on one line is one range; on two lines (two jobs) it is two
        key = (lo, hi, cur, period, text.count("\n", 0, m.start()))
        if key in seen:
            continue
        seen.add(key)
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev[2] != cur
            and (
                _CONVERSION_GAP.match(text[prev[5] : m.start()])
                or (
                    re.fullmatch(r"\s*/\s*", text[prev[5] : m.start()])
                    and _EQUIVALENT.match(text[m.end() : m.end() + 20])
                )
            )
        ):
            continue  # the range before it, converted to another currency
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


# NOTE: a line that opens with "Other positions:" lists jobs other than the ad's main one
_OTHER_POSITIONS = re.compile(r"^\W*other\s+(?:positions|roles|openings|jobs)\b", re.IGNORECASE)
# "as a staff engineer on the mobile team, I make a bit over $200k base": the poster's own pay
_OWN_PAY = re.compile(
    r"(?:\bI\s+(?:make|earn|made|earned|get|got|am\s+paid|was\s+paid)\b|\bmy\s+(?:total\s+)?"
    r"(?:comp|compensation|salary|pay|base)\b)[^.!?\n]{0,40}$"
)
# the items of a header field that lists job titles ("Mid-Level, Senior Data Engineer, Senior
# Data Scientist")
_TITLE_ITEMS = re.compile(r"\s*(?:,|;|&|\band\b)\s*")


def attribute_pay(
    text: str, roles: list[str], matchers: dict, ranges: list[tuple]
) -> list[tuple[str, str, tuple]]:
    """(role, attribution, range) per range: a single-job ad's ranges are that job's
    (single_job); a range on a line that names roles is theirs (job_part); on a line that names
    only another job it is that job's ('other', other_job); on a line naming no job it is the
    ad's (every flagged role, company_wide); in a posting that offers none of our roles, 'other'.

    The header line ("Acme | Data Scientist, Backend Engineer | NYC | $150k-$200k") is the ad's:
    a range in a header field that names no job is company_wide, as the labelled set reads it
    (LABELLING.md has no pay section; eval/labels*.jsonl notes "header pay range ad-wide"); several
    ranges in such a field go to the titles of the field that lists as many, in order ("$100-120k,
    $140-180k, $160-200k" for three titles). A range on a line naming several jobs goes to the
    job mentioned last before it, and to every role of that one mention ("AI/ML Engineer"). The
    poster's own pay ("I make $200k") and the ranges of an "Other positions:" line are other jobs'."""
    from etl.transform import attribution

    lines = text.split("\n")
    starts, pos = [], 0
    for ln in lines:
        starts.append(pos)
        pos += len(ln) + 1
    named = [attribution.line_jobs(ln, i == 0, matchers) for i, ln in enumerate(lines)]
    others_listed = any(_OTHER_POSITIONS.match(ln) for ln in lines)
    single = len(roles) == 1 and not others_listed and not any(o for _, o in named)
    out = []
    for rng in ranges:
        i = max(k for k, s in enumerate(starts) if s <= rng[4])
        jobs, other = named[i]
        if not roles:
            out.append(("other", "no_role", rng))
            continue
        if single:
            out.append((roles[0], "single_job", rng))
            continue
        owners: set[str] | None = None
        if _OTHER_POSITIONS.match(lines[i]) or _OWN_PAY.search(text[starts[i] : rng[4]]):
            owners = {"other"}
        elif i == 0 and "|" in lines[0]:
            owners = _header_owners(lines[0], rng[4], [r[4] for r in ranges], matchers)
        elif jobs or other:
            owners = _owners(_mentions(lines[i], matchers), rng[4] - starts[i])
        mine = sorted((owners or set()) & set(roles))
        if owners is None:
            out.extend((r, "company_wide", rng) for r in roles)
        elif mine:
            out.extend((r, "job_part", rng) for r in mine)
        else:
            out.append(("other", "other_job", rng))
    return out


def _mentions(line: str, matchers: dict) -> list[tuple[int, int, str]]:
    """(start, end, role or 'other') of every job mention on `line`."""
    from etl.transform import attribution

    mentions = []
    masked = line
    for role, m in matchers.items():
        for kind, _rule, start, end in m.decide(line):
            if kind == "include":
                mentions.append((start, end, role))
                masked = masked[:start] + " " * (end - start) + masked[end:]
    mentions += [(j.start(), j.end(), "other") for j in attribution._JOB_NOUN.finditer(masked)]
    return mentions


def _owners(mentions: list[tuple[int, int, str]], at: int) -> set[str] | None:
    """The roles of the job mention that ends last before offset `at` (else the first one after
    it), with every role whose mention overlaps that one; None when there is no mention."""
    if not mentions:
        return None
    before = [x for x in mentions if x[1] <= at]
    pick = max(before) if before else min(mentions)
    return {r for s, e, r in mentions if s < pick[1] and pick[0] < e}


def _header_owners(line: str, at: int, range_starts: list[int], matchers: dict) -> set[str] | None:
    """Whose a range in the header line is: the job mentioned before it in its own field, the
    title in its place when the field holds several ranges and another field lists as many
    titles, else None (the ad's)."""
    bounds = [0] + [k + 1 for k, ch in enumerate(line) if ch == "|"] + [len(line) + 1]
    fields = list(zip(bounds[:-1], [b - 1 for b in bounds[1:]], strict=True))
    start, end = next((s, e) for s, e in fields if s <= at <= e)
    here = _mentions(line[start:end], matchers)
    if here:
        return _owners(here, at - start)
    mine = sorted(r for r in range_starts if start <= r <= end)
    if len(mine) < 2:
        return None
    for s, e in fields:
        items = [x for x in _TITLE_ITEMS.split(line[s:e]) if x.strip()]
        if len(items) == len(mine) and any(_mentions(x, matchers) for x in items):
            item = items[mine.index(at)]
            return _owners(_mentions(item, matchers), len(item)) or {"other"}
    return None


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
