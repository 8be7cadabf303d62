"""WeChat's customer-service (kefu) quotas since 2023-06-12, counted per member in the members row:
after the member's message, at most N kefu messages within the window (5 in 48 h); after a menu click, follow
or scan, at most M within a minute (3). A send first reserves one with a conditional UPDATE, so several
workers never exceed a quota together; a send that did not go out gives its reservation back.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.models import Member


class Allowance(StrEnum):
    MESSAGE = "message"    # opened by the member's message
    EVENT = "event"        # opened by a menu click, follow or scan


def opened_by_event(session: Session, openid: str, moment: datetime) -> Member | None:
    """A menu click, follow or scan: a fresh one-minute window and quota for the member bound to this openid.
    One statement (UPDATE … RETURNING) that also loads the member, in the caller's transaction; None for a
    stranger. It locks the member row until the caller commits (as members.touch does for a message)."""
    return session.scalar(update(Member).where(Member.openid == openid)
                          .values(last_event_at=moment, kefu_event_used=0).returning(Member)
                          .execution_options(synchronize_session=False, populate_existing=True))


def reserve(session: Session, member_id: int, now: datetime, *, window: timedelta, quota: int,
            event_window: timedelta, event_quota: int) -> Allowance | None:
    """Take one kefu message from the member's open allowance (message window first); None when none is left."""
    taken = session.execute(update(Member).where(
        Member.id == member_id, Member.last_message_at > now - window, Member.kefu_used < quota)
        .values(kefu_used=Member.kefu_used + 1).execution_options(synchronize_session=False)).rowcount
    if taken:
        return Allowance.MESSAGE
    taken = session.execute(update(Member).where(
        Member.id == member_id, Member.last_event_at > now - event_window, Member.kefu_event_used < event_quota)
        .values(kefu_event_used=Member.kefu_event_used + 1).execution_options(synchronize_session=False)).rowcount
    return Allowance.EVENT if taken else None


def release(session: Session, member_id: int, allowance: Allowance) -> None:
    """Give back a reservation whose message did not go out."""
    column = Member.kefu_used if allowance == Allowance.MESSAGE else Member.kefu_event_used
    session.execute(update(Member).where(Member.id == member_id, column > 0)
                    .values({column: column - 1}).execution_options(synchronize_session=False))


def exhaust(session: Session, member_id: int, quota: int, event_quota: int) -> None:
    """WeChat refused a kefu message (45015/45047): take the open allowances as used up."""
    session.execute(update(Member).where(Member.id == member_id)
                    .values(kefu_used=quota, kefu_event_used=event_quota).execution_options(synchronize_session=False))
