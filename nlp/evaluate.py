"""`pulse eval`: accuracy per task on labelled data, with 95 % confidence intervals, per
language and per voice, as plain tables.

Labelled mentions: JSON Lines like nlp/data/mentions.jsonl (text, metadata and a label for
every task, docs/labelling.md; `split` "train" may be trained and tuned on, "test" never is).
Labelled CSV (`text,label`, 0/1 binary or 0/1/2 three-class sentiment) is evaluated for
sentiment only. Intervals are percentile bootstraps over the mentions (1,000 resamples).
"""

from __future__ import annotations

import csv
import hashlib
import json
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.preprocessing import MultiLabelBinarizer

from nlp.calibration import calibration_path

SINGLE_TASKS = ("language", "sentiment", "voice", "intent")
MULTI_TASKS = ("keywords", "messages", "topics", "audiences")
TASKS = ("language", "keywords", "messages", "topics", "sentiment", "voice", "audiences",
         "intent")
GOLD_FIELD = {"language": "lang"}
THREE_CLASS = {"0": "negative", "1": "neutral", "2": "positive"}
BINARY = {"0": "negative", "1": "positive"}
DEFAULT_GOLD = Path(__file__).resolve().parent / "data" / "mentions.jsonl"
BOOTSTRAP = 1000


@dataclass
class TaskReport:
    """Metrics of one task on one data set: the headline figure is accuracy for single-label
    tasks and micro-F1 for multi-label ones, with its 95 % interval."""

    task: str
    n: int
    headline: float
    low: float
    high: float
    macro_f1: float
    multi: bool = False
    per_class: dict[str, dict[str, float]] = field(default_factory=dict)
    labels: list[str] = field(default_factory=list)
    confusion: list[list[int]] | None = None          # single-label tasks only

    @property
    def metric(self) -> str:
        """Return the name of the headline figure."""
        return "micro-F1" if self.multi else "accuracy"


def heldout_of_training(text: str) -> bool:
    """Return True for the ~10 % of rows of a training file kept out of training (by hash)."""
    return int(hashlib.md5(text.encode("utf-8")).hexdigest(), 16) % 10 == 0


def load_gold(path: Path, split: str = "all") -> list[dict]:
    """Return the labelled mentions of a split ("train", "test" or "all")."""
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


def _bootstrap(stat: Callable[[np.ndarray], float], n: int, seed: str) -> tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(int(hashlib.md5(seed.encode()).hexdigest()[:8], 16))
    values = [stat(rng.integers(0, n, n)) for _ in range(BOOTSTRAP)]
    low, high = np.quantile(values, [0.025, 0.975])
    return float(low), float(high)


def single_report(task: str, gold: Sequence[str], pred: Sequence[str]) -> TaskReport:
    """Return accuracy (with its 95 % interval), macro-F1 and per-class figures."""
    labels = sorted(set(gold) | set(pred))
    g, p = np.array(gold, dtype=object), np.array(pred, dtype=object)
    right = (g == p).astype(float)
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, zero_division=0)
    low, high = _bootstrap(lambda idx: float(right[idx].mean()), len(gold), task)
    with warnings.catch_warnings():  # one label in a small slice is fine: its F1 is its own
        warnings.simplefilter("ignore", UserWarning)
        macro = float(f1_score(gold, pred, labels=sorted(set(gold)), average="macro",
                               zero_division=0)) if len(gold) else float("nan")
        confusion = confusion_matrix(gold, pred, labels=labels).tolist()
    return TaskReport(
        task=task, n=len(gold), headline=float(right.mean()) if len(gold) else float("nan"),
        low=low, high=high, macro_f1=macro,
        per_class={lab: {"precision": precision[i], "recall": recall[i], "f1": f1[i],
                         "support": int(support[i])} for i, lab in enumerate(labels)},
        labels=labels, confusion=confusion)


