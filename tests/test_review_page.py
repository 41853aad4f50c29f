"""The Granska page (dashboard/views/review.py) in Streamlit's AppTest, on a real SQLite
database: the queue's order, a confirmation writes exactly one record for that mention and
nothing else, a correction from the page writes one correction, and the accuracy panel reads
a calibration file the test writes (or says the model is not measured yet)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from store.db import make_engine, transaction, upgrade
from store.figures import last_complete_week
from store.models import Confirmation, Correction, DailyCount, Tag
from tests.conftest import REPO
from tests.review_data import result, store_mentions

APP = str(REPO / "dashboard" / "app.py")
# confidence of the sentiment and intent, engagement: priority (1 − min) × weight
SPECS = {
    "a_sure": (0.95, 0.9, 0),           # 0.05
    "b_unsure": (0.45, 0.9, 0),         # 0.55
    "c_engaged": (0.8, 0.9, 400),       # 0.2 × (1 + ln 401) ≈ 1.40
    "d_intent": (0.9, 0.6, 0),          # 0.4
}
ORDER = ["c_engaged", "b_unsure", "d_intent", "a_sure"]


@pytest.fixture
def review_db(tmp_path) -> tuple[str, dict[str, int]]:
    """A migrated SQLite database with four third-party stories in the week under review."""
    url = f"sqlite:///{tmp_path / 'review.sqlite'}"
    engine = make_engine(url)
    upgrade(engine)
    week = last_complete_week(datetime.now(ZoneInfo("Europe/Stockholm")).date())
    when = datetime(week.year, week.month, week.day, 9, tzinfo=UTC)
    specs = {}
    for n, (name, (sentiment_conf, intent_conf, likes)) in enumerate(SPECS.items()):
        specs[name] = {"when": when + timedelta(days=n, hours=n),
                       "engagement": {"likes": likes} if likes else {},
                       "result": result(sentiment="negative" if n % 2 else "positive",
                                        confidence=sentiment_conf, intent="criticism",
                                        intent_confidence=intent_conf, topics=("mobility",))}
    # last week's story, however unsure, is not this week's to review
    specs["old"] = {"when": when - timedelta(days=3), "result": result(
        confidence=0.01, intent="criticism", intent_confidence=0.01, topics=("mobility",))}
    ids = store_mentions(engine, specs)
    engine.dispose()
    return url, ids


def _page(url: str, monkeypatch, calibration=None) -> AppTest:
    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    monkeypatch.setenv("PULSE_CALIBRATION", str(calibration or "/nonexistent/calibration.json"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/review.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _queued(at: AppTest) -> list[int]:
    """The mention ids of the cards, in the page's order (by their confirm buttons)."""
    return [int(b.key.rsplit("_", 1)[1]) for b in at.button
            if b.key and b.key.startswith("review_confirm_")]


def _state(url: str) -> tuple:
    with transaction(make_engine(url)) as session:
        tags = sorted((t.id, t.mention_id, t.kind, t.value, t.active, t.origin)
                      for t in session.scalars(select(Tag)))
        counts = sorted((d.day, d.kind, d.value, d.sentiment, d.n)
                        for d in session.scalars(select(DailyCount)))
        return tags, counts


def _rows(url: str, model) -> list:
    with transaction(make_engine(url)) as session:
        return list(session.scalars(select(model).order_by(model.id)))


def test_the_queue_shows_the_weeks_stories_least_sure_and_weightiest_first(review_db,
                                                                          monkeypatch):
    url, ids = review_db
    at = _page(url, monkeypatch)
    assert _queued(at) == [ids[name] for name in ORDER]
    assert at.header[0].value == "Granska"
    assert any("4 nyheter kvar" in c.value for c in at.caption)
    # each card's form holds its own mention's labels
    for name in ORDER:
        mid = ids[name]
        expected = "negative" if list(SPECS).index(name) % 2 else "positive"
        assert at.selectbox(key=f"review_fix_sentiment_{mid}").value == expected
        assert at.multiselect(key=f"review_fix_topic_{mid}").value == ["mobility"]
    shown = " ".join(m.value for m in at.markdown)
    assert "säkerhet 45%" in shown and "säkerhet 60%" in shown


