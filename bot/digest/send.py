"""Sending the digest to staff through the outbox: one row per bound staff member (dedup_key
digest:<day>:<member_id>), delivered now, so a second send of the same day messages nobody again except
those whose send failed. The worker calls `send_scheduled` daily.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot import outbox
from bot.digest.build import build_digest
from bot.digest.render import format_day, message_text, template_message
from bot.runtime import Runtime
from bot.wording.digest import SEND, TEXT
from storage import digest_figures
from storage import outbox as outbox_rows
from storage.statuses import SENT_STATES, OutboxStatus

log = logging.getLogger(__name__)


@dataclass
class SendSummary:
    day: date
    staff: int = 0          # bound staff members
    new: int = 0            # rows written this time
    retried: int = 0        # failed before, reset for another try
    already_sent: int = 0   # sent earlier: not messaged again
    sent: int = 0           # delivered by this call
    failed: list[str] = field(default_factory=list)   # names whose send failed (this time)
    unknown: dict[int, str] = field(default_factory=dict)  # outbox id -> name: maybe delivered, not resent
    queued: int = 0         # left pending for the worker (no sender, a retry later, or being sent)

    def lines(self) -> list[str]:
        if not self.staff:
            return [SEND["no_staff"]]
        sep = TEXT["item_sep"]
        out = []
        if self.sent:
            out.append(SEND["sent"].format(n=self.sent))
        if self.retried:
            out.append(SEND["retried"].format(n=self.retried))
        if self.already_sent:
            out.append(SEND["already"].format(date=format_day(self.day), n=self.already_sent))
        if self.failed:
            out.append(SEND["failed"].format(n=len(self.failed), names=sep.join(self.failed)))
        if self.unknown:
            out.append(SEND["unknown"].format(n=len(self.unknown), names=sep.join(self.unknown.values()),
                                              ids=sep.join(map(str, self.unknown))))
        if self.queued:
            out.append(SEND["queued"].format(n=self.queued))
        return out


def digest_key(day: date, member_id: int) -> str:
    return f"digest:{day.isoformat()}:{member_id}"


def send_for_day(rt: Runtime, day: date) -> SendSummary:
    """Queue the day's digest for every bound staff member and deliver it now. Safe to repeat:
    sent rows are skipped, failed rows are retried, rows of unknown fate are left for staff."""
    digest = build_digest(rt, day)
    url = _page_link(rt, day)
    content = {"text": message_text(digest, url, rt.config.wechat.reply_max_bytes),
               "template": template_message(rt, digest, url)}
    summary = SendSummary(day=day)
    with rt.kv.lock(f"digest:send:{day.isoformat()}", timeout=60, wait=60):
        with rt.db.session() as session:
            todo = _queue_rows(rt, session, summary, content)
    _deliver(rt, todo, summary)
    return summary


def _page_link(rt: Runtime, day: date) -> str:
    """The signed page link (the key derives from the app secret unless digest.secret is set); without any
    secret the digest still goes out, without a link."""
    from bot.signed_links import LinkError, digest_url

    try:
        return digest_url(rt, day)
    except LinkError:
        log.warning("digest link not configured (digest.secret or wechat.secret): sending without a link")
        return ""


def _queue_rows(rt: Runtime, session: Session, summary: SendSummary, content: dict[str, Any]) -> dict[int, str]:
    """Write new rows and make unsent ones due now; returns {outbox id: staff name} to deliver."""
    staff = digest_figures.bound_staff(session)
    summary.staff = len(staff)
    keys = {digest_key(summary.day, m.id): m for m in staff}
    rows = outbox_rows.by_keys(session, keys)
    todo: dict[int, str] = {}
    for key, member in keys.items():
        row = rows.get(key)
        if row is None:
            row = outbox.enqueue(session, openid=member.openid, kind="digest", member_id=member.id,
                                 dedup_key=key, **content)
            summary.new += 1
            todo[row.id] = member.name
        elif row.status in SENT_STATES:
            summary.already_sent += 1
        elif row.status == OutboxStatus.UNKNOWN:
            summary.unknown[row.id] = member.name
        elif row.status == OutboxStatus.USER_BLOCKED:  # the member refuses the account's messages
            summary.failed.append(member.name)
        elif outbox.requeue(rt, session, row.id, **content):
            summary.retried += row.status == OutboxStatus.FAILED  # the status read above, before the update
            todo[row.id] = member.name
        else:  # being sent by another process right now
            summary.queued += 1
    return todo


def _deliver(rt: Runtime, todo: dict[int, str], summary: SendSummary) -> None:
    """Send the queued rows now; report what happened to each."""
    if not todo:
        return
    try:
        outbox.deliver_due(rt, limit=len(todo), only_ids=list(todo))
    except Exception:  # the rows stay in the outbox; the worker sends them later
        log.exception("digest %s: delivery failed", summary.day)
    with rt.db.session() as session:
        statuses = outbox_rows.statuses(session, todo)
    for row_id, name in todo.items():
        status = statuses.get(row_id)
        if status in SENT_STATES:
            summary.sent += 1
        elif status == OutboxStatus.FAILED:
            summary.failed.append(name)
        elif status == OutboxStatus.UNKNOWN:
            summary.unknown[row_id] = name
        else:
            summary.queued += 1


def send_scheduled(rt: Runtime, now: datetime | None = None) -> SendSummary:
    """The scheduler's daily job: yesterday's digest (idempotent, so several workers may call it)."""
    today = rt.local(now or rt.now()).date()
    summary = send_for_day(rt, today - timedelta(days=1))
    log.info("digest %s: %s", summary.day, " ".join(summary.lines()))
    return summary
