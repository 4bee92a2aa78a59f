"""dashboard.data._memo: the per-process store of resident tables, frames and cubes."""

from __future__ import annotations

from dashboard import data


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


def test_settle_resident_sets_data_aside_once_per_change(monkeypatch):
    import gc

    monkeypatch.setattr(data, "_frames", {})
    monkeypatch.setattr(data, "_settled", [None])
    try:
        data._memo(data._frames, "f1", lambda: {"cube": [1, 2, 3]}, 8)
        assert data.settle_resident() is True  # new resident data: collected and set aside
        assert gc.get_freeze_count() > 0
        assert data.settle_resident() is False  # nothing new: no collection
        data._memo(data._frames, "f2", lambda: {"cube": [4]}, 8)
        assert data.settle_resident() is True
    finally:
        gc.unfreeze()


def test_query_results_are_kept_per_query_and_handed_out_as_copies(tmp_path, monkeypatch):
    from tests.support import publish_fixture

    publish_fixture(tmp_path)
    monkeypatch.setenv("LMD_DATA_DIR", str(tmp_path))
    data.clear_query_results()
    runs = []
    query = data._query

    def counted(*args):
        runs.append(args[1])
        return query(*args)

    monkeypatch.setattr(data, "_query", counted)
    state = data.load_state()
    sql = "SELECT work_year, sum(n)::BIGINT AS n FROM {salary_counts} GROUP BY 1 ORDER BY 1"
    first = data.run_query(state, sql, (), ("salary_counts",))
    first.loc[0, "n"] = -1  # a caller's change stays in its copy
    again = data.run_query(state, sql, (), ("salary_counts",))
    assert len(runs) == 1 and (again["n"] > 0).all() and len(again) == len(first)
    # another parameter is another query
    data.run_query(
        state, sql.replace("GROUP BY 1", "WHERE n > ? GROUP BY 1"), (0,), ("salary_counts",)
    )
    assert len(runs) == 2
    data.clear_query_results()
    data.run_query(state, sql, (), ("salary_counts",))
    assert len(runs) == 3
