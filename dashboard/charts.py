"""Pure Plotly figure builders (no Streamlit) and the fixed, colour-blind-safe role palette
(Okabe-Ito), the same in every view and readable on light and dark themes.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from etl.vocab import ROLE_LABELS, role_label

__all__ = ["ROLE_COLORS", "ROLE_LABELS", "role_label"]

ROLE_COLORS = {
    "data_scientist": "#0072B2",  # blue
    "ml_engineer": "#E69F00",  # orange
    "ai_engineer": "#009E73",  # bluish green
    "other": "#999999",
}
CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(
        title={"text": title},
        xaxis_title=x,
        yaxis_title=y,
        legend={"orientation": "h", "y": -0.2},
        margin={"l": 60, "r": 20, "t": 60, "b": 60},
    )
    return fig


def salary_histogram(binned: pd.DataFrame, ns: dict[str, int], bin_usd: int) -> go.Figure:
    """binned: role, bin_start_usd, n (responses in the bin). Bars show the share of each role's
    responses so roles of different sizes compare."""
    fig = go.Figure()
    for role, part in binned.groupby("role", sort=False):
        total = ns.get(role, int(part["n"].sum()))
        fig.add_bar(
            x=part["bin_start_usd"] + bin_usd / 2,
            y=100 * part["n"] / total,
            width=bin_usd,
            name=f"{role_label(role)} (n={total:,})",
            marker_color=ROLE_COLORS.get(role),
            opacity=0.6,
            customdata=part["n"],
            hovertemplate="%{x:$,.0f}: %{y:.1f}% of responses (%{customdata} responses)<extra>"
            + role_label(role)
            + "</extra>",
        )
    fig.update_layout(barmode="overlay")
    return _layout(
        fig,
        "Distribution of annual salary (USD) by role",
        "Annual salary (USD)",
        "Share of the role's responses (%)",
    )


def percentile_bands(stats: pd.DataFrame) -> go.Figure:
    """stats: role, n, p10, p25, median, p75, p90 (NaN where n is too small)."""
    fig = go.Figure()
    for _, r in stats.iterrows():
        if pd.isna(r["median"]):
            continue
        name = f"{role_label(r['role'])} (n={int(r['n']):,})"
        color = ROLE_COLORS.get(r["role"])
        fig.add_trace(
            go.Box(
                y=[name],
                q1=[r["p25"]],
                median=[r["median"]],
                q3=[r["p75"]],
                lowerfence=[r["p10"]],
                upperfence=[r["p90"]],
                orientation="h",
                name=name,
                marker_color=color,
                line_color=color,
                fillcolor=color,
                opacity=0.7,
                hoverinfo="x",
            )
        )
    fig.update_layout(showlegend=False)
    return _layout(
        fig,
        "Salary percentiles: whiskers P10-P90, box P25-P75, line = median",
        "Annual salary (USD)",
        "",
    )


def bls_wage_lines(oews: pd.DataFrame) -> go.Figure:
    """Median annual wage per year; Data Scientists solid with a P10-P90 band, proxies dashed."""
    fig = go.Figure()
    ds = oews[oews["soc_code"] == "15-2051"].sort_values("year")
    if len(ds):
        fig.add_scatter(
            x=ds["year"],
            y=ds["wage_annual_p90_usd"],
            mode="lines",
            line={"width": 0},
            showlegend=False,
            hoverinfo="skip",
        )
        fig.add_scatter(
            x=ds["year"],
            y=ds["wage_annual_p10_usd"],
            mode="lines",
            line={"width": 0},
            fill="tonexty",
            fillcolor="rgba(0,114,178,0.15)",
            name="Data Scientists P10-P90",
            hoverinfo="skip",
        )
    for soc, part in oews.sort_values("year").groupby("soc_code", sort=True):
        proxy = bool(part["is_proxy"].iloc[0])
        fig.add_scatter(
            x=part["year"],
            y=part["wage_annual_median_usd"],
            mode="lines+markers",
            name=str(part["role_label"].iloc[0]),
            line={
                "color": ROLE_COLORS["ml_engineer"] if proxy else ROLE_COLORS["data_scientist"],
                "dash": ("dash" if soc == "15-1252" else "dot") if proxy else "solid",
            },
            hovertemplate="%{x}: median %{y:$,.0f}<extra>" + str(soc) + "</extra>",
        )
    fig.update_xaxes(dtick=1)
    return _layout(
        fig,
        "BLS OEWS median annual wage (USD), May of each year",
        "Year (May estimates)",
        "Annual wage (USD)",
    )


def _with_gaps(part: pd.DataFrame, col: str = "thread_month") -> pd.DataFrame:
    """Reindex on every calendar month so lines break where the archive has no thread."""
    if part.empty:
        return part
    months = pd.date_range(part[col].min(), part[col].max(), freq="MS")
    return part.set_index(col).reindex(months).rename_axis(col).reset_index()


def _monthly_axis(fig: go.Figure, months: pd.Series) -> None:
    """Ticks on months (never weeks) for monthly data."""
    n = months.nunique()
    fig.update_xaxes(tickformat="%b %Y", dtick="M1" if n <= 18 else ("M6" if n <= 60 else "M12"))


def demand_share(demand: pd.DataFrame, roles: list[str]) -> go.Figure:
    """demand: thread_month, role, postings, month_postings, posting_share_pct, share_ma3_pct, is_partial."""
    fig = go.Figure()
    for role in roles:
        part = _with_gaps(demand[demand["role"] == role].sort_values("thread_month"))
        if part.empty:
            continue
        color = ROLE_COLORS.get(role)
        partial = part["is_partial"].fillna(False).astype(bool)
        fig.add_scatter(
            x=part["thread_month"],
            y=part["posting_share_pct"],
            mode="lines+markers",
            name=f"{role_label(role)} (monthly)",
            line={"color": color, "width": 1},
            marker={"size": 5, "color": color},
            customdata=part[["postings", "month_postings"]].to_numpy(),
            hovertemplate="%{x|%b %Y}: %{y:.2f}% (%{customdata[0]} of %{customdata[1]} postings)<extra>"
            + role_label(role)
            + "</extra>",
        )
        fig.add_scatter(
            x=part["thread_month"],
            y=part["share_ma3_pct"],
            mode="lines",
            name=f"{role_label(role)} (3-month average)",
            line={"color": color, "width": 3, "dash": "dot"},
            hoverinfo="skip",
        )
        if partial.any():
            pp = part[partial]
            fig.add_scatter(
                x=pp["thread_month"],
                y=pp["posting_share_pct"],
                mode="markers",
                name=f"{role_label(role)}: partial month",
                marker={"symbol": "circle-open", "size": 12, "color": color, "line": {"width": 2}},
                hovertemplate="%{x|%b %Y}: partial month (early snapshot or archived crawl)<extra></extra>",
            )
    _monthly_axis(fig, demand["thread_month"])
    return _layout(
        fig,
        "Share of Hacker News 'Who is hiring?' postings naming the role, per month",
        "Thread month",
        "Share of the month's postings (%)",
    )


def demand_ratio(ratio: pd.DataFrame) -> go.Figure:
    """ratio: thread_month, pooled_ratio (calendar months pooled, blank below the minimum of DS postings),
    pooled_ml, pooled_ds, ml_per_ds_ratio (monthly), ml_postings, ds_postings."""
    part = _with_gaps(ratio.sort_values("thread_month"))
    fig = go.Figure()
    fig.add_scatter(
        x=part["thread_month"],
        y=part["ml_per_ds_ratio"],
        mode="markers",
        name="monthly (often few postings)",
        marker={"color": "#CC79A7", "opacity": 0.35, "size": 5},
        customdata=part[["ml_postings", "ds_postings"]].to_numpy(),
        hovertemplate="%{x|%b %Y}: %{y:.2f} (%{customdata[0]} ML / %{customdata[1]} DS postings)<extra></extra>",
    )
    fig.add_scatter(
        x=part["thread_month"],
        y=part["pooled_ratio"],
        mode="lines+markers",
        name="3-month pooled (shown from 10 DS postings)",
        line={"color": "#CC79A7", "width": 3},
        customdata=part[["pooled_ml", "pooled_ds"]].to_numpy(),
        hovertemplate="%{x|%b %Y}: %{y:.2f} (%{customdata[0]} ML / %{customdata[1]} DS postings in 3 months)<extra></extra>",
    )
    fig.add_hline(y=1, line_dash="dash", line_color="#999999")
    _monthly_axis(fig, ratio["thread_month"])
    return _layout(
        fig,
        "ML-engineer postings per data-scientist posting",
        "Thread month",
        "Ratio (1 = as many ML-engineer as data-scientist postings)",
    )


def indeed_sectors(idx: pd.DataFrame) -> go.Figure:
    """idx: date, sector, postings_index, proxy_for."""
    fig = go.Figure()
    for sector, part in idx.groupby("sector", sort=True):
        proxy = str(part["proxy_for"].iloc[0])
        label = f"{sector} (sector proxy for {role_label(proxy)})" if proxy else str(sector)
        fig.add_scatter(
            x=part["date"],
            y=part["postings_index"],
            mode="lines",
            name=label,
            line={"color": ROLE_COLORS.get(proxy, "#999999")},
            hovertemplate="%{x|%d %b %Y}: %{y:.1f}<extra>" + str(sector) + "</extra>",
        )
    fig.add_hline(y=100, line_dash="dash", line_color="#999999")
    return _layout(
        fig,
        "Indeed job postings index by sector, US (1 Feb 2020 = 100)",
        "Date",
        "Index (1 Feb 2020 = 100, 7-day trailing average)",
    )


def top_skills(top: pd.DataFrame, role: str) -> go.Figure:
    """top: skill, posting_share_pct, postings_with_skill, role_postings (one role)."""
    part = top.sort_values("posting_share_pct")
    n = int(part["role_postings"].max()) if len(part) else 0
    fig = go.Figure(
        go.Bar(
            x=part["posting_share_pct"],
            y=part["skill"],
            orientation="h",
            marker_color=ROLE_COLORS.get(role),
            customdata=part[["postings_with_skill", "role_postings"]].to_numpy(),
            hovertemplate="%{y}: %{x:.1f}% (%{customdata[0]} of %{customdata[1]} postings)<extra></extra>",
            name=role_label(role),
        )
    )
    fig.update_layout(height=max(300, 22 * len(part) + 120))
    return _layout(
        fig,
        f"Top skills: {role_label(role)} postings (n={n:,})",
        "Share of the role's postings mentioning the skill (%)",
        "",
    )


def distinctive_skills(lo: pd.DataFrame, n_a: int, n_b: int) -> go.Figure:
    """lo: skill, z (positive = ML engineer), counts; the strongest in each direction."""
    part = lo.sort_values("z")
    colors = [
        ROLE_COLORS["ml_engineer"] if z > 0 else ROLE_COLORS["data_scientist"] for z in part["z"]
    ]
    fig = go.Figure(
        go.Bar(
            x=part["z"],
            y=part["skill"],
            orientation="h",
            marker_color=colors,
            customdata=part[["count_a", "count_b"]].to_numpy(),
            hovertemplate="%{y}: z = %{x:.1f} (%{customdata[0]} ML-engineer, %{customdata[1]} data-scientist postings)<extra></extra>",
        )
    )
    fig.add_vline(x=1.96, line_dash="dot", line_color="#999999")
    fig.add_vline(x=-1.96, line_dash="dot", line_color="#999999")
    fig.update_layout(height=max(350, 22 * len(part) + 120), showlegend=False)
    return _layout(
        fig,
        f"Distinctive skills: ML engineer (right, n={n_a:,}) vs data scientist (left, n={n_b:,})",
        "z-score of the weighted log-odds ratio (|z| > 1.96: distinctive at 95%)",
        "",
    )


def skill_trends(trend: pd.DataFrame) -> go.Figure:
    """trend: posted_year, role, skill, posting_share_pct, postings_with_skill, role_postings."""
    fig = go.Figure()
    dashes = ["solid", "dash", "dot", "dashdot", "longdash", "longdashdot"]
    for i, (skill, part) in enumerate(trend.groupby("skill", sort=True)):
        for role, rp in part.groupby("role", sort=True):
            # every calendar year on the axis, so lines break where the archive has no postings
            years = range(int(rp["posted_year"].min()), int(rp["posted_year"].max()) + 1)
            rp = rp.set_index("posted_year").reindex(years).rename_axis("posted_year").reset_index()
            fig.add_scatter(
                x=rp["posted_year"],
                y=rp["posting_share_pct"],
                mode="lines+markers",
                name=f"{skill} · {role_label(role)}",
                line={"color": ROLE_COLORS.get(role), "dash": dashes[i % len(dashes)]},
                customdata=rp[["postings_with_skill", "role_postings"]].to_numpy(),
                hovertemplate="%{x}: %{y:.1f}% (%{customdata[0]} of %{customdata[1]} postings)<extra>"
                + f"{skill} · {role_label(role)}</extra>",
            )
    fig.update_xaxes(dtick=1)
    return _layout(
        fig,
        "Skill share over time per role",
        "Year",
        "Share of the role's postings (%)",
    )


def posted_pay(table: pd.DataFrame) -> go.Figure:
    """Posted pay per role and year: the median of range midpoints with its P25-P75 as error bars
    (blank where n is too small), and the survey's US median as open markers."""
    fig = go.Figure()
    for role, part in table.groupby("role", sort=False):
        color = ROLE_COLORS.get(role)
        fig.add_trace(
            go.Scatter(
                x=part["posted_year"],
                y=part["pay_mid_median_usd"],
                mode="lines+markers",
                name=f"{role_label(role)}: posted median",
                line={"color": color},
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": part["pay_mid_p75_usd"] - part["pay_mid_median_usd"],
                    "arrayminus": part["pay_mid_median_usd"] - part["pay_mid_p25_usd"],
                },
                customdata=part[["ranges_usd_year", "postings_stating_pay", "role_postings"]],
                hovertemplate="%{x}: %{y:$,.0f} (n = %{customdata[0]} ranges; %{customdata[1]} of "
                "%{customdata[2]} postings state pay)<extra></extra>",
            )
        )
        if "survey_median_usd" in part:
            fig.add_trace(
                go.Scatter(
                    x=part["posted_year"],
                    y=part["survey_median_usd"],
                    mode="markers",
                    name=f"{role_label(role)}: survey median (US)",
                    marker={"color": color, "symbol": "circle-open", "size": 10},
                )
            )
    return _layout(
        fig,
        "Posted pay in Hacker News ads vs the survey, per year",
        "Year",
        "USD per year (posted: midpoint of the range, P25-P75)",
    )


