"""The staff digest's figures for one day: the aggregate queries behind bot/digest/build.py.

Every function takes UTC bounds (or local calendar days for check-ins) worked out by the caller, and
leaves demo people and activities out (storage/demo.py); member counts leave staff out too.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any, Iterable, Sequence

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from storage.demo import real_members
from storage.models import Activity, Checkin, Member, Report, Signup
from storage.report_flow import SUBMITTED
from storage.statuses import ActivityStatus, MemberRole, SignupStatus


@dataclass(frozen=True)
class Span:
    """A span of local days as UTC bounds for queries: [start, end)."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class ReportLine:
    receipt_no: str
    title: str
    member: str
    district: str
    category: str
    created_at: datetime  # local time
    waited_days: int = 0


@dataclass(frozen=True)
class ActivityLine:
    code: str
    title: str
    start_at: datetime  # local time
    place: str
    capacity: int       # 0 = unlimited
    signed: int
    waitlist: int
    leave: int
    new_signups: int

    @property
    def fill(self) -> float | None:
        """Share of places taken, or None when unlimited."""
        return min(self.signed / self.capacity, 1.0) if self.capacity else None


@dataclass(frozen=True)
class DayCount:
    day: date
    reports: int
    checkins: int


@dataclass(frozen=True)
class Study:
    members: int
    count: int
    minutes: int


def _not_demo():
    return Member.is_demo.is_(False)


def report_lines(session: Session, tz: tzinfo, *where: Any, order: Iterable[Any], limit: int | None = None,
                 as_of: datetime | None = None) -> list[ReportLine]:
    """Reports matching `where` with their member's name; waited_days counted up to `as_of`."""
    query = (select(Report.receipt_no, Report.title, Member.name, Report.district, Report.category,
                    Report.created_at)
             .join(Member, Member.id == Report.member_id).where(*where, _not_demo())
             .order_by(*order).limit(limit))
    return [ReportLine(receipt_no, title, name, district, category, created.astimezone(tz),
                       (as_of - created).days if as_of else 0)
            for receipt_no, title, name, district, category, created in session.execute(query)]


def new_reports(session: Session, tz: tzinfo, span: Span) -> list[ReportLine]:
    return report_lines(session, tz, Report.created_at >= span.start, Report.created_at < span.end,
                        order=(Report.created_at, Report.id))


def overdue_reports(session: Session, tz: tzinfo, cutoff: datetime, as_of: datetime,
                    limit: int) -> tuple[int, list[ReportLine]]:
    """(how many reports submitted before `cutoff` still await review, the oldest `limit` of them)."""
    where = (Report.status == SUBMITTED, Report.created_at < cutoff)
    total = session.scalar(select(func.count()).select_from(Report).join(Member, Member.id == Report.member_id)
                           .where(*where, _not_demo())) or 0
    return total, report_lines(session, tz, *where, order=(Report.created_at, Report.id), limit=limit,
                               as_of=as_of)


def study(session: Session, day: date) -> Study:
    members, count, minutes = session.execute(
        select(func.count(func.distinct(Checkin.member_id)), func.count(),
               func.coalesce(func.sum(Checkin.minutes), 0))
        .join(Member, Member.id == Checkin.member_id).where(Checkin.day == day, real_members())).one()
    return Study(members, count, int(minutes))


def member_total(session: Session) -> int:
    """Members on the roster who count (not staff, not demo)."""
    return session.scalar(select(func.count()).select_from(Member).where(real_members())) or 0


def _count_if(*cond: Any):
    return func.coalesce(func.sum(case((and_(*cond), 1), else_=0)), 0)


def _new_signup(span: Span) -> tuple[Any, ...]:
    return Signup.created_at >= span.start, Signup.created_at < span.end, Signup.status != SignupStatus.CANCELLED


def upcoming_activities(session: Session, tz: tzinfo, span: Span) -> list[ActivityLine]:
    """Open activities starting after the span, with their sign-up counts and the span's new sign-ups."""
    query = (select(Activity.code, Activity.title, Activity.start_at, Activity.place, Activity.capacity,
                    _count_if(Signup.status == SignupStatus.SIGNED), _count_if(Signup.status == SignupStatus.WAITLIST),
                    _count_if(Signup.status == SignupStatus.LEAVE), _count_if(*_new_signup(span)))
             .outerjoin(Signup, Signup.activity_id == Activity.id)
             .where(Activity.status == ActivityStatus.OPEN, Activity.start_at >= span.end, Activity.is_demo.is_(False))
             .group_by(Activity.id).order_by(Activity.start_at, Activity.id))
    return [ActivityLine(code, title, start.astimezone(tz), place, capacity, *map(int, counts))
            for code, title, start, place, capacity, *counts in session.execute(query)]


def new_signups(session: Session, span: Span) -> int:
    return session.scalar(select(func.count()).select_from(Signup).join(Member, Member.id == Signup.member_id)
                          .where(*_new_signup(span), _not_demo())) or 0


def inactive_members(session: Session, first: date, last: date, span: Span) -> int:
    """Members with no check-in, report, sign-up or attendance in the days first..last (UTC bounds `span`)."""
    studied = exists().where(Checkin.member_id == Member.id, Checkin.day >= first, Checkin.day <= last)
    reported = exists().where(Report.member_id == Member.id, Report.created_at >= span.start,
                              Report.created_at < span.end)
    signed = exists().where(Signup.member_id == Member.id, Signup.status != SignupStatus.CANCELLED, or_(
        and_(Signup.created_at >= span.start, Signup.created_at < span.end),
        and_(Signup.attended_at >= span.start, Signup.attended_at < span.end)))
    return session.scalar(select(func.count()).select_from(Member)
                          .where(real_members(), ~studied, ~reported, ~signed)) or 0


def daily_series(session: Session, days: Sequence[date], spans: Sequence[Span]) -> list[DayCount]:
    """New reports and check-ins per day; spans[i] are the UTC bounds of days[i] (consecutive days)."""
    per_day = [_count_if(Report.created_at >= s.start, Report.created_at < s.end) for s in spans]
    reports = session.execute(select(*per_day).join(Member, Member.id == Report.member_id)
                              .where(Report.created_at >= spans[0].start, Report.created_at < spans[-1].end,
                                     _not_demo())).one()
    checkins = dict(session.execute(
        select(Checkin.day, func.count()).join(Member, Member.id == Checkin.member_id)
        .where(Checkin.day >= days[0], Checkin.day <= days[-1], real_members()).group_by(Checkin.day)).all())
    return [DayCount(d, int(r), checkins.get(d, 0)) for d, r in zip(days, reports)]


def bound_staff(session: Session) -> list[Member]:
    """Staff who receive the digest: bound to WeChat, not demo entries."""
    return list(session.scalars(select(Member).where(Member.role == MemberRole.STAFF, Member.openid.is_not(None),
                                                     _not_demo()).order_by(Member.id)))
