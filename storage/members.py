"""Roster look-ups (binding a WeChat account to an entry: storage/binding.py)."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage import kefu_quota
from storage.models import Member


def by_openid(session: Session, openid: str) -> Member | None:
    return session.scalar(select(Member).where(Member.openid == openid))


def by_phone(session: Session, phone: str) -> Member | None:
    return session.scalar(select(Member).where(Member.phone == phone))


TOUCH_PRECISION = timedelta(minutes=10)  # finer is not needed for a 48-hour window, and saves a write


def touch(member: Member, moment: datetime) -> None:
    """Remember the member's last message: it opens WeChat's 48-hour service window and its kefu quota."""
    if member.last_message_at is None or member.kefu_used or moment - member.last_message_at >= TOUCH_PRECISION:
        kefu_quota.opened_by_message(member, moment)



def search(session: Session, *, text: str = "", role: str | None = None, sector: str | None = None,
           district: str | None = None, bound: bool | None = None) -> list[Member]:
    """The roster filtered (name or phone containing `text`, role, 界别, 旗区, WeChat bound or not)."""
    query = select(Member)
    if text:
        query = query.where(or_(Member.name.contains(text, autoescape=True),
                                Member.phone.contains(text, autoescape=True)))
    if role:
        query = query.where(Member.role == role)
    if sector:
        query = query.where(Member.sector == sector)
    if district:
        query = query.where(Member.district == district)
    if bound is not None:
        query = query.where(Member.openid.is_not(None) if bound else Member.openid.is_(None))
    return list(session.scalars(query.order_by(Member.id)))


def sectors(session: Session) -> list[str]:
    """The 界别 in use on the roster."""
    return [s for s in session.scalars(select(Member.sector).distinct().order_by(Member.sector)) if s]
