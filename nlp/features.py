"""The features every learned tagger reads, built once per mention, and the words behind them.

A mention becomes hashed word features (forms, Swedish lemmas, bigrams), hashed character
n-grams inside words, hashed profile features (author name and bio, the URL's host, the kind
of source) and a few dense features (the lexicon's score and sums, cue counts, metadata).
Every hashed text feature remembers the word it came from, so a linear model's decision can be
split over the words of the text exactly (`word_contributions`): the evidence shown for a tag
is the words that weighed most for it, not a separate story.

No vocabulary is stored: no training text ships inside a model.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from operator import itemgetter
from typing import NamedTuple
from urllib.parse import urlsplit

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

from nlp.words import Word

WORD_BITS, CHAR_BITS, PROFILE_BITS = 19, 19, 16
FEATURES = f"w{WORD_BITS}c{CHAR_BITS}p{PROFILE_BITS}-v1"  # part of every model's version
CUE_GROUPS = ("negative_event", "positive_event", "irony", "own_plan", "idea", "question",
              "praise", "criticism")
KINDS = ("news", "blog_post", "blog_comment", "post")
DENSE = ("lexicon_score", "lexicon_positive", "lexicon_negative",
         *(f"cue_{g}" for g in CUE_GROUPS),
         "own_voice", "lang_sv", "lang_en", "lang_other", *(f"kind_{k}" for k in KINDS),
         "reply", "question_mark", "exclamation", "length", "has_profile")
_HASHERS = {bits: FeatureHasher(n_features=2**bits, input_type="string",
                                alternate_sign=False) for bits in {WORD_BITS, CHAR_BITS,
                                                                   PROFILE_BITS}}
_PROFILE_WORD = re.compile(r"[\wåäöéü]+", re.IGNORECASE)


@dataclass
class Encoded:
    """One mention's features before hashing: text tokens with the word each came from (an
    index into `words`), profile tokens, and the dense vector."""

    words: list[str]                       # surface forms, as shown as evidence
    word_tokens: list[str] = field(default_factory=list)
    word_owner: list[int] = field(default_factory=list)
    char_columns: np.ndarray | None = None  # hashed character n-grams (cached per word form)
    char_owner: np.ndarray | None = None
    profile_tokens: list[str] = field(default_factory=list)
    dense: np.ndarray | None = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)  # set by matrix()
    dense_owner: dict[int, list[tuple[int, float]]] = field(default_factory=dict)
    _tokens: tuple | None = None  # what word_contributions shares between tags
    _dense_tokens: tuple | None = None
    _shares: tuple | None = None

    @property
    def char_tokens(self) -> np.ndarray:
        """The hashed columns of the character n-grams (named like the other blocks)."""
        return self.char_columns if self.char_columns is not None else np.zeros(0, int)


def encode(words: Sequence[Word], *, lang: str, voice: str, kind: str | None,
           relation: str | None, author: str | None, author_description: str | None,
           url: str | None, text: str, lexicon: tuple[float, float, float],
           lexicon_words: Sequence[tuple[int, float]] = (),
           cues: dict[str, list[int]] | None = None) -> Encoded:
    """Return the features of one mention.

    `lexicon_words` are (word index, weight) of the sentiment lexicon's evidence, and `cues`
    the word indices of each cue group's hits: both let the dense features be traced to words.
    """
    enc = Encoded(words=[w.text for w in words])
    lowers = [w.lower for w in words]
    char_parts: list[np.ndarray] = []
    char_owners: list[int] = []
    char_lengths: list[int] = []
    for i, word in enumerate(words):
        enc.word_tokens.append("w:" + word.lower)
        enc.word_owner.append(i)
        if lang == "sv" and word.lemma != word.lower:
            enc.word_tokens.append("l:" + word.lemma)
            enc.word_owner.append(i)
        if i + 1 < len(words) and words[i + 1].sent == word.sent:
            enc.word_tokens.append("b:" + word.lower + " " + lowers[i + 1])
            enc.word_owner.append(i)
        if word.lower[:1].isalnum():
            grams = char_columns(word.lower)
            char_parts.append(grams)
            char_owners.append(i)
            char_lengths.append(len(grams))
    enc.char_columns = np.concatenate(char_parts) if char_parts else np.zeros(0, np.int64)
    enc.char_owner = np.repeat(np.array(char_owners, dtype=np.int64),
                               np.array(char_lengths, dtype=np.int64))
    enc.profile_tokens = profile_tokens(author, author_description, url, kind, voice)
    cues = cues or {}
    dense = np.zeros(len(DENSE))
    score, positive, negative = lexicon
    dense[0], dense[1], dense[2] = 2 * score, 2 * math.tanh(positive / 3), \
        2 * math.tanh(negative / 3)
    owners: dict[int, list[tuple[int, float]]] = {}
    if lexicon_words:
        owners[0] = list(lexicon_words)
        owners[1] = [(i, w) for i, w in lexicon_words if w > 0]
        owners[2] = [(i, -w) for i, w in lexicon_words if w < 0]
    for g, group in enumerate(CUE_GROUPS):
        found = cues.get(group, [])
        dense[3 + g] = min(len(found), 3) / 3
        if found:
            owners[3 + g] = [(i, 1.0) for i in found]
    base = 3 + len(CUE_GROUPS)
    dense[base] = voice == "own"
    dense[base + 1 + ("sv", "en").index(lang) if lang in ("sv", "en") else base + 3] = 1
    if kind in KINDS:
        dense[base + 4 + KINDS.index(kind)] = 1
    after = base + 4 + len(KINDS)
    dense[after] = relation in ("reply", "quote")
    dense[after + 1] = "?" in text
    dense[after + 2] = min(text.count("!"), 3) / 3
    dense[after + 3] = min(len(words), 200) / 200
    dense[after + 4] = bool(author or author_description)
    enc.dense = dense
    enc.dense_owner = owners
    return enc


_GRAMS: dict[str, np.ndarray] = {}


def char_grams(lower: str) -> list[str]:
    """Return the character 3-, 4- and 5-grams of a word padded with spaces."""
    padded = f" {lower} "
    return [padded[s:s + n] for n in (3, 4, 5) for s in range(len(padded) - n + 1)]


def char_columns(lower: str) -> np.ndarray:
    """Return the hashed columns of a word's character n-grams (cached per word form)."""
    columns = _GRAMS.get(lower)
    if columns is None:
        columns = _columns(char_grams(lower), CHAR_BITS) + _CHAR_OFFSET
        if len(_GRAMS) < 500_000:
            _GRAMS[lower] = columns
    return columns


