"""A fake Reddit on 127.0.0.1: www.reddit.com's public `.json` listings and oauth.reddit.com's
(the same paths without `.json`, bearer token required), answering like the real ones.

Listings: `{"kind": "Listing", "data": {"after", "before", "dist", "modhash", "geo_filter",
"children": [{"kind": "t3"|"t1", "data": …}]}}`, newest first, `limit` at most 100, paged by
`after` (a fullname). `/r/<sub>/new`, `/r/<sub>/comments`, `/r/<sub>/search` (restrict_sr)
and `/search` with sort=new; an unknown subreddit redirects (302) to a subreddit search, as
Reddit does. `POST /api/v1/access_token` grants application-only tokens (HTTP basic auth
with the client id and secret; a wrong secret gets 401 like Reddit's). Errors are Reddit's
`{"message": …, "error": status}`; responses carry the x-ratelimit-* headers.
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def base36(number: int) -> str:
    """Return a Reddit id (base 36)."""
    out = ""
    while number:
        number, digit = divmod(number, 36)
        out = _B36[digit] + out
    return out or "0"


@dataclass
class Seen:
    """One request the fake Reddit received."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeReddit:
    """Subreddits, posts, comments, app credentials, forced failures and requests seen."""

    client_id: str = "pulse-client-id"
    client_secret: str = "pulse-client-secret-0123"
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    subreddits: set[str] = field(default_factory=lambda: {"stockholm"})
    things: list[dict[str, Any]] = field(default_factory=list)
    failures: list[tuple[str, int, bytes, dict[str, str], int | None]] = field(
        default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    page_size: int | None = None

    def __post_init__(self):
        self._ids = itertools.count(36**5)
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>, to use as a source's api_base_url."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeReddit:
        """Start serving in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- building the world -------------------------------------------------------------

    def submit(self, author: str, title: str, selftext: str = "", *, sub: str = "stockholm",
               hours_ago: float = 1.0, score: int = 1, url: str | None = None,
               crosspost_of: dict[str, Any] | None = None) -> dict[str, Any]:
        """Add a post (t3) and return its data."""
        ident = base36(next(self._ids))
        slug = re.sub(r"\W+", "_", title.casefold()).strip("_")[:50]
        permalink = f"/r/{sub}/comments/{ident}/{slug}/"
        data = {"id": ident, "name": f"t3_{ident}", "subreddit": sub,
                "subreddit_name_prefixed": f"r/{sub}", "title": title, "selftext": selftext,
                "selftext_html": f"<div class=\"md\"><p>{selftext}</p></div>" if selftext
                else None, "author": author,
                "author_fullname": f"t2_{base36(sum(map(ord, author)) * 7919)}",
                "created_utc": self._created(hours_ago), "score": score, "ups": score,
                "upvote_ratio": 0.9, "num_comments": 0, "permalink": permalink,
                "url": url or f"https://www.reddit.com{permalink}",
                "domain": f"self.{sub}" if url is None else urlsplit(url).hostname,
                "is_self": url is None, "over_18": False, "link_flair_text": None,
                "edited": False, "stickied": False}
        if crosspost_of is not None:
            data["crosspost_parent"] = crosspost_of["name"]
            data["crosspost_parent_list"] = [crosspost_of]
        self.things.append({"kind": "t3", "data": data})
        return data

    def comment(self, author: str, body: str, parent: dict[str, Any],
                hours_ago: float = 0.5, score: int = 1) -> dict[str, Any]:
        """Add a comment (t1) on a post or a comment and return its data."""
        ident = base36(next(self._ids))
        link = parent if parent["name"].startswith("t3_") else self._post(parent["link_id"])
        link["num_comments"] += 1
        data = {"id": ident, "name": f"t1_{ident}", "subreddit": link["subreddit"],
                "body": body, "body_html": f"<div class=\"md\"><p>{body}</p></div>",
                "author": author, "created_utc": self._created(hours_ago), "score": score,
                "link_id": link["name"], "parent_id": parent["name"],
                "link_title": link["title"], "link_permalink": link["url"],
                "link_author": link["author"],
                "permalink": f"{link['permalink']}{ident}/", "edited": False,
                "replies": ""}
        self.things.append({"kind": "t1", "data": data})
        return data

    def fail(self, path: str, status: int, body: bytes | dict | None = None,
             headers: dict[str, str] | None = None, times: int | None = 1) -> None:
        """Force an answer on the next requests whose path contains `path` (or "*")."""
        if body is None:
            body = {"message": {429: "Too Many Requests", 500: "Internal Server Error",
                                403: "Forbidden"}.get(status, "Error"), "error": status}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        self.failures.append((path, status, body, headers or {}, times))

    def _created(self, hours_ago: float) -> float:
        return float(int((self.now - timedelta(hours=hours_ago)).timestamp()))

    def _post(self, name: str) -> dict[str, Any]:
        return next(t["data"] for t in self.things if t["data"]["name"] == name)

    # --- answering ----------------------------------------------------------------------

    def _forced(self, path: str):
        with self._lock:
            for n, (where, status, body, headers, times) in enumerate(self.failures):
                if (where == "*" or where in path) and (times is None or times > 0):
                    if times is not None:
                        self.failures[n] = (where, status, body, headers, times - 1)
                    return status, headers, body
        return None

    def answer(self, verb: str, path: str, params: dict[str, str], headers: dict[str, str],
               body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Return status, headers and body for one request."""
        self.requests.append(Seen(path, params, headers))
        limits = {"x-ratelimit-used": "1", "x-ratelimit-remaining": "99.0",
                  "x-ratelimit-reset": "300"}
        forced = self._forced(path)
        if forced:
            status, extra, out = forced
            return status, {**limits, **extra}, out
        if path == "/api/v1/access_token":
            expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode())
            if verb != "POST" or headers.get("Authorization") != f"Basic {expected.decode()}":
                return 401, {}, json.dumps({"message": "Unauthorized", "error": 401}).encode()
            if parse_qs(body.decode()).get("grant_type") != ["client_credentials"]:
                return 200, {}, json.dumps({"error": "unsupported_grant_type"}).encode()
            token = secrets.token_urlsafe(30)
            self.tokens.add(token)
            return 200, {}, json.dumps({"access_token": token, "token_type": "bearer",
                                        "expires_in": 86400, "scope": "*"}).encode()
        public = path.endswith(".json")
        route = path.removesuffix(".json")
        if not public:  # oauth.reddit.com
            token = headers.get("Authorization", "").removeprefix("bearer ").removeprefix(
                "Bearer ")
            if token not in self.tokens:
                return 401, limits, json.dumps({"message": "Unauthorized",
                                                "error": 401}).encode()
        size = int(params.get("limit", "25"))
        size = min(max(size, 1), 100, self.page_size or 100)
        if m := re.fullmatch(r"/r/([^/]+)/(new|comments|search)", route):
            sub, listing = m.group(1).casefold(), m.group(2)
            if sub not in self.subreddits:
                where = f"/subreddits/search{'.json' if public else ''}?q={sub}"
                return 302, {"Location": where}, b""
            if listing == "new":
                found = [t for t in self.things if t["kind"] == "t3"
                         and t["data"]["subreddit"] == sub]
            elif listing == "comments":
                found = [t for t in self.things if t["kind"] == "t1"
                         and t["data"]["subreddit"] == sub]
            else:
                found = self._search(params, sub if params.get("restrict_sr") else None)
        elif route == "/search":
            found = self._search(params, None)
        elif route == "/subreddits/search":
            found = [{"kind": "t5", "data": {"display_name": "stockholmsyndrome",
                                             "name": "t5_2qh0u"}}]
        else:
            return 404, limits, json.dumps({"message": "Not Found", "error": 404}).encode()
        found = sorted(found, key=lambda t: t["data"].get("created_utc", 0), reverse=True)
        after = params.get("after")
        if after:
            names = [t["data"].get("name") for t in found]
            found = found[names.index(after) + 1:] if after in names else []
        page = found[:size]
        listing = {"kind": "Listing", "data": {
            "after": page[-1]["data"]["name"] if len(found) > size else None,
            "dist": len(page), "modhash": "", "geo_filter": "", "children": page,
            "before": None}}
        return 200, limits, json.dumps(listing).encode()

    def _search(self, params: dict[str, str], sub: str | None) -> list[dict[str, Any]]:
        words = params.get("q", "").casefold().split()
        return [t for t in self.things if t["kind"] == "t3"
                and (sub is None or t["data"]["subreddit"] == sub)
                and all(w in f"{t['data']['title']} {t['data']['selftext']}".casefold()
                        for w in words)]

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, verb: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                status, headers, out = api.answer(verb, parts.path, params,
                                                  dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=UTF-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(out)

            def do_GET(self):  # noqa: N802
                self._serve("GET")

            def do_POST(self):  # noqa: N802
                self._serve("POST")

            def log_message(self, *args):
                pass

        return Handler
