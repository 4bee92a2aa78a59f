"""AppTest of the Demand, Skills and Data & methods views on hand-made data (tests/support.py):
three monthly threads of 30 postings each: 12 data-scientist, 6 ML-engineer, 12 other."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from tests.support import publish_all, values

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    publish_all(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    return tmp_path


def open_view(view: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    at.switch_page(f"views/{view}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list:
    return [pio.from_json(c.proto.spec) for c in at.get("plotly_chart")]


def test_demand_view_shows_both_roles(data_dir):
    at = open_view("demand")
    m = {x.label: x.value for x in at.metric}
    assert m["Data Scientist postings"] == "36"  # 12 per month x 3
    assert m["ML Engineer postings"] == "18"
    fig = figures(at)[0]
    names = [t.name for t in fig.data]
    assert "Data Scientist (monthly)" in names and "ML Engineer (monthly)" in names
    ds = next(t for t in fig.data if t.name == "Data Scientist (monthly)")
    assert values(ds.y) == [40.0, 40.0, 40.0]
    ratio = figures(at)[1].data[0]
    assert values(ratio.y) == [0.5, 0.5, 0.5]


def test_demand_filter_changes_chart_and_url(data_dir):
    at = open_view("demand")
    at.multiselect(key="roles").set_value(["ml_engineer"]).run()
    names = [t.name for t in figures(at)[0].data]
    assert "Data Scientist (monthly)" not in names and "ML Engineer (monthly)" in names
    assert at.query_params["roles"] in ("ml_engineer", ["ml_engineer"])
    at.select_slider(key="period").set_range("2023", "2024").run()
    assert not figures(at) or all("Hacker News" not in f.layout.title.text for f in figures(at))
    assert "No Hacker News threads in 2023-2024" in " ".join(w.value for w in at.warning)
    assert at.query_params["period_to"] in ("2024", ["2024"])


def test_demand_deep_link(data_dir):
    at = open_view(
        "demand", {"def": "broad", "period_from": "2026", "roles": ["ml_engineer", "ai_engineer"]}
    )
    assert at.radio(key="def").value == "broad"
    assert at.select_slider(key="period").value == ("2026", "2026")
    assert at.multiselect(key="roles").value == ["ml_engineer", "ai_engineer"]
    m = {x.label: x.value for x in at.metric}
    assert m == {"ML Engineer postings": "18", "AI Engineer postings": "0"}
    assert "definition: anywhere (broad)" in " ".join(c.value for c in at.caption)


def test_skills_view_roles_claims_and_category_filter(data_dir):
    at = open_view("skills")
    titles = [f.layout.title.text for f in figures(at)]
    assert any("Data Scientist postings (n=36)" in t for t in titles)
    assert any("ML Engineer postings (n=18)" in t for t in titles)
    claims = at.dataframe[0].value
    sql_ds = claims[
        (claims["claim"] == "Data Scientists use SQL") & (claims["role"] == "Data Scientist")
    ].iloc[0]
    assert (
        sql_ds["postings mentioning"] == 36
        and sql_ds["role postings (n)"] == 36
        and sql_ds["share_pct"] == 100.0
    )
    sk = claims[
        (claims["claim"] == "Data Scientists use scikit-learn")
        & (claims["role"] == "Data Scientist")
    ].iloc[0]
    assert sk["share_pct"] == 50.0  # 6 of 12 per month
    cloud_ml = claims[
        (claims["claim"].str.contains("the cloud")) & (claims["role"] == "ML Engineer")
    ].iloc[0]
    assert cloud_ml["postings mentioning"] == 18
    ds_top = next(f for f in figures(at) if "Data Scientist postings" in f.layout.title.text)
    assert set(ds_top.data[0].y) == {"SQL", "Python", "scikit-learn"}
    at.multiselect(key="cat").set_value(["languages"]).run()
    ds_top = next(f for f in figures(at) if "Data Scientist postings" in f.layout.title.text)
    assert set(ds_top.data[0].y) == {"SQL", "Python"}
    assert at.query_params["cat"] in ("languages", ["languages"])


def test_methods_view_lists_sources_mapping_and_taxonomy(data_dir):
    at = open_view("methods")
    src = at.dataframe[0].value
    assert {"aijobs_salaries", "bls_oews", "hn_whoishiring"} <= set(src["source"])
    assert src.set_index("source").loc["aijobs_salaries", "licence"] == "CC0 1.0"
    headers = [h.value for h in at.header] + [s.value for s in at.subheader]
    assert any(h.startswith("Titles in no role") for h in headers)
    labels = [b.label for b in at.get("download_button")]
    assert "Download the sources table (CSV)" in labels
    at.text_input(key="tax_q").input("pytorch").run()
    tax = at.dataframe[-1].value
    assert "PyTorch" in set(tax["skill"])
    assert len(tax) < 20


def test_overview_answers_three_questions_with_n(data_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert [h.value for h in at.subheader][:3] == ["Demand", "Pay", "Skills"]
    m = {x.label: x.value for x in at.metric}
    assert m["Data Scientist share of postings"] == "40.00%"  # 36 of 90 postings
    assert m["ML Engineer share of postings"] == "20.00%"
    # the pay answer is for the latest work year with enough responses of both roles: 2024 (n = 25
    # data scientists: 20 US paid 100,000..119,000 and 5 German 65,000..69,000, median the 13th
    # value 107,000; 15 ML engineers 130,000..144,000, median 137,000)
    assert m["ML engineer minus data scientist median"] == "+$30,000"
    text = " ".join(c.value for c in at.caption)
    assert "n = 36 of 90 postings" in text and "(n = 25, low confidence)" in text
    md = " ".join(x.value for x in at.markdown)
    assert "Most distinctive of ML Engineers** (n = 18 postings)" in md
    assert "PyTorch" in text  # only ML engineers mention it
    links = [x.proto.page for x in at.get("page_link")]
    assert len(links) == 3
    labels = [b.label for b in at.get("download_button")]
    assert any(lbl.startswith("Download these") for lbl in labels) and "Metadata (JSON)" in labels
    assert any(lbl.startswith("Download the one-page report") for lbl in labels)


def test_overview_answers_in_sentences_with_three_charts(data_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    titles = [f.layout.title.text for f in figures(at)]
    assert len(titles) == 3
    assert "latest 12 months" in titles[0] and "gaps" in titles[1] and "Distinctive" in titles[2]
    demand = figures(at)[0]
    # one line per role over the record (the fixture's threads are in one year) + the window
    ds = next(t for t in demand.data if t.name == "Data Scientist")
    assert list(values(ds.y)) == [40.0]  # 36 of 90 postings
    md = " ".join(x.value for x in at.markdown)
    assert "In the latest 12 months" in md and "**40.0%** named a Data Scientist opening" in md
    # 18 ML-engineer postings: below LOW_N, said in words
    assert "rests on only 18 postings" in md
    assert "In 2024, the survey's median ML engineer earned **$30,000 more**" in md
    # the fixture's ML engineers (senior, large companies) share no cell with its data scientists
    assert "to compare them like for like" in md
    pay = figures(at)[1]
    labels = {t.y[0] for t in pay.data}
    assert {"Data Scientist, survey 2024", "ML Engineer, survey 2024", "Gap, raw"} <= labels


def test_overview_report_is_a_zip_with_a_png_the_figures_and_metadata():
    import io
    import zipfile

    from dashboard import report

    yearly = pd.DataFrame(
        {"role": ["data_scientist", "ml_engineer"], "year": [2024, 2024], "postings": [36, 18],
         "month_postings": [90, 90], "share_pct": [40.0, 20.0]}
    )  # fmt: skip
    recent = yearly.assign(
        window_start=pd.Timestamp("2024-01-01"), window_end=pd.Timestamp("2024-03-01")
    )
    answers = [
        report.Answer("Demand", "In the latest 12 months ...", "Source: x", "demand",
                      {"yearly": yearly, "recent": recent}),
        report.Answer("Pay", "In 2024 ...", "Source: y", "pay", {
            "medians": pd.DataFrame({"label": ["DS"], "role": ["data_scientist"], "value": [1.0],
                                     "low": [0.5], "high": [2.0]}),
            "gaps": pd.DataFrame({"label": ["Gap, raw"], "value": [1.0], "low": [0.0], "high": [2.0]})}),
        report.Answer("Skills", "Compared ...", "Source: z", "skills",
                      {"distinctive": pd.DataFrame({"skill": ["PyTorch", "SQL"], "z": [3.0, -2.5]})}),
    ]  # fmt: skip
    figs = pd.DataFrame({"question": ["demand"], "value": [40.0], "n": [36]})
    blob = report.build("Title", answers, figs, {"filters": {"roles": []}, "sources": []})
    with zipfile.ZipFile(io.BytesIO(blob)) as z:
        names = set(z.namelist())
        assert names == {
            f"{report.STEM}.png",
            f"{report.STEM}_figures.csv",
            f"{report.STEM}.metadata.json",
        }
        png = z.read(f"{report.STEM}.png")
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        assert pd.read_csv(z.open(f"{report.STEM}_figures.csv"))["n"].tolist() == [36]


def test_overview_follows_global_filters(data_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.multiselect(key="country").set_value(["DE"]).run()
    m = {x.label: x.value for x in at.metric}
    assert m["ML engineer minus data scientist median"] == "too few responses"
    assert at.query_params["country"] in ("DE", ["DE"])


def test_every_filter_key_is_a_known_link_parameter():
    """A widget whose key is missing from filters.KNOWN_KEYS would have its link parameter dropped."""
    import re

    from dashboard import filters

    src = " ".join(p.read_text() for p in (Path(APP).parent).rglob("*.py"))
    keys = set(re.findall(r"filters\.(?:multiselect|radio)\(\s*\"[^\"]*\",\s*\"([a-z_]+)\"", src))
    periods = set(re.findall(r"filters\.period\(\s*\"[^\"]*\",\s*\"([a-z_]+)\"", src))
    assert keys and periods
    expected = keys | {f"{p}_{end}" for p in periods for end in ("from", "to")}
    assert expected == set(filters.KNOWN_KEYS)


def test_skills_view_follows_the_roles_filter(data_dir):
    at = open_view("skills", {"roles": ["ml_engineer"]})
    titles = [f.layout.title.text for f in figures(at)]
    assert any("ML Engineer postings (n=18)" in t for t in titles)
    assert not any("Data Scientist postings" in t for t in titles)
    claims = at.dataframe[0].value
    assert set(claims["role"]) == {"ML Engineer"}
    assert "Select both Data Scientist and ML Engineer" in " ".join(i.value for i in at.info)


def test_skill_trend_fills_zero_years_and_hides_small_n():
    import pandas as pd

    from dashboard.queries import trend_table

    counts = pd.DataFrame(
        {"role": "ml_engineer", "posted_year": [2016, 2017], "role_postings": [20, 5]}
    )
    hits = pd.DataFrame(
        {
            "posted_year": [2016],
            "role": ["ml_engineer"],
            "skill": ["SQL"],
            "postings_with_skill": [2],
        }
    )
    t = trend_table(hits, counts, ["SQL", "Go"], ["ml_engineer"]).set_index(
        ["skill", "posted_year"]
    )
    assert t.loc[("SQL", 2016), "posting_share_pct"] == 10.0  # 2 of 20
    # zero mentions are drawn as 0, not a gap
    assert t.loc[("Go", 2016), "posting_share_pct"] == 0.0
    assert pd.isna(t.loc[("SQL", 2017), "posting_share_pct"])  # n = 5 < 10: no share
    assert t.loc[("SQL", 2017), "role_postings"] == 5


def test_banner_names_a_source_whose_newest_data_lags(data_dir):
    import json

    mpath = data_dir / "processed" / "manifest.json"
    m = json.loads(mpath.read_text())
    m["sources"]["hn_whoishiring"]["data_through"] = "2026-01-31"  # the origin allows 45 days
    mpath.write_text(json.dumps(m))
    data.clear_query_results()
    at = AppTest.from_file(APP, default_timeout=60).run()
    banner = " ".join(w.value for w in at.warning if "hn_whoishiring" in w.value)
    assert "newest data is from 2026-01-31" in banner and "expected within 45 days" in banner
    assert "python -m etl refresh --source hn_whoishiring" in banner


def test_cleared_roles_survive_the_link_and_invalid_only_values_fall_back(data_dir):
    at = open_view("demand")
    at.multiselect(key="roles").set_value([]).run()
    assert at.query_params["roles"] in ("all", ["all"])
    assert len([m for m in at.metric if m.label.endswith("postings")]) == 3  # all three roles
    again = open_view("demand", {"roles": "all"})
    assert again.multiselect(key="roles").value == []
    bogus = open_view("demand", {"roles": "bogus"})
    assert bogus.multiselect(key="roles").value == ["data_scientist", "ml_engineer"]


def test_skills_comparison_within_years_says_so_and_falls_back(data_dir):
    """The fixture has fewer than ERA_MATCH_MIN_N postings of each role per year: the default
    like-with-like comparison says it cannot be made and shows the pooled one; the link keeps
    the choice."""
    from etl import vocab

    at = open_view("skills")
    assert any(
        f"No year has {vocab.ERA_MATCH_MIN_N} postings of both roles" in i.value for i in at.info
    )
    assert any("pooled over" in c.value for c in at.caption)
    at = open_view("skills", {"cmp": "pooled"})
    assert not any("No year has" in i.value for i in at.info)
    assert at.query_params["cmp"] in ("pooled", ["pooled"])


def test_matched_claims_standardise_to_one_year_mix():
    """Worked by hand: DS 100 postings in 2018 (SQL in 50) and 10 in 2024 (SQL in 1); ML 10 in 2018
    (SQL in 5) and 100 in 2024 (SQL in 10). Weights: 2018 (110/220) = 0.5, 2024 = 0.5.
    DS share = 0.5*50% + 0.5*10% = 30%; ML share = 0.5*50% + 0.5*10% = 30%: no difference, where
    pooled shares (51/110 = 46.4% vs 15/110 = 13.6%) differ only because of the years."""
    import pandas as pd

    from dashboard import queries
    from dashboard.claims import matched_claims

    counts, rp = [], []
    for role, year, n, sql in (
        ("data_scientist", 2018, 100, 50),
        ("data_scientist", 2024, 10, 1),
        ("ml_engineer", 2018, 10, 5),
        ("ml_engineer", 2024, 100, 10),
    ):
        rp.append({"role": role, "posted_year": year, "role_postings": n})
        counts.append(
            {"claim": "ds_sql", "role": role, "posted_year": year, "postings_mentioning": sql}
        )
    counts, rp = pd.DataFrame(counts), pd.DataFrame(rp)
    assert queries.matched_years(rp, ["data_scientist", "ml_engineer"], min_n=10) == [2018, 2024]
    assert queries.matched_years(rp, ["data_scientist", "ml_engineer"], min_n=30) == []
    table = matched_claims(counts, rp, [2018, 2024], ["data_scientist", "ml_engineer"])
    sql = table[table["claim"] == "Data Scientists use SQL"].set_index("role")
    assert sql.loc["Data Scientist", "share_pct"] == 30.0
    assert sql.loc["ML Engineer", "share_pct"] == 30.0
    assert sql.loc["Data Scientist", "role postings (n)"] == 110


def test_demand_caption_states_the_published_coverage(data_dir):
    """The fixture publishes 3 threads, 2026-01..2026-03, 90 postings: the caption says so,
    formatted from the manifest's coverage, not typed."""
    at = open_view("demand")
    text = " ".join(c.value for c in at.caption)
    assert (
        "Published record: 3 monthly threads, 2026-01..2026-03 (no month missing), 90 postings"
        in text
    )


def test_icons_are_material_symbols_not_emoji():
    """Debian's Chromium has no emoji font: an emoji icon draws as an empty box."""
    import re

    src = " ".join(p.read_text() for p in (Path(APP).parent).rglob("*.py"))
    icons = re.findall(r"(?:icon|page_icon)=\"([^\"]*)\"", src)
    assert icons and all(re.fullmatch(r":material/[a-z_]+:", i) for i in icons), icons


@pytest.mark.parametrize(
    ("name", "value"),
    [("LMD_RETRIES", "abc"), ("LMD_READ_TIMEOUT", "0"), ("LMD_KEEP_SNAPSHOTS", "-1")],
)
def test_invalid_setting_gives_a_page_naming_it(data_dir, monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(name in e.value for e in at.error), [e.value for e in at.error]
