"""Pure statistics for the views (no Streamlit): percentiles from grouped values, sample-size labels,
a bootstrap interval for the gap between two medians.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd

from dashboard.memo import by_content
from etl.vocab import (
    BOOTSTRAP_RESAMPLES,
    BOOTSTRAP_SEED,
    HIGH_N,
    INTERVAL_LEVEL,
    LOW_N,
    MIN_N,
    POISSON_BOOTSTRAP_MIN_N,
)

__all__ = ["HIGH_N", "LOW_N", "MIN_N", "confidence", "median_gap", "summary", "weighted_quantiles"]
PERCENTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
PCT_COLS = ("p10", "p25", "median", "p75", "p90")


def _key(value: object) -> object:
    return int(value) if isinstance(value, int | np.integer) else str(value)


def nested_sums(rows: pd.DataFrame, outer: list[str], inner: str, value: str) -> dict:
    """{outer key: {inner key: sum of `value`}} over the rows (the small per-year tables the
    views read: a loop beats a groupby there). Keys are plain ints and strings; with several
    outer columns the outer key is their tuple."""
    out: dict = {}
    columns = [rows[c].to_numpy() for c in (*outer, inner, value)]
    for *o, i, v in zip(*columns, strict=True):
        key = tuple(_key(x) for x in o) if len(outer) > 1 else _key(o[0])
        at = out.setdefault(key, {})
        at[_key(i)] = at.get(_key(i), 0) + int(v)
    return out


def confidence(n: int) -> str:
    if n < MIN_N:
        return "too few responses"
    if n < LOW_N:
        return "low"
    if n < HIGH_N:
        return "medium"
    return "high"


def weighted_quantiles(
    values: np.ndarray, counts: np.ndarray, qs: tuple[float, ...] = PERCENTILES
) -> np.ndarray:
    """Quantiles of the sample where values[i] occurs counts[i] times; linear interpolation between
    order statistics, identical to numpy.quantile on the expanded sample."""
    order = np.argsort(values, kind="stable")
    v = np.asarray(values, dtype="float64")[order]
    c = np.asarray(counts, dtype="int64")[order]
    n = int(c.sum())
    if n == 0:
        return np.full(len(qs), np.nan)
    ends = np.cumsum(c)  # the 0-based order statistic k sits at the first i with ends[i] > k
    out = []
    for q in qs:
        pos = q * (n - 1)
        lo, hi = int(np.floor(pos)), int(np.ceil(pos))
        vlo = v[np.searchsorted(ends, lo, side="right")]
        vhi = v[np.searchsorted(ends, hi, side="right")]
        out.append(vlo + (vhi - vlo) * (pos - lo))
    return np.array(out)


def groups(frame: pd.DataFrame, column: str) -> list[tuple[object, np.ndarray]]:
    """(value, row positions) of each value of `column` in order of first appearance, blanks
    left out (groupby(sort=False) without its cost on a few thousand rows)."""
    codes, names = pd.factorize(frame[column].to_numpy(dtype=object))
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(names) + 1))
    return [(names[i], order[bounds[i] : bounds[i + 1]]) for i in range(len(names))]


def summary(
    grouped: pd.DataFrame, group_col: str = "role", value_col: str = "value", count_col: str = "n"
) -> pd.DataFrame:
    """Per group: n, confidence and P10..P90, with statistics blank where n < MIN_N."""
    rows = []
    values, counts = grouped[value_col].to_numpy(), grouped[count_col].to_numpy()
    for g, at in groups(grouped, group_col):
        n = int(counts[at].sum())
        rec = {group_col: g, "n": n, "confidence": confidence(n)}
        qs = weighted_quantiles(values[at], counts[at])
        for name, val in zip(PCT_COLS, qs, strict=True):
            rec[name] = float(val) if n >= MIN_N else np.nan
        rows.append(rec)
    return pd.DataFrame(rows, columns=[group_col, "n", "confidence", *PCT_COLS])


def _bootstrap_medians(
    values: np.ndarray, counts: np.ndarray, b: int, rng: np.random.Generator
) -> np.ndarray:
    """`b` bootstrap medians of the sample where values[i] occurs counts[i] times."""
    # NOTE: a resample's median is the mean of its order statistics lo_k and hi_k (0-based), and
    # a resample of n observations is F^-1 of n uniforms (F the sample's distribution), so only
    # those one or two order statistics of n uniforms need drawing: U_(lo_k+1) ~ Beta(lo_k + 1,
    # n - lo_k), and the next one is U_(lo_k+1) plus (1 - U_(lo_k+1)) times the least of the
    # n - lo_k - 1 uniforms above it, a Beta(1, n - lo_k - 1). The exact bootstrap distribution of
    # the median, at a cost of 2b random numbers whatever n (a multinomial draw per resample cost
    # b x distinct values binomial draws).
    order = np.argsort(values, kind="stable")
    v, c = np.asarray(values, dtype="float64")[order], np.asarray(counts, dtype="int64")[order]
    n = int(c.sum())
    ends = np.cumsum(c)
    lo_k, hi_k = (n - 1) // 2, n // 2
    u_lo = rng.beta(lo_k + 1, n - lo_k, size=b)
    u_hi = u_lo + (1 - u_lo) * rng.beta(1, n - lo_k - 1, size=b) if hi_k > lo_k else u_lo
    # F^-1(u): the first value whose cumulative count reaches u * n
    at_lo = np.minimum(np.searchsorted(ends, u_lo * n, side="left"), len(v) - 1)
    at_hi = np.minimum(np.searchsorted(ends, u_hi * n, side="left"), len(v) - 1)
    return (v[at_lo] + v[at_hi]) / 2


@by_content
def median_interval(
    values: np.ndarray,
    counts: np.ndarray,
    n_boot: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = INTERVAL_LEVEL,
) -> dict[str, float]:
    """median, low, high: a sample's median with its percentile-bootstrap interval (NaN below MIN_N)."""
    if int(np.sum(counts)) < MIN_N:
        return {"median": np.nan, "low": np.nan, "high": np.nan}
    boot = _bootstrap_medians(
        np.asarray(values), np.asarray(counts), n_boot, np.random.default_rng(seed)
    )
    alpha = (1 - level) / 2
    low, high = np.quantile(boot, [alpha, 1 - alpha])
    med = weighted_quantiles(values, counts, (0.5,))[0]
    return {"median": float(med), "low": float(low), "high": float(high)}