def multi_report(task: str, gold: Sequence[set[str]], pred: Sequence[set[str]]) -> TaskReport:
    """Return micro-F1 (with its 95 % interval), macro-F1 and per-class figures."""
    binarizer = MultiLabelBinarizer()
    binarizer.fit(list(gold) + list(pred) + [set()])
    y_true, y_pred = binarizer.transform(gold), binarizer.transform(pred)
    labels = list(binarizer.classes_)
    precision, recall, f1, support = precision_recall_fscore_support(y_true, y_pred,
                                                                     zero_division=0)
    present = [i for i, _ in enumerate(labels) if support[i] > 0]
    tp = (y_true & y_pred).sum(axis=1)
    fp = ((1 - y_true) & y_pred).sum(axis=1)
    fn = (y_true & (1 - y_pred)).sum(axis=1)

    def micro(idx: np.ndarray) -> float:
        t, f_p, f_n = tp[idx].sum(), fp[idx].sum(), fn[idx].sum()
        return float(2 * t / (2 * t + f_p + f_n)) if t + f_p + f_n else 1.0

    low, high = _bootstrap(micro, len(gold), task)
    return TaskReport(
        task=task, n=len(gold), headline=micro(np.arange(len(gold))), low=low, high=high,
        macro_f1=float(sum(f1[i] for i in present) / max(len(present), 1)), multi=True,
        per_class={lab: {"precision": precision[i], "recall": recall[i], "f1": f1[i],
                         "support": int(support[i])} for i, lab in enumerate(labels)},
        labels=labels)


def predicted(task: str, out: dict):
    """Return the tagger's answer for a task from one analyze-format record."""
    if task == "language":
        return out["lang"]
    if task == "sentiment":
        return out["sentiment"]["label"]
    if task in MULTI_TASKS:
        return {t["id"] for t in out.get(task, [])}
    return out.get(task) or "none"


def gold_value(task: str, record: dict):
    """Return the labelled answer for a task from one labelled mention."""
    value = record.get(GOLD_FIELD.get(task, task))
    return set(value or []) if task in MULTI_TASKS else value


def tagger_inputs(records: Iterable[dict]) -> list[dict]:
    """Return tagger inputs (text and metadata as a collector stores them, never labels)."""
    out = []
    for r in records:
        kind = {"press_release": "news", "own_page": "news", "reply": "post"}.get(
            r.get("source_kind", ""), r.get("source_kind"))
        out.append({"id": r.get("id"), "text": r["text"], "title": r.get("title"),
                    "author": r.get("author"), "author_description": r.get("author_description"),
                    "url": r.get("url"), "source_kind": kind,
                    "relation": "reply" if r.get("source_kind") == "reply" else None})
    return out


def reports_for(records: list[dict], outputs: list[dict],
                tasks: Sequence[str] = TASKS) -> list[TaskReport]:
    """Return one report per task, comparing labelled records with the tagger's outputs."""
    reports = []
    for task in tasks:
        gold = [gold_value(task, r) for r in records]
        pred = [predicted(task, o) for o in outputs]
        reports.append(multi_report(task, gold, pred) if task in MULTI_TASKS
                       else single_report(task, gold, pred))
    return reports


def sentiment_details(records: list[dict], outputs: list[dict]) -> list[tuple[str, str]]:
    """Return the figures that show sentiment's biases: neutral read as positive, negative
    recall, and accuracy per language, voice and language × voice, with their n."""
    gold = [r["sentiment"] for r in records]
    pred = [o["sentiment"]["label"] for o in outputs]
    lines = []
    neutral = [p for g, p in zip(gold, pred, strict=True) if g == "neutral"]
    if neutral:
        lines.append(("neutral passages read as positive",
                      f"{sum(p == 'positive' for p in neutral)} of {len(neutral)} "
                      f"({sum(p == 'positive' for p in neutral) / len(neutral):.0%})"))
    negative = [p for g, p in zip(gold, pred, strict=True) if g == "negative"]
    if negative:
        lines.append(("negative recall",
                      f"{sum(p == 'negative' for p in negative) / len(negative):.3f} "
                      f"(n={len(negative)})"))
    return lines


def slices(records: list[dict]) -> dict[str, list[int]]:
    """Return the indices of each slice reported apart: per language, voice, both."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        lang, voice = r.get("lang"), r.get("voice")
        for key in (f"lang={lang}", f"voice={voice}", f"lang={lang}, voice={voice}"):
            groups.setdefault(key, []).append(i)
    return dict(sorted(groups.items()))


def evaluate_gold(tagger, records: list[dict], tasks: Sequence[str] = TASKS) -> list[TaskReport]:
    """Tag the labelled records and return one report per task."""
    return reports_for(records, tagger.tag(tagger_inputs(records)), tasks)


def evaluate_sentiment_csv(tagger, path: Path) -> TaskReport:
    """Return the sentiment report on a labelled CSV; binary sets compare the score's sign."""
    texts, gold, binary = load_csv(path)
    outputs = tagger.tag([{"text": t} for t in texts])
    if binary:
        pred = ["positive" if o["sentiment"]["score"] >= 0 else "negative" for o in outputs]
    else:
        pred = [o["sentiment"]["label"] for o in outputs]
    return single_report(f"sentiment ({path.name}{', binary' if binary else ''})", gold, pred)


