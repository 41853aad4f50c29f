"""The one HTTP layer of every collector: a requests Session with Pulse's manners, and the one
classifier of failures.

`PoliteSession` is what the feed fetcher, tweepy's `Client.session` and Mastodon.py's
`session` all are. Every request it sends gets the User-Agent with a contact, the (connect,
read) timeouts, a body read within the size cap, and retries of transient faults (connection
errors, timeouts, 5xx, 429) with exponential backoff and jitter. A `Retry-After` (or the APIs'
`x-rate-limit-reset` / `X-RateLimit-Reset`) is waited for when it is short; a long one ends the
run at once and the scheduler comes back when it has passed. After the retries it returns the
last answer, so the libraries still raise their own errors; `status_error` and
`request_error` turn an HTTP status or a requests exception into one named CollectError kind,
for every kind of source alike.
"""

from __future__ import annotations

import logging
import random
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

import requests
from urllib3.exceptions import ReadTimeoutError

from collectors.errors import CollectError

log = logging.getLogger(__name__)
READ_CHUNK = 65536


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

    def header(self, name: str) -> str | None:
        """Return a response header by case-insensitive name, or None."""
        return header(self.headers, name)

    @property
    def framed(self) -> bool:
        """Return True when the HTTP layer could tell a cut-off body (Content-Length or chunked
        transfer): without either, the body simply ends when the connection closes."""
        return (self.header("Content-Length") is not None
                or "chunked" in (self.header("Transfer-Encoding") or "").lower())


def header(headers: dict[str, str] | Any, name: str) -> str | None:
    """Return a header by case-insensitive name from a plain dict or requests' headers."""
    lowered = name.lower()
    return next((v for k, v in dict(headers).items() if k.lower() == lowered), None)


