"""Outbox: every outbound message is written to the database first, then sent by the worker.

Life of a row:  pending --claim--> sending --WeChat's answer--> sent | failed | pending (retry later)
                sent --delivery receipt--> delivered | user_blocked | failed
A claim is one conditional UPDATE (status='pending' AND due), so two workers never take the same
row. A row is sent at most once: whenever we cannot know whether WeChat delivered it (the worker
died mid-send, or WeChat never answered) it becomes 'unknown' and is not resent automatically;
staff may resend it with `python -m bot outbox retry ID`.
While a row is 'sending', next_attempt_at holds the end of its lease.
This module owns every outbox status change (the digest requeues with `requeue`, reminders are withdrawn
with `cancel`, receipts settle with `record_receipt`); the queries are storage/outbox.py, the staff notes
bot/wording/outbound.py.

Channel: the first of `outbound.channels` (default kefu → subscribe → template) that may carry the row now:
  kefu       a customer-service text, while the member's window and quota allow (storage/kefu_quota.py:
             counted before sending; WeChat's 45015/45047 still fall through to the next channel);
  subscribe  a 订阅通知 (wechat.subscribe[kind]) where the member opted in (storage/subscriptions.py);
  template   a template message (template id from the row or wechat.templates[kind], falling back to `notice`).
Template and 订阅通知 carry short keyword values (bot/template_data.py) and link the full text (/notice/<token>).
Without AppID/AppSecret nothing is sent: rows wait, and the process says so once.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy.orm import Session

from bot import template_data
from bot.config import SubscribeTemplate
from bot.runtime import Runtime
from bot.signed_links import notice_url
from bot.wechat_api import (
    AmbiguousError, KefuRefused, PermanentError, RateLimited, SubscribeRefused, TransientError, WeChatAPI,
    client_for, redact,
)
from bot.wording.outbound import DELIVERY_SUMMARY, OUTBOX_NOTES as NOTES
from storage import kefu_quota, subscriptions
from storage import outbox as rows
from storage.kefu_quota import Allowance
from storage.models import OutboxMessage
from storage.outbox import IMMEDIATELY  # noqa: F401
from storage.statuses import DeliveryOutcome, OutboxChannel, OutboxStatus

log = logging.getLogger(__name__)

PAUSE_KEY = "outbox:pause:"  # + channel: set after a rate limit so every worker backs off
_warned_unconfigured = False   # "no AppID/AppSecret" is logged once per process


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
    """How one row goes out, and what was reserved for it (given back when nothing went out)."""

    openid: str
    channel: OutboxChannel
    text: str
    kind: str
    template_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    url: str = ""
    member_id: int | None = None
    allowance: Allowance | None = None     # kefu: the quota a reservation was taken from
    one_time: bool = False                 # subscribe: a one-time opt-in was taken


def enqueue(session: Session, *, openid: str, text: str, kind: str, member_id: int | None = None,
            template: dict[str, Any] | None = None, dedup_key: str | None = None,
            not_before: datetime | None = None, brief: dict[str, str] | None = None) -> OutboxMessage:
    """Record a message to send (the same dedup_key never makes a second row). `brief`: the short keyword
    values for a template message or 订阅通知 (bot/template_data.brief); without it they come from the text."""
    if brief:
        template = {**(template or {}), "brief": brief}
    return rows.enqueue(session, openid=openid, text=text, kind=kind, member_id=member_id, template=template,
                        dedup_key=dedup_key, not_before=not_before)


def credentials_missing(rt: Runtime) -> bool:
    """No AppID/AppSecret: nothing can be sent; rows wait. Logged once per process."""
    global _warned_unconfigured
    if rt.config.wechat.has_credentials:
        return False
    if not _warned_unconfigured:
        _warned_unconfigured = True
        log.warning(NOTES["no_credentials"])
    return True


def deliver_due(rt: Runtime, limit: int | None = None, only_ids: Iterable[int] | None = None,
                now: datetime | None = None, api: WeChatAPI | None = None) -> DeliveryReport:
    """Send the rows that are due now (or only those of `only_ids` that are due). Safe to run in parallel."""
    now = now or rt.now()
    only_ids = None if only_ids is None else list(only_ids)
    limit = limit or (len(only_ids) if only_ids else rt.config.outbound.batch_size)
    report = DeliveryReport(unknown=reap_stale(rt, now))
    if credentials_missing(rt):
        return report
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
        if row is None or row.status != OutboxStatus.PENDING:
            return DeliveryOutcome.SKIPPED
        candidates = [c for c in channels_for(rt, row) if not _paused(rt, c)]
    if not candidates:
        return DeliveryOutcome.SKIPPED
    attempt = claim(rt, row_id, now)
    if attempt is None:
        return DeliveryOutcome.SKIPPED
    refused: list[str] = []
    while True:
        plan = _reserve_plan(rt, row_id, candidates, now)
        if plan is None:
            note = "；".join([*refused, NOTES["no_channel"].format(kind=_kind_of(rt, row_id))])
            _finish(rt, row_id, attempt, status=OutboxStatus.FAILED, last_error=note)
            log.warning("outbox %s: no channel can carry it now (%s)", row_id, note)
            return DeliveryOutcome.FAILED
        try:
            answer = send(api, plan)
        except (KefuRefused, SubscribeRefused) as exc:  # that channel is closed for this member: try the next
            _closed(rt, plan, exc)
            refused.append(redact(str(exc)))
            candidates.remove(plan.channel)
            continue
        except Exception as exc:  # noqa: BLE001 - every failure is settled on the row
            return _settle_error(rt, row_id, attempt, plan, now, exc)
        _finish(rt, row_id, attempt, status=OutboxStatus.SENT, channel=plan.channel, sent_at=now, last_error="",
                msgid=str(answer.get("msgid") or ""),
                response=json.dumps({**answer, "template_id": plan.template_id} if plan.template_id else answer,
                                    ensure_ascii=False))
        log.info("outbox %s sent by %s to %s", row_id, plan.channel, plan.openid)
        return DeliveryOutcome.SENT


def claim(rt: Runtime, row_id: int, now: datetime) -> int | None:
    """Atomically take a due pending row; returns its attempt number, or None if someone else has it."""
    lease = timedelta(seconds=rt.config.outbound.lease_seconds)
    with rt.db.session() as session:
        return rows.claim(session, row_id, now, lease)


def channels_for(rt: Runtime, row: OutboxMessage) -> list[OutboxChannel]:
    """The configured channels that could carry this row at all (a text; a template or 订阅通知 configured)."""
    possible = {OutboxChannel.KEFU: bool(row.text), OutboxChannel.SUBSCRIBE: bool(_subscribe_template(rt, row.kind)),
                OutboxChannel.TEMPLATE: bool(_template_id(rt, row))}
    return [channel for channel in rt.config.outbound.channels if possible[channel]]


def _reserve_plan(rt: Runtime, row_id: int, candidates: list[OutboxChannel], now: datetime) -> Plan | None:
    """The first candidate channel open for this member now, its quota or opt-in reserved; None if none is."""
    with rt.db.session() as session:
        row = session.get(OutboxMessage, row_id)
        member = rows.recipient(session, row)
        for channel in candidates:
            plan = _plan(rt, row, channel, member.id if member else None)
            if _take(rt, session, plan, now):
                return plan
    return None


def _plan(rt: Runtime, row: OutboxMessage, channel: OutboxChannel, member_id: int | None) -> Plan:
    spec = row.template or {}
    plan = Plan(openid=row.openid, channel=channel, text=row.text, kind=row.kind, member_id=member_id)
    if channel == OutboxChannel.KEFU:
        return plan
    values = spec.get("brief") or template_data.from_text(row.text, rt.local(row.created_at or rt.now()))
    plan.url = spec.get("url") or notice_url(rt, row.id)
    if channel == OutboxChannel.SUBSCRIBE:
        plan.template_id = _subscribe_template(rt, row.kind)
        plan.data = template_data.data_for(values, rt.config.wechat.subscribe_fields)
    else:
        plan.template_id = _template_id(rt, row)
        plan.data = spec.get("data") or template_data.data_for(values, rt.config.wechat.template_fields)
    return plan


def _take(rt: Runtime, session: Session, plan: Plan, now: datetime) -> bool:
    """Reserve what the channel needs: a kefu quota slot, a 订阅通知 opt-in; templates need nothing."""
    cfg = rt.config.outbound
    if plan.channel == OutboxChannel.KEFU:
        if plan.member_id is None:
            return True  # not on the roster: no window known, WeChat decides
        plan.allowance = kefu_quota.reserve(
            session, plan.member_id, now, window=timedelta(hours=cfg.kefu_window_hours), quota=cfg.kefu_message_quota,
            event_window=timedelta(seconds=cfg.kefu_event_window_seconds), event_quota=cfg.kefu_event_quota)
        return plan.allowance is not None
    if plan.channel == OutboxChannel.SUBSCRIBE:
        plan.one_time = _subscribe_spec(rt, plan.kind).mode == "one_time"
        return subscriptions.reserve(session, plan.openid, plan.template_id, long_term=not plan.one_time)
    return True


def _release(rt: Runtime, plan: Plan) -> None:
    """Nothing went out: give back what was reserved for the plan."""
    with rt.db.session() as session:
        if plan.allowance is not None and plan.member_id is not None:
            kefu_quota.release(session, plan.member_id, plan.allowance)
        if plan.channel == OutboxChannel.SUBSCRIBE and plan.one_time:
            subscriptions.release(session, plan.openid, plan.template_id)


def _closed(rt: Runtime, plan: Plan, exc: Exception) -> None:
    """WeChat refused the channel for this member: remember it, so the next message does not try it first."""
    log.info("%s refused for %s (%s); trying the next channel", plan.channel, plan.openid, exc)
    cfg = rt.config.outbound
    with rt.db.session() as session:
        if plan.channel == OutboxChannel.KEFU and plan.member_id is not None:
            kefu_quota.exhaust(session, plan.member_id, cfg.kefu_message_quota, cfg.kefu_event_quota)
        elif plan.channel == OutboxChannel.SUBSCRIBE:
            subscriptions.record(session, plan.openid, plan.template_id, accepted=False, now=rt.now())


def _template_id(rt: Runtime, row: OutboxMessage) -> str:
    templates = rt.config.wechat.templates
    return (row.template or {}).get("template_id") or templates.get(row.kind) or templates.get("notice") or ""


def _subscribe_spec(rt: Runtime, kind: str) -> SubscribeTemplate | None:
    """The 订阅通知 template for this kind of message (falling back to `notice`), if one is configured."""
    chosen = rt.config.wechat.subscribe
    return next((chosen[name] for name in (kind, "notice") if name in chosen and chosen[name].template_id), None)


def _subscribe_template(rt: Runtime, kind: str) -> str:
    spec = _subscribe_spec(rt, kind)
    return spec.template_id if spec else ""


def _kind_of(rt: Runtime, row_id: int) -> str:
    with rt.db.session() as session:
        row = session.get(OutboxMessage, row_id)
        return row.kind if row else ""


def send(api: WeChatAPI, plan: Plan) -> dict[str, Any]:
    """Call WeChat on the plan's channel."""
    if plan.channel == OutboxChannel.KEFU:
        return api.send_text(plan.openid, plan.text)
    if plan.channel == OutboxChannel.SUBSCRIBE:
        return api.send_subscribe(plan.openid, plan.template_id, plan.data, plan.url)
    return api.send_template(plan.openid, plan.template_id, plan.data, plan.url)


