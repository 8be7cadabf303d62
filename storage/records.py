"""The duty record (履职档案): a member's yearly counts, computed with grouped queries."""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, time

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from storage.models import Activity, Checkin, Member, Report, Signup
from storage.reports import ADOPTED_STATES


@dataclass
class RecordCounts:
    reports: int = 0
    reports_adopted: int = 0
    checkins: int = 0
    study_minutes: int = 0
    signups: int = 0
    attended: int = 0
    points: int = 0


def year_counts(session: Session, year: int, tz, member_ids: list[int] | None = None) -> dict[int, RecordCounts]:
    """member id -> counts for the calendar year (Asia/Shanghai)."""
    start, end = (datetime.combine(date(y, 1, 1), time.min, tz) for y in (year, year + 1))
    counts: dict[int, RecordCounts] = {}

    def row_for(member_id: int) -> RecordCounts:
        return counts.setdefault(member_id, RecordCounts())

    def scoped(query, column):
        return query.where(column.in_(member_ids)) if member_ids is not None else query

    adopted = func.sum(case((Report.status.in_(ADOPTED_STATES), 1), else_=0))
    for mid, total, ok in session.execute(scoped(
            select(Report.member_id, func.count(Report.id), adopted)
            .where(Report.created_at >= start, Report.created_at < end).group_by(Report.member_id),
            Report.member_id)):
        row_for(mid).reports, row_for(mid).reports_adopted = int(total), int(ok or 0)

    for mid, total, minutes in session.execute(scoped(
            select(Checkin.member_id, func.count(Checkin.id), func.sum(Checkin.minutes))
            .where(Checkin.day >= date(year, 1, 1), Checkin.day < date(year + 1, 1, 1))
            .group_by(Checkin.member_id), Checkin.member_id)):
        row_for(mid).checkins, row_for(mid).study_minutes = int(total), int(minutes or 0)

    attended = func.sum(case((Signup.attended_at.is_not(None), 1), else_=0))
    for mid, total, came in session.execute(scoped(
            select(Signup.member_id, func.count(Signup.id), attended).join(Activity)
            .where(Activity.start_at >= start, Activity.start_at < end, Signup.status == "signed")
            .group_by(Signup.member_id), Signup.member_id)):
        row_for(mid).signups, row_for(mid).attended = int(total), int(came or 0)
    return counts


def member_year(session: Session, member: Member, year: int, tz) -> RecordCounts:
    return year_counts(session, year, tz, [member.id]).get(member.id, RecordCounts())


COUNT_FIELDS = [f.name for f in fields(RecordCounts)]
