"""A fake Bluesky XRPC service on 127.0.0.1, answering like the real one (entryway + AppView).

Methods: `com.atproto.server.createSession` (POST, identifier + app password → accessJwt),
`app.bsky.feed.getAuthorFeed` (feedViewPost items with `reply` and `reason`, cursor = the
last item's sort time), `app.bsky.feed.searchPosts` (postView list; `since` inclusive,
`mentions`, sort=latest; 403 AuthMissing without a login, as Bluesky's public AppView answers
since 2025), `app.bsky.feed.getPostThread` (threadViewPost tree; 400 NotFound). Errors are
XRPC's `{"error": Name, "message": …}`; a stale token gets 400 ExpiredToken; responses carry
the `ratelimit-*` headers. Posts have TID record keys, DIDs are did:plc.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

_B32 = "234567abcdefghijklmnopqrstuvwxyz"
POST = "app.bsky.feed.post"


def tid(when: datetime, clock: int = 0) -> str:
    """Return a record key as the AT Protocol makes them (microseconds, base32-sortable)."""
    value = (int(when.timestamp() * 1_000_000) << 10) | (clock & 0x3FF)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in range(12, -1, -1))


def iso(when: datetime) -> str:
    """Return a time as Bluesky writes it: 2026-11-02T07:00:00.000Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _error(status: int, name: str, message: str) -> tuple[int, dict[str, str], bytes]:
    return status, {}, json.dumps({"error": name, "message": message}).encode()


@dataclass
class Failure:
    """An answer to force on requests to one method ("*" for all)."""

    method: str
    status: int
    body: bytes
    headers: dict[str, str]
    times: int | None = 1
    delay: float = 0.0


