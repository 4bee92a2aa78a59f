"""Every query the views run, as plain functions of (DataState, Scope, view filters): filtering and
aggregation are pushed into DuckDB over the published Parquet; results are cached by manifest version.
No Streamlit widgets here, so benchmarks and tests call the same code the pages do."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard import cube, data, memo, metrics
from dashboard.scope import ROLES, Scope
from etl.vocab import (
    COMPARED_ROLES,
    COOCCURRENCE_MIN_PAIRS,
    COUNTRY_GROUPS,
    ERA_MATCH_MIN_N,
    EUROPE_CODES,
    LOW_N,
    MIN_N,
    MIX_DIMENSIONS,
    POOLED_RATIO_MIN_DS,
    POOLED_RATIO_MONTHS,
    RECENT_MONTHS,
    ROLE_NAME_SKILLS,
)

PAY_COLUMNS = ("experience_level", "employment_type", "remote_ratio_pct", "company_size")


# --- pay -------------------------------------------------------------------------------------


# NOTE: salary_counts (one row per distinct combination of the survey's filter columns and salary,
# with its count: tens of thousands of rows where salaries has millions) is held in memory as
# integer codes once per published file, so a filter change masks and sums arrays instead of
# running a dozen DuckDB queries over it (~5 ms each with Streamlit's cache). The results equal
# those of the SQL of salary_where (tests/unit/test_pay_arrays.py compares them).
SALARY_KEYS = (
    "work_year",
    "company_country_code",
    *PAY_COLUMNS,
    "role_strict",
    "role_broad",
    "salary_usd_annual",
)


@dataclass(frozen=True)
class SalaryArrays:
    """salary_counts as arrays: per key column (SALARY_KEYS and country_group, the company
    country's COUNTRY_GROUPS) the codes of the rows into its sorted distinct values (`vocab`),
    and per row its count, work year and whether it repeats an earlier row exactly."""

    codes: dict[str, np.ndarray]
    vocab: dict[str, np.ndarray]
    n: np.ndarray
    work_year: np.ndarray
    is_exact_duplicate: np.ndarray


def _country_groups(countries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(sorted group names, group code of each country of `countries`)."""
    us, eu, other = COUNTRY_GROUPS
    names = np.asarray(sorted(COUNTRY_GROUPS), dtype=object)
    group = [us if c == "US" else eu if c in EUROPE_CODES else other for c in countries]
    return names, np.searchsorted(names, np.asarray(group, dtype=object))


def _salary_arrays(f: pd.DataFrame) -> SalaryArrays:
    codes, vocab = {}, {}
    for col in SALARY_KEYS:
        vocab[col], codes[col] = cube.encode(f[col].to_numpy())
    vocab["country_group"], of_country = _country_groups(vocab["company_country_code"])
    codes["country_group"] = of_country[codes["company_country_code"]]
    out = SalaryArrays(
        codes,
        vocab,
        f["n"].to_numpy("int64"),
        f["work_year"].to_numpy("int64"),
        f["is_exact_duplicate"].to_numpy(bool),
    )
    # shared by every thread and session: read-only
    for array in (*codes.values(), *vocab.values(), out.n, out.work_year, out.is_exact_duplicate):
        array.flags.writeable = False
    return out


def salary_arrays(state: data.DataState) -> SalaryArrays:
    """salary_counts as SalaryArrays, built once per published file."""
    return data.from_frame(state, "salary_counts", ("salary_arrays",), _salary_arrays)


def _isin(s: SalaryArrays, col: str, allowed: list) -> np.ndarray:
    return cube.isin(s.vocab[col], s.codes[col], allowed)


def salary_mask(
    s: SalaryArrays, scope: Scope, extra: dict[str, list], roles: bool = True
) -> np.ndarray:
    """The rows of salary_counts in the filtered slice (`salary_where` as a mask); every role
    when `roles` is False."""
    keep = (s.work_year >= scope.year_from) & (s.work_year <= scope.year_to)
    allowed = {
        f"role_{scope.definition}": scope.roles_or_all if roles else [],
        "company_country_code": scope.countries,
        **{c: extra.get(c, []) for c in PAY_COLUMNS},
    }
    for col, values in allowed.items():
        if values:
            keep &= _isin(s, col, values)
    if extra.get("identical_once"):
        keep &= ~s.is_exact_duplicate
    return keep


def salary_sums(
    s: SalaryArrays, keep: np.ndarray, keys: list[str]
) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """(codes per key column, summed n) of the distinct combinations of `keys` among the rows
    `keep`, sorted by the keys in order (GROUP BY and ORDER BY the keys)."""
    at = np.flatnonzero(keep)
    combined = np.zeros(len(at), dtype="int64")
    for k in keys:
        combined = combined * len(s.vocab[k]) + s.codes[k][at]
    uniq, inverse = np.unique(combined, return_inverse=True)
    total = np.bincount(inverse, weights=s.n[at], minlength=len(uniq)).astype("int64")
    out = {}
    for k in reversed(keys):
        out[k] = uniq % len(s.vocab[k])
        uniq = uniq // len(s.vocab[k])
    return {k: out[k] for k in keys}, total


def _column(vocab: np.ndarray, codes: np.ndarray) -> np.ndarray | pd.api.extensions.ExtensionArray:
    """The values of `codes` as a DataFrame column typed as DuckDB's results are: text as pandas
    strings (an empty result's text as objects), converting each distinct value once."""
    if vocab.dtype == object and len(codes):
        return pd.array(vocab, dtype="str").take(codes)
    return vocab[codes]


def salary_options(state: data.DataState, col: str) -> list:
    """The values of a filter column, most responses first (then by value)."""
    assert col in PAY_COLUMNS or col in ("work_year", "company_country_code")
    s = salary_arrays(state)
    total = np.bincount(s.codes[col], weights=s.n, minlength=len(s.vocab[col]))
    return s.vocab[col][np.lexsort((np.arange(len(total)), -total))].tolist()


def salary_where(scope: Scope, extra: dict[str, list]) -> tuple[str, list]:
    role_col = f"role_{scope.definition}"
    w, params = data.where(
        {
            role_col: scope.roles_or_all,
            "company_country_code": scope.countries,
            **{c: extra.get(c, []) for c in PAY_COLUMNS},
        }
    )
    w = (w + " AND" if w else " WHERE") + " work_year BETWEEN ? AND ?"
    if extra.get("identical_once"):
        w += " AND NOT is_exact_duplicate"
    return w, [*params, scope.year_from, scope.year_to]


def salary_duplicates(
    state: data.DataState, scope: Scope, extra: dict[str, list]
) -> tuple[int, int]:
    """(rows in the slice, rows that repeat an earlier row exactly) over the filtered slice."""
    s = salary_arrays(state)
    keep = salary_mask(s, scope, {**extra, "identical_once": False})
    return int(s.n[keep].sum()), int(s.n[keep & s.is_exact_duplicate].sum())


def salary_values(state: data.DataState, scope: Scope, extra: dict[str, list]) -> pd.DataFrame:
    """role, value (USD), n (responses with that exact value) for the filtered slice."""
    s = salary_arrays(state)
    role, value = f"role_{scope.definition}", "salary_usd_annual"
    codes, n = salary_sums(s, salary_mask(s, scope, extra), [role, value])
    return pd.DataFrame(
        {
            "role": _column(s.vocab[role], codes[role]),
            "value": s.vocab[value][codes[value]],
            "n": n,
        }
    )


@memo.by_content
def _us_medians(
    state: data.DataState, definition: str, year_from: int, year_to: int
) -> pd.DataFrame:
    """role, year, survey_n, survey_median_usd (blank below MIN_N) of the survey's responses at US
    companies per role (under `definition`) and work year, every other pay filter off."""
    if definition not in ("strict", "broad"):
        raise ValueError(f"unknown definition {definition!r}")
    s = salary_arrays(state)
    us = Scope(definition=definition, year_from=year_from, year_to=year_to, countries=["US"])
    role = f"role_{definition}"
    codes, n = salary_sums(
        s, salary_mask(s, us, {}, roles=False), [role, "work_year", "salary_usd_annual"]
    )
    # the (role, year) groups: runs of equal codes, in order
    group = codes[role] * len(s.vocab["work_year"]) + codes["work_year"]
    starts = np.flatnonzero(np.r_[True, np.diff(group) != 0])[: len(n)]
    values = s.vocab["salary_usd_annual"][codes["salary_usd_annual"]]
    rows = []
    for lo, hi in zip(starts, np.r_[starts[1:], len(n)][: len(starts)], strict=True):
        total = int(n[lo:hi].sum())
        med = metrics.weighted_quantiles(values[lo:hi], n[lo:hi], (0.5,))[0]
        rows.append(
            {
                "role": s.vocab[role][codes[role][lo]],
                "year": int(s.vocab["work_year"][codes["work_year"][lo]]),
                "survey_n": total,
                "survey_median_usd": med if total >= MIN_N else np.nan,
            }
        )
    return pd.DataFrame(rows, columns=["role", "year", "survey_n", "survey_median_usd"])


@memo.by_content
def survey_vs_bls(state: data.DataState, definition: str) -> pd.DataFrame:
    """Per work year present in both: the survey's median for data scientists at US companies
    (all levels, the role under `definition`, n) beside BLS's 15-2051 median for the same year."""
    ds = _us_medians(state, definition, 0, 9999)
    out = ds[ds["role"] == "data_scientist"].rename(columns={"survey_n": "n"})
    out = out[["year", "survey_median_usd", "n"]]
    bls = oews(state)
    bls = bls[bls["soc_code"] == "15-2051"][["year", "wage_annual_median_usd", "employment"]]
    out = out.merge(bls, on="year", how="inner")
    out["survey_minus_bls_usd"] = out["survey_median_usd"] - out["wage_annual_median_usd"]
    return out.sort_values("year").reset_index(drop=True)


def posted_pay_yearly(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """The published posted-pay table for the selected roles and period (a few dozen rows)."""
    roles = scope.roles_or_all
    return data.run_query(
        state,
        "SELECT * FROM {hn_posted_pay_yearly} WHERE posted_year BETWEEN ? AND ? "
        f"AND role IN ({', '.join('?' for _ in roles)}) ORDER BY role, posted_year",
        [scope.year_from, scope.year_to, *roles],
        ("hn_posted_pay_yearly",),
    )


def survey_us_medians(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """The survey's side of the posted-pay comparison: `_us_medians` for the scope's definition
    and years (each year's median is the same whatever the period: the medians of every year are
    computed once per definition and the period's years kept)."""
    every = _us_medians(state, scope.definition, 0, 9999)
    keep = every["year"].between(scope.year_from, scope.year_to).to_numpy()
    return every[keep].reset_index(drop=True)


def unmapped_titles(state: data.DataState) -> pd.DataFrame:
    """job_title, responses: the survey's titles in no role under the broad definition (so in
    none under the strict one either), most responses first (the published salary_title_counts)."""
    return data.run_query(
        state,
        "SELECT job_title, sum(n)::BIGINT AS responses FROM {salary_title_counts} "
        "WHERE role_broad = 'other' GROUP BY 1 ORDER BY 2 DESC, 1",
        (),
        ("salary_title_counts",),
    )


def salary_rows(state: data.DataState, scope: Scope, extra: dict[str, list]) -> pd.DataFrame:
    w, params = salary_where(scope, extra)
    return data.run_query(
        state,
        f"SELECT * FROM {{salaries}}{w} ORDER BY work_year, job_title, salary_usd_annual",
        params,
        ("salaries",),
    )


def pay_summary(values: pd.DataFrame, roles: list[str]) -> pd.DataFrame:
    stats = metrics.summary(values).set_index("role").reindex(roles).reset_index()
    stats["n"] = stats["n"].fillna(0).astype(int)
    stats["confidence"] = stats["confidence"].fillna(metrics.confidence(0))
    return stats


def pay_gap(values: pd.DataFrame) -> dict[str, float]:
    rows = dict(metrics.groups(values, "role"))
    empty = np.zeros(0, dtype="int64")
    ml, ds = rows.get("ml_engineer", empty), rows.get("data_scientist", empty)
    v, n = values["value"].to_numpy(), values["n"].to_numpy()
    return metrics.median_gap(v[ml], n[ml], v[ds], n[ds])


def _compared(s: SalaryArrays, scope: Scope, extra: dict[str, list]) -> np.ndarray:
    """The filtered slice's rows of the two compared roles."""
    return salary_mask(s, scope, extra) & _isin(s, f"role_{scope.definition}", COMPARED_ROLES)


def like_for_like_cells(
    state: data.DataState, scope: Scope, extra: dict[str, list]
) -> pd.DataFrame:
    """role, the MIX_DIMENSIONS, cell (their values joined), value (USD), n for the two compared
    roles in the filtered slice, from the published salary_counts rows."""
    s = salary_arrays(state)
    return _cells(s, scope.definition, _compared(s, scope, extra))


def _cells(s: SalaryArrays, definition: str, keep: np.ndarray) -> pd.DataFrame:
    role, value = f"role_{definition}", "salary_usd_annual"
    codes, n = salary_sums(s, keep, [role, *MIX_DIMENSIONS, value])
    out = pd.DataFrame(
        {
            "role": _column(s.vocab[role], codes[role]),
            **{d: _column(s.vocab[d], codes[d]) for d in MIX_DIMENSIONS},
            "value": s.vocab[value][codes[value]],
            "n": n,
        }
    )
    # the cell's name, joined once per distinct cell
    combined = np.zeros(len(n), dtype="int64")
    for d in MIX_DIMENSIONS:
        combined = combined * len(s.vocab[d]) + codes[d]
    _, first, of_row = np.unique(combined, return_index=True, return_inverse=True)
    names = [" | ".join(str(s.vocab[d][codes[d][i]]) for d in MIX_DIMENSIONS) for i in first]
    out["cell"] = _column(np.asarray(names, dtype=object), of_row)
    return out


def like_for_like_gap(
    state: data.DataState, scope: Scope, extra: dict[str, list]
) -> tuple[dict, pd.DataFrame]:
    """The ML-minus-DS median gap with both roles given one mix of experience level x company size
    x country group x year (metrics.reweighted_median_gap), and each role's mix (dimension, level,
    role, share_pct of its responses, with the reference mix as role 'reference').

    NOTE: computed here from the published salary_counts rows rather than published by the ETL:
    the mix, and so the gap, depends on the filters a user picks (years, countries, definition and
    the Pay view's own), which no published table can enumerate. The bootstrap costs ~0.1 s at
    x10, so the result is kept per published file, definition and set of salary_counts rows
    selected (memo.by_content): filters that select the same rows cost a mask."""
    s = salary_arrays(state)
    return _gap_and_mix(state, scope.definition, np.packbits(_compared(s, scope, extra)))


@memo.by_content
def _gap_and_mix(
    state: data.DataState, definition: str, rows: np.ndarray
) -> tuple[dict, pd.DataFrame]:
    s = salary_arrays(state)
    cells = _cells(s, definition, np.unpackbits(rows, count=len(s.n)).astype(bool))
    # NOTE: the gap unkept by content of the cells: this function's own key already covers them
    gap = metrics.reweighted_median_gap.__wrapped__(cells, *COMPARED_ROLES)  # type: ignore[attr-defined]
    return gap, _mix(cells)


def _mix(cells: pd.DataFrame) -> pd.DataFrame:
    """dimension, level, role, n, share_pct: each role's responses per level of each mix
    dimension, then both roles pooled as role 'reference' (sums by integer codes: the cells'
    rows are per salary value, thousands of them)."""
    cols = ["dimension", "level", "role", "n", "share_pct"]
    if cells.empty:
        return pd.DataFrame(columns=cols)
    role_codes, role_names = pd.factorize(cells["role"].to_numpy(dtype=object), sort=True)
    n = cells["n"].to_numpy("float64")
    out: dict[str, list] = {c: [] for c in cols}
    for dim in MIX_DIMENSIONS:
        codes, levels = pd.factorize(cells[dim].to_numpy(), sort=True)
        k = len(levels)
        per_role = np.bincount(
            role_codes * k + codes, weights=n, minlength=len(role_names) * k
        ).reshape(len(role_names), k)
        for role, counts in [
            *zip(role_names, per_role, strict=True),
            ("reference", per_role.sum(0)),
        ]:
            kept = counts > 0
            out["dimension"] += [dim] * int(kept.sum())
            out["level"] += [str(x) for x in levels[kept]]
            out["role"] += [role] * int(kept.sum())
            out["n"].append(counts[kept].astype("int64"))
            out["share_pct"].append(100 * counts[kept] / counts.sum())
    return pd.DataFrame(
        {
            **{c: out[c] for c in ("dimension", "level", "role")},
            "n": np.concatenate(out["n"]),
            "share_pct": np.concatenate(out["share_pct"]),
        }
    )


def mix_table(mix: pd.DataFrame) -> pd.DataFrame:
    """`_mix` wide: dimension, level, then each role's share_pct (roles in name order, the
    reference among them; 0 where a role has no response at the level), sorted by dimension and
    level: pivot_table's layout, without its cost on a few dozen rows."""
    keys = sorted(set(zip(mix["dimension"], mix["level"], strict=True)))
    roles = sorted(set(mix["role"]))
    row = {k: i for i, k in enumerate(keys)}
    col = {r: j for j, r in enumerate(roles)}
    table = np.zeros((len(keys), len(roles)))
    for d, level, r, share in zip(
        mix["dimension"], mix["level"], mix["role"], mix["share_pct"], strict=True
    ):
        table[row[(d, level)], col[r]] = share
    out = pd.DataFrame(
        {
            "dimension": [k[0] for k in keys],
            "level": [k[1] for k in keys],
            **{r: table[:, j] for r, j in col.items()},
        }
    )
    out.columns.name = "role"
    return out


def survey_year_counts(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """work_year, role, n: the compared roles' responses per work year of the filtered slice."""
    s = salary_arrays(state)
    role = f"role_{scope.definition}"
    codes, n = salary_sums(s, _compared(s, scope, {}), ["work_year", role])
    return pd.DataFrame(
        {
            "work_year": s.vocab["work_year"][codes["work_year"]],
            "role": _column(s.vocab[role], codes[role]),
            "n": n,
        }
    )


def latest_survey_year(counts: pd.DataFrame) -> int | None:
    """The latest work year in which both compared roles have LOW_N responses (a statistic that
    is not low-confidence), else the latest with MIN_N each, else None (`survey_year_counts`)."""
    per = metrics.nested_sums(counts, ["work_year"], "role", "n")
    for floor in (LOW_N, MIN_N):
        ok = [y for y, n in per.items() if all(n.get(r, 0) >= floor for r in COMPARED_ROLES)]
        if ok:
            return max(ok)
    return None


def median_intervals(values: pd.DataFrame) -> pd.DataFrame:
    """role, n, median, low, high: each role's median with its percentile-bootstrap interval
    (`salary_values` rows); blank below MIN_N."""
    rows = []
    v, n = values["value"].to_numpy(), values["n"].to_numpy()
    for role, at in sorted(metrics.groups(values, "role"), key=lambda g: g[0]):
        rows.append({"role": role, "n": int(n[at].sum()), **metrics.median_interval(v[at], n[at])})
    return pd.DataFrame(rows, columns=["role", "n", "median", "low", "high"])


def oews(state: data.DataState) -> pd.DataFrame:
    return data.run_query(
        state, "SELECT * FROM {oews_wages} ORDER BY year, soc_code", (), ("oews_wages",)
    )


# --- demand ----------------------------------------------------------------------------------


def demand_monthly(state: data.DataState, scope: Scope) -> pd.DataFrame:
    w, params = data.where({"definition": [scope.hn_definition], "role": scope.roles_or_all})
    sql = (
        "SELECT thread_month, role, postings, month_postings, posting_share_pct, share_ma3_pct, distinct_authors, "
        f"ml_per_ds_ratio, is_partial FROM {{hn_demand_monthly}}{w} AND year(thread_month) BETWEEN ? AND ? "
        "ORDER BY role, thread_month"
    )
    return data.run_query(
        state, sql, [*params, scope.year_from, scope.year_to], ("hn_demand_monthly",)
    )


def demand_ratio(state: data.DataState, scope: Scope) -> pd.DataFrame:
    sql = (
        "SELECT thread_month, max(ml_per_ds_ratio) AS ml_per_ds_ratio, "
        "sum(postings) FILTER (WHERE role = 'ml_engineer') AS ml_postings, "
        "sum(postings) FILTER (WHERE role = 'data_scientist') AS ds_postings, bool_or(is_partial) AS is_partial "
        "FROM {hn_demand_monthly} WHERE definition = ? AND year(thread_month) BETWEEN ? AND ? "
        "GROUP BY thread_month ORDER BY thread_month"
    )
    return data.run_query(
        state, sql, [scope.hn_definition, scope.year_from, scope.year_to], ("hn_demand_monthly",)
    )


def demand_recent(monthly: pd.DataFrame, months: int = RECENT_MONTHS) -> pd.DataFrame:
    """Per role: share of postings in the `months` calendar months ending at the latest thread of
    the filtered period, and in the `months` calendar months before (the trend), with the counts
    and the number of threads present in each window (the archive has gaps: a window is never
    stretched across one)."""
    if monthly.empty:
        return pd.DataFrame()
    last = pd.Timestamp(monthly["thread_month"].max())
    start = last - pd.DateOffset(months=months - 1)
    prev_start = start - pd.DateOffset(months=months)
    tm = pd.to_datetime(monthly["thread_month"]).to_numpy("datetime64[ns]")
    lo, hi, prev = (np.datetime64(t.to_datetime64(), "ns") for t in (start, last, prev_start))
    in_recent, in_before = (tm >= lo) & (tm <= hi), (tm >= prev) & (tm < lo)
    role = monthly["role"].to_numpy(dtype=object)
    postings = monthly["postings"].to_numpy("int64")
    totals = monthly["month_postings"].to_numpy("int64")
    partial = monthly["is_partial"].to_numpy().astype(bool)
    rows = []
    for name in pd.unique(role):
        mine = role == name
        r, b = mine & in_recent, mine & in_before
        n_r, t_r = int(postings[r].sum()), int(totals[r].sum())
        n_b, t_b = int(postings[b].sum()), int(totals[b].sum())
        rows.append(
            {
                "role": name,
                "postings": n_r,
                "month_postings": t_r,
                "share_pct": 100 * n_r / t_r if t_r else np.nan,
                "previous_share_pct": 100 * n_b / t_b if t_b else np.nan,
                "previous_postings": n_b,
                "previous_month_postings": t_b,
                "window_start": start,
                "window_end": last,
                "threads": len(np.unique(tm[r])),
                "previous_threads": len(np.unique(tm[b])),
                "partial_threads": len(np.unique(tm[r & partial])),
            }
        )
    return pd.DataFrame(rows)


def demand_yearly(monthly: pd.DataFrame) -> pd.DataFrame:
    """role, year, postings, month_postings, share_pct, months: each role's share of the year's
    postings over the months present (sums of `demand_monthly` rows)."""
    if monthly.empty:
        return pd.DataFrame(
            columns=["role", "year", "postings", "month_postings", "share_pct", "months"]
        )
    tm = pd.to_datetime(monthly["thread_month"])
    years = tm.dt.year.to_numpy()
    sums: dict[tuple[str, int], list] = {}
    for role, year, month, n, total in zip(
        monthly["role"].to_numpy(dtype=object),
        years,
        tm.to_numpy(),
        monthly["postings"].to_numpy("int64"),
        monthly["month_postings"].to_numpy("int64"),
        strict=True,
    ):
        at = sums.setdefault((role, int(year)), [0, 0, set()])
        at[0] += int(n)
        at[1] += int(total)
        at[2].add(month)
    keys = sorted(sums)
    out = pd.DataFrame(
        {
            "role": [k[0] for k in keys],
            "year": np.array([k[1] for k in keys], dtype=years.dtype),
            "postings": np.array([sums[k][0] for k in keys], dtype="int64"),
            "month_postings": np.array([sums[k][1] for k in keys], dtype="int64"),
            "months": np.array([len(sums[k][2]) for k in keys], dtype="int64"),
        }
    )
    out["share_pct"] = 100 * out["postings"] / out["month_postings"]
    return out


def pooled_ratio(
    ratio: pd.DataFrame, window: int = POOLED_RATIO_MONTHS, min_ds: int = POOLED_RATIO_MIN_DS
) -> pd.DataFrame:
    """ML-per-DS ratio pooled over `window` calendar months (sum of ML / sum of DS postings in
    the months present), hidden where fewer than `min_ds` data-scientist postings stand behind it."""
    if ratio.empty:
        return ratio.assign(pooled_ratio=pd.Series(dtype="float64"), pooled_ml=0, pooled_ds=0)
    r = ratio.set_index("thread_month").sort_index()
    cal = pd.date_range(r.index.min(), r.index.max(), freq="MS")
    ml = r["ml_postings"].reindex(cal).fillna(0).rolling(window, min_periods=1).sum()
    ds = r["ds_postings"].reindex(cal).fillna(0).rolling(window, min_periods=1).sum()
    out = r.copy()
    out["pooled_ml"] = ml.reindex(r.index).astype("int64")
    out["pooled_ds"] = ds.reindex(r.index).astype("int64")
    out["pooled_ratio"] = (out["pooled_ml"] / out["pooled_ds"]).where(out["pooled_ds"] >= min_ds)
    return out.reset_index()


def indeed_proxies(state: data.DataState) -> pd.DataFrame:
    return data.run_query(
        state,
        "SELECT date, sector, postings_index, proxy_for FROM {indeed_sector_index} "
        "WHERE proxy_for <> '' AND variable = 'total postings' ORDER BY sector, date",
        (),
        ("indeed_sector_index",),
    )


# --- skills ----------------------------------------------------------------------------------
# Every skills query sums the aggregates the ETL publishes per definition x role x year
# (hn_role_year_counts, hn_skill_counts, hn_claim_counts, hn_skill_pairs, hn_role_convergence) over
# the selected years. They are small (thousands of rows at any number of postings: one row per
# role, year and skill), so each is held in memory once per published file (data.from_frame): as
# prefix sums over the years with integer codes for its keys (dashboard/cube.py) or as its rows
# per definition in the order the views show them. A rerun computes in arrays and turns only the
# rows it returns into text: no file is opened. Posting-level reference versions: tests/oracles.py.


def _by_definition(
    f: pd.DataFrame, order: tuple[str, ...]
) -> dict[str, tuple[pd.DataFrame, np.ndarray]]:
    """Per definition: its rows (a resident frame: plain text and numbers) sorted by `order`, and
    their years."""
    parts = {"": (f.iloc[0:0].reset_index(drop=True), np.zeros(0, dtype="int64"))}
    for d, rows in f.groupby("definition", sort=False):
        rows = rows.sort_values(list(order), kind="stable").reset_index(drop=True)
        parts[str(d)] = (rows, rows["posted_year"].to_numpy())
    return parts


def _period_rows(
    state: data.DataState, table: str, scope: Scope, order: tuple[str, ...], cols: list[str]
) -> pd.DataFrame:
    """`cols` of the table's rows of the scope's definition and years, sorted by `order`."""
    parts = data.from_frame(
        state, table, ("by_definition", order), lambda f: _by_definition(f, order)
    )
    rows, years = parts.get(scope.hn_definition, parts[""])
    at = np.flatnonzero((years >= scope.year_from) & (years <= scope.year_to))
    return rows[cols].take(at).reset_index(drop=True)


@memo.by_content
def role_year_counts(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """role, posted_year, role_postings, pair_only_postings under the definition in the period."""
    cols = ["role", "posted_year", "role_postings", "pair_only_postings"]
    return _period_rows(state, "hn_role_year_counts", scope, ("role", "posted_year"), cols)


def matched_years(
    counts: pd.DataFrame, roles: list[str], min_n: int = ERA_MATCH_MIN_N
) -> list[int]:
    """Years in which every one of `roles` has at least `min_n` postings (role_year_counts)."""
    per = metrics.nested_sums(counts, ["posted_year"], "role", "role_postings")
    return [y for y in sorted(per) if all(per[y].get(r, 0) >= min_n for r in roles)]


def denominators_from_counts(counts: pd.DataFrame) -> pd.Series:
    """Postings per role (every role of ROLES, zero where none) from role_year_counts rows."""
    code = pd.Index(list(ROLES)).get_indexer(counts["role"].to_numpy(dtype=object))
    n = counts["role_postings"].to_numpy(dtype="int64")
    total = np.bincount(code[code >= 0], weights=n[code >= 0], minlength=len(ROLES))
    return pd.Series(
        total.astype("int64"), index=pd.Index(list(ROLES), name="role"), name="role_postings"
    )


def role_counts(state: data.DataState, scope: Scope) -> pd.Series:
    """Postings per role under the definition in the period (the denominators)."""
    return denominators_from_counts(role_year_counts(state, scope))


# the cubes (range sums by year) of the aggregates the Skills view sums: table -> keys, columns
CUBES = {
    "skills": (
        "hn_skill_counts",
        ("role", "skill", "category"),
        ("postings_with_skill", "pair_only_with_skill"),
    ),
    "pairs": ("hn_skill_pairs", ("role", "skill_a", "skill_b"), ("pair_postings",)),
    "roles": ("hn_role_year_counts", ("role",), ("role_postings", "pair_only_postings")),
}


def cube_of(state: data.DataState, name: str) -> cube.Cube:
    """The prefix-sum cube of one of CUBES, built once per published file."""
    table, keys, columns = CUBES[name]
    return data.from_frame(
        state, table, ("cube", keys, columns), lambda f: cube.build(f, keys, columns)
    )


def _comparable(
    c: cube.Cube, codes: dict[str, np.ndarray], categories: list[str] | None
) -> np.ndarray:
    """Which keys of the skills cube are comparable: not a skill the role definitions select, in
    the chosen categories (all when none are chosen)."""
    ok = ~c.isin("skill", codes["skill"], list(ROLE_NAME_SKILLS))
    if categories:
        ok &= c.isin("category", codes["category"], categories)
    return ok


@memo.by_content
def skill_shares(
    state: data.DataState, scope: Scope, den: pd.Series, categories: list[str] | None
) -> pd.DataFrame:
    """role, skill, category, postings_with_skill, role_postings, posting_share_pct over the
    period, the skills the role definitions select left out; sorted by role, share, skill."""
    c = cube_of(state, "skills")
    codes, n = c.total(scope.hn_definition, scope.year_from, scope.year_to, "postings_with_skill")
    at = np.flatnonzero((n >= 1) & _comparable(c, codes, categories))
    return share_table(c, codes, at, n, den)


def share_table(
    c: cube.Cube, codes: dict[str, np.ndarray], at: np.ndarray, n: np.ndarray, den: pd.Series
) -> pd.DataFrame:
    """role, skill, category, postings_with_skill, role_postings, posting_share_pct of the keys
    `at` of a role x skill x category cube (`n`: their sums, `den`: postings per role; no share
    where a role has none), sorted by role, share (descending, blank last), skill."""
    role, skill = codes["role"][at], codes["skill"][at]
    role_n = den.reindex(c.vocab["role"]).fillna(0).to_numpy("int64")[role]
    share = np.divide(100 * n[at], role_n, out=np.full(len(at), np.nan), where=role_n > 0)
    order = np.lexsort((skill, np.where(np.isnan(share), np.inf, -share), role))
    return pd.DataFrame(
        {
            "role": c.names("role", role[order]),
            "skill": c.names("skill", skill[order]),
            "category": c.names("category", codes["category"][at][order]),
            "postings_with_skill": n[at][order],
            "role_postings": role_n[order],
            "posting_share_pct": share[order],
        }
    )


def _group_sizes(
    state: data.DataState, scope: Scope, role: str, years: np.ndarray
) -> tuple[int, np.ndarray]:
    """A role's postings flagged as one of the compared roles and not the other: over the period,
    and per year of `years` (zero where none)."""
    c = cube_of(state, "roles")
    d, y0, y1 = scope.hn_definition, scope.year_from, scope.year_to
    _, have, values = c.per_year(d, y0, y1, "pair_only_postings", first=role)
    per_year = np.zeros(len(years), dtype="int64")
    if values.shape[0]:
        at = np.searchsorted(years, have)
        inside = at < len(years)
        inside[inside] = years[at[inside]] == have[inside]
        per_year[at[inside]] = values[0][inside]
        return int(values[0].sum()), per_year
    return 0, per_year


def _pair_counts(
    state: data.DataState, scope: Scope, categories: list[str] | None, by_year: bool
) -> pd.DataFrame:
    """Per skill (and year): count_a / count_b among the postings of the compared roles flagged as
    one and not the other, with the group sizes n_a / n_b."""
    a, b = COMPARED_ROLES
    cols = (["stratum"] if by_year else []) + ["skill", "count_a", "count_b", "n_a", "n_b"]
    c = cube_of(state, "skills")
    d, y0, y1 = scope.hn_definition, scope.year_from, scope.year_to
    sides = []
    for role in (a, b):
        codes, years, values = c.per_year(d, y0, y1, "pair_only_with_skill", first=role)
        keep = _comparable(c, codes, categories)
        sides.append((codes["skill"][keep], values[keep]))
    skills = np.unique(np.concatenate([s for s, _ in sides]))  # codes in name order
    grid = np.zeros((2, len(skills), len(years)), dtype="int64")
    for side, (codes, values) in enumerate(sides):
        grid[side, np.searchsorted(skills, codes)] = values
    (n_a, size_a), (n_b, size_b) = (_group_sizes(state, scope, r, years) for r in (a, b))
    if not by_year:
        counts = grid.sum(axis=2)
        seen = counts.sum(axis=0) > 0
        return pd.DataFrame(
            {
                "skill": c.names("skill", skills[seen]),
                "count_a": counts[0, seen],
                "count_b": counts[1, seen],
                "n_a": np.int64(n_a),
                "n_b": np.int64(n_b),
            },
            columns=cols,
        )
    # (year, skill) pairs with a count in either role, years first then skills, as sorted
    yi, si = np.nonzero((grid[0] + grid[1]).T > 0)
    return pd.DataFrame(
        {
            "stratum": years[yi],
            "skill": c.names("skill", skills[si]),
            "count_a": grid[0, si, yi],
            "count_b": grid[1, si, yi],
            "n_a": size_a[yi],
            "n_b": size_b[yi],
        },
        columns=cols,
    )


@memo.by_content
def distinctive_counts(
    state: data.DataState, scope: Scope, categories: list[str] | None = None
) -> pd.DataFrame:
    """Per skill: postings mentioning it among ML-engineer-only (count_a) and data-scientist-only
    (count_b) postings of the period, with the group sizes n_a / n_b; postings of both roles are
    left out, and so are the skills the role definitions select."""
    return _pair_counts(state, scope, categories, by_year=False)


@memo.by_content
def distinctive_counts_by_year(
    state: data.DataState, scope: Scope, categories: list[str] | None = None
) -> pd.DataFrame:
    """`distinctive_counts` per posted year: stratum (year), skill, count_a, count_b and the
    year's group sizes n_a (ML-engineer-only postings), n_b (data-scientist-only postings)."""
    return _pair_counts(state, scope, categories, by_year=True)


def distinctive_within_years(counts_by_year: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """Era-matched distinctive skills: the log-odds compared within each year in which both roles
    have ERA_MATCH_MIN_N postings, combined (etl.transform.skills.stratified_log_odds)."""
    from etl.transform.skills import stratified_log_odds

    lo, years = stratified_log_odds(counts_by_year, ERA_MATCH_MIN_N)
    return lo.reset_index(), [int(y) for y in years]


def distinctive_from_counts(counts: pd.DataFrame) -> pd.DataFrame:
    from etl.transform.skills import weighted_log_odds

    if counts.empty:
        return pd.DataFrame(
            columns=["skill", "count_a", "count_b", "n_a", "n_b", "alpha", "delta", "variance", "z"]
        )
    c = counts.set_index("skill")
    lo = weighted_log_odds(
        c["count_a"], int(c["n_a"].iloc[0]), c["count_b"], int(c["n_b"].iloc[0])
    ).reset_index()
    return lo.rename(columns={lo.columns[0]: "skill"})


@memo.by_content
def claim_counts(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """claim, role, posted_year, postings_mentioning under the definition in the period."""
    cols = ["claim", "role", "posted_year", "postings_mentioning"]
    return _period_rows(state, "hn_claim_counts", scope, tuple(cols[:3]), cols)


def _codes_in(vocab: np.ndarray, names: np.ndarray) -> np.ndarray:
    """The codes of `names` in the sorted `vocab`; every name must be there."""
    at = np.minimum(np.searchsorted(vocab, names), max(len(vocab) - 1, 0))
    missing = names[(vocab[at] != names)] if len(vocab) else names
    if len(missing):
        raise ValueError(f"hn_skill_pairs names skills hn_skill_counts lacks: {list(missing[:5])}")
    return at


@memo.by_content
def role_cooccurrence(
    state: data.DataState,
    scope: Scope,
    role: str,
    n_role: int,
    min_count: int = COOCCURRENCE_MIN_PAIRS,
    top: int = 15,
) -> pd.DataFrame:
    """Skill pairs of one role's postings in the period by lift, over all `n_role` postings of the
    role (those mentioning no skill included)."""
    from etl.transform.skills.tables import lift_frame, top_lift

    pc, sk = cube_of(state, "pairs"), cube_of(state, "skills")
    d, y0, y1 = scope.hn_definition, scope.year_from, scope.year_to
    codes, pair = pc.total(d, y0, y1, "pair_postings", first=role)
    at = np.flatnonzero(pair >= min_count)
    pair, code_a, code_b = pair[at], codes["skill_a"][at], codes["skill_b"][at]
    # postings per skill of the role, by the skill's code in the skills cube (a skill has one
    # category: one key per skill)
    skill_codes, per = sk.total(d, y0, y1, "postings_with_skill", first=role)
    per_skill = np.zeros(len(sk.vocab["skill"]), dtype="int64")
    per_skill[skill_codes["skill"]] = per
    # the pair cube's skill codes as codes of the skills cube (both vocabularies in name order,
    # so these codes also rank the skills by name for the ties)
    to_skill = {k: _codes_in(sk.vocab["skill"], pc.vocab[k]) for k in ("skill_a", "skill_b")}
    rank_a, rank_b = to_skill["skill_a"][code_a], to_skill["skill_b"][code_b]
    postings_a, postings_b = per_skill[rank_a], per_skill[rank_b]
    chosen, lift = top_lift(pair, postings_a, postings_b, rank_a, rank_b, n_role, min_count, top)
    return lift_frame(
        sk.names("skill", rank_a[chosen]),
        sk.names("skill", rank_b[chosen]),
        pair[chosen],
        postings_a[chosen],
        postings_b[chosen],
        n_role,
        lift[chosen],
    )


@memo.by_content
def skill_trend(
    state: data.DataState, scope: Scope, counts: pd.DataFrame, skills: list[str], roles: list[str]
) -> pd.DataFrame:
    """`trend_table` of the published skill counts of `skills` x `roles` in the period."""
    c = cube_of(state, "skills")
    wanted = np.array([c.code("skill", s) for s in skills], dtype="int64")
    found = {}
    for role in roles:
        codes, years, values = c.per_year(
            scope.hn_definition, scope.year_from, scope.year_to, "postings_with_skill", role
        )
        for i in np.flatnonzero(np.isin(codes["skill"], wanted[wanted >= 0])):
            name = str(c.vocab["skill"][codes["skill"][i]])
            for j in np.flatnonzero(values[i]):
                found[(int(years[j]), role, name)] = int(values[i, j])
    return _trend_rows(found, counts, skills, roles)


def trend_table(
    hits: pd.DataFrame, counts: pd.DataFrame, skills: list[str], roles: list[str]
) -> pd.DataFrame:
    """posted_year, role, skill, postings_with_skill, role_postings, posting_share_pct for every
    year in which the role has postings (zero mentions included); the share is blank where the
    role has fewer than MIN_N postings that year. `hits`: posted_year, role, skill,
    postings_with_skill; `counts`: role_year_counts."""
    cols = ["posted_year", "role", "skill", "postings_with_skill"]
    found = {(int(y), str(r), str(k)): int(v) for y, r, k, v in hits[cols].itertuples(index=False)}
    return _trend_rows(found, counts, skills, roles)


def _trend_rows(
    found: dict[tuple[int, str, str], int],
    counts: pd.DataFrame,
    skills: list[str],
    roles: list[str],
) -> pd.DataFrame:
    """`trend_table` from {(year, role, skill): postings mentioning the skill}: every skill x
    (role, year) of `counts`, skills in name order, then roles and years."""
    role = counts["role"].to_numpy(dtype=object)
    mine = np.flatnonzero(np.isin(role, list(roles)))
    year = counts["posted_year"].to_numpy(dtype="int64")[mine]
    role = role[mine]
    n = counts["role_postings"].to_numpy(dtype="int64")[mine]
    order = np.lexsort((n, year, role))
    year, role, n = year[order], role[order], n[order]
    names = np.asarray(sorted(set(skills)), dtype=object)
    k, m = len(names), len(year)
    skill = np.repeat(names, m)
    year, role, n = np.tile(year, k), np.tile(role, k), np.tile(n, k)
    hits = np.fromiter(
        (found.get((int(y), r, s), 0) for y, r, s in zip(year, role, skill, strict=True)),
        dtype="int64",
        count=len(skill),
    )
    share = np.where(n >= MIN_N, 100 * hits / np.where(n > 0, n, 1), np.nan)
    return pd.DataFrame(
        {
            "posted_year": year,
            "role": role,
            "skill": skill,
            "postings_with_skill": hits,
            "role_postings": n,
            "posting_share_pct": share,
        }
    )


@memo.by_content
def convergence(state: data.DataState, scope: Scope) -> pd.DataFrame:
    """posted_year, n_a, n_b, cosine, ci_low, ci_high: how alike the two roles' skill profiles
    are per year (published by the ETL with its bootstrap interval)."""
    cols = ["posted_year", "n_a", "n_b", "cosine", "ci_low", "ci_high"]
    return _period_rows(state, "hn_role_convergence", scope, ("posted_year",), cols)