@dataclass
class Fetcher:
    """The manners every collector shares, and the fetcher of plain documents (feeds, pages,
    the WordPress API) through its `session`. `new_session()` gives tweepy and Mastodon.py a
    session of their own with the same manners; the attributes are read at each request, so
    changing them applies at once."""

    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    max_bytes: int = 10_000_000
    retries: int = 2
    backoff: float = 0.5
    max_retry_after: float = 30.0
    session: requests.Session | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.session is None:
            self.session = PoliteSession(self)

    @property
    def timeout(self) -> tuple[float, float]:
        """Return the (connect, read) timeouts."""
        return (self.connect_timeout, self.read_timeout)

    def new_session(self) -> PoliteSession:
        """Return a new session with these manners (one per API client)."""
        return PoliteSession(self)

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None,
            accept: str = "*/*") -> Response:
        """GET `url` (conditionally when validators are given); raise CollectError on failure."""
        headers = {"Accept": accept, "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        try:
            resp = self.session.get(url, headers=headers)
        except requests.exceptions.RequestException as exc:
            raise request_error(exc, url) from exc
        found = dict(resp.headers)
        if resp.status_code == 304:
            return Response(url, 304, b"", found, header(found, "ETag"),
                            header(found, "Last-Modified"))
        error = status_error(resp.status_code, str(resp.url), found)
        if error:
            raise error
        if not resp.content.strip():
            raise CollectError("empty", f"{url} returned an empty body")
        return Response(url, resp.status_code, resp.content, found, header(found, "ETag"),
                        header(found, "Last-Modified"))


class PoliteSession(requests.Session):
    """A requests Session that sends every request with the manners of a Fetcher: timeouts,
    User-Agent, a capped body, retries with backoff and Retry-After (see the module text)."""

    def __init__(self, manners: Fetcher):
        super().__init__()
        self.manners = manners
        self.headers["User-Agent"] = manners.user_agent
        self.last_headers: dict[str, str] = {}
        self.last_status: int | None = None

    def request(self, method, url, *args, **kwargs):  # noqa: D401 - requests' own signature
        """Send the request with Pulse's manners; return the last answer, body read (capped)."""
        manners = self.manners
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = manners.timeout
        kwargs["stream"] = True
        attempt = 0
        while True:
            error: CollectError | None = None
            resp = None
            try:
                resp = super().request(method, url, *args, **kwargs)
            except requests.exceptions.RequestException as exc:
                error = request_error(exc, str(url))
                if not _should_retry(error, attempt, manners):
                    raise
            if resp is not None:
                self.last_status, self.last_headers = resp.status_code, dict(resp.headers)
                error = status_error(resp.status_code, str(resp.url), resp.headers)
                if error is None or not _should_retry(error, attempt, manners):
                    _read_capped(resp, manners.max_bytes)
                    return resp
                resp.close()
            delay = manners.backoff * (2 ** attempt) * (0.5 + random.random())
            if error.retry_after is not None:
                delay = max(delay, error.retry_after)
            attempt += 1
            log.info("http retry url=%s kind=%s attempt=%d delay=%.1fs", url, error.kind,
                     attempt, delay)
            time.sleep(delay)


def _should_retry(error: CollectError, attempt: int, manners: Fetcher) -> bool:
    if not error.transient or attempt >= manners.retries:
        return False
    if error.kind == "rate_limited":  # a 429 is retried only when it says how long to wait
        return error.retry_after is not None and error.retry_after <= manners.max_retry_after
    return error.retry_after is None or error.retry_after <= manners.max_retry_after


def request_error(exc: requests.exceptions.RequestException, what: str) -> CollectError:
    """Return the CollectError for a failed request (TLS, timeout, bad URL, connection)."""
    if isinstance(exc, requests.exceptions.SSLError):
        return CollectError("tls", f"{what}: {exc}")
    if isinstance(exc, requests.exceptions.Timeout) or (
            exc.args and isinstance(exc.args[0], ReadTimeoutError)):
        return CollectError("timeout", f"no answer from {what} within the timeout")
    if isinstance(exc, requests.exceptions.InvalidURL | requests.exceptions.MissingSchema
                  | requests.exceptions.InvalidSchema):
        return CollectError("config", f"invalid URL {what}")
    return CollectError("connection", f"{what}: {type(exc).__name__}")


def retry_after_seconds(headers: dict[str, str] | Any) -> float | None:
    """Return how long an answer asks us to wait: `Retry-After` (seconds or an HTTP date),
    else X's `x-rate-limit-reset` (epoch seconds) or Mastodon's `X-RateLimit-Reset` (an ISO
    time), only when the quota is spent; None when it says nothing."""
    value = header(headers, "Retry-After")
    if value:
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
        except (TypeError, ValueError):
            return None
    reset = header(headers, "x-rate-limit-reset")
    if reset:
        reset = reset.strip()
        if reset.isdigit():
            return max(0.0, int(reset) - time.time())
        try:
            when = datetime.fromisoformat(reset.replace("Z", "+00:00"))
        except ValueError:
            return None
        if when.tzinfo is not None:
            return max(0.0, when.timestamp() - time.time())
    return None


_STATUS_KINDS = {401: "unauthorized", 403: "forbidden", 404: "not_found", 410: "not_found",
                 429: "rate_limited"}


def status_error(status: int, url: str, headers: dict[str, str] | Any = None
                 ) -> CollectError | None:
    """Return the CollectError an HTTP status means (None below 400), with Retry-After."""
    if status < 400:
        return None
    kind = _STATUS_KINDS.get(status) or ("server_error" if status >= 500 else "http_error")
    retry_after = retry_after_seconds(headers or {}) if status in (429, 503) else None
    return CollectError(kind, f"HTTP {status} from {url}", retry_after=retry_after)


def _read_capped(resp: requests.Response, max_bytes: int) -> None:
    """Read the body into the response (as requests' own cache) within `max_bytes`."""
    url = resp.url
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        resp.close()
        raise CollectError("too_large", f"{url} declares {declared} bytes (limit {max_bytes})")
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(chunk_size=READ_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                resp.close()
                raise CollectError("too_large", f"{url} sent more than {max_bytes} bytes")
            chunks.append(chunk)
    except requests.exceptions.RequestException as exc:
        # requests wraps a read timeout in the body as a ConnectionError(ReadTimeoutError).
        if request_error(exc, url).kind == "timeout":
            raise CollectError("timeout", f"{url} stalled while sending the body") from exc
        raise CollectError("connection", f"{url}: body interrupted ({type(exc).__name__})") from exc
    resp._content = b"".join(chunks)
    resp._content_consumed = True
