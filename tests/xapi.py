"""A fake X API v2 on 127.0.0.1: the endpoints Pulse uses, answering like the real API.

Posts get real snowflake ids (their creation time is in the id), answers carry `data`,
`includes.users`, `includes.tweets`, `meta` (result_count, newest_id, oldest_id, next_token)
and partial `errors`; only the fields asked for with tweet.fields/user.fields are returned.
Like the real API it refuses unknown query parameters, out-of-range max_results, a recent
search since_id older than 7 days and a wrong bearer token. Recent search understands the
operators Pulse uses: OR, parentheses, -negation, from:, to:, conversation_id:, is:reply,
is:retweet, is:quote, lang: and words or "phrases".
"""

from __future__ import annotations

import base64
import contextlib
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

TWITTER_EPOCH_MS = 1288834974657
DEFAULT_TWEET_FIELDS = ("id", "text", "edit_history_tweet_ids")
DEFAULT_USER_FIELDS = ("id", "name", "username")
_TIMELINE_PARAMS = {"end_time", "exclude", "expansions", "max_results", "media.fields",
                    "pagination_token", "place.fields", "poll.fields", "since_id", "start_time",
                    "tweet.fields", "until_id", "user.fields"}
ALLOWED_PARAMS = {
    "user": {"expansions", "tweet.fields", "user.fields"},
    "timeline": _TIMELINE_PARAMS,
    "mentions": _TIMELINE_PARAMS - {"exclude"},
    "search": {"end_time", "expansions", "max_results", "media.fields", "next_token",
               "pagination_token", "place.fields", "poll.fields", "query", "since_id",
               "sort_order", "start_time", "tweet.fields", "until_id", "user.fields"},
}
MAX_RESULTS = {"timeline": (5, 100), "mentions": (5, 100), "search": (10, 100)}
_PROBLEMS = "https://api.twitter.com/2/problems/"
ERROR_BODIES = {
    401: {"title": "Unauthorized", "type": "about:blank", "status": 401,
          "detail": "Unauthorized"},
    403: {"client_id": "123", "title": "Client Forbidden", "reason": "client-not-enrolled",
          "required_enrollment": "Appropriate Level of API Access",
          "detail": "When authenticating requests to the Twitter API v2 endpoints, you must "
                    "use keys and tokens from a Twitter developer App that is attached to a "
                    "Project.", "type": _PROBLEMS + "client-forbidden"},
    429: {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank",
          "status": 429},
    500: {"title": "Internal Server Error", "detail": "Internal Server Error",
          "type": "about:blank", "status": 500},
    503: {"title": "Service Unavailable", "detail": "Service Unavailable",
          "type": "about:blank", "status": 503},
}


def snowflake(when: datetime, sequence: int = 0) -> str:
    """Return a post id as X makes them: milliseconds since the X epoch, then a sequence."""
    ms = int(when.timestamp() * 1000)
    return str(((ms - TWITTER_EPOCH_MS) << 22) | (sequence & 0x3FFFFF))


