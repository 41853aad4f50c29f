"""Per-source relevance filters: a small boolean query language.

    "smart stad" OR smartsthlm OR (Stockholm AND (digitalisering OR "smart city")) NOT sport

AND, OR, NOT (also lower-case), parentheses, "quoted phrases"; words side by side mean AND.
Matching is case- and diacritic-insensitive on word forms: a term matches a word that equals
it or extends it by an inflection ending of up to four letters (stad → staden, städer does
not); a trailing * matches any continuation (digital* → digitaliseringen).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_WORD = re.compile(r"\w+")
_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')
_MAX_ENDING = 4


class FilterSyntaxError(ValueError):
    """The filter text is not a valid query; the message says where."""


def normalise(text: str) -> str:
    """Return text case-folded with diacritics removed (å→a, é→e)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Return the normalised words of a text."""
    return _WORD.findall(normalise(text))


@dataclass(frozen=True)
class _Term:
    parts: tuple[str, ...]
    prefix: bool

    def matches(self, text_words: list[str]) -> bool:
        n = len(self.parts)
        for i in range(len(text_words) - n + 1):
            if all(_word_matches(p, text_words[i + j], self.prefix and j == n - 1)
                   for j, p in enumerate(self.parts)):
                return True
        return False


def _word_matches(term: str, word: str, prefix: bool) -> bool:
    if word == term:
        return True
    if not word.startswith(term):
        return False
    return prefix or len(word) - len(term) <= _MAX_ENDING


@dataclass(frozen=True)
class _Op:
    op: str
    args: tuple

    def matches(self, text_words: list[str]) -> bool:
        if self.op == "NOT":
            return not self.args[0].matches(text_words)
        results = (a.matches(text_words) for a in self.args)
        return all(results) if self.op == "AND" else any(results)


class _Parser:
    def __init__(self, text: str):
        self.text = text
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            m = _TOKEN.match(text, pos)
            if not m or m.end() == pos:
                if text[pos:].strip():
                    raise FilterSyntaxError(f"unexpected character at {pos + 1}: {text[pos:]!r}")
                break
            pos = m.end()
            if m.group(1):
                self.tokens.append(("(", "("))
            elif m.group(2):
                self.tokens.append((")", ")"))
            elif m.group(3) is not None:
                self.tokens.append(("PHRASE", m.group(3)))
            else:
                word = m.group(4)
                upper = word.upper()
                self.tokens.append((upper, word) if upper in ("AND", "OR", "NOT")
                                   else ("WORD", word))
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i][0] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self):
        if not self.tokens:
            raise FilterSyntaxError("the filter is empty")
        node = self.parse_or()
        if self.peek() is not None:
            raise FilterSyntaxError(f"unexpected {self.tokens[self.i][1]!r}")
        return node

    def parse_or(self):
        args = [self.parse_and()]
        while self.peek() == "OR":
            self.take()
            args.append(self.parse_and())
        return args[0] if len(args) == 1 else _Op("OR", tuple(args))

    def parse_and(self):
        args = [self.parse_not()]
        while self.peek() in ("AND", "NOT", "WORD", "PHRASE", "("):
            if self.peek() == "AND":
                self.take()
            args.append(self.parse_not())
        return args[0] if len(args) == 1 else _Op("AND", tuple(args))

    def parse_not(self):
        if self.peek() == "NOT":
            self.take()
            return _Op("NOT", (self.parse_not(),))
        return self.parse_atom()

    def parse_atom(self):
        kind = self.peek()
        if kind is None:
            raise FilterSyntaxError("the filter ends too early")
        tok_kind, value = self.take()
        if tok_kind == "(":
            node = self.parse_or()
            if self.peek() != ")":
                raise FilterSyntaxError("a parenthesis is not closed")
            self.take()
            return node
        if tok_kind in ("WORD", "PHRASE"):
            prefix = value.endswith("*")
            parts = tuple(words(value.rstrip("*")))
            if not parts:
                raise FilterSyntaxError(f"empty term {value!r}")
            return _Term(parts, prefix)
        raise FilterSyntaxError(f"unexpected {value!r}")


class ItemFilter:
    """A compiled filter; `matches(text)` tells whether an item is relevant."""

    def __init__(self, query: str):
        self.query = query
        self._root = _Parser(query).parse()

    def matches(self, text: str) -> bool:
        """Return True when `text` satisfies the query."""
        return self._root.matches(words(text))
