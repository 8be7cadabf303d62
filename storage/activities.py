"""Activities staff publish, and members' sign-ups."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.models import Activity, Member, Signup

KINDS = ("全体会议", "常委会议", "专题协商会", "视察", "调研", "考察", "读书分享会", "委员讲堂", "界别活动", "培训", "其他")
TAKES_PLACE = ("signed",)  # statuses that hold a confirmed place


class SignupResult(enum.Enum):
    SIGNED = "signed"
    ALREADY = "already"
    FULL = "full"
    DEADLINE_PASSED = "deadline_passed"
    STARTED = "started"
    CANCELLED_ACTIVITY = "cancelled_activity"


class CancelResult(enum.Enum):
    CANCELLED = "cancelled"
    NOT_SIGNED = "not_signed"
    STARTED = "started"


@dataclass
class NewActivity:
    title: str
    kind: str
    start_at: datetime
    place: str = ""
    capacity: int = 0
    deadline: datetime | None = None
    end_at: datetime | None = None
    audience: str = ""
    is_demo: bool = False


def create_activity(session: Session, spec: NewActivity) -> Activity:
    activity = Activity(code="", **vars(spec))
    session.add(activity)
    session.flush()
    activity.code = f"A{activity.id}"
    session.flush()
    return activity


def by_code(session: Session, code: str) -> Activity | None:
    return session.scalar(select(Activity).where(Activity.code == code.strip().upper()))


def all_activities(session: Session) -> list[Activity]:
    return list(session.scalars(select(Activity).order_by(Activity.start_at)))


def upcoming(session: Session, now: datetime, limit: int = 20) -> list[Activity]:
    return list(session.scalars(
        select(Activity).where(Activity.status == "open", Activity.start_at > now)
        .order_by(Activity.start_at).limit(limit)))


def find(session: Session, now: datetime, reference: str | None, day: date | None, tz) -> list[Activity]:
    """Upcoming activities matching a code, words of the title/kind, and/or a local day."""
    if reference and by_code(session, reference) is not None:
        return [by_code(session, reference)]
    query = select(Activity).where(Activity.status == "open", Activity.start_at > now)
    if day is not None:
        start = datetime.combine(day, time.min, tz)
        query = query.where(Activity.start_at >= start, Activity.start_at < start + timedelta(days=1))
    candidates = list(session.scalars(query.order_by(Activity.start_at)))
    if reference:
        candidates = [a for a in candidates if _mentions(a, reference)]
    return candidates


def _mentions(activity: Activity, reference: str) -> bool:
    ref = reference.strip()
    return ref in activity.title or ref in activity.kind or activity.title in ref or _shared_core(ref, activity)


def _shared_core(ref: str, activity: Activity) -> bool:
    """'协商会' names '专题协商会'; '分享会' names '读书分享会': a 3+ char overlap with title or kind."""
    for size in range(len(ref), 2, -1):
        for i in range(len(ref) - size + 1):
            piece = ref[i:i + size]
            if piece in activity.title or piece in activity.kind:
                return True
    return False


def taken_places(session: Session, activity_id: int) -> int:
    return session.scalar(select(func.count(Signup.id)).where(
        Signup.activity_id == activity_id, Signup.status.in_(TAKES_PLACE))) or 0


def signup_of(session: Session, activity_id: int, member_id: int) -> Signup | None:
    return session.scalar(select(Signup).where(Signup.activity_id == activity_id, Signup.member_id == member_id))


def sign_up(session: Session, activity: Activity, member: Member, now: datetime) -> SignupResult:
    """Take a place; the activity row is locked so concurrent sign-ups never exceed capacity."""
    session.execute(select(Activity.id).where(Activity.id == activity.id).with_for_update())
    if activity.status != "open":
        return SignupResult.CANCELLED_ACTIVITY
    if activity.start_at <= now:
        return SignupResult.STARTED
    if activity.deadline is not None and activity.deadline < now:
        return SignupResult.DEADLINE_PASSED
    existing = signup_of(session, activity.id, member.id)
    if existing is not None and existing.status in TAKES_PLACE:
        return SignupResult.ALREADY
    if activity.capacity and taken_places(session, activity.id) >= activity.capacity:
        return SignupResult.FULL
    if existing is None:
        session.add(Signup(activity_id=activity.id, member_id=member.id, status="signed"))
    else:
        existing.status, existing.reason = "signed", ""
    session.flush()
    return SignupResult.SIGNED


def cancel_signup(session: Session, activity: Activity, member: Member, now: datetime) -> CancelResult:
    existing = signup_of(session, activity.id, member.id)
    if existing is None or existing.status not in TAKES_PLACE:
        return CancelResult.NOT_SIGNED
    if activity.start_at <= now:
        return CancelResult.STARTED
    existing.status = "cancelled"
    session.flush()
    return CancelResult.CANCELLED


def my_upcoming(session: Session, member: Member, now: datetime) -> list[Signup]:
    return list(session.scalars(
        select(Signup).join(Activity).where(
            Signup.member_id == member.id, Signup.status.in_(TAKES_PLACE),
            Activity.start_at > now).order_by(Activity.start_at)))