def iso(when: datetime) -> str:
    """Return a time as the API writes created_at: 2026-11-02T07:00:00.000Z."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


@dataclass
class Failure:
    """An answer to force on requests to one endpoint ("*" for all)."""

    endpoint: str
    status: int
    body: bytes
    headers: dict[str, str]
    times: int | None = 1       # None: every matching request
    skip: int = 0               # let this many matching requests pass first
    delay: float = 0.0


@dataclass
class Seen:
    """One request the fake API received."""

    endpoint: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeXAPI:
    """The fake API's state: users, posts, forced failures and the requests it saw."""

    token: str = "test-token"
    now: datetime = field(default_factory=lambda: datetime.now(UTC).replace(microsecond=0))
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = field(default_factory=dict)
    page_size: int | None = None      # a smaller page than max_results, to test pagination
    endless: bool = False             # always answer with a next_token (a misbehaving API)
    extra_errors: list[dict[str, Any]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)

    def __post_init__(self):
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        """Return http://127.0.0.1:<port>, to use as a source's api_base_url."""
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def start(self) -> FakeXAPI:
        """Start serving in a thread."""
        self.thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- building the world -------------------------------------------------------------

    def add_user(self, username: str, name: str | None = None, description: str = "",
                 followers: int = 0, verified: bool = False) -> dict[str, Any]:
        """Add an account and return it (all fields)."""
        user_id = str(2_244_994_945 + next(self._ids) * 7919)
        user = {"id": user_id, "username": username, "name": name or username,
                "description": description, "verified": verified,
                "public_metrics": {"followers_count": followers, "following_count": 10,
                                   "tweet_count": 100, "listed_count": 1, "like_count": 5},
                "created_at": "2010-05-01T08:00:00.000Z", "protected": False}
        self.users[user_id] = user
        return user

    def post(self, author: dict[str, Any], text: str, *, hours_ago: float = 1.0,
             reply_to: dict[str, Any] | str | None = None,
             quote: dict[str, Any] | None = None, repost: dict[str, Any] | None = None,
             likes: int = 0, reposts: int = 0, replies: int = 0, quotes: int = 0,
             lang: str = "sv", note: str | None = None) -> dict[str, Any]:
        """Add a post (a reply, quote or repost when asked) and return it with all fields.

        `reply_to` may be the id of a post the API does not have (deleted): the reply then
        refers to it and the answer carries a partial "Not Found Error".
        """
        when = self.now - timedelta(hours=hours_ago)
        tweet_id = snowflake(when, next(self._ids))
        tweet: dict[str, Any] = {
            "id": tweet_id, "text": text, "edit_history_tweet_ids": [tweet_id],
            "author_id": author["id"], "created_at": iso(when), "conversation_id": tweet_id,
            "lang": lang,
            "public_metrics": {"retweet_count": reposts, "reply_count": replies,
                               "like_count": likes, "quote_count": quotes,
                               "bookmark_count": 0, "impression_count": 10 * likes},
        }
        references = []
        if repost is not None:
            original_author = self.users[repost["author_id"]]["username"]
            tweet["text"] = f"RT @{original_author}: {repost['text']}"[:140]
            references.append({"type": "retweeted", "id": repost["id"]})
        if reply_to is not None:
            if isinstance(reply_to, dict):
                tweet["conversation_id"] = reply_to["conversation_id"]
                tweet["in_reply_to_user_id"] = reply_to["author_id"]
                references.append({"type": "replied_to", "id": reply_to["id"]})
            else:
                tweet["conversation_id"] = reply_to
                references.append({"type": "replied_to", "id": reply_to})
        if quote is not None:
            references.append({"type": "quoted", "id": quote["id"]})
        if references:
            tweet["referenced_tweets"] = references
        if note:
            tweet["note_tweet"] = {"text": note}
        mentions = []
        for match in re.finditer(r"@(\w+)", tweet["text"]):
            user = self.user_by_name(match.group(1))
            if user:
                mentions.append({"start": match.start(), "end": match.end(),
                                 "username": user["username"], "id": user["id"]})
        if mentions:
            tweet["entities"] = {"mentions": mentions}
        self.tweets[tweet_id] = tweet
        return tweet

    def user_by_name(self, username: str) -> dict[str, Any] | None:
        """Return the account with this username (any case), or None."""
        wanted = username.casefold()
        return next((u for u in self.users.values() if u["username"].casefold() == wanted),
                    None)

    def fail(self, endpoint: str, status: int, body: bytes | dict | None = None,
             headers: dict[str, str] | None = None, times: int | None = 1, skip: int = 0,
             delay: float = 0.0) -> None:
        """Force an answer on the next requests to `endpoint` (user, timeline, mentions,
        search or *)."""
        if body is None:
            body = ERROR_BODIES.get(status, {"title": "Error", "status": status})
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        self.failures.append(Failure(endpoint, status, body, headers or {}, times, skip, delay))

    def seen(self, endpoint: str) -> list[Seen]:
        """Return the requests made to one endpoint."""
        return [r for r in self.requests if r.endpoint == endpoint]

    # --- answering ----------------------------------------------------------------------

    def _route(self, path: str) -> tuple[str, str | None]:
        if m := re.fullmatch(r"/2/users/by/username/([^/]+)", path):
            return "user", unquote(m.group(1))
        if m := re.fullmatch(r"/2/users/(\d+)/tweets", path):
            return "timeline", m.group(1)
        if m := re.fullmatch(r"/2/users/(\d+)/mentions", path):
            return "mentions", m.group(1)
        if path == "/2/tweets/search/recent":
            return "search", None
        return "unknown", None

    def _forced(self, endpoint: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.endpoint not in (endpoint, "*"):
                    continue
                if failure.skip:
                    failure.skip -= 1
                    return None
                if failure.times is not None:
                    if failure.times <= 0:
                        continue
                    failure.times -= 1
                return failure
        return None

    def answer(self, path: str, params: dict[str, str], headers: dict[str, str]
               ) -> tuple[int, dict[str, str], bytes]:
        """Return status, headers and body for one GET."""
        endpoint, arg = self._route(path)
        self.requests.append(Seen(endpoint, path, params, headers))
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, {}, json.dumps(ERROR_BODIES[401]).encode()
        failure = self._forced(endpoint)
        if failure:
            if failure.delay:
                self._stop.wait(failure.delay)
            return failure.status, dict(failure.headers), failure.body
        if endpoint == "unknown":
            return 404, {}, json.dumps({"title": "Not Found Error", "detail": path,
                                        "type": _PROBLEMS + "resource-not-found"}).encode()
        unknown = sorted(set(params) - ALLOWED_PARAMS[endpoint])
        if unknown:
            return _invalid(unknown[0], params[unknown[0]],
                            f"The query parameter [{unknown[0]}] is not one of "
                            f"[{','.join(sorted(ALLOWED_PARAMS[endpoint]))}]")
        reset = int(self.now.timestamp()) + 900
        limits = {"x-rate-limit-limit": "900", "x-rate-limit-remaining": "899",
                  "x-rate-limit-reset": str(reset)}
        if endpoint == "user":
            user = self.user_by_name(arg or "")
            if user is None:
                body = {"errors": [{
                    "value": arg, "detail": f"Could not find user with username: [{arg}].",
                    "title": "Not Found Error", "resource_type": "user",
                    "parameter": "username", "resource_id": arg,
                    "type": _PROBLEMS + "resource-not-found"}]}
            else:
                body = {"data": _shape(user, DEFAULT_USER_FIELDS, params.get("user.fields"))}
            return 200, limits, json.dumps(body).encode()
        low, high = MAX_RESULTS[endpoint]
        size = int(params.get("max_results", "10"))
        if not low <= size <= high:
            return _invalid("max_results", str(size),
                            f"The `max_results` query parameter value [{size}] is not between "
                            f"{low} and {high}")
        if endpoint == "search":
            if "query" not in params:
                return _invalid("query", "", "The `query` query parameter can not be empty")
            since = params.get("since_id")
            oldest = self.now - timedelta(days=7)
            if since and _id_time(since) < oldest:
                return _invalid("since_id", since,
                                f"Invalid 'since_id':'{since}'. 'since_id' must be a tweet id "
                                f"created after {iso(oldest)}.")
            matcher = _parse_query(params["query"])
            found = [t for t in self.tweets.values()
                     if _id_time(t["id"]) >= oldest and matcher(t, self)]
        elif endpoint == "timeline":
            found = [t for t in self.tweets.values() if t["author_id"] == arg]
        else:
            found = [t for t in self.tweets.values()
                     if any(m["id"] == arg for m in t.get("entities", {}).get("mentions", []))]
        body = self._page(found, params, size)
        return 200, limits, json.dumps(body).encode()

    def _page(self, found: list[dict[str, Any]], params: dict[str, str],
              size: int) -> dict[str, Any]:
        found = sorted(found, key=lambda t: int(t["id"]), reverse=True)
        if "since_id" in params:
            found = [t for t in found if int(t["id"]) > int(params["since_id"])]
        if "until_id" in params:
            found = [t for t in found if int(t["id"]) < int(params["until_id"])]
        token = params.get("pagination_token") or params.get("next_token")
        offset = int(base64.b32decode(token.upper() + "=" * (-len(token) % 8))) if token else 0
        size = min(size, self.page_size or size)
        page = found[offset:offset + size]
        tweet_fields, user_fields = params.get("tweet.fields"), params.get("user.fields")
        expansions = set((params.get("expansions") or "").split(",")) - {""}
        body: dict[str, Any] = {}
        if page:
            body["data"] = [_shape(t, DEFAULT_TWEET_FIELDS, tweet_fields) for t in page]
        users: dict[str, dict[str, Any]] = {}
        included: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for tweet in page:
            user_ids = []
            if "author_id" in expansions:
                user_ids.append(tweet["author_id"])
            if "in_reply_to_user_id" in expansions and tweet.get("in_reply_to_user_id"):
                user_ids.append(tweet["in_reply_to_user_id"])
            for user_id in user_ids:
                if user_id in self.users:
                    users.setdefault(user_id, _shape(self.users[user_id], DEFAULT_USER_FIELDS,
                                                     user_fields))
            if "referenced_tweets.id" in expansions:
                for ref in tweet.get("referenced_tweets", []):
                    if ref["id"] in self.tweets:
                        if all(t["id"] != ref["id"] for t in included):
                            included.append(_shape(self.tweets[ref["id"]],
                                                   DEFAULT_TWEET_FIELDS, tweet_fields))
                    else:
                        errors.append({
                            "value": ref["id"], "resource_id": ref["id"],
                            "detail": f"Could not find tweet with referenced_tweets.id: "
                                      f"[{ref['id']}].",
                            "title": "Not Found Error", "resource_type": "tweet",
                            "parameter": "referenced_tweets.id",
                            "type": _PROBLEMS + "resource-not-found"})
        includes = {}
        if users:
            includes["users"] = list(users.values())
        if included:
            includes["tweets"] = included
        if includes:
            body["includes"] = includes
        errors += self.extra_errors
        if errors:
            body["errors"] = errors
        meta: dict[str, Any] = {"result_count": len(page)}
        if page:
            meta["newest_id"], meta["oldest_id"] = page[0]["id"], page[-1]["id"]
        more = offset + size < len(found)
        if more or (self.endless and page):
            next_offset = offset + size if more else offset
            meta["next_token"] = base64.b32encode(str(next_offset).encode()).decode() \
                .rstrip("=").lower()
        if offset:
            meta["previous_token"] = base64.b32encode(str(max(0, offset - size)).encode()) \
                .decode().rstrip("=").lower()
        body["meta"] = meta
        return body

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                parts = urlsplit(self.path)
                params = dict(parse_qsl(parts.query, keep_blank_values=True))
                status, headers, body = api.answer(parts.path, params, dict(self.headers))
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler


def _invalid(name: str, value: str, message: str) -> tuple[int, dict[str, str], bytes]:
    body = {"errors": [{"parameters": {name: [value]}, "message": message}],
            "title": "Invalid Request",
            "detail": "One or more parameters to your request was invalid.",
            "type": _PROBLEMS + "invalid-request"}
    return 400, {}, json.dumps(body).encode()


def _shape(obj: dict[str, Any], defaults: tuple[str, ...], asked: str | None) -> dict[str, Any]:
    wanted = set(defaults) | set((asked or "").split(","))
    return {k: v for k, v in obj.items() if k in wanted}


def _id_time(tweet_id: str) -> datetime:
    return datetime.fromtimestamp(((int(tweet_id) >> 22) + TWITTER_EPOCH_MS) / 1000, UTC)


_QUERY_TOKEN = re.compile(r'\s*(-?)(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')


def _parse_query(query: str):
    """Return a predicate (tweet, api) -> bool for a recent-search query."""
    tokens = []
    for m in _QUERY_TOKEN.finditer(query):
        neg, opening, closing, phrase, word = m.groups()
        if opening:
            tokens.append(("(", bool(neg)))
        elif closing:
            tokens.append((")", False))
        elif word == "OR":
            tokens.append(("OR", False))
        else:
            tokens.append(("term", (bool(neg), phrase if phrase is not None else word,
                                    phrase is not None)))
    pos = 0

    def expr():
        nonlocal pos
        alternatives = [conjunction()]
        while pos < len(tokens) and tokens[pos][0] == "OR":
            pos += 1
            alternatives.append(conjunction())
        return lambda t, api: any(a(t, api) for a in alternatives)

    def conjunction():
        nonlocal pos
        parts = []
        while pos < len(tokens) and tokens[pos][0] not in ("OR", ")"):
            kind, value = tokens[pos]
            pos += 1
            if kind == "(":
                inner = expr()
                pos += 1  # the closing parenthesis
                parts.append((lambda f: lambda t, api: not f(t, api))(inner) if value else inner)
            else:
                parts.append(_term(*value))
        return lambda t, api: all(p(t, api) for p in parts)

    return expr()


def _term(negated: bool, text: str, phrase: bool):
    op, _, value = text.partition(":")
    value_cf = value.casefold()

    def test(tweet: dict[str, Any], api: FakeXAPI) -> bool:
        refs = {r["type"] for r in tweet.get("referenced_tweets", [])}
        if phrase or not value:
            return _has_words(tweet["text"], text)
        if op == "from":
            return api.users[tweet["author_id"]]["username"].casefold() == value_cf
        if op == "to":
            user = api.user_by_name(value)
            return bool(user) and tweet.get("in_reply_to_user_id") == user["id"]
        if op == "conversation_id":
            return tweet["conversation_id"] == value
        if op == "is":
            return {"reply": "replied_to", "retweet": "retweeted", "quote": "quoted"}[
                value_cf] in refs
        if op == "lang":
            return tweet.get("lang") == value
        return _has_words(tweet["text"], text)

    return (lambda t, api: not test(t, api)) if negated else test


def _has_words(text: str, words: str) -> bool:
    """Match whole words, as X's tokenised search does: "stad" does not match "stadsdelar"."""
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text, re.IGNORECASE) is not None
