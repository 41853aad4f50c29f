"""The learned taggers: linear models over nlp.features, trained by `pulse train` on the
labelled mentions written for Pulse (train part only) and analysts' corrections.

- sentiment and intent: multinomial logistic regression, one label each, with calibrated
  probabilities (a temperature fitted on out-of-fold scores), so that a confidence of 0.6 is
  right about 60 % of the time and the review queue can pick the unsure ones;
- target groups, topics, core messages and keywords: one-vs-rest logistic regression per id,
  each with its own threshold chosen by cross-validation for F1; no id above its threshold
  means "unclear" (never a default group).

Models are stored sparse (only features seen in training have weights) in one file,
nlp/models/taggers.joblib, with the ids of the strategy they were trained for: a strategy
with other ids (another city) gets the rule taggers only for its own vocabulary.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import joblib
import numpy as np
from scipy import sparse

from nlp.features import FEATURES

MODEL_DIR = Path(__file__).resolve().parent / "models"
MODEL_FILE = "taggers.joblib"
SINGLE = ("sentiment", "intent")
RULE_BOUND = ("keywords",)  # given only where a rule found a word of the id
MULTI = ("audiences", "topics", "messages", "keywords")


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class LinearModel:
    """Weights of one task: labels × features (sparse), intercepts, and a temperature."""

    labels: tuple[str, ...]
    weights: sparse.csr_matrix
    intercept: np.ndarray
    temperature: float = 1.0
    thresholds: dict[str, float] = field(default_factory=dict)  # one-vs-rest tasks only

    def _dense(self) -> tuple[np.ndarray, np.ndarray]:
        """(position of each column in the compact weights, compact weights): a dense float32
        copy, columns × labels, of only the columns that have a weight, plus one zero row for
        the rest (columns × labels, so the product with a feature row needs no copy)."""
        if getattr(self, "_compact", None) is None:
            self._compact = _compact([self.weights])
        return self._compact

    def scores(self, X: sparse.csr_matrix) -> np.ndarray:
        """Return the linear scores (n × labels)."""
        position, dense = self._dense()
        return _product(X, position, dense) + self.intercept

    def activate(self, scores: np.ndarray) -> np.ndarray:
        """Return calibrated probabilities from linear scores: softmax over labels for
        single-label tasks, one sigmoid per label for one-vs-rest tasks."""
        z = scores / self.temperature
        if self.thresholds:
            return 1 / (1 + np.exp(-z))
        return _softmax(z)

    def proba(self, X: sparse.csr_matrix) -> np.ndarray:
        """Return calibrated probabilities of a feature matrix (see activate)."""
        return self.activate(self.scores(X))

    def weights_at(self, label: str, minus: str | None = None):
        """Return a function of columns giving the weights of `label` (less those of `minus`)
        at those columns: what explains a decision."""
        position, dense = self._dense()
        return _weights_at(position, dense, self.labels.index(label),
                           self.labels.index(minus) if minus is not None else None)


def _compact(weights: Sequence[sparse.csr_matrix]) -> tuple[np.ndarray, np.ndarray]:
    """Stack label × feature weights into the compact columns × labels form of _dense."""
    used = np.unique(np.concatenate([w.indices for w in weights]))
    position = np.full(weights[0].shape[1], len(used), dtype=np.int32)
    position[used] = np.arange(len(used), dtype=np.int32)
    dense = np.zeros((len(used) + 1, sum(w.shape[0] for w in weights)), dtype=np.float32)
    start = 0
    for w in weights:
        dense[:-1, start:start + w.shape[0]] = w[:, used].toarray().T
        start += w.shape[0]
    return position, dense


def _product(X: sparse.csr_matrix, position: np.ndarray, dense: np.ndarray) -> np.ndarray:
    # float32 on both sides: a float64 matrix would make scipy copy the weights each time.
    compact = sparse.csr_matrix((X.data.astype(np.float32), position[X.indices], X.indptr),
                                shape=(X.shape[0], dense.shape[0]))
    return np.asarray(compact @ dense, dtype=np.float64)


def _weights_at(position: np.ndarray, dense: np.ndarray, a: int, b: int | None):
    def at(columns: np.ndarray) -> np.ndarray:
        where = position[columns]
        got = dense[where, a].astype(np.float64)
        if b is not None:
            got -= dense[where, b]
        return got

    return at


@dataclass
class TaggerModels:
    """Every learned tagger of one training run, and what it was trained on."""

    version: str
    strategy_ids: dict[str, list[str]]
    tasks: dict[str, LinearModel]
    trained_on: dict
    cv: dict = field(default_factory=dict)    # cross-validated figures on the train part

    def has(self, task: str) -> bool:
        """Return True when the task was trained."""
        return task in self.tasks

    def fits(self, kind: str, ids: Sequence[str]) -> bool:
        """Return True when the models of a strategy kind were trained for exactly these ids."""
        return list(self.strategy_ids.get(kind, [])) == list(ids)

    def _joint(self) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
        """Every task's weights in one compact matrix (the tasks share their columns), and
        where each task's labels start in it: one product scores all tasks."""
        if getattr(self, "_joint_cache", None) is None:
            names = sorted(self.tasks)
            position, dense = _compact([self.tasks[t].weights for t in names])
            starts, start = {}, 0
            for t in names:
                starts[t] = start
                start += len(self.tasks[t].labels)
            self._joint_cache = (position, dense, starts)
        return self._joint_cache

    def probabilities(self, X: sparse.csr_matrix, tasks: Sequence[str]) -> dict[str, np.ndarray]:
        """Return each task's calibrated probabilities (n × labels) of a feature matrix."""
        position, dense, starts = self._joint()
        z = _product(X, position, dense)
        out = {}
        for t in tasks:
            model = self.tasks[t]
            lo = starts[t]
            out[t] = model.activate(z[:, lo:lo + len(model.labels)] + model.intercept)
        return out

    def weights_at(self, task: str, label: str, minus: str | None = None):
        """Return the column-weight function of LinearModel.weights_at, from the joint copy."""
        position, dense, starts = self._joint()
        labels = self.tasks[task].labels
        return _weights_at(position, dense, starts[task] + labels.index(label),
                           starts[task] + labels.index(minus) if minus is not None else None)

    def contributions(self, n_words: int, shares: tuple) -> np.ndarray:
        """Return words × every label of every task: what each word added to each label's
        score (`shares` as features.word_shares gives them); see label_index."""
        position, dense, _ = self._joint()
        columns, occurrence, share, starts, words = shares
        out = np.zeros((n_words, dense.shape[1]))
        if len(occurrence):
            values = dense[position[columns]][occurrence] * share[:, None]
            out[words] = np.add.reduceat(values, starts, axis=0)
        return out

    def label_index(self, task: str, label: str) -> int:
        """Return a label's column in contributions()."""
        return self._joint()[2][task] + self.tasks[task].labels.index(label)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_joint_cache", None)  # rebuilt on load
        return state


