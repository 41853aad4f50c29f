"""Posts on X through API v2 (tweepy `Client`, app-only bearer token).

Kind `x_user` collects three streams of one account: its timeline (the city's own voice,
raw["stream"] = "timeline"), its mentions, and the replies in its conversations. Replies are
found with one recent search (real X API v2 operators):

    (to:<user> OR conversation_id:<id> OR …) -from:<user>

`to:` catches every direct reply to the account; `conversation_id:` (one per thread the
account posted in during the last 7 days, taken from its timeline and kept in the cursor)
also catches replies to replies that no longer name the account. Recent search reaches back
7 days only and takes queries of at most 512 characters, so the oldest threads drop out first.

Kind `x_search` runs the source's query through recent search.

Each stream keeps its own `since_id` in the cursor and follows `next_token` for at most
`max_pages` pages; a stream's cursor only moves after the whole stream was fetched, and any
failure raises CollectError so the job stores neither items nor cursor.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import requests
import tweepy
from requests.adapters import HTTPAdapter
from requests.utils import get_environ_proxies

from collectors.base import CollectResult, Item
from collectors.errors import CollectError
from collectors.http import Fetcher, request_error, status_error

log = logging.getLogger(__name__)

TOKEN_ENV = "PULSE_X_BEARER_TOKEN"
API_HOST = "https://api.x.com"
TWEEPY_HOST = "https://api.twitter.com"  # tweepy 4.x hard-codes this host in Client.request
EXPANSIONS = ["author_id", "referenced_tweets.id", "in_reply_to_user_id"]
USER_FIELDS = ["username", "name", "description", "verified", "public_metrics"]
TWEET_FIELDS = ["created_at", "conversation_id", "in_reply_to_user_id", "referenced_tweets",
                "public_metrics", "lang", "author_id", "entities", "note_tweet"]
PAGE_SIZE = 100  # the maximum of the timeline, mentions and recent-search endpoints
SEARCH_WINDOW = timedelta(days=7)
MAX_QUERY_CHARS = 512
MAX_CONVERSATIONS = 10
_TWITTER_EPOCH_MS = 1288834974657
_RELATIONS = {"retweeted": "repost", "replied_to": "reply", "quoted": "quote"}
_METRICS = (("likes", "like_count"), ("reposts", "retweet_count"),
            ("replies", "reply_count"), ("quotes", "quote_count"))
_BEARER = re.compile(r"Bearer\s+[^\s'\",}]+")
_RT_PREFIX = re.compile(r"^RT @(\w+): ")
_DIGITS = re.compile(r"^\d{1,20}$")


class _RedactBearer(logging.Filter):
    """Blanks bearer tokens: tweepy logs its request headers at DEBUG level."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "Bearer" in message:
            record.msg, record.args = _BEARER.sub("Bearer [redacted]", message), ()
        return True


def _install_redaction() -> None:
    tweepy_log = logging.getLogger("tweepy.client")
    if not any(isinstance(f, _RedactBearer) for f in tweepy_log.filters):
        tweepy_log.addFilter(_RedactBearer())


_install_redaction()


class _XAdapter(HTTPAdapter):
    """Sends tweepy's requests to the configured API host (timeouts, size cap and retries are
    the shared session's, collectors.http)."""

    def __init__(self, base_url: str):
        super().__init__()
        self.base_url = base_url.rstrip("/")

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        """Rewrite api.twitter.com to the configured host, then send."""
        if self.base_url != TWEEPY_HOST and request.url.startswith(TWEEPY_HOST + "/"):
            request.url = self.base_url + request.url[len(TWEEPY_HOST):]
            # the session chose proxies for api.twitter.com; choose again for the real host
            proxies = get_environ_proxies(request.url)
        return super().send(request, stream=stream, timeout=timeout, verify=verify, cert=cert,
                            proxies=proxies)


def build(cfg: Any, fetcher: Fetcher, env: Mapping[str, str]) -> XCollector:
    """Return the collector of an x_user or x_search source; no token → 'no_credentials'."""
    token = (env.get(TOKEN_ENV) or "").strip()
    if not token:
        raise CollectError("no_credentials",
                           f"source {cfg.key}: set {TOKEN_ENV} in the environment to collect "
                           "from X")
    # wait_on_rate_limit=True would sleep in the job, and without x-rate-limit-reset tweepy
    # retries a 429 at once, forever; the scheduler's next run is the retry.
    client = tweepy.Client(bearer_token=token, return_type=dict, wait_on_rate_limit=False)
    client.user_agent = fetcher.user_agent
    client.session = fetcher.new_session()
    client.session.mount(TWEEPY_HOST + "/", _XAdapter(cfg.api_base_url or API_HOST))
    return XCollector(cfg.kind, client, username=cfg.username, query=cfg.query,
                      max_pages=cfg.max_pages, max_items=cfg.max_items)


