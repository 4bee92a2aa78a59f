"""Pure Plotly figure builders (no Streamlit) and the fixed, colour-blind-safe role palette
(Okabe-Ito), the same in every view and readable on light and dark themes.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.memo import by_content
from etl.vocab import ROLE_LABELS, role_label

__all__ = ["ROLE_COLORS", "ROLE_LABELS", "role_label"]

ROLE_COLORS = {
    "data_scientist": "#0072B2",  # blue
    "ml_engineer": "#E69F00",  # orange
    "ai_engineer": "#009E73",  # bluish green
    "other": "#999999",
}
CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}
GRID_COLOR = ROLE_COLORS["other"]  # the neutral grey of reference lines and shading
BAND_OPACITY = 0.15  # a P10-P90 band drawn in its role's colour


def _rgba(hex_color: str, alpha: float) -> str:
    """'#RRGGBB' as a CSS rgba() colour with the given opacity."""
    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout dicts, without Plotly's per-property validation.

    NOTE: speed: building through graph_objects' validators cost 20-70 ms a chart, the largest
    part of every page rerun (bench/results.json); plotly's `_validate=False` keeps the specs as
    given. Validation moves into the tests: tests/unit/test_charts.py builds every chart with
    validation on, and the view tests read every rendered spec back with validation.

    The layout carries an empty template: Streamlit's theme (st.plotly_chart's default) styles
    the chart in the browser whatever Plotly template the spec names (the same pixels with and
    without it, checked on the Overview in Chromium), so plotly's default template, ~6 kB per
    chart copied and encoded on every rerun, is left out."""
    return go.Figure({"data": data, "layout": {"template": {}, **layout}}, _validate=False)


def _layout(title: str, x: str, y: str, **extra) -> dict:
    layout = {
        "title": {"text": title},
        "xaxis": {"title": {"text": x}},
        "yaxis": {"title": {"text": y}},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"l": 60, "r": 20, "t": 60, "b": 60},
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(layout.get(key), dict):
            layout[key] = {**layout[key], **value}
        else:
            layout[key] = value
    return layout


def _vline(x: float, dash: str | None = "dot", axes: tuple[str, str] = ("x", "y")) -> dict:
    """A vertical line across the plot at x (what fig.add_vline draws)."""
    line = {"color": GRID_COLOR, **({"dash": dash} if dash else {})}
    xref, yref = axes
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "xref": xref,
        "y0": 0,
        "y1": 1,
        "yref": f"{yref} domain",
        "line": line,
    }


def _hline(y: float) -> dict:
    """A horizontal dashed line across the plot at y (what fig.add_hline draws)."""
    return {
        "type": "line",
        "x0": 0,
        "x1": 1,
        "xref": "x domain",
        "y0": y,
        "y1": y,
        "yref": "y",
        "line": {"color": GRID_COLOR, "dash": "dash"},
    }


def _v(values) -> np.ndarray:
    """Column values for a trace, as an array (what graph_objects' validation stores; plotly's
    JSON writes NaN as null, which plotly.js leaves as a gap)."""
    return pd.Series(values).to_numpy()


def _custom(frame: pd.DataFrame) -> np.ndarray:
    """Rows of `frame` for a trace's customdata."""
    return frame.to_numpy()


# NOTE: speed: the Pay view's charts are kept per content of their input (memo.by_content), so a
# filter that leaves a chart's rows as they were (the BLS chart reads no filter but the dollars)
# does not rebuild it. The kept figure is shared by reruns and sessions: nothing changes a figure
# after it is built (st.plotly_chart serialises a copy).
@by_content
def salary_histogram(binned: pd.DataFrame, ns: dict[str, int], bin_usd: int) -> go.Figure:
    """binned: role, bin_start_usd, n (responses in the bin). Bars show the share of each role's
    responses so roles of different sizes compare."""
    data = []
    for role, part in binned.groupby("role", sort=False):
        total = ns.get(role, int(part["n"].sum()))
        data.append(
            {
                "type": "bar",
                "x": _v(part["bin_start_usd"] + bin_usd / 2),
                "y": _v(100 * part["n"] / total),
                "width": bin_usd,
                "name": f"{role_label(role)} (n={total:,})",
                "marker": {"color": ROLE_COLORS.get(role)},
                "opacity": 0.6,
                "customdata": _v(part["n"]),
                "hovertemplate": "%{x:$,.0f}: %{y:.1f}% of responses (%{customdata} responses)"
                f"<extra>{role_label(role)}</extra>",
            }
        )
    return figure(
        data,
        _layout(
            "Distribution of annual salary (USD) by role",
            "Annual salary (USD)",
            "Share of the role's responses (%)",
            barmode="overlay",
        ),
    )


