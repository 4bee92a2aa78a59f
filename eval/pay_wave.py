"""Draw a pay-only development wave: postings that write money-like amounts, outside the labelled
set, to read for their salary ranges (`eval/labels_pay_dev.jsonl`, ids and pay labels only).

Reads the HN postings the ETL published; writes the drawn ids (stdout) and, for the labeller only,
each posting's amount contexts into a scratch folder outside the repository (`--texts DIR`). The
draw uses a broad money pattern of its own (a currency sign or code next to a digit, or a digit
with 'k'), not the extractor's rules, so it is not chosen by the rules being tuned. Every posting
of this wave is development data: the held-out part is unchanged.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from etl import store
from etl.config import load_settings
from eval.__main__ import load_labels
from eval.sample import _stable

WAVE = 5
DRAW = 80
SALT = "pay-wave-5"
BROAD_MONEY = re.compile(r"[$€£]\s?\d|\d\s?[kK]\b|\b(?:USD|EUR|GBP|CAD|AUD)\b")
LABELS_PAY_DEV = Path(__file__).resolve().parent / "labels_pay_dev.jsonl"


def draw(n: int = DRAW) -> list[int]:
    settings = load_settings()
    postings = store.read_table(settings.processed_dir, "hn_postings")[["posting_id", "text"]]
    labelled = set(load_labels()["id"])
    pool = postings[
        ~postings["posting_id"].isin(labelled)
        & postings["text"].fillna("").str.contains(BROAD_MONEY)
    ]
    ranked = sorted(pool["posting_id"], key=lambda i: _stable(int(i), SALT))
    return [int(i) for i in ranked[:n]]


def main() -> None:
    ap = argparse.ArgumentParser(prog="python -m eval.pay_wave", description=__doc__)
    ap.add_argument("--texts", type=Path, help="scratch folder (outside the repo) for the labeller")
    args = ap.parse_args()
    ids = draw()
    print("\n".join(map(str, ids)))
    if args.texts:
        settings = load_settings()
        text = store.read_table(settings.processed_dir, "hn_postings").set_index("posting_id")[
            "text"
        ]
        args.texts.mkdir(parents=True, exist_ok=True)
        for i in ids:
            t = str(text[i])
            ctx = [t[max(0, m.start() - 120) : m.end() + 120] for m in BROAD_MONEY.finditer(t)]
            (args.texts / f"{i}.txt").write_text("\n---\n".join(ctx))


if __name__ == "__main__":
    main()
