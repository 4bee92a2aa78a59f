"""HttpClient.download against a local server on 127.0.0.1 (the real requests stack), and the
mirror adapter against a folder written here."""

from __future__ import annotations

import gzip
import hashlib
import time
from pathlib import Path

import pytest

from etl import pipeline
from etl.config import load_settings
from etl.http import ContentError, FetchError, HttpClient, mirror_relpath
from tests.conftest import AIJOBS_HOST_PATH, CONTACT, Resp, aijobs_csv

CSV = b"a,b\n1,2\n"
HTML = b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body>login</body></html>\n"


@pytest.fixture
def client(server, settings):  # type: ignore[no-untyped-def]
    sleeps: list[float] = []
    c = HttpClient(settings.with_overrides(mirror=server.url), sleep=sleeps.append)
    c.sleeps = sleeps  # type: ignore[attr-defined]
    yield c
    c.close()


URL = "https://example.org/data/file.csv"
PATH = "/example.org/data/file.csv"


def test_prefix_mirror_rewrites_url(client, server) -> None:  # type: ignore[no-untyped-def]
    assert client.effective_url("https://h.org/a/b?x=1") == f"{server.url}/h.org/a/b?x=1"


def test_200_writes_file_and_returns_metadata(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(
        PATH,
        Resp(body=CSV, headers={"Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}, etag='"v1"'),
    )
    d = client.download(URL, tmp_path / "f.csv", expect="csv")
    assert (tmp_path / "f.csv").read_bytes() == CSV
    assert (d.status, d.bytes, d.etag, d.last_modified) == (
        200,
        8,
        '"v1"',
        "Wed, 01 Jan 2025 00:00:00 GMT",
    )
    assert d.sha256 == hashlib.sha256(CSV).hexdigest()
    assert d.final_url == f"{server.url}{PATH}"


def test_user_agent_is_descriptive_and_names_contact(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(body=CSV))
    client.download(URL, tmp_path / "f.csv", expect="csv")
    ua = server.seen[0].headers["User-Agent"]
    assert ua.startswith("labor-market-dashboard/")
    assert CONTACT in ua


def test_503_then_200_is_retried(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(503, b"busy"), Resp(503, b"busy"), Resp(body=CSV))
    client.download(URL, tmp_path / "f.csv", expect="csv")
    assert server.count(PATH) == 3
    assert client.sleeps == [0.01, 0.02]  # backoff 0.01 * 2**attempt
    assert (tmp_path / "f.csv").read_bytes() == CSV


def test_503_forever_fails_after_retries(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(503, b"busy"))
    with pytest.raises(FetchError, match=r"HTTP 503 .* after 3 attempts") as ei:
        client.download(URL, tmp_path / "f.csv", expect="csv")
    assert URL in str(ei.value)
    assert server.count(PATH) == 3
    assert not (tmp_path / "f.csv").exists()


def test_429_retry_after_is_honoured(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(429, b"slow down", headers={"Retry-After": "1"}), Resp(body=CSV))
    client.download(URL, tmp_path / "f.csv", expect="csv")
    assert client.sleeps == [1.0]
    assert server.count(PATH) == 2


def test_retry_after_above_cap_is_a_clear_error(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(429, b"", headers={"Retry-After": "3600"}))
    with pytest.raises(FetchError, match="LMD_MAX_RETRY_AFTER") as ei:
        client.download(URL, tmp_path / "f.csv", expect="csv")
    assert "3600 s" in str(ei.value) and URL in str(ei.value)
    assert client.sleeps == []
    assert server.count(PATH) == 1


def test_read_timeout_retried_then_fails_naming_url(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(body=CSV, delay=1.0))  # read_timeout is 0.5 s
    with pytest.raises(FetchError, match="Timeout") as ei:
        client.download(URL, tmp_path / "f.csv", expect="csv")
    assert URL in str(ei.value) and "after 3 attempts" in str(ei.value)
    assert server.count(PATH) == 3


def test_truncated_body_fails_and_leaves_no_partial_file(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = aijobs_csv(200)
    server.route(PATH, Resp(body=body, mode="truncate"))
    dest = tmp_path / "out" / "f.csv"
    with pytest.raises(FetchError, match="after 3 attempts") as ei:
        client.download(URL, dest, expect="csv")
    assert URL in str(ei.value)
    assert server.count(PATH) == 3
    assert list(dest.parent.iterdir()) == []  # neither dest nor a .part file


def test_truncated_then_complete_succeeds(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = aijobs_csv(200)
    server.route(PATH, Resp(body=body, mode="truncate"), Resp(body=body))
    client.download(URL, tmp_path / "f.csv", expect="csv")
    assert (tmp_path / "f.csv").read_bytes() == body


def test_connection_reset_is_retried(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(mode="reset"), Resp(body=CSV))
    client.download(URL, tmp_path / "f.csv", expect="csv")
    assert server.count(PATH) == 2


def test_html_with_200_is_content_error(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(body=HTML))
    with pytest.raises(ContentError, match="HTML page"):
        client.download(URL, tmp_path / "f.csv", expect="csv")
    assert not (tmp_path / "f.csv").exists()
    assert server.count(PATH) == 1


def test_empty_body_is_content_error(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(body=b""))
    with pytest.raises(ContentError, match="empty body"):
        client.download(URL, tmp_path / "f.csv", expect="csv")
    assert not (tmp_path / "f.csv").exists()


@pytest.mark.parametrize(
    ("expect", "body", "message"),
    [
        ("zip", b"hello,world\n", "not a zip"),
        ("json", b"a,b\n1,2\n", "not JSON"),
        ("csv", b"PK\x03\x04\x00\x00binary", "binary"),
    ],
)
def test_wrong_kind_of_body_is_content_error(
    client, server, tmp_path, expect, body, message
) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(body=body))
    with pytest.raises(ContentError, match=message):
        client.download(URL, tmp_path / "f", expect=expect)


def test_body_over_size_cap_declared(server, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    c = HttpClient(settings.with_overrides(mirror=server.url, max_bytes=100))
    server.route(PATH, Resp(body=b"a,b\n" + b"1,2\n" * 100))
    with pytest.raises(FetchError, match="LMD_MAX_BYTES") as ei:
        c.download(URL, tmp_path / "f.csv", expect="csv")
    assert "404 bytes" in str(ei.value) and "100" in str(ei.value)
    assert server.count(PATH) == 1  # not retried
    assert not (tmp_path / "f.csv").exists()


def test_body_over_size_cap_while_streaming(server, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """No Content-Length (chunked answer from http.server is hard; use a lying small one):
    the cap is enforced on bytes actually read."""
    c = HttpClient(settings.with_overrides(mirror=server.url, max_bytes=100))
    server.route(PATH, Resp(body=b"a,b\n" + b"1,2\n" * 100, headers={"Content-Length": "50"}))
    # a Content-Length of 50 makes the client stop at 50 bytes: under the cap, so it succeeds
    d = c.download(URL, tmp_path / "f.csv", expect="csv")
    assert d.bytes == 50
    c.settings = settings.with_overrides(mirror=server.url, max_bytes=40)
    with pytest.raises(FetchError, match="LMD_MAX_BYTES"):
        c.download(URL, tmp_path / "g.csv", expect="csv")
    assert not list(tmp_path.glob(".g.csv.part-*")) and not (tmp_path / "g.csv").exists()


def test_404_is_fetch_error_with_status(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FetchError) as ei:
        client.download(URL, tmp_path / "f.csv", expect="csv")
    assert ei.value.status == 404 and URL in str(ei.value)
    assert server.count(PATH) == 1


def test_conditional_get_sends_validators_and_handles_304(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    server.route(PATH, Resp(body=CSV, etag='"abc"'))
    d = client.download(URL, tmp_path / "f.csv", expect="csv", etag='"abc"', last_modified="x")
    assert d.not_modified and d.status == 304
    assert server.seen[0].headers["If-None-Match"] == '"abc"'
    assert not (tmp_path / "f.csv").exists()


def test_pipeline_reuses_snapshot_on_304(served) -> None:  # type: ignore[no-untyped-def]
    server, settings = served
    server.route(AIJOBS_HOST_PATH, Resp(body=aijobs_csv(120), etag='"v1"'))
    first = pipeline.refresh(settings, ["aijobs_salaries"])
    second = pipeline.refresh(settings, ["aijobs_salaries"])
    assert first.ok and second.ok
    assert second.outcomes[0].snapshot_id == first.outcomes[0].snapshot_id
    hits = [s for s in server.seen if s.path == AIJOBS_HOST_PATH]
    assert "If-None-Match" not in hits[0].headers
    assert hits[1].headers["If-None-Match"] == '"v1"'
    folders = [p.name for p in (settings.raw_dir / "aijobs_salaries").iterdir()]
    assert folders == [first.outcomes[0].snapshot_id]


# --------------------------------------------------------------------------------------------
# Mirror folder adapter


def test_mirror_relpath_sorts_and_decodes_query() -> None:
    expected = "hn.algolia.com/api/v1/search_by_date?hitsPerPage=1000&tags=story,author_whoishiring"
    for url in (
        "https://hn.algolia.com/api/v1/search_by_date?tags=story,author_whoishiring&hitsPerPage=1000",
        "https://hn.algolia.com/api/v1/search_by_date?tags=story%2Cauthor_whoishiring&hitsPerPage=1000",
    ):
        assert mirror_relpath(url) == expected
    assert mirror_relpath("https://www.bls.gov/oes/x.zip") == "www.bls.gov/oes/x.zip"


def test_mirror_folder_serves_files_and_404s(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "mirror"
    f = root / "hn.algolia.com/api/v1/search_by_date?hitsPerPage=1000&tags=story,author_whoishiring"
    f.parent.mkdir(parents=True)
    f.write_bytes(b'{"hits": []}')
    c = HttpClient(settings.with_overrides(mirror=str(root)))
    url = "https://hn.algolia.com/api/v1/search_by_date?tags=story%2Cauthor_whoishiring&hitsPerPage=1000"
    d = c.download(url, tmp_path / "out.json", expect="json")
    assert (tmp_path / "out.json").read_bytes() == b'{"hits": []}' and d.bytes == 12
    # the adapter answers If-None-Match like a live server
    again = c.download(url, tmp_path / "out2.json", expect="json", etag=d.etag)
    assert again.not_modified
    with pytest.raises(FetchError) as ei:
        c.download("https://hn.algolia.com/api/v1/items/1", tmp_path / "x.json", expect="json")
    assert ei.value.status == 404
    assert "https://hn.algolia.com/api/v1/items/1" in str(ei.value)


def test_missing_mirror_folder_is_an_error(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FetchError, match="does not exist"):
        HttpClient(settings.with_overrides(mirror=str(tmp_path / "nope")))


@pytest.mark.mirror
def test_real_mirror_layout_matches_mirror_relpath() -> None:
    """The mapping agrees with the files in ../shared/mirror (read only, nothing copied)."""
    from tests.mirror import MIRROR_DIR

    for url in (
        "https://hn.algolia.com/api/v1/search_by_date?tags=story,author_whoishiring&hitsPerPage=1000",
        "https://raw.githubusercontent.com/foorilla/ai-jobs-net-salaries/main/salaries.csv",
        "https://www.bls.gov/oes/special-requests/oesm23nat.zip",
    ):
        assert (MIRROR_DIR / mirror_relpath(url)).is_file(), url


# --------------------------------------------------------------------------------------------
# Deadline for one whole download (LMD_DOWNLOAD_DEADLINE) and corrupt compressed bodies


def test_trickling_server_hits_the_deadline_not_retried(server, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A piece every 0.2 s never trips the 0.5 s read timeout; the 1 s deadline stops it."""
    c = HttpClient(settings.with_overrides(mirror=server.url, download_deadline=1.0))
    body = aijobs_csv(200)
    server.route(PATH, Resp(body=body, mode="slow", delay=6.0, chunks=30))  # 30 pieces, 6 s
    dest = tmp_path / "out" / "f.csv"
    t0 = time.monotonic()
    with pytest.raises(FetchError, match=r"deadline of 1 s \(LMD_DOWNLOAD_DEADLINE\)") as ei:
        c.download(URL, dest, expect="csv")
    elapsed = time.monotonic() - t0
    assert URL in str(ei.value) and "not retried" in str(ei.value)
    assert 1.0 <= elapsed < 2.0  # at most one piece (0.2 s) past the deadline
    assert server.count(PATH) == 1
    assert list(dest.parent.iterdir()) == []  # neither dest nor a .part file


def test_slow_download_within_the_deadline_succeeds(server, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    c = HttpClient(settings.with_overrides(mirror=server.url, download_deadline=5.0))
    body = aijobs_csv(200)
    server.route(PATH, Resp(body=body, mode="slow", delay=1.0, chunks=5))
    d = c.download(URL, tmp_path / "f.csv", expect="csv")
    assert d.bytes == len(body) and (tmp_path / "f.csv").read_bytes() == body


def test_download_deadline_setting_is_read_and_checked(monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert load_settings(data_dir=tmp_path).download_deadline == 600.0
    monkeypatch.setenv("LMD_DOWNLOAD_DEADLINE", "2.5")
    assert load_settings(data_dir=tmp_path).download_deadline == 2.5
    monkeypatch.setenv("LMD_DOWNLOAD_DEADLINE", "0")
    with pytest.raises(ValueError, match="LMD_DOWNLOAD_DEADLINE"):
        load_settings(data_dir=tmp_path)


GZIP_HEADERS = {"Content-Encoding": "gzip"}


def test_corrupt_gzip_is_retried_then_names_the_url(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    bad = b"\x1f\x8b\x08\x00" + b"this is not deflate data" * 10
    server.route(PATH, Resp(body=bad, headers=GZIP_HEADERS))
    with pytest.raises(FetchError, match=r"corrupt gzip body") as ei:
        client.download(URL, tmp_path / "f.csv", expect="csv")
    assert URL in str(ei.value) and "after 3 attempts" in str(ei.value)
    assert server.count(PATH) == 3
    assert list(tmp_path.iterdir()) == []


def test_corrupt_gzip_then_good_gzip_succeeds(client, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    body = aijobs_csv(200)
    server.route(
        PATH,
        Resp(body=b"not gzip at all", headers=GZIP_HEADERS),
        Resp(body=gzip.compress(body), headers=GZIP_HEADERS),
    )
    d = client.download(URL, tmp_path / "f.csv", expect="csv")
    assert (tmp_path / "f.csv").read_bytes() == body and d.bytes == len(body)
    assert server.count(PATH) == 2


def test_unresolvable_host_fails_at_once_without_retries(tmp_path, monkeypatch):
    """No network: the name does not resolve. One attempt, no backoff sleeps, a message that
    says so and how to work offline (make run must not hang for a minute before the dashboard)."""
    import socket

    from etl.config import Settings
    from etl.http import FetchError, HttpClient

    def no_dns(*_a, **_k):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    sleeps: list[float] = []
    client = HttpClient(Settings(data_dir=tmp_path, retries=4, backoff=1.0), sleep=sleeps.append)
    with pytest.raises(FetchError) as info:
        client.download("https://data.example.invalid/x.csv", tmp_path / "x.csv", expect="csv")
    assert "cannot resolve host data.example.invalid" in str(info.value)
    assert "--mirror" in str(info.value)
    assert sleeps == [] and client.requests_made == ["https://data.example.invalid/x.csv"]
