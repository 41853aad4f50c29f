"""Shares with error bars: bias-corrected estimates of what machine tags count.

A share counted from machine tags carries the classifier's bias: if neutral news is often read
as positive, the counted share positive is too high. Adjusted classify-and-count (ACC, Forman
2008, "Quantifying counts and costs via classification") undoes it with the confusion matrix
measured on labelled data: with M[p, t] = P(predicted p | true t), the counted shares q satisfy
q = M·π, so the true shares are π = M⁻¹·q, clipped to the simplex. The 90 % interval comes
from a bootstrap over both sources of uncertainty: the counted mentions (multinomial) and the
confusion matrix itself (each true class's row drawn from a Dirichlet on its labelled counts).

Everything here is a pure function of counts: the dashboard, the digest and the reports pass
the same counts and the same calibration (nlp/models/calibration.json, written by
`pulse eval` from the untouched test part, plus analysts' reviews) and get the same figure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

LEVEL = 0.90
DRAWS = 2000


@dataclass(frozen=True)
class Estimate:
    """A share (or a difference of shares) with its interval; `counted` is the raw
    classify-and-count figure, `n` how many mentions it rests on."""

    value: float | None
    low: float | None
    high: float | None
    n: int
    counted: float | None = None

    def text(self, signed: bool = False) -> str:
        """Return it as people read it: "23 % (18–29 %)", or "–" without data."""
        if self.value is None:
            return "–"
        sign = "+" if signed else ""

        def pct(x: float) -> str:
            return f"{x * 100:{sign}.0f}"

        if self.low is None or self.high is None:
            return f"{pct(self.value)} %"
        # "-24–-2" reads as a typo: a range with a negative end gets spaced dashes.
        dash = " – " if min(self.low, self.high) < 0 else "–"
        return f"{pct(self.value)} % ({pct(self.low)}{dash}{pct(self.high)} %)"

    @property
    def width(self) -> float | None:
        """Return the width of the interval (None without one)."""
        return None if self.low is None or self.high is None else self.high - self.low


NO_DATA = Estimate(None, None, None, 0)


@dataclass(frozen=True)
class Confusion:
    """Labelled counts of one task: counts[t][p] = items of true label t predicted as p."""

    labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]

    @classmethod
    def from_pairs(cls, labels: Sequence[str], pairs: Sequence[tuple[str, str]]) -> Confusion:
        """Build it from (true, predicted) pairs; pairs with unknown labels are left out."""
        index = {label: i for i, label in enumerate(labels)}
        grid = np.zeros((len(labels), len(labels)), dtype=int)
        for true, pred in pairs:
            if true in index and pred in index:
                grid[index[true], index[pred]] += 1
        return cls(tuple(labels), tuple(tuple(int(v) for v in row) for row in grid))

    def plus(self, other: Confusion) -> Confusion:
        """Return the sum of two confusions over the same labels (e.g. test part + reviews)."""
        if other.labels != self.labels:
            raise ValueError(f"labels differ: {self.labels} and {other.labels}")
        return Confusion(self.labels, tuple(tuple(a + b for a, b in zip(r1, r2, strict=True))
                                            for r1, r2 in zip(self.counts, other.counts,
                                                              strict=True)))

    @property
    def size(self) -> int:
        """Return how many labelled items it rests on."""
        return int(sum(map(sum, self.counts)))

    def to_json(self) -> dict:
        """Return it as a JSON-ready dict."""
        return {"labels": list(self.labels), "counts": [list(r) for r in self.counts]}

    @classmethod
    def from_json(cls, data: Mapping) -> Confusion:
        """Read it back from to_json()'s dict."""
        return cls(tuple(data["labels"]), tuple(tuple(int(v) for v in r)
                                                for r in data["counts"]))


def presence(pairs: Sequence[tuple[bool, bool]]) -> Confusion:
    """Return the 2×2 confusion of a yes/no tag (a keyword, a target group present or not)
    from (truly present, predicted present) pairs."""
    return Confusion.from_pairs(("absent", "present"),
                                [("present" if t else "absent", "present" if p else "absent")
                                 for t, p in pairs])


def _seed(*parts) -> int:
    # Figures must not flicker between page loads: the bootstrap's seed follows its inputs.
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big")


def _project(pi: np.ndarray) -> np.ndarray:
    """Clip each row to non-negative values and renormalise to sum 1 (the simplex)."""
    pi = np.clip(pi, 0.0, None)
    total = pi.sum(axis=-1, keepdims=True)
    k = pi.shape[-1]
    return np.where(total > 0, pi / np.where(total > 0, total, 1), 1.0 / k)


