"""Delivering the digest: once per ISO week and recipient, through the sent-log.

Each recipient's delivery is claimed in the database before the message is sent and marked
sent after, so a restart, a second `pulse digest --send` or a second process never sends the
same week twice (`force` resends on purpose). A failed send is marked failed with the reason
and is tried again by the next scheduled run within the week; it shows in job health.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from pulse.settings import Settings
from pulse.settings.reports import Recipient
from reports import digest as digest_mod
from reports.kpis import week_label
from reports.mail import MailError, build_message, send
from store.db import transaction
from store.quantify import Calibration
from store.reporting import claim_delivery, finish_delivery, record_job

log = logging.getLogger("pulse.digest")


@dataclass
class SendResult:
    """What happened to one recipient: sent, skipped (sent before) or failed (why)."""

    address: str
    status: str
    error: str | None = None
    bytes: int = 0


def send_digest(engine: Engine, settings: Settings, week: date, recipients: list[Recipient],
                force: bool = False, calibration: Calibration | None = None,
                demo: bool = False, environ=os.environ) -> list[SendResult]:
    """Send the digest of the week starting on `week` to each recipient not sent it yet (all
    of them with `force`), each in their language; return what happened per recipient."""
    key = week_label(week)
    built: dict[str, digest_mod.Digest] = {}
    results = []
    for recipient in recipients:
        with transaction(engine) as session:
            claim = claim_delivery(session, "digest", "digest", key, recipient.address,
                                   force=force, details={"lang": recipient.lang})
        if claim is None:
            results.append(SendResult(recipient.address, "skipped"))
            continue
        try:
            if recipient.lang not in built:
                built[recipient.lang] = digest_mod.build(engine, settings, week,
                                                         recipient.lang, calibration, demo)
            d = built[recipient.lang]
            message = build_message(d.subject, settings.pulse.mail.sender, recipient.address,
                                    d.text, d.html, d.images)
            send(message, settings.pulse.mail, environ)
        except MailError as exc:
            error = str(exc)
        except Exception as exc:  # a bug in building must not lose the claim as "sending"
            log.exception("digest week=%s build or send failed", key)
            error = f"{type(exc).__name__}: {exc}"
        else:
            error = None
        with transaction(engine) as session:
            finish_delivery(session, claim.id, error)
        if error:
            log.warning("digest week=%s to=%s failed: %s", key, recipient.address, error)
            results.append(SendResult(recipient.address, "failed", error))
        else:
            log.info("digest week=%s to=%s sent", key, recipient.address)
            results.append(SendResult(recipient.address, "sent",
                                      bytes=len(message.as_bytes())))
    return results


def due_week(settings: Settings, now: datetime) -> date | None:
    """Return the Monday of the week whose digest is due at `now` (the last complete week,
    once the configured weekday and time of the week after it have come), else None."""
    tz = settings.pulse.general.zone
    local = now.astimezone(tz)
    week = digest_mod.default_week(tz, now)
    cfg = settings.pulse.digest
    send_day = week + timedelta(days=7 + cfg.weekday_index)
    moment = datetime.combine(send_day, cfg.clock, tzinfo=tz)
    return week if local >= moment else None


def digest_job(engine: Engine, settings: Settings, now: datetime | None = None) -> list:
    """The scheduled digest: when due, send the week's digest to every configured recipient
    not sent it yet; record the run in job health (an error when any send failed)."""
    from store.models import utcnow

    recipients = settings.pulse.digest.recipients
    week = due_week(settings, now or utcnow())
    if week is None or not recipients:
        with transaction(engine) as session:
            record_job(session, "digest")
        return []
    results = send_digest(engine, settings, week, list(recipients))
    failed = [r for r in results if r.status == "failed"]
    with transaction(engine) as session:
        record_job(session, "digest", "; ".join(f"{r.address}: {r.error}" for r in failed)
                   if failed else None)
    return results
