"""How well a change to the role counting generalises, judged on the development part only.

The rules were tuned on every development wave, so their figures on the development part
(0.97-0.99) say how well they fit it, not how well they count postings they have not seen. This
script scores each candidate forward over the development waves instead: for each wave drawn
after a rules round (4, 5, 6, 8, 9, 10, 11), the role rules of the commit just before that wave's labels
existed (`FOLDS`: their history shows those rules never saw it) score the wave, and a model
stage is trained on the earlier development waves only and scored on it as well. The held-out
part (waves 1-3's held-out half and wave 7) is never read.

    python -m eval.cv [--data-dir DIR] [--write]

`--write` writes the figures to `eval/cv.json` and `eval/CV.md`. It needs the git history that
holds the commits of `FOLDS` (a full clone) and the HN postings published from the mirror.
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

from etl.transform import hn_roles
from etl.vocab import ROLES
from eval import features as role_model
from eval.__main__ import load_labels, published_postings
from eval.shares import _FLAG_THERE, run_at
from eval.stats import wilson

HERE = Path(__file__).resolve().parent
CV_JSON = HERE / "cv.json"
CV_MD = HERE / "CV.md"
DEFINITION = "anywhere"
# (wave scored, the commit whose role rules predate that wave's labels, the waves trained on):
# e7d1b7c was committed with the labels of waves 1-3 only; 19da2f2 with waves 1-4 (wave 5 drawn,
# not labelled); 7d0041d with waves 1-5 ("before wave 6's labels"); f63ea6b before wave 8 was drawn;
# a329931 (round 6) was committed before wave 9's labels were assembled into eval/labels.jsonl;
# 6deb9ee (round 7) before wave 10's; add42fa (round 8) before wave 11's
FOLDS: tuple[tuple[int, str, tuple[int, ...]], ...] = (
    (4, "e7d1b7c", (1, 2, 3)),
    (5, "19da2f2", (1, 2, 3, 4)),
    (6, "7d0041d", (1, 2, 3, 4, 5)),
    (8, "f63ea6b", (1, 2, 3, 4, 5, 6)),
    (9, "a329931", (1, 2, 3, 4, 5, 6, 8)),
    (10, "6deb9ee", (1, 2, 3, 4, 5, 6, 8, 9)),
    (11, "add42fa", (1, 2, 3, 4, 5, 6, 8, 9, 10)),
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


# run in an earlier commit's worktree: each role's text with that commit's exclude rules masked
_MASK_THERE = (
    "import os, sys, pandas as pd; from etl.transform import hn_roles; "
    "assert hn_roles.__file__.startswith(os.getcwd()), hn_roles.__file__; "
    "p = pd.read_parquet(sys.argv[1]); m = hn_roles.compile_role_rules(hn_roles.load_role_rules()); "
    "t = p['text'].fillna('').astype(str); "
    "x = {r: t if m[r].exclude is None else t.map(lambda s, e=m[r].exclude: "
    "e.sub(lambda g: chr(166) * (g.end() - g.start()), s)) for r in m}; "
    "pd.DataFrame({'posting_id': p['posting_id'], **x}).to_parquet(sys.argv[2])"
)


def features(masked: pd.DataFrame) -> dict[str, list[dict]]:
    """Per role, each posting's model features from its text with the exclude rules masked
    (`masked`: a column per role): the model reads the mentions the excludes leave, as the
    includes do."""
    anchors = role_model.anchors()
    return {
        role: [role_model.role_features(role, t, anchors[role]) for t in masked[role]]
        for role in ROLES
    }


def bags(masked: pd.DataFrame) -> dict[str, list[list[role_model.Mention]]]:
    """Per role, each posting's mentions with their features (see `features`)."""
    anchors = role_model.anchors()
    return {
        role: [
            role_model.mentions(t, anchors[role], role not in role_model.NO_TITLE_FILTER)
            for t in masked[role]
        ]
        for role in ROLES
    }


def _max_score(weights: dict[str, float], intercept: float, bag: list) -> float:
    if not bag:
        return 0.0
    z = max(intercept + sum(weights.get(f, 0.0) for f in m.features) for m in bag)
    return 1.0 / (1.0 + math.exp(-z))


def at_commit(
    commit: str, postings: pd.DataFrame, cache: Path | None, script: str = _FLAG_THERE
) -> pd.DataFrame:
    """`script`'s table from `commit` on `postings` (default: its flags), kept in `cache` (a
    scratch folder) when given."""
    name = "flags" if script == _FLAG_THERE else "masked"
    path = cache / f"{commit}-{name}-{len(postings)}.parquet" if cache else None
    if path is not None and path.exists():
        return pd.read_parquet(path)
    flags = run_at(commit, postings, script)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        flags.to_parquet(path)
    return flags