def _adjust(rates: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Solve M·π = q for π (batched over leading axes), then project onto the simplex. Where
    M is singular the counted shares are returned unchanged."""
    try:
        pi = np.linalg.solve(rates, observed[..., None])[..., 0]
    except np.linalg.LinAlgError:
        pi = np.stack([_solve_one(r, o) for r, o in zip(rates.reshape(-1, *rates.shape[-2:]),
                                                         observed.reshape(-1, observed.shape[-1]),
                                                         strict=True)])
        pi = pi.reshape(observed.shape)
    return _project(pi)


def _solve_one(rates: np.ndarray, observed: np.ndarray) -> np.ndarray:
    try:
        return np.linalg.solve(rates, observed)
    except np.linalg.LinAlgError:
        return observed


def _rates(counts: np.ndarray, prior: float = 0.5) -> np.ndarray:
    """M[p, t] = P(predicted p | true t) from labelled counts (with a small prior)."""
    smoothed = counts + prior
    return (smoothed / smoothed.sum(axis=1, keepdims=True)).T


def shares(counted: Mapping[str, int], confusion: Confusion, level: float = LEVEL,
           draws: int = DRAWS) -> dict[str, Estimate]:
    """Return the bias-corrected share of each label with its interval, from the number of
    mentions the machine gave each label (`counted`) and the task's confusion."""
    labels = confusion.labels
    q = np.array([counted.get(label, 0) for label in labels], dtype=float)
    n = int(q.sum())
    if n == 0:
        return {label: NO_DATA for label in labels}
    observed = q / n
    counts = np.array(confusion.counts, dtype=float)
    point = _adjust(_rates(counts), observed)
    sims = _simulate(q, counts, level, draws, _seed(tuple(q), confusion.counts))
    lo, hi = np.quantile(sims, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return {label: Estimate(float(point[i]), float(lo[i]), float(hi[i]), n,
                            float(observed[i])) for i, label in enumerate(labels)}


def difference(counted: Mapping[str, int], confusion: Confusion, plus: str, minus: str,
               level: float = LEVEL, draws: int = DRAWS) -> Estimate:
    """Return the bias-corrected share of `plus` minus that of `minus` (net sentiment:
    positive minus negative) with its interval."""
    labels = confusion.labels
    q = np.array([counted.get(label, 0) for label in labels], dtype=float)
    n = int(q.sum())
    if n == 0:
        return NO_DATA
    i, j = labels.index(plus), labels.index(minus)
    counts = np.array(confusion.counts, dtype=float)
    point = _adjust(_rates(counts), q / n)
    sims = _simulate(q, counts, level, draws, _seed("diff", tuple(q), confusion.counts))
    diffs = sims[:, i] - sims[:, j]
    lo, hi = np.quantile(diffs, [(1 - level) / 2, (1 + level) / 2])
    return Estimate(float(point[i] - point[j]), float(lo), float(hi), n,
                    float((q[i] - q[j]) / n))


def _simulate(q: np.ndarray, counts: np.ndarray, level: float, draws: int,
              seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = int(q.sum())
    observed = rng.multinomial(n, q / n, size=draws) / n
    # One Dirichlet draw per true class and bootstrap round: rows of P(predicted | true).
    rows = np.stack([rng.dirichlet(row + 0.5, size=draws) for row in counts], axis=1)
    rates = np.transpose(rows, (0, 2, 1))
    return _adjust(rates, observed)


def present_share(present: int, total: int, confusion: Confusion, level: float = LEVEL,
                  draws: int = DRAWS) -> Estimate:
    """Return the bias-corrected share of mentions that truly carry a yes/no tag, from how
    many of `total` the machine tagged (`present`) and the tag's 2×2 confusion."""
    result = shares({"present": present, "absent": total - present}, confusion, level, draws)
    return result["present"]


@dataclass(frozen=True)
class Calibration:
    """The measured confusions Pulse corrects its shares with: per task (sentiment, …) and
    per yes/no tag ("keyword:open", "audience:business" …)."""

    tasks: dict[str, Confusion]
    source: str = ""

    def get(self, name: str) -> Confusion | None:
        """Return the confusion of a task or tag, None when it was never measured."""
        return self.tasks.get(name)

    def plus(self, name: str, extra: Confusion) -> Calibration:
        """Return a calibration with `extra` counts added to one task (analysts' reviews)."""
        base = self.tasks.get(name)
        merged = extra if base is None else base.plus(extra)
        return Calibration({**self.tasks, name: merged}, self.source)

    def save(self, path: Path) -> None:
        """Write it as JSON."""
        path.write_text(json.dumps({"source": self.source, "tasks": {
            k: v.to_json() for k, v in sorted(self.tasks.items())}}, indent=1,
            ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> Calibration:
        """Read a calibration file; an empty calibration when there is none."""
        if not path.is_file():
            return cls({}, "")
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls({k: Confusion.from_json(v) for k, v in data["tasks"].items()},
                   data.get("source", ""))
