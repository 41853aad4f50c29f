"""The learned half of sentiment: a scikit-learn model per language, combined with the
lexicon's features, trained by `pulse train` and shipped in nlp/models/.

Features: hashed word 1–2-grams (no vocabulary is stored, so no training text ships inside
the model) plus the lexicon-and-rules score and its positive and negative sums. Classifier:
logistic regression with balanced class weights. Character n-grams were tried and dropped:
on the dev sets they changed accuracy by less than a point and cost 7–10× the time.

Training data (see ../shared/data/README.md for what may ship):
- Swedish: nlp/data/sv_sentiment_train.jsonl (written by hand for Pulse), the gold set's
  "tune" part, and analysts' corrections;
- English: en_tweets_train.csv (TweetEval; may ship a model, never the texts) except the
  ~10 % held out for measuring, the gold set's "tune" part, and corrections.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression

LABELS = ("negative", "neutral", "positive")
MODEL_DIR = Path(__file__).resolve().parent / "models"
WORD_FEATURES = 2**18
FEATURES = "word-1-2-hash18+lexicon3"  # part of the model version: change it with the features
_WORDS = HashingVectorizer(n_features=WORD_FEATURES, ngram_range=(1, 2), alternate_sign=False,
                           norm="l2", lowercase=True, token_pattern=r"(?u)\b\w+\b|[^\w\s]")


def features(texts: Sequence[str], lexicon_scores: Sequence[tuple[float, float, float]]):
    """Return the feature matrix: hashed n-grams plus (score, positive sum, negative sum)."""
    lex = np.asarray(lexicon_scores, dtype=np.float64).reshape(len(texts), 3)
    lex = np.column_stack([lex[:, 0], np.tanh(lex[:, 1] / 3), np.tanh(lex[:, 2] / 3)])
    return sparse.hstack([_WORDS.transform(texts), sparse.csr_matrix(lex * 2.0)]).tocsr()


@dataclass
class SentimentModel:
    """A trained model of one language and what it was trained on."""

    lang: str
    version: str
    classifier: LogisticRegression
    trained_on: dict

    def predict_proba(self, texts: Sequence[str],
                      lexicon_scores: Sequence[tuple[float, float, float]]) -> np.ndarray:
        """Return P(negative, neutral, positive) for each text."""
        probs = self.classifier.predict_proba(features(texts, lexicon_scores))
        order = [list(self.classifier.classes_).index(label) for label in LABELS]
        return probs[:, order]


def model_path(lang: str, directory: Path = MODEL_DIR) -> Path:
    """Return where the model of a language is stored."""
    return directory / f"sentiment-{lang}.joblib"


@cache
def load_model(lang: str) -> SentimentModel | None:
    """Return the shipped model of a language, or None when there is none."""
    path = model_path(lang)
    if not path.is_file():
        return None
    data = joblib.load(path)
    return SentimentModel(data["lang"], data["version"], data["classifier"], data["trained_on"])


def train(lang: str, texts: Sequence[str], labels: Sequence[str],
          lexicon_scores: Sequence[tuple[float, float, float]], trained_on: dict,
          directory: Path = MODEL_DIR, c: float = 4.0) -> SentimentModel:
    """Fit and save the model of a language; return it (its version hashes data + settings)."""
    classifier = LogisticRegression(C=c, max_iter=2000, class_weight="balanced")
    classifier.fit(features(texts, lexicon_scores), list(labels))
    digest = hashlib.sha1(json.dumps([sorted(trained_on.items()), len(texts), c, FEATURES],
                                     default=str).encode()).hexdigest()[:8]
    version = f"{lang}-{dt.date.today():%Y%m%d}-{digest}"
    directory.mkdir(parents=True, exist_ok=True)
    classifier.coef_ = classifier.coef_.astype(np.float32)
    joblib.dump({"lang": lang, "version": version, "classifier": classifier,
                 "trained_on": trained_on}, model_path(lang, directory), compress=3)
    load_model.cache_clear()
    return SentimentModel(lang, version, classifier, trained_on)


def project_examples(lang: str) -> list[tuple[str, str]]:
    """Return (text, label) examples written for Pulse that ship with it."""
    path = resources.files("nlp") / "data" / f"{lang}_sentiment_train.jsonl"
    if not path.is_file():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if "text" in record and record.get("label") in LABELS:
                rows.append((record["text"], record["label"]))
    return rows


def tweet_examples(path: Path, heldout: bool = False) -> list[tuple[str, str]]:
    """Return (text, label) rows of en_tweets_train.csv: the training part, or the held-out."""
    from nlp.evaluate import THREE_CLASS, heldout_of_training

    with path.open(encoding="utf-8", newline="") as fh:
        rows = [(r["text"], THREE_CLASS[str(r["label"]).strip()]) for r in csv.DictReader(fh)]
    return [r for r in rows if heldout_of_training(r[0]) == heldout]


def gold_examples(path: Path, lang: str) -> list[tuple[str, str]]:
    """Return (text, sentiment) from the gold set's tune part in a language (never "test")."""
    from nlp.evaluate import load_gold

    if not path.is_file():
        return []
    return [(r["text"], r["sentiment"]) for r in load_gold(path, "tune") if r.get("lang") == lang]


def describe(examples: Iterable[tuple[str, str]]) -> dict[str, int]:
    """Return label counts of examples."""
    counts: dict[str, int] = {}
    for _, label in examples:
        counts[label] = counts.get(label, 0) + 1
    return counts
