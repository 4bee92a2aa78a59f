"""The one HTTP client of the ETL: a requests.Session with timeouts, bounded retries, a descriptive
User-Agent, conditional GET, streamed downloads with a size cap, a deadline and a content check.

Reads URLs (or a mirror folder); writes downloaded bytes to a path given by the caller, atomically.
"""

from __future__ import annotations

import email.utils
import hashlib
import io
import logging
import os
import socket
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import requests
import urllib3
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import DecodeError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import SSLError as Urllib3SSLError

from etl.config import Settings

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
CHUNK = 1 << 16


class FetchError(RuntimeError):
    """A download failed for a reason a person can act on; the message names URL and cause."""

    def __init__(self, message: str, *, url: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class ContentError(FetchError):
    """The bytes are not what was expected (an HTML page instead of CSV, an empty file, ...)."""


@dataclass(frozen=True)
class Download:
    url: str
    final_url: str
    status: int
    etag: str | None
    last_modified: str | None
    bytes: int
    sha256: str
    not_modified: bool = False


# --------------------------------------------------------------------------------------------
# Mirror: ../shared/mirror lays out one file per GET at <host>/<path>[?<sorted, decoded query>]


def mirror_relpath(url: str) -> str:
    """The mirror file name of a URL (see shared/mirror/README.md: sorted, percent-decoded query)."""
    parts = urlsplit(url)
    path = parts.netloc + (parts.path or "/")
    if parts.query:
        pairs = sorted(parse_qsl(parts.query, keep_blank_values=True), key=lambda kv: kv[0])
        path += "?" + "&".join(f"{k}={v}" for k, v in pairs)
    return path


def _file_etag(path: Path) -> str:
    st = path.stat()
    return f'"{st.st_size:x}-{int(st.st_mtime):x}"'


class MirrorAdapter(BaseAdapter):
    """A transport adapter answering every GET from a folder; a missing file is a 404.

    It honours If-None-Match with an ETag made of the file's size and mtime, so a second
    refresh from an unchanged mirror exercises the same 304 path as the live sites.
    """

    def __init__(self, root: Path) -> None:
        super().__init__()
        self.root = Path(root)

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:  # type: ignore[override]
        resp = requests.Response()
        resp.url = request.url or ""
        resp.request = request
        resp.encoding = None
        rel = mirror_relpath(request.url or "")
        path = self.root / rel
        resp.headers = CaseInsensitiveDict()
        if not path.is_file() or ".." in Path(rel).parts:
            resp.status_code = 404
            resp.reason = "Not Found (no file in mirror)"
            resp.raw = io.BytesIO(b"")
            return resp
        etag = _file_etag(path)
        if request.headers.get("If-None-Match") == etag:
            resp.status_code = 304
            resp.reason = "Not Modified"
            resp.raw = io.BytesIO(b"")
            resp.headers["ETag"] = etag
            return resp
        resp.status_code = 200
        resp.reason = "OK"
        resp.headers["Content-Length"] = str(path.stat().st_size)
        resp.headers["ETag"] = etag
        resp.headers["Last-Modified"] = email.utils.formatdate(path.stat().st_mtime, usegmt=True)
        resp.raw = open(path, "rb")  # noqa: SIM115 - closed by Response.close()
        return resp

    def close(self) -> None:
        pass


# --------------------------------------------------------------------------------------------
# Content checks: never accept an error page or an empty file as data


def looks_like_html(head: bytes) -> bool:
    h = head.lstrip().lower()[:1024]
    return h.startswith((b"<!doctype html", b"<html", b"<head", b"<body")) or b"<html" in h[:256]


def check_content(path: Path, expect: str, url: str) -> None:
    size = path.stat().st_size
    if size == 0:
        raise ContentError(f"empty body from {url} (expected {expect})", url=url)
    with open(path, "rb") as fh:
        head = fh.read(2048)
    if looks_like_html(head):
        raise ContentError(
            f"got an HTML page from {url} where {expect} was expected "
            "(an error or login page served with status 200?)",
            url=url,
        )
    if expect == "zip":
        if not head.startswith(b"PK\x03\x04") or not zipfile.is_zipfile(path):
            raise ContentError(f"body from {url} is not a zip archive", url=url)
    elif expect == "json":
        if head.lstrip()[:1] not in (b"{", b"["):
            raise ContentError(f"body from {url} is not JSON (starts with {head[:40]!r})", url=url)
    elif expect == "csv":
        if b"\x00" in head:
            raise ContentError(f"body from {url} is binary, not CSV", url=url)
        if b"," not in head.split(b"\n", 1)[0]:
            raise ContentError(f"body from {url} has no comma-separated header line", url=url)


# --------------------------------------------------------------------------------------------


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        dt = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, dt.timestamp() - time.time())