def cross_validate(labels: pd.DataFrame, postings: pd.DataFrame, cache: Path | None = None) -> dict:
    """Per fold, role and candidate: tp / fp / fn on the fold's wave (see the module doc)."""
    dev = labels[labels["split"] == "dev"].reset_index(drop=True)
    texts = postings.set_index("posting_id").loc[dev["id"]].reset_index()
    current = hn_roles.flag_roles(texts)
    out = []
    for wave, commit, train_waves in FOLDS:
        test = (dev["wave"] == wave).to_numpy()
        train = dev["wave"].isin(train_waves).to_numpy()
        old = at_commit(commit, texts[test].reset_index(drop=True), cache)
        # the model reads each posting with the fold's own rules' excludes masked
        masked = at_commit(commit, texts[train | test].reset_index(drop=True), cache, _MASK_THERE)
        masked = masked.set_index("posting_id").loc[dev["id"][train | test]].reset_index()
        feats, mention_bags = features(masked), bags(masked)
        sub = np.flatnonzero(train | test)
        train_at = train[sub]
        test_at = test[sub]
        for role in ROLES:
            col = hn_roles.flag_column(role, DEFINITION)
            truth = dev.loc[test, role].to_numpy(bool)
            rules = old[col].to_numpy(bool)
            # a veto (measured, not used: see `choose`) never drops a flag the header sets too
            header = old[hn_roles.flag_column(role, "header")].to_numpy(bool)
            row = {"wave": wave, "commit": commit, "role": role, "n": int(test.sum())}
            row["rules"] = _counts(truth, rules)
            row["current_rules_memorised"] = _counts(truth, current.loc[test, col].to_numpy(bool))
            y = dev.loc[train, role].to_numpy(float)
            rows = [f for f, t in zip(feats[role], train_at, strict=True) if t]
            test_rows = [f for f, t in zip(feats[role], test_at, strict=True) if t]
            train_bags = [b for b, t in zip(mention_bags[role], train_at, strict=True) if t]
            test_bags = [b for b, t in zip(mention_bags[role], test_at, strict=True) if t]
            for l2 in L2:
                weights, intercept = role_model.fit_mil(train_bags, y, l2)
                scores = np.array([_max_score(weights, intercept, b) for b in test_bags])
                for t in THRESHOLDS:
                    row[f"mentions_alone l2={l2:g} t={t:g}"] = _counts(truth, scores >= t)
                    row[f"rules+mentions l2={l2:g} t={t:g}"] = _counts(truth, rules | (scores >= t))
                weights, intercept = role_model.fit_logistic(rows, y, l2)
                model = role_model.RoleModel(weights, intercept)
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


def choose(pool: dict[str, dict[str, dict]], prefix: str = "rules+model") -> str | None:
    """The candidate chosen by the cross-validation among those named `prefix`...: of those whose
    pooled precision is not below the rules' own in any role, the one that misses fewest
    openings over the roles (ties: fewer false positives); None when none misses fewer than the
    rules. By default only the candidates that add flags to the rules': a veto (a rule flag
    dropped where the model scores low) unflags tricky-phrase cases that the rules count by
    design (tests/fixtures/hn_role_phrases.csv: hiring-area lists)."""
    base = pool["rules"]
    best, key = None, None
    for cand, per_role in pool.items():
        if not cand.startswith(prefix):
            continue
        if any(per_role[r]["precision"] < base[r]["precision"] for r in ROLES):
            continue
        k = (sum(per_role[r]["fn"] for r in ROLES), sum(per_role[r]["fp"] for r in ROLES))
        if key is None or k < key:
            best, key = cand, k
    if best is None or key[0] >= sum(base[r]["fn"] for r in ROLES):
        return None
    return best


PHRASES = HERE.parent / "tests" / "fixtures" / "hn_role_phrases.csv"


def _masked(exclude: re.Pattern[str] | None, text: str) -> str:
    """`text` with what `exclude` matches masked, as _MASK_THERE does in an earlier commit."""
    if exclude is None:
        return text
    return exclude.sub(lambda g: chr(166) * (g.end() - g.start()), text)


def veto_conflicts(labels: pd.DataFrame, postings: pd.DataFrame, candidate: str) -> dict:
    """How many tricky-phrase openings (anywhere, expected True) a veto candidate would unflag:
    its model trained on the whole development part (text masked by this checkout's excludes),
    each phrase scored below its veto. The phrases are the classes the rules count by design."""
    m = re.fullmatch(r"rules-veto([\d.]+)\+model l2=([\d.]+) t=[\d.]+", candidate)
    if m is None:
        raise ValueError(f"not a veto candidate: {candidate!r}")
    veto, l2 = float(m.group(1)), float(m.group(2))
    dev = labels[labels["split"] == "dev"].reset_index(drop=True)
    texts = postings.set_index("posting_id").loc[dev["id"], "text"].fillna("").astype(str)
    anchors = role_model.anchors()
    matchers = hn_roles.compile_role_rules(hn_roles.load_role_rules())
    phrases = pd.read_csv(PHRASES, dtype=str, keep_default_na=False)
    phrases = phrases[(phrases["definition"] == DEFINITION) & (phrases["expected"] == "True")]
    unflagged = 0
    for role in ROLES:
        ex = matchers[role].exclude
        rows = [role_model.role_features(role, _masked(ex, t), anchors[role]) for t in texts]
        model = role_model.RoleModel(*role_model.fit_logistic(rows, dev[role].to_numpy(float), l2))
        for r in phrases[phrases["role"] == role].itertuples(index=False):
            text = f"{r.first_line}\n{r.body}".strip()
            unflagged += model.score(role_model.role_features(role, text, anchors[role])) < veto
    return {"candidate": candidate, "unflagged": int(unflagged), "phrases": int(len(phrases))}


