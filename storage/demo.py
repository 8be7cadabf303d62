"""Demo data (`python -m bot demo`): members and activities marked is_demo, never counted, removable.

`real_members()` is the filter every count, export and digest uses; `remove()` deletes the demo rows
and everything hanging off them (sign-ups, check-ins, reports with their history, outbox rows).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, delete, false, func, or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    Activity, Checkin, Member, OutboxMessage, Report, ReportAttachment, ReportEvent, ReportSecond, Signup,
)
from storage.statuses import MemberRole


def real_members():
    """WHERE clause: CPPCC members who are not demo entries (staff and demo data are never counted)."""
    return and_(Member.role == MemberRole.MEMBER, Member.is_demo == false())


@dataclass(frozen=True)
class Removed:
    members: int
    activities: int
    openids: list[str]  # bound demo accounts, whose short-lived state the caller may clear


def remove(session: Session) -> Removed:
    """Delete every demo member and demo activity with the rows that depend on them (one transaction)."""
    members = list(session.scalars(select(Member.id).where(Member.is_demo.is_(True))))
    activities = list(session.scalars(select(Activity.id).where(Activity.is_demo.is_(True))))
    openids = list(session.scalars(select(Member.openid).where(Member.id.in_(members), Member.openid.is_not(None))))
    reports = list(session.scalars(select(Report.id).where(Report.member_id.in_(members))))
    for column in (Report.revision_of_id, Report.merged_into_id):  # real reports never point at removed ones
        session.execute(update(Report).where(column.in_(reports)).values({column.key: None}))
    for model in (ReportEvent, ReportAttachment):
        session.execute(delete(model).where(model.report_id.in_(reports)))
    session.execute(delete(ReportSecond).where(or_(ReportSecond.report_id.in_(reports),
                                                   ReportSecond.member_id.in_(members))))
    session.execute(delete(Report).where(Report.id.in_(reports)))
    session.execute(delete(Signup).where(or_(Signup.member_id.in_(members), Signup.activity_id.in_(activities))))
    session.execute(delete(Checkin).where(Checkin.member_id.in_(members)))
    session.execute(delete(OutboxMessage).where(or_(OutboxMessage.member_id.in_(members),
                                                    OutboxMessage.openid.in_(openids))))
    session.execute(delete(Activity).where(Activity.id.in_(activities)))
    session.execute(delete(Member).where(Member.id.in_(members)))
    return Removed(len(members), len(activities), openids)


def real_people(session: Session) -> int:
    """Roster entries (members and staff) that are not demo entries."""
    return session.scalar(select(func.count(Member.id)).where(Member.is_demo.is_(False))) or 0


def activity_titles(session: Session) -> set[str]:
    """Titles of the demo activities already loaded."""
    return set(session.scalars(select(Activity.title).where(Activity.is_demo.is_(True))))
