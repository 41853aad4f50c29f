"""`pulse eval`: accuracy per task on labelled data, printed as plain tables.

Gold data: JSON Lines like tests/data/gold.jsonl (text plus labels for every task and a
`split`: "tune" may be looked at while improving the tagger, "test" never is). Labelled CSV
(`text,label`, 0/1 binary or 0/1/2 three-class sentiment) is evaluated for sentiment only.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.preprocessing import MultiLabelBinarizer

SINGLE_TASKS = ("language", "sentiment", "voice", "audience", "intent")
MULTI_TASKS = ("keywords", "messages", "topics")
TASKS = ("language", "keywords", "messages", "topics", "sentiment", "voice", "audience",
         "intent")
GOLD_FIELD = {"language": "lang"}
THREE_CLASS = {"0": "negative", "1": "neutral", "2": "positive"}
BINARY = {"0": "negative", "1": "positive"}


@dataclass
class TaskReport:
    """Metrics of one task on one data set."""

    task: str
    n: int
    accuracy: float
    macro_f1: float
    macro_recall: float
    micro_f1: float | None = None                    # multi-label tasks only
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    confusion: list[list[int]] | None = None          # single-label tasks only


def heldout_of_training(text: str) -> bool:
    """Return True for the ~10 % of rows of a training file kept out of training (by hash)."""
    return int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16) % 10 == 0


def load_gold(path: Path, split: str = "all") -> list[dict]:
    """Return the gold records of a split ("tune", "test" or "all")."""
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            if split == "all" or record.get("split") == split:
                records.append(record)
    return records


def load_csv(path: Path) -> tuple[list[str], list[str], bool]:
    """Return texts, labels (negative/neutral/positive) and whether the set is binary.

    A file named like a training file of the shipped model (en_tweets_train.csv) is reduced
    to its held-out rows, the ones the model never saw.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        rows = [(r["text"], str(r["label"]).strip()) for r in csv.DictReader(fh)]
    if path.name == "en_tweets_train.csv":
        rows = [r for r in rows if heldout_of_training(r[0])]
    binary = {label for _, label in rows} <= set(BINARY)
    mapping = BINARY if binary else THREE_CLASS
    return [t for t, _ in rows], [mapping[label] for _, label in rows], binary


def _single(task: str, gold: Sequence[str], pred: Sequence[str]) -> TaskReport:
    labels = sorted(set(gold) | set(pred))
    p, r, f, s = precision_recall_fscore_support(gold, pred, labels=labels, zero_division=0)
    return TaskReport(
        task=task, n=len(gold), accuracy=accuracy_score(gold, pred),
        macro_f1=f1_score(gold, pred, labels=sorted(set(gold)), average="macro",
                          zero_division=0),
        macro_recall=float(sum(r[labels.index(g)] for g in set(gold)) / len(set(gold))),
        per_class={lab: {"precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
                   for i, lab in enumerate(labels)},
        labels=labels, confusion=confusion_matrix(gold, pred, labels=labels).tolist())


def _multi(task: str, gold: Sequence[set[str]], pred: Sequence[set[str]]) -> TaskReport:
    binarizer = MultiLabelBinarizer()
    binarizer.fit(list(gold) + list(pred) + [set()])
    y_true, y_pred = binarizer.transform(gold), binarizer.transform(pred)
    labels = list(binarizer.classes_)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, zero_division=0)
    present = [i for i, lab in enumerate(labels) if s[i] > 0]
    return TaskReport(
        task=task, n=len(gold), accuracy=accuracy_score(y_true, y_pred),
        macro_f1=float(sum(f[i] for i in present) / max(len(present), 1)),
        macro_recall=float(sum(r[i] for i in present) / max(len(present), 1)),
        micro_f1=f1_score(y_true, y_pred, average="micro", zero_division=0),
        per_class={lab: {"precision": p[i], "recall": r[i], "f1": f[i], "support": int(s[i])}
                   for i, lab in enumerate(labels)},
        labels=labels)


def predicted(task: str, out: dict):
    """Return the tagger's answer for a task from one analyze-format record."""
    if task == "language":
        return out["lang"]
    if task == "sentiment":
        return out["sentiment"]["label"]
    if task in MULTI_TASKS:
        return {t["id"] for t in out.get(task, [])}
    if task == "audience":
        audiences = out.get("audiences") or []
        return audiences[0]["id"] if audiences else "none"
    return out.get(task) or "none"


def gold_inputs(records: Iterable[dict]) -> list[dict]:
    """Return tagger inputs (text and metadata, never labels) for gold records."""
    keys = ("id", "text", "author", "author_description", "url", "source_kind")
    return [{k: r[k] for k in keys if k in r} for r in records]


def evaluate_gold(tagger, records: list[dict], tasks: Sequence[str] = TASKS) -> list[TaskReport]:
    """Tag the gold records and return one report per task."""
    outputs = tagger.tag(gold_inputs(records))
    reports = []
    for task in tasks:
        field_name = GOLD_FIELD.get(task, task)
        if task in MULTI_TASKS:
            reports.append(_multi(task, [set(r.get(field_name, [])) for r in records],
                                  [predicted(task, o) for o in outputs]))
        else:
            reports.append(_single(task, [r[field_name] for r in records],
                                   [predicted(task, o) for o in outputs]))
    return reports


def evaluate_sentiment_csv(tagger, path: Path) -> TaskReport:
    """Return the sentiment report on a labelled CSV; binary sets compare the score's sign."""
    texts, gold, binary = load_csv(path)
    outputs = tagger.tag([{"text": t} for t in texts])
    if binary:
        pred = ["positive" if o["sentiment"]["score"] >= 0 else "negative" for o in outputs]
    else:
        pred = [o["sentiment"]["label"] for o in outputs]
    return _single(f"sentiment ({path.name}{', binary' if binary else ''})", gold, pred)


def format_report(title: str, reports: Iterable[TaskReport], detail: bool = True) -> str:
    """Return the reports as text: a summary table, then per-class figures and confusions."""
    reports = list(reports)
    lines = [title, "=" * len(title),
             f"{'task':<34}{'n':>6}{'accuracy':>10}{'macro-F1':>10}{'macro-R':>9}{'micro-F1':>10}"]
    for rep in reports:
        micro = f"{rep.micro_f1:>10.3f}" if rep.micro_f1 is not None else f"{'':>10}"
        lines.append(f"{rep.task:<34}{rep.n:>6}{rep.accuracy:>10.3f}{rep.macro_f1:>10.3f}"
                     f"{rep.macro_recall:>9.3f}{micro}")
    if not detail:
        return "\n".join(lines)
    for rep in reports:
        lines += ["", f"{rep.task}: per class",
                  f"  {'class':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}"]
        for label, m in rep.per_class.items():
            lines.append(f"  {label:<22}{m['precision']:>10.2f}{m['recall']:>8.2f}"
                         f"{m['f1']:>7.2f}{m['support']:>9}")
        if rep.confusion:
            width = max(8, max(len(lab) for lab in rep.labels) + 1)
            lines.append("  confusion (rows gold, columns predicted)")
            lines.append("  " + " " * width + "".join(f"{lab[:width - 1]:>{width}}"
                                                      for lab in rep.labels))
            for label, row in zip(rep.labels, rep.confusion, strict=True):
                lines.append(f"  {label:<{width}}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)
