"""How well a change to the role counting generalises, judged on the development part only.

The rules were tuned on every development wave, so their figures on the development part
(0.97-0.99) say how well they fit it, not how well they count postings they have not seen. This
script scores each candidate forward over the development waves instead: for each wave drawn
after a rules round (4, 5, 6, 8), the role rules of the commit just before that wave's labels
existed (`FOLDS`: their history shows those rules never saw it) score the wave, and a model
stage is trained on the earlier development waves only and scored on it as well. The held-out
part (waves 1-3's held-out half and wave 7) is never read.

    python -m eval.cv [--data-dir DIR] [--write]

`--write` writes the figures to `eval/cv.json` and `eval/CV.md`.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd

from etl.transform import hn_roles, role_model
from etl.vocab import ROLES
from eval.__main__ import load_labels, published_postings
from eval.shares import flags_at
from eval.stats import wilson

HERE = Path(__file__).resolve().parent
CV_JSON = HERE / "cv.json"
CV_MD = HERE / "CV.md"
DEFINITION = "anywhere"
# (wave scored, the commit whose role rules predate that wave's labels, the waves trained on):
# e7d1b7c was committed with the labels of waves 1-3 only; 19da2f2 with waves 1-4 (wave 5 drawn,
# not labelled); 7d0041d with waves 1-5 ("before wave 6's labels"); f63ea6b before wave 8 was drawn
FOLDS: tuple[tuple[int, str, tuple[int, ...]], ...] = (
    (4, "e7d1b7c", (1, 2, 3)),
    (5, "19da2f2", (1, 2, 3, 4)),
    (6, "7d0041d", (1, 2, 3, 4, 5)),
    (8, "f63ea6b", (1, 2, 3, 4, 5, 6)),
)
L2 = (0.5, 1.0, 3.0)
THRESHOLDS = (0.5, 0.7, 0.8, 0.85, 0.9)
VETOES = (0.05, 0.1, 0.15, 0.2)


def _counts(truth: np.ndarray, pred: np.ndarray) -> dict:
    return {
        "tp": int((truth & pred).sum()),
        "fp": int((~truth & pred).sum()),
        "fn": int((truth & ~pred).sum()),
    }


def _pr(c: dict) -> dict:
    tp, fp, fn = c["tp"], c["fp"], c["fn"]
    return c | {
        "precision": tp / (tp + fp) if tp + fp else math.nan,
        "recall": tp / (tp + fn) if tp + fn else math.nan,
        "precision_95": wilson(tp, tp + fp),
        "recall_95": wilson(tp, tp + fn),
    }


def features(postings: pd.DataFrame) -> dict[str, list[dict]]:
    """Per role, each posting's model features (in the order of `postings`)."""
    anchors = role_model.anchors()
    texts = postings["text"].fillna("").astype(str).tolist()
    return {
        role: [
            role_model.posting_features(t, anchors[role], role not in role_model.NO_TITLE_FILTER)
            for t in texts
        ]
        for role in ROLES
    }


def bags(postings: pd.DataFrame) -> dict[str, list[list[role_model.Mention]]]:
    """Per role, each posting's mentions with their features (in the order of `postings`)."""
    anchors = role_model.anchors()
    texts = postings["text"].fillna("").astype(str).tolist()
    return {role: [role_model.mentions(t, anchors[role]) for t in texts] for role in ROLES}


def _max_score(weights: dict[str, float], intercept: float, bag: list) -> float:
    if not bag:
        return 0.0
    z = max(intercept + sum(weights.get(f, 0.0) for f in m.features) for m in bag)
    return 1.0 / (1.0 + math.exp(-z))


def old_flags(commit: str, postings: pd.DataFrame, cache: Path | None) -> pd.DataFrame:
    """`flags_at(commit, postings)`, kept in `cache` (a scratch folder) when given."""
    path = cache / f"{commit}-{len(postings)}.parquet" if cache else None
    if path is not None and path.exists():
        return pd.read_parquet(path)
    flags = flags_at(commit, postings)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags.to_parquet(path)
    return flags


