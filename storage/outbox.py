"""The outbox table's queries: write a row, find due ones, claim, settle, reset. bot/outbox.py alone calls the
status-changing ones (it owns every outbox status change); the life of a row is described there.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import case, select, update
from sqlalchemy.orm import Session

from storage.models import Member, OutboxMessage
from storage.statuses import OutboxChannel, OutboxStatus

IMMEDIATELY = datetime(2000, 1, 1, tzinfo=timezone.utc)  # a new row is due at once, whatever the clock


def enqueue(session: Session, *, openid: str, text: str, kind: str, member_id: int | None = None,
            template: dict[str, Any] | None = None, dedup_key: str | None = None,
            not_before: datetime | None = None) -> OutboxMessage:
    """Record a message to send. The same dedup_key never makes a second row.

    template: {"template_id": optional (default wechat.templates[kind]), "url": optional (default: the signed
               link to the text), "brief": optional short values (bot/template_data.py; default: from the text)}.
    A row with text="" never goes as a customer-service message.
    """
    if dedup_key:
        existing = by_key(session, dedup_key)
        if existing is not None:
            return existing
    message = OutboxMessage(openid=openid, text=text, kind=kind, member_id=member_id,
                            template=template, dedup_key=dedup_key, status=OutboxStatus.PENDING,
                            next_attempt_at=not_before or IMMEDIATELY)
    session.add(message)
    session.flush()
    return message


def by_key(session: Session, dedup_key: str) -> OutboxMessage | None:
    return session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))


def by_keys(session: Session, keys: Iterable[str]) -> dict[str, OutboxMessage]:
    keys = list(keys)
    if not keys:
        return {}
    return {row.dedup_key: row for row in session.scalars(select(OutboxMessage)
                                                          .where(OutboxMessage.dedup_key.in_(keys)))}


def statuses(session: Session, ids: Iterable[int]) -> dict[int, str]:
    return dict(session.execute(select(OutboxMessage.id, OutboxMessage.status)
                                .where(OutboxMessage.id.in_(list(ids)))).all())


def due_ids(session: Session, now: datetime, limit: int, only_ids: Iterable[int] | None = None) -> list[int]:
    query = (select(OutboxMessage.id)
             .where(OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.next_attempt_at <= now)
             .order_by(OutboxMessage.id).limit(limit))
    if only_ids is not None:
        query = query.where(OutboxMessage.id.in_(list(only_ids)))
    return list(session.scalars(query))


def latest(session: Session, limit: int, status: str | None = None) -> list[OutboxMessage]:
    """The newest rows first, optionally of one status (`outbox list`)."""
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(max(limit, 1))
    if status:
        query = query.where(OutboxMessage.status == status)
    return list(session.scalars(query))


def pending_with_prefix(session: Session, kind: str, key_prefix: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).where(
        OutboxMessage.status == OutboxStatus.PENDING, OutboxMessage.kind == kind, OutboxMessage.dedup_key.like(key_prefix + "%"))))


def recipient(session: Session, row: OutboxMessage) -> Member | None:
    """The roster entry a row goes to, by member id, else by openid."""
    if row.member_id:
        return session.get(Member, row.member_id)
    return session.scalar(select(Member).where(Member.openid == row.openid))


# --- status changes: called only by bot/outbox.py ---------------------------------------------
def _set_if(session: Session, row_id: int, *where: Any, **values: Any) -> bool:
    """One conditional UPDATE of a row; True when it changed."""
    return session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id, *where).values(**values)
                           .execution_options(synchronize_session=False)).rowcount == 1


def mark_stale_unknown(session: Session, now: datetime, note: str) -> list[int]:
    """Rows left 'sending' past their lease become 'unknown' (note: last_error, may name {id})."""
    stale = (OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.next_attempt_at <= now)
    ids = list(session.scalars(select(OutboxMessage.id).where(*stale)))
    return [row_id for row_id in ids if _set_if(session, row_id, *stale, status=OutboxStatus.UNKNOWN,
                                                 last_error=note.format(id=row_id))]


def claim(session: Session, row_id: int, now: datetime, lease: timedelta) -> int | None:
    """Atomically take a due pending row; returns its attempt number, or None if someone else has it."""
    taken = _set_if(session, row_id, OutboxMessage.status == OutboxStatus.PENDING,
                    OutboxMessage.next_attempt_at <= now, status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1, next_attempt_at=now + lease)
    if not taken:
        return None
    return session.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == row_id))


def settle(session: Session, row_id: int, attempt: int, **values: Any) -> bool:
    """Record a send's outcome, unless staff reset the row meanwhile (attempt is the claim's fencing token)."""
    return _set_if(session, row_id, OutboxMessage.attempts == attempt,
                   OutboxMessage.status.in_([OutboxStatus.SENDING, OutboxStatus.UNKNOWN]), **values)


def requeue(session: Session, row_id: int, now: datetime, **content: Any) -> bool:
    """A failed or pending row gets fresh content and is due now (a failed one starts counting attempts
    again). Conditional, so a row a worker has just claimed is left alone; True when requeued."""
    failed, pending = OutboxStatus.FAILED, OutboxStatus.PENDING
    return _set_if(session, row_id, OutboxMessage.status.in_((failed, pending)),
                   status=pending, attempts=case((OutboxMessage.status == failed, 0), else_=OutboxMessage.attempts),
                   next_attempt_at=now.astimezone(timezone.utc), **content)


def reset(row: OutboxMessage, note: str) -> None:
    """Staff resend of a failed or unknown row: due at once with a fresh attempt count."""
    row.last_error = note[:2000]
    row.status, row.attempts, row.next_attempt_at = OutboxStatus.PENDING, 0, IMMEDIATELY


def cancel(row: OutboxMessage, note: str) -> None:
    """A pending row that must not go out any more."""
    row.status, row.last_error = OutboxStatus.CANCELLED, note


def by_receipt(session: Session, msgid: str, openid: str, channel: OutboxChannel,
               template_id: str = "") -> OutboxMessage | None:
    """The sent row a delivery receipt is about: by WeChat's msgid, else (a 订阅通知 whose send answered no
    msgid) the oldest row of that user and template still waiting for its receipt."""
    if msgid:
        row = session.scalar(select(OutboxMessage).where(OutboxMessage.msgid == msgid,
                                                         OutboxMessage.openid == openid))
        if row is not None or channel != OutboxChannel.SUBSCRIBE:
            return row
    waiting = select(OutboxMessage).where(OutboxMessage.openid == openid, OutboxMessage.channel == channel,
                                          OutboxMessage.status == OutboxStatus.SENT,
                                          OutboxMessage.receipt_at.is_(None), OutboxMessage.msgid == "")
    if template_id:  # the send's answer is stored with the template id it used
        waiting = waiting.where(OutboxMessage.response.contains(template_id, autoescape=True))
    return session.scalars(waiting.order_by(OutboxMessage.id).limit(1)).first()


def settle_receipt(session: Session, row_id: int, status: OutboxStatus, note: str, now: datetime) -> bool:
    """A receipt's final state for a sent row (first receipt wins; a row staff reset meanwhile is left alone)."""
    values: dict[str, Any] = {"status": status, "receipt_at": now}
    if note:
        values["last_error"] = note
    return _set_if(session, row_id, OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.receipt_at.is_(None),
                   **values)
