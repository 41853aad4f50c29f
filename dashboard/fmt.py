"""How figures and times read on every page: local time with its zone, Swedish number
grouping, percentages, and singular or plural."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from store.inert import without_bidi

THIN_SPACE = "\u2009"
MARKDOWN_SPECIAL = set("\\`*_{}[]()<>#+-.!|~:$=&/")
# A word joiner (U+2060: invisible, no width) where Streamlit's markdown would still make
# something of escaped text: GFM's bare links (http://…, www.…, name@host) and the
# :streamlit: logo are found in the text after the escapes are read.
WORD_JOINER = "\u2060"
_AUTOLINKED = re.compile(r"(?=://)|(?<=www)(?=\.)|(?=@)|(?<=:)(?=streamlit:)", re.IGNORECASE)


def local_time(value: datetime | None, tz: ZoneInfo, with_zone: bool = False,
               fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Return an aware UTC time as local wall-clock time in `tz` ("–" for None); with
    `with_zone`, followed by the zone's abbreviation (CET, CEST)."""
    if value is None:
        return "–"
    if value.tzinfo is None:  # the store returns aware UTC; a naive time is UTC too
        value = value.replace(tzinfo=UTC)
    local = value.astimezone(tz)
    text = local.strftime(fmt)
    return f"{text} {local.tzname()}" if with_zone else text


def number(value: float | None) -> str:
    """A count as people read it: 12 345 (a thin space groups thousands, as in Swedish)."""
    if value is None:
        return "–"
    text = f"{value:,.0f}" if value == int(value) else f"{value:,.1f}"
    return text.replace(",", THIN_SPACE)


def percent(value: float | None, signed: bool = False) -> str:
    """A share as a whole percentage ("23 %" style without the space: "23%"); "–" for None."""
    if value is None:
        return "–"
    return f"{value:+.0%}" if signed else f"{value:.0%}"


def md_escape(text: str | None) -> str:
    """Return `text` with every markdown character backslash-escaped, so a post's title shown
    with st.markdown stays plain text: no links (nor bare addresses made links), images,
    emphasis, HTML, entities ("&lt;" stays as written), LaTeX ($) or Streamlit directives
    (:red[…], :material/…:, :streamlit:) from the post, and no bidi override turning the
    rest of the line around (store.inert). What shows reads exactly as the text."""
    text = _AUTOLINKED.sub(WORD_JOINER, without_bidi(text))
    return "".join(f"\\{c}" if c in MARKDOWN_SPECIAL else c for c in text)


def author_shown(handle: str | None, name: str | None) -> str | None:
    """Return how a mention's author is shown: a private person by their pseudonym's name
    ("Privatperson 3f2a9c"), anyone else by handle (or name when there is no handle)."""
    from store.privacy import is_pseudonym

    if is_pseudonym(handle):
        return name or handle
    return handle or name