class HttpClient:
    """Used by every source. `download` is the only way the ETL touches the network."""

    def __init__(self, settings: Settings, sleep: Callable[[float], None] = time.sleep) -> None:
        self.settings = settings
        self.sleep = sleep
        self.session = requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers["Accept-Encoding"] = "gzip, deflate"
        self.requests_made: list[str] = []
        self._prefix: str | None = None
        mirror = settings.mirror
        if mirror:
            if mirror.startswith(("http://", "https://")):
                # NOTE: a local test server laid out like the mirror: https://host/path -> prefix/host/path
                self._prefix = mirror.rstrip("/")
            else:
                root = Path(mirror).expanduser()
                if not root.is_dir():
                    raise FetchError(f"mirror folder {root} does not exist")
                adapter = MirrorAdapter(root)
                self.session.mount("https://", adapter)
                self.session.mount("http://", adapter)

    def effective_url(self, url: str) -> str:
        if self._prefix is None:
            return url
        parts = urlsplit(url)
        rewritten = f"{self._prefix}/{parts.netloc}{parts.path}"
        return rewritten + (f"?{parts.query}" if parts.query else "")

    def close(self) -> None:
        self.session.close()

    def download(
        self,
        url: str,
        dest: Path,
        *,
        expect: str,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> Download:
        """GET `url` into `dest` (atomically), retrying transient failures.

        With `etag`/`last_modified` from the previous snapshot a conditional GET is made; a 304
        returns `Download(not_modified=True)` and leaves `dest` untouched.
        """
        s = self.settings
        target = self.effective_url(url)
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        last_error = "no attempt made"
        for attempt in range(s.retries + 1):
            wait = s.backoff * (2**attempt)
            resp: requests.Response | None = None
            try:
                self.requests_made.append(url)
                started = time.monotonic()
                with self.session.get(
                    target,
                    headers=headers,
                    stream=True,
                    timeout=(s.connect_timeout, s.read_timeout),
                    allow_redirects=True,
                ) as resp:
                    status = resp.status_code
                    if status == 304:
                        return Download(url, resp.url, 304, etag, last_modified, 0, "", True)
                    if status in RETRY_STATUSES:
                        last_error = f"HTTP {status} {resp.reason}"
                        ra = _retry_after_seconds(resp.headers.get("Retry-After"))
                        if ra is not None:
                            if ra > s.max_retry_after:
                                raise FetchError(
                                    f"{url}: HTTP {status}, server asks to retry after {ra:.0f} s "
                                    f"(more than LMD_MAX_RETRY_AFTER={s.max_retry_after:.0f} s)",
                                    url=url,
                                    status=status,
                                )
                            wait = ra
                        if attempt < s.retries:
                            log.warning(
                                "%s: %s, retry %d in %.1f s", url, last_error, attempt + 1, wait
                            )
                            self.sleep(wait)
                            continue
                        raise FetchError(
                            f"{url}: {last_error} after {s.retries + 1} attempts",
                            url=url,
                            status=status,
                        )
                    if status >= 400:
                        raise FetchError(
                            f"{url}: HTTP {status} {resp.reason}", url=url, status=status
                        )
                    result = self._stream_to(resp, url, dest, started)
                    check_content(dest, expect, url)
                    return result
            except (
                requests.ConnectionError,
                requests.Timeout,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
                _Truncated,
            ) as exc:
                last_error = f"{type(exc).__name__}: {_short(exc)}"
                host = _unresolvable_host(exc)
                if host is not None:
                    # NOTE: a name that does not resolve means no network (or no DNS); retrying
                    # with backoff would only delay `make run` by a minute before saying so
                    raise FetchError(
                        f"{url}: cannot resolve host {host}: no network or no DNS? "
                        "(to work offline: --mirror DIR, or --offline to rebuild from the last snapshots)",
                        url=url,
                    ) from exc
                if isinstance(exc, requests.exceptions.ContentDecodingError):
                    # NOTE: a corrupt compressed body is retried like a truncated one (a proxy
                    # or a cut connection mangled it); requests' own message names no URL
                    encoding = (
                        resp.headers.get("Content-Encoding", "?") if resp is not None else "?"
                    )
                    last_error = (
                        f"corrupt {encoding} body (Content-Encoding: {encoding} could not be "
                        f"decoded: {_short(exc)})"
                    )
                if attempt < s.retries:
                    log.warning("%s: %s, retry %d in %.1f s", url, last_error, attempt + 1, wait)
                    self.sleep(wait)
                    continue
                raise FetchError(
                    f"{url}: {last_error} after {s.retries + 1} attempts", url=url
                ) from exc
            except ContentError:
                dest.unlink(missing_ok=True)
                raise
        raise FetchError(f"{url}: {last_error}", url=url)  # pragma: no cover - loop always returns

    def _stream_to(self, resp: requests.Response, url: str, dest: Path, started: float) -> Download:
        cap = self.settings.max_bytes
        deadline = self.settings.download_deadline
        declared = resp.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > cap:
            raise FetchError(
                f"{url}: body of {int(declared):,} bytes is larger than the cap of {cap:,} (LMD_MAX_BYTES)",
                url=url,
            )
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.part-{os.getpid()}")
        digest = hashlib.sha256()
        n = 0
        try:
            with open(tmp, "wb") as fh:
                for chunk in _body_chunks(resp):
                    if time.monotonic() - started > deadline:
                        # NOTE: not retried: a server this slow would make every retry as slow,
                        # and the deadline exists to bound the time a refresh can hang
                        raise FetchError(
                            f"{url}: download took longer than the deadline of {deadline:g} s "
                            f"(LMD_DOWNLOAD_DEADLINE) after {n + len(chunk):,} bytes; not retried",
                            url=url,
                        )
                    n += len(chunk)
                    if n > cap:
                        raise FetchError(
                            f"{url}: body exceeds the size cap of {cap:,} bytes (LMD_MAX_BYTES)",
                            url=url,
                        )
                    digest.update(chunk)
                    fh.write(chunk)
                fh.flush()
                os.fsync(fh.fileno())
            encoded = resp.headers.get("Content-Encoding", "identity") not in ("", "identity")
            if declared and declared.isdigit() and not encoded and n < int(declared):
                raise _Truncated(f"truncated body: {n} of {declared} bytes")
            os.replace(tmp, dest)
        finally:
            tmp.unlink(missing_ok=True)
        return Download(
            url=url,
            final_url=resp.url,
            status=resp.status_code,
            etag=resp.headers.get("ETag"),
            last_modified=resp.headers.get("Last-Modified"),
            bytes=n,
            sha256=digest.hexdigest(),
        )


def _unresolvable_host(exc: BaseException) -> str | None:
    """The host name when `exc` was caused by a failed name resolution, else None."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if type(seen).__name__ == "NameResolutionError" or isinstance(seen, socket.gaierror):
            return str(getattr(getattr(seen, "conn", None), "host", "") or "") or "(unknown host)"
        seen = (
            seen.__cause__
            or seen.__context__
            or (seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None)
        )
        if seen is not None and hasattr(seen, "reason") and isinstance(seen.reason, BaseException):
            seen = seen.reason
    return None


class _Truncated(IOError):
    pass


def _body_chunks(resp: requests.Response) -> Iterator[bytes]:
    """The decoded body in pieces as they arrive.

    NOTE: `iter_content(CHUNK)` blocks until CHUNK bytes or the end of the body, so a server
    sending a byte every few seconds never trips the read timeout and no deadline can be checked
    in between; `read1` returns whatever has arrived. Errors are mapped as `iter_content` does.
    """
    raw = resp.raw
    if not isinstance(raw, urllib3.response.HTTPResponse):  # e.g. the mirror folder adapter
        yield from resp.iter_content(CHUNK)
        return
    try:
        while chunk := raw.read1(CHUNK, decode_content=True):
            yield chunk
    except ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from exc
    except DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from exc
    except ReadTimeoutError as exc:
        raise requests.exceptions.ConnectionError(exc) from exc
    except Urllib3SSLError as exc:
        raise requests.exceptions.SSLError(exc) from exc


def _short(exc: BaseException) -> str:
    text = str(exc)
    return text if len(text) < 300 else text[:297] + "..."


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