def _settle_error(rt: Runtime, row_id: int, attempt: int, plan: Plan, now: datetime, exc: Exception) -> str:
    """Settle a failed send: retry later, failed, or unknown (it may have arrived)."""
    cfg = rt.config.outbound
    error = redact(str(exc))
    if not isinstance(exc, AmbiguousError):  # it did not go out: the quota or opt-in is still there
        _release(rt, plan)
    if isinstance(exc, PermanentError):
        outcome, values = "failed", {"status": OutboxStatus.FAILED}
    elif isinstance(exc, RateLimited):
        pause = _pause_seconds(rt, exc, now)
        rt.kv.set(PAUSE_KEY + plan.channel, "1", ttl=pause)
        # a rate limit is not the message's fault: the attempt does not count against max_attempts
        outcome, values = "retry", {"status": OutboxStatus.PENDING, "attempts": attempt - 1,
                                    "next_attempt_at": now + timedelta(seconds=pause)}
    elif isinstance(exc, TransientError) or (isinstance(exc, AmbiguousError)
                                             and cfg.resend_after_timeout):
        if attempt >= cfg.max_attempts:
            outcome, values = "failed", {"status": OutboxStatus.FAILED}
        else:
            outcome, values = "retry", {"status": OutboxStatus.PENDING,
                                        "next_attempt_at": now + _backoff(rt, attempt)}
    elif isinstance(exc, AmbiguousError):
        outcome, values = "unknown", {"status": OutboxStatus.UNKNOWN}
        error = NOTES["timeout"].format(id=row_id, error=error)
    else:
        log.exception("outbox %s: unexpected error while sending", row_id, exc_info=exc)
        outcome, values = "unknown", {"status": OutboxStatus.UNKNOWN}
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
        if row.status not in (OutboxStatus.FAILED, OutboxStatus.UNKNOWN):
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


RECEIPT_STATES = {"success": OutboxStatus.DELIVERED, "failed:user block": OutboxStatus.USER_BLOCKED}


def record_receipt(rt: Runtime, session: Session, *, openid: str, msgid: str, channel: OutboxChannel,
                   status_text: str, template_id: str = "") -> OutboxMessage | None:
    """A delivery receipt (TEMPLATESENDJOBFINISH, subscribe_msg_sent_event) settles the sent row it names:
    delivered, user_blocked (the member refuses the account's messages) or failed (staff may retry)."""
    row = rows.by_receipt(session, msgid, openid, channel, template_id)
    if row is None:
        log.info("receipt for unknown message %s (%s): ignored", msgid, status_text)
        return None
    wording = " ".join(status_text.lower().split())
    status = RECEIPT_STATES.get(wording.replace(": ", ":"), OutboxStatus.FAILED)
    note = "" if status == OutboxStatus.DELIVERED else NOTES["receipt"].format(status=status_text)
    rows.settle_receipt(session, row.id, status, note, rt.now())
    return row