@by_content
def percentile_bands(stats: pd.DataFrame) -> go.Figure:
    """stats: role, n, p10, p25, median, p75, p90 (NaN where n is too small)."""
    data = []
    for _, r in stats.iterrows():
        if pd.isna(r["median"]):
            continue
        name = f"{role_label(r['role'])} (n={int(r['n']):,})"
        color = ROLE_COLORS.get(r["role"])
        data.append(
            {
                "type": "box",
                "y": [name],
                "q1": [float(r["p25"])],
                "median": [float(r["median"])],
                "q3": [float(r["p75"])],
                "lowerfence": [float(r["p10"])],
                "upperfence": [float(r["p90"])],
                "orientation": "h",
                "name": name,
                "marker": {"color": color},
                "line": {"color": color},
                "fillcolor": color,
                "opacity": 0.7,
                "hoverinfo": "x",
            }
        )
    return figure(
        data,
        _layout(
            "Salary percentiles: whiskers P10-P90, box P25-P75, line = median",
            "Annual salary (USD)",
            "",
            showlegend=False,
        ),
    )


@by_content
def bls_wage_lines(oews: pd.DataFrame) -> go.Figure:
    """Median annual wage per year; Data Scientists solid with a P10-P90 band, proxies dashed."""
    data = []
    ds = oews[oews["soc_code"] == "15-2051"].sort_values("year")
    if len(ds):
        data.append(
            {
                "type": "scatter",
                "x": _v(ds["year"]),
                "y": _v(ds["wage_annual_p90_usd"]),
                "mode": "lines",
                "line": {"width": 0},
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": _v(ds["year"]),
                "y": _v(ds["wage_annual_p10_usd"]),
                "mode": "lines",
                "line": {"width": 0},
                "fill": "tonexty",
                "fillcolor": _rgba(ROLE_COLORS["data_scientist"], BAND_OPACITY),
                "name": "Data Scientists P10-P90",
                "hoverinfo": "skip",
            }
        )
    for soc, part in oews.sort_values("year").groupby("soc_code", sort=True):
        proxy = bool(part["is_proxy"].iloc[0])
        data.append(
            {
                "type": "scatter",
                "x": _v(part["year"]),
                "y": _v(part["wage_annual_median_usd"]),
                "mode": "lines+markers",
                "name": str(part["role_label"].iloc[0]),
                "line": {
                    "color": ROLE_COLORS["ml_engineer"] if proxy else ROLE_COLORS["data_scientist"],
                    "dash": ("dash" if soc == "15-1252" else "dot") if proxy else "solid",
                },
                "hovertemplate": "%{x}: median %{y:$,.0f}<extra>" + str(soc) + "</extra>",
            }
        )
    return figure(
        data,
        _layout(
            "BLS OEWS median annual wage (USD), May of each year",
            "Year (May estimates)",
            "Annual wage (USD)",
            xaxis={"dtick": 1},
        ),
    )


def _with_gaps(part: pd.DataFrame, col: str = "thread_month") -> pd.DataFrame:
    """Reindex on every calendar month so lines break where the archive has no thread."""
    if part.empty:
        return part
    months = pd.date_range(part[col].min(), part[col].max(), freq="MS")
    return part.set_index(col).reindex(months).rename_axis(col).reset_index()


def _monthly_axis(months: pd.Series) -> dict:
    """Ticks on months (never weeks) for monthly data."""
    n = months.nunique()
    return {"tickformat": "%b %Y", "dtick": "M1" if n <= 18 else ("M6" if n <= 60 else "M12")}


