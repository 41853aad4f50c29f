"""Sentiment by lexicon and rules, Swedish and English, with the words that drove the score.

Rules: negation (inte, aldrig, ingen, knappast, not, never …) flips the nearest sentiment
word after it, or before it when none follows (Swedish puts "inte" after the verb);
intensifiers and diminishers scale the next word; in a sentence with "men"/"but" the part
after weighs more than the part before; exclamation marks amplify; emoji count.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from nlp.lemmas import lemma_table
from nlp.words import Word

NEGATORS = {
    "sv": {"inte", "ej", "icke", "aldrig", "ingen", "inget", "inga", "knappast", "varken",
           "utan", "ingenting", "sällan"},
    "en": {"not", "n't", "never", "no", "none", "nobody", "nothing", "hardly", "barely",
           "neither", "nor", "without", "cannot", "cant", "dont", "isnt", "wasnt", "doesnt"},
}
INTENSIFIERS = {
    "sv": {"mycket": 1.4, "väldigt": 1.5, "extremt": 1.7, "otroligt": 1.6, "riktigt": 1.4,
           "jätte": 1.5, "helt": 1.3, "så": 1.3, "verkligen": 1.4, "oerhört": 1.6, "total": 1.4,
           "totalt": 1.5, "lite": 0.6, "ganska": 0.8, "något": 0.7, "aningen": 0.6},
    "en": {"very": 1.4, "really": 1.4, "extremely": 1.7, "incredibly": 1.6, "so": 1.3,
           "totally": 1.5, "completely": 1.5, "absolutely": 1.5, "truly": 1.4, "highly": 1.4,
           "somewhat": 0.7, "slightly": 0.6, "fairly": 0.8, "quite": 1.1, "a_bit": 0.7},
}
CONTRAST = {"sv": {"men", "dock", "fast", "ändå"}, "en": {"but", "however", "yet", "although"}}
NEGATION_FACTOR = -0.75
BEFORE_CONTRAST, AFTER_CONTRAST = 0.5, 1.5
ALPHA = 8.0  # normalisation: score = s / sqrt(s² + ALPHA), in (-1, 1)
THRESHOLD = 0.2


def _read_tsv(name: str, scale: float = 1.0, columns: int = 2) -> dict[str, float]:
    path = resources.files("nlp") / "resources" / name
    if not path.is_file():
        return {}
    table = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) >= columns:
            try:
                table[parts[0].strip().lower()] = float(parts[1]) * scale
            except ValueError:
                continue
    return table


@cache
def lexicon(lang: str) -> dict[str, float]:
    """Return the word → weight (-3..3) lexicon of a language, emoji included."""
    table: dict[str, float] = {}
    if lang == "en":
        vader = resources.files("vaderSentiment") / "vader_lexicon.txt"
        for line in vader.read_text(encoding="utf-8").splitlines():
            parts = line.split("\t")
            if len(parts) >= 2:
                try:
                    table[parts[0].lower()] = float(parts[1]) * 0.75
                except ValueError:
                    continue
        table.update(_read_tsv("sentiment_en_extra.tsv"))
    else:
        table.update(_read_tsv(f"sentiment_{lang}.tsv"))
        table.update(_read_tsv(f"sentiment_{lang}_extra.tsv"))
    table.update(_read_tsv("emoji.tsv"))
    for word in NEGATORS.get(lang, set()) | set(INTENSIFIERS.get(lang, {})) | neutral_words():
        table.pop(word, None)
    return table


@cache
def neutral_words() -> frozenset[str]:
    """Return the words that carry no sentiment weight, neither themselves nor through a
    part of them (nlp/resources/sentiment_neutral.txt: a strategy value's own name, and
    compounds whose last part misleads: felanmälan is the fault-report service, not an
    "anmälan"; fortfarande is not "fara")."""
    neutral = resources.files("nlp") / "resources" / "sentiment_neutral.txt"
    return frozenset(line.strip().lower() for line in
                     neutral.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@dataclass
class SentenceSentiment:
    """Raw sum of one sentence and the words behind it."""

    total: float = 0.0
    evidence: list[tuple[str, float]] = field(default_factory=list)
    positions: list[tuple[int, float]] = field(default_factory=list)  # (word start, weight)


@dataclass
class Sentiment:
    """Label, score in (-1, 1) and evidence [{"text", "weight"}] for a text or a sentence."""

    label: str
    score: float
    evidence: list[dict]


def label_of(score: float) -> str:
    """Return positive / neutral / negative for a normalised score."""
    if score >= THRESHOLD:
        return "positive"
    if score <= -THRESHOLD:
        return "negative"
    return "neutral"


def normalise(total: float) -> float:
    """Map a raw sum to a score in (-1, 1)."""
    return total / math.sqrt(total * total + ALPHA) if total else 0.0


_WEIGHTS: dict[tuple[str, str, str], float | None] = {}


def _weight(word: Word, lang: str, lex: dict[str, float]) -> float | None:
    key = (lang, word.lower, word.lemma)
    if key in _WEIGHTS:
        return _WEIGHTS[key]
    weight = _lookup_weight(word, lang, lex)
    if len(_WEIGHTS) < 1_000_000:
        _WEIGHTS[key] = weight
    return weight


def _lookup_weight(word: Word, lang: str, lex: dict[str, float]) -> float | None:
    for key in (word.lower, word.lemma):
        if key in lex:
            return lex[key]
    neutral = neutral_words()
    if word.lower in neutral or word.lemma in neutral:
        return None
    if lang == "sv" and len(word.lower) >= 7 and word.lower.isalpha():
        table = lemma_table("sv")
        parts = table.decompound(word.lower)
        if len(parts) > 1:
            head = parts[-1]
            for key in (head, table.lemma(head)):
                if key in lex:
                    return lex[key]
    return None


def score_sentences(words: list[Word], lang: str, n_sents: int,
                    exclamations: list[int]) -> list[SentenceSentiment]:
    """Return the raw sentiment of each sentence of a word sequence."""
    lang = lang if lang in NEGATORS else "en"
    lex = lexicon(lang)
    negators, intens, contrast = NEGATORS[lang], INTENSIFIERS[lang], CONTRAST[lang]
    weights: list[float | None] = [_weight(w, lang, lex) for w in words]
    n = len(words)
    for k, word in enumerate(words):
        if word.lower not in negators:
            continue
        def negatable(j: int, sent: int = word.sent) -> bool:
            return bool(weights[j]) and words[j].sent == sent and words[j].lower[:1].isalnum()

        target = next((j for j in range(k + 1, min(n, k + 4)) if negatable(j)), None)
        if target is None:
            target = next((j for j in range(k - 1, max(-1, k - 3), -1) if negatable(j)), None)
        if target is not None:
            weights[target] = weights[target] * NEGATION_FACTOR
    for k in range(1, n):
        factor = intens.get(words[k - 1].lower)
        if factor and weights[k]:
            weights[k] = weights[k] * factor
    sentences = [SentenceSentiment() for _ in range(max(n_sents, 1))]
    contrast_at: dict[int, int] = {}
    for k, word in enumerate(words):
        if word.lower in contrast and word.sent not in contrast_at:
            contrast_at[word.sent] = k
    for k, word in enumerate(words):
        w = weights[k]
        if not w:
            continue
        pivot = contrast_at.get(word.sent)
        if pivot is not None:
            w *= BEFORE_CONTRAST if k < pivot else AFTER_CONTRAST
        if word.sent < len(exclamations) and exclamations[word.sent]:
            w *= 1 + 0.15 * min(exclamations[word.sent], 3)
        sent = sentences[min(word.sent, len(sentences) - 1)]
        sent.total += w
        sent.evidence.append((word.text, round(w, 2)))
        sent.positions.append((word.start, w))
    return sentences


def combine(sentences: list[SentenceSentiment]) -> Sentiment:
    """Return the sentiment of a whole text from its sentences."""
    total = sum(s.total for s in sentences)
    evidence = sorted((e for s in sentences for e in s.evidence), key=lambda e: -abs(e[1]))
    score = normalise(total)
    return Sentiment(label_of(score), round(score, 3),
                     [{"text": t, "weight": w} for t, w in evidence[:10] if abs(w) >= 0.3])
