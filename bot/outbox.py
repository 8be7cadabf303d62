"""Outbox: every outbound message is written to the database first, then sent by the worker."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import OutboxMessage


def enqueue(session: Session, *, openid: str, text: str, kind: str, member_id: int | None = None,
            template: dict[str, Any] | None = None, dedup_key: str | None = None) -> OutboxMessage:
    """Record a message to send. The same dedup_key never makes a second row."""
    if dedup_key:
        existing = session.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if existing is not None:
            return existing
    message = OutboxMessage(openid=openid, text=text, kind=kind, member_id=member_id,
                            template=template, dedup_key=dedup_key)
    session.add(message)
    session.flush()
    return message
