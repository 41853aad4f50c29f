"""Data-driven term matching: strategy keywords and core-message cues, by lemma.

A term is a lemma ("hållbar"), a phrase ("öppna data", compared word by word on lemmas)
or a prefix ("innovat*"). Single-word terms also match inside Swedish compounds and
hashtags (hållbarhetsarbete, #hållbarstad) through the decompounder.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from nlp.lemmas import LemmaTable
from nlp.words import Word

COMPOUND_MIN_LEN = 7
SCORE_DIRECT, SCORE_COMPOUND, SCORE_PREFIX = 1.0, 0.8, 0.9


@dataclass(frozen=True, slots=True)
class Hit:
    """Where a term of an entry was found: word span, sentence, score and the words themselves."""

    entry: str
    term: str
    first: int
    last: int
    sent: int
    score: float
    evidence: str


class TermMatcher:
    """Finds the terms of many entries (id → terms) in a word sequence of one language."""

    def __init__(self, entries: dict[str, Iterable[str]], table: LemmaTable,
                 excludes: dict[str, Iterable[str]] | None = None, compounds: bool = True):
        self.table = table
        self.compounds = compounds  # Swedish writes compounds as one word; English does not
        self.single: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.phrases: dict[str, list[tuple[str, tuple[str, ...], str]]] = defaultdict(list)
        self.prefixes: list[tuple[str, str, str]] = []
        for entry, terms in entries.items():
            for term in terms:
                self._add(entry, term)
        # One-word excludes drop a word that starts like one (öppettider); an exclude of
        # several words drops a hit inside that phrase ("har öppet": opening hours).
        self.excludes: dict[str, tuple[str, ...]] = {}
        self.phrase_excludes: dict[str, tuple[tuple[str, ...], ...]] = {}
        for e, xs in (excludes or {}).items():
            lowered = [x.strip().lower() for x in xs]
            self.excludes[e] = tuple(x for x in lowered if " " not in x)
            phrases = tuple(tuple(x.split()) for x in lowered if " " in x)
            if phrases:
                self.phrase_excludes[e] = phrases
        self._compound_cache: dict[str, list[tuple[str, str, str]]] = {}
        self._word_cache: dict[tuple[str, str], tuple[tuple[str, str, float], ...]] = {}

    def _norm(self, word: str) -> str:
        return self.table.lemma(word.lower())

    def _add(self, entry: str, term: str) -> None:
        raw = term.strip().lower()
        if raw.endswith("*"):
            self.prefixes.append((raw[:-1], entry, term))
            return
        parts = [p for p in re.split(r"[\s\-]+", raw) if p]
        if len(parts) == 1:
            self.single[parts[0]].append((entry, term))
            lemma = self._norm(parts[0])
            if lemma != parts[0]:
                self.single[lemma].append((entry, term))
        else:
            lemmas = tuple(self._norm(p) for p in parts)
            self.phrases[lemmas[0]].append((entry, lemmas, term))
            if parts[0] != lemmas[0]:
                self.phrases[parts[0]].append((entry, lemmas, term))

    def _excluded(self, entry: str, word: Word) -> bool:
        return any(word.lower.startswith(x) or word.lemma.startswith(x)
                   for x in self.excludes.get(entry, ()))

    def _compound_hits(self, lower: str) -> list[tuple[str, str, str]]:
        cached = self._compound_cache.get(lower)
        if cached is not None:
            return cached
        hits: list[tuple[str, str, str]] = []
        parts = self.table.decompound(lower)
        if len(parts) > 1:
            lemmas = [self.table.lemma(p) for p in parts]
            candidates = set(parts) | set(lemmas)
            # Adjacent parts joined again: klimat + smartare → klimatsmart.
            for i in range(len(parts) - 1):
                candidates.add(self.table.lemma(parts[i] + parts[i + 1]))
                candidates.add(parts[i] + lemmas[i + 1])
            for cand in candidates:
                for entry, term in self.single.get(cand, ()):
                    hits.append((entry, term, cand))
        if len(self._compound_cache) < 500_000:
            self._compound_cache[lower] = hits
        return hits

    def _word_hits(self, lower: str, lemma: str) -> tuple[tuple[str, str, float], ...]:
        """Return (entry, term, score) for the context-free terms a word matches (cached)."""
        key = (lower, lemma)
        cached = self._word_cache.get(key)
        if cached is not None:
            return cached
        found: list[tuple[str, str, float]] = []

        def allowed(entry: str) -> bool:
            return not any(lower.startswith(x) or lemma.startswith(x)
                           for x in self.excludes.get(entry, ()))

        for form in {lower, lemma}:
            found += [(e, t, SCORE_DIRECT) for e, t in self.single.get(form, ()) if allowed(e)]
        # Prefixes look at the written form only: a lemma can be a different word ("ska" has
        # the lemma "skola", which must not match "skol*").
        found += [(e, t, SCORE_PREFIX) for p, e, t in self.prefixes
                  if lower.startswith(p) and allowed(e)]
        if self.compounds and len(lower) >= COMPOUND_MIN_LEN and lower.isalpha():
            # Entries may be namespaced ("k:open", "t:privacy"): a direct hit in one namespace
            # must not hide a compound hit in another.
            direct = {e.split(":", 1)[0] for e, _, _ in found}
            found += [(e, t, SCORE_COMPOUND) for e, t, _ in self._compound_hits(lower)
                      if e.split(":", 1)[0] not in direct and allowed(e)]
        result = tuple(found)
        if len(self._word_cache) < 1_000_000:
            self._word_cache[key] = result
        return result

    def find(self, words: list[Word]) -> list[Hit]:
        """Return every hit of every entry's terms in `words`."""
        hits: list[Hit] = []
        n = len(words)
        phrases = self.phrases
        for i, word in enumerate(words):
            for entry, term, score in self._word_hits(word.lower, word.lemma):
                hits.append(Hit(entry, term, i, i, word.sent, score, word.text))
            starts = phrases.get(word.lower, ())
            if word.lemma != word.lower and word.lemma in phrases:
                starts = dict.fromkeys((*starts, *phrases[word.lemma]))
            for entry, lemmas, term in starts:
                last = i + len(lemmas) - 1
                if last < n and all(
                    lemmas[j] in (words[i + j].lemma, words[i + j].lower)
                    for j in range(1, len(lemmas))
                ) and not self._excluded(entry, word):
                    text = " ".join(w.text for w in words[i:last + 1])
                    hits.append(Hit(entry, term, i, last, word.sent, SCORE_DIRECT, text))
        if self.phrase_excludes:
            excluded = self.phrase_excludes
            hits = [h for h in hits
                    if h.entry not in excluded or not self._in_excluded_phrase(h, words)]
        return hits

    def _in_excluded_phrase(self, hit: Hit, words: list[Word]) -> bool:
        """Return True when the hit lies inside one of its entry's excluded phrases (each
        phrase word matched as a prefix of the written word or of its lemma)."""
        for phrase in self.phrase_excludes.get(hit.entry, ()):
            size = len(phrase)
            for start in range(max(0, hit.last - size + 1), min(hit.first, len(words) - size) + 1):
                if all(words[start + j].lower.startswith(part)
                       or words[start + j].lemma.startswith(part)
                       for j, part in enumerate(phrase)):
                    return True
        return False
