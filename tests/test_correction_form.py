"""The correction form on Omnämnanden: it always shows the chosen mention's own tags and stores
exactly what the analyst changed, for that mention only (issue: choosing mention A, then B,
and saving one change wrote A's tags onto B)."""

from __future__ import annotations

from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from store.db import make_engine, transaction
from store.models import Correction, Mention, Tag
from tests.conftest import REPO

APP = str(REPO / "dashboard" / "app.py")


def _mentions_page(url: str, monkeypatch) -> AppTest:
    monkeypatch.setenv("PULSE_DATABASE_URL", url)
    monkeypatch.delenv("PULSE_DEMO", raising=False)
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page("views/mentions.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _current_tags(url: str, mention_id: int) -> dict[str, set[str]]:
    with transaction(make_engine(url)) as session:
        mention = session.get(Mention, mention_id)
        tags: dict[str, set[str]] = {}
        for tag in session.scalars(select(Tag).where(
                Tag.mention_id == mention_id, Tag.tagger_version == mention.tagger_version,
                Tag.active.is_(True))):
            tags.setdefault(tag.kind, set()).add(tag.value)
        return tags


def _form_widget(at: AppTest, kind: str, label: str):
    """The correction form's widget with this label (the sidebar has look-alikes)."""
    return next(w for w in getattr(at.main, kind) if w.label == label)


def _listed_ids(url: str) -> list[int]:
    """The ids the page lists first (third party, newest first), by the test's own SQL."""
    with transaction(make_engine(url)) as session:
        return list(session.scalars(
            select(Mention.id).where(Mention.voice == "third_party",
                                     Mention.tagger_version.is_not(None))
            .order_by(Mention.published_at.desc(), Mention.id.desc()).limit(20)))


def _two_different_mentions(url: str) -> tuple[int, int]:
    ids = _listed_ids(url)
    first = ids[0]
    first_tags = _current_tags(url, first)
    for other in ids[1:]:
        tags = _current_tags(url, other)
        if tags.get("topic") and tags.get("topic") != first_tags.get("topic") and \
                tags.get("sentiment") != first_tags.get("sentiment"):
            return first, other
    raise AssertionError("the demo has no two mentions with different tags")


def test_choosing_another_mention_saves_only_its_one_change(demo_url, monkeypatch):
    at = _mentions_page(demo_url, monkeypatch)
    first, second = _two_different_mentions(demo_url)
    assert at.selectbox(key="pick_mention").value == first
    at.selectbox(key="pick_mention").set_value(second).run()
    before = _current_tags(demo_url, second)
    (sentiment_now,) = before["sentiment"]

    sentiment = _form_widget(at, "selectbox", "Ton")
    assert sentiment.value == sentiment_now  # the form shows the second mention, not the first
    topics = _form_widget(at, "multiselect", "Ämne")
    assert set(topics.value) == before.get("topic", set())
    new = next(s for s in ("negative", "positive", "neutral") if s != sentiment_now)
    sentiment.set_value(new)
    _form_widget(at, "text_input", "Ditt namn").input("Analytiker A")
    next(b for b in at.button if b.label == "Spara rättelse").click().run()
    assert not at.exception, [e.value for e in at.exception]

    with transaction(make_engine(demo_url)) as session:
        rows = [(c.mention_id, c.kind, c.value, c.action)
                for c in session.scalars(select(Correction))]
    assert rows == [(second, "sentiment", new, "set")]
    after = _current_tags(demo_url, second)
    assert after["sentiment"] == {new}
    assert {k: v for k, v in after.items() if k != "sentiment"} == \
        {k: v for k, v in before.items() if k != "sentiment"}


def test_a_correction_is_undone_from_its_history(demo_url, monkeypatch):
    at = _mentions_page(demo_url, monkeypatch)
    (picked,) = _listed_ids(demo_url)[:1]
    (machine,) = _current_tags(demo_url, picked)["sentiment"]
    wrong = next(s for s in ("negative", "positive") if s != machine)
    _form_widget(at, "selectbox", "Ton").set_value(wrong)
    _form_widget(at, "text_input", "Ditt namn").input("Analytiker A")
    next(b for b in at.button if b.label == "Spara rättelse").click().run()
    assert _current_tags(demo_url, picked)["sentiment"] == {wrong}
    with transaction(make_engine(demo_url)) as session:
        (correction,) = session.scalars(select(Correction)).all()
    at.text_input(key="analyst").input("Analytiker B")
    at.button(key=f"undo_{correction.id}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert _current_tags(demo_url, picked)["sentiment"] == {machine}
    with transaction(make_engine(demo_url)) as session:
        rows = [(c.action, c.author, c.undoes) for c in
                session.scalars(select(Correction).order_by(Correction.id))]
    assert rows == [("set", "Analytiker A", None), ("undo", "Analytiker B", correction.id)]
    assert any("ångrade" in t.value for t in at.main.text)
