"""Benchmark: Pulse's bias-corrected shares (store.quantify, adjusted classify-and-count from
the confusion matrix) against QuaPy's ACC, PACC and EMQ and plain classify-and-count, on the
labelled test part with the shipped sentiment tagger.

The test part is tagged once. Then, many times: it is split at random into a calibration half
(the confusion matrix, or QuaPy's fit) and an evaluation half; from the evaluation half a
sample of `--size` mentions is drawn with label shares drawn uniformly from the simplex (the
artificial-prevalence protocol), so the true shares are known. Every method estimates the
sample's share negative and net sentiment (positive minus negative). Printed: mean absolute
error per method in percentage points (classify-and-count measured in the same run is the
baseline: the ratio is error / its error), the coverage of Pulse's 90 % interval, and time
per estimate.

    pip install -e '.[bench]'
    python -m bench.quantify [--samples 300] [--size 200] [--labelled nlp/data/mentions.jsonl]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

LABELS = ("negative", "neutral", "positive")
REPO = Path(__file__).resolve().parent.parent


class _Precomputed(ClassifierMixin, BaseEstimator):
    """The tagger's answers as a scikit-learn classifier over row numbers (QuaPy's methods
    take a classifier; the tagger has already answered for every row)."""

    def __init__(self, predicted=None, probabilities=None):
        self.predicted = predicted
        self.probabilities = probabilities

    def fit(self, X, y):
        """Nothing to learn: the answers are given."""
        self.classes_ = np.arange(len(LABELS))
        return self

    def predict(self, X):
        """Return the tagger's label index of each row."""
        return self.predicted[np.asarray(X).ravel().astype(int)]

    def predict_proba(self, X):
        """Return the tagger's probabilities of each row."""
        return self.probabilities[np.asarray(X).ravel().astype(int)]


def _tag(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    from nlp.evaluate import load_gold, tagger_inputs
    from nlp.tagger import Tagger
    from pulse.settings import load_settings

    records = [r for r in load_gold(path, "test") if r.get("sentiment") in LABELS]
    out = Tagger(load_settings().strategy).tag(tagger_inputs(records))
    truth = np.array([LABELS.index(r["sentiment"]) for r in records])
    predicted = np.array([LABELS.index(o["sentiment"]["label"]) for o in out])
    probabilities = np.array([[o["sentiment"]["probabilities"][k] for k in LABELS]
                              for o in out])
    return truth, predicted, probabilities / probabilities.sum(axis=1, keepdims=True)


def _sample(rng, pool: np.ndarray, truth: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    shares = rng.dirichlet(np.ones(len(LABELS)))
    counts = rng.multinomial(size, shares)
    picked = np.concatenate([rng.choice(pool[truth[pool] == k], c, replace=True)
                             for k, c in enumerate(counts) if c])
    return picked, counts / size


def main() -> None:
    """Run the comparison and print its table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--labelled", type=Path, default=REPO / "nlp" / "data" / "mentions.jsonl")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from quapy.method.aggregative import ACC, EMQ, PACC

    from store.quantify import Confusion, difference, shares

    truth, predicted, probabilities = _tag(args.labelled)
    rows = np.arange(len(truth))
    clf = _Precomputed(predicted, probabilities).fit(None, None)
    rng = np.random.default_rng(args.seed)
    methods = ("classify and count", "Pulse ACC (store.quantify)", "QuaPy ACC", "QuaPy PACC",
               "QuaPy EMQ")
    errors = {m: {"negative": [], "net": []} for m in methods}
    seconds = {m: 0.0 for m in methods}
    covered = {"negative": 0, "net": 0}
    for _ in range(args.samples):
        order = rng.permutation(rows)
        calibration, evaluation = order[: len(rows) // 2], order[len(rows) // 2:]
        sample, true_shares = _sample(rng, evaluation, truth, args.size)
        true = {"negative": true_shares[0], "net": true_shares[2] - true_shares[0]}
        counts = np.zeros((3, 3), dtype=int)
        np.add.at(counts, (truth[calibration], predicted[calibration]), 1)
        confusion = Confusion(LABELS, tuple(tuple(int(x) for x in r) for r in counts))
        machine = {LABELS[k]: int((predicted[sample] == k).sum()) for k in range(3)}

        started = time.perf_counter()
        cc = np.bincount(predicted[sample], minlength=3) / len(sample)
        seconds[methods[0]] += time.perf_counter() - started
        started = time.perf_counter()
        est = shares(machine, confusion)
        net = difference(machine, confusion, "positive", "negative")
        seconds[methods[1]] += time.perf_counter() - started
        estimates = {methods[0]: (cc[0], cc[2] - cc[0]),
                     methods[1]: (est["negative"].value, net.value)}
        covered["negative"] += est["negative"].low <= true["negative"] <= est["negative"].high
        covered["net"] += net.low <= true["net"] <= net.high
        X_cal, X_sample = calibration.reshape(-1, 1), sample.reshape(-1, 1)
        for name, method in ((methods[2], ACC), (methods[3], PACC), (methods[4], EMQ)):
            started = time.perf_counter()
            kwargs = {} if method is EMQ else {"val_split": (X_cal, truth[calibration])}
            q = method(clf, fit_classifier=False, **kwargs).fit(X_cal, truth[calibration])
            p = q.quantify(X_sample)
            seconds[name] += time.perf_counter() - started
            estimates[name] = (p[0], p[2] - p[0])
        for name, (negative, net_value) in estimates.items():
            errors[name]["negative"].append(abs(negative - true["negative"]))
            errors[name]["net"].append(abs(net_value - true["net"]))

    base = {k: float(np.mean(errors[methods[0]][k])) for k in ("negative", "net")}
    print(f"{len(truth)} labelled test mentions, {args.samples} samples of {args.size} "
          "(artificial prevalence), calibration on the other half each time")
    print(f"{'method':30} {'MAE negative':>13} {'× CC':>6} {'MAE net':>9} {'× CC':>6} "
          f"{'ms/estimate':>12}")
    for name in methods:
        neg, net_err = (float(np.mean(errors[name][k])) for k in ("negative", "net"))
        print(f"{name:30} {neg * 100:10.1f} pp {neg / base['negative']:6.2f} "
              f"{net_err * 100:6.1f} pp {net_err / base['net']:6.2f} "
              f"{seconds[name] / args.samples * 1000:12.2f}")
    print(f"Pulse's 90 % interval held the true share negative in "
          f"{covered['negative'] / args.samples:.0%} of samples, the true net sentiment in "
          f"{covered['net'] / args.samples:.0%}")


if __name__ == "__main__":
    main()