def demand_share(demand: pd.DataFrame, roles: list[str]) -> go.Figure:
    """demand: thread_month, role, postings, month_postings, posting_share_pct, share_ma3_pct, is_partial."""
    data = []
    for role in roles:
        part = _with_gaps(demand[demand["role"] == role].sort_values("thread_month"))
        if part.empty:
            continue
        color = ROLE_COLORS.get(role)
        partial = part["is_partial"].fillna(False).astype(bool)
        months = _v(part["thread_month"])
        data.append(
            {
                "type": "scatter",
                "x": months,
                "y": _v(part["posting_share_pct"]),
                "mode": "lines+markers",
                "name": f"{role_label(role)} (monthly)",
                "line": {"color": color, "width": 1},
                "marker": {"size": 5, "color": color},
                "customdata": _custom(part[["postings", "month_postings"]]),
                "hovertemplate": "%{x|%b %Y}: %{y:.2f}% (%{customdata[0]} of %{customdata[1]} "
                f"postings)<extra>{role_label(role)}</extra>",
            }
        )
        data.append(
            {
                "type": "scatter",
                "x": months,
                "y": _v(part["share_ma3_pct"]),
                "mode": "lines",
                "name": f"{role_label(role)} (3-month average)",
                "line": {"color": color, "width": 3, "dash": "dot"},
                "hoverinfo": "skip",
            }
        )
        if partial.any():
            pp = part[partial]
            data.append(
                {
                    "type": "scatter",
                    "x": _v(pp["thread_month"]),
                    "y": _v(pp["posting_share_pct"]),
                    "mode": "markers",
                    "name": f"{role_label(role)}: partial month",
                    "marker": {
                        "symbol": "circle-open",
                        "size": 12,
                        "color": color,
                        "line": {"width": 2},
                    },
                    "hovertemplate": "%{x|%b %Y}: partial month (early snapshot or archived "
                    "crawl)<extra></extra>",
                }
            )
    return figure(
        data,
        _layout(
            "Share of Hacker News 'Who is hiring?' postings naming the role, per month",
            "Thread month",
            "Share of the month's postings (%)",
            xaxis=_monthly_axis(demand["thread_month"]),
        ),
    )


def demand_ratio(ratio: pd.DataFrame) -> go.Figure:
    """ratio: thread_month, pooled_ratio (calendar months pooled, blank below the minimum of DS postings),
    pooled_ml, pooled_ds, ml_per_ds_ratio (monthly), ml_postings, ds_postings."""
    part = _with_gaps(ratio.sort_values("thread_month"))
    months = _v(part["thread_month"])
    data = [
        {
            "type": "scatter",
            "x": months,
            "y": _v(part["ml_per_ds_ratio"]),
            "mode": "markers",
            "name": "monthly (often few postings)",
            "marker": {"color": "#CC79A7", "opacity": 0.35, "size": 5},
            "customdata": _custom(part[["ml_postings", "ds_postings"]]),
            "hovertemplate": "%{x|%b %Y}: %{y:.2f} (%{customdata[0]} ML / %{customdata[1]} DS "
            "postings)<extra></extra>",
        },
        {
            "type": "scatter",
            "x": months,
            "y": _v(part["pooled_ratio"]),
            "mode": "lines+markers",
            "name": "3-month pooled (shown from 10 DS postings)",
            "line": {"color": "#CC79A7", "width": 3},
            "customdata": _custom(part[["pooled_ml", "pooled_ds"]]),
            "hovertemplate": "%{x|%b %Y}: %{y:.2f} (%{customdata[0]} ML / %{customdata[1]} DS "
            "postings in 3 months)<extra></extra>",
        },
    ]
    return figure(
        data,
        _layout(
            "ML-engineer postings per data-scientist posting",
            "Thread month",
            "Ratio (1 = as many ML-engineer as data-scientist postings)",
            xaxis=_monthly_axis(ratio["thread_month"]),
            shapes=[_hline(1)],
        ),
    )


