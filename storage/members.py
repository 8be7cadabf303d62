"""Roster look-ups and binding a WeChat account to a roster entry."""
from __future__ import annotations

import enum
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.models import Member, utcnow


class BindResult(enum.Enum):
    BOUND = "bound"
    ALREADY_BOUND = "already_bound"        # this account is already this member
    NOT_FOUND = "not_found"                # no roster entry with this name and phone
    TAKEN = "taken"                        # the member is bound to another WeChat account
    ACCOUNT_IN_USE = "account_in_use"      # this WeChat account is bound to someone else


def by_openid(session: Session, openid: str) -> Member | None:
    return session.scalar(select(Member).where(Member.openid == openid))


def by_phone(session: Session, phone: str) -> Member | None:
    return session.scalar(select(Member).where(Member.phone == phone))


def bind(session: Session, openid: str, name: str, phone: str) -> tuple[BindResult, Member | None]:
    member = session.scalar(select(Member).where(Member.phone == phone).with_for_update())
    if member is None or _compact(member.name) != _compact(name):
        return BindResult.NOT_FOUND, None
    if member.openid == openid:
        return BindResult.ALREADY_BOUND, member
    if member.openid:
        return BindResult.TAKEN, member
    current = by_openid(session, openid)
    if current is not None:
        return BindResult.ACCOUNT_IN_USE, current
    member.openid = openid
    member.bound_at = utcnow()
    session.flush()
    return BindResult.BOUND, member


TOUCH_PRECISION = timedelta(minutes=10)  # finer is not needed for a 48-hour window, and saves a write


def touch(member: Member, moment: datetime) -> None:
    """Remember the member's last message: it opens WeChat's 48-hour service window."""
    if member.last_message_at is None or moment - member.last_message_at >= TOUCH_PRECISION:
        member.last_message_at = moment


def _compact(name: str) -> str:
    return "".join(name.split()).replace("·", "").replace("•", "")
