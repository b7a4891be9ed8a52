"""Sending alert notifications from the outbox (SPEC section 11): webhooks and email.

A row is claimed before it is sent (a conditional update: two deliverers never send one row at
the same time), sent with a short timeout, then marked sent, or given its error and a next try
with exponential back-off. After MAX_ATTEMPTS it is marked failed and logged as an error. The
outbox id goes out with every notification (X-FloorPulse-Delivery, and in the email headers), so
a receiver can drop the rare repeat of a send whose success we did not live to record.
"""
from __future__ import annotations

import json
import logging
import smtplib
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import update

from data import schema
from queries import alerts as q
from settings import Settings

log = logging.getLogger(__name__)

OUTBOX = schema.alert_outbox
FIRST_RETRY_S = 30
MAX_RETRY_S = 3600
MAX_ATTEMPTS = 12  # about six hours of trying
CLAIM_S = 120  # a claimed row that its deliverer never finished is tried again after this


class DeliveryError(Exception):
    """A notification that did not go out this time (it is retried)."""


def plant_now(settings: Settings) -> datetime:
    """Naive plant-local now (SPEC section 3): the clock every alert time is kept in."""
    return datetime.now(ZoneInfo(settings.plant_tz)).replace(tzinfo=None)


def backoff_s(attempts: int) -> int:
    """Wait before the next try after `attempts` failed ones: 30 s, 60 s, 2 min ... 1 h."""
    return min(FIRST_RETRY_S * 2 ** max(attempts - 1, 0), MAX_RETRY_S)


def post_webhook(url: str, body: str, delivery_id: int, timeout: float) -> None:
    request = urllib.request.Request(
        url, data=body.encode(), method="POST",
        headers={"Content-Type": "application/json", "User-Agent": "FloorPulse-alerts",
                 "X-FloorPulse-Delivery": str(delivery_id)})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
    except urllib.error.HTTPError as err:
        raise DeliveryError(f"HTTP {err.code} from {url}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        reason = getattr(err, "reason", err)
        raise DeliveryError(f"{type(reason).__name__}: {reason}") from None


def send_email(smtp_url: str | None, sender: str, to: list[str], payload: dict,
               delivery_id: int, timeout: float) -> None:
    """Through SMTP_URL: smtp://[user:pw@]host[:port] (STARTTLS when the server offers it) or
    smtps://... (TLS from the start)."""
    if not smtp_url:
        raise DeliveryError("SMTP_URL is not set")
    url = urlsplit(smtp_url)
    if url.scheme not in ("smtp", "smtps") or not url.hostname:
        raise DeliveryError(f"SMTP_URL must look like smtp://user:pw@host:587, not "
                            f"{url.scheme}://{url.hostname or ''}")
    msg = EmailMessage()
    state = "FIRING" if payload["state"] == "firing" else "RESOLVED"
    msg["Subject"] = f"[FloorPulse] {state}: {payload['kind']} {payload['subject']}"
    msg["From"], msg["To"] = sender, ", ".join(to)
    msg["X-FloorPulse-Delivery"] = str(delivery_id)
    msg.set_content(f"{payload['message']}\n\n{payload['url']}\n\n"
                    + json.dumps(payload, indent=2))
    smtp_class = smtplib.SMTP_SSL if url.scheme == "smtps" else smtplib.SMTP
    try:
        with smtp_class(url.hostname, url.port or (465 if url.scheme == "smtps" else 25),
                        timeout=timeout) as smtp:
            smtp.ehlo()
            if url.scheme == "smtp" and smtp.has_extn("starttls"):
                smtp.starttls()
                smtp.ehlo()
            if url.username:
                smtp.login(unquote(url.username), unquote(url.password or ""))
            smtp.send_message(msg)
    except (smtplib.SMTPException, OSError) as err:
        raise DeliveryError(f"{type(err).__name__}: {err}") from None


def _claim(conn, row: dict, now: datetime) -> bool:
    """Take the row for this deliverer (its next try moves past the claim time)."""
    done = conn.execute(update(OUTBOX).where(
        OUTBOX.c.id == row["id"], OUTBOX.c.status == "pending",
        OUTBOX.c.attempts == row["attempts"], OUTBOX.c.next_try_at == row["next_try_at"],
    ).values(attempts=row["attempts"] + 1, next_try_at=now + timedelta(seconds=CLAIM_S)))
    return done.rowcount == 1


def _send(row: dict, settings: Settings) -> None:
    if row["channel"] == "webhook":
        post_webhook(row["target"], row["payload"], row["id"], settings.webhook_timeout_s)
    else:
        send_email(settings.smtp_url, settings.alert_email_from,
                   [a for a in row["target"].split(",") if a], json.loads(row["payload"]),
                   row["id"], max(settings.webhook_timeout_s, 10.0))


def deliver_pending(engine, settings: Settings, now: datetime | None = None,
                    budget_s: float | None = None) -> dict:
    """Send every notification that is due; counts of sent, retrying and failed.

    Stops taking new rows once `budget_s` (default: half of ALERTS_EVERY_S) has passed, so a
    run of hanging webhooks cannot pile up behind the next evaluation; what is left stays due.
    """
    now = now or plant_now(settings)
    budget = budget_s if budget_s is not None else max(settings.alerts_every_s / 2, 5)
    deadline = time.monotonic() + budget
    counts = {"sent": 0, "retrying": 0, "failed": 0}
    with engine.connect() as conn:
        due = q.due_notifications(conn, now)
    for row in due:
        if time.monotonic() > deadline:
            break
        with engine.begin() as conn:
            if not _claim(conn, row, now):
                continue  # another deliverer has it
        attempts = row["attempts"] + 1
        try:
            _send(row, settings)
        except DeliveryError as err:
            gave_up = attempts >= MAX_ATTEMPTS
            values = dict(last_error=str(err)[:1000],
                          next_try_at=now + timedelta(seconds=backoff_s(attempts)))
            if gave_up:
                values["status"] = "failed"
                log.error("alert %s: %s to %s failed %d times, giving up: %s", row["alert_id"],
                          row["channel"], row["target"], attempts, err)
            else:
                log.warning("alert %s: %s to %s failed (try %d), retrying in %d s: %s",
                            row["alert_id"], row["channel"], row["target"], attempts,
                            backoff_s(attempts), err)
            counts["failed" if gave_up else "retrying"] += 1
        else:
            values = dict(status="sent", sent_at=now, last_error=None)
            counts["sent"] += 1
        with engine.begin() as conn:
            conn.execute(update(OUTBOX).where(OUTBOX.c.id == row["id"]).values(**values))
    return counts
