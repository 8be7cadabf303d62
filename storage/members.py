"""Roster look-ups (binding a WeChat account to an entry: storage/binding.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Member


def by_openid(session: Session, openid: str) -> Member | None:
    return session.scalar(select(Member).where(Member.openid == openid))


def by_phone(session: Session, phone: str) -> Member | None:
    return session.scalar(select(Member).where(Member.phone == phone))


TOUCH_PRECISION = timedelta(minutes=10)  # finer is not needed for a 48-hour window, and saves a write


def touch(member: Member, moment: datetime) -> None:
    """Remember the member's last message: it opens WeChat's 48-hour service window."""
    if member.last_message_at is None or moment - member.last_message_at >= TOUCH_PRECISION:
        member.last_message_at = moment

