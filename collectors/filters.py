"""Per-source relevance filters in the query language of listening suites (Brandwatch,
Meltwater), parsed with pyparsing when the configuration loads and applied once per item by
the collect pipeline (collectors.pipeline), never by a collector.

    "smart stad" OR smartsthlm OR (Stockholm AND (digitalisering OR "smart city")) NOT sport
    title:Stockholm AND (5G NEAR/3 utbyggnad) -site:sport.example lang:sv

- `AND`, `OR`, `NOT` (any case) and parentheses; words side by side mean AND; `-word` is
  NOT word. Tightest first: NOT, NEAR, AND, OR, so `a OR b c` is `a OR (b AND c)`.
- Terms match case- and diacritic-insensitively on word forms: a term matches a word that
  equals it or extends it by an inflection ending of up to four letters (stad → staden; städer
  does not). `*` matches any continuation and `?` one letter, anywhere in a word
  (digital* → digitaliseringen, organi?ation). A hyphen or other punctuation splits a term into
  words that must follow each other (e-tjänst* → "e tjänsten").
- `"quoted phrases"` are words in that order; `"smart stad"~3` lets them stand up to three
  words further apart, in any order.
- `a NEAR/n b`: a and b at most n words apart (neighbours are 1 apart), either order;
  `NEAR/nf` only with a before b. Either side may be a word, a phrase or an OR group.
- Fields: `title:` the title only; `author:` the author's handle or name; `site:svt.se` the
  host of the item's URL by suffix (svt.se, www.svt.se); `lang:sv` the item's language as
  Pulse detects it from its title and text (nlp.language.detect_language: sv, en or other; the
  feed's own declaration is not trusted, it is often the site's default). A field applies to a
  group too: `title:(Stockholm OR Sthlm)`.
Without a field a term reads the title and the text together.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, cached_property
from typing import Any
from urllib.parse import urlsplit

import pyparsing as pp

_WORD = re.compile(r"\w+")
_GLOB_WORD = re.compile(r"[\w*?]+")
_MAX_ENDING = 4
FIELDS = ("title", "author", "site", "lang")
LANGS = ("sv", "en", "other")

pp.ParserElement.enable_packrat()


class FilterSyntaxError(ValueError):
    """The filter text is not a valid query; the message says where."""


def normalise(text: str) -> str:
    """Return text case-folded with diacritics removed (å→a, é→e)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Return the normalised words of a text."""
    return _WORD.findall(normalise(text))


class _Doc:
    """What a filter reads of one item, each part computed once when first asked for."""

    def __init__(self, item: Any):
        self.item = item

    @cached_property
    def text(self) -> list[str]:
        if isinstance(self.item, str):
            return words(self.item)
        return words(f"{self.item.title or ''} {self.item.text}")

    @cached_property
    def title(self) -> list[str]:
        return [] if isinstance(self.item, str) else words(self.item.title or "")

    @cached_property
    def author(self) -> list[str]:
        if isinstance(self.item, str):
            return []
        return words(f"{self.item.author_handle or ''} \n {self.item.author_name or ''}")

    @cached_property
    def host(self) -> str:
        url = "" if isinstance(self.item, str) else (self.item.url or "")
        try:
            return (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
        except ValueError:
            return ""

    @cached_property
    def lang(self) -> str:
        from nlp.language import detect_language

        text = self.item if isinstance(self.item, str) else \
            f"{self.item.title or ''}\n{self.item.text}"
        return detect_language(text)

    def words(self, name: str | None) -> list[str]:
        return {"title": self.title, "author": self.author}.get(name or "", self.text)


def _part_matcher(part: str):
    if "*" in part or "?" in part:
        pattern = re.compile(re.escape(part).replace(r"\*", r"\w*").replace(r"\?", r"\w"))
        return pattern.fullmatch
    return lambda word: word == part or (word.startswith(part)
                                         and len(word) - len(part) <= _MAX_ENDING)


@dataclass(frozen=True)
class _Term:
    raw: str
    parts: tuple[str, ...]
    slop: int = 0  # phrase~n: up to n more words between, any order
    _matchers: tuple = field(default=(), compare=False, repr=False)

    @classmethod
    def of(cls, raw: str, slop: int = 0) -> _Term:
        parts = tuple(p for p in _GLOB_WORD.findall(normalise(raw)) if p.strip("*?"))
        if not parts:
            raise FilterSyntaxError(f"empty term {raw!r}")
        return cls(raw, parts, slop, tuple(_part_matcher(p) for p in parts))

    def spans(self, doc: _Doc, name: str | None) -> list[tuple[int, int]]:
        text = doc.words(name)
        n = len(self.parts)
        if self.slop and n > 1:
            hits = [[i for i, w in enumerate(text) if m(w)] for m in self._matchers]
            window = n + self.slop
            found = []
            for start in hits[0] + [i for h in hits[1:] for i in h]:
                chosen = [next((i for i in h if start <= i < start + window), None)
                          for h in hits]
                if None not in chosen and len(set(chosen)) == n:
                    found.append((min(chosen), max(chosen)))
            return found
        return [(i, i + n - 1) for i in range(len(text) - n + 1)
                if all(m(text[i + j]) for j, m in enumerate(self._matchers))]

    def matches(self, doc: _Doc, name: str | None = None) -> bool:
        if name == "site":
            wanted = self.raw.strip().lower().lstrip(".").rstrip(".")
            return bool(doc.host) and (doc.host == wanted or doc.host.endswith("." + wanted))
        if name == "lang":
            return doc.lang == self.raw.strip().lower()
        return bool(self.spans(doc, name))


@dataclass(frozen=True)
class _Field:
    name: str
    node: Any

    def matches(self, doc: _Doc, name: str | None = None) -> bool:
        return self.node.matches(doc, self.name)

    def spans(self, doc: _Doc, name: str | None) -> list[tuple[int, int]]:
        return self.node.spans(doc, self.name)


@dataclass(frozen=True)
class _Op:
    op: str
    args: tuple

    def matches(self, doc: _Doc, name: str | None = None) -> bool:
        if self.op == "NOT":
            return not self.args[0].matches(doc, name)
        results = (a.matches(doc, name) for a in self.args)
        return all(results) if self.op == "AND" else any(results)

    def spans(self, doc: _Doc, name: str | None) -> list[tuple[int, int]]:
        if self.op != "OR":
            raise AssertionError("only OR groups have positions")  # refused when parsing
        return [s for a in self.args for s in a.spans(doc, name)]


@dataclass(frozen=True)
class _Near:
    left: Any
    right: Any
    distance: int
    ordered: bool

    def matches(self, doc: _Doc, name: str | None = None) -> bool:
        return bool(self.spans(doc, name))

    def spans(self, doc: _Doc, name: str | None) -> list[tuple[int, int]]:
        found = []
        rights = self.right.spans(doc, name)
        for a in self.left.spans(doc, name):
            for b in rights:
                if b[0] > a[1] and b[0] - a[1] <= self.distance:
                    found.append((a[0], b[1]))
                elif not self.ordered and a[0] > b[1] and a[0] - b[1] <= self.distance:
                    found.append((b[0], a[1]))
        return found


@dataclass(frozen=True)
class _NearOp:
    distance: int
    ordered: bool


def _positional(node: Any) -> bool:
    if isinstance(node, _Term | _Near):
        return True
    if isinstance(node, _Field):
        return node.name in ("title", "author") and _positional(node.node)
    return isinstance(node, _Op) and node.op == "OR" and all(_positional(a) for a in node.args)


def _only_terms(node: Any) -> bool:
    if isinstance(node, _Term):
        return True
    return isinstance(node, _Op) and all(_only_terms(a) for a in node.args)


_KEYWORDS = r"(?:AND|OR|NOT|NEAR/\d+f?)(?![^\s()\"])"


@cache
def _grammar() -> pp.ParserElement:
    and_ = pp.CaselessKeyword("AND")
    or_ = pp.CaselessKeyword("OR")
    not_ = pp.CaselessKeyword("NOT") | pp.Regex(r"-(?=[^\s-])")
    near = pp.Regex(r"(?i)NEAR/(?P<n>\d+)(?P<f>f?)(?![^\s()\"])")
    phrase = pp.Regex(r'"(?P<body>[^"]*)"(?:~(?P<slop>\d+))?')
    word = pp.Regex(rf"(?i)(?!{_KEYWORDS})[^\s()\"\-][^\s()\"]*")
    field_name = pp.Regex(r"(?i)(?P<name>[a-z]+):(?=[^\s])")
    expr = pp.Forward()
    group = pp.Suppress("(") + expr + pp.Suppress(")")
    atom = pp.Forward()
    fielded = field_name + atom
    atom <<= fielded | phrase | word | group

    phrase.set_parse_action(lambda t: _Term.of(t["body"], int(t.get("slop") or 0)))
    word.set_parse_action(_word)
    fielded.set_parse_action(_fielded)
    near.set_parse_action(lambda t: _NearOp(int(t["n"]), bool(t["f"])))
    expr <<= pp.infix_notation(atom, [
        (not_, 1, pp.OpAssoc.RIGHT, lambda t: _Op("NOT", (t[0][-1],))),
        (near, 2, pp.OpAssoc.LEFT, _near),
        (pp.Opt(and_), 2, pp.OpAssoc.LEFT, lambda t: _Op("AND", tuple(
            x for x in t[0] if not isinstance(x, str)))),
        (or_, 2, pp.OpAssoc.LEFT, lambda t: _Op("OR", tuple(
            x for x in t[0] if not isinstance(x, str)))),
    ])
    return expr


def _word(text: str, loc: int, tokens) -> _Term:
    raw = tokens[0]
    prefix = re.match(r"([A-Za-z]+):", raw)
    if prefix and prefix.group(1).lower() not in FIELDS:
        raise pp.ParseFatalException(text, loc, f"unknown field {prefix.group(1)}:; use "
                                     f"{', '.join(f + ':' for f in FIELDS)}")
    try:
        return _Term.of(raw)
    except FilterSyntaxError as exc:
        raise pp.ParseFatalException(text, loc, str(exc)) from None


def _fielded(text: str, loc: int, tokens) -> _Field:
    name, node = tokens["name"].lower(), tokens[-1]
    if name not in FIELDS:
        raise pp.ParseFatalException(text, loc, f"unknown field {name}:; use "
                                     f"{', '.join(f + ':' for f in FIELDS)}")
    if name in ("site", "lang"):
        if not _only_terms(node):
            raise pp.ParseFatalException(text, loc, f"{name}: takes values, or values joined "
                                         "by OR/AND/NOT in parentheses")
        for term in _terms(node):
            value = term.raw.strip().lower()
            if name == "lang" and value not in LANGS:
                raise pp.ParseFatalException(text, loc, f"lang:{term.raw} is not a language "
                                             f"Pulse detects; use {', '.join(LANGS)}")
            if name == "site" and not re.fullmatch(r"[a-z0-9.-]+", value):
                raise pp.ParseFatalException(text, loc, f"site:{term.raw} is not a host name "
                                             "such as svt.se")
    return _Field(name, node)


def _terms(node: Any):
    if isinstance(node, _Term):
        yield node
    else:
        for arg in node.args:
            yield from _terms(arg)


def _near(text: str, loc: int, tokens):
    items = list(tokens[0])
    node = items[0]
    for i in range(1, len(items), 2):
        distance, ordered = items[i].distance, items[i].ordered
        right = items[i + 1]
        for side in (node, right):
            if not _positional(side):
                raise pp.ParseFatalException(text, loc, "NEAR/n joins words, phrases or "
                                             "OR groups of them, not AND or NOT")
        node = _Near(node, right, distance, ordered)
    return node


def _describe(text: str, exc: pp.ParseBaseException) -> str:
    position = exc.loc + 1
    found = text[exc.loc:exc.loc + 20]
    if isinstance(exc, pp.ParseFatalException):
        return f"at position {position}: {exc.msg}"
    if not found.strip():
        return f"the filter ends too early (at position {position}); a parenthesis or " \
               "quote may not be closed, or an operator has nothing after it"
    return f"at position {position}: cannot read {found!r}"


@cache
def parse_filter(query: str) -> Any:
    """Return the parsed tree of a filter; raise FilterSyntaxError naming the position."""
    if not query.strip():
        raise FilterSyntaxError("the filter is empty")
    if query.count('"') % 2:
        raise FilterSyntaxError(f"at position {query.rfind(chr(34)) + 1}: a quote is not "
                                "closed")
    try:
        return _grammar().parse_string(query, parse_all=True)[0]
    except pp.ParseBaseException as exc:
        raise FilterSyntaxError(_describe(query, exc)) from None
    except RecursionError:
        raise FilterSyntaxError("the filter is nested too deeply") from None


class ItemFilter:
    """A compiled filter; `matches(item)` tells whether an item (or a plain text) is relevant."""

    def __init__(self, query: str):
        self.query = query
        self._root = parse_filter(query)

    def matches(self, item: Any) -> bool:
        """Return True when the item (an Item, or a text: then only unfielded terms can
        match) satisfies the query."""
        return self._root.matches(_Doc(item))


@cache
def compile_filter(query: str) -> ItemFilter:
    """Return the ItemFilter of a query, compiled once per process."""
    return ItemFilter(query)
