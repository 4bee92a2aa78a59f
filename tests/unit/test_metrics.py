from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard import memo, metrics
from etl.vocab import MIN_N, POISSON_BOOTSTRAP_MIN_N


def test_weighted_quantiles_equal_numpy_on_the_expanded_sample():
    values = np.array([100.0, 200.0, 300.0, 1000.0])
    counts = np.array([3, 1, 2, 1])
    expanded = np.repeat(values, counts)  # 100,100,100,200,300,300,1000
    got = metrics.weighted_quantiles(values, counts)
    np.testing.assert_allclose(got, np.quantile(expanded, metrics.PERCENTILES))
    # by hand: median is the 4th of 7 values = 200; P25 at position 1.5 -> 100
    assert got[2] == 200 and got[1] == 100


@pytest.mark.parametrize(
    ("n", "label"),
    [
        (0, "too few responses"),
        (9, "too few responses"),
        (10, "low"),
        (29, "low"),
        (30, "medium"),
        (99, "medium"),
        (100, "high"),
    ],
)
def test_confidence_thresholds(n, label):
    assert metrics.confidence(n) == label


def test_summary_hides_statistics_below_ten():
    grouped = pd.DataFrame(
        {"role": ["a"] * 9 + ["b"] * 10, "value": list(range(9)) + list(range(10)), "n": [1] * 19}
    )
    s = metrics.summary(grouped).set_index("role")
    assert np.isnan(s.loc["a", "median"]) and s.loc["a", "confidence"] == "too few responses"
    assert (
        s.loc["b", "median"] == 4.5 and s.loc["b", "n"] == 10 and s.loc["b", "confidence"] == "low"
    )


def test_median_gap_point_estimate_and_interval():
    a = np.arange(130_000, 160_000, 1000.0)  # 30 values, median 144,500
    b = np.arange(100_000, 140_000, 1000.0)  # 40 values, median 119,500
    g = metrics.median_gap(a, np.ones(30, int), b, np.ones(40, int), n_boot=2000)
    assert g["gap"] == 25_000
    assert g["low"] < 25_000 < g["high"]
    assert 10_000 < g["low"] and g["high"] < 40_000  # the samples barely overlap
    assert (g["n_a"], g["n_b"]) == (30, 40)


def test_median_gap_is_reproducible_and_refuses_small_samples():
    a, b = np.arange(50.0), np.arange(40.0)
    g1 = metrics.median_gap(a, np.ones(50, int), b, np.ones(40, int))
    g2 = metrics.median_gap(a, np.ones(50, int), b, np.ones(40, int))
    assert g1 == g2
    g = metrics.median_gap(a[:9], np.ones(9, int), b, np.ones(40, int))
    assert np.isnan(g["gap"]) and g["n_a"] == 9


def test_pooled_bootstrap_matches_plain_resampling():
    # the multinomial shortcut must give the same distribution as resampling observations
    rng = np.random.default_rng(1)
    values = np.array([10.0, 20.0, 30.0, 40.0])
    counts = np.array([5, 3, 7, 5])
    pooled = metrics._bootstrap_medians(values, counts, 20000, rng)
    expanded = np.repeat(values, counts)
    plain = np.median(rng.choice(expanded, size=(20000, len(expanded))), axis=1)
    for q in (0.05, 0.5, 0.95):
        assert abs(np.quantile(pooled, q) - np.quantile(plain, q)) <= 5
    assert abs(pooled.mean() - plain.mean()) < 0.5


def test_tail_pooling_keeps_the_bootstrap_distribution_on_a_large_sample():
    # 3,000 responses over ~900 distinct values: far-from-median values are pooled, the
    # bootstrap medians must still match plain resampling of the observations
    rng = np.random.default_rng(7)
    obs = np.round(rng.lognormal(11.8, 0.4, 3000), -3)
    values, counts = np.unique(obs, return_counts=True)
    pooled = metrics._bootstrap_medians(values, counts, 4000, np.random.default_rng(1))
    plain = np.median(np.random.default_rng(2).choice(obs, size=(4000, len(obs))), axis=1)
    for q in (0.025, 0.5, 0.975):
        assert abs(np.quantile(pooled, q) - np.quantile(plain, q)) <= 1000  # one rounding step
    assert pooled.min() >= np.quantile(obs, 0.4) and pooled.max() <= np.quantile(obs, 0.6)


