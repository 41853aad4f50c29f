"""Turn spaCy Docs into the word sequence every matcher reads: forms, lemmas, sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.tokens import Doc

from nlp.lemmas import LemmaTable

_CAMEL = re.compile(r"[A-ZÅÄÖ]?[a-zåäöéü]+|[A-ZÅÄÖ]+(?![a-zåäö])|\d+")


@dataclass(frozen=True, slots=True)
class Word:
    """One word of a text: its surface form, lower case, lemma, sentence number and offset."""

    text: str
    lower: str
    lemma: str
    sent: int
    start: int  # character offset in the text
    hashtag: bool = False


_SENTENCE_END = frozenset({".", "!", "?", "…", "!!", "!!!", "?!", "!?", "..."})


@dataclass(slots=True)
class TextWords:
    """The words of one text plus, per sentence, how many exclamation marks it has."""

    words: list[Word]
    exclamations: list[int]

    @property
    def n_sents(self) -> int:
        """Return the number of sentences."""
        return len(self.exclamations)


def doc_words(doc: Doc, table: LemmaTable) -> TextWords:
    """Return the words of a doc in one pass over its tokens: hyphenated tokens split,
    hashtags marked, punctuation dropped, lemmas looked up again in lower case when the
    case-sensitive lookup missed, and sentences split at end punctuation and line breaks."""
    words: list[Word] = []
    exclamations = [0]
    sent = 0
    previous = ""
    lemma_of = table.lemma
    overrides = table.overrides
    for token in doc:
        text = token.text
        if text in _SENTENCE_END or (token.is_space and "\n" in text):
            exclamations[sent] += text.count("!")
            sent += 1
            exclamations.append(0)
            previous = text
            continue
        if token.is_punct or token.is_space:
            previous = text
            continue
        hashtag = previous == "#"
        previous = text
        lower = token.lower_
        if "-" in text.strip("-") and not token.like_url:
            offset = token.idx
            for piece in text.split("-"):
                if piece:
                    low = piece.lower()
                    words.append(Word(piece, low, lemma_of(low), sent, offset, hashtag))
                offset += len(piece) + 1
            continue
        lemma = token.lemma_
        lemma = overrides.get(lower) or (lemma_of(lower) if lemma == text else lemma.lower())
        words.append(Word(text, lower, lemma, sent, token.idx, hashtag))
        if hashtag:
            parts = _CAMEL.findall(text)
            if len(parts) > 1:
                for part in parts:
                    low = part.lower()
                    words.append(Word(part, low, lemma_of(low), sent, token.idx, True))
    if len(exclamations) > 1 and not any(w.sent == sent for w in words[-1:]):
        exclamations.pop()  # the text ended with end punctuation: no empty last sentence
    return TextWords(words, exclamations)