def google_jobs_demand(df: pd.DataFrame) -> go.Figure:
    """Google Jobs postings per role per month (bars; hover: share of the month's postings,
    companies). df: posted_month, role, role_postings, posting_share_pct, month_postings,
    distinct_companies, sample."""
    data = [
        {
            "type": "bar",
            "x": _v(part["posted_month"]),
            "y": _v(part["role_postings"]),
            "name": role_label(role),
            "marker": {"color": ROLE_COLORS.get(role)},
            "customdata": _custom(
                part[["posting_share_pct", "month_postings", "distinct_companies", "sample"]]
            ),
            "hovertemplate": "%{x|%Y-%m}: %{y:,} postings (%{customdata[0]:.1f}% of "
            "%{customdata[1]:,}; %{customdata[2]:,} companies; %{customdata[3]})<extra></extra>",
        }
        for role, part in df.groupby("role", sort=False)
    ]
    return figure(
        data,
        _layout(
            "Google Jobs postings per role and month", "Posted month", "Postings", barmode="group"
        ),
    )


def indeed_sectors(idx: pd.DataFrame) -> go.Figure:
    """idx: date, sector, postings_index, proxy_for."""
    data = []
    for sector, part in idx.groupby("sector", sort=True):
        proxy = str(part["proxy_for"].iloc[0])
        label = f"{sector} (sector proxy for {role_label(proxy)})" if proxy else str(sector)
        data.append(
            {
                "type": "scatter",
                "x": _v(part["date"]),
                "y": _v(part["postings_index"]),
                "mode": "lines",
                "name": label,
                "line": {"color": ROLE_COLORS.get(proxy, GRID_COLOR)},
                "hovertemplate": "%{x|%d %b %Y}: %{y:.1f}<extra>" + str(sector) + "</extra>",
            }
        )
    return figure(
        data,
        _layout(
            "Indeed job postings index by sector, US (1 Feb 2020 = 100)",
            "Date",
            "Index (1 Feb 2020 = 100, 7-day trailing average)",
            shapes=[_hline(100)],
        ),
    )


def _side_colors(z: pd.Series) -> list[str]:
    """ML-engineer colour for positive z (the ML side), data-scientist colour otherwise."""
    return [ROLE_COLORS["ml_engineer"] if v > 0 else ROLE_COLORS["data_scientist"] for v in z]


def nan_last_order(
    values: np.ndarray, kind: str = "quicksort", descending: bool = False
) -> np.ndarray:
    """Positions of `values` in ascending (or descending) order with NaN last: the order of
    pandas' sort_values (kind quicksort) and, with a stable sort, of nlargest / nsmallest."""
    blank = np.isnan(values)
    shown = np.flatnonzero(~blank)
    keys = -values[shown] if descending else values[shown]
    return np.concatenate([shown[np.argsort(keys, kind=kind)], np.flatnonzero(blank)])


def top_skills(top: pd.DataFrame, role: str, title: str | None = None) -> go.Figure:
    """top: skill, posting_share_pct, postings_with_skill, role_postings (one role)."""
    share = top["posting_share_pct"].to_numpy(dtype="float64")
    # ascending share, as sort_values orders it: a few charts per rerun, each a handful of
    # rows, where the frame's sort and column copies cost more than the chart
    order = nan_last_order(share)
    counts = top[["postings_with_skill", "role_postings"]].to_numpy()[order]
    n = int(counts[:, 1].max()) if len(order) else 0
    bar = {
        "type": "bar",
        "x": share[order],
        "y": top["skill"].to_numpy()[order],
        "orientation": "h",
        "marker": {"color": ROLE_COLORS.get(role)},
        "customdata": counts,
        "hovertemplate": "%{y}: %{x:.1f}% (%{customdata[0]} of %{customdata[1]} postings)"
        "<extra></extra>",
        "name": role_label(role),
    }
    return figure(
        [bar],
        _layout(
            title or f"Top skills: {role_label(role)} postings (n={n:,})",
            "Share of the role's postings mentioning the skill (%)",
            "",
            height=max(300, 22 * len(order) + 120),
        ),
    )