def from_sklearn(labels: Sequence[str], coef: np.ndarray, intercept: np.ndarray,
                 temperature: float = 1.0, thresholds: dict[str, float] | None = None,
                 prune: float = 1e-4) -> LinearModel:
    """Return a LinearModel from a fitted estimator's coefficients, stored sparse: weights
    below `prune` (never-seen hashed features are exactly 0) are dropped."""
    coef = np.asarray(coef, dtype=np.float32)
    coef[np.abs(coef) < prune] = 0.0
    return LinearModel(tuple(labels), sparse.csr_matrix(coef), np.asarray(intercept, float),
                       float(temperature), dict(thresholds or {}))


def model_path(directory: Path = MODEL_DIR) -> Path:
    """Return where the trained taggers are stored."""
    return directory / MODEL_FILE


def version_of(trained_on: dict, settings: dict) -> str:
    """Return a short version that changes with the data, the settings and the features."""
    digest = hashlib.sha1(json.dumps([sorted(trained_on.items()), sorted(settings.items()),
                                      FEATURES], default=str).encode()).hexdigest()[:8]
    return f"ml-{digest}"


def save(models: TaggerModels, directory: Path = MODEL_DIR) -> Path:
    """Write the models (compressed) and forget the cached copy; return the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = model_path(directory)
    joblib.dump(models, path, compress=3)
    load_models.cache_clear()
    return path


@cache
def load_models(directory: Path = MODEL_DIR) -> TaggerModels | None:
    """Return the shipped models, or None when none were trained."""
    path = model_path(directory)
    if not path.is_file():
        return None
    return joblib.load(path)
