"""The Overview as a one-page report an analyst can attach to an e-mail: a PNG of the three answers
(sentence, small chart, n and source each), drawn with matplotlib from the same frames the page
charts, zipped with the figures CSV and the metadata JSON. Pure functions, no Streamlit.
"""

from __future__ import annotations

import io
import textwrap
import zipfile
from dataclasses import dataclass, field

import pandas as pd

from dashboard import export
from dashboard.charts import ROLE_COLORS, role_label

STEM = "overview_report"


@dataclass
class Answer:
    """One answer of the Overview: its heading, the sentence, the caption (n, source, period) and
    the frames its chart is drawn from (kind: 'demand', 'pay' or 'skills')."""

    title: str
    sentence: str
    caption: str
    kind: str
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)


def _wrap(text: str, width: int) -> str:
    # NOTE: matplotlib reads "$...$" as mathtext: dollar signs are escaped, markdown bold dropped
    plain = text.replace("**", "").replace("$", r"\$")
    return "\n".join(textwrap.wrap(plain, width))


def _demand(ax, frames: dict[str, pd.DataFrame]) -> None:
    yearly, recent = frames["yearly"], frames["recent"]
    for role, part in yearly.groupby("role", sort=False):
        ax.plot(part["year"], part["share_pct"], marker="o", ms=3, color=ROLE_COLORS.get(role),
                label=role_label(role))  # fmt: skip
    for _, r in recent.iterrows():
        if pd.notna(r["share_pct"]):
            x0 = r["window_start"].year + (r["window_start"].month - 1) / 12
            x1 = r["window_end"].year + r["window_end"].month / 12
            ax.plot(
                [x0, x1], [r["share_pct"]] * 2, lw=5, alpha=0.5, color=ROLE_COLORS.get(r["role"])
            )
            ax.axvspan(x0, x1, color="#999999", alpha=0.12, lw=0)
    ax.set_ylabel("% of postings")
    ax.legend(fontsize=7, frameon=False)


def _pay(ax, frames: dict[str, pd.DataFrame]) -> None:
    rows = pd.concat(
        [frames["medians"].assign(kind="median"), frames["gaps"].assign(kind="gap", role="")],
        ignore_index=True,
    )
    for i, r in enumerate(rows.itertuples(index=False)):
        color = ROLE_COLORS.get(r.role, "#555555")
        ax.errorbar(r.value, i, xerr=[[r.value - r.low], [r.high - r.value]], fmt="o" if r.kind == "median" else "D",
                    color=color, capsize=3)  # fmt: skip
    ax.set_yticks(range(len(rows)), [_wrap(x, 28) for x in rows["label"]], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="#999999", lw=0.8, ls=":")
    ax.xaxis.set_major_formatter(lambda x, _: f"${x / 1000:,.0f}k")


def _skills(ax, frames: dict[str, pd.DataFrame]) -> None:
    lo = frames["distinctive"].sort_values("z")
    colors = [
        ROLE_COLORS["ml_engineer"] if z > 0 else ROLE_COLORS["data_scientist"] for z in lo["z"]
    ]
    ax.barh(lo["skill"], lo["z"], color=colors)
    ax.axvline(0, color="#999999", lw=0.8)
    ax.set_xlabel("z (right: ML engineer, left: data scientist)", fontsize=7)
    ax.tick_params(axis="y", labelsize=7)


DRAW = {"demand": _demand, "pay": _pay, "skills": _skills}


def render_png(title: str, answers: list[Answer], footer: str) -> bytes:
    """A landscape page: the title, then one column per answer (sentence, chart, caption)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(16, 9), dpi=110)
    fig.suptitle(title, fontsize=16, fontweight="bold", x=0.02, ha="left")
    width = 1 / max(len(answers), 1)
    for i, a in enumerate(answers):
        left = i * width + 0.035
        fig.text(left, 0.88, a.title, fontsize=13, fontweight="bold", va="top")
        fig.text(left, 0.84, _wrap(a.sentence, 58), fontsize=9, va="top")
        ax = fig.add_axes((left + (0.07 if a.kind == "pay" else 0.03), 0.30, width - 0.1, 0.36))
        if a.frames:
            DRAW[a.kind](ax, a.frames)
        else:
            ax.set_axis_off()
        fig.text(left, 0.22, _wrap(a.caption, 70), fontsize=7, va="top", color="#444444")
    fig.text(0.02, 0.02, _wrap(footer, 220), fontsize=7, color="#444444")
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


def report_zip(png: bytes, figures: pd.DataFrame, meta: dict) -> bytes:
    """overview_report.zip: the page (PNG), the figures it states (CSV) and their metadata (JSON)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"{STEM}.png", png)
        z.writestr(f"{STEM}_figures.csv", export.to_csv_bytes(figures))
        z.writestr(f"{STEM}.metadata.json", export.metadata_bytes(meta))
    return buf.getvalue()


def build(title: str, answers: list[Answer], figures: pd.DataFrame, meta: dict) -> bytes:
    """The report's zip from the Overview's answers, figures and metadata."""
    srcs = "; ".join(
        f"{s.get('producer') or s.get('title')} ({s.get('license')}, snapshot {s.get('snapshot_date')})"
        for s in meta.get("sources", [])
    )
    f = meta.get("filters", {})
    footer = (
        f"Filters: roles {', '.join(f.get('roles') or []) or 'all'}; definition {f.get('definition')}; years "
        f"{f.get('year_from')}-{f.get('year_to')}; countries {', '.join(f.get('countries') or []) or 'all'}. "
        f"Sources: {srcs}. Exported {meta.get('exported_at')} (app {meta.get('app_version')}); figures and "
        "their n in the CSV beside this page."
    )
    return report_zip(render_png(title, answers, footer), figures, meta)