@dataclass
class Seen:
    """One request the fake service received."""

    method: str
    params: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class FakeBluesky:
    """The fake service's state: accounts, posts, logins, forced failures, requests seen."""

    handle: str = "pulse-bot.bsky.social"
    app_password: str = "abcd-efgh-ijkl-mnop"
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    page_size: int | None = None
    accounts: dict[str, dict[str, Any]] = field(default_factory=dict)
    posts: dict[str, dict[str, Any]] = field(default_factory=dict)
    reposts: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    expired: set[str] = field(default_factory=set)

    def __post_init__(self):
        self._clock = itertools.count(1)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>, to use as a source's api_base_url."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeBluesky:
        """Start serving in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- building the world -------------------------------------------------------------

    def add_account(self, handle: str, name: str = "") -> dict[str, Any]:
        """Add an account (profileViewBasic) and return it."""
        did = "did:plc:" + "".join(secrets.choice(_B32) for _ in range(24))
        account = {"did": did, "handle": handle, "displayName": name or handle,
                   "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/x@jpeg",
                   "labels": [], "createdAt": "2024-02-01T08:00:00.000Z"}
        self.accounts[did] = account
        return account

    def post(self, author: dict[str, Any], text: str, *, hours_ago: float = 1.0,
             reply_to: dict[str, Any] | None = None, quote: dict[str, Any] | None = None,
             likes: int = 0, reposts: int = 0, mentions: list[dict[str, Any]] = (),
             langs: tuple[str, ...] = ("sv",)) -> dict[str, Any]:
        """Add a post (a reply or quote when asked) and return its postView."""
        when = self.now - timedelta(hours=hours_ago)
        uri = f"at://{author['did']}/{POST}/{tid(when, next(self._clock))}"
        record: dict[str, Any] = {"$type": POST, "text": text, "createdAt": iso(when),
                                  "langs": list(langs)}
        if reply_to is not None:
            root = (reply_to["record"].get("reply") or {}).get("root") or \
                {"uri": reply_to["uri"], "cid": reply_to["cid"]}
            record["reply"] = {"root": root,
                               "parent": {"uri": reply_to["uri"], "cid": reply_to["cid"]}}
        if quote is not None:
            record["embed"] = {"$type": "app.bsky.embed.record",
                               "record": {"uri": quote["uri"], "cid": quote["cid"]}}
        facets = []
        for account in mentions:
            start = text.encode().find(f"@{account['handle']}".encode())
            facets.append({"index": {"byteStart": max(start, 0),
                                     "byteEnd": max(start, 0) + len(account["handle"]) + 1},
                           "features": [{"$type": "app.bsky.richtext.facet#mention",
                                         "did": account["did"]}]})
        if facets:
            record["facets"] = facets
        post = {"uri": uri, "cid": "bafyrei" + secrets.token_hex(20), "author": author,
                "record": record, "replyCount": 0, "repostCount": reposts,
                "likeCount": likes, "quoteCount": 0, "bookmarkCount": 0,
                "indexedAt": iso(when), "labels": []}
        if quote is not None:
            post["embed"] = {"$type": "app.bsky.embed.record#view",
                             "record": {"$type": "app.bsky.embed.record#viewRecord",
                                        "uri": quote["uri"], "cid": quote["cid"],
                                        "author": quote["author"], "value": quote["record"],
                                        "indexedAt": quote["indexedAt"]}}
        self.posts[uri] = post
        if reply_to is not None and reply_to["uri"] in self.posts:
            self.posts[reply_to["uri"]]["replyCount"] += 1
        return post

    def repost(self, by: dict[str, Any], post: dict[str, Any], hours_ago: float = 0.5) -> dict:
        """Record a repost of `post` by `by` and return its reasonRepost."""
        when = self.now - timedelta(hours=hours_ago)
        reason = {"$type": "app.bsky.feed.defs#reasonRepost", "by": by,
                  "uri": f"at://{by['did']}/app.bsky.feed.repost/{tid(when, next(self._clock))}",
                  "cid": "bafyrei" + secrets.token_hex(20), "indexedAt": iso(when)}
        self.reposts.append({"reason": reason, "post": post["uri"]})
        return reason

    def fail(self, method: str, status: int, body: dict | bytes | None = None,
             headers: dict[str, str] | None = None, times: int | None = 1,
             delay: float = 0.0) -> None:
        """Force an answer on the next requests to `method` (an NSID, or *)."""
        if body is None:
            body = {"error": {429: "RateLimitExceeded", 500: "InternalServerError",
                              502: "UpstreamFailure"}.get(status, "InternalServerError"),
                    "message": "forced"}
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        self.failures.append(Failure(method, status, body, headers or {}, times, delay))

    def expire_tokens(self) -> None:
        """Make every access token handed out so far answer ExpiredToken."""
        self.expired |= self.tokens

    def seen(self, method: str) -> list[Seen]:
        """Return the requests made to one method."""
        return [r for r in self.requests if r.method == method]

    # --- answering ----------------------------------------------------------------------

    def _forced(self, method: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.method in (method, "*") and (failure.times is None
                                                        or failure.times > 0):
                    if failure.times is not None:
                        failure.times -= 1
                    return failure
        return None

    def _by_actor(self, actor: str) -> dict[str, Any] | None:
        wanted = actor.casefold()
        return next((a for a in self.accounts.values()
                     if a["did"] == actor or a["handle"].casefold() == wanted), None)

    def answer(self, verb: str, path: str, params: dict[str, list[str]],
               headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str], bytes]:
        """Return status, headers and body for one request."""
        method = path.removeprefix("/xrpc/")
        self.requests.append(Seen(method, params, headers, body))
        limits = {"ratelimit-limit": "3000", "ratelimit-remaining": "2999",
                  "ratelimit-reset": str(int(self.now.timestamp()) + 300),
                  "ratelimit-policy": "3000;w=300"}
        failure = self._forced(method)
        if failure:
            if failure.delay:
                self._stop.wait(failure.delay)
            return failure.status, {**limits, **failure.headers}, failure.body
        one = {k: v[-1] for k, v in params.items()}
        if method == "com.atproto.server.createSession":
            if verb != "POST":
                return _error(400, "InvalidRequest", "Incorrect HTTP method (GET) expects POST")
            try:
                login = json.loads(body)
            except ValueError:
                return _error(400, "InvalidRequest", "Request body must be JSON")
            if login.get("identifier") != self.handle or \
                    login.get("password") != self.app_password:
                return _error(401, "AuthenticationRequired", "Invalid identifier or password")
            token = "eyJ0eXAiOiJhdCtqd3QiLCJhbGciOiJFUzI1NksifQ." + secrets.token_urlsafe(48)
            self.tokens.add(token)
            did = "did:plc:pulsebot0000000000000000"
            status, out = 200, {
                "did": did, "handle": self.handle, "email": "bot@example.org",
                "emailConfirmed": True, "emailAuthFactor": False, "active": True,
                "accessJwt": token, "refreshJwt": "eyJ0eXAiOiJyZWZyZXNoK2p3dCJ9." +
                secrets.token_urlsafe(48),
                "didDoc": {"@context": ["https://www.w3.org/ns/did/v1"], "id": did,
                           "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                                        "serviceEndpoint": self.base_url}]}}
            return status, {**limits, "ratelimit-policy": "30;w=300"}, json.dumps(out).encode()
        if verb != "GET":
            return _error(400, "InvalidRequest", f"Incorrect HTTP method ({verb}) expects GET")
        authorization = headers.get("Authorization", "")
        token = authorization.removeprefix("Bearer ") if authorization else None
        if token is not None:
            if token in self.expired:
                return _error(400, "ExpiredToken", "Token has expired")
            if token not in self.tokens:
                return _error(400, "InvalidToken", "Token could not be verified")
        limit = int(one.get("limit", "25" if method.endswith("searchPosts") else "50"))
        if not 1 <= limit <= 100:
            return _error(400, "InvalidRequest", "Error: limit must be <= 100 and >= 1")
        size = min(limit, self.page_size or limit)
        if method == "app.bsky.feed.getAuthorFeed":
            if "actor" not in one:
                return _error(400, "InvalidRequest", 'Error: Params must have the property '
                                                     '"actor"')
            account = self._by_actor(one["actor"])
            if account is None:
                return _error(400, "InvalidRequest", "Profile not found")
            out = self._author_feed(account, one.get("filter", "posts_with_replies"),
                                    one.get("cursor"), size)
        elif method == "app.bsky.feed.searchPosts":
            if token is None:
                return _error(403, "AuthMissing", "Authentication Required")
            if not one.get("q"):
                return _error(400, "InvalidRequest", 'Error: Params must have the property "q"')
            out = self._search(one, size)
        elif method == "app.bsky.feed.getPostThread":
            post = self.posts.get(one.get("uri", ""))
            if post is None:
                return _error(400, "NotFound", f"Post not found: {one.get('uri')}")
            out = {"thread": self._thread(post, int(one.get("depth", "6")))}
        else:
            return _error(501, "MethodNotImplemented", "Method Not Implemented")
        return 200, limits, json.dumps(out).encode()

    def _view(self, post: dict[str, Any]) -> dict[str, Any]:
        return {"$type": "app.bsky.feed.defs#postView", **post}

    def _author_feed(self, account: dict[str, Any], filt: str, cursor: str | None,
                     size: int) -> dict[str, Any]:
        entries = []
        for post in self.posts.values():
            if post["author"]["did"] != account["did"]:
                continue
            reply = post["record"].get("reply")
            if reply and filt == "posts_no_replies":
                continue
            entry: dict[str, Any] = {"post": self._view(post)}
            if reply:
                parent = self.posts.get(reply["parent"]["uri"])
                root = self.posts.get(reply["root"]["uri"])
                entry["reply"] = {
                    "root": self._view(root) if root else
                    {"$type": "app.bsky.feed.defs#notFoundPost", "uri": reply["root"]["uri"],
                     "notFound": True},
                    "parent": self._view(parent) if parent else
                    {"$type": "app.bsky.feed.defs#notFoundPost",
                     "uri": reply["parent"]["uri"], "notFound": True}}
            entries.append((post["indexedAt"], entry))
        for repost in self.reposts:
            if repost["reason"]["by"]["did"] == account["did"]:
                entries.append((repost["reason"]["indexedAt"],
                                {"post": self._view(self.posts[repost["post"]]),
                                 "reason": repost["reason"]}))
        entries.sort(key=lambda e: e[0], reverse=True)
        if cursor:
            entries = [e for e in entries if e[0] < cursor]
        page = entries[:size]
        out: dict[str, Any] = {"feed": [e for _, e in page]}
        if len(entries) > size:
            out["cursor"] = page[-1][0]
        return out

    def _search(self, one: dict[str, str], size: int) -> dict[str, Any]:
        words = [w.casefold() for w in one["q"].split() if w != "*"]
        mentioned = self._by_actor(one["mentions"]) if "mentions" in one else None
        found = []
        for post in self.posts.values():
            if "since" in one and post["indexedAt"] < one["since"]:
                continue
            if mentioned is not None and not any(
                    f.get("did") == mentioned["did"]
                    for facet in post["record"].get("facets", [])
                    for f in facet["features"]):
                continue
            text = post["record"]["text"].casefold()
            if mentioned is None and not all(w in text for w in words):
                continue
            found.append(post)
        found.sort(key=lambda p: p["indexedAt"], reverse=True)
        offset = int(one.get("cursor", "0"))
        page = found[offset:offset + size]
        out: dict[str, Any] = {"posts": [self._view(p) for p in page],
                               "hitsTotal": len(found)}
        if offset + size < len(found):
            out["cursor"] = str(offset + size)
        return out

    def _thread(self, post: dict[str, Any], depth: int) -> dict[str, Any]:
        node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost",
                                "post": self._view(post)}
        if depth > 0:
            children = [p for p in self.posts.values()
                        if (p["record"].get("reply") or {}).get("parent", {}).get("uri")
                        == post["uri"]]
            node["replies"] = [self._thread(c, depth - 1) for c in children]
        return node

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, verb: str) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, headers, out = api.answer(verb, parts.path,
                                                  parse_qs(parts.query, keep_blank_values=True),
                                                  dict(self.headers), body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
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
