"""BLS Occupational Employment and Wage Statistics, national estimates (US public domain): fetches
oesm{YY}nat.zip for every May reference year from 2021, parses the national_M{YYYY}_dl sheet into
`oews_wages` for Data Scientists (15-2051) and the labelled ML-engineer proxies (15-1252, 15-1221).
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from etl.http import FetchError
from etl.snapshot import Snapshot
from etl.sources.base import FetchContext, Origin, ParseError

NAME = "bls_oews"
URL_TEMPLATE = "https://www.bls.gov/oes/special-requests/oesm{yy:02d}nat.zip"
FIRST_YEAR = 2021  # SOC 15-2051 Data Scientists first appears in the May 2021 estimates
ORIGIN = Origin(
    name=NAME,
    title="Occupational Employment and Wage Statistics (OEWS), national estimates",
    producer="U.S. Bureau of Labor Statistics",
    urls=(URL_TEMPLATE.format(yy=21).replace("21nat", "{YY}nat"),),
    license="US public domain",
    license_url="https://www.bls.gov/opub/copyright-information.htm",
    citation="U.S. Bureau of Labor Statistics, Occupational Employment and Wage Statistics (OEWS)",
    cadence_days=365,
    max_lag_days=760,
    data_through=("oews_wages", "year", "year_may"),
    homepage="https://www.bls.gov/oes/tables.htm",
    notes="No SOC code exists for ML engineers: 15-1252 and 15-1221 are proxies only.",
)
TABLES = ("oews_wages",)

OCCUPATIONS = {
    "15-2051": ("data_scientist", False, "Data Scientists (SOC 15-2051)"),
    "15-1252": ("ml_engineer", True, "Software Developers (SOC 15-1252), proxy for ML engineers"),
    "15-1221": (
        "ml_engineer",
        True,
        "Computer and Information Research Scientists (SOC 15-1221), proxy for ML engineers",
    ),
}
WAGE_COLUMNS = {
    "A_MEAN": "wage_annual_mean_usd",
    "A_PCT10": "wage_annual_p10_usd",
    "A_PCT25": "wage_annual_p25_usd",
    "A_MEDIAN": "wage_annual_median_usd",
    "A_PCT75": "wage_annual_p75_usd",
    "A_PCT90": "wage_annual_p90_usd",
    "H_MEDIAN": "wage_hourly_median_usd",
}
REQUIRED = ("OCC_CODE", "OCC_TITLE", "O_GROUP", "TOT_EMP", *WAGE_COLUMNS)
BLOCKED_HELP = (
    "bls.gov often refuses scripted downloads (HTTP 403). The last good data is kept. "
    "Set LMD_CONTACT to an e-mail address (it goes into the User-Agent), or download the zip by "
    "hand from https://www.bls.gov/oes/tables.htm ('National' > XLS) and run: "
    "python -m etl import bls_oews oesm{yy:02d}nat.zip"
)


def file_name(year: int) -> str:
    return f"oesm{year % 100:02d}nat.zip"


def years(today: datetime | None = None) -> list[int]:
    today = today or datetime.now(UTC)
    return list(range(FIRST_YEAR, today.year + 1))


def fetch(ctx: FetchContext) -> Snapshot:
    this_year = datetime.now(UTC).year
    with ctx.store.begin(NAME, ctx.previous) as b:
        for i, year in enumerate(years()):
            url = URL_TEMPLATE.format(yy=year % 100)
            if ctx.progress:
                ctx.progress(i, len(years()), file_name(year))
            try:
                b.fetch(ctx.client, url, file_name(year), expect="zip")
            except FetchError as exc:
                if exc.status == 404 and year >= this_year - 1:
                    # NOTE: May estimates of year Y are published in spring of Y+1; a 404 for the
                    # newest years only means "not published yet".
                    ctx.log.info("%s: %s not published yet (404)", NAME, file_name(year))
                    continue
                if exc.status == 403:
                    raise FetchError(
                        f"{url}: HTTP 403 Forbidden. " + BLOCKED_HELP.format(yy=year % 100),
                        url=url,
                        status=403,
                    ) from exc
                raise
        return b.commit(ORIGIN.to_json())


def import_files(ctx: FetchContext, paths: list[Path]) -> Snapshot:
    """A zip downloaded by hand: same checks and snapshot path as a fetch; other years are carried."""
    with ctx.store.begin(NAME, ctx.previous) as b:
        new_names = {}
        for p in paths:
            raw = Path(p).read_bytes()
            year = _workbook_year(raw, Path(p).name)
            # NOTE: parse before anything is committed: a commit prunes the oldest snapshot, so a
            # bad file removed after its commit would still have cost a good snapshot
            parse_zip(raw, Path(p).name)
            new_names[file_name(year)] = (p, year)
        if ctx.previous:
            for name in ctx.previous.files:
                if name not in new_names:
                    b.carry(name)
        for name, (p, year) in sorted(new_names.items()):
            b.add_local(name, Path(p), url=URL_TEMPLATE.format(yy=year % 100))
        return b.commit(ORIGIN.to_json())


def _workbook_year(raw: bytes, label: str) -> int:
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
    except zipfile.BadZipFile as exc:
        raise ParseError(f"{label} is not a zip archive") from exc
    names = [n for n in zf.namelist() if re.search(r"national_M(\d{4})_dl\.xlsx$", n)]
    if len(names) != 1:
        raise ParseError(
            f"{label}: expected one national_M<YYYY>_dl.xlsx inside, found {zf.namelist()}"
        )
    return int(re.search(r"national_M(\d{4})_dl", names[0]).group(1))  # type: ignore[union-attr]


def _number(value: object) -> tuple[float | None, str | None]:
    """A cell as a number, or None with the BLS marker that replaced it."""
    if value is None:
        return None, None
    if isinstance(value, (int, float)):
        return float(value), None
    text = str(value).strip().replace(",", "")
    if text in ("*", "**", "#", "~", ""):
        return None, text or None
    try:
        return float(text), None
    except ValueError:
        return None, text


def parse_zip(raw: bytes, label: str) -> pd.DataFrame:
    year = _workbook_year(raw, label)
    zf = zipfile.ZipFile(io.BytesIO(raw))
    inner = next(n for n in zf.namelist() if n.endswith(f"national_M{year}_dl.xlsx"))
    import openpyxl  # NOTE: here, not at the top: a refresh of another source need not load it

    try:
        wb = openpyxl.load_workbook(io.BytesIO(zf.read(inner)), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a broken workbook
        raise ParseError(f"{label}: {inner} is not a readable workbook: {exc}") from exc
    sheet = f"national_M{year}_dl"
    if sheet not in wb.sheetnames:
        raise ParseError(f"{label}: sheet {sheet!r} not found (sheets: {wb.sheetnames})")
    rows = wb[sheet].iter_rows(values_only=True)
    header = [str(c).strip().upper() if c is not None else "" for c in next(rows)]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ParseError(
            f"{label}: sheet {sheet} lacks columns {', '.join(missing)} (found {', '.join(header)})"
        )
    idx = {c: header.index(c) for c in REQUIRED}
    out = []
    for r in rows:
        code = str(r[idx["OCC_CODE"]] or "").strip()
        if code not in OCCUPATIONS or str(r[idx["O_GROUP"]] or "").strip().lower() != "detailed":
            continue
        role, is_proxy, label_text = OCCUPATIONS[code]
        rec: dict[str, object] = {
            "year": year,
            "soc_code": code,
            "occupation_title": str(r[idx["OCC_TITLE"]]).strip(),
            "role": role,
            "is_proxy": is_proxy,
            "role_label": label_text,
        }
        emp, _ = _number(r[idx["TOT_EMP"]])
        rec["employment"] = emp
        topcoded = []
        for src, dst in WAGE_COLUMNS.items():
            val, marker = _number(r[idx[src]])
            if marker == "#":
                topcoded.append(dst)
            elif marker not in (None, "*", "**"):
                raise ParseError(f"{label}: unexpected value {marker!r} in {src} for {code}")
            rec[dst] = val
        rec["topcoded_columns"] = ",".join(topcoded)
        out.append(rec)
    wb.close()
    found = {r["soc_code"] for r in out}
    if "15-2051" not in found:
        raise ParseError(f"{label}: no detailed row for SOC 15-2051 (Data Scientists) in {sheet}")
    return pd.DataFrame(out)


def build(snapshot: Snapshot) -> dict[str, pd.DataFrame]:
    frames = [parse_zip(snapshot.read_bytes(name), name) for name in sorted(snapshot.files)]
    df = pd.concat(frames, ignore_index=True).sort_values(["year", "soc_code"])
    return {"oews_wages": df}


def coverage(tables: dict[str, pd.DataFrame]) -> dict:
    from etl.coverage import years_coverage

    return years_coverage(tables["oews_wages"], "year")
