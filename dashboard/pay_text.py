"""Pay figures in words, shared by the Pay view and the Overview (no Streamlit)."""

from __future__ import annotations

import pandas as pd

from dashboard import metrics
from etl import vocab


def usd(x: float) -> str:
    return "—" if pd.isna(x) else f"${x:,.0f}"


def gap_text(x: float) -> str:
    return f"{'+' if x >= 0 else '−'}${abs(x):,.0f}"


def like_for_like_sentence(lfl: dict) -> str:
    """The like-for-like gap's interval, mix and n in words (metrics.reweighted_median_gap)."""
    a, b = vocab.COMPARED_ROLES
    n = min(lfl[f"n_{a}"], lfl[f"n_{b}"])
    left = lfl[f"left_out_{a}"] + lfl[f"left_out_{b}"]
    dims = " x ".join(d.replace("_", " ") for d in vocab.MIX_DIMENSIONS)
    return (
        f"Like for like: {vocab.INTERVAL_LEVEL:.0%} bootstrap interval {usd(lfl['low'])} to "
        f"{usd(lfl['high'])}; both roles given one mix of {dims} ({lfl['cells']} cells both roles have); "
        f"n = {lfl[f'n_{a}']:,} ML engineers, {lfl[f'n_{b}']:,} data scientists"
        + (f"; {left:,} responses in cells only one role has are left out" if left else "")
        + (
            f" · low confidence: fewer than {metrics.LOW_N} responses on one side"
            if n < metrics.LOW_N
            else ""
        )
    )
