"""Spike alerts: third-party volume and the negative share, overall and per keyword or topic,
against a baseline that knows the weekly rhythm, delivered by e-mail and/or webhook.

The window (default the last 24 hours) is compared with the same hours of the week in each
of the `baseline_weeks` weeks before, so a Monday morning is compared with Monday mornings.
Volume: a spike is above mean + k·max(sd, √mean, 1) and at least `min_count` stories; the
negative share: a one-sided binomial test against the pooled baseline share (store.figures).
An activity of the campaign calendar covering the window labels the spike as expected.

At most one alert per rule and scope in its cooldown (the sent-log); a failed delivery is
tried again on the next run within the cooldown. The webhook's URL comes from
PULSE_ALERT_WEBHOOK_URL (Teams and Slack both take {"text": …}); it is never logged.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from pulse.settings import Settings
from pulse.settings.calendar import Activity
from pulse.settings.reports import AlertRule
from reports.mail import MailError, build_message, send
from reports.render import environment, safe_url
from store.db import transaction
from store.figures import share_spike, volume_spike
from store.models import utcnow
from store.queries import (
    Filters,
    deliveries,
    first_published,
    last_sent,
    top_stories,
    window_counts,
)
from store.reporting import claim_delivery, finish_delivery, record_job

log = logging.getLogger("pulse.alerts")
WEBHOOK_ENV = "PULSE_ALERT_WEBHOOK_URL"


@dataclass
class Alert:
    """One spike: which rule, which keyword or topic (None: all third-party mentions), the
    window, the figures against the baseline, the activity it belongs to, the top stories."""

    rule: AlertRule
    scope: str | None
    start: datetime
    end: datetime
    figures: dict
    baseline_weeks: int
    activity: Activity | None = None
    stories: list[dict] = field(default_factory=list)
    status: str = "new"
    labels: dict = field(default_factory=dict)

    @property
    def topic(self) -> str:
        """Return what the cooldown covers: the rule and its scope."""
        return f"{self.rule.id}|{self.scope_kind or 'all'}:{self.scope or '*'}"

    @property
    def key(self) -> str:
        """Return the sent-log key of this alert: its topic and the window's end."""
        return f"{self.topic}|{self.end.strftime('%Y-%m-%dT%H:%M')}"

    @property
    def scope_kind(self) -> str | None:
        """Return "keyword", "topic" or None (all third-party mentions)."""
        if self.scope is None:
            return None
        return self.rule.per or ("keyword" if self.rule.keyword else "topic")

    def summary(self, lang: str) -> str:
        """Return the alert in one paragraph: what rose, by how much, against what."""
        f = self.figures
        hours = round((self.end - self.start).total_seconds() / 3600)
        scope = ""
        if self.scope:
            label = self.labels.get(lang, self.scope)
            scope = (f" om {'nyckelordet' if self.scope_kind == 'keyword' else 'ämnet'} "
                     f"{label}" if lang == "sv" else f" about {self.scope_kind} {label}")
        if self.rule.what == "volume":
            ratio = f["count"] / f["mean"] if f["mean"] else None
            times = (f", {_num(ratio, lang)} gånger så många" if lang == "sv" else
                     f", {_num(ratio, lang)} times as many") if ratio else ""
            text = (f"Tredjepartsomnämnandena{scope} steg till {f['count']} de senaste {hours} "
                    f"timmarna, mot i snitt {_num(f['mean'], lang)} samma timmar de "
                    f"{self.baseline_weeks} veckorna före (gräns {_num(f['limit'], lang)})"
                    f"{times}." if lang == "sv" else
                    f"Third-party mentions{scope} rose to {f['count']} in the last {hours} "
                    f"hours, against a mean of {_num(f['mean'], lang)} in the same hours of "
                    f"the {self.baseline_weeks} weeks before (limit {_num(f['limit'], lang)})"
                    f"{times}.")
        else:
            text = (f"Andelen negativa{scope} steg till {f['share'] * 100:.0f} % av "
                    f"{f['total']} omnämnanden de senaste {hours} timmarna, mot "
                    f"{f['baseline'] * 100:.0f} % samma timmar de {self.baseline_weeks} "
                    f"veckorna före (+{f['rise'] * 100:.0f} procentenheter)." if lang == "sv"
                    else f"The negative share{scope} rose to {f['share'] * 100:.0f} % of "
                    f"{f['total']} mentions in the last {hours} hours, against "
                    f"{f['baseline'] * 100:.0f} % in the same hours of the "
                    f"{self.baseline_weeks} weeks before (+{f['rise'] * 100:.0f} points).")
        if self.activity:
            a = self.activity
            text += (f" Väntat: under aktiviteten {a.name} ({a.start} – {a.end})."
                     if lang == "sv" else
                     f" Expected: during the activity {a.name} ({a.start} – {a.end}).")
        return text

    def subject(self, lang: str) -> str:
        """Return the mail subject."""
        what = {"volume": {"sv": "fler omnämnanden", "en": "more mentions"},
                "negative_share": {"sv": "fler negativa", "en": "more negative"}}
        scope = f" ({self.labels.get(lang, self.scope)})" if self.scope else ""
        expected = (" – väntat" if lang == "sv" else " – expected") if self.activity else ""
        head = "Pulse-larm" if lang == "sv" else "Pulse alert"
        return f"{head}: {what[self.rule.what][lang]}{scope}{expected}"

    def text(self, lang: str) -> str:
        """Return the plain-text body: the summary, then the top stories with their links."""
        lines = [self.summary(lang), ""]
        if self.stories:
            lines.append("Berättelserna bakom:" if lang == "sv" else "The stories behind it:")
            for s in self.stories:
                lines.append(f"- {s['title']} ({s['source']}, {s['day']})")
                if s["url"]:
                    lines.append(f"  {s['url']}")
        return "\n".join(lines).rstrip() + "\n"

    def payload(self, lang: str) -> dict:
        """Return the webhook's JSON: {"text": …}, which Teams and Slack both accept."""
        return {"text": f"{self.subject(lang)}\n\n{self.text(lang)}"}


