"""Alerts on synthetic series where the right answer is known: a weekly rhythm that is not a
spike, a spike, a spike during a calendar activity, a negative-share spike on one keyword;
delivered to a local webhook receiver and a real SMTP server, once per cooldown."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

from pulse.settings import SourceConfig
from pulse.settings.calendar import Activity
from pulse.settings.reports import AlertRule
from reports.alerts import detect, run_alerts
from store.db import transaction
from store.items import Item
from store.models import Mention
from store.queries import deliveries, job_health
from store.writes import save_items, save_tagging, sync_sources
from tests.smtpserver import SmtpServer, WebhookReceiver
from tests.test_digest import mail_settings

NOW = datetime(2026, 11, 30, 11, 0, tzinfo=UTC)  # a Monday, 12:00 in Stockholm


def _result(sentiment: str, keywords=()) -> dict:
    return {"sentiment": {"label": sentiment, "score": 0.5, "evidence": []}, "lang": "sv",
            "voice": "third_party",
            "keywords": [{"id": k, "score": 1.0, "sentiment": sentiment, "evidence": [k]}
                         for k in keywords],
            "messages": [], "topics": [], "audiences": [], "intent": "inform", "cities": []}


def add(engine, times: list[datetime], sentiment: str = "neutral", keywords=(),
        prefix: str = "m") -> None:
    """Store one third-party mention per time, tagged as given (the real write path)."""
    with transaction(engine) as session:
        source = sync_sources(session, [SourceConfig(key="news", kind="feed",
                                                     url="https://n.example/rss")])["news"]
        start = session.query(Mention).count()
        items = [Item(f"{prefix}{start + i}", "news", f"text {prefix} {i}", when,
                      url=f"https://n.example/{prefix}{start + i}")
                 for i, when in enumerate(times)]
        save_items(session, source, items)
        for m in session.query(Mention).filter(Mention.tagger_version.is_(None)):
            save_tagging(session, m.id, _result(sentiment, keywords), "test-1")


def rhythm(engine, weeks: int = 8, busy: int = 20) -> None:
    """A weekly rhythm: every Monday morning (08–11 UTC) `busy` mentions, otherwise two a
    day, for `weeks` weeks before NOW."""
    times = []
    for w in range(1, weeks + 1):
        monday_8 = NOW.replace(hour=8) - timedelta(weeks=w)
        times += [monday_8 + timedelta(minutes=9 * i) for i in range(busy)]
        for d in range(1, 7):
            times += [monday_8 + timedelta(days=d, hours=h) for h in (2, 7)]
    # this week so far: the quiet Sunday before and the usual Monday morning
    times += [NOW - timedelta(hours=20), NOW - timedelta(hours=15)]
    times += [NOW.replace(hour=8) + timedelta(minutes=9 * i) for i in range(busy)]
    add(engine, times, prefix="r")


def rules(settings, *rules):
    pulse = settings.pulse.model_copy(update={"alert": list(rules)})
    return dataclasses.replace(settings, pulse=pulse)


def test_default_rules_apply_without_configuration(base_settings):
    assert [(r.id, r.what, r.keyword, r.per) for r in base_settings.pulse.alert_rules] == [
        ("volume", "volume", None, None), ("negative_share", "negative_share", None, None)]


def test_a_weekly_rhythm_is_not_a_spike(engine, base_settings):
    rhythm(engine)
    with transaction(engine) as session:
        assert detect(session, base_settings, NOW) == []
        # a baseline of the preceding days would have called Monday morning a spike
        from store.queries import window_counts

        today = window_counts(session, NOW - timedelta(hours=24), NOW)[None]["total"]
        days_before = [window_counts(session, NOW - timedelta(hours=24 * (k + 1)),
                                     NOW - timedelta(hours=24 * k))[None]["total"]
                       for k in range(1, 7)]
    assert today >= 20 and max(days_before) <= 2


def test_a_spike_is_found_and_delivered_once_per_cooldown(engine, base_settings):
    rhythm(engine)
    add(engine, [NOW - timedelta(minutes=5 + 3 * i) for i in range(40)], prefix="s")
    with WebhookReceiver() as hook, SmtpServer() as smtp:
        settings = mail_settings(base_settings, smtp.port)
        env = {"PULSE_ALERT_WEBHOOK_URL": hook.url}
        found = run_alerts(engine, settings, now=NOW, environ=env)
        assert [(a.rule.id, a.status) for a in found] == [("volume", "sent")]
        alert = found[0]
        count = alert.figures["count"]
        assert 62 <= count <= 63 and 21 <= alert.figures["mean"] <= 24
        text = hook.bodies[0]["json"]["text"]
        assert hook.bodies[0]["type"] == "application/json"
        assert set(hook.bodies[0]["json"]) == {"text"}  # what Teams and Slack both accept
        assert f"Tredjepartsomnämnandena steg till {count} de senaste 24 timmarna" in text
        # the first week's window starts before the history does: 7 weeks of baseline
        assert alert.baseline_weeks == 7 and "samma timmar de 7 veckorna före" in text
        assert "https://n.example/" in text  # the stories behind it, with links
        mail = smtp.parsed()[0]
        assert mail["Subject"] == "Pulse-larm: fler omnämnanden"
        assert f"steg till {count}" in mail.get_payload()[0].get_content()
        # fifteen minutes later: still the spike, but within the cooldown
        again = run_alerts(engine, settings, now=NOW + timedelta(minutes=15), environ=env)
        assert [a.status for a in again] == ["cooldown"]
        assert len(hook.bodies) == 1 and len(smtp.messages) == 1
        # after the cooldown a spike that lasts alerts again
        later = run_alerts(engine, settings, now=NOW + timedelta(hours=24, minutes=1),
                           environ=env)
    assert all(a.status != "sent" for a in later) or len(hook.bodies) == 2
    with transaction(engine) as session:
        assert {d["recipient"] for d in deliveries(session, "alert")} >= {
            "webhook", "chef@stockholm.example"}
        assert {h["job"] for h in job_health(session)} == {"alert"}
        assert hook.url not in str(deliveries(session))  # the secret URL is not logged


def test_dry_run_sends_nothing(engine, base_settings):
    rhythm(engine)
    add(engine, [NOW - timedelta(minutes=5 + 3 * i) for i in range(40)], prefix="s")
    with WebhookReceiver() as hook:
        found = run_alerts(engine, base_settings, now=NOW, dry_run=True,
                           environ={"PULSE_ALERT_WEBHOOK_URL": hook.url})
        assert [a.status for a in found] == ["dry-run"] and hook.bodies == []
    with transaction(engine) as session:
        assert deliveries(session) == []


def test_a_spike_during_a_calendar_activity_is_labelled_as_expected(engine, base_settings):
    rhythm(engine)
    add(engine, [NOW - timedelta(minutes=5 + 3 * i) for i in range(40)], prefix="s")
    hackathon = Activity(id="hack", name="Open Stockholm Award hackathon", kind="hackathon",
                         start=date(2026, 11, 29), end=date(2026, 11, 30))
    settings = dataclasses.replace(base_settings, calendar=(hackathon,))
    with transaction(engine) as session:
        alert, = detect(session, settings, NOW)
    assert alert.activity == hackathon
    assert "Väntat: under aktiviteten Open Stockholm Award hackathon" in alert.summary("sv")
    assert alert.subject("en") == "Pulse alert: more mentions – expected"
    with transaction(engine) as session:  # a week later the activity is over: not expected
        assert all(a.activity is None for a in detect(
            session, settings, NOW + timedelta(weeks=1)))


def test_negative_share_per_keyword(engine, base_settings):
    weeks = [NOW - timedelta(weeks=w, hours=h) for w in range(1, 9) for h in range(1, 13)]
    add(engine, weeks[::4], "negative", ["open"], prefix="a")
    add(engine, [t for i, t in enumerate(weeks) if i % 4], "positive", ["open"], prefix="b")
    add(engine, weeks, "positive", ["innovative"], prefix="c")
    now = [NOW - timedelta(minutes=10 * i + 5) for i in range(12)]
    add(engine, now[:9], "negative", ["open"], prefix="d")
    add(engine, now[9:], "positive", ["open"], prefix="e")
    add(engine, now, "positive", ["innovative"], prefix="f")
    settings = rules(base_settings, AlertRule(id="neg_kw", what="negative_share",
                                              per="keyword", min_count=8))
    with transaction(engine) as session:
        found = detect(session, settings, NOW)
    assert [(a.rule.id, a.scope) for a in found] == [("neg_kw", "open")]
    f = found[0].figures
    assert f["negative"] == 9 and f["total"] == 12 and abs(f["baseline"] - 0.25) < 0.01
    assert "Andelen negativa om nyckelordet Öppen steg till 75 % av 12" in found[0].summary("sv")
    # too few stories is never an alert, whatever the share
    few = rules(base_settings, AlertRule(id="neg_kw", what="negative_share", per="keyword",
                                         min_count=13))
    with transaction(engine) as session:
        assert detect(session, few, NOW) == []


def test_no_baseline_no_alert(engine, base_settings):
    add(engine, [NOW - timedelta(minutes=5 + i) for i in range(50)], prefix="x")
    with transaction(engine) as session:
        assert detect(session, base_settings, NOW) == []  # a new installation: no history


def test_a_failed_webhook_is_retried_in_the_cooldown(engine, base_settings):
    rhythm(engine)
    add(engine, [NOW - timedelta(minutes=5 + 3 * i) for i in range(40)], prefix="s")
    settings = rules(base_settings, AlertRule(id="volume", what="volume", channel=["webhook"]))
    with WebhookReceiver() as hook:
        hook.status = 500
        env = {"PULSE_ALERT_WEBHOOK_URL": hook.url}
        assert [a.status for a in run_alerts(engine, settings, now=NOW, environ=env)] == \
            ["failed"]
        with transaction(engine) as session:
            health = job_health(session)[0]
        assert health["last_error"] == "the webhook answered HTTP 500"
        hook.status = 200
        run_alerts(engine, settings, now=NOW + timedelta(minutes=15), environ=env)
        assert len(hook.bodies) == 2 and hook.bodies[0] == hook.bodies[1]
    with transaction(engine) as session:
        assert [d["status"] for d in deliveries(session, "alert")] == ["sent"]
