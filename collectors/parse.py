"""Parse step: a decoded feed document to its entries (RSS, Atom, RDF by feedparser; JSON
Feed by collectors.jsonfeed), with the real web's breakage repaired first.

Repairs, each named in the result's notes: text before the document (blank lines, PHP
warnings) dropped; a broken, repeated or lying XML declaration replaced by a clean one (the
text is already decoded, collectors.decode); HTML entities that XML does not define (&nbsp;
&eacute; …) written as numeric references and a bare & escaped, outside CDATA sections;
characters XML forbids (NUL, other C0 controls, references to them) removed. feedparser only
ever sees bytes: it never opens a URL or a file.

The answer decides what is wrong when nothing can be read: a document that ends before its
root element is closed, sent without Content-Length or chunked framing, was cut off on the way
("truncated", transient: nothing of the run is stored, the next run fetches it again); an
HTML page, JSON that is not a JSON Feed, XML of another kind or binary data is "not_a_feed";
broken XML with no entry left is "malformed". A feed whose entries could be read despite
broken XML is not a failure: its entries are kept and the breakage is a warning on the
source's health.
"""

from __future__ import annotations

import html.entities
import json
import re
from dataclasses import dataclass, field
from typing import Any

import feedparser
from feedparser.mixin import _FeedParserMixin

from collectors.decode import decode
from collectors.errors import CollectError
from collectors.jsonfeed import looks_like_json_feed, parse_json_feed
from store.items import Item

FEED_ROOTS = ("rss", "feed", "rdf:rdf", "rdf", "channel")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}
_START = re.compile(r"<\?xml\b|<(?:rss|feed|rdf:RDF|RDF)\b|<!DOCTYPE\s+(?:rss|feed|rdf)",
                    re.IGNORECASE)
_DECL = re.compile(r"<\?xml\b[^>]*>", re.IGNORECASE)
_ROOT = re.compile(r"<([A-Za-z_][\w.:-]*)")
_PROLOG_JUNK = re.compile(r"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)",
                          re.DOTALL | re.IGNORECASE)
_PROTECTED = re.compile(r"(<!\[CDATA\[.*?(?:\]\]>|$)|<!--.*?(?:-->|$))", re.DOTALL)
_AMP = re.compile(r"&(?:(#[0-9]{1,7};|#[xX][0-9a-fA-F]{1,6};)|([A-Za-z][A-Za-z0-9]{0,31});|)")
_DECLARED_ENTITY = re.compile(r"<!ENTITY\s+([A-Za-z_][\w.-]*)")
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_HTML_ROOT = re.compile(r"^\s*(?:<!DOCTYPE\s+html|<html\b)", re.IGNORECASE)
_FEED_LINK = re.compile(r"""<link\b[^>]*type=["']application/(?:rss|atom)\+xml["'][^>]*>""",
                        re.IGNORECASE)
_HREF = re.compile(r"""href=["']([^"']+)["']""", re.IGNORECASE)


@dataclass
class Parsed:
    """What a feed document holds: feedparser entries (RSS/Atom/RDF) or items (JSON Feed),
    the feed's own metadata, and notes on what was repaired or could not be."""

    entries: list[Any] = field(default_factory=list)
    items: list[Item] | None = None
    feed: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    encoding: str = "utf-8"


def _valid_reference(ref: str) -> bool:
    number = int(ref[3:-1], 16) if ref[2] in "xX" else int(ref[2:-1])
    return (number in (0x9, 0xA, 0xD) or 0x20 <= number <= 0xD7FF
            or 0xE000 <= number <= 0xFFFD or 0x10000 <= number <= 0x10FFFF)