def format_summary(title: str, reports: Iterable[TaskReport]) -> str:
    """Return a table: per task its n, headline figure with 95 % interval, and macro-F1."""
    lines = [title, "=" * len(title),
             f"{'task':<30}{'n':>6}  {'figure':<10}{'value':>7}  {'95 % interval':<15}"
             f"{'macro-F1':>9}"]
    for rep in reports:
        lines.append(f"{rep.task:<30}{rep.n:>6}  {rep.metric:<10}{rep.headline:>7.3f}  "
                     f"{rep.low:.3f}–{rep.high:.3f}    {rep.macro_f1:>9.3f}")
    return "\n".join(lines)


def format_detail(reports: Iterable[TaskReport]) -> str:
    """Return per-class precision/recall/F1 and, for single-label tasks, the confusion."""
    lines: list[str] = []
    for rep in reports:
        lines += ["", f"{rep.task}: per class",
                  f"  {'class':<22}{'precision':>10}{'recall':>8}{'F1':>7}{'support':>9}"]
        for label, m in rep.per_class.items():
            lines.append(f"  {label:<22}{m['precision']:>10.2f}{m['recall']:>8.2f}"
                         f"{m['f1']:>7.2f}{m['support']:>9}")
        if rep.confusion:
            width = max(8, max(len(lab) for lab in rep.labels) + 1)
            lines.append("  confusion (rows labelled, columns predicted)")
            lines.append("  " + " " * width + "".join(f"{lab[:width - 1]:>{width}}"
                                                      for lab in rep.labels))
            for label, row in zip(rep.labels, rep.confusion, strict=True):
                lines.append(f"  {label:<{width}}" + "".join(f"{v:>{width}}" for v in row))
    return "\n".join(lines)


def report_json(reports: Iterable[TaskReport]) -> dict:
    """Return the headline figures as a JSON-ready dict (for the model card and the
    dashboard's accuracy panel)."""
    return {r.task: {"n": r.n, "metric": r.metric, "value": round(r.headline, 4),
                     "low": round(r.low, 4), "high": round(r.high, 4),
                     "macro_f1": round(r.macro_f1, 4)} for r in reports}




def _presence_pairs(records: list[dict], outputs: list[dict], task: str,
                    ident: str) -> list[tuple[bool, bool]]:
    return [(ident in gold_value(task, r), ident in predicted(task, o))
            for r, o in zip(records, outputs, strict=True)]


def calibration_of(records: list[dict], outputs: list[dict], strategy):
    """Return the confusions (store.quantify.Calibration) measured on labelled mentions: the
    sentiment and intent tasks, and every strategy id as a yes/no tag."""
    from nlp.labels import INTENT_IDS, SENTIMENTS
    from store.quantify import Calibration, Confusion, presence

    tasks = {
        "sentiment": Confusion.from_pairs(
            ("negative", "neutral", "positive"),
            [(r["sentiment"], predicted("sentiment", o)) for r, o in zip(records, outputs,
                                                                         strict=True)]),
        "intent": Confusion.from_pairs(
            INTENT_IDS, [(r["intent"], predicted("intent", o))
                         for r, o in zip(records, outputs, strict=True)]),
    }
    assert set(SENTIMENTS) == set(tasks["sentiment"].labels)
    for task, kind in (("keywords", "keyword"), ("messages", "message"), ("topics", "topic"),
                       ("audiences", "audience")):
        for ident in strategy.ids("target_group" if kind == "audience" else kind):
            tasks[f"{kind}:{ident}"] = presence(_presence_pairs(records, outputs, task, ident))
    return Calibration(tasks)


def write_calibration(records: list[dict], outputs: list[dict], strategy, version: str,
                      source: str, split: str, path: Path | None = None) -> Path:
    """Write the confusions every share is corrected with, and the figures (with the earlier
    ones kept as history, so the dashboard shows how accuracy changed); return the path."""
    from datetime import UTC, datetime

    path = path or calibration_path()
    calibration = calibration_of(records, outputs, strategy)
    figures = report_json(reports_for(records, outputs))
    history = []
    if path.is_file():
        old = json.loads(path.read_text(encoding="utf-8"))
        history = old.get("history", [])
        if old.get("figures") and old.get("tagger") != version:
            history = [*history, {"tagger": old.get("tagger"), "date": old.get("date"),
                                  "figures": old["figures"]}][-10:]
    data = {"source": f"{source}, {split} part ({len(records)} mentions)", "tagger": version,
            "date": datetime.now(UTC).date().isoformat(), "figures": figures,
            "history": history,
            "tasks": {k: v.to_json() for k, v in sorted(calibration.tasks.items())}}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def load_figures(path: Path | None = None) -> dict:
    """Return the measured figures {"tagger", "date", "figures", "history"} (empty when the
    taggers were never measured)."""
    path = path or calibration_path()
    if not path.is_file():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: data.get(k) for k in ("tagger", "date", "source", "figures", "history")}