def convergence(conv: pd.DataFrame) -> go.Figure:
    """conv: posted_year, n_a, n_b, cosine, ci_low, ci_high (blank cosine: too few postings)."""
    shown = conv.dropna(subset=["cosine"])
    fig = go.Figure(
        go.Scatter(
            x=shown["posted_year"],
            y=shown["cosine"],
            mode="lines+markers",
            name="ML Engineer vs Data Scientist",
            line={"color": ROLE_COLORS["other"]},
            error_y={
                "type": "data",
                "symmetric": False,
                "array": shown["ci_high"] - shown["cosine"],
                "arrayminus": shown["cosine"] - shown["ci_low"],
            },
            customdata=shown[["n_a", "n_b", "ci_low", "ci_high"]].to_numpy(),
            hovertemplate="%{x}: %{y:.2f} (%{customdata[2]:.2f}-%{customdata[3]:.2f}); n = "
            "%{customdata[0]} ML-engineer and %{customdata[1]} data-scientist postings<extra></extra>",
        )
    )
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(range=[0, 1])
    return _layout(
        fig,
        "How alike the two roles' skill profiles are, per year",
        "Year",
        "Cosine similarity of skill shares (1 = same)",
    )


# --- Overview: one small chart per answer -------------------------------------------------------
SMALL_HEIGHT = 320


