"""One mention as analysts read it: text with its evidence words highlighted, tags,
engagement and a link to the original. Post text is always escaped before display."""

from __future__ import annotations

import html
import re

import streamlit as st

from dashboard.context import Context
from dashboard.data import load
from dashboard.fmt import author_shown, local_time, md_escape
from dashboard.i18n import plural, t
from store.inert import safe_url, without_bidi
from store.queries import Filters

TAG_KINDS = ("keyword", "message", "topic", "audience", "intent", "city")
MAX_TEXT = 1500


MARKS = {"positive": "#b8e3d4", "negative": "#f4c9ab", "tag": "#f7efa0"}


def evidence_words(tags: dict[str, list[dict]]) -> dict[str, str]:
    """Return the words that explain a mention's tags, each with how to mark it: "positive"
    or "negative" (sentiment lexicon evidence) or "tag" (keywords, messages, topics …).

    Evidence items are words or phrases, or {"text", "weight"} from the sentiment lexicon;
    corrections ("correction by …") are not words of the text and are left out."""
    words: dict[str, str] = {}
    for kind, items in tags.items():
        for tag in items:
            for item in tag.get("evidence") or []:
                weight = None
                if isinstance(item, dict):
                    item, weight = item.get("text"), item.get("weight")
                elif isinstance(item, list | tuple) and item:
                    item, weight = item[0], (item[1] if len(item) > 1 else None)
                if not isinstance(item, str) or not item.strip() or item.startswith("correction"):
                    continue
                if kind == "sentiment" and isinstance(weight, int | float) and weight:
                    words[item.strip()] = "positive" if weight > 0 else "negative"
                else:
                    words.setdefault(item.strip(), "tag")
    return words


def highlight(text: str, words: dict[str, str]) -> str:
    """Return `text` HTML-escaped, with each evidence word wrapped in a coloured <mark>.

    Escaping comes first and the words are matched in the escaped text, so nothing from the
    post can become markup; bidi controls are removed (store.inert)."""
    escaped = html.escape(without_bidi(text))
    if not words:
        return escaped
    by_escaped = {html.escape(w).lower(): how for w, how in words.items()}
    pattern = "|".join(re.escape(w) for w in sorted(by_escaped, key=len, reverse=True))

    def mark(match: re.Match) -> str:
        how = by_escaped.get(match.group(1).lower(), "tag")
        return f'<mark style="background:{MARKS[how]}" class="ev-{how}">{match.group(1)}</mark>'

    return re.sub(rf"(?<!\w)({pattern})(?!\w)", mark, escaped, flags=re.IGNORECASE)


def safe_link(url: str | None) -> str | None:
    """Return the URL when it is http(s) with a host; None otherwise (no javascript: or
    data: links): store.inert.safe_url, the rule of every page and report."""
    return safe_url(url)


def _tag_line(ctx: Context, tags: dict[str, list[dict]]) -> str:
    parts = []
    for kind in TAG_KINDS:
        values = [ctx.label(kind, tag["value"]) for tag in tags.get(kind, [])]
        if values:
            parts.append(f"{t(kind, ctx.lang)}: {', '.join(values)}")
    return " · ".join(parts)


def _engagement(ctx: Context, engagement: dict) -> str:
    return ", ".join(f"{n} {t(k, ctx.lang)}" for k, n in engagement.items() if n)


def show_mention(ctx: Context, row: dict) -> None:
    """Draw one mention (a latest_mentions row) in a bordered box."""
    lang = ctx.lang
    with st.container(border=True):
        sentiment = row["sentiment"] or "neutral"
        status = f" · **{t(row['response_status'], lang)}**" if row["response_status"] else ""
        st.markdown(
            f"**{local_time(row['published_at'], ctx.tz)}** · {md_escape(row['source_name'])} · "
            f":{_colour_name(sentiment)}-badge[{t(sentiment, lang)}] · {t(row['voice'], lang)}"
            f"{status}")
        text = ((row["title"] + "\n\n") if row["title"] else "") + row["text"]
        if len(text) > MAX_TEXT:
            text = text[:MAX_TEXT] + " …"
        body = highlight(text, evidence_words(row["tags"])).replace("\n", "<br>")
        st.html(f'<div class="pulse-text">{body}</div>')
        details = [_tag_line(ctx, row["tags"])]
        who = author_shown(row.get("author"), row.get("author_name"))
        if who:
            details.append(f"{t('author', lang)}: {who}")
        if row["engagement"]:
            details.append(f"{t('engagement', lang)}: {_engagement(ctx, row['engagement'])}")
        # st.text shows the line as plain text: tag labels and author handles stay inert.
        st.text(without_bidi(" · ".join(d for d in details if d)))
        link = safe_link(row["url"])
        if link:
            st.link_button(t("open_original", lang), link, icon=":material/open_in_new:")


def _colour_name(sentiment: str) -> str:
    return {"positive": "green", "negative": "orange"}.get(sentiment, "gray")


def mention_list(ctx: Context, f: Filters, limit: int = 25, offset: int = 0) -> dict:
    """Load and draw one page of mentions matching `f`; return the loaded data."""
    data = load("mentions", ctx.url, f, ctx.granularity, limit=limit, offset=offset)
    if not data["total"]:
        st.info(t("empty", ctx.lang))
        return data
    st.caption(plural("results", ctx.lang, data["total"],
                      shown=f"{offset + 1}–{offset + len(data['rows'])}"))
    for row in data["rows"]:
        show_mention(ctx, row)
    return data

