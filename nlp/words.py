"""Turn spaCy Docs into the word sequence every matcher reads: forms, lemmas, sentences."""

from __future__ import annotations

import re
from dataclasses import dataclass

from spacy.attrs import IDX, ORTH
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


@dataclass(frozen=True, slots=True)
class _TokenInfo:
    text: str
    lower: str
    lemma: str
    skip: bool        # punctuation or whitespace
    sentence_end: bool
    hyphenated: bool
    pieces: tuple[tuple[str, str, str, int], ...]  # (piece, lower, lemma, offset) if hyphenated
    camel: tuple[tuple[str, str, str], ...]        # hashtag parts (part, lower, lemma)


class WordReader:
    """Reads tokenized docs into words, visiting each token once and caching per word form.

    The lemma comes from the same spacy-lookups-data table as spaCy's lookup lemmatizer
    (case-sensitive first, then lower case, Pulse's overrides winning), applied here so the
    pipeline needs no second pass over the tokens.
    """

    def __init__(self, table: LemmaTable, vocab):
        self.table = table
        self.vocab = vocab
        self._cache: dict[int, _TokenInfo] = {}

    def _info(self, orth: int) -> _TokenInfo:
        lex = self.vocab[orth]
        text = lex.orth_
        lower = lex.lower_
        table = self.table
        lemma = table.overrides.get(lower) or table.lookup(text) or table.lemma(lower)
        skip = lex.is_punct or lex.is_space
        sentence_end = text in _SENTENCE_END or (lex.is_space and "\n" in text)
        hyphenated = not skip and "-" in text.strip("-") and not lex.like_url
        pieces: list[tuple[str, str, str, int]] = []
        if hyphenated:
            offset = 0
            for piece in text.split("-"):
                if piece:
                    low = piece.lower()
                    pieces.append((piece, low, table.lemma(low), offset))
                offset += len(piece) + 1
        camel = tuple((p, p.lower(), table.lemma(p.lower())) for p in _CAMEL.findall(text))
        info = _TokenInfo(text, lower, lemma, skip, sentence_end, hyphenated, tuple(pieces),
                          camel if len(camel) > 1 else ())
        if len(self._cache) < 2_000_000:
            self._cache[orth] = info
        return info

    def read(self, doc: Doc) -> TextWords:
        """Return the words of a doc: hyphenated tokens split, hashtags marked (and camel-case
        hashtags split), punctuation dropped, sentences split at end punctuation and breaks."""
        words: list[Word] = []
        exclamations = [0]
        sent = 0
        hashtag_next = False
        cache = self._cache
        for orth, idx in doc.to_array([ORTH, IDX]).tolist():
            info = cache.get(orth) or self._info(orth)
            if info.sentence_end:
                exclamations[sent] += info.text.count("!")
                sent += 1
                exclamations.append(0)
                hashtag_next = False
                continue
            if info.skip:
                hashtag_next = info.text == "#"
                continue
            hashtag, hashtag_next = hashtag_next, False
            if info.hyphenated:
                for piece, low, lemma, offset in info.pieces:
                    words.append(Word(piece, low, lemma, sent, idx + offset, hashtag))
                continue
            words.append(Word(info.text, info.lower, info.lemma, sent, idx, hashtag))
            if hashtag and info.camel:
                for part, low, lemma in info.camel:
                    words.append(Word(part, low, lemma, sent, idx, True))
        if len(exclamations) > 1 and not (words and words[-1].sent == sent):
            exclamations.pop()  # the text ended with end punctuation: no empty last sentence
        return TextWords(_join_emoji_sentences(words), exclamations)


def doc_words(doc: Doc, table: LemmaTable) -> TextWords:
    """Return the words of one doc (see WordReader.read); for batches keep a WordReader."""
    return WordReader(table, doc.vocab).read(doc)


def _join_emoji_sentences(words: list[Word]) -> list[Word]:
    """Attach a "sentence" of only emoji ("Bra! 👍") to the sentence before it."""
    alpha = {w.sent for w in words if w.lower[:1].isalnum()}
    if all(w.sent in alpha or w.sent == 0 for w in words):
        return words
    joined, last = [], 0
    for word in words:
        if word.sent in alpha or word.sent == 0:
            last = word.sent
            joined.append(word)
        else:
            joined.append(Word(word.text, word.lower, word.lemma, last, word.start, word.hashtag))
    return joined