def distinctive_skills(lo: pd.DataFrame, n_a: int, n_b: int) -> go.Figure:
    """lo: skill, z (positive = ML engineer), counts; the strongest in each direction."""
    part = lo.sort_values("z")
    bar = {
        "type": "bar",
        "x": _v(part["z"]),
        "y": _v(part["skill"]),
        "orientation": "h",
        "marker": {"color": _side_colors(part["z"])},
        "customdata": _custom(part[["count_a", "count_b"]]),
        "hovertemplate": "%{y}: z = %{x:.1f} (%{customdata[0]} ML-engineer, %{customdata[1]} "
        "data-scientist postings)<extra></extra>",
    }
    return figure(
        [bar],
        _layout(
            f"Distinctive skills: ML engineer (right, n={n_a:,}) vs data scientist (left, n={n_b:,})",
            "z-score of the weighted log-odds ratio (|z| > 1.96: distinctive at 95%)",
            "",
            height=max(350, 22 * len(part) + 120),
            showlegend=False,
            shapes=[_vline(1.96), _vline(-1.96)],
        ),
    )


def skill_trends(trend: pd.DataFrame) -> go.Figure:
    """trend: posted_year, role, skill, posting_share_pct, postings_with_skill, role_postings."""
    data = []
    dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
    cols = ["skill", "role", "posted_year", "posting_share_pct", "postings_with_skill"]
    rows = trend[[*cols, "role_postings"]]
    order = np.lexsort(
        (
            rows["posted_year"].to_numpy(),
            rows["role"].to_numpy(dtype=object),
            rows["skill"].to_numpy(dtype=object),
        )
    )
    skill = rows["skill"].to_numpy(dtype=object)[order]
    role = rows["role"].to_numpy(dtype=object)[order]
    year = rows["posted_year"].to_numpy("int64")[order]
    share = rows["posting_share_pct"].to_numpy("float64")[order]
    counts = rows[["postings_with_skill", "role_postings"]].to_numpy()[order]
    starts = np.flatnonzero(np.r_[True, (skill[1:] != skill[:-1]) | (role[1:] != role[:-1])])
    if not len(skill):  # no rows: no line
        starts = starts[:0]
    ends = [*starts[1:], len(skill)][: len(starts)]
    skill_no = np.cumsum(np.r_[True, skill[1:] != skill[:-1]]) - 1
    for start, end in zip(starts, ends, strict=True):
        # every calendar year on the axis, so lines break where the archive has no postings
        years = np.arange(year[start], year[end - 1] + 1)
        at = year[start:end] - year[start]
        y = np.full(len(years), np.nan)
        y[at] = share[start:end]
        custom = counts[start:end]
        if len(at) < len(years):  # gaps: blank counts (float), as a reindex leaves them
            custom = np.full((len(years), 2), np.nan)
            custom[at] = counts[start:end]
        name = f"{skill[start]} · {role_label(role[start])}"
        data.append(
            {
                "type": "scatter",
                "x": years,
                "y": y,
                "mode": "lines+markers",
                "name": name,
                "line": {
                    "color": ROLE_COLORS.get(role[start]),
                    "dash": dashes[skill_no[start] % len(dashes)],
                },
                "customdata": custom,
                "hovertemplate": "%{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]} "
                f"postings)<extra>{name}</extra>",
            }
        )
    return figure(
        data,
        _layout(
            "Skill share over time per role",
            "Year",
            "Share of the role's postings (%)",
            xaxis={"dtick": 1},
        ),
    )


def _error(high: pd.Series, centre: pd.Series, low: pd.Series) -> dict:
    """Asymmetric error bars from centre to high and low."""
    return {
        "type": "data",
        "symmetric": False,
        "array": _v(high - centre),
        "arrayminus": _v(centre - low),
    }