def cross_validate(labels: pd.DataFrame, postings: pd.DataFrame, cache: Path | None = None) -> dict:
    """Per fold, role and candidate: tp / fp / fn on the fold's wave (see the module doc)."""
    dev = labels[labels["split"] == "dev"].reset_index(drop=True)
    texts = postings.set_index("posting_id").loc[dev["id"]].reset_index()
    feats = features(texts)
    mention_bags = bags(texts)
    current = hn_roles.flag_roles(texts)
    out = []
    for wave, commit, train_waves in FOLDS:
        test = (dev["wave"] == wave).to_numpy()
        train = dev["wave"].isin(train_waves).to_numpy()
        old = old_flags(commit, texts[test].reset_index(drop=True), cache)
        for role in ROLES:
            col = hn_roles.flag_column(role, DEFINITION)
            truth = dev.loc[test, role].to_numpy(bool)
            rules = old[col].to_numpy(bool)
            # a veto never drops a flag the header definition sets too (hn_roles.apply_models)
            header = old[hn_roles.flag_column(role, "header")].to_numpy(bool)
            row = {"wave": wave, "commit": commit, "role": role, "n": int(test.sum())}
            row["rules"] = _counts(truth, rules)
            row["current_rules_memorised"] = _counts(truth, current.loc[test, col].to_numpy(bool))
            y = dev.loc[train, role].to_numpy(float)
            rows = [f for f, t in zip(feats[role], train, strict=True) if t]
            test_rows = [f for f, t in zip(feats[role], test, strict=True) if t]
            train_bags = [b for b, t in zip(mention_bags[role], train, strict=True) if t]
            test_bags = [b for b, t in zip(mention_bags[role], test, strict=True) if t]
            for l2 in L2:
                weights, intercept = role_model.fit_mil(train_bags, y, l2)
                scores = np.array([_max_score(weights, intercept, b) for b in test_bags])
                for t in THRESHOLDS:
                    row[f"mentions_alone l2={l2:g} t={t:g}"] = _counts(truth, scores >= t)
                    row[f"rules+mentions l2={l2:g} t={t:g}"] = _counts(truth, rules | (scores >= t))
                weights, intercept = role_model.fit_logistic(rows, y, l2)
                model = role_model.RoleModel(weights, intercept, 0.5)
                scores = np.array([model.score(f) for f in test_rows])
                for t in THRESHOLDS:
                    row[f"model_alone l2={l2:g} t={t:g}"] = _counts(truth, scores >= t)
                    row[f"rules+model l2={l2:g} t={t:g}"] = _counts(truth, rules | (scores >= t))
                    for veto in VETOES:
                        kept = rules & ((scores >= veto) | header)
                        row[f"rules-veto{veto:g}+model l2={l2:g} t={t:g}"] = _counts(
                            truth, kept | (scores >= t)
                        )
                for veto in VETOES:
                    row[f"rules-veto{veto:g} l2={l2:g}"] = _counts(
                        truth, rules & ((scores >= veto) | header)
                    )
            out.append(row)
    return {"folds": out}


def pooled(results: dict) -> dict[str, dict[str, dict]]:
    """Candidate -> role -> pooled figures over the folds (sums of tp / fp / fn)."""
    candidates = [k for k in results["folds"][0] if isinstance(results["folds"][0][k], dict)]
    out: dict[str, dict[str, dict]] = {}
    for cand in candidates:
        out[cand] = {}
        for role in ROLES:
            rows = [r[cand] for r in results["folds"] if r["role"] == role]
            out[cand][role] = _pr({k: sum(r[k] for r in rows) for k in ("tp", "fp", "fn")})
    return out


