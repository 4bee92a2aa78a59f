"""Pure statistics for the views (no Streamlit): percentiles from grouped values, sample-size labels,
a bootstrap interval for the gap between two medians.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from etl.vocab import BOOTSTRAP_RESAMPLES, BOOTSTRAP_SEED, HIGH_N, INTERVAL_LEVEL, LOW_N, MIN_N

__all__ = ["HIGH_N", "LOW_N", "MIN_N", "confidence", "median_gap", "summary", "weighted_quantiles"]
PERCENTILES = (0.10, 0.25, 0.50, 0.75, 0.90)
PCT_COLS = ("p10", "p25", "median", "p75", "p90")


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


def summary(
    grouped: pd.DataFrame, group_col: str = "role", value_col: str = "value", count_col: str = "n"
) -> pd.DataFrame:
    """Per group: n, confidence and P10..P90, with statistics blank where n < MIN_N."""
    rows = []
    for g, part in grouped.groupby(group_col, sort=False):
        n = int(part[count_col].sum())
        rec = {group_col: g, "n": n, "confidence": confidence(n)}
        qs = weighted_quantiles(part[value_col].to_numpy(), part[count_col].to_numpy())
        for name, val in zip(PCT_COLS, qs, strict=True):
            rec[name] = float(val) if n >= MIN_N else np.nan
        rows.append(rec)
    return pd.DataFrame(rows, columns=[group_col, "n", "confidence", *PCT_COLS])


def _bootstrap_medians(
    values: np.ndarray, counts: np.ndarray, b: int, rng: np.random.Generator
) -> np.ndarray:
    # NOTE: resampling n observations with replacement is a multinomial draw over them; tied values
    # can be pooled, so this is the exact bootstrap at the cost of the distinct values only.
    # Values far from the median are pooled too: all values whose cumulative share is below
    # 0.5 - 6 standard errors (or above 0.5 + 6 se) become one category each side. A bootstrap
    # median lands there with probability below 1e-8, so the interval is unchanged, and a
    # 12,000-response slice costs ~100 categories instead of ~2,000.
    order = np.argsort(values)
    v, c = values[order].astype("float64"), counts[order].astype("int64")
    n = int(c.sum())
    cum = np.cumsum(c) / n
    start = cum - c / n
    delta = min(0.5, 6 * np.sqrt(0.25 / n))
    low, high = cum < 0.5 - delta, start > 0.5 + delta
    keep = ~low & ~high
    pv = np.concatenate([v[low][-1:], v[keep], v[high][:1]])
    pc = np.concatenate(
        [[c[low].sum()] if low.any() else [], c[keep], [c[high].sum()] if high.any() else []]
    )
    pc = pc.astype("int64")
    draws = rng.multinomial(n, pc / n, size=b)  # b x categories
    csum = np.cumsum(draws, axis=1)
    lo_k, hi_k = (n - 1) // 2, n // 2  # 0-based order statistics whose mean is the median
    lo = pv[(csum <= lo_k).sum(axis=1)]
    hi = pv[(csum <= hi_k).sum(axis=1)]
    return (lo + hi) / 2


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
