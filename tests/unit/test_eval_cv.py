"""eval.cv's forward cross-validation helpers and eval.features' mention features and fits, on
hand-written texts and counts (no mirror, no git history)."""

from __future__ import annotations

import math

import numpy as np

from etl.vocab import ROLES
from eval import cv
from eval import features as F

ANCHORS = F.anchors()


def _feats(role: str, text: str) -> dict[str, tuple[int, int]]:
    return F.role_features(role, text, ANCHORS[role])


def test_features_keep_the_offsets_of_the_mention_they_fired_at() -> None:
    text = "Acme | Backend, Frontend, Machine Learning | NYC\nWe are hiring:\n- ML infra"
    feats = _feats("ml_engineer", text)
    start, end = feats["term=machine_learning"]
    assert text[start:end] == "Machine Learning"
    assert feats["line:first"] == (start, end) and feats["line:field"] == (start, end)
    start, end = feats["term=ml"]
    assert text[start:end] == "ML"
    assert feats["line:bullet"] == (start, end) and feats["above:hire"] == (start, end)
    assert "posting:mentions>=2" in feats


def test_no_mention_no_features_and_a_score_of_zero() -> None:
    assert _feats("ai_engineer", "Acme | Backend Engineer | Rails, Postgres") == {}
    assert F.RoleModel({"line:first": 5.0}, 1.0).score({}) == 0.0


def test_domain_names_and_scientist_titles_are_not_mentions() -> None:
    # LABELLING.md: scientist and researcher titles count as none of the roles
    assert _feats("ml_engineer", "recurse.ml | Founding Engineer") == {}
    assert _feats("ml_engineer", "Acme | ML Research Scientist | Remote") == {}
    assert _feats("ai_engineer", "Acme (https://acme.ai) | AI Researcher") == {}
    # ... but the data-scientist role keeps its own title
    assert "term=data_scientist" in _feats("data_scientist", "Acme | Data Scientist")


def test_fit_logistic_learns_which_feature_marks_the_openings() -> None:
    rows = [{"line:hire": (0, 1)}] * 20 + [{"b:our": (0, 1)}] * 20
    y = np.array([1.0] * 20 + [0.0] * 20)
    weights, intercept = F.fit_logistic(rows, y, l2=1.0)
    model = F.RoleModel(weights, intercept)
    assert weights["line:hire"] > 0 > weights["b:our"]
    assert model.score({"line:hire": (0, 1)}) > 0.8 > 0.2 > model.score({"b:our": (0, 1)})


def test_fit_logistic_ignores_features_of_fewer_than_min_postings() -> None:
    rows = [{"common": (0, 1)}] * 10 + [{"common": (0, 1), "rare": (0, 1)}]
    weights, _ = F.fit_logistic(rows, np.array([0.0] * 5 + [1.0] * 6), l2=1.0, min_postings=3)
    assert "rare" not in weights


def test_mention_model_scores_the_mention_that_holds_the_opening() -> None:
    hire = F.Mention(0, 2, ("line:hire",))
    prose = F.Mention(5, 7, ("b:our",))
    bags = [[hire, prose]] * 15 + [[prose]] * 15
    y = np.array([1.0] * 15 + [0.0] * 15)
    weights, intercept = F.fit_mil(bags, y, l2=1.0)
    assert weights["line:hire"] > 0 > weights["b:our"]


def _pool(**per_candidate: tuple[tuple[int, int, int], ...]) -> dict:
    return {
        cand: {
            role: cv._pr({"tp": tp, "fp": fp, "fn": fn})
            for role, (tp, fp, fn) in zip(ROLES, counts, strict=True)
        }
        for cand, counts in per_candidate.items()
    }


def test_choose_takes_the_fewest_misses_that_keep_every_precision() -> None:
    pool = _pool(
        rules=((80, 8, 20), (80, 8, 20), (40, 4, 10)),
        # more recall but the ML precision falls below the rules'
        **{"rules+model l2=1 t=0.5": ((95, 8, 5), (95, 20, 5), (45, 4, 5))},
        **{"rules+model l2=1 t=0.9": ((85, 8, 15), (85, 8, 15), (40, 4, 10))},
    )
    assert cv.choose(pool) == "rules+model l2=1 t=0.9"


def test_choose_returns_none_when_nothing_beats_the_rules() -> None:
    pool = _pool(
        rules=((80, 8, 20), (80, 8, 20), (40, 4, 10)),
        **{"rules+model l2=1 t=0.5": ((90, 12, 10), (90, 12, 10), (45, 6, 5))},
        # a veto family is not chosen from by default
        **{"rules-veto0.1+model l2=1 t=0.9": ((85, 4, 15), (85, 4, 15), (40, 2, 10))},
    )
    assert cv.choose(pool) is None
    assert cv.choose(pool, "rules-veto") == "rules-veto0.1+model l2=1 t=0.9"
    # where no candidate of a family meets the criterion: the one with the fewest errors
    assert cv.best_of(pool, "rules+model") == "rules+model l2=1 t=0.5"


def test_pooled_sums_the_folds_of_each_role() -> None:
    folds = [
        {"wave": w, "role": role, "n": 10, "rules": {"tp": 3, "fp": 1, "fn": 2}}
        for w in (4, 5)
        for role in ROLES
    ]
    pool = cv.pooled({"folds": folds})
    m = pool["rules"]["ml_engineer"]
    assert (m["tp"], m["fp"], m["fn"]) == (6, 2, 4)
    assert math.isclose(m["precision"], 0.75) and math.isclose(m["recall"], 0.6)


def test_masking_keeps_offsets() -> None:
    import re

    masked = cv._masked(re.compile("our data scientists"), "with our data scientists, hiring")
    assert len(masked) == len("with our data scientists, hiring")
    assert "scientists" not in masked and masked.endswith(", hiring")
    assert cv._masked(None, "unchanged") == "unchanged"


def test_folds_train_only_on_waves_before_the_wave_they_score() -> None:
    from eval.sample import HELDOUT_WAVES

    for wave, _commit, train in cv.FOLDS:
        assert max(train) < wave
        assert not set(train) & set(HELDOUT_WAVES) and wave not in HELDOUT_WAVES