def profile_tokens(author: str | None, description: str | None, url: str | None,
                   kind: str | None, voice: str) -> list[str]:
    """Return the hashed-profile tokens: the author's name and bio words, the URL's host and
    its parent domains, the kind of source and the voice."""
    tokens = [f"k:{kind}", f"v:{voice}"]
    for word in _PROFILE_WORD.findall(author or ""):
        tokens.append("a:" + word.lower())
    for word in _PROFILE_WORD.findall(description or ""):
        tokens.append("d:" + word.lower())
    host = (urlsplit(url).hostname or "").lower() if url else ""
    parts = host.split(".")
    for i in range(len(parts) - 1):
        tokens.append("h:" + ".".join(parts[i:]))
    return tokens


_COLUMN_CACHE: dict[int, dict[str, int]] = {bits: {} for bits in _HASHERS}
_CACHE_LIMIT = 2_000_000


def _columns(tokens: list[str], bits: int) -> np.ndarray:
    """Return the hashed column of each token (in order); each distinct token is hashed once
    per process (word forms and character n-grams repeat a lot)."""
    if not tokens:
        return np.zeros(0, dtype=np.int64)
    cache = _COLUMN_CACHE[bits]
    new = [t for t in dict.fromkeys(tokens) if t not in cache]
    if new:
        hashed = _HASHERS[bits].transform([[t] for t in new]).indices
        if len(cache) + len(new) > _CACHE_LIMIT:
            cache.clear()
        cache.update(zip(new, hashed.tolist(), strict=True))
    return np.array(itemgetter(*tokens)(cache) if len(tokens) > 1 else [cache[tokens[0]]],
                    dtype=np.int64)


