"""spaCy blank pipelines with the lookup lemmatizer, a lowercase fallback, and a decompounder.

No trained pipeline is downloaded: `spacy.blank(lang)` plus the lookup tables of
spacy-lookups-data. The Swedish lookup is case-sensitive and lacks some forms, so LemmaTable
retries in lower case and applies Pulse's own overrides (used by nlp.words).
"""

from __future__ import annotations

from functools import cache, lru_cache
from importlib import resources

import spacy
from spacy.language import Language

MIN_PART = 3
# Derivational endings that are words in the lookup but never the head of a compound.
_NOT_A_PART = frozenset({"het", "ing", "else", "skap", "are", "ast", "aste", "ande", "ende",
                         "lig", "liga", "isk", "iska", "ning", "tion", "ist", "ism", "era"})


def _overrides(lang: str) -> dict[str, str]:
    path = resources.files("nlp") / "resources" / f"lemma_overrides_{lang}.tsv"
    if not path.is_file():
        return {}
    pairs = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            form, lemma = line.split("\t")[:2]
            pairs[form.strip()] = lemma.strip()
    return pairs


class LemmaTable:
    """A lemma lookup (form → lemma) with Pulse's overrides and the set of known words."""

    def __init__(self, table, overrides: dict[str, str]):
        self._table = table
        self._overrides = overrides
        self.overrides = overrides  # form -> lemma; wins over the lookup table
        self.known = set(table.values()) | set(overrides.values())

    def lemma(self, form: str) -> str:
        """Return the lemma of a lower-case form (the form itself when unknown)."""
        hit = self._overrides.get(form)
        if hit is not None:
            return hit
        base, colon, ending = form.partition(":")
        if colon and base.isalnum() and ending.isalpha() and len(ending) <= 3:
            return self.lemma(base)  # Swedish endings after an abbreviation: API:er, IT:s
        return self._table.get(form, form)

    def lookup(self, form: str) -> str | None:
        """Return the lookup table's lemma of a form exactly as written, or None."""
        return self._table.get(form)

    def is_word(self, form: str) -> bool:
        """Return True when the form is a known word form or lemma."""
        return form in self._overrides or form in self.known or form in self._table

    @lru_cache(maxsize=200_000)  # noqa: B019 - one table per language lives for the process
    def decompound(self, word: str) -> tuple[str, ...]:
        """Split a compound into known parts (linking -s-/-e- allowed), or return (word,)."""
        pieces: list[str] = []
        for piece in word.split("-"):
            if piece:
                pieces.extend(self._split(piece) or (piece,))
        return tuple(pieces) if pieces else (word,)

    def _split(self, word: str) -> tuple[str, ...] | None:
        if len(word) < 2 * MIN_PART:
            return None
        # Longest known tail first: Swedish compounds put the head last.
        for i in range(MIN_PART, len(word) - MIN_PART + 1):
            head, tail = word[:i], word[i:]
            if tail in _NOT_A_PART or not self.is_word(tail):
                continue
            if self.is_word(head):
                return (head, tail)
            if head[-1] in "se" and len(head) > MIN_PART and self.is_word(head[:-1]):
                return (head[:-1], tail)
            inner = self._split(head)
            if inner:
                return (*inner, tail)
        return None


@cache
def lemma_table(lang: str) -> LemmaTable:
    """Return the lemma table of a language ("sv" or "en")."""
    nlp = _blank_with_lemmatizer(lang)
    table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup")
    return LemmaTable(table, _overrides(lang))


@cache
def _blank_with_lemmatizer(lang: str) -> Language:
    nlp = spacy.blank(lang)
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def pipeline(lang: str) -> Language:
    """Return the spaCy pipeline for a language: tokenizer and lookup lemmatizer.

    The tagger runs only its tokenizer and applies the same lookup table in
    nlp.words.WordReader, together with lower-case retries, Pulse's overrides and sentence
    splits, in the one pass that reads the tokens.
    """
    return _blank_with_lemmatizer(lang)
