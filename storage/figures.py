"""The staff console's headline figures for a span of days: reports, review backlog, check-ins, sign-ups,
attendance. Staff, demo people and demo activities are left out, as in the digest (storage/demo.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.demo import real_members
from storage.models import Activity, Checkin, Member, Report, Signup
from storage.statuses import ReportState, SignupStatus


@dataclass(frozen=True)
class Figures:
    new_reports: int
    checkins: int
    checkin_members: int
    signups: int      # new sign-ups (not cancelled) made in the span
    attended: int     # sign-ins at activities in the span


@dataclass(frozen=True)
class Backlog:
    pending: int      # waiting for review now
    overdue: int      # ... submitted before the cutoff


def period(session: Session, first: date, last: date, since: datetime, until: datetime) -> Figures:
    """Figures for the local days first..last, whose UTC bounds are [since, until)."""
    real = real_members()
    new_reports = session.scalar(select(func.count()).select_from(Report).join(Member, Member.id == Report.member_id)
                                 .where(Report.created_at >= since, Report.created_at < until, real)) or 0
    checkins, checkin_members = session.execute(
        select(func.count(), func.count(func.distinct(Checkin.member_id))).join(Member, Member.id == Checkin.member_id)
        .where(Checkin.day >= first, Checkin.day <= last, real)).one()
    real_signup = (real, Activity.is_demo.is_(False))
    signups = session.scalar(
        select(func.count()).select_from(Signup).join(Member, Member.id == Signup.member_id)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(Signup.created_at >= since, Signup.created_at < until, Signup.status != SignupStatus.CANCELLED,
               *real_signup)) or 0
    attended = session.scalar(
        select(func.count()).select_from(Signup).join(Member, Member.id == Signup.member_id)
        .join(Activity, Activity.id == Signup.activity_id)
        .where(Signup.attended_at >= since, Signup.attended_at < until, *real_signup)) or 0
    return Figures(int(new_reports), int(checkins), int(checkin_members), int(signups), int(attended))


def backlog(session: Session, overdue_before: datetime) -> Backlog:
    pending = select(func.count()).select_from(Report).join(Member, Member.id == Report.member_id).where(
        Report.status == ReportState.SUBMITTED, real_members())
    return Backlog(session.scalar(pending) or 0,
                   session.scalar(pending.where(Report.created_at < overdue_before)) or 0)
