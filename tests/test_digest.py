"""The weekly digest: built on the demo's sample data (collected and tagged by the real
pipeline), mailed to a real SMTP server (aiosmtpd) on 127.0.0.1, parsed back and checked
against the tests' own SQL; sent once per week and recipient; rendered in Chromium.

Screenshots go to $PULSE_TEST_ARTIFACTS (default tests/artifacts/)."""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from pulse.settings.reports import DigestSettings, MailSettings, Recipient
from reports import digest as digest_mod
from reports.deliver import digest_job, due_week, send_digest
from store.db import make_engine, transaction
from store.models import Mention
from store.quantify import Calibration, Confusion
from store.queries import deliveries, job_health
from tests.conftest import REPO
from tests.counts import count_stories
from tests.smtpserver import SmtpServer, free_port

ARTIFACTS = Path(os.environ.get("PULSE_TEST_ARTIFACTS", REPO / "tests" / "artifacts"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def mail_settings(base, port: int, recipients=(("chef@stockholm.example", "sv"),), **digest):
    """Settings whose [mail] is the local test server and [digest] these recipients."""
    import dataclasses

    pulse = base.pulse.model_copy(update={
        "mail": MailSettings(host="127.0.0.1", port=port, starttls=False,
                             sender="pulse@stockholm.example", timeout=5),
        "digest": DigestSettings(recipients=[Recipient(address=a, lang=lang)
                                             for a, lang in recipients], **digest)})
    return dataclasses.replace(base, pulse=pulse)


def _week(settings):
    return digest_mod.default_week(settings.pulse.general.zone)


def _line(text: str, start: str) -> str:
    return next(line for line in text.splitlines() if line.startswith(start))


def test_digest_mailed_parsed_back_with_figures_as_sql_counts(demo_url, base_settings):
    engine = make_engine(demo_url)
    with SmtpServer() as smtp:
        settings = mail_settings(base_settings, smtp.port,
                                 [("chef@stockholm.example", "sv"),
                                  ("director@stockholm.example", "en")])
        week = _week(settings)
        results = send_digest(engine, settings, week, list(settings.pulse.digest.recipients))
        assert [r.status for r in results] == ["sent", "sent"]
        messages = smtp.parsed()
    assert [rcpt for rcpt, _ in smtp.messages] == [["chef@stockholm.example"],
                                                    ["director@stockholm.example"]]
    sv, en = messages
    assert sv.get_content_type() == "multipart/alternative"
    text_part, related = sv.get_payload()
    assert text_part.get_content_type() == "text/plain"
    assert related.get_content_type() == "multipart/related"
    html_part, image = related.get_payload()
    assert html_part.get_content_type() == "text/html"
    assert image.get_content_type() == "image/png"
    cid = image["Content-ID"].strip("<>")
    html = html_part.get_content()
    assert f'src="cid:{cid}"' in html
    assert image.get_payload(decode=True).startswith(b"\x89PNG\r\n\x1a\n")
    # no script, no stylesheet link, no image from anywhere but the message itself
    assert "<script" not in html.lower() and "<link" not in html.lower()
    assert re.findall(r'src="([^"]+)"', html) == [f"cid:{cid}"]
    assert "<style" not in html.lower()  # CSS inline: mail clients drop style blocks

    # the figures, against the tests' own SQL over the stored rows
    first, last = week, week + timedelta(days=6)
    total = count_stories(demo_url, first, last)
    pos = count_stories(demo_url, first, last, sentiment="positive")
    neg = count_stories(demo_url, first, last, sentiment="negative")
    own = count_stories(demo_url, first, last, voice="own")
    text = text_part.get_content()
    week_label = f"{week.isocalendar()[0]}-W{week.isocalendar()[1]:02d}"
    assert sv["Subject"].startswith(f"Pulse veckobrev vecka {week_label}")
    assert _line(text, "Tredjepartsomnämnanden:") == f"Tredjepartsomnämnanden: {total}"
    assert _line(text, "Nettoton:").startswith(f"Nettoton: {(pos - neg) / total * 100:+.0f} %")
    assert "ej korrigerad" in _line(text, "Nettoton:")
    assert _line(text, "Andel negativa:").startswith(f"Andel negativa: {neg / total * 100:.0f} %")
    assert _line(text, "Stadens egna inlägg:") == f"Stadens egna inlägg: {own}"
    assert _line(text, "Tredje parts andel").endswith(f"{total / (total + own) * 100:.0f} %")
    assert "Det vi inte kunde se" in text
    # English per recipient
    en_text = en.get_payload()[0].get_content()
    assert en["Subject"].startswith(f"Pulse weekly digest, week {week_label}")
    assert _line(en_text, "Third-party mentions:") == f"Third-party mentions: {total}"
    assert "uncorrected" in en_text


def test_digest_is_sent_once_per_week_and_recipient_force_resends(demo_url, base_settings):
    engine = make_engine(demo_url)
    with SmtpServer() as smtp:
        settings = mail_settings(base_settings, smtp.port)
        week = _week(settings)
        recipients = list(settings.pulse.digest.recipients)
        assert [r.status for r in send_digest(engine, settings, week, recipients)] == ["sent"]
        # a restart, or a second `pulse digest --send` for the same week
        assert [r.status for r in send_digest(engine, settings, week, recipients)] == \
            ["skipped"]
        assert len(smtp.messages) == 1
        assert [r.status for r in send_digest(engine, settings, week, recipients,
                                              force=True)] == ["sent"]
        assert len(smtp.messages) == 2
        # another week is another digest
        send_digest(engine, settings, week - timedelta(weeks=1), recipients)
        assert len(smtp.messages) == 3
    with transaction(engine) as session:
        log = deliveries(session, "digest")
    assert {(d["key"], d["status"], d["attempts"]) for d in log} == {
        (digest_mod.kpis.week_label(week), "sent", 2),
        (digest_mod.kpis.week_label(week - timedelta(weeks=1)), "sent", 1)}


def test_failed_send_retries_and_shows_in_job_health(demo_url, base_settings):
    engine = make_engine(demo_url)
    port = free_port()  # nothing listens yet
    settings = mail_settings(base_settings, port, weekday="monday", time="07:00")
    week = _week(settings)
    due = datetime.combine(week + timedelta(days=7), datetime.min.time(),
                           tzinfo=settings.pulse.general.zone) + timedelta(hours=8)
    assert due_week(settings, due - timedelta(hours=2)) is None  # Monday 06:00: not yet
    assert due_week(settings, due) == week
    results = digest_job(engine, settings, now=due)
    assert [r.status for r in results] == ["failed"]
    assert "cannot reach the SMTP server 127.0.0.1" in results[0].error
    with transaction(engine) as session:
        health = {h["job"]: h for h in job_health(session)}
    assert health["digest"]["consecutive_failures"] == 1
    assert health["digest"]["failed_deliveries"] == 1
    assert "cannot reach the SMTP server" in health["digest"]["last_error"]
    with SmtpServer(port=port) as smtp:
        assert [r.status for r in digest_job(engine, settings, now=due)] == ["sent"]
        assert [r.status for r in digest_job(engine, settings, now=due)] == ["skipped"]
        assert len(smtp.messages) == 1
    with transaction(engine) as session:
        health = {h["job"]: h for h in job_health(session)}
    assert health["digest"]["consecutive_failures"] == 0
    assert health["digest"]["failed_deliveries"] == 0


def test_smtp_login_comes_from_the_environment_and_is_never_logged(demo_url, base_settings,
                                                                    caplog):
    engine = make_engine(demo_url)
    secret = "s3cret-Lösen-9"
    env = {"PULSE_SMTP_USER": "pulse-bot", "PULSE_SMTP_PASSWORD": secret}
    with SmtpServer(user="pulse-bot", password=secret) as smtp:
        settings = mail_settings(base_settings, smtp.port)
        caplog.set_level("DEBUG")
        results = send_digest(engine, settings, _week(settings),
                              list(settings.pulse.digest.recipients), environ=env)
        assert [r.status for r in results] == ["sent"]
        assert smtp.logins == [("pulse-bot", secret)]
        wrong = send_digest(engine, settings, _week(settings) - timedelta(weeks=1),
                            list(settings.pulse.digest.recipients),
                            environ={**env, "PULSE_SMTP_PASSWORD": "wrong"})
    assert wrong[0].status == "failed" and "refused the login" in wrong[0].error
    assert secret not in caplog.text and "wrong" not in wrong[0].error
    with transaction(engine) as session:
        assert all(secret not in (d["last_error"] or "") for d in deliveries(session))


def test_starttls_required_by_default_refuses_a_plain_server(demo_url, base_settings):
    engine = make_engine(demo_url)
    with SmtpServer() as smtp:
        settings = mail_settings(base_settings, smtp.port)
        pulse = settings.pulse.model_copy(update={"mail": settings.pulse.mail.model_copy(
            update={"starttls": True})})
        import dataclasses

        settings = dataclasses.replace(settings, pulse=pulse)
        result = send_digest(engine, settings, _week(settings),
                             list(settings.pulse.digest.recipients))
        assert result[0].status == "failed" and "offers no STARTTLS" in result[0].error
        assert smtp.messages == []


def test_week_without_data_says_so_in_words(demo_url, base_settings):
    engine = make_engine(demo_url)
    built = digest_mod.build(engine, base_settings, digest_mod.parse_week("2025-W10"), "sv")
    assert "Inga omnämnanden alls under vecka 2025-W10" in built.text
    assert "för få för en jämförelse" in built.text
    assert "Dagar utan något insamlat omnämnande: mån 2025-03-03" in built.text
    assert built.images == {}  # no chart of nothing
    en = digest_mod.build(engine, base_settings, digest_mod.parse_week("2025-W10"), "en")
    assert "No mentions at all in week 2025-W10" in en.text


def test_post_text_is_escaped_and_only_http_links_are_offered(demo_url, base_settings):
    engine = make_engine(demo_url)
    week = _week(base_settings)
    with transaction(engine) as session:
        mention = session.query(Mention).filter(
            Mention.voice == "third_party", Mention.local_week == week,
            Mention.sentiment == "negative").order_by(Mention.id).first()
        session.execute(update(Mention).where(Mention.id == mention.id).values(
            title="<script>alert('x')</script> & <b>fet</b>", url="javascript:alert(1)",
            engagement={"likes": 10_000}))
    built = digest_mod.build(engine, base_settings, week, "sv")
    assert "<script>alert" not in built.html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &lt;b&gt;fet&lt;/b&gt;" in \
        built.html
    assert "javascript:" not in built.html
    assert "<script>alert('x')</script>" in built.text  # plain text stays as written


def test_bias_corrected_shares_when_calibrated(demo_url, base_settings):
    engine = make_engine(demo_url)
    week = _week(base_settings)
    labels = ("negative", "neutral", "positive")
    calibration = Calibration({"sentiment": Confusion(labels, ((40, 8, 2), (6, 30, 14),
                                                               (1, 4, 45)))})
    built = digest_mod.build(engine, base_settings, week, "sv", calibration)
    net = _line(built.text, "Nettoton:")
    assert "ej korrigerad" not in net
    assert re.match(r"Nettoton: [+-]\d+ % \([+-]?\d+( – |–)[+-]?\d+ %\)$", net), net


def test_digest_html_in_headless_chromium(demo_url, base_settings, tmp_path):
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium")
    if not executable:
        pytest.fail("Debian's chromium is not installed (apt-get install chromium)")
    engine = make_engine(demo_url)
    built = digest_mod.build(engine, base_settings, _week(base_settings), "sv", demo=True)
    page_file = tmp_path / "digest.html"
    page_file.write_text(built.standalone_html(), encoding="utf-8")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    outside: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": 720, "height": 1000})
        page.on("request", lambda r: outside.append(r.url)
                if not r.url.startswith(("file:", "data:")) else None)
        page.goto(page_file.as_uri())
        assert page.get_by_role("heading", name=re.compile("Pulse veckobrev")).is_visible()
        assert page.locator("img").evaluate("i => i.naturalWidth") > 500  # the chart drew
        page.screenshot(path=str(ARTIFACTS / "digest.png"), full_page=True)
        browser.close()
    assert outside == []


def test_pulse_digest_cli(demo_url, tmp_path):
    from tests.test_cli import pulse

    env = {"PULSE_DATABASE_URL": demo_url}
    out = tmp_path / "digest.html"
    result = pulse("digest", "--out", str(out), env=env)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").count("data:image/png;base64,") == 1
    bad = pulse("digest", "--week", "2026-48", env=env)
    assert bad.returncode == 2 and "not an ISO week; write e.g. 2026-W48" in bad.stderr
    no_one = pulse("digest", "--send", env=env)
    assert no_one.returncode == 2 and "no recipients" in no_one.stderr
    assert "Traceback" not in bad.stderr + no_one.stderr
    text = pulse("digest", "--week", "2025-W10", "--lang", "en", env=env)
    assert text.returncode == 0 and "No mentions at all in week 2025-W10" in text.stdout


def test_sent_at_is_stored_in_utc(demo_url, base_settings):
    engine = make_engine(demo_url)
    with SmtpServer() as smtp:
        settings = mail_settings(base_settings, smtp.port)
        send_digest(engine, settings, _week(settings), list(settings.pulse.digest.recipients))
    with transaction(engine) as session:
        sent = deliveries(session, "digest")[0]["sent_at"]
    assert sent.tzinfo is UTC and abs(datetime.now(UTC) - sent) < timedelta(hours=1)
