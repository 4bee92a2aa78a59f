"""Before / after: the share of HN postings per year flagged for each role, by the role rules of an
earlier commit and by this checkout's, on the same published postings (anywhere definition).

Reads the `hn_postings` table published in the data dir; runs the earlier commit's
`flag_roles` in a temporary git worktree of that commit (removed afterwards) and this checkout's
`flag_roles` here; prints a table per year and role and writes it as CSV when asked (`--out`).

    python -m eval.shares --before 1a37140 --years 2018 2022 2025
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

from etl import store
from etl.config import REPO_ROOT, load_settings
from etl.transform import hn_roles
from etl.vocab import ROLES

DEFINITION = "anywhere"
COLUMNS = ["posting_id", "thread_month", "first_line", "text"]
# run inside the earlier commit's worktree: its own etl package flags the postings written here
_FLAG_THERE = (
    "import os, sys, pandas as pd; from etl.transform import hn_roles; "
    "assert hn_roles.__file__.startswith(os.getcwd()), hn_roles.__file__; "
    "p = pd.read_parquet(sys.argv[1]); "
    "hn_roles.flag_roles(p).to_parquet(sys.argv[2])"
)


def shares_by_year(postings: pd.DataFrame, flags: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Per year and role: postings, postings flagged (anywhere) and their share in percent."""
    columns = [hn_roles.flag_column(role, DEFINITION) for role in ROLES]
    joined = postings[["posting_id", "thread_month"]].merge(
        flags[["posting_id", *columns]], on="posting_id", how="left"
    )
    joined["year"] = joined["thread_month"].dt.year
    rows = []
    for year in years:
        of_year = joined[joined["year"] == year]
        for role in ROLES:
            flagged = int(of_year[hn_roles.flag_column(role, DEFINITION)].fillna(False).sum())
            n = len(of_year)
            rows.append(
                {
                    "year": year,
                    "role": role,
                    "postings": n,
                    "flagged": flagged,
                    "posting_share_pct": 100 * flagged / n if n else float("nan"),
                }
            )
    return pd.DataFrame(rows)


def run_at(commit: str, postings: pd.DataFrame, script: str) -> pd.DataFrame:
    """`script` (python -c, argv: a parquet of `postings`, the parquet it writes) run in a
    temporary worktree of `commit`, with that commit's own etl package; its output table."""
    with tempfile.TemporaryDirectory(prefix="lmd-shares-") as tmp:
        tree = Path(tmp) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(tree), commit],
            cwd=REPO_ROOT,
            check=True,
            capture_output=True,
        )
        try:
            src, out = Path(tmp) / "postings.parquet", Path(tmp) / "out.parquet"
            postings.to_parquet(src)
            subprocess.run([sys.executable, "-c", script, str(src), str(out)], cwd=tree, check=True)
            return pd.read_parquet(out)
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(tree)], cwd=REPO_ROOT, check=True
            )


def flags_at(commit: str, postings: pd.DataFrame) -> pd.DataFrame:
    """`flag_roles` of `commit` on `postings`, from a temporary worktree of that commit."""
    return run_at(commit, postings, _FLAG_THERE)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.shares", description=__doc__)
    ap.add_argument("--before", required=True, help="commit whose role rules give 'before'")
    ap.add_argument("--years", type=int, nargs="+", default=[2018, 2022, 2025])
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--out", type=Path, help="write the table as CSV here")
    args = ap.parse_args(argv)
    settings = load_settings(data_dir=args.data_dir)
    if store.read_manifest(settings.processed_dir) is None:
        raise SystemExit(f"no HN postings published in {settings.processed_dir}: refresh first")
    postings = store.read_table(settings.processed_dir, "hn_postings")[COLUMNS]
    postings = postings[postings["thread_month"].dt.year.isin(args.years)].reset_index(drop=True)
    before = shares_by_year(postings, flags_at(args.before, postings), args.years)
    after = shares_by_year(postings, hn_roles.flag_roles(postings), args.years)
    table = before.merge(after, on=["year", "role", "postings"], suffixes=("_before", "_after"))
    if args.out:
        table.to_csv(args.out, index=False)
    print(
        f"share of postings flagged per role ({DEFINITION}): before = {args.before}, after = this checkout"
    )
    print("| year | role | postings | before: flagged (share) | after: flagged (share) |")
    print("|---|---|---|---|---|")
    for r in table.itertuples(index=False):
        print(
            f"| {r.year} | {r.role} | {r.postings} | {r.flagged_before} ({r.posting_share_pct_before:.2f}%) | "
            f"{r.flagged_after} ({r.posting_share_pct_after:.2f}%) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