def _small(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig = _layout(fig, title, x, y)
    fig.update_layout(
        height=SMALL_HEIGHT,
        margin={"l": 50, "r": 10, "t": 64, "b": 40},  # titles are two short lines
        legend={"orientation": "h", "y": -0.25},
        title={"font": {"size": 14}},
    )
    return fig


def overview_demand(yearly: pd.DataFrame, recent: pd.DataFrame) -> go.Figure:
    """yearly: role, year, postings, month_postings, share_pct (demand_yearly); recent: role,
    share_pct, postings, month_postings, window_start, window_end (demand_recent). Each role's
    share per year over the record, and the latest window as a thick segment across its months."""
    fig = go.Figure()
    for role, part in yearly.groupby("role", sort=False):
        color = ROLE_COLORS.get(role)
        years = range(int(part["year"].min()), int(part["year"].max()) + 1)
        part = part.set_index("year").reindex(years).rename_axis("year").reset_index()
        fig.add_scatter(
            x=pd.to_datetime(part["year"].astype(str) + "-07-01"),
            y=part["share_pct"],
            mode="lines+markers",
            name=role_label(role),
            line={"color": color, "width": 2},
            customdata=part[["postings", "month_postings"]].to_numpy(),
            hovertemplate="%{x|%Y}: %{y:.2f}% (%{customdata[0]} of %{customdata[1]} postings)"
            f"<extra>{role_label(role)}</extra>",
        )
    for _, r in recent.iterrows():
        if pd.isna(r["share_pct"]):
            continue
        end = pd.Timestamp(r["window_end"]) + pd.offsets.MonthEnd(0)
        fig.add_scatter(
            x=[r["window_start"], end],
            y=[r["share_pct"], r["share_pct"]],
            mode="lines",
            name=f"{role_label(r['role'])}: latest 12 months",
            line={"color": ROLE_COLORS.get(r["role"]), "width": 7},
            opacity=0.55,
            hovertemplate=f"latest window: {r['share_pct']:.2f}% ({int(r['postings'])} of "
            f"{int(r['month_postings'])} postings)<extra></extra>",
        )
    if len(recent):
        r0 = recent.iloc[0]
        fig.add_vrect(
            x0=r0["window_start"],
            x1=pd.Timestamp(r0["window_end"]) + pd.offsets.MonthEnd(0),
            fillcolor="#999999",
            opacity=0.15,
            line_width=0,
        )
    return _small(
        fig, "Share of HN postings per year<br>latest 12 months shaded", "", "% of postings"
    )


def overview_pay(medians: pd.DataFrame, gaps: pd.DataFrame) -> go.Figure:
    """medians: label, role, value, low, high (survey medians with bootstrap intervals, posted
    medians with P25-P75); gaps: label, value, low, high (raw and like-for-like). Two panels."""
    from plotly.subplots import make_subplots

    fig = make_subplots(rows=2, cols=1, row_heights=[0.64, 0.36], vertical_spacing=0.16)
    panels = (
        (medians, 1, "circle", "%{x:$,.0f}"),
        (gaps.assign(role=""), 2, "diamond", "%{x:+$,.0f}"),
    )
    for frame, row, symbol, fmt in panels:
        for _, r in frame.iterrows():
            fig.add_scatter(
                x=[r["value"]],
                y=[r["label"]],
                mode="markers",
                marker={
                    "color": ROLE_COLORS.get(r["role"], "#555555"),
                    "size": 10,
                    "symbol": symbol,
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [r["high"] - r["value"]],
                    "arrayminus": [r["value"] - r["low"]],
                },
                showlegend=False,
                hovertemplate=f"{r['label']}: {fmt} ({r['low']:,.0f} to {r['high']:,.0f})<extra></extra>",
                row=row,
                col=1,
            )
    fig.add_vline(x=0, line_dash="dot", line_color="#999999", row=2, col=1)
    fig.update_xaxes(tickprefix="$", tickformat="~s", nticks=3, tickangle=0)
    fig = _small(fig, "Medians (top) and ML-minus-DS gaps<br>(bottom), USD a year", "", "")
    fig.update_layout(height=SMALL_HEIGHT + 60, margin={"l": 150})
    return fig


def overview_skills(lo: pd.DataFrame) -> go.Figure:
    """lo: skill, z (positive = ML engineer): the few most distinctive skills of each role."""
    part = lo.sort_values("z")
    fig = go.Figure(
        go.Bar(
            x=part["z"],
            y=part["skill"],
            orientation="h",
            marker_color=[
                ROLE_COLORS["ml_engineer"] if z > 0 else ROLE_COLORS["data_scientist"]
                for z in part["z"]
            ],
            hovertemplate="%{y}: z = %{x:.1f}<extra></extra>",
        )
    )
    fig.add_vline(x=0, line_color="#999999")
    return _small(fig, "Distinctive skills<br>ML engineer right, data scientist left", "z", "")
