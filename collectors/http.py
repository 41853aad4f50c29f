"""Polite fetching: User-Agent, timeouts, size cap, conditional GET, failures classified.

Retries with exponential backoff and jitter cover transient faults within one run;
`Retry-After` on 429/503 is respected when it is short, otherwise the run gives up and
the scheduler tries at the next interval.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime

import requests

from collectors.errors import CollectError

log = logging.getLogger(__name__)


@dataclass
class Response:
    """A fetched document (or a 304), with the validators to store for the next GET."""

    url: str
    status: int
    content: bytes
    headers: dict[str, str]
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        """Return True for 304 Not Modified."""
        return self.status == 304


@dataclass
class Fetcher:
    """An HTTP client with the manners every collector shares."""

    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 10_000_000
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    session: requests.Session = field(default_factory=requests.Session)

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> Response:
        """GET `url` (conditionally when validators are given); raise CollectError on failure."""
        headers = {"User-Agent": self.user_agent, "Accept": accept,
                   "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        attempt = 0
        while True:
            try:
                return self._get_once(url, headers)
            except CollectError as exc:
                if not exc.transient or attempt >= self.retries:
                    raise
                delay = self.backoff * (2**attempt) * (0.5 + random.random())
                if exc.retry_after is not None:
                    if exc.retry_after > self.max_retry_after:
                        raise
                    delay = max(delay, exc.retry_after)
                attempt += 1
                log.info("fetch retry url=%s kind=%s attempt=%d delay=%.1fs",
                         url, exc.kind, attempt, delay)
                time.sleep(delay)

    def _get_once(self, url: str, headers: dict[str, str]) -> Response:
        try:
            resp = self.session.get(url, headers=headers, stream=True,
                                    timeout=(self.connect_timeout, self.read_timeout))
        except requests.exceptions.RequestException as exc:
            raise request_error(exc, url) from exc
        with resp:
            if resp.status_code == 304:
                return Response(url, 304, b"", dict(resp.headers),
                                resp.headers.get("ETag"), resp.headers.get("Last-Modified"))
            _raise_for_status(resp)
            content = _read_capped(resp, self.max_bytes, url)
        if not content.strip():
            raise CollectError("empty", f"{url} returned an empty body")
        return Response(url, resp.status_code, content, dict(resp.headers),
                        resp.headers.get("ETag"), resp.headers.get("Last-Modified"))


def request_error(exc: requests.exceptions.RequestException, what: str) -> CollectError:
    """Return the CollectError for a failed request (TLS, timeout, bad URL, connection)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return CollectError("tls", f"{what}: {exc}")
    if isinstance(exc, requests.exceptions.Timeout):
        return CollectError("timeout", f"no answer from {what} within the timeout")
    if isinstance(exc, requests.exceptions.InvalidURL):
        return CollectError("config", f"invalid URL {what}")
    return CollectError("connection", f"{what}: {type(exc).__name__}")


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _raise_for_status(resp: requests.Response) -> None:
    status = resp.status_code
    if status < 400:
        return
    url = resp.url
    if status == 429 or status == 503:
        kind = "rate_limited" if status == 429 else "server_error"
        raise CollectError(kind, f"HTTP {status} from {url}",
                           retry_after=_retry_after_seconds(resp.headers.get("Retry-After")))
    kinds = {401: "unauthorized", 403: "forbidden", 404: "not_found", 410: "not_found"}
    if status in kinds:
        raise CollectError(kinds[status], f"HTTP {status} from {url}")
    if status >= 500:
        raise CollectError("server_error", f"HTTP {status} from {url}")
    raise CollectError("http_error", f"HTTP {status} from {url}")


def _read_capped(resp: requests.Response, max_bytes: int, url: str) -> bytes:
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise CollectError("too_large", f"{url} declares {declared} bytes (limit {max_bytes})")
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(chunk_size=65536):
            size += len(chunk)
            if size > max_bytes:
                raise CollectError("too_large", f"{url} sent more than {max_bytes} bytes")
            chunks.append(chunk)
    except requests.exceptions.Timeout as exc:
        raise CollectError("timeout", f"{url} stalled while sending the body") from exc
    except requests.exceptions.RequestException as exc:
        raise CollectError("connection", f"{url}: body interrupted ({type(exc).__name__})") from exc
    return b"".join(chunks)