def _num(value: float | None, lang: str) -> str:
    if value is None:
        return "–"
    text = f"{value:.1f}"
    return text.replace(".", ",") if lang == "sv" else text


def _scopes(rule: AlertRule) -> tuple[str | None, str | None]:
    if rule.per:
        return rule.per, None
    if rule.keyword:
        return "keyword", rule.keyword
    if rule.topic:
        return "topic", rule.topic
    return None, None


def _expected(rule: AlertRule, scope_kind: str | None, scope: str | None,
              start: datetime, end: datetime, settings: Settings) -> Activity | None:
    tz = settings.pulse.general.zone
    first, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    for a in settings.calendar:
        # the day after an activity still counts: coverage follows it
        if a.start <= last and a.end + timedelta(days=1) >= first and (
                scope_kind is None or not a.keywords
                or (scope_kind == "keyword" and scope in a.keywords)):
            return a
    return None


def detect(session: Session, settings: Settings, now: datetime) -> list[Alert]:
    """Return every rule's spikes in the window ending at `now` (nothing is sent)."""
    tz = settings.pulse.general.zone
    earliest = first_published(session)
    found = []
    for rule in settings.pulse.alert_rules:
        end = now.replace(second=0, microsecond=0)
        start = end - timedelta(seconds=rule.window_seconds)
        kind, value = _scopes(rule)
        current = window_counts(session, start, end, kind, value)
        weeks = [k for k in range(1, rule.baseline_weeks + 1)
                 if earliest is not None and start - timedelta(weeks=k) >= earliest]
        if len(weeks) < 2:
            continue  # too little history for a baseline that knows the week's rhythm
        base = [window_counts(session, start - timedelta(weeks=k), end - timedelta(weeks=k),
                              kind, value) for k in weeks]
        for scope, now_counts in current.items():
            past = [b.get(scope, {"total": 0, "negative": 0}) for b in base]
            if rule.what == "volume":
                figures = volume_spike(now_counts["total"], [p["total"] for p in past],
                                       rule.threshold, rule.min_count)
            else:
                figures = share_spike(now_counts["negative"], now_counts["total"],
                                      sum(p["negative"] for p in past),
                                      sum(p["total"] for p in past),
                                      rule.threshold, rule.min_count, rule.min_rise)
            if figures is None:
                continue
            alert = Alert(rule, scope, start, end, figures, len(weeks),
                          _expected(rule, kind, scope, start, end, settings))
            if scope is not None:
                entity = "keyword" if kind == "keyword" else "topic"
                alert.labels = {lang: settings.strategy.label(entity, scope, lang)
                                for lang in ("sv", "en")}
            f = Filters(start=start.astimezone(tz).date(), end=end.astimezone(tz).date(),
                        sentiment="negative" if rule.what == "negative_share" else None,
                        **({kind: scope} if kind else {}))
            alert.stories = [{"title": _title(s), "url": safe_url(s["url"]),
                              "source": s["source_name"],
                              "day": s["published_at"].astimezone(tz).date().isoformat(),
                              "id": s["id"]} for s in top_stories(session, f, 3)]
            found.append(alert)
    return found


def _title(story: dict) -> str:
    text = " ".join((story.get("title") or story.get("text") or "").split())
    return text if len(text) <= 120 else text[:119] + "…"