def repair_xml(text: str) -> tuple[str, list[str]]:
    """Return an XML document with the common breakage repaired (see the module text) and
    the names of the repairs made."""
    notes: list[str] = []
    start = _START.search(text)
    if start and text[:start.start()].strip():
        notes.append("text before the XML document dropped")
    text = text[start.start():] if start else text.lstrip()
    declarations = _DECL.findall(text)
    if declarations:
        if len(declarations) > 1 or not re.fullmatch(
                r"""<\?xml\s+version\s*=\s*["']1\.[01]["'][^>]*\?>""", declarations[0]):
            notes.append("broken or repeated XML declaration replaced")
        text = _DECL.sub("", text)
    declared = set(_DECLARED_ENTITY.findall(text))
    # An external DTD (RSS 0.91's Netscape one) may define HTML's entities: using them is no
    # fault of the feed, though no parser here loads that DTD.
    external_dtd = re.search(r"<!DOCTYPE[^>\[]*\b(?:PUBLIC|SYSTEM)\b", text[:4096]) is not None
    undefined: set[str] = set()
    forbidden = [False]

    def fix_amp(match: re.Match) -> str:
        number, name = match.group(1), match.group(2)
        if number:
            if _valid_reference("&" + number):
                return match.group(0)
            forbidden[0] = True
            return ""
        if name:
            if name in _XML_ENTITIES or name in declared:
                return match.group(0)
            char = html.entities.html5.get(name + ";")
            if char is None or not external_dtd:
                undefined.add(name)
            if char is not None:
                return "".join(f"&#{ord(c)};" for c in char)
            return "&amp;" + name + ";"
        undefined.add("&")
        return "&amp;"

    parts = _PROTECTED.split(text)
    for i in range(0, len(parts), 2):  # the odd ones are CDATA sections and comments
        parts[i] = _AMP.sub(fix_amp, parts[i])
    text = "".join(parts)
    if _FORBIDDEN.search(text):
        forbidden[0] = True
        text = _FORBIDDEN.sub("", text)
    if undefined:
        shown = sorted(f"&{n};" if n != "&" else "a bare &" for n in undefined)
        notes.append("entities XML does not define replaced: " + ", ".join(shown[:5])
                     + (" …" if len(shown) > 5 else ""))
    if forbidden[0]:
        notes.append("characters XML forbids removed")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + text, notes


def root_name(text: str) -> str | None:
    """Return the lower-cased name of the document's root element, or None."""
    pos = 0
    while True:
        junk = _PROLOG_JUNK.match(text, pos)
        if not junk or junk.end() == pos:
            break
        pos = junk.end()
    found = _ROOT.match(text, pos + len(text[pos:]) - len(text[pos:].lstrip()))
    return found.group(1).lower() if found else None


def is_closed(text: str, root: str) -> bool:
    """Return True when the document ends with its root's closing tag (or the root is
    empty), trailing whitespace and comments aside."""
    tail = re.sub(r"(?:\s|<!--.*?-->)*\Z", "", text[-4096:], flags=re.DOTALL)
    return bool(re.search(rf"</\s*{re.escape(root)}\s*>\Z", tail, re.IGNORECASE)
                or re.search(r"/>\Z", tail) and tail.count("<") <= 2)


def _entry_key(entry: Any) -> Any:
    return entry.get("id") or entry.get("link") or (entry.get("title"), entry.get("summary"))


# A GUID is an identity, not a link: feedparser resolves a relative one (isPermaLink is true by
# default) against the feed's address, so the same item would get another id when the feed
# moves, and databases collected before would store it twice. Links and content are still
# resolved.
_FeedParserMixin.can_be_relative_uri = _FeedParserMixin.can_be_relative_uri - {"id"}


def _feedparser(content: bytes, headers: dict[str, str]) -> Any:
    try:
        return feedparser.parse(content, response_headers=headers, sanitize_html=True,
                                resolve_relative_uris=True)
    except (ValueError, LookupError, UnicodeError) as exc:
        # feedparser's own decoding gives up on some bytes (a NUL, a codec it cannot load)
        broken = feedparser.FeedParserDict(entries=[], feed={}, bozo=1, version="")
        broken["bozo_exception"] = exc
        return broken


