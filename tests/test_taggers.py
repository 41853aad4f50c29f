"""The learned taggers: trained on labelled mentions, they decide by evidence that adds up (the
words shown are the ones that weighed), give no target group when nothing shows one, keep a
keyword only where a word of it is written, and run for another strategy's ids."""

from __future__ import annotations

import json

import numpy as np
import pytest

from nlp import features as feats
from nlp.evaluate import load_gold, tagger_inputs
from nlp.tagger import Tagger
from nlp.train import Example, train
from tests.conftest import REPO

LABELLED = REPO / "nlp" / "data" / "mentions.jsonl"


@pytest.fixture(scope="module")
def small_models(base_settings):
    """Models trained on 400 labelled mentions of the train part (fast, good enough to test
    the mechanics; the shipped models are trained on the whole train part)."""
    records = load_gold(LABELLED, "train")
    rng = np.random.default_rng(7)
    picked = [records[i] for i in rng.choice(len(records), 400, replace=False)]
    return train(base_settings.strategy, [Example(r) for r in picked], {"test": 400},
                 log=lambda _: None, folds=2, single_c=(8.0,))


def test_the_evidence_adds_up_to_the_decision(small_models, base_settings):
    tagger = Tagger(base_settings.strategy, models=small_models)
    records = [{"text": "Stadsrevisionen kritiserar att den nya e-tjänsten blev försenad och "
                        "kostade miljoner mer än planerat."},
               {"text": "Great work by the city: the new app is fast and easy to use!"}]
    prepared = tagger.prepare(records)
    X = feats.matrix([p.encoded for p in prepared])
    model = small_models.tasks["sentiment"]
    scores = model.scores(X)
    for n, p in enumerate(prepared):
        label, runner = "negative", "positive"
        words = feats.word_contributions(p.encoded, X[n], model.weights_at(label, runner))
        a, b = model.labels.index(label), model.labels.index(runner)
        # What the words add, plus what metadata and the profile add, is the whole score.
        rest = np.zeros(X.shape[1])
        rest[feats._PROFILE_OFFSET:] = 1.0
        dense = {feats._DENSE_OFFSET + d for d in p.encoded.dense_owner}
        rest[sorted(dense)] = 0.0
        weights = np.asarray((model.weights[a] - model.weights[b]).todense()).ravel()
        other = float(X[n].toarray().ravel() @ (weights * rest))
        total = scores[n, a] - scores[n, b] - (model.intercept[a] - model.intercept[b])
        assert words.sum() + other == pytest.approx(total, abs=1e-3)
    out = tagger.tag(records)
    assert out[0]["sentiment"]["label"] == "negative"
    assert out[1]["sentiment"]["label"] == "positive"
    for result, record in zip(out, records, strict=True):
        evidence = [e["text"] for e in result["sentiment"]["evidence"]]
        assert evidence and all(word in record["text"] for word in evidence)
        probs = result["sentiment"]["probabilities"]
        assert sum(probs.values()) == pytest.approx(1.0, abs=0.01)
        assert result["sentiment"]["confidence"] == max(probs.values())


def test_no_target_group_when_nothing_shows_one(small_models, base_settings):
    rules = Tagger(base_settings.strategy, use_models=False)
    (out,) = rules.tag([{"text": "Det regnade i dag."}])
    assert out["audiences"] == []  # never a default group
    learned = Tagger(base_settings.strategy, models=small_models)
    (out,) = learned.tag([{"text": "Grundaren av startupen Voltly berättar att bolaget tar in "
                                   "40 miljoner kronor från investerare i Stockholm."}])
    assert "business" in {a["id"] for a in out["audiences"]}
    assert "residents" not in {a["id"] for a in out["audiences"]}


def test_a_keyword_needs_a_word_of_it(small_models, base_settings):
    tagger = Tagger(base_settings.strategy, models=small_models)
    out = tagger.tag([{"text": "Städerna blir hållbara och uppkopplade! 👍"},
                      {"text": "Biblioteket har öppet till klockan 20 på torsdagar."}])
    assert {k["id"] for k in out[0]["keywords"]} <= {"sustainable", "connected"}
    assert "open" not in {k["id"] for k in out[1]["keywords"]}  # opening hours
    for result in out:
        for tag in result["keywords"]:
            assert tag["evidence"]


