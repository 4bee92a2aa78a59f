"""The Google Jobs source through the real fetch code and a local server: a month answering 404 is
"not published" (recorded in the coverage, not a failure); a month published before and gone now
keeps its last good copy; the 2023 file answering 404 fails the source and keeps the published data."""

from __future__ import annotations

from etl import pipeline, store
from tests.conftest import Resp, tree_sha256
from tests.support_gj import GJ_MONTH_PATH, GJ_SALARY_PATH

NAME = "google_jobs_data_roles"


def test_months_answering_404_are_not_published(served):
    server, settings = served
    report = pipeline.refresh(settings, [NAME])
    assert report.ok, report.outcomes
    assert report.outcomes[0].requests == 13  # the 2023 file and 12 months
    cov = store.read_manifest(settings.processed_dir)["sources"][NAME]["coverage"]
    assert cov["files_not_published"] == [f"job_postings_{m:02d}-2024.xlsx" for m in range(1, 12)]
    assert cov["all_postings_months"] == ["2024-12"]

    # December disappears from the server: the last good copy is kept, the month stays published
    server.route(GJ_MONTH_PATH.format(mm=12), Resp(404, b"gone"))
    report = pipeline.refresh(settings, [NAME])
    assert report.ok, report.outcomes
    cov = store.read_manifest(settings.processed_dir)["sources"][NAME]["coverage"]
    assert cov["all_postings_months"] == ["2024-12"]


def test_the_2023_file_answering_404_fails_the_source(served):
    server, settings = served
    assert pipeline.refresh(settings, [NAME]).ok
    before = tree_sha256(settings.processed_dir)
    server.route(GJ_SALARY_PATH, Resp(404, b"gone"))
    outcome = pipeline.refresh(settings, [NAME]).outcomes[0]
    assert not outcome.ok and "data_jobs_salary_all.xlsx: HTTP 404" in (outcome.error or "")
    assert tree_sha256(settings.processed_dir) == before
