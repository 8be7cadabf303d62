"""Outbox: every outbound message is written to the database first, then sent by the worker.

Life of a row:  pending --claim--> sending --WeChat's answer--> sent | failed | pending (retry later)
A claim is one conditional UPDATE (status='pending' AND due), so two workers never take the same
row. A row is sent at most once: whenever we cannot know whether WeChat delivered it (the worker
died mid-send, or WeChat never answered) it becomes 'unknown' and is not resent automatically;
staff may resend it with `python -m bot outbox retry ID`.
While a row is 'sending', next_attempt_at holds the end of its lease.
This module owns every outbox status change (the digest requeues with `requeue`, reminders are withdrawn
with `cancel`); the queries are storage/outbox.py, the staff notes bot/wording/outbound.py.

Channel: a customer-service (kefu) text while the member's 48-hour window is open, else a
template message (template id from the row or wechat.templates[kind], falling back to `notice`).
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy.orm import Session

from bot.runtime import Runtime
from bot.wechat_api import (
    AmbiguousError, KefuRefused, PermanentError, RateLimited, TransientError, WeChatAPI, client_for, redact,
)
from bot.wording.outbound import DELIVERY_SUMMARY, OUTBOX_NOTES as NOTES
from storage import outbox as rows
from storage.models import OutboxMessage
from storage.outbox import CANCELLED, FAILED, IMMEDIATELY, PENDING, SENDING, SENT, UNKNOWN, enqueue  # noqa: F401

log = logging.getLogger(__name__)

KEFU, TEMPLATE = "kefu", "template"
PAUSE_KEY = "outbox:pause:"  # + channel: set after a rate limit so every worker backs off


@dataclass
class DeliveryReport:
    """Row ids by what happened to them in one delivery run."""

    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)     # back to pending, tried again later
    failed: list[int] = field(default_factory=list)    # permanent failure, reason in last_error
    unknown: list[int] = field(default_factory=list)   # may have been delivered: never resent blindly
    skipped: list[int] = field(default_factory=list)   # claimed by another worker, or channel paused

    def add(self, outcome: str, row_id: int) -> None:
        getattr(self, outcome).append(row_id)

    @property
    def handled(self) -> int:
        return len(self.sent) + len(self.retry) + len(self.failed) + len(self.unknown)

    def summary(self) -> str:
        return DELIVERY_SUMMARY.format(sent=len(self.sent), retry=len(self.retry), failed=len(self.failed),
                                       unknown=len(self.unknown))


@dataclass
class Plan:
    """How one row goes out."""

    openid: str
    channel: str
    text: str
    kind: str
    template_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    url: str = ""


def deliver_due(rt: Runtime, limit: int | None = None, only_ids: Iterable[int] | None = None,
                now: datetime | None = None, api: WeChatAPI | None = None) -> DeliveryReport:
    """Send the rows that are due now (or only those of `only_ids` that are due). Safe to run in parallel."""
    now = now or rt.now()
    only_ids = None if only_ids is None else list(only_ids)
    limit = limit or (len(only_ids) if only_ids else rt.config.outbound.batch_size)
    report = DeliveryReport(unknown=reap_stale(rt, now))
    api = api or client_for(rt)
    for row_id in due_ids(rt, now, limit, only_ids):
        report.add(deliver_one(rt, api, row_id, now), row_id)
    return report


def due_ids(rt: Runtime, now: datetime, limit: int, only_ids: Iterable[int] | None = None) -> list[int]:
    with rt.db.session() as session:
        return rows.due_ids(session, now, limit, only_ids)


def reap_stale(rt: Runtime, now: datetime) -> list[int]:
    """Rows left 'sending' past their lease: the sender died mid-send. Mark them unknown, never resend."""
    with rt.db.session() as session:
        ids = rows.mark_stale_unknown(session, now, NOTES["lease"])
    if ids:
        log.warning("outbox rows %s were left mid-send; marked unknown (not resent)", ids)
    return ids


def deliver_one(rt: Runtime, api: WeChatAPI, row_id: int, now: datetime) -> str:
    """Claim, send and settle one row; returns the DeliveryReport bucket it went to."""
    with rt.db.session() as session:
        row = session.get(OutboxMessage, row_id)
        if row is None or row.status != PENDING:
            return "skipped"
        plan = plan_for(rt, session, row, now)
    if _paused(rt, plan.channel):
        return "skipped"
    attempt = claim(rt, row_id, now)
    if attempt is None:
        return "skipped"
    try:
        answer = send(api, plan)
    except Exception as exc:  # noqa: BLE001 - every failure is settled on the row
        return _settle_error(rt, row_id, attempt, plan, now, exc)
    _finish(rt, row_id, attempt, status=SENT, channel=plan.channel, sent_at=now, last_error="",
            response=json.dumps(answer, ensure_ascii=False))
    log.info("outbox %s sent by %s to %s", row_id, plan.channel, plan.openid)
    return "sent"


def claim(rt: Runtime, row_id: int, now: datetime) -> int | None:
    """Atomically take a due pending row; returns its attempt number, or None if someone else has it."""
    lease = timedelta(seconds=rt.config.outbound.lease_seconds)
    with rt.db.session() as session:
        return rows.claim(session, row_id, now, lease)


def plan_for(rt: Runtime, session: Session, row: OutboxMessage, now: datetime) -> Plan:
    """Kefu while the window is open (or when no template exists to fall back on), else template."""
    spec = row.template or {}
    templates = rt.config.wechat.templates
    template_id = spec.get("template_id") or templates.get(row.kind) or templates.get("notice") or ""
    plan = Plan(openid=row.openid, channel=TEMPLATE, text=row.text, kind=row.kind, template_id=template_id,
                data=spec.get("data") or _text_data(rt, row), url=spec.get("url") or "")
    if row.text and (not template_id or window_open(rt, session, row, now)):
        plan.channel = KEFU
    return plan


def window_open(rt: Runtime, session: Session, row: OutboxMessage, now: datetime) -> bool:
    """Did the member write to us within the kefu window? Unknown people (no roster row) are tried."""
    member = rows.recipient(session, row)
    if member is None:
        return True
    window = timedelta(hours=rt.config.outbound.kefu_window_hours)
    return member.last_message_at is not None and member.last_message_at > now - window


def _text_data(rt: Runtime, row: OutboxMessage) -> dict[str, Any]:
    """Template data for a text-only message: the text and the local time, in the configured fields."""
    fields = rt.config.wechat.template_fields
    limit = rt.config.outbound.template_text_max_chars
    data: dict[str, Any] = {}
    if fields.text:
        text = row.text if len(row.text) <= limit else row.text[:limit - 1] + "…"
        data[fields.text] = {"value": text}
    if fields.time:
        data[fields.time] = {"value": rt.local(row.created_at or rt.now()).strftime("%Y-%m-%d %H:%M")}
    return data


def send(api: WeChatAPI, plan: Plan) -> dict[str, Any]:
    """Call WeChat; a kefu refusal (window closed, kefu quota) falls back to the template message."""
    if plan.channel == KEFU:
        try:
            return api.send_text(plan.openid, plan.text)
        except KefuRefused as exc:
            if not plan.template_id:
                raise PermanentError(f"{exc}；" + NOTES["no_template"].format(kind=plan.kind), exc.code) from None
            log.info("kefu refused for %s (%s); sending the template message", plan.openid, exc)
            plan.channel = TEMPLATE
    if not plan.template_id:
        raise PermanentError(NOTES["no_template"].format(kind=plan.kind))
    return api.send_template(plan.openid, plan.template_id, plan.data, plan.url)


def _settle_error(rt: Runtime, row_id: int, attempt: int, plan: Plan, now: datetime, exc: Exception) -> str:
    cfg = rt.config.outbound
    error = redact(str(exc))
    if isinstance(exc, PermanentError):
        outcome, values = "failed", {"status": FAILED}
    elif isinstance(exc, RateLimited):
        pause = _pause_seconds(rt, exc, now)
        rt.kv.set(PAUSE_KEY + plan.channel, "1", ttl=pause)
        # a rate limit is not the message's fault: the attempt does not count against max_attempts
        outcome, values = "retry", {"status": PENDING, "attempts": attempt - 1,
                                    "next_attempt_at": now + timedelta(seconds=pause)}
    elif isinstance(exc, TransientError) or (isinstance(exc, AmbiguousError)
                                             and cfg.resend_after_timeout):
        if attempt >= cfg.max_attempts:
            outcome, values = "failed", {"status": FAILED}
        else:
            outcome, values = "retry", {"status": PENDING, "next_attempt_at": now + _backoff(rt, attempt)}
    elif isinstance(exc, AmbiguousError):
        outcome, values = "unknown", {"status": UNKNOWN}
        error = NOTES["timeout"].format(id=row_id, error=error)
    else:
        log.exception("outbox %s: unexpected error while sending", row_id, exc_info=exc)
        outcome, values = "unknown", {"status": UNKNOWN}
        error = NOTES["crash"].format(error=error)
    _finish(rt, row_id, attempt, channel=plan.channel, last_error=error, **values)
    log.warning("outbox %s to %s: %s (%s)", row_id, plan.openid, outcome, error)
    return outcome


def _backoff(rt: Runtime, attempt: int) -> timedelta:
    cfg = rt.config.outbound
    return timedelta(seconds=min(cfg.backoff_seconds * 2 ** max(attempt - 1, 0), cfg.backoff_max_seconds))


def _pause_seconds(rt: Runtime, exc: RateLimited, now: datetime) -> float:
    """45009 (daily quota): until just after local midnight; 45011 (per minute): a short pause."""
    if exc.code == 45009:
        local = rt.local(now)
        midnight = (local + timedelta(days=1)).replace(hour=0, minute=1, second=0, microsecond=0)
        return (midnight - local).total_seconds()
    return rt.config.outbound.rate_limit_pause_seconds


def _paused(rt: Runtime, channel: str) -> bool:
    return rt.kv.get(PAUSE_KEY + channel) is not None


def _finish(rt: Runtime, row_id: int, attempt: int, **values: Any) -> None:
    """Record the outcome, unless staff reset the row meanwhile (attempt is the claim's fencing token)."""
    with rt.db.session() as session:
        rows.settle(session, row_id, attempt, **values)


def retry(rt: Runtime, row_id: int) -> OutboxMessage:
    """Staff: send a failed or unknown row again (for 'unknown', only once sure it never arrived)."""
    with rt.db.session() as session:
        row = session.get(OutboxMessage, row_id)
        if row is None:
            raise LookupError(row_id)
        if row.status not in (FAILED, UNKNOWN):
            raise ValueError(row.status)
        rows.reset(row, NOTES["retried"].format(status=row.status, error=row.last_error))
        return row


def requeue(rt: Runtime, session: Session, row_id: int, **content: Any) -> bool:
    """Make a failed or pending row due now with fresh content (e.g. the digest sent again); a row a worker
    has just claimed, or one already sent or of unknown fate, is left alone (False)."""
    return rows.requeue(session, row_id, rt.now(), **content)


def cancel(row: OutboxMessage, note: str) -> None:
    """Withdraw a pending row (a reminder whose activity moved or was cancelled): it never goes out."""
    rows.cancel(row, note)