def _targets(rule: AlertRule, settings: Settings, environ) -> list[tuple[str, str, str]]:
    """Return (channel, recipient, lang) for each place the rule's alerts go."""
    lang = settings.pulse.general.language
    out = []
    if "email" in rule.channel:
        langs = {r.address: r.lang for r in settings.pulse.digest.recipients}
        for address in rule.recipients or list(langs):
            out.append(("email", address, langs.get(address, lang)))
    if "webhook" in rule.channel and environ.get(WEBHOOK_ENV):
        out.append(("webhook", "webhook", lang))
    return out


def post_webhook(url: str, payload: dict, timeout: float = 10.0) -> None:
    """POST the JSON payload; raise RuntimeError naming the status (never the URL, which
    carries the webhook's secret)."""
    try:
        resp = requests.post(url, json=payload, timeout=timeout)
    except requests.RequestException as exc:
        raise RuntimeError(f"the webhook could not be reached: {type(exc).__name__}") from None
    if resp.status_code >= 300:
        raise RuntimeError(f"the webhook answered HTTP {resp.status_code}")


def _deliver(channel: str, recipient: str, message: dict, settings: Settings,
             environ) -> None:
    if channel == "webhook":
        post_webhook(environ[WEBHOOK_ENV], message["payload"])
        return
    msg = build_message(message["subject"], settings.pulse.mail.sender, recipient,
                        message["text"], message["html"])
    send(msg, settings.pulse.mail, environ)


def _message(alert: Alert, lang: str) -> dict:
    html = environment().get_template("alert.html.j2").render(
        subject=alert.subject(lang), summary=alert.summary(lang), stories=alert.stories,
        lang=lang, behind="Berättelserna bakom" if lang == "sv" else "The stories behind it")
    return {"subject": alert.subject(lang), "text": alert.text(lang), "html": html,
            "payload": alert.payload(lang)}


def _send_claimed(engine: Engine, claim_id: int, channel: str, recipient: str,
                  message: dict, settings: Settings, environ) -> str | None:
    try:
        _deliver(channel, recipient, message, settings, environ)
        error = None
    except (MailError, RuntimeError) as exc:
        error = str(exc)
    with transaction(engine) as session:
        finish_delivery(session, claim_id, error)
    if error:
        log.warning("alert delivery channel=%s failed: %s", channel, error)
    return error


def run_alerts(engine: Engine, settings: Settings, now: datetime | None = None,
               dry_run: bool = False, environ=os.environ) -> list[Alert]:
    """Check every rule once and deliver the new alerts (none with `dry_run`); retry the
    failed deliveries of alerts still in their cooldown. Returns the spikes found, each with
    its status: sent, cooldown, failed, dry-run or nowhere (no channel configured)."""
    now = now or utcnow()
    with transaction(engine) as session:
        found = detect(session, settings, now)
    if dry_run:
        for a in found:
            a.status = "dry-run"
        return found
    errors = _retry_failed(engine, settings, now, environ)
    for alert in found:
        with transaction(engine) as session:
            sent = last_sent(session, "alert", alert.topic)
        if sent and sent > now - timedelta(seconds=alert.rule.cooldown_seconds):
            alert.status = "cooldown"
            continue
        targets = _targets(alert.rule, settings, environ)
        if not targets:
            alert.status = "nowhere"
            continue
        failed = 0
        for channel, recipient, lang in targets:
            message = _message(alert, lang)
            with transaction(engine) as session:
                claim = claim_delivery(session, "alert", alert.topic, alert.key, recipient,
                                       details={"channel": channel, **message})
            if claim is None:
                continue
            error = _send_claimed(engine, claim.id, channel, recipient, message, settings,
                                  environ)
            if error:
                failed += 1
                errors.append(error)
        alert.status = "failed" if failed == len(targets) else "sent"
    with transaction(engine) as session:
        record_job(session, "alert", "; ".join(errors) if errors else None)
    return found


def _retry_failed(engine: Engine, settings: Settings, now: datetime, environ) -> list[str]:
    """Send again the alert deliveries that failed and whose rule is still in cooldown."""
    cooldowns = {r.id: r.cooldown_seconds for r in settings.pulse.alert_rules}
    errors = []
    with transaction(engine) as session:
        failed = [d for d in deliveries(session, "alert", limit=500) if d["status"] == "failed"]
    for d in failed:
        rule = d["topic"].split("|", 1)[0]
        if rule not in cooldowns or d["updated_at"] < now - timedelta(seconds=cooldowns[rule]):
            continue
        with transaction(engine) as session:
            claim = claim_delivery(session, "alert", d["topic"], d["key"], d["recipient"],
                                   details=d["details"])
        if claim is None:
            continue
        error = _send_claimed(engine, claim.id, d["details"].get("channel", "email"),
                              d["recipient"], d["details"], settings, environ)
        if error:
            errors.append(error)
    return errors


def alerts_job(engine: Engine, settings: Settings) -> list[Alert]:
    """The scheduled check (every 15 minutes in `pulse run`)."""
    return run_alerts(engine, settings)
