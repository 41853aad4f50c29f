"""Hostile posts for the rendering tests: an RSS feed, an Atom feed and a WordPress REST API
site whose titles, texts, links and author names try every trick a post could use to run or
render something (scripts, event handlers, frames, javascript:/data:/vbscript: links,
markdown links and images, autolinks, entities that decode to tags, Streamlit's markdown
directives, LaTeX, bidi overrides, spreadsheet formulas).

Every item also speaks of "smart stad", Stockholm and "öppna data", so the tagger tags it and
it shows on the keyword and topic pages, in the week's drivers and in the review queue.

`BEACON` stands for the address of a local server that nothing may ever ask for: an image
or frame that loads it proves the content was rendered as markup. `ALERT` is the text of
every script's dialog: a dialog proves a script ran.
"""

from __future__ import annotations

import html
import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

ALERT = "pulse-xss"
SMART = "Stockholm smart stad öppna data"
RLO, PDF = "\u202e", "\u202c"  # right-to-left override, pop directional formatting
DATA_URL = "data:text/html;base64,PHNjcmlwdD5hbGVydCgncHVsc2UteHNzJyk8L3NjcmlwdD4="


def _days_ago(now: datetime, days: float) -> datetime:
    return now - timedelta(days=days)


def last_week_day(now: datetime, offset: int) -> datetime:
    """Noon UTC on the day `offset` (0 Monday … 6 Sunday) of the last complete ISO week."""
    monday = (now - timedelta(days=now.weekday() + 7)).replace(hour=12, minute=0, second=0,
                                                               microsecond=0)
    return monday + timedelta(days=offset)


def items(beacon: str, now: datetime) -> list[dict]:
    """The hostile items as they should be stored once collected: {"id", "title", "text",
    "link", "author", "when"}. Titles and texts are plain text that looks like markup;
    the feeds carry them escaped (so they arrive as that text), beside real markup that
    the collectors must strip."""
    return [
        {"id": "h1", "when": last_week_day(now, 0),
         "title": f'<script>alert("{ALERT}")</script> Smart stad i Stockholm {RLO}gnok{PDF}',
         "text": f'{SMART}: [klicka här](javascript:alert("{ALERT}")) och '
                 f"![spårpixel]({beacon}/md-image) läs mer.",
         "link": f'javascript:alert("{ALERT}")',
         "author": f'<img src=x onerror=alert("{ALERT}")>Redaktionen'},
        {"id": "h2", "when": last_week_day(now, 1),
         "title": "Smart stad :red[VARNING] :material/warning: :streamlit: :rocket: i Stockholm",
         "text": f'<img src=x onerror=alert("{ALERT}")> {SMART} $\\sqrt{{2}}$ och $$e^x$$ '
                 f'<iframe src="{beacon}/iframe"></iframe>',
         "link": DATA_URL,
         "author": f'[Redaktör](javascript:alert("{ALERT}"))'},
        {"id": "h3", "when": last_week_day(now, 2),
         "title": f"Stockholm {RLO}exe.stad smart{PDF} öppna data",
         "text": f'<javascript:alert("{ALERT}")> {SMART} '
                 f'<a href="vbscript:msgbox(1)">vb</a> <{beacon}/autolink>',
         "link": 'vbscript:msgbox("pulse")',
         "author": f"{RLO}nimda{PDF} :blue[Admin] <b>fet</b>"},
        {"id": "h4", "when": last_week_day(now, 3),
         "title": f'=HYPERLINK("{beacon}/xlsx","Stockholm smart stad") www.example.se',
         "text": f'=HYPERLINK("{beacon}/xlsx","klicka") {SMART}',
         "link": None,
         "author": "@SUM(1+1)*cmd|' /C calc'!A0"},
        {"id": "h5", "when": last_week_day(now, 4),
         "title": f'&lt;img src=x onerror=alert("{ALERT}")&gt; Smart stad Stockholm',
         "text": f'&#60;script&#62;alert("{ALERT}")&#60;/script&#62; {SMART} '
                 f'[data-länk]({DATA_URL}) [vb](vbscript:msgbox(1))',
         "link": None,
         "author": "<i>Kursiv</i> &amp; Co"},
        {"id": "h6", "when": _days_ago(now, 0.5),
         "title": f"<iframe src=\"{beacon}/title-frame\"></iframe> Stockholm smart stad",
         "text": f"{SMART} # Rubrik\n\n| a | b |\n|---|---|\n| <b>x</b> | y |\n\n"
                 f"<style>body{{display:none}}</style> ~~struken~~ **fet**",
         "link": None,
         "author": "Maja <maja@example.se>"},
    ]