def _not_a_feed(text: str, url: str) -> CollectError:
    if _HTML_ROOT.match(text) or root_name(text) == "html":
        link = _FEED_LINK.search(text)
        href = _HREF.search(link.group(0)) if link else None
        hint = f"; the page names its feed at {href.group(1)}" if href else \
            "; the address may be the site's page rather than its feed"
        return CollectError("not_a_feed", f"{url}: an HTML page, not a feed{hint}")
    root = root_name(text)
    if root:
        return CollectError("not_a_feed", f"{url}: XML whose root is <{root}>, not RSS, Atom "
                                          "or RDF")
    return CollectError("not_a_feed", f"{url}: neither XML nor JSON (starts "
                                      f"{text.lstrip()[:40]!r})")


def _binary(content: bytes) -> bool:
    head = content[:512]
    return head.count(b"\x00") > len(head) // 4 and not (
        head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
        or b"<\x00" in head[:8] or b"\x00<" in head[:8])


def parse_document(content: bytes, url: str, headers: dict[str, str] | None = None, *,
                   framed: bool = True, now: Any = None) -> Parsed:
    """Parse a fetched feed document (see the module text); raise CollectError with kind
    truncated, not_a_feed or malformed when nothing can be read."""
    headers = headers or {}
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if looks_like_json_feed(content, headers):
        return _parse_json(content, url, content_type, framed, now)
    decoded = decode(content, content_type)
    text = decoded.text
    root = root_name(text.lstrip("\ufeff"))
    if root is None and _binary(content):
        raise CollectError("not_a_feed", f"{url}: binary data, not a feed")
    repaired, notes = repair_xml(text)
    root = root_name(repaired) or root
    if root and not framed and not is_closed(repaired, root):
        raise CollectError("truncated", f"{url}: the document ends before </{root}> and the "
                                        "server did not say how long it is")
    base = {"content-type": "application/xml; charset=utf-8", "content-location": url}
    parsed = _feedparser(repaired.encode("utf-8"), base)
    if parsed.bozo:
        # The repaired text still is not XML: see whether feedparser reads more of the
        # original bytes, decoded its own way.
        original = _feedparser(content, {**{k.lower(): v for k, v in headers.items()},
                                         "content-location": url})
        if len({_entry_key(e) for e in original.entries}) > len(
                {_entry_key(e) for e in parsed.entries}):
            parsed = original
            notes.append("read by feedparser from the original bytes")
    reason = parsed.get("bozo_exception")
    if not parsed.entries:
        if root not in FEED_ROOTS and not parsed.feed.get("title"):
            raise _not_a_feed(text, url)
        if parsed.bozo:
            raise CollectError("malformed", f"{url}: broken XML with no entry that can be read "
                                            f"({_describe(reason)})")
    if parsed.bozo and parsed.entries:
        notes.append(f"not well-formed XML ({_describe(reason)}); "
                     f"{len(parsed.entries)} entries read anyway")
    notes = decoded.notes + notes
    return Parsed(entries=list(parsed.entries), feed=dict(parsed.feed), notes=notes,
                  encoding=decoded.encoding)


def _describe(reason: Any) -> str:
    if reason is None:
        return "unknown fault"
    text = " ".join(str(reason).split())
    return f"{type(reason).__name__}: {text}"[:300]


def _parse_json(content: bytes, url: str, content_type: str, framed: bool, now: Any) -> Parsed:
    decoded = decode(content, content_type)
    try:
        json.loads(decoded.text.lstrip("\ufeff \t\r\n"))
    except ValueError as exc:
        if not framed:
            raise CollectError("truncated", f"{url}: the JSON ends early ({exc}) and the server "
                                            "did not say how long it is") from exc
        raise CollectError("malformed", f"{url}: not JSON ({exc})") from exc
    items = parse_json_feed(decoded.text.lstrip("\ufeff").encode("utf-8"), url, now=now)
    return Parsed(items=items, notes=decoded.notes, encoding=decoded.encoding)
