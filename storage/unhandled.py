"""Messages whose handling failed, kept for staff (`messages failed`); bot/inbox.py stores them."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Member, UnhandledMessage


def latest(session: Session, limit: int) -> list[tuple[UnhandledMessage, Member | None]]:
    """The newest first, each with the roster entry of its sender (None for a stranger)."""
    rows = session.execute(select(UnhandledMessage, Member)
                           .outerjoin(Member, Member.openid == UnhandledMessage.openid)
                           .order_by(UnhandledMessage.id.desc()).limit(limit)).all()
    return [(message, member) for message, member in rows]


def exists(session: Session, message_key: str) -> bool:
    return session.scalar(select(UnhandledMessage.id).where(UnhandledMessage.message_key == message_key)) is not None


def keep(session: Session, *, openid: str, message_key: str, msg_type: str, text: str, error: str) -> None:
    """Store a message once per message key (a retry of the same message adds nothing)."""
    if not exists(session, message_key):
        session.add(UnhandledMessage(openid=openid, message_key=message_key, msg_type=msg_type, text=text,
                                     error=error[:2000]))