def _fmt(x: float) -> str:
    return "—" if isinstance(x, float) and math.isnan(x) else f"{x:.2f}"


def _cells(per_role: dict[str, dict]) -> str:
    return " | ".join(
        f"{_fmt(m['precision'])} / {_fmt(m['recall'])} (fp {m['fp']}, fn {m['fn']})"
        for m in (per_role[role] for role in ROLES)
    )


def best_of(pool: dict[str, dict[str, dict]], prefix: str) -> str:
    """The candidate of one family (named `prefix`...) that `choose` picks, or else the one
    with the fewest errors (false positives and missed openings over the roles)."""
    family = {k: v for k, v in pool.items() if k.startswith(prefix)}
    picked = choose({"rules": pool["rules"], **family}, prefix)
    if picked:
        return picked
    return min(family, key=lambda c: sum(family[c][r]["fp"] + family[c][r]["fn"] for r in ROLES))


def markdown(results: dict) -> str:
    pool = pooled(results)
    waves = ", ".join(f"wave {w} (rules of {c}, model trained on waves {t})" for w, c, t in FOLDS)
    chosen = results.get("chosen")
    head = ["| candidate | " + " | ".join(ROLES) + " |", "|---|" + "---|" * len(ROLES)]
    key = ["rules", "current_rules_memorised"]
    key += [best_of(pool, p) for p in ("rules+model", "rules-veto", "rules+mentions")]
    lines = [
        "# Forward cross-validation over the development waves",
        "",
        "Written by `python -m eval.cv --write` (`make cv`). Each development wave drawn after a "
        "rules round is scored by the role rules of the commit before its labels existed and by a "
        f"model stage trained on the earlier development waves only: {waves}. The model reads each "
        "posting with that commit's exclude rules masked. The held-out part is not read. Figures "
        f"are pooled over the {len(FOLDS)} waves, anywhere definition: precision / recall (false positives, "
        "missed openings). `current_rules_memorised` is this checkout's rules on the same waves, "
        "which they were tuned on: the gap to `rules` is how much of the dev part's figure is fit "
        "rather than generalisation.",
        "",
        "Candidates: `rules+model` adds the postings a logistic model over the mentions' features "
        "(eval/features.py) scores >= t (L2 penalty l2); `rules-veto` also drops a rule flag the "
        "model scores below the veto (never one the header sets too); `rules+mentions` scores each "
        "mention alone (multiple-instance learning) and adds the postings whose best mention "
        "scores >= t.",
        "",
        "Chosen (the candidate that misses fewest openings with no role's precision below the "
        "rules', among those that only add flags): "
        + (f"`{chosen}`." if chosen else "none; the classifier stays the rules alone.")
        + (
            f" A veto is not a candidate: `{vc['candidate']}`, trained on the whole development "
            f"part, would unflag {vc['unflagged']} of the {vc['phrases']} tricky-phrase openings "
            "(tests/fixtures/hn_role_phrases.csv, anywhere), classes the rules count by design "
            "(hiring-area lists, areas teams hire in, LABELLING.md)."
            if (vc := results.get("veto_conflicts"))
            else ""
        ),
        "",
        "Best of each family by the same criterion (where none meets it: the one with the fewest "
        "errors):",
        "",
        *head,
        *(f"| {c} | {_cells(pool[c])} |" for c in key),
        "",
        "Per wave, the rules of the commit before the wave (forward) and this checkout's "
        "(tuned on it):",
        "",
        "| wave | role | n | forward rules P / R | current rules P / R |",
        "|---|---|---|---|---|",
    ]
    for r in results["folds"]:
        a, b = _pr(r["rules"]), _pr(r["current_rules_memorised"])
        lines.append(
            f"| {r['wave']} | {r['role']} | {r['n']} | {_fmt(a['precision'])} / {_fmt(a['recall'])} | "
            f"{_fmt(b['precision'])} / {_fmt(b['recall'])} |"
        )
    lines += ["", "Every candidate:", "", *head]
    lines += [f"| {c} | {_cells(per_role)} |" for c, per_role in pool.items()]
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
    results["veto_conflicts"] = veto_conflicts(
        labels, postings, best_of(pooled(results), "rules-veto")
    )
    md = markdown(results)
    print(md)
    if args.write:
        CV_JSON.write_text(json.dumps(results, indent=1, default=float) + "\n")
        CV_MD.write_text(md + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
