"""Facts about the published data, computed when it is published: coverage (first and last month,
months missing, partial and reconstructed threads), row counts, shares per year and per country.

Reads the validated tables of one source; writes a small JSON-able dict that the pipeline stores
in the manifest (`sources.<name>.coverage`). `describe_*` format those dicts as the sentences the
views, the method notes, the export metadata and the README use, so no such fact is typed by hand.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from etl.vocab import pct


def _month(ts: Any) -> str:
    return pd.Timestamp(ts).strftime("%Y-%m")


def month_runs(months: list[str]) -> list[tuple[str, str]]:
    """Consecutive runs of 'YYYY-MM' months: ['2020-01', '2020-03', '2020-04'] ->
    [('2020-01', '2020-01'), ('2020-03', '2020-04')]."""
    # months as integers (year x 12 + month - 1): consecutive months differ by one
    index = sorted({int(m[:4]) * 12 + int(m[5:7]) - 1 for m in (str(p) for p in months)})
    runs: list[list[int]] = []
    for i in index:
        if runs and runs[-1][1] + 1 == i:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(_name(a), _name(b)) for a, b in runs]


def _name(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def format_months(months: list[str]) -> str:
    """Months as runs: ['2020-01', '2020-03', '2020-04'] -> '2020-01, 2020-03..2020-04'
    ('none' when empty)."""
    if not months:
        return "none"
    return ", ".join(a if a == b else f"{a}..{b}" for a, b in month_runs(months))


def hn_coverage(threads: pd.DataFrame, postings: pd.DataFrame) -> dict[str, Any]:
    """Coverage of the HN threads: first/last month, months missing between them, partial months
    (by the evidence rules of `demand.partial_threads`), and threads whose postings all carry one
    timestamp (a reconstructed archive copy: their posting times say nothing)."""
    if threads.empty:
        return {"threads": 0, "postings": int(len(postings))}
    present = sorted(_month(m) for m in threads["thread_month"])
    every = pd.period_range(present[0], present[-1], freq="M")
    missing = [str(p) for p in every if str(p) not in set(present)]
    times = postings.groupby("thread_id")["created_at"].agg(["nunique", "size"])
    one_time = set(times.index[(times["nunique"] == 1) & (times["size"] > 1)])
    by_id = threads.set_index("thread_id")
    reconstructed = sorted(
        _month(by_id.loc[i, "thread_month"]) for i in one_time if i in by_id.index
    )
    partial = sorted(_month(m) for m in threads.loc[threads["is_partial"], "thread_month"])
    one = threads["thread_id"].isin(one_time)
    return {
        "one_timestamp_postings_median": int(threads.loc[one, "postings"].median())
        if one.any()
        else None,
        "other_postings_median": int(threads.loc[~one, "postings"].median())
        if (~one).any()
        else None,
        "threads": int(len(threads)),
        "postings": int(len(postings)),
        "first_month": present[0],
        "last_month": present[-1],
        "months_missing": missing,
        "partial_months": partial,
        "one_timestamp_months": reconstructed,
        "postings_per_thread_median": int(threads["postings"].median()),
        "postings_per_thread_min": int(threads["postings"].min()),
        "postings_per_thread_max": int(threads["postings"].max()),
    }


def salaries_coverage(salaries: pd.DataFrame, top: int = 5) -> dict[str, Any]:
    """Rows, rows per work year, the exact-duplicate share and the leading company countries."""
    n = int(len(salaries))
    if n == 0:
        return {"rows": 0}
    years = salaries["work_year"].value_counts().sort_index()
    countries = salaries["company_country_code"].value_counts()
    return {
        "rows": n,
        "first_year": int(years.index.min()),
        "last_year": int(years.index.max()),
        "rows_by_year": {str(int(y)): int(c) for y, c in years.items()},
        "exact_duplicate_share_pct": round(100 * float(salaries["is_exact_duplicate"].mean()), 1),
        "countries": int(countries.size),
        "top_countries": [
            {"code": str(c), "rows": int(k), "share_pct": round(100 * k / n, 1)}
            for c, k in countries.head(top).items()
        ],
    }


def years_coverage(frame: pd.DataFrame, column: str) -> dict[str, Any]:
    years = sorted(int(y) for y in frame[column].dropna().unique())
    return {"rows": int(len(frame)), "years": years}


def dates_coverage(frame: pd.DataFrame, column: str) -> dict[str, Any]:
    d = pd.to_datetime(frame[column])
    return {
        "rows": int(len(frame)),
        "first_date": d.min().strftime("%Y-%m-%d"),
        "last_date": d.max().strftime("%Y-%m-%d"),
    }


# --- sentences ---------------------------------------------------------------------------------


def describe_hn(cov: dict[str, Any] | None) -> str:
    """The coverage of `hn_coverage` as a sentence: threads, first..last month, months missing,
    postings and the partial months."""
    if not cov or "threads" not in cov:
        return "coverage not computed for this publish (a refresh computes it)"
    if not cov["threads"]:
        return "no Hacker News threads published"
    missing = cov.get("months_missing", [])
    gaps = (
        f"no thread for {format_months(missing)}, where lines break"
        if missing
        else "no month missing"
    )
    text = (
        f"{cov['threads']:,} monthly threads, {cov['first_month']}..{cov['last_month']} ({gaps}), "
        f"{cov['postings']:,} postings"
    )
    partial = cov.get("partial_months", [])
    if partial:
        text += f"; partial by the evidence rules: {format_months(partial)}"
    return text


def describe_one_timestamp(cov: dict[str, Any] | None) -> str:
    months = (cov or {}).get("one_timestamp_months", [])
    if not months:
        return ""
    text = (
        f"In {len(months)} threads ({format_months(months)}) every posting carries the same time, "
        "so their posting times say nothing about when the thread was read"
    )
    a, b = (
        (cov or {}).get("one_timestamp_postings_median"),
        (cov or {}).get("other_postings_median"),
    )
    if a is not None and b is not None:
        text += (
            f"; they hold a median of {a:,} postings per thread against {b:,} in the other threads"
        )
    return text + ": compare shares, not counts, across them."


def describe_salaries(cov: dict[str, Any] | None) -> str:
    """The coverage of `salaries_coverage` as a sentence: responses, work years, the two largest
    years' shares, the leading country's share and the exact-duplicate share."""
    if not cov or "rows" not in cov:
        return "coverage not computed for this publish (a refresh computes it)"
    if not cov["rows"]:
        return "no salary responses published"
    n = cov["rows"]
    by_year = sorted(cov["rows_by_year"].items(), key=lambda kv: -kv[1])
    lead = ", ".join(f"{y}: {pct(100 * k / n)}" for y, k in by_year[:2])
    countries = cov.get("top_countries", [])
    where = (
        f"; {pct(countries[0]['share_pct'])} are {countries[0]['code']} companies"
        if countries
        else ""
    )
    return (
        f"{n:,} responses of work years {cov['first_year']}-{cov['last_year']} ({lead} of them){where}; "
        f"{pct(cov['exact_duplicate_share_pct'])} repeat an earlier row in every column"
    )


def describe_years(cov: dict[str, Any] | None) -> str:
    years = (cov or {}).get("years", [])
    if not years:
        return "none"
    if len(years) == 1:
        return str(years[0])
    if years == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


# --- the README's facts block ------------------------------------------------------------------

FACTS_START = "<!-- facts:start: generated by `python -m etl facts --write-readme` from a published run; do not edit -->"
FACTS_END = "<!-- facts:end -->"


def facts_lines(manifest: dict[str, Any]) -> list[str]:
    """The facts of a published store, one Markdown bullet per source, then the thresholds."""
    from etl import guards, vocab

    src = manifest.get("sources", {})

    def cov(name: str) -> dict[str, Any]:
        return (src.get(name) or {}).get("coverage") or {}

    lines = [
        f"- Hacker News: {describe_hn(cov('hn_whoishiring'))}. {describe_one_timestamp(cov('hn_whoishiring'))}".rstrip(),
        f"- aijobs salaries: {describe_salaries(cov('aijobs_salaries'))}.",
        f"- BLS OEWS: May estimates of {describe_years(cov('bls_oews'))}.",
    ]
    indeed = cov("indeed_postings_index")
    if indeed.get("rows"):
        lines.append(
            f"- Indeed sector index: {indeed['first_date']}..{indeed['last_date']} ({indeed['rows']:,} rows)."
        )
    from etl.transform.gj_postings import describe_gj
    from etl.transform.prices import describe_cpi

    if cov("google_jobs_data_roles"):
        lines.append(f"- Google Jobs postings: {describe_gj(cov('google_jobs_data_roles'))}.")
    if cov("cpi_us"):
        lines.append(f"- CPI-U: {describe_cpi(cov('cpi_us'))}.")
    lines.append(
        f"- Thresholds (etl/vocab.py): no statistic below n = {vocab.MIN_N}, low confidence below "
        f"n = {vocab.LOW_N}, high from n = {vocab.HIGH_N}; pay gap interval {vocab.INTERVAL_LEVEL:.0%} from "
        f"{vocab.BOOTSTRAP_RESAMPLES:,} bootstrap resamples; a thread is partial when snapshotted less than "
        f"{vocab.EARLY_SNAPSHOT_DAYS} days after it opened or its newest posting is less than "
        f"{vocab.LAST_POSTING_DAYS} days after; {vocab.MOVING_AVERAGE_MONTHS}-month moving average; the "
        f"ML-per-DS ratio pools {vocab.POOLED_RATIO_MONTHS} months from {vocab.POOLED_RATIO_MIN_DS} DS postings; "
        f"the Overview's window is {vocab.RECENT_MONTHS} months."
    )
    lines.append(f"- {guards.describe_thresholds()}.")
    return lines


def facts_block(manifest: dict[str, Any]) -> str:
    run = manifest.get("run", {})
    head = (
        f"Published version {manifest.get('version', '?')} ({run.get('mode', '?')} run of "
        f"{str(run.get('started_at', '?'))[:10]}, code {run.get('code_version', '?')}):"
    )
    return "\n".join([FACTS_START, head, "", *facts_lines(manifest), FACTS_END])


def replace_facts(readme: str, manifest: dict[str, Any]) -> str:
    """README text with its facts block replaced by the one of `manifest`."""
    start, end = readme.find(FACTS_START), readme.find(FACTS_END)
    if start < 0 or end < start:
        raise ValueError("README has no facts block (the facts:start / facts:end markers)")
    return readme[:start] + facts_block(manifest) + readme[end + len(FACTS_END) :]


def readme_facts_lines(readme: str) -> list[str]:
    """The bullet lines of the README's facts block (what a published run must reproduce)."""
    start, end = readme.find(FACTS_START), readme.find(FACTS_END)
    if start < 0 or end < start:
        return []
    return [ln for ln in readme[start:end].splitlines() if ln.startswith("- ")]
