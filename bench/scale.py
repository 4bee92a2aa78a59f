"""Scaled copies of the processed store, for the benchmarks.

From a real processed store (the output of `python -m etl refresh --mirror ...`), publish:

- `<out>/x10/processed`: salaries resampled to 10x; Hacker News postings resampled to 10x (within
  each monthly thread, so every month keeps its size ratio) with new posting ids, their
  posting_skills and hn_role_skills rows copied under the new ids, and hn_demand_monthly /
  hn_threads and the skill aggregates (hn_role_year_counts, hn_skill_counts, ...) recomputed by the
  ETL's own code from the scaled postings (but hn_role_convergence, carried from 1x: one row per
  year whatever the postings);
- `<out>/x100/processed`: the x10 store with salaries resampled to 100x.

Resampling draws rows with replacement with a fixed seed, so the value distribution of every
column (and of every combination of columns) is the real one, up to sampling noise. Each store is
written with `etl.store.publish` and has a valid manifest, so the dashboard reads it unchanged
(`LMD_DATA_DIR=<out>/x10`). Every other table is carried over unchanged (hard links).

Usage: python -m bench.scale --base DATA_DIR [--out bench/data] [--seed 20261128] [--only x10]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from etl.sources.aijobs_salaries import salary_counts, salary_title_counts
from etl.store import publish, read_manifest, read_table
from etl.transform.demand import monthly_demand

SEED = 20261128
NEW_ID_BASE = 1_000_000_000  # above every real HN item id, so new ids never collide with real ones


def resample(df: pd.DataFrame, factor: int, rng: np.random.Generator) -> pd.DataFrame:
    """`factor * len(df)` rows drawn with replacement."""
    idx = rng.integers(0, len(df), size=factor * len(df))
    return df.take(idx).reset_index(drop=True)


def resample_postings(
    postings: pd.DataFrame,
    skills: pd.DataFrame,
    factor: int,
    rng: np.random.Generator,
    role_skills: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """Postings drawn with replacement within each thread (`factor` x each thread's size), given
    new ids; each drawn posting's skill rows (and role-skill rows) are copied under its new id."""
    picks = []
    for _, idx in postings.groupby("thread_id", sort=True).indices.items():
        picks.append(rng.choice(idx, size=factor * len(idx), replace=True))
    take = np.concatenate(picks)
    out = postings.take(take).reset_index(drop=True)
    old_ids = out["posting_id"].to_numpy()
    new_ids = np.arange(NEW_ID_BASE, NEW_ID_BASE + len(out), dtype="int64")
    out["posting_id"] = new_ids
    id_map = pd.DataFrame({"old": old_ids, "posting_id": new_ids})

    def copy(child: pd.DataFrame, order: list[str]) -> pd.DataFrame:
        c = id_map.merge(child.rename(columns={"posting_id": "old"}), on="old", how="inner")
        c = c.drop(columns="old").sort_values(order, kind="stable").reset_index(drop=True)
        return c[list(child.columns)]

    new_skills = copy(skills, ["posting_id", "skill"])
    new_roles = None if role_skills is None else copy(role_skills, ["posting_id", "role", "skill"])
    return out, new_skills, new_roles


def _copy_store(src: Path, dst: Path) -> None:
    """Copy a processed store with hard links (Parquet files are immutable once published)."""
    if dst.exists():
        shutil.rmtree(dst)

    def link(a: str, b: str) -> None:
        try:
            os.link(a, b)
        except OSError:
            shutil.copy2(a, b)

    shutil.copytree(src, dst, copy_function=link)


def _meta(manifest: dict[str, Any], table: str, **extra: Any) -> dict[str, Any]:
    keep = {
        k: v
        for k, v in manifest["tables"][table].items()
        if k not in ("file", "rows", "columns", "published_at")
    }
    return {**keep, **extra}


def build(
    base_data_dir: Path, out: Path, seed: int = SEED, scales: tuple[str, ...] = ("x10", "x100")
) -> dict[str, Any]:
    """Publish the scaled stores under `out`; returns what was written (rows, seconds)."""
    base = Path(base_data_dir) / "processed"
    m = read_manifest(base)
    if m is None:
        raise SystemExit(f"bench.scale: no processed store in {base} (run the ETL first)")
    need = ("salaries", "salary_counts", "salary_title_counts", "hn_postings", "posting_skills")
    need += ("hn_threads",)
    missing = [t for t in need if t not in m["tables"]]
    if missing:
        raise SystemExit(f"bench.scale: the store in {base} lacks table(s) {missing}")
    out = Path(out)
    report: dict[str, Any] = {"seed": seed, "base_rows": {}, "stores": {}}
    t0 = time.perf_counter()
    salaries = read_table(base, "salaries", m)
    postings = read_table(base, "hn_postings", m)
    skills = read_table(base, "posting_skills", m)
    threads = read_table(base, "hn_threads", m)
    report["base_rows"] = {
        "salaries": len(salaries),
        "hn_postings": len(postings),
        "posting_skills": len(skills),
    }
    run_info = {"mode": "bench.scale", "seed": seed, "base_version": m["version"]}

    # x10: salaries, postings, posting_skills at 10x; demand and threads recomputed
    rng = np.random.default_rng(seed)
    sal10 = resample(salaries, 10, rng)
    role_skills = read_table(base, "hn_role_skills", m) if "hn_role_skills" in m["tables"] else None
    post10, skills10, role_skills10 = resample_postings(postings, skills, 10, rng, role_skills)
    demand10 = monthly_demand(post10, threads)
    # the aggregates the Skills and Overview views read, rebuilt by the ETL's own code
    aggregates = {}
    if role_skills10 is not None:
        from etl.sources.hn_whoishiring import skill_aggregates

        # NOTE: hn_role_convergence has one row per definition and year whatever the number of
        # postings; its bootstrap at 10x would take minutes and change nothing the views read
        # about its size, so the 1x table is carried over
        built = skill_aggregates(post10, role_skills10, skip=("hn_role_convergence",))
        built["hn_role_skills"] = role_skills10
        aggregates = {
            name: (df, _meta(m, name, bench_scale=10, bench_seed=seed))
            for name, df in built.items()
            if name in m["tables"]
        }
    counts = post10.groupby("thread_id").size()
    threads10 = threads.assign(postings=threads["thread_id"].map(counts).fillna(0).astype("int64"))
    x10 = out / "x10" / "processed"
    _copy_store(base, x10)
    scaled = {"bench_scale": 10, "bench_seed": seed}
    publish(
        x10,
        {
            "salaries": (sal10, _meta(m, "salaries", **scaled)),
            "salary_counts": (salary_counts(sal10), _meta(m, "salary_counts", **scaled)),
            "salary_title_counts": (
                salary_title_counts(sal10),
                _meta(m, "salary_title_counts", **scaled),
            ),
            "hn_postings": (post10, _meta(m, "hn_postings", **scaled)),
            "posting_skills": (skills10, _meta(m, "posting_skills", **scaled)),
            "hn_threads": (threads10, _meta(m, "hn_threads", **scaled)),
            "hn_demand_monthly": (demand10, _meta(m, "hn_demand_monthly", **scaled)),
            **aggregates,
        },
        run_info,
        {},
    )
    report["stores"]["x10"] = {
        "dir": str(x10.parent),
        "rows": {
            "salaries": len(sal10),
            "hn_postings": len(post10),
            "posting_skills": len(skills10),
        },
        "seconds": round(time.perf_counter() - t0, 1),
    }
    del sal10, post10, skills10, role_skills10, aggregates

    if "x100" in scales:
        t1 = time.perf_counter()
        rng100 = np.random.default_rng(seed + 100)
        sal100 = resample(salaries, 100, rng100)
        x100 = out / "x100" / "processed"
        _copy_store(x10, x100)
        publish(
            x100,
            {
                "salaries": (sal100, _meta(m, "salaries", bench_scale=100, bench_seed=seed + 100)),
                "salary_counts": (
                    salary_counts(sal100),
                    _meta(m, "salary_counts", bench_scale=100, bench_seed=seed + 100),
                ),
                "salary_title_counts": (
                    salary_title_counts(sal100),
                    _meta(m, "salary_title_counts", bench_scale=100, bench_seed=seed + 100),
                ),
            },
            {**run_info, "seed": seed + 100},
            {},
        )
        report["stores"]["x100"] = {
            "dir": str(x100.parent),
            "rows": {"salaries": len(sal100), "hn_postings": len(postings) * 10},
            "seconds": round(time.perf_counter() - t1, 1),
        }
    return report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, required=True, help="data dir holding processed/")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "data")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--only", choices=["x10"], default=None)
    args = ap.parse_args()
    scales = ("x10",) if args.only else ("x10", "x100")
    print(build(args.base, args.out, args.seed, scales))


if __name__ == "__main__":
    main()