@by_content
def posted_pay(table: pd.DataFrame) -> go.Figure:
    """Posted pay per role and year: the median of range midpoints with its P25-P75 as error bars
    (blank where n is too small), and the survey's US median as open markers."""
    data = []
    for role, part in table.groupby("role", sort=False):
        color = ROLE_COLORS.get(role)
        data.append(
            {
                "type": "scatter",
                "x": _v(part["posted_year"]),
                "y": _v(part["pay_mid_median_usd"]),
                "mode": "lines+markers",
                "name": f"{role_label(role)}: posted median",
                "line": {"color": color},
                "error_y": _error(
                    part["pay_mid_p75_usd"], part["pay_mid_median_usd"], part["pay_mid_p25_usd"]
                ),
                "customdata": _custom(
                    part[["ranges_usd_year", "postings_stating_pay", "role_postings"]]
                ),
                "hovertemplate": "%{x}: %{y:$,.0f} (n = %{customdata[0]} ranges; %{customdata[1]} "
                "of %{customdata[2]} postings state pay)<extra></extra>",
            }
        )
        if "survey_median_usd" in part:
            data.append(
                {
                    "type": "scatter",
                    "x": _v(part["posted_year"]),
                    "y": _v(part["survey_median_usd"]),
                    "mode": "markers",
                    "name": f"{role_label(role)}: survey median (US)",
                    "marker": {"color": color, "symbol": "circle-open", "size": 10},
                }
            )
    return figure(
        data,
        _layout(
            "Posted pay in Hacker News ads vs the survey, per year",
            "Year",
            "USD per year (posted: midpoint of the range, P25-P75)",
        ),
    )


def convergence(conv: pd.DataFrame) -> go.Figure:
    """conv: posted_year, n_a, n_b, cosine, ci_low, ci_high (blank cosine: too few postings)."""
    shown = conv.dropna(subset=["cosine"])
    line = {
        "type": "scatter",
        "x": _v(shown["posted_year"]),
        "y": _v(shown["cosine"]),
        "mode": "lines+markers",
        "name": "ML Engineer vs Data Scientist",
        "line": {"color": ROLE_COLORS["other"]},
        "error_y": _error(shown["ci_high"], shown["cosine"], shown["ci_low"]),
        "customdata": _custom(shown[["n_a", "n_b", "ci_low", "ci_high"]]),
        "hovertemplate": "%{x}: %{y:.2f} (%{customdata[2]:.2f}-%{customdata[3]:.2f}); n = "
        "%{customdata[0]} ML-engineer and %{customdata[1]} data-scientist postings<extra></extra>",
    }
    return figure(
        [line],
        _layout(
            "How alike the two roles' skill profiles are, per year",
            "Year",
            "Cosine similarity of skill shares (1 = same)",
            xaxis={"dtick": 1},
            yaxis={"range": [0, 1]},
        ),
    )


# --- Overview: one small chart per answer -------------------------------------------------------
SMALL_HEIGHT = 320


def _small(title: str, x: str, y: str, **extra) -> dict:
    small = {
        "height": SMALL_HEIGHT,
        "margin": {"l": 50, "r": 10, "t": 64, "b": 40},  # titles are two short lines
        "legend": {"orientation": "h", "y": -0.25},
    }
    layout = _layout(title, x, y, **{**small, **extra})
    layout["title"]["font"] = {"size": 14}
    return layout


def overview_demand(yearly: pd.DataFrame, recent: pd.DataFrame) -> go.Figure:
    """yearly: role, year, postings, month_postings, share_pct (demand_yearly); recent: role,
    share_pct, postings, month_postings, window_start, window_end (demand_recent). Each role's
    share per year over the record, and the latest window as a thick segment across its months."""
    data = []
    for role, part in yearly.groupby("role", sort=False):
        years = range(int(part["year"].min()), int(part["year"].max()) + 1)
        part = part.set_index("year").reindex(years).rename_axis("year").reset_index()
        data.append(
            {
                "type": "scatter",
                "x": [f"{y}-07-01" for y in part["year"]],
                "y": _v(part["share_pct"]),
                "mode": "lines+markers",
                "name": role_label(role),
                "line": {"color": ROLE_COLORS.get(role), "width": 2},
                "customdata": _custom(part[["postings", "month_postings"]]),
                "hovertemplate": "%{x|%Y}: %{y:.2f}% (%{customdata[0]} of %{customdata[1]} "
                f"postings)<extra>{role_label(role)}</extra>",
            }
        )
    shapes = []
    for i, r in enumerate(recent.itertuples(index=False)):
        start = pd.Timestamp(r.window_start).isoformat()
        end = (pd.Timestamp(r.window_end) + pd.offsets.MonthEnd(0)).isoformat()
        if i == 0:
            shapes.append(
                {
                    "type": "rect",
                    "x0": start,
                    "x1": end,
                    "xref": "x",
                    "y0": 0,
                    "y1": 1,
                    "yref": "y domain",
                    "fillcolor": GRID_COLOR,
                    "opacity": 0.15,
                    "line": {"width": 0},
                }
            )
        if pd.isna(r.share_pct):
            continue
        data.append(
            {
                "type": "scatter",
                "x": [start, end],
                "y": [float(r.share_pct), float(r.share_pct)],
                "mode": "lines",
                "name": f"{role_label(r.role)}: latest 12 months",
                "line": {"color": ROLE_COLORS.get(r.role), "width": 7},
                "opacity": 0.55,
                "hovertemplate": f"latest window: {r.share_pct:.2f}% ({int(r.postings)} of "
                f"{int(r.month_postings)} postings)<extra></extra>",
            }
        )
    return figure(
        data,
        _small(
            "Share of HN postings per year<br>latest 12 months shaded",
            "",
            "% of postings",
            xaxis={"type": "date"},
            shapes=shapes,
        ),
    )