def _cells(rows: list[tuple[str, str, float, int]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["role", "cell", "value", "n"])


def test_like_for_like_gap_removes_a_gap_made_by_the_mix():
    """Seniors earn 200k and juniors 100k in both roles; ML engineers are 80% senior, data
    scientists 20%. The raw medians differ by 100k, the reweighted ones not at all."""
    cells = _cells(
        [
            ("ml_engineer", "senior", 200_000, 80),
            ("ml_engineer", "junior", 100_000, 20),
            ("data_scientist", "senior", 200_000, 20),
            ("data_scientist", "junior", 100_000, 80),
        ]
    )
    out = metrics.reweighted_median_gap(cells, n_boot=200)
    assert out["raw_median_ml_engineer"] - out["raw_median_data_scientist"] == 100_000
    assert out["gap"] == 0
    assert out["low"] <= 0 <= out["high"]
    assert (out["n_ml_engineer"], out["n_data_scientist"], out["cells"]) == (100, 100, 2)


def test_like_for_like_gap_keeps_a_gap_within_cells_and_drops_unshared_cells():
    """Within each shared cell ML pays 10k more; a cell only data scientists have is left out."""
    cells = _cells(
        [
            ("ml_engineer", "a", 110_000, 30),
            ("ml_engineer", "b", 160_000, 30),
            ("data_scientist", "a", 100_000, 30),
            ("data_scientist", "b", 150_000, 30),
            ("data_scientist", "c", 500_000, 12),
        ]
    )
    out = metrics.reweighted_median_gap(cells, n_boot=200)
    assert out["left_out_data_scientist"] == 12 and out["left_out_ml_engineer"] == 0
    # both roles 50/50 over a and b: the weighted median is the lower cell's value
    assert (out["median_ml_engineer"], out["median_data_scientist"]) == (110_000, 100_000)
    assert out["gap"] == 10_000


def test_like_for_like_gap_hidden_below_min_n():
    cells = _cells([("ml_engineer", "a", 1.0, MIN_N - 1), ("data_scientist", "a", 1.0, 50)])
    out = metrics.reweighted_median_gap(cells)
    assert np.isnan(out["gap"]) and out["n_ml_engineer"] == MIN_N - 1


def test_by_content_keeps_a_result_per_content_and_hands_out_copies(monkeypatch):
    calls = []

    @memo.by_content
    def stat(values, counts, seed=1):
        calls.append(1)
        return {"sum": float((values * counts).sum()), "seed": seed}

    v, c = np.array([1.0, 2.0, 3.0]), np.array([1, 2, 3])
    first = stat(v, c)
    first["sum"] = -1.0  # the caller's copy: the kept result is unchanged
    again = stat(v.copy(), c.copy())  # other arrays, same content: no recomputation
    assert again == {"sum": 14.0, "seed": 1} and len(calls) == 1
    assert stat(v, c, seed=2)["seed"] == 2 and len(calls) == 2  # another argument
    assert stat(v, c + 1)["sum"] == 20.0 and len(calls) == 3  # another content
    frame = pd.DataFrame({"v": v, "n": c})

    @memo.by_content
    def rows(df):
        calls.append(1)
        return df.assign(w=df["v"] * df["n"])

    out = rows(frame)
    out["w"] = 0.0  # a returned frame is a copy too
    assert rows(frame.copy())["w"].tolist() == [1.0, 4.0, 9.0] and len(calls) == 4
    monkeypatch.setattr(memo._results, "size", 2)  # memo.RESULTS_KEPT, the store's bound
    for k in range(5):  # the store is bounded: the oldest results go first
        stat(v, c, seed=10 + k)
    assert len(memo._results) <= 2


def test_the_bootstrap_interval_kept_by_content_equals_a_fresh_one():
    rng = np.random.default_rng(3)
    values = rng.normal(100_000, 20_000, 400).round(-3)
    counts = rng.integers(1, 4, 400)
    kept = metrics.median_interval(values, counts)
    fresh = metrics.median_interval.__wrapped__(values, counts)
    assert kept == fresh


def test_by_content_tells_text_columns_apart_by_value():
    calls = []

    @memo.by_content
    def joined(df):
        calls.append(1)
        return "|".join(str(x) for x in df["s"])

    base = pd.DataFrame({"s": ["a", None], "n": [1, 2]})
    missing = joined(base)  # pandas' text columns hold a missing value as NaN
    assert joined(base.copy()) == missing and len(calls) == 1
    # the texts 'None' and 'nan' are not a missing value; another text is another content
    assert joined(pd.DataFrame({"s": ["a", "None"], "n": [1, 2]})) == "a|None" and len(calls) == 2
    assert joined(pd.DataFrame({"s": ["a", "nan"], "n": [1, 2]})) == "a|nan" and len(calls) == 3
    assert joined(pd.DataFrame({"s": ["b", None], "n": [1, 2]})).startswith("b|")
    assert len(calls) == 4


def test_bootstrap_medians_follow_the_exact_bootstrap_distribution():
    """n = 21 responses over 4 values: a resample's median is its 11th order statistic, at or
    below value j with probability P(Binomial(21, F_j) >= 11), F_j the share at or below it."""
    values, counts = np.array([10.0, 20.0, 30.0, 40.0]), np.array([5, 3, 7, 6])
    n, draws = 21, 40_000
    boot = metrics._bootstrap_medians(values, counts, draws, np.random.default_rng(4))
    assert set(np.unique(boot)) <= set(values)
    for j, v in enumerate(values[:-1]):
        f = counts[: j + 1].sum() / n
        exact = sum(math.comb(n, k) * f**k * (1 - f) ** (n - k) for k in range(11, n + 1))
        assert abs((boot <= v).mean() - exact) < 4 * math.sqrt(exact * (1 - exact) / draws) + 1e-3


def _reweighted_median(values, cells, weights_of_cell):
    order = np.argsort(values, kind="stable")
    w = weights_of_cell[cells[order]]
    cum = np.cumsum(w)
    return values[order][np.searchsorted(cum, cum[-1] / 2)]


@pytest.mark.parametrize("n", [400, POISSON_BOOTSTRAP_MIN_N + 200])
def test_like_for_like_interval_matches_plain_multinomial_resampling(n):
    """The resampling of the like-for-like gap (fixed n below POISSON_BOOTSTRAP_MIN_N, Poisson
    draws from it) gives the interval that resampling each role's responses gives, computed here
    the slow obvious way, to within Monte Carlo error."""
    rng = np.random.default_rng(8)
    rows, obs = [], {}
    for role, shift, mix in (
        ("ml_engineer", 1.15, (0.6, 0.3, 0.1)),
        ("data_scientist", 1.0, (0.2, 0.3, 0.5)),
    ):
        cells = rng.choice(3, size=n, p=mix)
        vals = np.round(100_000 * shift * (1 + 0.4 * cells) * rng.lognormal(0, 0.25, n), -2)
        obs[role] = (vals, cells)
        for (c, v), k in pd.Series(list(zip(cells, vals, strict=True))).value_counts().items():
            rows.append((role, f"cell {c}", v, int(k)))
    out = metrics.reweighted_median_gap(_cells(rows))
    plain = []
    for _ in range(2000):
        med, totals = {}, {}
        picks = {r: rng.integers(0, n, n) for r in obs}
        for r, (_, c) in obs.items():
            totals[r] = np.bincount(c[picks[r]], minlength=3)
        ref = (totals["ml_engineer"] + totals["data_scientist"]) / (2 * n)
        for r, (v, c) in obs.items():
            share = totals[r] / n
            med[r] = _reweighted_median(
                v[picks[r]], c[picks[r]], np.where(share > 0, ref / share, 0)
            )
        plain.append(med["ml_engineer"] - med["data_scientist"])
    low, high = np.quantile(plain, [0.025, 0.975])
    width = high - low
    assert abs(out["low"] - low) < 0.1 * width and abs(out["high"] - high) < 0.1 * width


def test_like_for_like_poisson_draws_do_not_depend_on_the_threads(monkeypatch):
    """From POISSON_BOOTSTRAP_MIN_N responses a side each role's resamples are drawn by its own
    generator on a thread of its own: the interval is the same as when the roles run one after
    the other on the calling thread, and the same on every call."""
    rng = np.random.default_rng(3)
    rows = []
    for role, shift in (("ml_engineer", 1.2), ("data_scientist", 1.0)):
        for cell in ("a", "b", "c"):
            for v in np.round(100_000 * shift * rng.lognormal(0, 0.3, 600), -3):
                rows.append((role, cell, float(v), int(rng.integers(1, 4))))
    cells = _cells(rows).groupby(["role", "cell", "value"], as_index=False)["n"].sum()
    assert cells.groupby("role")["n"].sum().min() >= POISSON_BOOTSTRAP_MIN_N
    gap = metrics.reweighted_median_gap.__wrapped__
    threaded = [gap(cells) for _ in range(3)]

    class OneThread:
        def map(self, fn, items):
            return map(fn, items)

    monkeypatch.setattr(metrics, "_ROLE_THREADS", OneThread())
    serial = gap(cells)
    for out in threaded:
        assert {k: out[k] for k in ("gap", "low", "high")} == {
            k: serial[k] for k in ("gap", "low", "high")
        }
    assert serial["low"] < serial["gap"] < serial["high"]