@by_content
def median_gap(
    a_values: np.ndarray,
    a_counts: np.ndarray,
    b_values: np.ndarray,
    b_counts: np.ndarray,
    n_boot: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = INTERVAL_LEVEL,
) -> dict[str, float]:
    """Median(a) - median(b) with a percentile-bootstrap interval (independent resampling of a and b)."""
    na, nb = int(np.sum(a_counts)), int(np.sum(b_counts))
    if na < MIN_N or nb < MIN_N:
        return {"gap": np.nan, "low": np.nan, "high": np.nan, "n_a": na, "n_b": nb}
    rng = np.random.default_rng(seed)
    ma = weighted_quantiles(a_values, a_counts, (0.5,))[0]
    mb = weighted_quantiles(b_values, b_counts, (0.5,))[0]
    diffs = _bootstrap_medians(
        np.asarray(a_values), np.asarray(a_counts), n_boot, rng
    ) - _bootstrap_medians(np.asarray(b_values), np.asarray(b_counts), n_boot, rng)
    alpha = (1 - level) / 2
    low, high = np.quantile(diffs, [alpha, 1 - alpha])
    return {"gap": float(ma - mb), "low": float(low), "high": float(high), "n_a": na, "n_b": nb}


# --- like-for-like gap -------------------------------------------------------------------------
_BOOT_CHUNK = 250  # fixed-n resamples drawn at once: bounds memory at chunk x categories floats
_BOOT_DRAWS = 1_000_000  # Poisson counts drawn at once (resamples x categories): the same
# values beyond this many standard errors of the median's rank, and this many distinct values
# past that band, are pooled per cell: (fixed-n draws, Poisson draws). The Poisson draws cost per
# category, so their band is narrower (no resample fell outside it in 58 like-for-like gaps over
# 80 filter combinations of x10 and base; one that does makes every resample be drawn unpooled)
_POOL = {False: (10, 5), True: (5, 1)}
# the two roles' Poisson resamples are drawn and weighed on two threads: numpy's draws, cumsums
# and reductions release the GIL, so a rerun uses a second core where one is free
_ROLE_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="bootstrap")


