"""Bluesky through its XRPC API (AT Protocol), fetched with the project's Fetcher.

Kind `bluesky_account` reads one account like X's `x_user`:
- its author feed (`app.bsky.feed.getAuthorFeed`, filter `posts_with_replies`): its posts,
  its replies and its reposts; stream "timeline", the source's voice;
- the replies by others in its recent threads (`app.bsky.feed.getPostThread` on each of up to
  10 of its threads from the last 7 days, kept in the cursor); stream "replies", third party;
- with a login, the posts that mention it (`app.bsky.feed.searchPosts`, `mentions=`); stream
  "mentions", third party.
Kind `bluesky_search` runs the source's query through `app.bsky.feed.searchPosts`
(`sort=latest`); Bluesky answers unauthenticated post search with 403 AuthMissing, so this
kind needs a login and shows "no token" without one.

Login: `PULSE_BLUESKY_HANDLE` and `PULSE_BLUESKY_APP_PASSWORD` (an app password made under
Settings → App passwords, never the account's own password) from the environment;
`com.atproto.server.createSession` gives an access token that is kept in memory only (one per
process and account, renewed when the service answers ExpiredToken) and never stored, logged
or put in a cursor. Without a login, the author feed and threads are read from the public
AppView (public.api.bsky.app); with one, every call goes to the entryway (bsky.social), which
hands app.bsky.* calls on to the AppView.

Why not the `atproto` SDK: it brings its own HTTP stack (httpx) with its own timeouts,
retries and errors, and would be a second way of fetching beside http.py. The four XRPC
methods used here are plain GETs of JSON (and one POST to log in), so calling them through
the Fetcher gives them the shared manners (User-Agent, timeouts, size cap, retries with
backoff, Retry-After, one classifier of failures) with no new dependency.

Items carry `platform="bluesky"`, the post's AT URI as external id, the thread root's URI as
conversation id, and relation reply / quote / repost with the parent's URI, as X's do.
Each stream keeps a since-like cursor (the newest `indexedAt` seen) and follows `cursor` for
at most `max_pages` pages. The author feed and threads keep only posts newer than it; search
sends it as `since`, which Bluesky treats as inclusive, so the boundary post comes again and
the store keeps it once (an index that is slow to show a post loses nothing that way).
A failure anywhere raises CollectError, so the job stores neither items nor cursor.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from collectors import auth
from collectors.base import CollectResult, Item
from collectors.errors import CollectError
from collectors.http import Fetcher
from collectors.text import parse_iso_utc

log = logging.getLogger(__name__)

HANDLE_ENV = "PULSE_BLUESKY_HANDLE"
PASSWORD_ENV = "PULSE_BLUESKY_APP_PASSWORD"
PUBLIC_API = "https://public.api.bsky.app"
SERVICE = "https://bsky.social"
PAGE_SIZE = 100  # the maximum of getAuthorFeed and searchPosts
THREAD_DEPTH = 10
MAX_THREADS = 10
THREAD_WINDOW = timedelta(days=7)
_POST = "app.bsky.feed.post"
_UNDATED = datetime.max.replace(tzinfo=UTC)  # a post without a time is taken as new
_QUOTE_EMBEDS = {"app.bsky.embed.record", "app.bsky.embed.recordWithMedia"}

_sessions: dict[tuple[str, str], str] = {}  # (service, handle) -> access token, this process
_sessions_lock = threading.Lock()


def build(cfg: Any, fetcher: Fetcher, env: Mapping[str, str]) -> BlueskyCollector:
    """Return the collector of a bluesky_account or bluesky_search source; a search without a
    login → 'no_credentials'."""
    handle = (env.get(HANDLE_ENV) or "").strip().lstrip("@")
    password = (env.get(PASSWORD_ENV) or "").strip()
    login = (handle, password) if handle and password else None
    if cfg.kind == "bluesky_search" and login is None:
        raise CollectError("no_credentials",
                           f"source {cfg.key}: Bluesky answers post search only with a login; "
                           f"set {HANDLE_ENV} and {PASSWORD_ENV} (an app password)")
    return BlueskyCollector(cfg.kind, fetcher, account=cfg.username, query=cfg.query,
                            login=login, api_base_url=cfg.api_base_url,
                            max_pages=cfg.max_pages, max_items=cfg.max_items)


def post_url(uri: str, handle: str | None) -> str | None:
    """Return the bsky.app address of a post's AT URI (at://did/app.bsky.feed.post/rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or parts[1] != _POST:
        return None
    return f"https://bsky.app/profile/{handle or parts[0]}/post/{parts[2]}"


