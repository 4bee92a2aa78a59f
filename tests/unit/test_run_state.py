"""One published version per script run: app.py reads the manifest once (data.begin_run) and every
page takes that state (data.run_state), so a refresh publishing in the middle of a run never mixes
two versions on one page. AppTest runs the script in this process, so wrapping data.load_state
counts and interferes with the real reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from dashboard import data
from tests.support import publish_all, publish_fixture, salaries_csv

APP = str(Path(__file__).resolve().parents[2] / "dashboard" / "app.py")
VIEWS = ("overview", "pay", "demand", "skills", "methods")


@pytest.fixture()
def data_dir(tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    publish_all(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    return tmp_path


@pytest.fixture()
def reads(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The version each manifest read returned, in order."""
    seen: list[str] = []
    real = data.load_state

    def counting() -> data.DataState:
        state = real()
        seen.append(state.version)
        return state

    monkeypatch.setattr(data, "load_state", counting)
    return seen


@pytest.mark.parametrize("view", VIEWS)
def test_each_script_run_reads_the_manifest_once(data_dir, reads, view) -> None:  # type: ignore[no-untyped-def]
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    at.switch_page(f"views/{view}.py").run()
    at.radio(key="def").set_value("broad").run()
    assert not at.exception, [e.value for e in at.exception]
    assert len(reads) == 3  # three script runs, one read each


def test_a_publish_during_a_run_does_not_reach_the_page(data_dir, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A refresh publishes right after app.py read the manifest: the page shows (and reads the
    files of) the version its run started with; the next run shows the new one."""
    real = data.load_state
    armed, published = [False], []

    def read_then_publish() -> data.DataState:
        state = real()
        if armed[0]:
            armed[0] = False
            fewer = "\n".join(salaries_csv().splitlines()[:-5]) + "\n"  # the 5 German rows gone
            published.append(publish_fixture(data_dir, csv=fewer)["version"])
        return state

    monkeypatch.setattr(data, "load_state", read_then_publish)
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    old = real().version
    armed[0] = True
    at.switch_page("views/methods.py").run()
    assert not at.exception, [e.value for e in at.exception]
    [new] = published
    assert new != old
    assert f"Published version {old}" in _text(at) and new not in _text(at)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert f"Published version {new}" in _text(at)


def _text(at: AppTest) -> str:
    return " ".join([*(c.value for c in at.caption), *(m.value for m in at.markdown)])