def _block(columns: list[np.ndarray], bits: int) -> sparse.csr_matrix:
    """Counts of each column per mention, dampened (log 1 + count: one word said five times
    is not five words) and scaled to unit length."""
    rows = np.concatenate([np.full(len(c), i) for i, c in enumerate(columns)]) \
        if columns else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(columns) if columns else np.zeros(0, dtype=np.int64)
    matrix = sparse.csr_matrix((np.ones(len(cols)), (rows, cols)),
                               shape=(len(columns), 2**bits))
    matrix.sum_duplicates()
    matrix.data = np.log1p(matrix.data)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    matrix.data /= np.repeat(norms, np.diff(matrix.indptr))  # keeps the indices sorted
    return matrix


def matrix(encoded: Sequence[Encoded]) -> sparse.csr_matrix:
    """Return the feature matrix of a batch: [word | char | profile | dense] columns. Each
    mention keeps its tokens' columns (for word_contributions)."""
    blocks = []
    for attr, bits, offset in (("word_tokens", WORD_BITS, 0),
                               ("profile_tokens", PROFILE_BITS, _PROFILE_OFFSET)):
        flat = [t for e in encoded for t in getattr(e, attr)]
        columns = _columns(flat, bits)
        parts, start = [], 0
        for e in encoded:
            n = len(getattr(e, attr))
            parts.append(columns[start:start + n])
            start += n
        if attr == "word_tokens":
            for e, part in zip(encoded, parts, strict=True):
                e.columns[attr] = part + offset
        blocks.append(_block(parts, bits))
    for e in encoded:
        e.columns["char_tokens"] = e.char_tokens
    blocks.insert(1, _block([e.char_tokens - _CHAR_OFFSET for e in encoded], CHAR_BITS))
    blocks.append(sparse.csr_matrix(np.vstack([e.dense for e in encoded])))
    out = sparse.hstack(blocks).tocsr()
    out.sort_indices()  # word_contributions looks columns up by binary search
    return out


N_FEATURES = 2**WORD_BITS + 2**CHAR_BITS + 2**PROFILE_BITS + len(DENSE)
_CHAR_OFFSET = 2**WORD_BITS
_PROFILE_OFFSET = 2**WORD_BITS + 2**CHAR_BITS
_DENSE_OFFSET = 2**WORD_BITS + 2**CHAR_BITS + 2**PROFILE_BITS


def _token_values(enc: Encoded, row: Row | sparse.csr_matrix) -> tuple:
    """The mention's hashed text columns (distinct), the word each occurrence belongs to,
    and what each occurrence carries of its column's value: computed once per mention."""
    if enc._tokens is None:
        columns = np.concatenate([enc.columns.get("word_tokens", np.zeros(0, np.int64)),
                                  enc.columns.get("char_tokens", np.zeros(0, np.int64))])
        owners = np.concatenate([np.asarray(enc.word_owner, dtype=np.int64),
                                 enc.char_owner if enc.char_owner is not None
                                 else np.zeros(0, np.int64)])
        uniq, inverse, counts = np.unique(columns, return_inverse=True, return_counts=True)
        present, values = row.indices, row.data
        where = np.minimum(np.searchsorted(present, uniq), max(len(present) - 1, 0))
        value = np.where(present[where] == uniq, values[where], 0.0) if len(present) else \
            np.zeros(len(uniq))
        # A column met k times shares its one feature value k ways.
        enc._tokens = (uniq, inverse, owners, value / counts)
    return enc._tokens


class Row(NamedTuple):
    """One mention's row of the feature matrix: its columns (sorted) and their values (what
    word_contributions reads; a CSR row slice has the same two attributes)."""

    indices: np.ndarray
    data: np.ndarray


