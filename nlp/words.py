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


def doc_words(doc: Doc, table: LemmaTable) -> list[Word]:
    """Return the words of a doc; hyphenated tokens are split, hashtags marked, punctuation gone."""
    words: list[Word] = []
    sent_of = {}
    for number, sent in enumerate(doc.sents):
        for token in sent:
            sent_of[token.i] = number
    previous = ""
    for token in doc:
        text = token.text
        if token.is_punct and text != "#" or token.is_space or text == "#":
            previous = text
            continue
        sent = sent_of.get(token.i, 0)
        hashtag = previous == "#"
        previous = text
        if "-" in text.strip("-") and not token.like_url:
            offset = token.idx
            for piece in text.split("-"):
                if piece:
                    low = piece.lower()
                    words.append(Word(piece, low, table.lemma(low), sent, offset, hashtag))
                offset += len(piece) + 1
            continue
        words.append(Word(text, token.lower_, token.lemma_.lower(), sent, token.idx, hashtag))
        if hashtag:
            parts = _CAMEL.findall(text)
            if len(parts) > 1:
                for part in parts:
                    low = part.lower()
                    words.append(Word(part, low, table.lemma(low), sent, token.idx, True))
    return words
