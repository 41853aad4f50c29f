"""`pulse train`: fit the learned taggers (nlp.classify) on labelled mentions.

Only the `train` part of the labelled mentions is used (plus analysts' corrections, plus any
extra sentiment sentences given); the `test` part is never read here. Settings are chosen by
5-fold cross-validation on the train part: the regularisation of the single-label models, the
threshold of every one-vs-rest id (best F1), and the temperature that calibrates the
probabilities. The cross-validated figures are kept with the models.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from nlp import features as feats
from nlp.classify import RULE_BOUND, LinearModel, TaggerModels, from_sklearn, version_of
from nlp.evaluate import tagger_inputs
from nlp.labels import INTENT_IDS, SENTIMENTS

FOLDS = 5
SINGLE_C = (4.0, 16.0)
MULTI_C = 4.0
SEED = 20261201


@dataclass
class Example:
    """One training example: a labelled mention (dict in mentions.jsonl's format) and how
    much it weighs; `tasks` limits which labels it teaches (None: all it has)."""

    record: dict
    weight: float = 1.0
    tasks: tuple[str, ...] | None = None

    def teaches(self, task: str) -> bool:
        """Return True when this example has a label for `task`."""
        if self.tasks is not None and task not in self.tasks:
            return False
        field = {"audiences": "audiences"}.get(task, task)
        return field in self.record


def _fit(X: sparse.csr_matrix, y: np.ndarray, w: np.ndarray, c: float,
         balanced: bool) -> LogisticRegression:
    # saga for the multinomial models (as accurate as lbfgs here, ten times faster on a
    # million sparse columns); liblinear for the one-vs-rest ones.
    if balanced:
        model = LogisticRegression(C=c, solver="saga", max_iter=300, tol=1e-3,
                                   class_weight="balanced")
    else:
        model = LogisticRegression(C=c, solver="liblinear")
    model.fit(X, y, sample_weight=w)
    return model


def _temperature(scores: np.ndarray, y_index: np.ndarray) -> float:
    """Return the temperature minimising the log loss of out-of-fold scores."""
    def loss(t: float) -> float:
        z = scores / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y_index)), y_index].mean())

    return float(minimize_scalar(loss, bounds=(0.2, 5.0), method="bounded").x)


def _single_task(name: str, X, labels_all: list, weights: np.ndarray, mask: np.ndarray,
                 classes: Sequence[str], log: Callable[[str], None], folds_n: int = FOLDS,
                 grid: Sequence[float] = SINGLE_C) -> tuple[LinearModel, dict]:
    idx = np.flatnonzero(mask)
    Xt, y, w = X[idx], np.array([labels_all[i] for i in idx]), weights[idx]
    present = [c for c in classes if c in set(y)]
    folds = StratifiedKFold(folds_n, shuffle=True, random_state=SEED)
    best = None
    for c in grid:
        scores = np.zeros((len(idx), len(present)))
        for tr, va in folds.split(Xt, y):
            model = _fit(Xt[tr], y[tr], w[tr], c, balanced=True)
            order = [list(model.classes_).index(k) for k in present]
            scores[va] = model.decision_function(Xt[va])[:, order]
        accuracy = float((np.array(present)[scores.argmax(axis=1)] == y).mean())
        log(f"  {name}: C={c:g} cross-validated accuracy {accuracy:.3f}")
        if best is None or accuracy > best[1]:
            best = (c, accuracy, scores)
    c, accuracy, scores = best
    extra = {}
    shift = np.zeros(len(present))
    if name == "sentiment" and "negative" in present:
        b, accuracy, recall = _negative_bias(scores, y, present)
        shift[present.index("negative")] = b
        extra = {"negative_bias": round(b, 2), "negative_recall": round(recall, 4)}
        log(f"  {name}: negative bias {b:.2f}: cross-validated accuracy {accuracy:.3f}, "
            f"negative recall {recall:.3f}")
    temperature = _temperature(scores + shift, np.array([present.index(v) for v in y]))
    model = _fit(Xt, y, w, c, balanced=True)
    order = [list(model.classes_).index(k) for k in present]
    linear = from_sklearn(present, model.coef_[order], model.intercept_[order] + shift,
                          temperature)
    return linear, {"accuracy": round(accuracy, 4), "C": c, "n": int(len(idx)),
                    "temperature": round(temperature, 3), **extra}


def _negative_bias(scores: np.ndarray, y: np.ndarray, labels: list[str],
                   recall_goal: float = 0.85, max_loss: float = 0.01,
                   fallback_loss: float = 0.005) -> tuple[float, float, float]:
    """Return (bias, accuracy, negative recall): the smallest boost of the negative score
    that reaches `recall_goal` on out-of-fold scores while costing at most `max_loss` of
    accuracy, else the largest that costs at most `fallback_loss`. Missing a criticism is
    worse for a communicator than reading a neutral passage as one."""
    neg = labels.index("negative")
    names = np.array(labels)

    def measure(b: float) -> tuple[float, float]:
        z = scores.copy()
        z[:, neg] += b
        pred = names[z.argmax(axis=1)]
        return float((pred == y).mean()), float((pred[y == "negative"] == "negative").mean())

    base, _ = measure(0.0)
    grid = [round(b, 2) for b in np.arange(0.0, 2.01, 0.05)]
    for b in grid:
        accuracy, recall = measure(b)
        if recall >= recall_goal and base - accuracy <= max_loss:
            return b, accuracy, recall
    affordable = [b for b in grid if base - measure(b)[0] <= fallback_loss]
    b = max(affordable)
    return (b, *measure(b))


def _best_threshold(p: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    best = (0.5, -1.0)
    for t in np.arange(0.05, 0.86, 0.025):
        pred = p >= t
        tp = int((pred & y).sum())
        f1 = 2 * tp / (pred.sum() + y.sum()) if (pred.sum() + y.sum()) else 0.0
        if f1 > best[1]:
            best = (float(round(t, 3)), float(f1))
    return best


def _multi_task(name: str, X, sets: list[set[str]], weights: np.ndarray, mask: np.ndarray,
                ids: Sequence[str], log: Callable[[str], None], top: int | None = None,
                candidates: np.ndarray | None = None,
                folds_n: int = FOLDS) -> tuple[LinearModel, dict]:
    """One-vs-rest models and thresholds; with `candidates` (mentions × ids, the rule
    taggers' findings), an id is only ever given where a rule found it, and the threshold
    is the model's veto over the rule (keywords: a word of the value must be there)."""
    idx = np.flatnonzero(mask)
    Xt, w = X[idx], weights[idx]
    Y = np.array([[ident in sets[i] for ident in ids] for i in idx], dtype=bool)
    allowed = candidates[idx] if candidates is not None else np.ones(Y.shape, dtype=bool)
    folds = KFold(folds_n, shuffle=True, random_state=SEED)
    oof = np.zeros(Y.shape)
    for tr, va in folds.split(Xt):
        for j in range(len(ids)):
            if Y[tr, j].any() and not Y[tr, j].all():
                oof[va, j] = _fit(Xt[tr], Y[tr, j], w[tr], MULTI_C, False).predict_proba(
                    Xt[va])[:, 1]
    oof = np.where(allowed, oof, 0.0)
    thresholds, coefs, intercepts = {}, [], []
    for j, ident in enumerate(ids):
        thresholds[ident] = _best_threshold(oof[:, j], Y[:, j])[0]
        if Y[:, j].any() and not Y[:, j].all():
            model = _fit(Xt, Y[:, j], w, MULTI_C, False)
            coefs.append(model.coef_[0])
            intercepts.append(model.intercept_[0])
        else:  # never (or always) seen: never (or always) given
            coefs.append(np.zeros(X.shape[1]))
            intercepts.append(-20.0 if not Y[:, j].any() else 20.0)
    pred = np.zeros(Y.shape, dtype=bool)
    for j, ident in enumerate(ids):
        pred[:, j] = oof[:, j] >= thresholds[ident]
    if top:
        ranked = np.argsort(-np.where(pred, oof, -1), axis=1)[:, top:]
        np.put_along_axis(pred, ranked, False, axis=1)
    tp = int((pred & Y).sum())
    micro = 2 * tp / (pred.sum() + Y.sum()) if (pred.sum() + Y.sum()) else 0.0
    log(f"  {name}: cross-validated micro-F1 {micro:.3f}")
    linear = from_sklearn(ids, np.vstack(coefs), np.array(intercepts), 1.0, thresholds)
    return linear, {"micro_f1": round(float(micro), 4), "n": int(len(idx))}


def train(strategy, examples: Sequence[Example], trained_on: dict,
          log: Callable[[str], None] = print, folds: int = FOLDS,
          single_c: Sequence[float] = SINGLE_C) -> TaggerModels:
    """Fit every learned tagger on the examples; return the models (not yet saved). `folds`
    and `single_c` (the cross-validation and the grid of regularisations) default to what
    the shipped models use; fewer folds and one C train quickly for tests."""
    from nlp.tagger import Tagger

    rules = Tagger(strategy, use_models=False)
    log(f"reading {len(examples)} examples …")
    prepared = rules.prepare(tagger_inputs([e.record for e in examples]))
    X = feats.matrix([p.encoded for p in prepared])
    weights = np.array([e.weight for e in examples], dtype=float)
    tasks: dict[str, LinearModel] = {}
    cv: dict[str, dict] = {}

    def has(task: str) -> np.ndarray:
        return np.array([e.teaches(task) for e in examples])

    for task, classes in (("sentiment", SENTIMENTS), ("intent", INTENT_IDS)):
        labels = [e.record.get(task) for e in examples]
        mask = has(task) & np.array([v in classes for v in labels])
        if mask.sum() >= 2 * folds:
            tasks[task], cv[task] = _single_task(task, X, labels, weights, mask, classes, log,
                                                 folds, single_c)
    ids = {"keywords": strategy.ids("keyword"), "messages": strategy.ids("message"),
           "topics": strategy.ids("topic"), "audiences": strategy.ids("target_group")}
    for task, task_ids in ids.items():
        mask = has(task)
        if task_ids and mask.sum() >= 2 * folds:
            sets = [set(e.record.get(task) or []) for e in examples]
            candidates = None
            if task in RULE_BOUND:
                found = [{h.entry[2:] for h in p.hits["k"]} for p in prepared]
                candidates = np.array([[i in f for i in task_ids] for f in found], dtype=bool)
            tasks[task], cv[task] = _multi_task(task, X, sets, weights, mask, task_ids, log,
                                                top=3 if task == "topics" else None,
                                                candidates=candidates, folds_n=folds)
    settings = {"single_c": tuple(single_c), "multi_c": MULTI_C, "folds": folds}
    return TaggerModels(version=version_of(trained_on, settings),
                        strategy_ids={"keyword": ids["keywords"], "message": ids["messages"],
                                      "topic": ids["topics"], "target_group": ids["audiences"]},
                        tasks=tasks, trained_on=trained_on, cv=cv)
