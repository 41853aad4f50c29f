"""Builds the demo's RSS and Atom documents from the bundled sample items.

All items are SAMPLE DATA written for Pulse (pulse/demo/data/*.json); every feed says so,
and every link points at an `.example` domain.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache
from importlib import resources
from xml.sax.saxutils import escape

SAMPLE_NOTE = "EXEMPELDATA / SAMPLE DATA – skriven för Pulse, inte verkliga händelser"


@dataclass(frozen=True)
class DemoFeed:
    """One demo feed: where it is served, its format, and the source config it becomes."""

    feed: str         # the `feed` key in the data files
    path: str         # URL path on the demo server
    title: str
    site: str         # the .example site its links point at
    fmt: str = "rss"  # rss | atom
    kind: str = "feed"
    voice: str = "third_party"
    filter: str | None = None
    channel: str | None = None  # None: the kind's default (collectors.registry)


NEWS_FILTER = (
    'digital* OR smart* OR e-tjänst* OR data OR app OR appar OR sensor* OR uppkoppl* OR 5G '
    'OR fiber* OR startup* OR innovat* OR hackathon OR AI OR IT OR teknik* OR plattform* '
    'OR forsk* OR KTH OR läcka OR dataläcka OR testbädd* OR realtid* OR trygghetslarm* '
    'OR konsult* OR vård* OR techtalang* OR företag*'
)

FEEDS = (
    DemoFeed("smartsthlm_blog", "/blog/feed/", "Smart Stockholm-bloggen (exempel)",
             "https://smartsthlm.example", voice="own", channel="own_blog"),
    DemoFeed("smartsthlm_comments", "/blog/comments/feed/", "Kommentarer: Smart Stockholm",
             "https://smartsthlm.example", kind="wordpress_comments"),
    DemoFeed("smartsthlm_en", "/en/feed/", "Smart Stockholm in English (sample)",
             "https://smartsthlm.example/en", voice="own"),
    DemoFeed("stockholmsbladet", "/stockholmsbladet/rss.xml", "Stockholmsbladet (exempel)",
             "https://stockholmsbladet.example"),
    DemoFeed("nyheter_sok", "/nyheter/sok.rss", "Nyhetssök: Stockholm smart stad (exempel)",
             "https://nyhetssok.example", filter=NEWS_FILTER),
    DemoFeed("nordic_cities_review", "/nordic/atom.xml", "Nordic Cities Review (sample)",
             "https://nordiccities.example", fmt="atom"),
    DemoFeed("tech_europe_wire", "/techwire/rss.xml", "Tech Europe Wire (sample)",
             "https://techeurope.example"),
    DemoFeed("researchers_blog", "/research/feed/", "Urban Data Lab blog (sample)",
             "https://urbandatalab.example"),
)


@cache
def sample_items() -> tuple[dict, ...]:
    """Return every bundled sample item (Swedish and English)."""
    items: list[dict] = []
    for name in ("items_sv.json", "items_en.json"):
        path = resources.files("pulse.demo") / "data" / name
        items.extend(json.loads(path.read_text(encoding="utf-8")))
    return tuple(items)


def _slug(item: dict) -> str:
    return item["id"]


def item_link(feed: DemoFeed, item: dict, posts: dict[str, dict]) -> str:
    """Return the .example link of an item (a comment links to its post with a fragment)."""
    if feed.kind == "wordpress_comments":
        post = posts[item["post"]]
        return f"https://smartsthlm.example/{_slug(post)}/#comment-{_slug(item)}"
    return f"{feed.site}/{_slug(item)}/"


def _published(item: dict, now: datetime) -> datetime:
    return (now - timedelta(days=item["days_ago"])).replace(microsecond=0)


def render(feed: DemoFeed, now: datetime, base_url: str) -> bytes:
    """Return the feed document (RSS 2.0 or Atom) for `feed`, dated relative to `now`."""
    items = [i for i in sample_items() if i["feed"] == feed.feed]
    items.sort(key=lambda i: i["days_ago"])
    posts = {i["id"]: i for i in sample_items() if i["feed"] == "smartsthlm_blog"}
    comment_counts: dict[str, int] = {}
    for i in sample_items():
        if i.get("post"):
            comment_counts[i["post"]] = comment_counts.get(i["post"], 0) + 1
    if feed.fmt == "atom":
        return _atom(feed, items, now, base_url)
    entries = []
    for item in items:
        link = item_link(feed, item, posts)
        extra = ""
        if feed.feed == "smartsthlm_blog":
            extra = (f"<wfw:commentRss>{escape(link)}feed/</wfw:commentRss>"
                     f"<slash:comments>{comment_counts.get(item['id'], 0)}</slash:comments>")
        guid = (f"https://smartsthlm.example/?p={_slug(item)}" if feed.feed == "smartsthlm_blog"
                else link)
        entries.append(
            "<item>"
            f"<title>{escape(item['title'])}</title>"
            f"<link>{escape(link)}</link>"
            f'<guid isPermaLink="false">{escape(guid)}</guid>'
            f"<pubDate>{format_datetime(_published(item, now))}</pubDate>"
            f"<dc:creator>{escape(item['author'])}</dc:creator>"
            "<category>sample-data</category>"
            f"<description>{escape(item['text'])}</description>"
            f"{extra}</item>")
    doc = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:wfw="http://wellformedweb.org/CommentAPI/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
        f"<channel><title>{escape(feed.title)}</title><link>{feed.site}/</link>"
        f"<description>{escape(SAMPLE_NOTE)}</description><language>sv</language>"
        + "".join(entries) + "</channel></rss>")
    return doc.encode("utf-8")


def _atom(feed: DemoFeed, items: list[dict], now: datetime, base_url: str) -> bytes:
    entries = []
    for item in items:
        link = f"{feed.site}/{_slug(item)}/"
        when = _published(item, now).astimezone(UTC).isoformat().replace("+00:00", "Z")
        entries.append(
            "<entry>"
            f"<title>{escape(item['title'])}</title>"
            f'<link rel="alternate" href="{escape(link)}"/>'
            f"<id>tag:nordiccities.example,2026:{_slug(item)}</id>"
            f"<updated>{when}</updated><published>{when}</published>"
            f"<author><name>{escape(item['author'])}</name></author>"
            f'<category term="sample-data"/>'
            f'<summary type="text">{escape(item["text"])}</summary>'
            "</entry>")
    updated = now.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    doc = (
        '<?xml version="1.0" encoding="utf-8"?>'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(feed.title)}</title><subtitle>{escape(SAMPLE_NOTE)}</subtitle>"
        f'<link rel="self" href="{escape(base_url + feed.path)}"/>'
        f"<id>tag:nordiccities.example,2026:feed</id><updated>{updated}</updated>"
        + "".join(entries) + "</feed>")
    return doc.encode("utf-8")
