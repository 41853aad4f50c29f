"""Logins for the kinds that need them (Bluesky app passwords, Reddit app-only OAuth), on the
shared HTTP manners.

`Fetcher` only GETs. A collector that logs in gets its own copy of the fetcher with a session
of its own (collectors.http.PoliteSession: the same User-Agent, timeouts, size cap, retries
and failure classifier), so that the bearer token it adds is sent to its own API host only and
never to another source sharing the job's fetcher. The login itself is a POST on that session;
a refused password (401/403) is a hard failure and is not retried.

Tokens and passwords never appear in an exception, a log line or a cursor.
"""

from __future__ import annotations

import copy
import json
from typing import Any
from urllib.parse import urlsplit

import requests

from collectors.errors import CollectError
from collectors.http import Fetcher, request_error, status_error


class HostBearer(requests.auth.AuthBase):
    """Adds `Authorization: Bearer …` to requests for one host only."""

    def __init__(self, token: str, host: str):
        self.token = token
        self.host = host.lower()

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Return the request with the token when it goes to the token's host."""
        if (urlsplit(request.url or "").hostname or "").lower() == self.host:
            request.headers["Authorization"] = f"Bearer {self.token}"
        return request

    def __repr__(self) -> str:
        return f"HostBearer(host={self.host!r}, token=[redacted])"


def private_fetcher(fetcher: Fetcher) -> Fetcher:
    """Return a copy of `fetcher` (same manners) with a session of its own."""
    own = copy.copy(fetcher)
    own.session = own.new_session()
    return own


def authorize(fetcher: Fetcher, token: str | None, url: str) -> None:
    """Send `token` as a bearer token with every request of `fetcher` to `url`'s host (None:
    send none). Use on a private_fetcher only."""
    host = urlsplit(url).hostname or ""
    fetcher.session.auth = HostBearer(token, host) if token else None


def post(fetcher: Fetcher, url: str, what: str, *, json_body: dict[str, Any] | None = None,
         form: dict[str, str] | None = None,
         basic: tuple[str, str] | None = None) -> Any:
    """POST a JSON or form body with the fetcher's manners; return the decoded JSON answer.

    Raises CollectError with the shared kinds (unauthorized, rate_limited, timeout …); `what`
    names the call in the error, which never contains the body sent or the answer's tokens.
    """
    headers = {"Accept": "application/json"}
    try:
        resp = fetcher.session.post(url, headers=headers, json=json_body, data=form, auth=basic,
                                    allow_redirects=False)
    except requests.exceptions.RequestException as exc:
        raise request_error(exc, what) from None
    error = status_error(resp.status_code, what, resp.headers)
    if error is not None:
        raise CollectError(error.kind, f"{what}: HTTP {resp.status_code}",
                           retry_after=error.retry_after) from None
    if resp.status_code >= 300:
        raise CollectError("http_error", f"{what}: HTTP {resp.status_code} (a redirect)")
    content = resp.content
    try:
        return json.loads(content)
    except (ValueError, UnicodeDecodeError):
        raise CollectError("malformed", f"{what}: the answer is not JSON") from None