def choose(pool: dict[str, dict[str, dict]]) -> str | None:
    """The model candidate chosen by the cross-validation: among those whose pooled precision is
    not below the rules' own in any role, the one that misses fewest openings over the roles
    (ties: fewer false positives); None when no candidate misses fewer than the rules."""
    base = pool["rules"]
    best, key = None, None
    for cand, per_role in pool.items():
        if not cand.startswith("rules") or cand == "rules":
            continue
        if any(per_role[r]["precision"] < base[r]["precision"] for r in ROLES):
            continue
        k = (sum(per_role[r]["fn"] for r in ROLES), sum(per_role[r]["fp"] for r in ROLES))
        if key is None or k < key:
            best, key = cand, k
    if best is None or key[0] >= sum(base[r]["fn"] for r in ROLES):
        return None
    return best


def params(candidate: str) -> dict[str, float]:
    """The model settings a candidate's name states: 'rules-veto0.1+model l2=0.5 t=0.9' ->
    {'veto': 0.1, 'l2': 0.5, 'threshold': 0.9} (veto 0 and threshold above 1 when absent)."""
    m = re.fullmatch(r"rules(?:-veto([\d.]+))?(?:\+model)? l2=([\d.]+)(?: t=([\d.]+))?", candidate)
    if m is None:
        raise ValueError(f"not a rules+model candidate: {candidate!r}")
    veto, l2, t = m.groups()
    return {"veto": float(veto or 0), "l2": float(l2), "threshold": float(t) if t else 1.01}


def _fmt(x: float) -> str:
    return "—" if isinstance(x, float) and math.isnan(x) else f"{x:.2f}"


def markdown(results: dict) -> str:
    pool = pooled(results)
    waves = ", ".join(f"wave {w} (rules of {c}, model trained on waves {t})" for w, c, t in FOLDS)
    lines = [
        "# Forward cross-validation over the development waves",
        "",
        "Written by `python -m eval.cv --write`. Each development wave drawn after a rules round is "
        "scored by the role rules of the commit before its labels existed and by a model stage "
        f"trained on the earlier development waves only: {waves}. The held-out part is not read. "
        "Figures are pooled over the four waves (anywhere definition; precision / recall with "
        "95% intervals, counts of errors). `current_rules_memorised` is this checkout's rules on "
        "the same waves, which they were tuned on: the gap to `rules` is how much of the dev part's "
        "figure is fit rather than generalisation.",
        "",
        "| candidate | " + " | ".join(ROLES) + " |",
        "|---|" + "---|" * len(ROLES),
    ]
    for cand, per_role in pool.items():
        cells = []
        for role in ROLES:
            m = per_role[role]
            cells.append(
                f"P {_fmt(m['precision'])} R {_fmt(m['recall'])} (fp {m['fp']}, fn {m['fn']})"
            )
        lines.append(f"| {cand} | " + " | ".join(cells) + " |")
    lines += ["", "Per wave, rules alone -> the chosen candidate:", ""]
    chosen = results.get("chosen")
    if chosen:
        lines += [
            "| wave | role | n | rules P / R | " + chosen + " P / R |",
            "|---|---|---|---|---|",
        ]
        for r in results["folds"]:
            a, b = _pr(r["rules"]), _pr(r[chosen])
            lines.append(
                f"| {r['wave']} | {r['role']} | {r['n']} | {_fmt(a['precision'])} / {_fmt(a['recall'])} | "
                f"{_fmt(b['precision'])} / {_fmt(b['recall'])} |"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.cv", description=__doc__)
    ap.add_argument("--data-dir", type=Path)
    ap.add_argument("--mirror")
    ap.add_argument("--cache", type=Path, help="scratch folder for the earlier commits' flags")
    ap.add_argument("--write", action="store_true", help="write eval/cv.json and eval/CV.md")
    args = ap.parse_args(argv)
    labels = load_labels()
    postings = published_postings(args.data_dir, args.mirror)
    results = cross_validate(labels, postings, args.cache)
    results["generated_at"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    results["chosen"] = choose(pooled(results))
    if results["chosen"]:
        results["chosen_params"] = params(results["chosen"])
    md = markdown(results)
    print(md)
    if args.write:
        CV_JSON.write_text(json.dumps(results, indent=1, default=float) + "\n")
        CV_MD.write_text(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
