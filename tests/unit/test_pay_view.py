"""AppTest of the Pay view on a hand-made published data set (tests/support.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from tests.support import publish_fixture

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):
    publish_fixture(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    return tmp_path


def open_pay(params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (params or {}).items():
        at.query_params[k] = v
    at.run()
    # notices about the URL are shown on the page the link opens (the overview, in AppTest)
    at.first_warnings = [w.value for w in at.warning]  # type: ignore[attr-defined]
    at.switch_page("views/pay.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_pay_view_shows_medians_with_n(data_dir):
    at = open_pay()
    m = metrics(at)
    # 40 data scientists 100,000..139,000 -> median 119,500; 30 ML engineers 130,000..159,000 -> 144,500
    # (the 5 German rows are data scientists too: 45 in all, median is the 23rd value)
    assert m["Data Scientist median"] == "$117,000"
    assert m["ML Engineer median"] == "$144,500"
    captions = " ".join(c.value for c in at.caption)
    assert "n = 45" in captions and "n = 30" in captions
    table = at.dataframe[0].value
    assert list(table["n"]) == [45, 30]


def test_filter_changes_the_numbers_and_the_url(data_dir):
    at = open_pay()
    at.multiselect(key="country").set_value(["US"]).run()
    m = metrics(at)
    assert m["Data Scientist median"] == "$119,500"
    assert at.query_params["country"] == ["US"] or at.query_params["country"] == "US"
    at.select_slider(key="period").set_range("2024", "2024").run()
    m = metrics(at)
    # 2024 US data scientists: 100,000..119,000 -> 109,500; ML engineers 130,000..144,000 -> 137,000
    assert m["Data Scientist median"] == "$109,500"
    assert m["ML Engineer median"] == "$137,000"


def test_small_slice_shows_no_statistic(data_dir):
    at = open_pay()
    at.multiselect(key="country").set_value(["DE"]).run()
    m = metrics(at)
    assert m["Data Scientist median"] == "too few responses"  # n = 5
    assert m["ML Engineer median"] == "too few responses"  # n = 0
    assert "ML engineer minus data scientist median" not in m
    table = at.dataframe[0].value
    assert (table["Median"] == "too few responses").all()


def test_query_params_restore_filters(data_dir):
    at = open_pay({"country": ["US"], "period_from": "2024", "period_to": "2024", "def": "broad"})
    assert at.multiselect(key="country").value == ["US"]
    assert at.select_slider(key="period").value == ("2024", "2024")
    assert at.radio(key="def").value == "broad"
    m = metrics(at)
    # broad adds the Lead Data Scientist (150,000): 21 values 100,000..119,000 + 150,000 -> median 110,000
    assert m["Data Scientist median"] == "$110,000"


def test_invalid_url_values_are_dropped_with_a_notice(data_dir):
    at = open_pay({"period_from": ["abc", "2024"], "country": ["ZZ"], "exp": ["SE"] * 500})
    assert at.select_slider(key="period").value == (
        "2024",
        "2024",
    )  # the fixture's years: 2023, 2024
    assert at.multiselect(key="exp").value == ["SE"]
    assert at.multiselect(key="country").value == []
    warnings = " ".join(at.first_warnings + [w.value for w in at.warning])
    assert "'abc'" in warnings and "'ZZ'" in warnings
    assert "only the first 200 were read" in warnings


def test_gap_with_interval_and_bls_panel(data_dir):
    at = open_pay()
    m = metrics(at)
    assert m["ML engineer minus data scientist median"] == "+$27,500"
    text = " ".join(c.value for c in at.caption)
    assert "95% bootstrap interval" in text
    assert "proxies" in " ".join(c.value for c in at.caption) or "proxy" in text
    labels = [b.label for b in at.get("download_button")]
    assert any("filtered rows" in lbl for lbl in labels)


def test_no_data_page_explains_the_fix(tmp_path, monkeypatch):
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path / "empty"))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "No data to show yet" in at.error[0].value
    assert "make etl" in " ".join(md.value for md in at.markdown)


def test_no_data_page_says_what_failed(tmp_path, monkeypatch):
    from etl.state import save_state

    save_state(
        tmp_path / "state",
        {"aijobs_salaries": {"last_error": "FetchError: cannot resolve raw.githubusercontent.com"}},
    )
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    text = " ".join(md.value for md in at.markdown)
    assert "cannot resolve raw.githubusercontent.com" in text and "aijobs_salaries" in text


def test_unknown_link_parameters_are_dropped_with_a_notice(data_dir):
    at = open_pay({"year": "2024", "hn_def": "anywhere", "country": "US"})
    warnings = " ".join(at.first_warnings)
    assert "Ignored unknown parameter(s) in the link: 'year', 'hn_def'" in warnings
    assert "year" not in at.query_params and at.query_params["country"] in ("US", ["US"])


def test_identical_rows_can_be_counted_once(tmp_path, monkeypatch):
    from tests.support import salaries_csv

    # three more copies of the first US data scientist row (100,000): 48 rows, 3 exact repeats
    first = next(line for line in salaries_csv().splitlines() if ",Data Scientist,100000," in line)
    publish_fixture(tmp_path, csv=salaries_csv() + "\n".join([first] * 3) + "\n")
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    at = open_pay({"country": "US"})
    assert (
        metrics(at)["Data Scientist median"] == "$118,000"
    )  # 43 values: 100,000 x4, then 101,000..139,000
    assert "3 of the slice's 73 rows (4%) repeat another row exactly and are kept" in " ".join(
        c.value for c in at.caption
    )
    at.radio(key="dups").set_value("once").run()
    assert metrics(at)["Data Scientist median"] == "$119,500"  # back to the 40 distinct responses
    assert at.query_params["dups"] in ("once", ["once"])


def test_tables_from_an_older_code_version_are_rebuilt_not_misread(tmp_path, monkeypatch):
    import json

    from etl import pipeline
    from etl.config import load_settings
    from etl.state import save_state

    publish_fixture(tmp_path)
    mpath = tmp_path / "processed" / "manifest.json"
    m = json.loads(mpath.read_text())
    m["tables"]["salaries"]["columns"].remove(
        "is_exact_duplicate"
    )  # as written before that column existed
    mpath.write_text(json.dumps(m))
    save_state(tmp_path / "state", {"aijobs_salaries": {"last_success": "2099-01-01T00:00:00Z"}})
    settings = load_settings(data_dir=tmp_path)
    # the fixture publish also lacks the title map published since, which is outdated too
    assert pipeline.outdated_tables(settings, "aijobs_salaries")[0] == "salaries"
    assert pipeline.is_stale(settings, "aijobs_salaries")  # despite a success "in the future"
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "written by an older version of the code" in at.error[0].value


def test_survey_beside_bls_for_the_same_year(data_dir):
    from dashboard import data, queries

    both = queries.survey_vs_bls(data.load_state(), "strict").set_index("year")
    # fixture: US data scientists of 2024 paid 100,000..119,000 (median 109,500), of 2023
    # 120,000..139,000 (median 129,500); BLS 15-2051 medians 108,020 (2023) and 112,590 (2024)
    assert both.loc[2024, "survey_median_usd"] == 109_500
    assert both.loc[2023, "survey_median_usd"] == 129_500
    assert both.loc[2024, "n"] == 20
    assert both.loc[2023, "survey_minus_bls_usd"] == 129_500 - 108_020
    at = open_pay()
    assert any("Latest common year 2024" in c.value for c in at.caption)


def test_posted_pay_panel_shows_ranges_with_n(tmp_path, monkeypatch):
    """Fixture HN: 6 ML-engineer postings a month post $150k-$190k (midpoint 170,000), 3 months."""
    from tests.support import publish_all

    publish_all(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    at = open_pay()
    table = next(d.value for d in at.dataframe if "posted median" in d.value.columns)
    ml = table[table["role"] == "ML Engineer"].iloc[0]
    assert ml["posted median"] == "$170,000" and ml["USD/year ranges (n)"] == 18
    assert ml["share stating pay (%)"] == 100.0
    ds = table[table["role"] == "Data Scientist"].iloc[0]
    assert ds["stating pay"] == 0 and ds["posted median"] == "—"
    # every fixture range is in US dollars: the all-currency median is the same
    assert ml["posted median, all currencies"] == "$170,000" and ml["ranges without a rate"] == 0
    from etl.transform.fx import FX_SOURCE

    assert any(FX_SOURCE in c.value for c in at.caption)


def test_like_for_like_gap_beside_the_raw_gap(tmp_path, monkeypatch):
    """ML engineers 80% senior, data scientists 20%; seniors earn 200,000 and mid-level 100,000 in
    both roles (same company size, country and year): the raw gap is +100,000, like for like 0."""
    from tests.support import HEADER

    rows = [HEADER]
    for title, seniors in (("Machine Learning Engineer", 24), ("Data Scientist", 6)):
        for i in range(30):
            level, sal = ("SE", 200_000) if i < seniors else ("MI", 100_000)
            rows.append(f"2024,{level},FT,{title},{sal},USD,{sal},US,0,US,L")
    publish_fixture(tmp_path, csv="\n".join(rows) + "\n")
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    at = open_pay()
    m = metrics(at)
    assert m["ML engineer minus data scientist median"] == "+$100,000"
    assert m["Like-for-like: ML engineer minus data scientist median"] == "+$0"
    text = " ".join(c.value for c in at.caption)
    assert "2 cells both roles have" in text and "n = 30 ML engineers, 30 data scientists" in text
    mix = next(d.value for d in at.dataframe if "reference mix (%)" in d.value.columns)
    senior = mix[(mix["dimension"] == "Experience level") & (mix["level"] == "Senior")].iloc[0]
    assert (
        senior["ML Engineer (%)"],
        senior["Data Scientist (%)"],
        senior["reference mix (%)"],
    ) == (80.0, 20.0, 50.0)


def test_posted_pay_below_min_n_is_hidden_and_said(tmp_path, monkeypatch):
    """A role x year with fewer than MIN_N posted ranges shows n and no statistic, in words; the
    published table's median is there (the fixture's 18 ranges), the view hides it for the n."""
    from dashboard import metrics, queries
    from tests.support import publish_all

    publish_all(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    real = queries.posted_pay_yearly

    def fewer(state, sc):
        table = real(state, sc)
        ml = table["role"] == "ml_engineer"
        return table.assign(
            ranges_usd_year=table["ranges_usd_year"].where(~ml, metrics.MIN_N - 1),
            ranges_all_currencies=table["ranges_all_currencies"].where(~ml, metrics.MIN_N - 1),
        )

    monkeypatch.setattr(queries, "posted_pay_yearly", fewer)
    data.clear_query_results()
    at = open_pay()
    table = next(d.value for d in at.dataframe if "posted median" in d.value.columns)
    ml = table[table["role"] == "ML Engineer"].iloc[0]
    assert ml["USD/year ranges (n)"] == metrics.MIN_N - 1
    few = f"too few ranges (n < {metrics.MIN_N})"
    assert [ml["posted P25"], ml["posted median"], ml["posted P75"]] == [few] * 3
    assert ml["posted median, all currencies"] == few
    assert "$170,000" not in table.to_string()
