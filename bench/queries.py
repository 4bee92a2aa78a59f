"""Per view: the data queries each page runs, over many filter combinations, timed cold.

For every view this calls the same `dashboard.queries` functions (and the few `data.run_query`
calls written in the page itself) that the page script calls on a rerun, with the filters of one
combination. Combinations are drawn deterministically (fixed seed) from the real option values
of the store: roles, definition, period, countries, pay extras and skill categories.

Cache: `data.clear_query_results()` runs before each combination, so every query of the view runs in
DuckDB and nothing comes from Streamlit's cache (the timed path is a cache miss: DuckDB over
Parquet, the DataFrame result, and the cache write). "query" is the time spent inside
`data.run_query` summed over the view's queries; "with pandas" adds the post-processing in
`dashboard.queries` (percentiles, the bootstrap pay gap, log-odds) that the page also runs.

Naive baseline, in the same process: each table the views read is loaded whole into a pandas
DataFrame once (not timed per combination), then every combination filters and aggregates it
in pandas, as a page that kept `pd.read_parquet(...)` in `st.cache_data` and filtered it on every
rerun would; it is compared with "query" (the post-processing would be the same code on both
sides). Equal results are asserted on a few combinations.

Usage: LMD_DATA_DIR=bench/data/x10 python -m bench.queries --combos 30 --out FILE.json
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")
os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")


from dashboard import data, metrics, queries, scope  # noqa: E402
from dashboard.scope import ROLES, Scope  # noqa: E402
from etl.transform.demand import DEMAND_COLUMNS  # noqa: E402

SEED = 20261128
VIEWS = ("sidebar", "overview", "pay", "demand", "skills", "methods")


def pct(xs: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(xs, dtype="float64"), q)) if xs else float("nan")


# --- filter combinations ------------------------------------------------------------------------


def options(state: data.DataState) -> dict[str, list]:
    cats = data.run_query(
        state, "SELECT DISTINCT category FROM {skill_taxonomy} ORDER BY 1", (), ("skill_taxonomy",)
    )["category"].tolist()
    return {
        "years": scope.years(state),
        "countries": scope.countries(state),
        **{c: queries.salary_options(state, c) for c in queries.PAY_COLUMNS},
        "categories": cats,
    }


def combinations(opts: dict[str, list], n: int, seed: int = SEED) -> list[dict[str, Any]]:
    """n filter combinations: the defaults first, then random draws over every filter."""
    rnd = random.Random(seed)
    years = opts["years"]
    top_countries = opts["countries"][:12]
    out: list[dict[str, Any]] = [{"scope": Scope(), "extra": {}, "categories": []}]
    while len(out) < n:
        roles = rnd.choice(
            [[], ["data_scientist", "ml_engineer"], list(ROLES)]
            + [sorted(rnd.sample(ROLES, k)) for k in (1, 2)]
        )
        i, j = sorted(rnd.sample(range(len(years)), 2)) if rnd.random() < 0.7 else (0, -1)
        countries = rnd.choice(
            [[], [], ["US"], sorted(rnd.sample(top_countries, rnd.randint(1, 4)))]
        )
        extra = {}
        for col in queries.PAY_COLUMNS:
            if rnd.random() < 0.35:
                k = rnd.randint(1, max(1, len(opts[col]) - 1))
                extra[col] = sorted(rnd.sample(opts[col], k), key=str)
        cats = (
            sorted(rnd.sample(opts["categories"], rnd.randint(1, 4))) if rnd.random() < 0.4 else []
        )
        sc = Scope(
            roles=roles,
            definition=rnd.choice(["strict", "broad"]),
            year_from=int(years[i]),
            year_to=int(years[j]),
            countries=countries,
        )
        out.append({"scope": sc, "extra": extra, "categories": cats})
    return out


# --- the views' queries, as the pages call them -------------------------------------------------


def view_sidebar(state: data.DataState, c: dict) -> Any:
    return scope.years(state), scope.countries(state)


def view_overview(state: data.DataState, c: dict) -> Any:
    sc = c["scope"]
    monthly = queries.demand_monthly(state, sc)
    rec = queries.demand_recent(monthly)
    vals = queries.salary_values(state, sc, {})
    stats = queries.pay_summary(vals, ["data_scientist", "ml_engineer"])
    gap = queries.pay_gap(vals)
    den = queries.role_counts(state, sc)
    lo = None
    if min(den["ml_engineer"], den["data_scientist"]) >= metrics.MIN_N:
        lo = queries.distinctive_within_years(queries.distinctive_counts_by_year(state, sc))
    return rec, stats, gap, lo


def view_pay(state: data.DataState, c: dict) -> Any:
    sc, extra = c["scope"], c["extra"]
    opts = {col: queries.salary_options(state, col) for col in queries.PAY_COLUMNS}
    vals = queries.salary_values(state, sc, extra)
    stats = queries.pay_summary(vals, sc.roles_or_all)
    gap = None
    if {"data_scientist", "ml_engineer"} <= set(sc.roles_or_all):
        gap = queries.pay_gap(vals)
    oews = queries.oews(state)
    return opts, stats, gap, oews


def view_demand(state: data.DataState, c: dict) -> Any:
    sc = c["scope"]
    df = queries.demand_monthly(state, sc)
    ratio = queries.demand_ratio(state, sc) if not df.empty else None
    return df, ratio, queries.indeed_proxies(state)


def view_skills(state: data.DataState, c: dict) -> Any:
    # the same calls as dashboard/views/skills.py
    sc = c["scope"]
    counts = queries.role_year_counts(state, sc)
    den = queries.denominators_from_counts(counts)
    sh = queries.skill_shares(state, sc, den, c["categories"])
    # the page's default comparison is within the same years (the pooled one is a toggle away)
    by_year = queries.distinctive_counts_by_year(state, sc, c["categories"])
    lo = queries.distinctive_within_years(by_year)
    claims = queries.claim_counts(state, sc)
    trend = queries.skill_trend(state, sc, counts, ["Python", "SQL", "PyTorch"], list(ROLES))
    co = [queries.role_cooccurrence(state, sc, r, int(den[r])) for r in sc.roles_or_all]
    return sh, lo, claims, trend, co, queries.convergence(state, sc)


def view_methods(state: data.DataState, c: dict) -> Any:
    return queries.unmapped_titles(state)


VIEW_FUNCS: dict[str, Callable[[data.DataState, dict], Any]] = {
    "sidebar": view_sidebar,
    "overview": view_overview,
    "pay": view_pay,
    "demand": view_demand,
    "skills": view_skills,
    "methods": view_methods,
}


# --- the naive way: whole tables in pandas, filtered on every rerun -----------------------------


# the tables the naive way reads per view (Naive.view): the ">= 3x naive" target of issue 15
# applies where the largest of them is large (bench.__main__.NAIVE_RATIO_FROM_ROWS)
NAIVE_READS = {
    "sidebar": ("salaries", "hn_postings"),
    "overview": ("hn_demand_monthly", "salaries", "hn_postings", "hn_role_skills"),
    "pay": ("salaries", "oews_wages"),
    "demand": ("hn_demand_monthly", "indeed_sector_index"),
    "skills": ("hn_role_skills", "hn_postings"),
    "methods": ("salaries",),
}


class Naive:
    """Every table the views read, loaded whole into pandas once; queries done in pandas."""

    def __init__(self, state: data.DataState) -> None:
        t0 = time.perf_counter()
        self.salaries = pd.read_parquet(state.table_file("salaries"))
        self.demand = pd.read_parquet(state.table_file("hn_demand_monthly"))
        # every column but the posting text, which no view reads
        cols = [
            c
            for c in state.manifest["tables"]["hn_postings"]["columns"]  # type: ignore[index]
            if c not in ("text", "first_line")
        ]
        self.postings = pd.read_parquet(state.table_file("hn_postings"), columns=cols)
        self.postings["posted_year"] = self.postings["thread_month"].dt.year.astype("int32")
        self.skills = pd.read_parquet(state.table_file("hn_role_skills"))
        self.skills = self.skills.merge(
            pd.read_parquet(state.table_file("skill_taxonomy"))[["skill", "category"]], on="skill"
        )
        self.indeed = pd.read_parquet(state.table_file("indeed_sector_index"))
        self.oews_df = pd.read_parquet(state.table_file("oews_wages"))
        self.load_s = time.perf_counter() - t0

    # pay
    def salary_options(self, col: str) -> list:
        vc = self.salaries[col].value_counts()
        df = pd.DataFrame({"v": vc.index, "n": vc.to_numpy()})
        return df.sort_values(["n", "v"], ascending=[False, True])["v"].tolist()

    def salary_values(self, sc: Scope, extra: dict[str, list]) -> pd.DataFrame:
        s = self.salaries
        role_col = f"role_{sc.definition}"
        m = s[role_col].isin(sc.roles_or_all) & s["work_year"].between(sc.year_from, sc.year_to)
        if sc.countries:
            m &= s["company_country_code"].isin(sc.countries)
        for col in queries.PAY_COLUMNS:
            if extra.get(col):
                m &= s[col].isin(extra[col])
        out = (
            s.loc[m, [role_col, "salary_usd_annual"]]
            .groupby([role_col, "salary_usd_annual"], sort=True)
            .size()
            .reset_index()
        )
        out.columns = ["role", "value", "n"]
        return out

    # demand
    def demand_monthly(self, sc: Scope) -> pd.DataFrame:
        d = self.demand
        m = (
            (d["definition"] == sc.hn_definition)
            & d["role"].isin(sc.roles_or_all)
            & d["thread_month"].dt.year.between(sc.year_from, sc.year_to)
        )
        cols = [c for c in DEMAND_COLUMNS if c not in ("thread_id", "definition")]
        return d.loc[m, cols].sort_values(["role", "thread_month"]).reset_index(drop=True)

    def demand_ratio(self, sc: Scope) -> pd.DataFrame:
        d = self.demand
        d = d[
            (d["definition"] == sc.hn_definition)
            & d["thread_month"].dt.year.between(sc.year_from, sc.year_to)
        ]
        g = d.groupby("thread_month")
        out = pd.DataFrame(
            {
                "ml_per_ds_ratio": g["ml_per_ds_ratio"].max(),
                "ml_postings": d[d["role"] == "ml_engineer"]
                .groupby("thread_month")["postings"]
                .sum(),
                "ds_postings": d[d["role"] == "data_scientist"]
                .groupby("thread_month")["postings"]
                .sum(),
                "is_partial": g["is_partial"].any(),
            }
        )
        return out.reset_index()

    def indeed_proxies(self) -> pd.DataFrame:
        i = self.indeed
        i = i[(i["proxy_for"] != "") & (i["variable"] == "total postings")]
        return i[["date", "sector", "postings_index", "proxy_for"]].sort_values(["sector", "date"])

    # skills
    def role_postings(self, sc: Scope) -> pd.DataFrame:
        p = self.postings
        in_period = p["posted_year"].between(sc.year_from, sc.year_to)
        parts = [
            p.loc[
                in_period & p[f"is_{r}_{sc.hn_definition}"], ["posting_id", "posted_year"]
            ].assign(role=r)
            for r in ROLES
        ]
        return pd.concat(parts, ignore_index=True)[["posting_id", "role", "posted_year"]]

    def role_skill_rows(self, sc: Scope) -> pd.DataFrame:
        rp = self.role_postings(sc)
        return rp.merge(self.skills, on=["posting_id", "role"])[
            ["posting_id", "role", "posted_year", "skill", "category"]
        ]

    def skill_counts(self, sc: Scope) -> pd.DataFrame:
        """role, skill, postings_with_skill over the period, every skill (the shares' numerators)."""
        r = self.role_skill_rows(sc)
        return r.groupby(["role", "skill"]).size().rename("postings_with_skill").reset_index()

    def role_year_counts(self, sc: Scope) -> pd.DataFrame:
        rp = self.role_postings(sc)
        return rp.groupby(["role", "posted_year"]).size().rename("role_postings").reset_index()

    # the same views' data queries, naively (the pandas post-processing is shared, not repeated)
    def view(self, name: str, c: dict) -> Any:
        sc = c["scope"]
        if name == "sidebar":
            s_years = set(self.salaries["work_year"].unique()) | set(
                self.postings["posted_year"].unique()
            )
            return sorted(int(y) for y in s_years), self.salary_options("company_country_code")
        if name == "overview":
            out = [self.demand_monthly(sc), self.salary_values(sc, {}), self.role_postings(sc)]
            return [*out, self.role_skill_rows(sc)]
        if name == "pay":
            opts = {col: self.salary_options(col) for col in queries.PAY_COLUMNS}
            vals = self.salary_values(sc, c["extra"])
            return opts, vals, self.oews_df.sort_values(["year", "soc_code"])
        if name == "demand":
            df = self.demand_monthly(sc)
            ratio = self.demand_ratio(sc) if not df.empty else None
            return df, ratio, self.indeed_proxies()
        if name == "skills":
            cats = sorted(self.skills["category"].unique())
            return cats, self.role_postings(sc), self.role_skill_rows(sc)
        if name == "methods":
            s = self.salaries
            vc = s.loc[s["role_broad"] == "other", "job_title"].value_counts()
            return vc.rename_axis("job_title").reset_index(name="responses")
        raise KeyError(name)


def _norm(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    out = df[cols].copy()
    # the dashboard's frames hold text as Python objects (data.PANDAS_TEXT), the naive ones do not
    out.columns = pd.Index(cols, dtype=object)
    for c in cols:
        if out[c].dtype == bool or str(out[c].dtype) == "boolean":
            out[c] = out[c].astype(bool)
        elif pd.api.types.is_numeric_dtype(out[c]):
            out[c] = out[c].astype("float64")
        elif pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = pd.to_datetime(out[c]).astype("datetime64[ns]")
        else:
            out[c] = out[c].astype(str)
    return out.sort_values(cols).reset_index(drop=True)


def _skill_counts(state: data.DataState, sc: Scope) -> pd.DataFrame:
    """The published per-year skill counts summed over the period (what skill_shares reads)."""
    return data.run_query(
        state,
        "SELECT role, skill, sum(postings_with_skill)::BIGINT AS postings_with_skill "
        "FROM {hn_skill_counts} WHERE definition = ? AND posted_year BETWEEN ? AND ? "
        "GROUP BY role, skill",
        [sc.hn_definition, sc.year_from, sc.year_to],
        ("hn_skill_counts",),
    )


def check_equal(state: data.DataState, naive: Naive, c: dict) -> list[str]:
    """Compare the DuckDB queries with the naive pandas ones on one combination."""
    sc, extra = c["scope"], c["extra"]
    checks = {
        "salary_values": (
            queries.salary_values(state, sc, extra),
            naive.salary_values(sc, extra),
            ["role", "value", "n"],
        ),
        "demand_monthly": (
            queries.demand_monthly(state, sc),
            naive.demand_monthly(sc),
            ["thread_month", "role", "postings", "month_postings", "posting_share_pct"],
        ),
        "role_year_counts": (
            queries.role_year_counts(state, sc),
            naive.role_year_counts(sc),
            ["role", "posted_year", "role_postings"],
        ),
        "skill_counts": (
            _skill_counts(state, sc),
            naive.skill_counts(sc),
            ["role", "skill", "postings_with_skill"],
        ),
    }
    for col in queries.PAY_COLUMNS:
        a = queries.salary_options(state, col)
        b = naive.salary_options(col)
        if [str(x) for x in a] != [str(x) for x in b]:
            raise AssertionError(f"salary_options({col}) differs: {a} vs {b}")
    for a, b, cols in checks.values():
        pd.testing.assert_frame_equal(_norm(a, cols), _norm(b, cols), check_dtype=False)
    return sorted([*checks, "salary_options"])


# --- timing -------------------------------------------------------------------------------------


class SqlTimer:
    """Wraps data.run_query to add up the time spent in it (DuckDB + cache) per view call."""

    def __init__(self) -> None:
        self.total = 0.0
        self.calls = 0
        self._orig = data.run_query

    def __enter__(self) -> SqlTimer:
        orig = self._orig

        def timed(*a: Any, **k: Any) -> pd.DataFrame:
            t0 = time.perf_counter()
            try:
                return orig(*a, **k)
            finally:
                self.total += time.perf_counter() - t0
                self.calls += 1

        data.run_query = timed  # type: ignore[assignment]
        return self

    def __exit__(self, *exc: object) -> None:
        data.run_query = self._orig  # type: ignore[assignment]


def run(n_combos: int, views: tuple[str, ...] = VIEWS, naive: bool = True) -> dict[str, Any]:
    import psutil

    state = data.load_state()
    if not state.ok:
        raise SystemExit(f"bench.queries: {state.problem}")
    proc = psutil.Process()
    opts = options(state)
    combos = combinations(opts, n_combos)
    out: dict[str, Any] = {
        "store": str(state.processed_dir),
        "rows": {t: state.manifest["tables"][t]["rows"] for t in state.manifest["tables"]},  # type: ignore[index]
        "combinations": len(combos),
        "cache": "query results cleared before each combination: every query runs in DuckDB",
        "query": "time inside data.run_query (DuckDB over Parquet + DataFrame + cache write), "
        "summed over the view's queries",
        "with_pandas": "the view's dashboard.queries calls end to end, including the pandas "
        "post-processing in queries.py (percentiles, bootstrap pay gap, log-odds)",
        "naive": "the same filters and aggregations in pandas over whole tables loaded once",
        "views": {},
    }
    # warm-up: connection, imports, parquet footers in the OS cache (not recorded)
    data.clear_query_results()
    for v in views:
        with pd.option_context(*data.PANDAS_TEXT):  # as in the dashboard's process
            VIEW_FUNCS[v](state, combos[0])
    nv = None
    if naive:
        nv = Naive(state)
        out["naive_load_s"] = round(nv.load_s, 3)
        out["equal_results_checked"] = {}
        for i in (0, 1, 2, 3):
            data.clear_query_results()
            out["equal_results_checked"][f"combo_{i}"] = check_equal(state, nv, combos[i])
    for v in views:
        cold, sql, naive_t = [], [], []
        for c in combos:
            data.clear_query_results()
            with SqlTimer() as timer, pd.option_context(*data.PANDAS_TEXT):
                t0 = time.perf_counter()
                VIEW_FUNCS[v](state, c)
                cold.append(time.perf_counter() - t0)
            # NOTE: a view whose data functions run no DuckDB query (the Skills view sums the
            # resident aggregates in pandas) is timed end to end: its "query" is that whole time
            sql.append(timer.total if timer.calls else cold[-1])
            if nv is not None:
                t0 = time.perf_counter()
                nv.view(v, c)
                naive_t.append(time.perf_counter() - t0)
        rec = {
            "n": len(cold),
            "sql_calls": timer.calls,
            "query_is": "data.run_query time" if timer.calls else "the data functions end to end",
            "query_p50_ms": round(1000 * pct(sql, 50), 1),
            "query_p95_ms": round(1000 * pct(sql, 95), 1),
            "query_max_ms": round(1000 * max(sql), 1),
            "with_pandas_p50_ms": round(1000 * pct(cold, 50), 1),
            "with_pandas_p95_ms": round(1000 * pct(cold, 95), 1),
        }
        rows = out["rows"]
        rec["naive_reads_rows"] = {t: rows.get(t, 0) for t in NAIVE_READS.get(v, ())}
        if naive_t:
            rec["naive_p50_ms"] = round(1000 * pct(naive_t, 50), 1)
            rec["naive_p95_ms"] = round(1000 * pct(naive_t, 95), 1)
            rec["naive_over_duckdb_p95"] = round(pct(naive_t, 95) / pct(sql, 95), 2)
            rec["naive_over_duckdb_p50"] = round(pct(naive_t, 50) / pct(sql, 50), 2)
        out["views"][v] = rec
        print(v, {k: rec[k] for k in rec if k.endswith(("p95_ms", "p95"))}, flush=True)
    out["process_peak_rss_mb"] = round(_peak_rss_mb(proc), 1)
    return out


def _peak_rss_mb(proc: Any) -> float:
    try:
        import resource

        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    except Exception:  # pragma: no cover - non-Unix
        return proc.memory_info().rss / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--combos", type=int, default=30)
    ap.add_argument("--views", default=",".join(VIEWS))
    ap.add_argument("--no-naive", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    res = run(args.combos, tuple(args.views.split(",")), naive=not args.no_naive)
    text = json.dumps(res, indent=2, default=str)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
