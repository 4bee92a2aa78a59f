"""Tiny hand-made published data sets for dashboard tests (values a person can check by hand)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl import schema, store
from etl.sources import aijobs_salaries

HEADER = "work_year,experience_level,employment_type,job_title,salary,salary_currency,salary_in_usd,employee_residence,remote_ratio,company_location,company_size"


def salaries_csv() -> str:
    """40 US data scientists paid 100,000..139,000 (median 119,500); 30 US ML engineers paid
    130,000..159,000 (median 144,500); 5 German data scientists (a slice too small to show)."""
    rows = [HEADER]
    for i in range(40):
        year = 2024 if i < 20 else 2023
        level = "SE" if i % 2 == 0 else "MI"
        sal = 100_000 + 1000 * i
        rows.append(f"{year},{level},FT,Data Scientist,{sal},USD,{sal},US,100,US,M")
    for i in range(30):
        year = 2024 if i < 15 else 2023
        sal = 130_000 + 1000 * i
        rows.append(f"{year},SE,FT,Machine Learning Engineer,{sal},USD,{sal},US,0,US,L")
    for i in range(5):
        rows.append(
            f"2024,MI,FT,Data Scientist,{60_000 + i * 1000},EUR,{65_000 + i * 1000},DE,50,DE,S"
        )
    rows.append("2024,SE,FT,Lead Data Scientist,150000,USD,150000,US,0,US,L")
    rows.append('2024,SE,FT,=HYPERLINK("x"),90000,USD,90000,US,0,US,L')
    return "\n".join(rows) + "\n"


def oews_frame() -> pd.DataFrame:
    recs = []
    for year, ds_med in ((2023, 108020.0), (2024, 112590.0)):
        for soc, role, proxy, label, med in (
            ("15-2051", "data_scientist", False, "Data Scientists (SOC 15-2051)", ds_med),
            (
                "15-1252",
                "ml_engineer",
                True,
                "Software Developers (SOC 15-1252), proxy for ML engineers",
                130000.0,
            ),
        ):
            recs.append(
                {
                    "year": year,
                    "soc_code": soc,
                    "occupation_title": label.split(" (")[0],
                    "role": role,
                    "is_proxy": proxy,
                    "role_label": label,
                    "employment": 1000.0,
                    "wage_annual_mean_usd": med + 5000,
                    "wage_annual_p10_usd": med - 40000,
                    "wage_annual_p25_usd": med - 20000,
                    "wage_annual_median_usd": med,
                    "wage_annual_p75_usd": med + 20000,
                    "wage_annual_p90_usd": med + 40000,
                    "wage_hourly_median_usd": round(med / 2080, 2),
                    "topcoded_columns": "",
                }
            )
    return pd.DataFrame(recs)


def publish_fixture(
    data_dir: Path, extra: dict[str, tuple[pd.DataFrame, str]] | None = None, csv: str | None = None
) -> dict:
    """Publish the fixture tables into data_dir/processed and return the manifest."""
    sal = aijobs_salaries.transform(aijobs_salaries.parse((csv or salaries_csv()).encode()))
    tables = {
        "salaries": (_relaxed("salaries", sal), "aijobs_salaries"),
        "salary_counts": (aijobs_salaries.salary_counts(sal), "aijobs_salaries"),
        "salary_title_counts": (aijobs_salaries.salary_title_counts(sal), "aijobs_salaries"),
        "oews_wages": (schema.validate("oews_wages", oews_frame()), "bls_oews"),
    }
    tables.update(extra or {})
    staged = {
        name: (
            df,
            {
                "source": src,
                "snapshot_id": "20261101T000000000000Z",
                "snapshot_created_at": "2026-11-01T00:00:00Z",
                "input_sha256": {},
            },
        )
        for name, (df, src) in tables.items()
    }
    from etl.pipeline import _coverage
    from etl.sources import SOURCES

    sources_info = {
        s: {
            "snapshot_id": "20261101T000000000000Z",
            "fetched_at": "2026-11-01T00:00:00Z",
            "origin": SOURCES[s].ORIGIN.to_json(),
            # the facts the pipeline computes at publish time, from the same tables
            "coverage": _coverage(
                SOURCES[s], {t: df for t, (df, src) in tables.items() if src == s}
            ),
        }
        for s in {src for _, src in tables.values()}
    }
    return store.publish(Path(data_dir) / "processed", staged, {"mode": "fixture"}, sources_info)


def _relaxed(name: str, df: pd.DataFrame) -> pd.DataFrame:
    # the fixture has fewer rows than the production minimum; every other check still applies
    t = schema.TABLES[name]
    old = t.min_rows
    object.__setattr__(t, "min_rows", min(old, 1))
    try:
        return schema.validate(name, df)
    finally:
        object.__setattr__(t, "min_rows", old)


# --- Hacker News: three monthly threads written in the real Algolia formats -------------------
HN_MONTHS = (("January", 2026, 46000001), ("February", 2026, 46000002), ("March", 2026, 46000003))


def hn_files() -> dict[str, bytes]:
    """search_p0.json + item_<id>.json. Per month: 12 data-scientist postings (SQL, Python; the first
    six also scikit-learn), 6 ML-engineer postings (PyTorch, AWS, Docker; each posts $150k-$190k) and 12 other postings
    (React), so each thread has 30 postings: the data-scientist share is 40% and ML 20% every month."""
    import json

    hits, files = [], {}
    for month, year, tid in HN_MONTHS:
        created = int(pd.Timestamp(f"{year}-{month[:3]}-01 15:00", tz="UTC").timestamp())
        title = f"Ask HN: Who is hiring? ({month} {year})"
        hits.append(
            {
                "created_at": "",
                "title": title,
                "author": "whoishiring",
                "num_comments": 30,
                "story_id": tid,
                "created_at_i": created,
                "objectID": str(tid),
            }
        )
        children = []
        for i in range(30):
            if i < 12:
                text = f"Co{i} | Senior Data Scientist | Remote<p>We use SQL and Python{' and scikit-learn' if i < 6 else ''}."
            elif i < 18:
                text = f"Co{i} | Machine Learning Engineer | NYC | $150k-$190k<p>PyTorch, AWS and Docker in production."
            else:
                text = f"Co{i} | Frontend Engineer | Berlin<p>React and TypeScript."
            children.append(
                {
                    "id": tid * 100 + i,
                    "created_at_i": created + 60 * i,
                    "type": "comment",
                    "author": f"user{i}",
                    "text": text,
                    "parent_id": tid,
                    "children": [],
                }
            )
        children.append(
            {
                "id": tid * 100 + 99,
                "created_at_i": created,
                "type": "comment",
                "author": None,
                "text": None,
                "parent_id": tid,
                "children": [],
            }
        )  # a deleted posting
        files[f"item_{tid}.json"] = json.dumps(
            {
                "id": tid,
                "created_at_i": created,
                "type": "story",
                "author": "whoishiring",
                "title": title,
                "children": children,
            }
        ).encode()
    files["search_p0.json"] = json.dumps(
        {"hits": hits, "page": 0, "nbPages": 1, "hitsPerPage": 1000}
    ).encode()
    return files


def hn_tables(tmp_dir: Path) -> dict[str, pd.DataFrame]:
    """Run the real HN build on the fixture files, through a real snapshot."""
    from etl.snapshot import SnapshotStore
    from etl.sources import hn_whoishiring

    raw = SnapshotStore(Path(tmp_dir) / "raw-hn")
    b = raw.begin("hn_whoishiring")
    src = Path(tmp_dir) / "hn-src"
    src.mkdir(parents=True, exist_ok=True)
    for name, body in hn_files().items():
        (src / name).write_bytes(body)
        b.add_local(name, src / name, url="https://hn.algolia.com/fixture/" + name)
    snap = b.commit(hn_whoishiring.ORIGIN.to_json())
    return {t: _relaxed(t, df) for t, df in hn_whoishiring.build(snap).items()}


def publish_all(data_dir: Path) -> dict:
    tables = hn_tables(Path(data_dir))
    return publish_fixture(data_dir, {t: (df, "hn_whoishiring") for t, df in tables.items()})


def values(v: object) -> list:
    """Plotly arrays come back base64-encoded ({'dtype', 'bdata'}) from a chart's JSON spec."""
    import base64

    import numpy as np

    if isinstance(v, dict) and "bdata" in v:
        arr = np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"])
        return arr.tolist()
    return list(v) if v is not None else []