def write_model_card(path: Path, records: list[dict], outputs: list[dict],
                     reports: list[TaskReport], tagger, models) -> None:
    """Write docs/model-card.md: what the taggers are, what they were trained and measured
    on, their figures on the untouched test part (overall, per language, per voice) and the
    weaknesses the figures show."""
    from collections import Counter
    from datetime import UTC, datetime

    train = load_gold(DEFAULT_GOLD, "train")
    lines = ["# Model card: Pulse's taggers", "",
             f"Written by `pulse eval --model-card` on {datetime.now(UTC).date()} for tagger "
             f"`{tagger.version}`. Labels are defined in docs/labelling.md.", "",
             "## What they are", "",
             "One pass per batch (nlp/tagger.py): language (function words, then lingua); "
             "words with spaCy's tokenizer and the lookup lemmatizer; rule matchers for the "
             "strategy's terms (config/strategy.toml), cue words (nlp/resources/cues.toml) "
             "and the sentiment lexicon; voice from the city's web estate; then logistic "
             "regressions over shared hashed features (nlp/features.py: word forms, Swedish "
             "lemmas, bigrams, character 3–5-grams inside words, the author's name and bio, "
             "the URL's host, the kind of source, the rule findings, lexicon and cue counts). "
             "Sentiment and intent are multinomial with a temperature fitted for calibrated "
             "probabilities; target groups, topics, core messages and keywords are one-vs-rest "
             "with a threshold per id chosen by cross-validation. The evidence shown for a tag "
             "is the words that added most to its score.", "",
             "## Data", ""]
    kinds = Counter(r.get("source_kind") for r in train)
    lines += [f"- Train part: {len(train)} mentions written for Pulse "
              f"({Counter(r['lang'] for r in train)['sv']} Swedish, "
              f"{Counter(r['lang'] for r in train)['en']} English; "
              + ", ".join(f"{k} {n}" for k, n in kinds.most_common()) + ").",
              f"- Test part (never trained or tuned on): {len(records)} mentions, written by "
              "other writers than most of the train part.",
              "- Trained on: " + (", ".join(f"{k} {v}" for k, v in (models.trained_on
                                                                   if models else {}).items())
                                   or "rules only") + ".",
              "- All mentions are fictional events in real-world shapes; figures on real "
              "text can differ (see Known weaknesses).", "",
              "## Figures on the test part (95 % intervals)", "", "```",
              format_summary(f"all: {len(records)} mentions", reports)]
    for name, indices in slices(records).items():
        if ", " in name:
            continue
        lines += ["", format_summary(f"{name}: {len(indices)} mentions",
                                     reports_for([records[i] for i in indices],
                                                 [outputs[i] for i in indices]))]
    lines += ["```", ""]
    for name, value in sentiment_details(records, outputs):
        lines.append(f"- Sentiment, {name}: {value}")
    if models is not None and models.cv:
        lines += ["", "Cross-validated on the train part when trained: "
                  + ", ".join(f"{t} {c.get('accuracy', c.get('micro_f1', 0)):.3f}"
                              for t, c in models.cv.items()) + "."]
    lines += ["", "## Known weaknesses", ""]
    weak = []
    for rep in reports:
        for label, m in rep.per_class.items():
            if m["support"] >= 10 and m["f1"] < 0.6:
                weak.append(f"- {rep.task} `{label}`: F1 {m['f1']:.2f} (precision "
                            f"{m['precision']:.2f}, recall {m['recall']:.2f}, "
                            f"{m['support']} in the test part)")
    lines += weak or ["- No class with at least 10 test mentions is below F1 0.60."]
    lines += ["- The labelled data is written for the project: the test part measures "
              "generalisation to other writers and events, not to every real-world style. "
              "Analysts' corrections (`pulse train` learns from them) and the review queue "
              "are how it meets real text.",
              "- Texts in other languages than Swedish and English are tagged with the "
              "English pipeline; their sentiment is the least reliable.",
              "- Shares shown in the dashboard, digest and reports are corrected for the "
              "measured confusions (store/quantify.py) and carry a 90 % interval."]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