class BlueskyCollector:
    """Collects a Bluesky account's posts, replies and mentions, or a post search."""

    def __init__(self, kind: str, fetcher: Fetcher, *, account: str | None = None,
                 query: str | None = None, login: tuple[str, str] | None = None,
                 api_base_url: str | None = None, max_pages: int = 5, max_items: int = 500,
                 now: Callable[[], datetime] | None = None):
        if kind not in ("bluesky_account", "bluesky_search"):
            raise CollectError("config", f"kind {kind} is not a Bluesky source")
        self.kind = kind
        self.account = (account or "").strip().lstrip("@")
        self.query = (query or "").strip()
        if kind == "bluesky_account" and not self.account:
            raise CollectError("config", "bluesky_account needs `username` (the handle)")
        if kind == "bluesky_search" and not self.query:
            raise CollectError("config", "bluesky_search needs `query`")
        self.login = login
        base = (api_base_url or "").rstrip("/")
        self.public_api = base or PUBLIC_API
        self.service = base or SERVICE
        self.max_pages, self.max_items = max_pages, max_items
        self.fetcher = auth.private_fetcher(fetcher)
        self._now = now or (lambda: datetime.now(UTC))

    # --- session ------------------------------------------------------------------------

    @property
    def _api(self) -> str:
        return self.service if self.login else self.public_api

    def _session(self, renew: bool = False) -> None:
        if not self.login:
            return
        key = (self.service, self.login[0].casefold())
        with _sessions_lock:
            token = None if renew else _sessions.get(key)
            if token is None:
                body = auth.post(self.fetcher,
                                 f"{self.service}/xrpc/com.atproto.server.createSession",
                                 f"Bluesky login of {self.login[0]}",
                                 json_body={"identifier": self.login[0],
                                            "password": self.login[1]})
                token = body.get("accessJwt") if isinstance(body, dict) else None
                if not isinstance(token, str) or not token:
                    raise CollectError("malformed", "Bluesky login: no accessJwt in the answer")
                _sessions[key] = token
        auth.authorize(self.fetcher, token, self.service)

    def _get(self, method: str, params: dict[str, Any], what: str) -> dict[str, Any]:
        url = f"{self._api}/xrpc/{method}?{urlencode(params, doseq=True)}"
        renewed = False
        while True:
            try:
                resp = self.fetcher.get(url, accept="application/json")
                break
            except CollectError as exc:
                # an access token expires after about two hours: ExpiredToken (400) or 401
                expired = exc.kind == "unauthorized" or (
                    exc.kind == "http_error" and "HTTP 400" in exc.detail)
                if not self.login or renewed or not expired:
                    raise CollectError(exc.kind, f"{what}: {exc.detail}",
                                       retry_after=exc.retry_after) from None
                renewed = True
                self._session(renew=True)
        try:
            body = json.loads(resp.content)
        except (ValueError, UnicodeDecodeError):
            raise CollectError("malformed", f"{what}: the answer is not JSON") from None
        if not isinstance(body, dict):
            raise CollectError("malformed", f"{what}: the answer is not a JSON object")
        return body

    # --- collecting ---------------------------------------------------------------------

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Fetch what is new since `cursor`; return the items and the cursor to store."""
        self._session()
        now = self._now()
        if self.kind == "bluesky_search":
            since = cursor.get("search_since") if cursor.get("query") == self.query else None
            posts, newest = self._search({"q": self.query}, since, f"Bluesky search "
                                                                   f"{self.query!r}")
            items = [self._item(p, "search", now) for p in posts]
            new_cursor = {"query": self.query, "search_since": newest or since}
            return _result(items, new_cursor)
        if str(cursor.get("account", "")).casefold() != self.account.casefold():
            cursor = {}  # another account: its times and threads mean nothing here
        new_cursor: dict[str, Any] = {"account": self.account}
        who = f"@{self.account}"
        timeline, newest = self._author_feed(cursor.get("timeline_since"),
                                             f"Bluesky feed of {who}")
        new_cursor["timeline_since"] = newest or cursor.get("timeline_since")
        items = [self._feed_item(entry, now) for entry in timeline]

        threads = self._threads(cursor.get("threads") or {}, timeline, now)
        for root, since in list(threads.items()):
            replies, newest = self._thread(root, since, f"Bluesky thread {root}")
            if newest is None:
                del threads[root]  # deleted, or not a post any more
                continue
            threads[root] = newest
            items += [self._item(p, "replies", now) for p in replies]
        new_cursor["threads"] = threads
        if self.login:
            mentions, newest = self._search({"q": self.account, "mentions": self.account},
                                            cursor.get("mentions_since"),
                                            f"Bluesky mentions of {who}")
            new_cursor["mentions_since"] = newest or cursor.get("mentions_since")
            items += [self._item(p, "mentions", now) for p in mentions
                      if _handle(p) != self.account.casefold()]
        return _result(items, new_cursor)

    def _pages(self, method: str, params: dict[str, Any], key: str, what: str,
               done: Callable[[list[dict[str, Any]]], bool]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params = {**params, "limit": PAGE_SIZE}
        for page in range(1, self.max_pages + 1):
            body = self._get(method, params, what)
            entries = body.get(key)
            if not isinstance(entries, list):
                raise CollectError("malformed", f"{what}: no `{key}` list in the answer")
            entries = [e for e in entries if isinstance(e, dict)]
            found.extend(entries)
            following = body.get("cursor")
            if not entries or not following or done(entries) or len(found) >= self.max_items:
                break
            if page == self.max_pages:
                log.warning("bluesky %s: stopped after %d pages (%d posts); older posts of "
                            "this run are skipped", what, page, len(found))
                break
            params["cursor"] = following
        return found[: self.max_items]

    def _author_feed(self, since: str | None,
                     what: str) -> tuple[list[dict[str, Any]], str | None]:
        floor = parse_iso_utc(since)
        entries = self._pages("app.bsky.feed.getAuthorFeed",
                              {"actor": self.account, "filter": "posts_with_replies"},
                              "feed", what,
                              lambda page: floor is not None and any(
                                  (_entry_time(e) or floor) <= floor for e in page))
        fresh = [e for e in entries if isinstance(e.get("post"), dict)
                 and (floor is None or (_entry_time(e) or _UNDATED) > floor)]
        return fresh, _newest([_entry_time(e) for e in entries], since)

    def _search(self, params: dict[str, Any], since: str | None,
                what: str) -> tuple[list[dict[str, Any]], str | None]:
        params = {**params, "sort": "latest"}
        if since:
            params["since"] = since
        floor = parse_iso_utc(since)
        posts = self._pages("app.bsky.feed.searchPosts", params, "posts", what,
                            lambda page: False)
        fresh = [p for p in posts if floor is None or (_post_time(p) or floor) >= floor]
        return fresh, _newest([_post_time(p) for p in posts], since)

    def _threads(self, before: dict[str, str], timeline: list[dict[str, Any]],
                 now: datetime) -> dict[str, str]:
        threads = {str(k): v for k, v in before.items() if isinstance(k, str)}
        for entry in timeline:
            post = entry["post"]
            if entry.get("reason") or _handle(post) != self.account.casefold():
                continue  # reposts are others' threads
            reply = (post.get("record") or {}).get("reply") or {}
            root = (reply.get("root") or {}).get("uri") or post.get("uri")
            if isinstance(root, str) and root not in threads:
                threads[root] = ""  # new: read every reply so far
        oldest = now - THREAD_WINDOW
        known = {uri: since for uri, since in threads.items()
                 if (parse_iso_utc(since) or now) > oldest}
        ordered = sorted(known, key=lambda uri: known[uri] or "~", reverse=True)
        return {uri: known[uri] for uri in ordered[:MAX_THREADS]}

    def _thread(self, root: str, since: str,
                what: str) -> tuple[list[dict[str, Any]], str | None]:
        try:
            body = self._get("app.bsky.feed.getPostThread",
                             {"uri": root, "depth": THREAD_DEPTH, "parentHeight": 0}, what)
        except CollectError as exc:
            if exc.kind == "http_error" and "HTTP 400" in exc.detail:
                log.info("bluesky %s: gone (NotFound); dropped from the threads", what)
                return [], None  # deleted: the cursor keeps nothing new for it
            raise
        thread = body.get("thread")
        if not isinstance(thread, dict):
            raise CollectError("malformed", f"{what}: no `thread` in the answer")
        floor = parse_iso_utc(since)
        posts: list[dict[str, Any]] = []
        times: list[datetime | None] = []
        stack = [r for r in thread.get("replies") or [] if isinstance(r, dict)]
        while stack:
            node = stack.pop()
            post = node.get("post")
            stack.extend(r for r in node.get("replies") or [] if isinstance(r, dict))
            if not isinstance(post, dict):
                continue  # notFoundPost, blockedPost
            times.append(_post_time(post))
            if _handle(post) == self.account.casefold():
                continue  # the account's own replies come with its author feed
            if floor is None or (_post_time(post) or _UNDATED) > floor:
                posts.append(post)
        newest = _newest(times, since or None)
        # a thread with no replies yet keeps its place with the root's time
        return posts, newest or _iso(_post_time(thread.get("post") or {}))

    # --- items --------------------------------------------------------------------------

    def _feed_item(self, entry: dict[str, Any], now: datetime) -> Item | None:
        post, reason = entry["post"], entry.get("reason")
        if isinstance(reason, dict) and str(reason.get("$type", "")).endswith("#reasonRepost"):
            by = reason.get("by") if isinstance(reason.get("by"), dict) else {}
            original = self._item(post, "timeline", now)
            if original is None:
                return None
            repost_id = reason.get("uri") or f"{post.get('uri')}#repost-by-{by.get('did')}"
            handle = by.get("handle")
            return Item(
                external_id=str(repost_id), kind="post", text=original.text,
                published_at=parse_iso_utc(reason.get("indexedAt")) or original.published_at,
                url=original.url, author_handle=handle or None,
                author_name=(by.get("displayName") or "").strip() or None,
                conversation_id=None, relation="repost", parent_external_id=str(post["uri"]),
                voice=None, raw={"stream": "timeline", "reason": reason, "post": post.get("uri")},
                platform="bluesky")
        return self._item(post, "timeline", now)

    def _item(self, post: dict[str, Any], stream: str, now: datetime) -> Item | None:
        uri, record = post.get("uri"), post.get("record")
        if not isinstance(uri, str) or not isinstance(record, dict):
            return None
        author = post.get("author") if isinstance(post.get("author"), dict) else {}
        text = str(record.get("text") or "").strip()
        embed = record.get("embed") if isinstance(record.get("embed"), dict) else {}
        if not text:  # images only: their descriptions are what there is to read
            text = "\n".join(str(i.get("alt")).strip() for i in embed.get("images") or []
                             if isinstance(i, dict) and i.get("alt"))
        if not text:
            return None
        relation, parent, conversation = None, None, None
        reply = record.get("reply") if isinstance(record.get("reply"), dict) else None
        quoted = _quoted(embed)
        if reply:
            relation = "reply"
            parent = (reply.get("parent") or {}).get("uri")
            conversation = (reply.get("root") or {}).get("uri")
        elif quoted:
            relation, parent = "quote", quoted
        handle = author.get("handle") or None
        engagement = {key: post[src] for key, src in (
            ("likes", "likeCount"), ("reposts", "repostCount"), ("replies", "replyCount"),
            ("quotes", "quoteCount")) if isinstance(post.get(src), int)}
        return Item(
            external_id=uri, kind="post", text=text,
            published_at=parse_iso_utc(record.get("createdAt")) or _post_time(post) or now,
            url=post_url(uri, handle), author_handle=handle,
            author_name=(author.get("displayName") or "").strip() or None,
            conversation_id=conversation or (uri if relation is None else None),
            relation=relation, parent_external_id=parent, engagement=engagement,
            voice=None if stream in ("timeline", "search") else "third_party",
            raw={"stream": stream, "uri": uri, "cid": post.get("cid"),
                 "indexedAt": post.get("indexedAt"), "record": record,
                 "author": {"did": author.get("did"), "handle": handle}},
            platform="bluesky")


def _result(items: list[Item | None], cursor: dict[str, Any]) -> CollectResult:
    seen: set[str] = set()
    kept = []
    for item in items:
        if item is None or item.external_id in seen:
            continue
        seen.add(item.external_id)
        if item.conversation_id and len(item.conversation_id) > 100:
            item.conversation_id = None  # a did:web root too long for the column
        kept.append(item)
    return CollectResult(kept, {k: v for k, v in cursor.items() if v is not None})


def _handle(post: dict[str, Any]) -> str:
    author = post.get("author") if isinstance(post.get("author"), dict) else {}
    return str(author.get("handle") or "").casefold()


def _quoted(embed: dict[str, Any]) -> str | None:
    if embed.get("$type") not in _QUOTE_EMBEDS:
        return None
    record = embed.get("record") if isinstance(embed.get("record"), dict) else {}
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        record = record.get("record") if isinstance(record.get("record"), dict) else {}
    uri = record.get("uri")
    return uri if isinstance(uri, str) and f"/{_POST}/" in uri else None


def _post_time(post: dict[str, Any]) -> datetime | None:
    return parse_iso_utc(post.get("indexedAt"))


def _entry_time(entry: dict[str, Any]) -> datetime | None:
    reason = entry.get("reason")
    if isinstance(reason, dict) and reason.get("indexedAt"):
        return parse_iso_utc(reason["indexedAt"])
    return _post_time(entry.get("post") or {})


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _newest(times: list[datetime | None], before: str | None) -> str | None:
    known = [t for t in times if t is not None]
    previous = parse_iso_utc(before)
    if previous:
        known.append(previous)
    return _iso(max(known)) if known else None