def id_time(tweet_id: str | int) -> datetime | None:
    """Return when a post id (a snowflake) was created, or None for a non-snowflake id."""
    try:
        ms = (int(tweet_id) >> 22) + _TWITTER_EPOCH_MS
    except (TypeError, ValueError):
        return None
    if ms <= _TWITTER_EPOCH_MS:
        return None
    return datetime.fromtimestamp(ms / 1000, UTC)


@dataclass
class _Stream:
    """What one stream fetched: posts, the users and posts they refer to, the newest id."""

    tweets: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    referenced: dict[str, dict[str, Any]] = field(default_factory=dict)
    newest_id: int | None = None
    pages: int = 0


class XCollector:
    """Collects an X account's timeline, mentions and replies, or a recent search."""

    def __init__(self, kind: str, client: tweepy.Client, *, username: str | None = None,
                 query: str | None = None, max_pages: int = 5, max_items: int = 500,
                 now: Callable[[], datetime] | None = None):
        if kind not in ("x_user", "x_search"):
            raise CollectError("config", f"kind {kind} is not an X source")
        self.kind = kind
        self.client = client
        self.username = (username or "").strip().lstrip("@")
        self.query = (query or "").strip()
        self.max_pages = max_pages
        self.max_items = max_items
        self._now = now or (lambda: datetime.now(UTC))

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Fetch what is new since `cursor`; return the items and the cursor to store with them."""
        now = self._now()
        if self.kind == "x_search":
            streams, new_cursor = self._collect_search(cursor, now)
        else:
            streams, new_cursor = self._collect_user(cursor, now)
        items, seen = [], set()
        for name, stream in streams:
            for tweet in stream.tweets:
                item = self._item(tweet, stream, name, now)
                if item.external_id not in seen:
                    seen.add(item.external_id)
                    items.append(item)
        return CollectResult(items, new_cursor)

    def _collect_search(self, cursor: dict[str, Any],
                        now: datetime) -> tuple[list[tuple[str, _Stream]], dict[str, Any]]:
        since = cursor.get("search_since_id") if cursor.get("query") == self.query else None
        stream = self._fetch("search", f"X search {self.query!r}",
                             self.client.search_recent_tweets, self.query,
                             since_id=_recent_since(since, now), token_param="next_token")
        new_cursor = {**cursor, "query": self.query,
                      "search_since_id": _max_id(since, stream.newest_id)}
        return [("search", stream)], _drop_none(new_cursor)

    def _collect_user(self, cursor: dict[str, Any],
                      now: datetime) -> tuple[list[tuple[str, _Stream]], dict[str, Any]]:
        if str(cursor.get("username", "")).casefold() != self.username.casefold():
            cursor = {}  # another account: its ids and positions mean nothing here
        user_id = str(cursor.get("user_id") or "")
        if not _DIGITS.match(user_id):
            user_id = self._user_id()
        new_cursor = {**cursor, "user_id": user_id, "username": self.username}
        who = f"@{self.username}"

        timeline_since = cursor.get("timeline_since_id")
        timeline = self._fetch("timeline", f"X timeline of {who}", self.client.get_users_tweets,
                               user_id, since_id=timeline_since, token_param="pagination_token")
        new_cursor["timeline_since_id"] = _max_id(timeline_since, timeline.newest_id)

        mentions_since = cursor.get("mentions_since_id")
        mentions = self._fetch("mentions", f"X mentions of {who}",
                               self.client.get_users_mentions, user_id,
                               since_id=mentions_since, token_param="pagination_token")
        new_cursor["mentions_since_id"] = _max_id(mentions_since, mentions.newest_id)

        before = [str(c) for c in cursor.get("conversation_ids") or []]
        conversations = self._conversations(before, timeline.tweets, now)
        query, conversations = self._replies_query(conversations)
        replies_since = cursor.get("replies_since_id")
        since = replies_since
        added = [int(c) for c in conversations if c not in before]
        if since and added:
            # a thread new to the query has older replies than since_id: read it from its start
            since = str(min(int(since), *added))
        replies = self._fetch("replies", f"X replies to {who}", self.client.search_recent_tweets,
                              query, since_id=_recent_since(since, now), token_param="next_token")
        new_cursor["replies_since_id"] = _max_id(replies_since, replies.newest_id)
        new_cursor["conversation_ids"] = conversations
        return ([("timeline", timeline), ("mentions", mentions), ("replies", replies)],
                _drop_none(new_cursor))

    def _user_id(self) -> str:
        body = self._call(f"X user @{self.username}", self.client.get_user,
                          username=self.username)
        data = body.get("data")
        if not isinstance(data, dict) or not _DIGITS.match(str(data.get("id", ""))):
            # the API answers an unknown account with 200 and only `errors`
            raise CollectError("not_found", f"X user @{self.username} not found: "
                               f"{_error_text(body.get('errors')) or 'no user in the answer'}")
        return str(data["id"])

    def _conversations(self, before: list[str], own_tweets: list[dict[str, Any]],
                       now: datetime) -> list[str]:
        ids = set(before)
        for tweet in own_tweets:
            conversation = str(tweet.get("conversation_id") or "")
            if _DIGITS.match(conversation) and not _is_repost(tweet):
                ids.add(conversation)
        oldest = now - SEARCH_WINDOW
        recent = [c for c in ids if _DIGITS.match(c) and (id_time(c) or now) > oldest]
        return sorted(recent, key=int, reverse=True)[:MAX_CONVERSATIONS]

    def _replies_query(self, conversations: list[str]) -> tuple[str, list[str]]:
        user = self.username
        terms, used = [f"to:{user}"], []
        for conversation in conversations:
            candidate = [*terms, f"conversation_id:{conversation}"]
            if len(_or_query(candidate, user)) > MAX_QUERY_CHARS:
                break
            terms = candidate
            used.append(conversation)
        return _or_query(terms, user), used

    def _fetch(self, name: str, what: str, method: Callable[..., Any], *args: Any,
               since_id: str | None, token_param: str) -> _Stream:
        params: dict[str, Any] = {"expansions": EXPANSIONS, "tweet_fields": TWEET_FIELDS,
                                  "user_fields": USER_FIELDS, "max_results": PAGE_SIZE}
        if since_id:
            params["since_id"] = since_id
        stream = _Stream()
        while True:
            body = self._call(what, method, *args, **params)
            stream.pages += 1
            self._absorb(stream, body, name, what)
            token = (body.get("meta") or {}).get("next_token")
            if not token:
                break
            if stream.pages >= self.max_pages or len(stream.tweets) >= self.max_items:
                log.warning("x stream=%s %s: stopped after %d pages (%d posts); older posts "
                            "of this run are skipped", name, what, stream.pages,
                            len(stream.tweets))
                break
            params[token_param] = token
        log.info("x stream=%s %s: pages=%d posts=%d since_id=%s newest_id=%s", name, what,
                 stream.pages, len(stream.tweets), since_id, stream.newest_id)
        return stream

    def _absorb(self, stream: _Stream, body: dict[str, Any], name: str, what: str) -> None:
        data = body.get("data") or []
        includes = body.get("includes") or {}
        meta = body.get("meta") or {}
        if not isinstance(data, list) or not isinstance(includes, dict) \
                or not isinstance(meta, dict):
            raise CollectError("malformed", f"{what}: the answer is not an X API v2 list")
        for user in includes.get("users") or []:
            if isinstance(user, dict) and user.get("id"):
                stream.users[str(user["id"])] = user
        for tweet in includes.get("tweets") or []:
            if isinstance(tweet, dict) and tweet.get("id"):
                stream.referenced[str(tweet["id"])] = tweet
        ids = []
        for tweet in data:
            if isinstance(tweet, dict) and _DIGITS.match(str(tweet.get("id", ""))):
                stream.tweets.append(tweet)
                ids.append(int(tweet["id"]))
        if len(ids) != len(data):
            log.warning("x stream=%s %s: %d posts without an id skipped", name, what,
                        len(data) - len(ids))
        newest = str(meta.get("newest_id") or "")
        if _DIGITS.match(newest):
            ids.append(int(newest))
        if ids:
            stream.newest_id = max([*ids, stream.newest_id or 0])
        if body.get("errors"):
            log.warning("x stream=%s %s: partial errors (%d), run goes on: %s", name, what,
                        len(body["errors"]), _error_text(body["errors"])[:1000])

    def _call(self, what: str, method: Callable[..., Any], *args: Any,
              **params: Any) -> dict[str, Any]:
        try:
            body = method(*args, **params)
        except tweepy.HTTPException as exc:
            raise _http_error(exc, what) from exc
        except requests.exceptions.JSONDecodeError as exc:
            raise CollectError("malformed", f"{what}: the answer is not JSON ({exc})") from exc
        except requests.exceptions.RequestException as exc:
            raise request_error(exc, what) from exc
        if not isinstance(body, dict):
            raise CollectError("malformed", f"{what}: the answer is not a JSON object")
        return body

    def _item(self, tweet: dict[str, Any], stream: _Stream, name: str,
              now: datetime) -> Item:
        tweet_id = str(tweet["id"])
        author = stream.users.get(str(tweet.get("author_id"))) or {}
        handle = author.get("username") or None
        relation, parent = _relation(tweet.get("referenced_tweets"))
        text = _text(tweet)
        if relation == "repost" and parent in stream.referenced:
            # a repost's own text is cut at 140 characters; the original has it whole
            prefix = _RT_PREFIX.match(text)
            text = (prefix.group(0) if prefix else "") + _text(stream.referenced[parent])
        metrics = tweet.get("public_metrics") or {}
        followers = (author.get("public_metrics") or {}).get("followers_count")
        verified = author.get("verified")
        return Item(
            external_id=tweet_id,
            kind="post",
            text=text,
            published_at=_published(tweet) or id_time(tweet_id) or now,
            url=f"https://x.com/{handle or 'i/web'}/status/{tweet_id}",
            author_handle=handle,
            author_name=author.get("name") or None,
            author_description=author.get("description"),
            author_followers=followers if isinstance(followers, int) else None,
            author_verified=verified if isinstance(verified, bool) else None,
            conversation_id=str(tweet["conversation_id"]) if tweet.get("conversation_id")
            else None,
            relation=relation,
            parent_external_id=parent,
            engagement={key: metrics[src] for key, src in _METRICS
                        if isinstance(metrics.get(src), int)},
            # The account's own timeline is the city speaking; mentions and replies are others.
            voice="own" if name == "timeline" else "third_party" if name != "search" else None,
            raw={**tweet, "stream": name},
            platform="x",
        )


def _text(tweet: dict[str, Any]) -> str:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and note.get("text"):
        return str(note["text"])  # posts over 280 characters: `text` is only the start
    return str(tweet.get("text") or "")


def _relation(references: Any) -> tuple[str | None, str | None]:
    found = {r.get("type"): str(r.get("id")) for r in references or []
             if isinstance(r, dict) and r.get("id")}
    # a reply that also quotes is stored as the reply, so the thread stays whole
    for kind, relation in _RELATIONS.items():
        if kind in found:
            return relation, found[kind]
    return None, None


def _is_repost(tweet: dict[str, Any]) -> bool:
    return _relation(tweet.get("referenced_tweets"))[0] == "repost"


def _published(tweet: dict[str, Any]) -> datetime | None:
    value = tweet.get("created_at")
    if not isinstance(value, str):
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)


def _or_query(terms: list[str], user: str) -> str:
    inner = terms[0] if len(terms) == 1 else "(" + " OR ".join(terms) + ")"
    return f"{inner} -from:{user}"


def _recent_since(since_id: str | None, now: datetime) -> str | None:
    """Return since_id unless recent search would refuse it (400) for being over 7 days old."""
    if not since_id:
        return None
    created = id_time(since_id)
    if created is not None and created < now - SEARCH_WINDOW + timedelta(hours=1):
        return None
    return since_id


def _max_id(old: str | None, new: int | None) -> str | None:
    if new is None:
        return old
    if old and _DIGITS.match(str(old)) and int(old) >= new:
        return str(old)
    return str(new)


def _drop_none(cursor: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in cursor.items() if v is not None}


def _http_error(exc: tweepy.HTTPException, what: str) -> CollectError:
    """Return the shared classifier's error for a status tweepy raised on."""
    resp = exc.response
    status = getattr(resp, "status_code", None) or 0
    found = status_error(status, what, getattr(resp, "headers", {})) or CollectError(
        "http_error", what)
    # a 400 from X is mostly a query the API refuses; the message names the reason
    kind = "config" if status == 400 else found.kind
    return CollectError(kind, f"{what}: {_exc_text(exc)}", retry_after=found.retry_after)


def _exc_text(exc: Exception) -> str:
    return " ".join(str(exc).split())[:500]


def _error_text(errors: Any) -> str:
    if not isinstance(errors, list):
        return ""
    parts = []
    for error in errors:
        if isinstance(error, dict):
            parts.append(f"{error.get('title') or error.get('type') or 'error'}: "
                         f"{error.get('detail') or error.get('message') or ''}".strip())
        else:
            parts.append(str(error))
    return "; ".join(parts)