def test_models_trained_for_other_ids_leave_them_to_the_rules(small_models, tmp_path):
    from pulse.settings import load_settings

    folder = tmp_path / "config"
    folder.mkdir()
    for name in ("pulse.toml", "sources.toml"):
        (folder / name).write_text((REPO / "config" / name).read_text(encoding="utf-8"),
                                   encoding="utf-8")
    # pulse.toml's measurement points name Stockholm's ids: Exempelstad keeps the defaults.
    text = (folder / "pulse.toml").read_text(encoding="utf-8")
    (folder / "pulse.toml").write_text(text[:text.index("[[kpi]]\nid = ")], encoding="utf-8")
    (folder / "strategy.toml").write_text(
        (REPO / "tests" / "data" / "exempelstad" / "strategy.toml").read_text("utf-8"),
        encoding="utf-8")
    text = (folder / "sources.toml").read_text(encoding="utf-8")
    (folder / "sources.toml").write_text(text[:text.index("[[source]]")], encoding="utf-8")
    strategy = load_settings(folder).strategy
    tagger = Tagger(strategy, models=small_models)
    assert tagger.learned("sentiment") and not tagger.learned("keywords")
    (out,) = tagger.tag([{"text": "En grön park byggs tillsammans med boende."}])
    assert {k["id"] for k in out["keywords"]} == {"gron"}
    assert {a["id"] for a in out["audiences"]} == {"boende"}


def test_eval_prints_every_task_with_intervals_per_language_and_voice(tmp_path):
    from tests.test_cli import pulse

    records = [r for r in load_gold(LABELLED, "test")][:60]
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    result = pulse("eval", "--gold", str(gold), "--brief")
    assert result.returncode == 0, result.stderr
    for heading in ("test part, all: 60 mentions", "lang=sv", "lang=en", "voice=own",
                    "voice=third_party"):
        assert heading in result.stdout
    for task in ("sentiment", "keywords", "messages", "topics", "audiences", "intent",
                 "voice", "language"):
        assert any(line.startswith(task) and "–" in line for line in result.stdout.splitlines())
    assert "neutral passages read as positive" in result.stdout
    assert tagger_inputs(records)[0]["text"] == records[0]["text"]


def test_the_shipped_taggers_read_the_cases_a_new_user_tried(base_settings):
    """The examples the perception issue reported wrong, read by the shipped models."""
    tagger = Tagger(base_settings.strategy)
    out = tagger.tag([
        {"text": "Auditors question City of Stockholm cloud contract"},
        {"text": "City of Stockholm will publish its new digitalisation strategy on Monday"},
        {"text": "Great, another smart city pilot… Thanks for nothing."},
        {"text": "Gör en felanmälan i appen om gatlyktan fortfarande är trasig."},
        {"text": "Staden öppnar sina API:er för utvecklare."},
        {"text": "Grundaren av startupen Voltly berättar att bolaget tar in 40 miljoner "
                 "kronor från investerare i Stockholm."},
    ])
    assert out[0]["sentiment"]["label"] == "negative"
    assert out[1]["sentiment"]["label"] == "neutral" and out[1]["intent"] == "inform"
    assert out[2]["sentiment"]["label"] == "negative"
    negative_words = {e["text"].lower() for e in out[3]["sentiment"]["evidence"]
                      if e["weight"] < 0}
    assert "felanmälan" not in negative_words  # the fault-report service's name
    # The lexicon weighs neither the service's name nor "fortfarande" (still), alone or by
    # a misleading last part (anmälan, fara).
    assert tagger.lexicon_scores(["Gör en felanmälan.", "Den är fortfarande öppen."]) == \
        [(0.0, 0, 0), (0.0, 0, 0)]
    assert "open" in {k["id"] for k in out[4]["keywords"]}
    audiences = {a["id"] for a in out[5]["audiences"]}
    assert "business" in audiences and "residents" not in audiences