def test_confirm_writes_exactly_one_record_for_that_mention(review_db, monkeypatch):
    url, ids = review_db
    at = _page(url, monkeypatch)
    target = ids["b_unsure"]
    before = _state(url)
    at.button(key=f"review_confirm_{target}").click().run()  # no name yet: refused
    assert any("Skriv ditt namn" in e.value for e in at.error)
    assert _rows(url, Confirmation) == []

    at.text_input(key="analyst").input("Analytiker A")
    at.button(key=f"review_confirm_{target}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    (row,) = _rows(url, Confirmation)
    assert (row.mention_id, row.author, row.undone_at) == (target, "Analytiker A", None)
    assert row.labels["sentiment"] == "negative" and row.labels["topics"] == ["mobility"]
    assert _rows(url, Correction) == []
    assert _state(url) == before  # no tag and no figure changed
    assert _queued(at) == [ids[n] for n in ORDER if n != "b_unsure"]
    assert any("Bekräftat" in s.value for s in at.success)

    # undone from the list of latest confirmations: the story is back in the queue
    at.button(key=f"review_undo_{row.id}").click().run()
    (row,) = _rows(url, Confirmation)
    assert row.undone_by == "Analytiker A" and row.undone_at is not None
    assert _queued(at) == [ids[name] for name in ORDER]


def test_a_correction_from_the_page_writes_one_correction(review_db, monkeypatch):
    url, ids = review_db
    at = _page(url, monkeypatch)
    target = ids["d_intent"]
    at.text_input(key="analyst").input("Analytiker B")
    at.selectbox(key=f"review_fix_intent_{target}").set_value("question")
    submit = next(b for b in at.button if b.proto.form_id == f"review_form_{target}")
    submit.click().run()
    assert not at.exception, [e.value for e in at.exception]
    corrections = [(c.mention_id, c.kind, c.value, c.action, c.author)
                   for c in _rows(url, Correction)]
    assert corrections == [(target, "intent", "question", "set", "Analytiker B")]
    assert _rows(url, Confirmation) == []
    assert target not in _queued(at)
    assert any("Rättat" in s.value for s in at.success)


def test_the_accuracy_panel_says_when_the_model_is_not_measured(review_db, monkeypatch):
    url, _ = review_db
    at = _page(url, monkeypatch)
    assert any("inte mätt" in i.value and "pulse eval --calibrate" in i.value for i in at.info)
    assert any("0 bekräftade och 0 rättade" in m.value for m in at.markdown)


def test_the_accuracy_panel_shows_figures_changes_and_reviews_since(review_db, monkeypatch,
                                                                    tmp_path):
    url, ids = review_db
    today = datetime.now(UTC).date().isoformat()
    calibration = tmp_path / "calibration.json"
    calibration.write_text(json.dumps({
        "tagger": "learned-2", "date": today, "source": "mentions.jsonl, test part (757)",
        "figures": {
            "sentiment": {"n": 757, "metric": "accuracy", "value": 0.81, "low": 0.78,
                          "high": 0.84, "macro_f1": 0.79},
            "topics": {"n": 757, "metric": "micro-F1", "value": 0.66, "low": 0.62,
                       "high": 0.7, "macro_f1": 0.6}},
        "history": [{"tagger": "learned-1", "date": "2026-11-01", "figures": {
            "sentiment": {"n": 757, "metric": "accuracy", "value": 0.76, "low": 0.73,
                          "high": 0.79, "macro_f1": 0.74}}}],
        "tasks": {}}), encoding="utf-8")
    at = _page(url, monkeypatch, calibration)
    (frame,) = at.dataframe
    table = frame.value
    rows = {r["Uppgift"]: r for r in table.to_dict("records")}
    assert rows["Ton"]["Värde (95 % intervall)"] == "81% (78%–84%)"
    assert rows["Ton"]["Förändring"] == "+5.0 procentenheter"
    assert rows["Ton"]["Mått"] == "träffsäkerhet" and rows["Ton"]["Omnämnanden"] == 757
    assert rows["Ämnen"]["Förändring"] == "–"  # the previous model was not measured on it
    assert any("learned-1" in c.value for c in at.caption)
    at.text_input(key="analyst").input("Analytiker A")
    at.button(key=f"review_confirm_{ids['a_sure']}").click().run()
    assert any(f"Sedan mätningen {today}: 1 bekräftade och 0 rättade" in m.value
               for m in at.markdown)


def test_the_page_in_english(review_db, monkeypatch):
    url, ids = review_db
    at = _page(url, monkeypatch)
    at.sidebar.radio(key="lang").set_value("English").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.header[0].value == "Review"
    assert at.button(key=f"review_confirm_{ids['a_sure']}").label == "Correct as tagged"
    assert any("has not been measured yet" in i.value for i in at.info)


def test_a_task_measured_on_no_mention_shows_a_dash_not_nan():
    from dashboard.accuracy import accuracy_rows

    nan = float("nan")
    figures = {"intent": {"n": 0, "metric": "accuracy", "value": nan, "low": nan, "high": nan,
                          "macro_f1": nan}}
    previous = {"intent": {"n": 10, "metric": "accuracy", "value": 0.5, "low": 0.2,
                           "high": 0.8, "macro_f1": 0.4}}
    assert accuracy_rows(figures, previous, "en") == [
        {"Task": "Intent", "Metric": "accuracy", "Value (95 % interval)": "–", "Mentions": 0,
         "Change": "–"}]
