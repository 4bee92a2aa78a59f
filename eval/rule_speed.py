"""Time each role rule's scan over a fixed sample of postings read from the mirror.

`python -m eval.rule_speed [--mirror DIR] [--postings N] [--top K]` prints the slowest rules:
milliseconds per 1,000 postings for each rule scanned on its own over every sampled text (its
pattern everywhere, its `before` condition where the pattern matched, as RoleMatcher does),
without the role's anchor or the literal prefilter, so a rule that scans slowly wherever it
runs shows up. It also names the slowest rule of each rules round (the round its note starts
with). A speed guard for writing rules (a rule must start with, or quickly assert, its role's
own words); not a test: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

import pandas as pd

from etl.sources.hn_parse import parse_thread, parse_thread_list
from etl.transform.hn_roles import _context_hits, load_role_rules
from eval.sample import SEARCH

DEFAULT_MIRROR = Path(__file__).resolve().parents[1].parent / "shared" / "mirror"
SEED = 20261208
THREADS = 8  # threads read, evenly spaced over the record
ROUND = re.compile(r"round (\d+)")


def sample_texts(mirror: Path, n: int, seed: int = SEED) -> list[str]:
    """`n` posting texts drawn with `seed` from THREADS threads spread over the whole record."""
    threads = parse_thread_list((mirror / SEARCH).read_bytes())
    threads = threads.sort_values("thread_month").reset_index(drop=True)
    picks = sorted({round(i * (len(threads) - 1) / (THREADS - 1)) for i in range(THREADS)})
    frames = []
    for t in threads.iloc[picks].itertuples(index=False):
        raw = (mirror / "hn.algolia.com/api/v1/items" / str(t.thread_id)).read_bytes()
        frames.append(parse_thread(raw, t.thread_month))
    postings = pd.concat(frames, ignore_index=True)
    drawn = postings.sample(min(n, len(postings)), random_state=seed)
    return drawn["text"].tolist()


def rule_times(rules: pd.DataFrame, texts: list[str], repeats: int = 3) -> pd.DataFrame:
    """Per rule: the best of `repeats` scans of `texts`, in ms per 1,000 texts, and its hits."""
    rows = []
    for r in rules.itertuples(index=False):
        pattern = re.compile(r.pattern, re.IGNORECASE)
        before = (
            re.compile(f"(?:{r.before})\\Z", re.IGNORECASE | re.MULTILINE) if r.before else None
        )
        best, hits = float("inf"), 0
        for _ in range(repeats):
            hits = 0
            start = time.perf_counter()
            for text in texts:
                matches = list(pattern.finditer(text))
                if before is not None:
                    matches = list(_context_hits(text, matches, before))
                hits += bool(matches)
            best = min(best, time.perf_counter() - start)
        found = ROUND.match(r.note)
        rows.append(
            {
                "rule_id": r.rule_id,
                "round": int(found.group(1)) if found else 0,
                "ms_per_1000": 1000 * best * 1000 / len(texts),
                "texts_hit": hits,
            }
        )
    return pd.DataFrame(rows).sort_values("ms_per_1000", ascending=False, ignore_index=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", type=Path, default=DEFAULT_MIRROR)
    parser.add_argument("--postings", type=int, default=1000)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=3, help="scans per rule; the best counts")
    parser.add_argument("--rules", help="only rules whose id starts with this")
    parser.add_argument("--rules-file", type=Path, help="a rules CSV other than the packaged one")
    args = parser.parse_args(argv)
    if not (args.mirror / SEARCH).exists():
        raise SystemExit(f"no HN search answer under the mirror {args.mirror}: pass --mirror DIR")
    texts = sample_texts(args.mirror, args.postings)
    rules = load_role_rules(args.rules_file)
    if args.rules:
        rules = rules[rules["rule_id"].str.startswith(args.rules)]
    times = rule_times(rules, texts, args.repeats)
    print(f"{len(texts)} postings, {len(times)} rules; ms per 1,000 postings, each rule alone:")
    print(times.head(args.top).to_string(index=False, float_format="%.1f"))
    slowest = times.loc[times.groupby("round")["ms_per_1000"].idxmax()]
    print("slowest rule of each round (0: no round in its note):")
    print(slowest.to_string(index=False, float_format="%.1f"))


if __name__ == "__main__":
    main()