def _pool_tails(
    v: np.ndarray, cell: np.ndarray, n: np.ndarray, lo: float, hi: float, cells: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(values, cells, counts) with each cell's values below `lo` merged into one category of
    value -inf and those above `hi` into one of value +inf (sorted by value still)."""
    low, high = v < lo, v > hi
    mid = ~low & ~high
    lows = np.bincount(cell[low], weights=n[low], minlength=cells)
    highs = np.bincount(cell[high], weights=n[high], minlength=cells)
    kl, kh = np.flatnonzero(lows > 0), np.flatnonzero(highs > 0)
    return (
        np.concatenate([np.full(len(kl), -np.inf), v[mid], np.full(len(kh), np.inf)]),
        np.concatenate([kl, cell[mid], kh]).astype("int64"),
        np.concatenate([lows[kl], n[mid], highs[kh]]).astype("int64"),
    )


def _weighted_medians(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Row-wise weighted median of `values` (sorted ascending) under each row of `weights`: the
    first value where the cumulative weight reaches half of the row's total."""
    cum = np.cumsum(weights, axis=1)
    half = cum[:, -1:] / 2
    return values[np.minimum((cum < half).sum(axis=1), len(values) - 1)]


def _cell_totals(draws: np.ndarray, cell: np.ndarray, cells: int) -> np.ndarray:
    """Responses per cell, per row of `draws` (counts per category; category k in cell[k])."""
    order = np.argsort(cell, kind="stable")
    starts = np.searchsorted(cell[order], np.arange(cells))
    return np.add.reduceat(draws[:, order], starts, axis=1)


def _cell_weights(
    draws: np.ndarray, cell: np.ndarray, totals: np.ndarray, ref: np.ndarray
) -> np.ndarray:
    """Weights that give a role's responses the reference mix: a response in cell c weighs
    ref[c] / (the role's share of its responses in c), per row of `draws` (counts per category)."""
    share = totals / totals.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        per_cell = np.where(share > 0, ref / share, 0.0)
    return draws * per_cell[:, cell]


def _pool_band(
    v: np.ndarray, weight: np.ndarray, counts: np.ndarray, sd: float, steps: int
) -> tuple[float, float]:
    """(lo, hi): the values within `sd` standard errors of the weighted median's rank
    (values sorted ascending; `weight` per category, the counts times each response's weight),
    widened by `steps` distinct values on each side."""
    per_response = np.divide(weight, counts, out=np.zeros_like(weight), where=counts > 0)
    n_eff = weight.sum() ** 2 / max(float((per_response * weight).sum()), 1e-12)
    half = sd * 0.5 / np.sqrt(max(n_eff, 1.0))
    cum = np.cumsum(weight) / weight.sum()
    i_lo = int(np.searchsorted(cum, max(0.5 - half, 0.0)))
    i_hi = int(np.searchsorted(cum, min(0.5 + half, 1.0)))
    distinct = np.unique(v)
    j_lo = max(int(np.searchsorted(distinct, v[min(i_lo, len(v) - 1)])) - steps, 0)
    j_hi = min(int(np.searchsorted(distinct, v[min(i_hi, len(v) - 1)])) + steps, len(distinct) - 1)
    return float(distinct[j_lo]), float(distinct[j_hi])


@by_content
def reweighted_median_gap(
    cells: pd.DataFrame,
    a: str = "ml_engineer",
    b: str = "data_scientist",
    n_boot: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
    level: float = INTERVAL_LEVEL,
) -> dict:
    """Median(a) - median(b) after giving both roles one mix of cells (`cells`: role, cell,
    value, n): the pooled mix of both roles' responses over the cells where both have responses
    (responses in other cells are left out and counted). Each role's median is weighted so its
    responses take the reference mix (inverse of its own share per cell). The interval is a
    percentile bootstrap: each role's responses resampled on their own, the mix and the weights
    recomputed in every resample. Returns gap, low, high, each role's reweighted and raw median,
    n on the common cells and n left out."""
    out = {"gap": np.nan, "low": np.nan, "high": np.nan}
    # cells by integer code (the rows are per salary value: thousands of them)
    codes, names = pd.factorize(cells["cell"].to_numpy(dtype=object))
    role = cells["role"].to_numpy(dtype=object)
    n_all = cells["n"].to_numpy("int64")
    mine = {r: role == r for r in (a, b)}
    present = [np.bincount(codes[m], minlength=len(names)) > 0 for m in mine.values()]
    common = present[0] & present[1]
    for r, m in mine.items():
        out[f"n_{r}"] = int(n_all[m & common[codes]].sum())
        out[f"left_out_{r}"] = int(n_all[m].sum()) - out[f"n_{r}"]
    if min(out[f"n_{a}"], out[f"n_{b}"]) < MIN_N:
        return out
    # the common cells numbered in name order
    kept = np.flatnonzero(common)
    number = np.full(len(names), -1, dtype="int64")
    number[kept[np.argsort(names[kept].astype(str), kind="stable")]] = np.arange(len(kept))
    index = range(len(kept))
    values = cells["value"].to_numpy("float64")
    prepared = {}
    for r, m in mine.items():
        at = np.flatnonzero(m & common[codes])
        at = at[np.argsort(values[at], kind="stable")]
        prepared[r] = (values[at], number[codes[at]], n_all[at])

    poisson = min(out[f"n_{a}"], out[f"n_{b}"]) >= POISSON_BOOTSTRAP_MIN_N
    # below POISSON_BOOTSTRAP_MIN_N one generator draws a's resamples then b's, in that order;
    # from it each role has its own (spawned from the seed), so its draws do not depend on which
    # thread runs first
    rng = np.random.default_rng(seed)
    spawned = np.random.SeedSequence(seed).spawn(2)
    rngs = {r: np.random.default_rng(q) for r, q in zip((a, b), spawned, strict=True)}

    def per_role(fn: Callable[[str], np.ndarray], roles) -> dict[str, np.ndarray]:
        if poisson:
            return dict(zip(roles, _ROLE_THREADS.map(fn, roles), strict=True))
        return {r: fn(r) for r in roles}

    def draw(r: str, c: np.ndarray, size: int) -> np.ndarray:
        # NOTE: from POISSON_BOOTSTRAP_MIN_N responses a side, the Poisson bootstrap: each
        # category's count in a resample is an independent Poisson(its count) draw, in place of a
        # multinomial draw of the role's n over its categories (whose binomial draws are ~1.8x
        # slower and took ~3/4 of the time). The resample's size varies around n by ~sqrt(n); the
        # mix and the weights are recomputed from each resample's own counts, so only the shares
        # enter, and at such n it equals the fixed-n bootstrap to within Monte Carlo error
        # (Hanley and MacGibbon 2006); on a few dozen responses its intervals come out wider.
        if poisson:
            return rngs[r].poisson(c, size=(size, len(c))).astype("float64")
        return rng.multinomial(int(c.sum()), c / c.sum(), size=size).astype("float64")

    def resample(cats: dict[str, tuple], n: int) -> np.ndarray:
        diffs = []
        chunk = (
            _BOOT_CHUNK if not poisson else _BOOT_DRAWS // max(len(c) for _, _, c in cats.values())
        )
        chunk = max(1, min(n, chunk))
        for start in range(0, n, chunk):
            size = min(chunk, n - start)
            draws = per_role(lambda r, cats=cats, size=size: draw(r, cats[r][2], size), cats)
            m = medians_of(cats, draws)
            diffs.append(m[a] - m[b])
        return np.concatenate(diffs)

    def weights_of(
        cats: dict[str, tuple], draws: dict[str, np.ndarray], then: Callable | None = None
    ) -> dict[str, np.ndarray]:
        """Each role's weights per row of its draws (`then` applied to them, on the role's
        thread)."""
        totals = per_role(lambda r: _cell_totals(draws[r], cats[r][1], len(index)), draws)
        ref = (totals[a] + totals[b]) / (totals[a] + totals[b]).sum(axis=1, keepdims=True)

        def weigh(r: str) -> np.ndarray:
            w = _cell_weights(draws[r], cats[r][1], totals[r], ref)
            return then(r, w) if then else w

        return per_role(weigh, draws)

    def medians_of(cats: dict[str, tuple], draws: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        return weights_of(cats, draws, lambda r, w: _weighted_medians(cats[r][0], w))

    counts = {r: p[2][None, :].astype("float64") for r, p in prepared.items()}
    point_weights = weights_of(prepared, counts)
    point = {r: _weighted_medians(prepared[r][0], w) for r, w in point_weights.items()}
    # NOTE: speed, exactness kept: a resampled median's rank in the reweighted distribution varies
    # by about 0.5 / sqrt(n_eff) (Kish's effective n of the weights); values more than _POOL's
    # number of those from the median (and its number of distinct values further) are pooled, per cell,
    # into one category below and one above (their mass and cell kept, their value +-inf). A
    # resampled median that still lands on a pooled category would show as infinite: then every
    # resample is drawn again without pooling. The ~9,000 categories of the whole survey shrink
    # to a few hundred.
    pooled = {}
    for r, (v, cell, c) in prepared.items():
        lo, hi = _pool_band(v, point_weights[r][0], c, *_POOL[poisson])
        pooled[r] = _pool_tails(v, cell, c, lo, hi, len(index))
    diffs = [resample(pooled, n_boot)]
    if not np.isfinite(diffs[0]).all():
        diffs = [resample(prepared, n_boot)]
    alpha = (1 - level) / 2
    low, high = np.quantile(np.concatenate(diffs), [alpha, 1 - alpha])
    for r, (v, _, n) in prepared.items():
        out[f"median_{r}"] = float(point[r][0])
        out[f"raw_median_{r}"] = float(weighted_quantiles(v, n, (0.5,))[0])
    out.update(gap=float(point[a][0] - point[b][0]), low=float(low), high=float(high))
    out["cells"] = len(index)
    return out