REAL_MARKUP = ('<script>alert("{alert}")</script><img src="{beacon}/real-img" '
               'onerror="alert(\'{alert}\')"><iframe src="{beacon}/real-frame"></iframe>'
               '<a href="javascript:alert(\'{alert}\')">länk</a>')


def _feed_html(text: str, beacon: str) -> str:
    """A post's body as a feed carries it: the text escaped (it is text, not markup), after
    real hostile markup that the collector must drop."""
    return REAL_MARKUP.format(alert=ALERT, beacon=beacon) + f"<p>{html.escape(text)}</p>"


def _link(item: dict, base: str) -> str:
    return item["link"] if item["link"] else f"{base}/artikel/{item['id']}"


def rss(beacon: str, base: str, now: datetime, chosen: list[dict]) -> bytes:
    """An RSS 2.0 feed of `chosen` items (a local news site's), hostile bylines included."""
    entries = []
    for it in chosen:
        entries.append(
            "<item>"
            f"<title>{html.escape(html.escape(it['title']))}</title>"
            f"<link>{html.escape(_link(it, base))}</link>"
            f"<guid isPermaLink=\"false\">rss-{it['id']}</guid>"
            f"<dc:creator>{html.escape(html.escape(it['author']))}</dc:creator>"
            f"<pubDate>{format_datetime(it['when'].astimezone(UTC), usegmt=True)}</pubDate>"
            f"<description><![CDATA[{_feed_html(it['text'], beacon)}]]></description>"
            "</item>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
            f"<title>Fientliga nyheter</title><link>{base}/</link>"
            "<description>Testflöde</description>"
            + "".join(entries) + "</channel></rss>").encode("utf-8")


def atom(beacon: str, base: str, now: datetime, chosen: list[dict]) -> bytes:
    """An Atom feed of `chosen` items: html titles and contents, hostile author names."""
    entries = []
    for it in chosen:
        entries.append(
            "<entry>"
            f"<title type=\"html\">{html.escape(html.escape(it['title']))}</title>"
            f"<link rel=\"alternate\" href=\"{html.escape(_link(it, base))}\"/>"
            f"<id>urn:pulse:atom:{it['id']}</id>"
            f"<updated>{it['when'].astimezone(UTC).isoformat()}</updated>"
            f"<author><name>{html.escape(html.escape(it['author']))}</name></author>"
            f"<content type=\"html\">{html.escape(_feed_html(it['text'], beacon))}</content>"
            "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>Fientlig blogg</title>'
            f"<id>urn:pulse:atom</id><updated>{now.astimezone(UTC).isoformat()}</updated>"
            + "".join(entries) + "</feed>").encode("utf-8")


def wp_posts(beacon: str, base: str, chosen: list[dict]) -> bytes:
    """The WordPress REST API's /wp/v2/posts answer for `chosen` (rendered HTML fields)."""
    posts = [{"id": 900 + n, "date_gmt": it["when"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
              "modified_gmt": it["when"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
              "link": _link(it, base), "title": {"rendered": html.escape(it["title"])},
              "content": {"rendered": _feed_html(it["text"], beacon)},
              "excerpt": {"rendered": ""}, "author": 7}
             for n, it in enumerate(chosen)]
    return json.dumps(posts).encode("utf-8")


def wp_comments(chosen: list[dict]) -> bytes:
    """The /wp/v2/comments answer: hostile comments on the first post, with raw author
    names, javascript: links and texts that begin with a formula."""
    comments = [{"id": 9500 + n, "post": 900, "parent": 0, "author_name": it["author"],
                 "author_url": f'javascript:alert("{ALERT}")',
                 "date_gmt": it["when"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"),
                 "content": {"rendered": f"<p>{html.escape(it['text'])}</p>"},
                 "link": f'javascript:alert("{ALERT}")'}
                for n, it in enumerate(chosen)]
    return json.dumps(comments).encode("utf-8")
