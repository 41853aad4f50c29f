"""`pulse train` and `pulse eval`: fit the learned taggers, and measure every tagger on
labelled mentions with 95 % intervals, per language and per voice."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from pulse.commands.common import console, fail

DATA_OPTION = typer.Option(None, "--data", "-d", help="Labelled CSV (text,label); repeatable.")
EXTRA_SV = Path(__file__).resolve().parent.parent.parent / "nlp" / "data" / \
    "sv_sentiment_train.jsonl"


def _corrected_examples() -> list:
    """Analysts' corrections and confirmations as training examples (each teaching the tasks
    it corrected or confirmed), if a database is set up; training goes on without them
    otherwise."""
    from nlp.train import Example
    from store.corrections import corrected_records
    from store.db import make_engine, require_migrated, transaction

    engine = make_engine()
    try:
        require_migrated(engine)
    except Exception:  # no database (yet), or unreachable: nothing corrected to learn from
        return []
    with transaction(engine) as session:
        return [Example(record, 1.0, tuple(tasks)) for record, tasks in
                corrected_records(session)]


def train(
    data: Path = typer.Option(None, "--gold", help="Labelled mentions (default: the shipped "
                              "nlp/data/mentions.jsonl); only its train part is used."),
    extra_sv: bool = typer.Option(False, "--extra-sv/--no-extra-sv",
                                  help="Also the Swedish sentiment sentences written for Pulse "
                                       "(nlp/data/sv_sentiment_train.jsonl), at half weight."),
    corrections: bool = typer.Option(True, "--corrections/--no-corrections",
                                     help="Learn from analysts' corrections and "
                                          "confirmations in the database."),
    out: Path = typer.Option(None, "--out", help="Folder for the models (default: nlp/models, "
                             "where Pulse reads them)."),
):
    """Train the learned taggers (sentiment, intent, target groups, topics, messages,
    keywords) on the labelled train part and corrections, into nlp/models/."""
    from nlp.classify import save
    from nlp.evaluate import DEFAULT_GOLD, load_gold
    from nlp.train import Example
    from nlp.train import train as fit
    from pulse import cli

    settings = cli._settings()
    path = data or DEFAULT_GOLD
    if not path.is_file():
        fail(f"{path}: no such file; give labelled mentions with --gold")
    records = load_gold(path, "train")
    if not records:
        fail(f"{path}: no mention in the train part")
    examples = [Example(r) for r in records]
    trained_on = {"mentions_train": len(records)}
    if extra_sv:
        extra = [json.loads(line) for line in EXTRA_SV.read_text(encoding="utf-8").splitlines()
                 if '"label"' in line]
        examples += [Example({"text": e["text"], "sentiment": e["label"]}, 0.5, ("sentiment",))
                     for e in extra]
        trained_on["sv_sentences"] = len(extra)
    if corrections:
        corrected = _corrected_examples()
        examples += corrected
        trained_on["corrections"] = len(corrected)
    models = fit(settings.strategy, examples, trained_on, log=console().print)
    where = save(models, out) if out else save(models)
    console().print(f"wrote {where} version {models.version}; cross-validated on the train "
                    f"part: " + ", ".join(f"{task} {_figure(cv)}"
                                          for task, cv in models.cv.items()))


def _figure(cv: dict) -> str:
    return f"{cv.get('accuracy', cv.get('micro_f1', 0)):.3f}"


def evaluate(
    data: list[Path] = DATA_OPTION,
    gold: Path = typer.Option(None, "--gold", help="Labelled mentions (default: the shipped "
                              "nlp/data/mentions.jsonl)."),
    split: str = typer.Option("test", "--split", help="test (never trained on), train or all."),
    brief: bool = typer.Option(False, "--brief", help="Summary tables only."),
    calibrate: bool = typer.Option(False, "--calibrate",
                                   help="Write the measured confusions (nlp/models/"
                                        "calibration.json) that correct every share, and the "
                                        "figures the dashboard shows."),
    model_card: Path = typer.Option(None, "--model-card", help="Write the model card here "
                                    "(docs/model-card.md)."),
):
    """Print accuracy per task with a 95 % interval, overall, per language and per voice,
    on the untouched test part of the labelled mentions and on labelled CSVs."""
    from nlp import evaluate as ev
    from nlp.tagger import Tagger
    from pulse import cli

    settings = cli._settings()
    tagger = Tagger(settings.strategy)
    path = gold or ev.DEFAULT_GOLD
    if not path.is_file():
        fail(f"{path}: no such file; give labelled mentions with --gold")
    if split not in ("test", "train", "all"):
        fail(f"unknown split {split!r}; choose test, train or all", 2)
    records = ev.load_gold(path, split)
    print(f"tagger {tagger.version}; labelled mentions {path}, {split} part: {len(records)}")
    models = tagger.models
    if models is not None and models.cv:
        print("cross-validated on the train part when trained: "
              + ", ".join(f"{task} {_figure(cv)}" for task, cv in models.cv.items()))
    if records:
        outputs = tagger.tag(ev.tagger_inputs(records))
        reports = ev.reports_for(records, outputs)
        print()
        print(ev.format_summary(f"{split} part, all: {len(records)} mentions", reports))
        for name, value in ev.sentiment_details(records, outputs):
            print(f"  {name}: {value}")
        for name, indices in ev.slices(records).items():
            if ", " in name and brief:
                continue
            part = [records[i] for i in indices]
            print()
            print(ev.format_summary(f"{split} part, {name}: {len(part)} mentions",
                                    ev.reports_for(part, [outputs[i] for i in indices])))
        if not brief:
            print(ev.format_detail(reports))
        if calibrate:
            where = ev.write_calibration(records, outputs, settings.strategy, tagger.version,
                                         path.name, split)
            print(f"\nwrote {where}")
        if model_card:
            ev.write_model_card(model_card, records, outputs, reports, tagger, models)
            print(f"wrote {model_card}")
    for csv_path in data or []:
        if not csv_path.is_file():
            fail(f"{csv_path}: no such file")
        print()
        report = ev.evaluate_sentiment_csv(tagger, csv_path)
        print(ev.format_summary(str(csv_path), [report]))
        if not brief:
            print(ev.format_detail([report]))
