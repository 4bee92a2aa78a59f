"""Precision, recall, F1 with 95% intervals, and Cohen's kappa (pure functions, no data access)."""

from __future__ import annotations

import math

import numpy as np

Z95 = 1.959963984540054


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of the proportion k / n (nan, nan when n = 0)."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return (max(0.0, centre - half), min(1.0, centre + half))


def prf(truth: np.ndarray, pred: np.ndarray, boot: int = 1000, seed: int = 7) -> dict:
    """Counts, precision and recall with Wilson intervals, F1 with a bootstrap interval over items."""
    truth, pred = np.asarray(truth, bool), np.asarray(pred, bool)
    tp = int((truth & pred).sum())
    fp = int((~truth & pred).sum())
    fn = int((truth & ~pred).sum())
    p = tp / (tp + fp) if tp + fp else math.nan
    r = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    rng = np.random.default_rng(seed)
    n = len(truth)
    f1s = []
    if n and tp + fp + fn:
        idx = rng.integers(0, n, size=(boot, n))
        t, q = truth[idx], pred[idx]
        btp = (t & q).sum(1)
        bfp = (~t & q).sum(1)
        bfn = (t & ~q).sum(1)
        den = 2 * btp + bfp + bfn
        f1s = np.where(den > 0, 2 * btp / np.maximum(den, 1), np.nan)
    f1_lo, f1_hi = (
        (float(np.nanpercentile(f1s, 2.5)), float(np.nanpercentile(f1s, 97.5)))
        if len(f1s)
        else (math.nan, math.nan)
    )
    return {
        "n": n,
        "positives": tp + fn,
        "tp": tp,
        "fp": fp,
        "fn": fn,
        "precision": p,
        "precision_95": wilson(tp, tp + fp),
        "recall": r,
        "recall_95": wilson(tp, tp + fn),
        "f1": f1,
        "f1_95": (f1_lo, f1_hi),
    }


def micro_prf(truth: list[set], pred: list[set]) -> dict:
    """Micro precision / recall / F1 over sets of items (e.g. (role, skill) pairs per posting)."""
    tp = sum(len(t & p) for t, p in zip(truth, pred, strict=True))
    fp = sum(len(p - t) for t, p in zip(truth, pred, strict=True))
    fn = sum(len(t - p) for t, p in zip(truth, pred, strict=True))
    p = tp / (tp + fp) if tp + fp else math.nan
    r = tp / (tp + fn) if tp + fn else math.nan
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else math.nan
    return {"tp": tp, "fp": fp, "fn": fn, "precision": p, "recall": r, "f1": f1}


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two raters' binary labels of the same items."""
    a, b = np.asarray(a, bool), np.asarray(b, bool)
    n = len(a)
    if n == 0:
        return math.nan
    po = float((a == b).mean())
    pa, pb = a.mean(), b.mean()
    pe = float(pa * pb + (1 - pa) * (1 - pb))
    return math.nan if pe == 1 else (po - pe) / (1 - pe)
