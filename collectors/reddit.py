"""Reddit through its JSON listings, fetched with the project's Fetcher.

Kind `reddit_subreddit` reads a subreddit's new posts (`/r/<sub>/new`) and new comments
(`/r/<sub>/comments`); kind `reddit_search` reads a search, newest first (`/search`, or
`/r/<sub>/search` with `restrict_sr=1` when `subreddit` is set). Listings are
`{"kind": "Listing", "data": {"children": [{"kind": "t3" | "t1", "data": …}], "after": …}}`,
newest first; a run follows `after` until it reaches what the cursor has seen (the newest
`created_utc` and the fullnames at that second, so nothing is lost or fetched twice at the
boundary) or `max_pages` pages of 100.

Credentials are optional. With `PULSE_REDDIT_CLIENT_ID` and `PULSE_REDDIT_CLIENT_SECRET` (a
"script" or "web" app made under reddit.com/prefs/apps) Pulse logs in with application-only
OAuth (`grant_type=client_credentials`) and reads the same listings from oauth.reddit.com,
which allows 60 requests a minute per client and is what Reddit asks API users to do; the
token lives in memory only. Without them it reads the public `.json` listings of
www.reddit.com, which Reddit limits much harder and may refuse (403/429: the source then
shows that error, and setting the credentials is the fix).

Why not praw: praw always needs a client id (even read-only), sleeps inside the call when
its rate limiter thinks it should (a job must not sleep; a 429 is the scheduler's to retry)
and retries on its own through prawcore's session, beside the retries, timeouts, size cap and
failure classifier the Fetcher already applies. The listings it would read are the same JSON
documents read here, so this module stays on the one HTTP stack with no new dependency.

Items carry `platform="reddit"`, the fullname (t3_…, t1_…) as external id, the post's
fullname as conversation id; comments are replies to their parent (post or comment) and
crossposts are reposts of the original, as X's relations are.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from collectors import auth
from collectors.base import CollectResult, Item
from collectors.errors import CollectError
from collectors.http import Fetcher
from collectors.text import html_to_text

log = logging.getLogger(__name__)

CLIENT_ID_ENV = "PULSE_REDDIT_CLIENT_ID"
CLIENT_SECRET_ENV = "PULSE_REDDIT_CLIENT_SECRET"
PUBLIC_API = "https://www.reddit.com"
OAUTH_API = "https://oauth.reddit.com"
PAGE_SIZE = 100  # the maximum of Reddit's listings
_GONE = {"[deleted]", "[removed]", ""}

_tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (token URL, client id) -> token, expiry
_tokens_lock = threading.Lock()


def build(cfg: Any, fetcher: Fetcher, env: Mapping[str, str]) -> RedditCollector:
    """Return the collector of a reddit_subreddit or reddit_search source (no request)."""
    client_id = (env.get(CLIENT_ID_ENV) or "").strip()
    secret = (env.get(CLIENT_SECRET_ENV) or "").strip()
    if bool(client_id) != bool(secret):
        raise CollectError("no_credentials",
                           f"source {cfg.key}: set both {CLIENT_ID_ENV} and {CLIENT_SECRET_ENV} "
                           "(or neither, for Reddit's public listings)")
    return RedditCollector(cfg.kind, fetcher, subreddit=cfg.subreddit, query=cfg.query,
                           client=(client_id, secret) if client_id else None,
                           api_base_url=cfg.api_base_url, max_pages=cfg.max_pages,
                           max_items=cfg.max_items)


class RedditCollector:
    """Collects a subreddit's new posts and comments, or a Reddit search."""

    def __init__(self, kind: str, fetcher: Fetcher, *, subreddit: str | None = None,
                 query: str | None = None, client: tuple[str, str] | None = None,
                 api_base_url: str | None = None, max_pages: int = 5, max_items: int = 500):
        if kind not in ("reddit_subreddit", "reddit_search"):
            raise CollectError("config", f"kind {kind} is not a Reddit source")
        self.kind = kind
        self.subreddit = (subreddit or "").strip().removeprefix("r/") or None
        self.query = (query or "").strip()
        if kind == "reddit_subreddit" and not self.subreddit:
            raise CollectError("config", "reddit_subreddit needs `subreddit`")
        if kind == "reddit_search" and not self.query:
            raise CollectError("config", "reddit_search needs `query`")
        self.client = client
        base = (api_base_url or "").rstrip("/")
        self.public_api = base or PUBLIC_API
        self.oauth_api = base or OAUTH_API
        self.token_url = f"{base or PUBLIC_API}/api/v1/access_token"
        self.max_pages, self.max_items = max_pages, max_items
        self.fetcher = auth.private_fetcher(fetcher)

    # --- login --------------------------------------------------------------------------

    def _login(self, renew: bool = False) -> None:
        if not self.client:
            return
        key = (self.token_url, self.client[0])
        with _tokens_lock:
            token, expiry = _tokens.get(key, (None, 0.0))
            if renew or token is None or expiry < time.time() + 60:
                body = auth.post(self.fetcher, self.token_url, "Reddit login (app-only OAuth)",
                                 form={"grant_type": "client_credentials"}, basic=self.client)
                token = body.get("access_token") if isinstance(body, dict) else None
                if not isinstance(token, str) or not token:
                    # Reddit answers a wrong secret with 200 and {"error": "invalid_grant"}
                    error = body.get("error") if isinstance(body, dict) else None
                    raise CollectError("unauthorized" if error else "malformed",
                                       f"Reddit login refused: {error or 'no access_token'}")
                lifetime = body.get("expires_in")
                expiry = time.time() + (lifetime if isinstance(lifetime, int | float)
                                        else 3600)
                _tokens[key] = (token, expiry)
        auth.authorize(self.fetcher, token, self.oauth_api)

    def _url(self, path: str, params: dict[str, Any]) -> str:
        params = {**params, "raw_json": 1}  # text without HTML entities (&amp; …)
        if self.client:
            return f"{self.oauth_api}{path}?{urlencode(params)}"
        return f"{self.public_api}{path}.json?{urlencode(params)}"

    def _listing(self, path: str, params: dict[str, Any], what: str) -> dict[str, Any]:
        renewed = False
        while True:
            try:
                resp = self.fetcher.get(self._url(path, params), accept="application/json")
                break
            except CollectError as exc:
                if not self.client or renewed or exc.kind != "unauthorized":
                    raise CollectError(exc.kind, f"{what}: {exc.detail}",
                                       retry_after=exc.retry_after) from None
                renewed = True  # the token expired or was revoked: one new login
                self._login(renew=True)
        try:
            body = json.loads(resp.content)
        except (ValueError, UnicodeDecodeError):
            raise CollectError("malformed", f"{what}: the answer is not JSON") from None
        data = body.get("data") if isinstance(body, dict) else None
        if not isinstance(body, dict) or body.get("kind") != "Listing" \
                or not isinstance(data, dict) or not isinstance(data.get("children"), list):
            raise CollectError("malformed", f"{what}: the answer is not a Reddit listing")
        kinds = {c.get("kind") for c in data["children"] if isinstance(c, dict)}
        if kinds == {"t5"}:
            # Reddit redirects an unknown subreddit's listing to a search for subreddits
            raise CollectError("not_found", f"{what}: no such subreddit (Reddit answered "
                                            "with a subreddit search)")
        return data

    # --- collecting ---------------------------------------------------------------------

    def collect(self, cursor: dict[str, Any]) -> CollectResult:
        """Fetch what is new since `cursor`; return the items and the cursor to store."""
        self._login()
        sub = self.subreddit
        if self.kind == "reddit_search":
            target = {"query": self.query, "subreddit": sub}
            if {k: cursor.get(k) for k in target} != target:
                cursor = {}  # another search: start afresh
            path = f"/r/{sub}/search" if sub else "/search"
            params = {"q": self.query, "sort": "new", "t": "all", "type": "link"}
            if sub:
                params["restrict_sr"] = 1
            streams = [("search", path, params)]
            new_cursor: dict[str, Any] = {k: v for k, v in target.items() if v}
        else:
            if cursor.get("subreddit") != sub:
                cursor = {}
            streams = [("posts", f"/r/{sub}/new", {}), ("comments", f"/r/{sub}/comments", {})]
            new_cursor = {"subreddit": sub}
        items: list[Item] = []
        for name, path, params in streams:
            since = cursor.get(f"{name}_since")
            at = set(cursor.get(f"{name}_at") or [])
            things = self._stream(path, params, since, at, f"Reddit {name} {path}")
            newest = max([since or 0.0, *(_created(t) or 0.0 for t in things)])
            if newest:
                new_cursor[f"{name}_since"] = newest
                new_cursor[f"{name}_at"] = sorted(
                    {t["name"] for t in things if _created(t) == newest}
                    | (at if newest == since else set()))
            items += [i for i in (self._item(t, name) for t in things) if i is not None]
        return CollectResult(items, new_cursor)

    def _stream(self, path: str, params: dict[str, Any], since: float | None,
                at: set[str], what: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        params = {**params, "limit": PAGE_SIZE}
        for page in range(1, self.max_pages + 1):
            data = self._listing(path, params, what)
            things = [c["data"] for c in data["children"] if isinstance(c, dict)
                      and c.get("kind") in ("t3", "t1") and isinstance(c.get("data"), dict)
                      and isinstance(c["data"].get("name"), str)]
            reached = False
            for thing in things:
                created = _created(thing)
                if since is not None and created is not None and (
                        created < since or (created == since and thing["name"] in at)):
                    reached = True
                    continue
                found.append(thing)
            following = data.get("after")
            if reached or not following or not things or len(found) >= self.max_items:
                break
            if page == self.max_pages:
                log.warning("reddit %s: stopped after %d pages (%d items); older items of "
                            "this run are skipped", what, page, len(found))
                break
            params["after"] = following
        return found[: self.max_items]

    def _item(self, thing: dict[str, Any], stream: str) -> Item | None:
        name = thing["name"]
        created = _created(thing)
        if created is None:
            return None
        author = thing.get("author")
        handle = author if isinstance(author, str) and author not in _GONE else None
        permalink = thing.get("permalink")
        url = f"https://www.reddit.com{permalink}" if isinstance(permalink, str) else None
        published = datetime.fromtimestamp(created, UTC)
        raw = {k: thing.get(k) for k in (
            "id", "name", "subreddit", "permalink", "url", "domain", "is_self", "over_18",
            "link_flair_text", "link_id", "parent_id", "link_title", "crosspost_parent",
            "score", "num_comments", "created_utc", "edited")
            if thing.get(k) not in (None, "", [])}
        raw["stream"] = stream
        score = thing.get("score")
        if name.startswith("t1_"):
            text = _body(thing.get("body"), thing.get("body_html"))
            if not text:
                return None
            link = thing.get("link_id")
            return Item(
                external_id=name, kind="post", text=text, published_at=published, url=url,
                author_handle=handle, author_name=handle,
                conversation_id=link if isinstance(link, str) else None,
                relation="reply", parent_external_id=thing.get("parent_id") or link,
                parent_url=_absolute(thing.get("link_permalink")),
                engagement={"likes": score} if isinstance(score, int) else {},
                raw=raw, platform="reddit")
        title = " ".join(str(thing.get("title") or "").split()) or None
        text = _body(thing.get("selftext"), thing.get("selftext_html")) or title or ""
        if not text:
            return None
        parent = thing.get("crosspost_parent")
        engagement = {"likes": score} if isinstance(score, int) else {}
        if isinstance(thing.get("num_comments"), int):
            engagement["replies"] = thing["num_comments"]
        return Item(
            external_id=name, kind="post", title=title, text=text, published_at=published,
            url=url, author_handle=handle, author_name=handle, conversation_id=name,
            relation="repost" if isinstance(parent, str) else None,
            parent_external_id=parent if isinstance(parent, str) else None,
            engagement=engagement, raw=raw, platform="reddit")


def _created(thing: dict[str, Any]) -> float | None:
    value = thing.get("created_utc")
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) \
        else None


def _body(text: Any, html: Any) -> str:
    if isinstance(text, str) and text.strip() not in _GONE:
        return text.strip()
    if isinstance(html, str):
        plain = html_to_text(html)
        return "" if plain in _GONE else plain
    return ""


def _absolute(permalink: Any) -> str | None:
    if isinstance(permalink, str) and permalink.startswith("/"):
        return f"https://www.reddit.com{permalink}"
    return permalink if isinstance(permalink, str) and permalink else None
