"""Assemble the labellers' files into the committed labelled set (ids and labels only).

Reads `batch_<N>.jsonl` label files (one per labeller, in a scratch folder outside the repo) and
`eval/sample_ids.csv`; writes `eval/labels.jsonl` (one line per sampled posting, labelled by the
labeller of its batch, with its era, stratum and split) and `eval/labels_second.jsonl` (the second
labeller's labels of the overlap postings, for agreement). Labels already committed are kept for the
postings the folder has no file for, so a later wave is added by assembling its batches alone; a
wave with no label yet is left out (a wave labelled in part is refused).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
FIELDS = ("roles", "skills", "role_skills", "multi_job", "pay", "confidence", "notes")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("labels_dir", type=Path)
    args = ap.parse_args()
    sample = pd.read_csv(HERE / "sample_ids.csv").set_index("posting_id")
    first = {r["id"]: r for r in map(json.loads, (HERE / "labels.jsonl").read_text().splitlines())}
    second = {
        r["id"]: r for r in map(json.loads, (HERE / "labels_second.jsonl").read_text().splitlines())
    }
    for path in sorted(args.labels_dir.glob("batch_*.jsonl")):
        batch = int(path.stem.split("_")[1])
        for line in path.read_text().splitlines():
            rec = json.loads(line)
            pid = int(rec["id"])
            row = sample.loc[pid]
            out = {"id": pid, "labeller": f"L{batch}"}
            out.update({k: rec.get(k) for k in FIELDS})
            if int(row["batch"]) == batch:
                out.update(
                    era=row["era"],
                    stratum=row["stratum"],
                    wave=int(row["wave"]),
                    split=row["split"],
                )
                first[pid] = out
            else:
                second[pid] = out
    # a wave is labelled whole or not yet at all: a wave none of whose postings has a label yet is
    # left out (its labellers are still reading), a wave labelled in part is refused
    labelled = sample.index.isin(list(first))
    by_wave = pd.Series(labelled, index=sample.index).groupby(sample["wave"]).agg(["sum", "size"])
    partial = by_wave[(by_wave["sum"] > 0) & (by_wave["sum"] < by_wave["size"])]
    if not partial.empty:
        missing = sorted(set(sample.index[sample["wave"].isin(partial.index)]) - set(first))
        raise SystemExit(
            f"{len(missing)} sampled postings of wave(s) {list(partial.index)} have no label, "
            f"e.g. {missing[:5]}"
        )
    pending = [int(w) for w in by_wave.index[by_wave["sum"] == 0]]
    with open(HERE / "labels.jsonl", "w") as fh:
        for pid in sample.index[labelled]:
            fh.write(json.dumps(first[pid], ensure_ascii=False) + "\n")
    with open(HERE / "labels_second.jsonl", "w") as fh:
        for pid in sorted(second):
            fh.write(json.dumps(second[pid], ensure_ascii=False) + "\n")
    print(f"{int(labelled.sum())} labelled postings, {len(second)} labelled twice")
    if pending:
        print(f"wave(s) {pending} not labelled yet: left out")


if __name__ == "__main__":
    main()
