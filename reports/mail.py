"""Sending digests and alerts by e-mail: multipart/alternative with a plain-text part and an
HTML part, the charts as inline images (cid:) beside the HTML.

The SMTP user and password come from PULSE_SMTP_USER and PULSE_SMTP_PASSWORD; they are
never logged, and an error message never contains them.
"""

from __future__ import annotations

import base64
import logging
import os
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from pulse.settings.reports import MailSettings
from store.models import utcnow

log = logging.getLogger("pulse.mail")


class MailError(RuntimeError):
    """A message that could not be sent; the text says why and what to do."""


def build_message(subject: str, sender: str, to: str, text: str, html: str | None = None,
                  images: dict[str, bytes] | None = None) -> EmailMessage:
    """Return the message: text/plain, and with `html` a multipart/alternative whose HTML
    part is multipart/related with each image attached inline under its content id."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = to
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(text)
    if html is not None:
        msg.add_alternative(html, subtype="html")
        html_part = msg.get_payload()[1]
        for cid, data in (images or {}).items():
            html_part.add_related(data, maintype="image", subtype="png", cid=f"<{cid}>",
                                  disposition="inline", filename=f"{cid}.png")
    return msg


def send(message: EmailMessage, mail: MailSettings, environ=os.environ) -> None:
    """Send one message through the configured SMTP server (STARTTLS when configured, login
    when PULSE_SMTP_USER is set); raise MailError with the reason in words."""
    user, password = environ.get("PULSE_SMTP_USER"), environ.get("PULSE_SMTP_PASSWORD")
    where = f"{mail.host}:{mail.port}"
    try:
        with smtplib.SMTP(mail.host, mail.port, timeout=mail.timeout) as smtp:
            smtp.ehlo()
            if mail.starttls:
                if not smtp.has_extn("starttls"):
                    raise MailError(f"the SMTP server {where} offers no STARTTLS; set "
                                    "[mail] starttls = false only for a server on this machine")
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if user:
                _login(smtp, user, password or "")
            refused = smtp.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(f"the SMTP server {where} refused the login ({exc.smtp_code}); check "
                        "PULSE_SMTP_USER and PULSE_SMTP_PASSWORD") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise MailError(f"the SMTP server {where} refused the recipient "
                        f"{', '.join(exc.recipients)}") from None
    except smtplib.SMTPException as exc:
        raise MailError(f"the SMTP server {where} failed: {type(exc).__name__}: "
                        f"{_code(exc)}") from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with the SMTP server {where} failed: {exc.reason}") from None
    except OSError as exc:
        raise MailError(f"cannot reach the SMTP server {where}: "
                        f"{exc.strerror or type(exc).__name__}; check [mail] host and port "
                        "in pulse.toml") from None
    if refused:
        raise MailError(f"the SMTP server {where} refused {', '.join(refused)}")
    log.info("mail sent to=%s subject_chars=%d bytes=%d", message["To"], len(message["Subject"]),
             len(message.as_bytes()))


def _login(smtp: smtplib.SMTP, user: str, password: str) -> None:
    """Log in with AUTH PLAIN in UTF-8 (RFC 4616) when the server offers it — smtplib's own
    login encodes as ASCII and fails on a password with ö — else with smtplib's login."""
    if "PLAIN" not in (smtp.esmtp_features.get("auth") or "").upper().split():
        if not (user + password).isascii():
            raise MailError("the SMTP password or user has non-ASCII characters, which need "
                            "AUTH PLAIN; the server does not offer it")
        smtp.login(user, password)
        return
    token = base64.b64encode(f"\0{user}\0{password}".encode()).decode("ascii")
    code, _ = smtp.docmd("AUTH", f"PLAIN {token}")
    if code != 235:
        raise smtplib.SMTPAuthenticationError(code, b"authentication failed")


def _code(exc: smtplib.SMTPException) -> str:
    code = getattr(exc, "smtp_code", None)
    error = getattr(exc, "smtp_error", b"")
    if isinstance(error, bytes):
        error = error.decode("utf-8", "replace")
    return f"{code} {error}".strip() if code else str(exc)