def word_contributions(enc: Encoded, row: Row | sparse.csr_matrix, weights) -> np.ndarray:
    """Return, per word of the mention, how much it added to a linear score: `weights(cols)`
    gives the score's weights at the given columns (one class's, or a difference of two). A
    word adds its hashed word and character features and its share of the lexicon and cue
    features; together they are the score minus what metadata and the profile added."""
    n = len(enc.words)
    if not n:
        return np.zeros(0)
    columns, occurrence, share, starts, words = word_shares(enc, row)
    out = np.zeros(n)
    if len(occurrence):
        out[words] = np.add.reduceat(weights(columns)[occurrence] * share, starts)
    return out


@cache
def _silent_words() -> frozenset[str]:
    """Function words are never shown as evidence ("är", "en", "the": they add a little to
    every score and explain nothing to a reader); negations are, since they turn a tone."""
    from nlp.emerging import ENGLISH_STOP_WORDS, SWEDISH_STOP_WORDS
    from nlp.sentiment import NEGATORS

    return (SWEDISH_STOP_WORDS | ENGLISH_STOP_WORDS) - NEGATORS["sv"] - NEGATORS["en"]


def word_shares(enc: Encoded, row: Row | sparse.csr_matrix) -> tuple:
    """Return how the mention's words own columns: the columns (hashed text columns, then
    the lexicon and cue columns), and per occurrence, ordered by word, its column (an index
    into the columns), what it carries of the column's value, where each word's run of
    occurrences starts and which word it is. Weights at the columns, times the shares,
    summed per run, give word_contributions (for many labels at once); computed once per
    mention."""
    if enc._shares is None:
        uniq, inverse, owners, share = _token_values(enc, row)
        dense_cols, dense_at, dense_words, dense_share = _dense_shares(enc)
        owner = np.concatenate([owners, dense_words])
        order = np.argsort(owner, kind="stable")
        owner = owner[order]
        starts = np.flatnonzero(np.r_[True, owner[1:] != owner[:-1]]) if len(owner) else \
            np.zeros(0, dtype=np.int64)
        enc._shares = (np.concatenate([uniq, dense_cols]),
                       np.concatenate([inverse, len(uniq) + dense_at])[order],
                       np.concatenate([share[inverse], dense_share])[order],
                       starts, owner[starts])
    return enc._shares


def _dense_shares(enc: Encoded) -> tuple:
    """The dense columns that words own (lexicon, cues), and for each owning word: which of
    those columns, the word's index, and its share of the column's value (by the size of its
    own weight); computed once per mention."""
    if enc._dense_tokens is None:
        columns, at, owners, shares = [], [], [], []
        for k, (d, owned) in enumerate(enc.dense_owner.items()):
            columns.append(_DENSE_OFFSET + d)
            total = sum(abs(x) for _, x in owned) or 1.0
            for i, x in owned:
                at.append(k)
                owners.append(i)
                shares.append(enc.dense[d] * abs(x) / total)
        enc._dense_tokens = (np.array(columns, dtype=np.int64), np.array(at, dtype=np.int64),
                             np.array(owners, dtype=np.int64), np.array(shares, dtype=float))
    return enc._dense_tokens


def top_words(enc: Encoded, contributions: np.ndarray, k: int = 6,
              minimum: float = 0.05) -> list[dict]:
    """Return the words that weighed most toward a decision, as {"text", "weight"} (positive
    weights pushed toward it, negative against it); the same word form once."""
    order = np.argsort(-np.abs(contributions))
    found: dict[str, float] = {}
    silent = _silent_words()
    for i in order:
        weight = float(contributions[i])
        if abs(weight) < minimum or len(found) >= k:
            break
        word = enc.words[i]
        lower = word.lower()
        if lower not in {w.lower() for w in found} and word[:1].isalnum() \
                and lower not in silent:
            found[word] = round(weight, 2)
    return [{"text": w, "weight": v} for w, v in found.items()]
