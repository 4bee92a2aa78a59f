"""dashboard.serve: the warm start loads what the first script run would, and fails soft."""

from __future__ import annotations

import pytest

from dashboard import data, queries, queries_gj, serve
from tests.support_gj import publish_gj


def test_warm_start_loads_the_resident_tables_and_cubes_of_the_published_version(
    tmp_path, monkeypatch
):
    publish_gj(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    state = data.load_state()
    done = serve.warm()
    assert done["tables"] == [t for t in serve.WARM_TABLES if state.has(t)]
    assert "salary_counts" in done["tables"]
    assert {f"dashboard.queries.{n}" for n in queries.CUBES} <= set(done["cubes"])
    assert {f"dashboard.queries_gj.{n}" for n in queries_gj.CUBES} <= set(done["cubes"])
    # what the script runs then read is what warm() built, not a second copy
    for table in done["tables"]:
        assert state.table_file(table) in data._resident_tables
    file = state.table_file("hn_skill_counts")
    assert any(isinstance(k, tuple) and k[0] == file for k in data._frames)


def test_the_warm_tables_are_published_tables():
    from etl.schema import TABLES

    assert set(serve.WARM_TABLES) <= set(TABLES)


def test_warm_start_without_published_data_says_so_and_loads_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path / "empty"))
    done = serve.warm()
    assert "tables" not in done and "no published data" in str(done["store"])


def test_a_failing_warm_start_is_logged_and_does_not_raise(monkeypatch, capsys):
    def broken() -> dict:
        raise OSError("disk gone")

    monkeypatch.setattr(serve, "warm", broken)
    serve._warm_in_background()
    assert "warm start skipped (OSError: disk gone)" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [[], ["--server.port", "8600"]])
def test_serve_runs_streamlit_on_the_app_with_the_options_given(monkeypatch, argv):
    import sys

    from streamlit.web import cli

    seen = {}
    monkeypatch.setattr(cli, "main", lambda: seen.setdefault("argv", list(sys.argv)))
    monkeypatch.setattr(serve, "_warm_in_background", lambda: None)
    monkeypatch.setattr(sys, "argv", ["serve"])
    serve.main(argv)
    assert seen["argv"] == ["streamlit", "run", str(serve.APP), *argv]


def test_a_build_blocks_only_its_own_key_and_runs_once():
    import threading
    import time

    store: dict = {}
    calls = []
    started = threading.Event()

    def slow() -> str:
        calls.append("slow")
        started.set()
        time.sleep(0.5)
        return "slow"

    threads = [threading.Thread(target=data._memo, args=(store, "a", slow, 8)) for _ in range(2)]
    for t in threads:
        t.start()
    started.wait(5)
    t0 = time.monotonic()
    # another key, and a nested build of the same key in another store, while "a" builds
    other = data._memo(store, "b", lambda: data._memo({}, "b", lambda: "inner", 8), 8)
    waited = time.monotonic() - t0
    for t in threads:
        t.join(5)
    assert other == "inner" and store["a"] == "slow" and calls == ["slow"]
    assert waited < 0.4  # did not wait for the build of "a"