# the two panels of overview_pay, stacked: (y domain of the medians, y domain of the gaps); the
# gaps' panel is about half as tall, with room between them for the axis ticks
PAY_PANELS = ((0.4624, 1.0), (0.0, 0.3024))


def overview_pay(medians: pd.DataFrame, gaps: pd.DataFrame) -> go.Figure:
    """medians: label, role, value, low, high (survey medians with bootstrap intervals, posted
    medians with P25-P75); gaps: label, value, low, high (raw and like-for-like). Two panels."""
    data = []
    panels = (
        (medians, "", "circle", "%{x:$,.0f}"),
        (gaps.assign(role=""), "2", "diamond", "%{x:+$,.0f}"),
    )
    for frame, axis, symbol, fmt in panels:
        for r in frame.itertuples(index=False):
            data.append(
                {
                    "type": "scatter",
                    "x": [float(r.value)],
                    "y": [r.label],
                    "xaxis": f"x{axis}",
                    "yaxis": f"y{axis}",
                    "mode": "markers",
                    "marker": {
                        "color": ROLE_COLORS.get(r.role, "#555555"),
                        "size": 10,
                        "symbol": symbol,
                    },
                    "error_x": {
                        "type": "data",
                        "symmetric": False,
                        "array": [float(r.high - r.value)],
                        "arrayminus": [float(r.value - r.low)],
                    },
                    "showlegend": False,
                    "hovertemplate": f"{r.label}: {fmt} ({r.low:,.0f} to {r.high:,.0f})"
                    "<extra></extra>",
                }
            )
    ticks = {"tickprefix": "$", "tickformat": "~s", "nticks": 3, "tickangle": 0}
    (top, bottom) = PAY_PANELS
    return figure(
        data,
        _small(
            "Medians (top) and ML-minus-DS gaps<br>(bottom), USD a year",
            "",
            "",
            height=SMALL_HEIGHT + 60,
            margin={"l": 150, "r": 10, "t": 64, "b": 40},
            xaxis={**ticks, "anchor": "y", "domain": [0.0, 1.0]},
            yaxis={"anchor": "x", "domain": list(top)},
            xaxis2={**ticks, "anchor": "y2", "domain": [0.0, 1.0]},
            yaxis2={"anchor": "x2", "domain": list(bottom)},
            shapes=[_vline(0, axes=("x2", "y2"))],
        ),
    )


def overview_skills(lo: pd.DataFrame) -> go.Figure:
    """lo: skill, z (positive = ML engineer): the few most distinctive skills of each role."""
    part = lo.sort_values("z")
    bar = {
        "type": "bar",
        "x": _v(part["z"]),
        "y": _v(part["skill"]),
        "orientation": "h",
        "marker": {"color": _side_colors(part["z"])},
        "hovertemplate": "%{y}: z = %{x:.1f}<extra></extra>",
    }
    return figure(
        [bar],
        _small(
            "Distinctive skills<br>ML engineer right, data scientist left",
            "z",
            "",
            shapes=[_vline(0, dash=None)],
        ),
    )
