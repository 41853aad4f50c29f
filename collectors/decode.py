"""Decode step: a fetched document's bytes to text, in the encoding it really is in.

The order is RFC 7303 section 3 (XML media types) with the XML 1.0 spec's Appendix F, which
is also what feedparser and browsers follow:

1. A byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32 LE/BE) wins over everything, the HTTP
   header included (RFC 7303 §3.3, and the WHATWG encoding standard for HTML).
2. Then the charset parameter of the HTTP Content-Type, whatever the type (RFC 7303 §3.2:
   it is authoritative; text/xml without one no longer means us-ascii, as RFC 3023 said).
3. Then the first bytes of a document without a BOM: UTF-32 and UTF-16 show in how `<?xml`
   or `<` is laid out (Appendix F: 00 00 00 3C, 3C 00 00 00, 00 3C 00 3F, 3C 00 3F 00),
   and an ASCII-compatible document names its encoding in the XML declaration (or, for an
   HTML page, in <meta charset>).
4. Else UTF-8, the default of XML and of JSON.

Labels are read as the WHATWG encoding standard says servers mean them: iso-8859-1, latin1
and us-ascii as windows-1252 (its 0x80-0x9F are € ‘ ’ “ ” – …), gb2312 as gbk, big5 as
big5-hkscs, shift_jis as cp932, unknown spellings (utf8, UTF_8, win-1252) by their aliases.

Two mistakes of the real web are repaired, and reported as notes for the source's health:
a document labelled with a single-byte encoding whose bytes are valid, non-ASCII UTF-8 is
UTF-8 (the label is older than the site's move to UTF-8); and a document whose bytes are not
in the encoding chosen is read in the next candidate that fits (the XML declaration when the
HTTP header was wrong, then UTF-8; UTF-8 with a few stray bytes keeps its UTF-8 and reads
those as windows-1252), and bytes that no label describes and are not UTF-8 are read in the
encoding charset_normalizer detects (big5 or KOI8-R named nowhere), else windows-1252.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

BOMS = (  # longest first: the UTF-32 LE mark starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# XML 1.0 Appendix F: how "<?xm" or "<" looks in each encoding without a byte-order mark.
SNIFF = (
    (b"\x00\x00\x00\x3c", "utf-32-be"), (b"\x3c\x00\x00\x00", "utf-32-le"),
    (b"\x00\x3c\x00\x3f", "utf-16-be"), (b"\x3c\x00\x3f\x00", "utf-16-le"),
    (b"\x00\x3c\x00", "utf-16-be"), (b"\x3c\x00", "utf-16-le"),
)
# WHATWG encoding standard: what a label means in practice (Python codec names).
ALIASES = {
    "iso-8859-1": "windows-1252", "iso8859-1": "windows-1252", "latin1": "windows-1252",
    "latin-1": "windows-1252", "l1": "windows-1252", "us-ascii": "windows-1252",
    "ascii": "windows-1252", "iso_8859-1": "windows-1252", "cp819": "windows-1252",
    "ibm819": "windows-1252", "win-1252": "windows-1252", "cp1252": "windows-1252",
    "x-cp1252": "windows-1252", "iso-8859-9": "windows-1254", "latin5": "windows-1254",
    "iso-8859-11": "windows-874", "tis-620": "windows-874",
    "gb2312": "gbk", "gb_2312-80": "gbk", "x-gbk": "gbk", "chinese": "gbk",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs",
    "cn-big5": "big5hkscs", "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932",
    "x-sjis": "cp932", "ms_kanji": "cp932", "windows-31j": "cp932", "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949", "utf8": "utf-8", "utf_8": "utf-8", "unicode-1-1-utf-8": "utf-8",
    "utf8mb4": "utf-8", "utf-16": "utf-16-le", "utf-32": "utf-32-le", "ucs-2": "utf-16-le",
    "unicode": "utf-16-le",
}
SINGLE_BYTE = re.compile(r"^(windows-12\d\d|windows-874|iso-?8859-\d+|koi8-[ru]|mac-?roman)$")
_XML_DECL = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
                       re.IGNORECASE)
_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
_UTF16_32 = re.compile(r"^utf-(16|32)")


@dataclass
class Decoded:
    """A document as text, the encoding it was read in, and why (bom, http, sniffed,
    declared, default, repaired), with notes on mislabels worth telling the source about."""

    text: str
    encoding: str
    basis: str
    notes: list[str] = field(default_factory=list)


def charset_of(content_type: str | None) -> str | None:
    """Return the charset parameter of a Content-Type value, or None."""
    for part in (content_type or "").split(";")[1:]:
        name, _, value = part.partition("=")
        if name.strip().lower() == "charset":
            value = value.strip().strip("\"'").strip()
            return value or None
    return None


def codec_name(label: str | None) -> str | None:
    """Return the Python codec for an encoding label as the WHATWG standard reads it, or None
    for a label no codec knows."""
    if not label:
        return None
    lowered = label.strip().lower()
    name = ALIASES.get(lowered, lowered)
    try:
        found = codecs.lookup(name).name
    except LookupError:
        return None
    return ALIASES.get(found, found)


def _bom(content: bytes) -> tuple[str, int] | None:
    for mark, name in BOMS:
        if content.startswith(mark):
            return name, len(mark)
    return None


def _sniff(content: bytes) -> str | None:
    return next((name for prefix, name in SNIFF if content.startswith(prefix)), None)


def _declared(content: bytes) -> str | None:
    found = _XML_DECL.match(content[:1024])
    if not found:
        found = _META.search(content[:4096])
    return found.group(1).decode("ascii") if found else None


def _c1_controls(error: UnicodeDecodeError) -> tuple[str, int]:
    # WHATWG windows-1252 maps the five bytes cp1252 leaves undefined to C1 controls.
    chunk = error.object[error.start:error.end]
    return "".join(chr(b) for b in chunk), error.end


codecs.register_error("pulse-c1", _c1_controls)


_ESCAPED = re.compile("[\udc80-\udcff]")


def _mostly_utf8(content: bytes) -> str | None:
    """Return UTF-8 text with the few bytes that are not UTF-8 read as windows-1252 (a
    UTF-8 template with one pasted latin-1 word), or None when the bytes are not UTF-8."""
    text = content.decode("utf-8", "surrogateescape")
    stray = len(_ESCAPED.findall(text))
    multibyte = sum(1 for c in text if ord(c) > 0x7F) - stray
    if not stray or multibyte <= stray:
        return None
    return _ESCAPED.sub(lambda m: bytes([ord(m.group(0)) - 0xDC00]).decode("cp1252", "pulse-c1"),
                        text)


def _detected(content: bytes) -> str | None:
    """Return the encoding charset_normalizer finds for bytes no label describes."""
    import charset_normalizer

    best = charset_normalizer.from_bytes(content[:200_000]).best()
    return codec_name(best.encoding) if best is not None else None


def _fits(content: bytes, encoding: str) -> str | None:
    try:
        if encoding == "windows-1252":
            return content.decode("cp1252", "pulse-c1")
        return content.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _utf8_not_ascii(content: bytes) -> str | None:
    if content.isascii():
        return None
    return _fits(content, "utf-8")


def decode(content: bytes, content_type: str | None = None) -> Decoded:
    """Return the text of a document, decoded in the order described in the module text."""
    bom = _bom(content)
    if bom:
        name, size = bom
        http_label = charset_of(content_type)
        notes = [f"labelled {http_label} but the bytes are {name} (byte-order mark)"] \
            if http_label and codec_name(http_label) != name else []
        text = _fits(content[size:], name)
        if text is not None:
            return Decoded(text, name, "bom", notes)
        return Decoded(content[size:].decode(name, "replace"), name, "bom",
                       [f"bytes that are not {name} despite its byte-order mark"])
    notes: list[str] = []
    candidates: list[tuple[str, str]] = []
    http_label = charset_of(content_type)
    http = codec_name(http_label)
    if http_label and not http:
        notes.append(f"unknown charset {http_label!r} in the HTTP header")
    sniffed = _sniff(content)
    declared_label = None if sniffed else _declared(content)
    declared = codec_name(declared_label)
    if sniffed:
        # The layout of the first bytes is proof: a header saying otherwise is wrong.
        if http and http != sniffed:
            notes.append(f"labelled {http_label} but the bytes are {sniffed}")
        candidates.append((sniffed, "sniffed"))
    else:
        for encoding, basis, label in ((http, "http", http_label),
                                       (declared, "declared", declared_label)):
            if encoding and _UTF16_32.match(encoding):
                notes.append(f"labelled {label} but the bytes are ASCII-compatible")
            elif encoding:
                candidates.append((encoding, basis))
    candidates.append(("utf-8", "default"))
    first, first_basis = candidates[0]
    if SINGLE_BYTE.match(first) and first_basis in ("http", "declared"):
        text = _utf8_not_ascii(content)
        if text is not None:
            notes.append(f"labelled {http_label if first_basis == 'http' else declared_label}"
                         " but the bytes are UTF-8")
            return Decoded(text, "utf-8", "repaired", notes)
    for encoding, basis in candidates:
        text = _fits(content, encoding)
        if text is None and basis == "default":
            text = _mostly_utf8(content)
            if text is not None:
                notes.append("UTF-8 with a few bytes that are not: read as windows-1252")
                return Decoded(text, "utf-8", "repaired", notes)
            encoding, basis = _detected(content) or "windows-1252", "detected"
            text = _fits(content, encoding)
            if text is None:
                encoding, text = "windows-1252", _fits(content, "windows-1252")
        if text is not None:
            if first_basis == "default" and basis != "default":
                notes.append(f"no encoding named and the bytes are not UTF-8: read as "
                             f"{encoding} (detected)")
            elif (encoding, basis) != (first, first_basis):
                label = http_label if first_basis == "http" else declared_label
                notes.append(f"labelled {label} but the bytes are {encoding}")
            return Decoded(text, encoding, basis, notes)
    notes.append(f"bytes that are not {first}: read with replacement marks")
    return Decoded(content.decode(first, "replace"), first, first_basis, notes)
