"""Activities staff publish, who may join them (audience), sign-ups, the waitlist and leave.

A member has at most one Signup row per activity; its status changes in place:
  signed   holds a confirmed place            waitlist  queued for a place (first come, first served)
  leave    excused absence (请假, with reason)  cancelled withdrew (or left the waitlist)
  walkin   signed in on site without a booked place (see storage.attendance)
Every change that frees a place promotes waitlisted members in the same transaction, under a lock
on the activity row, so concurrent sign-ups never exceed capacity.
"""
from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Mapping

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.districts import normalize_district
from storage.models import Activity, Member, Signup
from storage.days import local_days
from storage.statuses import ActivityStatus, SignupStatus

KINDS = ("全体会议", "常委会议", "专题协商会", "视察", "调研", "考察", "读书分享会", "委员讲堂", "界别活动", "培训", "其他")
TAKES_PLACE = (SignupStatus.SIGNED,)  # statuses that hold a confirmed place
INVOLVED = (SignupStatus.SIGNED, SignupStatus.WAITLIST)  # statuses a member can cancel or ask leave from
EDITABLE = ("title", "kind", "start_at", "end_at", "place", "capacity", "deadline", "audience")
_AUDIENCE_SPLIT = re.compile(r"[,，、;；\s]+")


class SignupResult(enum.Enum):
    SIGNED = "signed"
    WAITLISTED = "waitlisted"          # full: queued for a place
    ALREADY = "already"
    ALREADY_WAITLISTED = "already_waitlisted"
    DEADLINE_PASSED = "deadline_passed"
    STARTED = "started"
    CANCELLED_ACTIVITY = "cancelled_activity"
    NOT_IN_AUDIENCE = "not_in_audience"


class CancelResult(enum.Enum):
    CANCELLED = "cancelled"
    LEFT_WAITLIST = "left_waitlist"
    NOT_SIGNED = "not_signed"
    STARTED = "started"


class LeaveResult(enum.Enum):
    LEAVE = "leave"                    # a signed place became an excused absence
    LEFT_WAITLIST = "left_waitlist"    # leave from the waitlist just drops it
    ALREADY = "already"
    NOT_SIGNED = "not_signed"
    STARTED = "started"


@dataclass
class Outcome:
    """What a sign-up change did: the result, the member's waitlist position, who got a place."""

    result: enum.Enum
    position: int = 0
    promoted: list[Signup] = field(default_factory=list)


@dataclass(frozen=True)
class Timing:
    """When an activity counts as running: check-in window and default length."""

    opens_before: timedelta = timedelta(minutes=30)
    default_duration: timedelta = timedelta(minutes=180)

    def ends_at(self, activity: Activity) -> datetime:
        return activity.end_at or activity.start_at + self.default_duration

    def window(self, activity: Activity) -> tuple[datetime, datetime]:
        """签到 is accepted from `opens_before` the start until the end."""
        return activity.start_at - self.opens_before, self.ends_at(activity)

    def ended(self, activity: Activity, now: datetime) -> bool:
        return self.ends_at(activity) <= now


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


# --- activities ----------------------------------------------------------------------------------

def create_activity(session: Session, spec: NewActivity) -> Activity:
    values = {**vars(spec), "audience": normalize_audience(spec.audience)}
    activity = Activity(code="", **values)
    session.add(activity)
    session.flush()
    activity.code = f"A{activity.id}"
    session.flush()
    return activity


def update_activity(session: Session, activity: Activity, changes: Mapping[str, object]) -> dict[str, tuple]:
    """Apply staff edits; returns {field: (old, new)} for the fields that really changed.

    Raising the capacity promotes waitlisted members: call `promote` afterwards (the CLI does).
    """
    lock(session, activity)
    changed = {}
    for name, value in changes.items():
        if name not in EDITABLE:
            raise ValueError(f"not editable: {name}")
        if name == "audience":
            value = normalize_audience(str(value))
        if getattr(activity, name) != value:
            changed[name] = (getattr(activity, name), value)
            setattr(activity, name, value)
    session.flush()
    return changed


def by_code(session: Session, code: str) -> Activity | None:
    return session.scalar(select(Activity).where(Activity.code == code.strip().upper()))


def all_activities(session: Session) -> list[Activity]:
    return list(session.scalars(select(Activity).order_by(Activity.start_at)))


def upcoming(session: Session, now: datetime, limit: int = 20) -> list[Activity]:
    return list(session.scalars(
        select(Activity).where(Activity.status == ActivityStatus.OPEN, Activity.start_at > now)
        .order_by(Activity.start_at, Activity.id).limit(limit)))


def open_starting_between(session: Session, start: datetime, end: datetime) -> list[Activity]:
    """Open activities starting in [start, end) (the reminders of a day)."""
    return list(session.scalars(
        select(Activity).where(Activity.status == ActivityStatus.OPEN, Activity.start_at >= start, Activity.start_at < end)
        .order_by(Activity.start_at, Activity.id)))


def upcoming_for(session: Session, member: Member, now: datetime, limit: int = 20) -> list[Activity]:
    """Upcoming activities this member may join (staff see all)."""
    found = [a for a in upcoming(session, now, 500) if is_for(a, member)]
    return found[:limit]


def open_for(session: Session, member: Member, now: datetime, limit: int,
             before: datetime | None = None) -> list[Activity]:
    """Activities (starting before `before`) the member could still sign up for and get a place."""
    involved = set(session.scalars(select(Signup.activity_id).where(
        Signup.member_id == member.id, Signup.status.in_(INVOLVED + (SignupStatus.WALKIN,)))))
    found = []
    for activity in upcoming_for(session, member, now, 500):
        if before is not None and activity.start_at >= before:
            break
        if activity.id in involved or (activity.deadline is not None and activity.deadline < now):
            continue
        if activity.capacity and taken_places(session, activity.id) >= activity.capacity:
            continue
        found.append(activity)
        if len(found) >= limit:
            break
    return found


def upcoming_on(session: Session, now: datetime, day: date | None, tz) -> list[Activity]:
    """Open activities still to start, only those on the local `day` when given (which of them a member's
    words name is for intents.names_activity)."""
    query = select(Activity).where(Activity.status == ActivityStatus.OPEN, Activity.start_at > now)
    if day is not None:
        start, end = local_days(day, day, tz)
        query = query.where(Activity.start_at >= start, Activity.start_at < end)
    return list(session.scalars(query.order_by(Activity.start_at, Activity.id)))


# --- audience ------------------------------------------------------------------------------------

def normalize_audience(text: str) -> str:
    """'达旗，经济界 东胜' -> '达拉特旗,经济界,东胜区': districts in official form, duplicates dropped."""
    tokens = []
    for raw in _AUDIENCE_SPLIT.split(text or ""):
        token = normalize_district(raw) or raw.strip()
        if token and token not in tokens:
            tokens.append(token)
    return ",".join(tokens)


def audience_tokens(activity: Activity) -> list[str]:
    return [t for t in (activity.audience or "").split(",") if t]


def is_for(activity: Activity, member: Member) -> bool:
    """Empty audience = everyone; else the member's 界别 or 旗区 is listed. Staff may join anything."""
    tokens = audience_tokens(activity)
    if not tokens or member.is_staff:
        return True
    district = normalize_district(member.district or "") or member.district
    return district in tokens or (member.sector or "") in tokens


# --- sign-ups ------------------------------------------------------------------------------------

def lock(session: Session, activity: Activity) -> Activity:
    """Serialize every sign-up change of one activity and reload its row.

    PostgreSQL: SELECT … FOR UPDATE on the row. SQLite has no row locks: a no-op UPDATE takes the
    database write lock (writers wait on busy_timeout) before anything is counted.
    """
    locked(session, Activity.id == activity.id)
    return activity


def locked(session: Session, *criteria) -> list[Activity]:
    """The activities matching `criteria`, loaded (reloaded) and locked for sign-up changes in one statement (in
    id order, so two transactions locking overlapping sets never wait on each other crosswise)."""
    _sqlite_write_lock(session, *criteria)
    return list(session.scalars(select(Activity).where(*criteria).order_by(Activity.id).with_for_update()
                                .execution_options(populate_existing=True)))


def locked_by_code(session: Session, code: str) -> Activity | None:
    """by_code, locked for a sign-up change in the same statement (a QR scan's sign-in)."""
    return next(iter(locked(session, Activity.code == code.strip().upper())), None)


def _sqlite_write_lock(session: Session, *criteria) -> None:
    if session.get_bind().dialect.name == "sqlite":
        session.execute(update(Activity).where(*criteria).values(updated_at=Activity.updated_at)
                        .execution_options(synchronize_session=False))


def taken_places(session: Session, activity_id: int) -> int:
    return _count(session, activity_id, TAKES_PLACE)


def waitlist_length(session: Session, activity_id: int) -> int:
    return _count(session, activity_id, (SignupStatus.WAITLIST,))


def _count(session: Session, activity_id: int, statuses: tuple[str, ...]) -> int:
    return session.scalar(select(func.count(Signup.id)).where(
        Signup.activity_id == activity_id, Signup.status.in_(statuses))) or 0


def signup_of(session: Session, activity_id: int, member_id: int) -> Signup | None:
    return session.scalar(select(Signup).where(Signup.activity_id == activity_id, Signup.member_id == member_id))


def waitlist(session: Session, activity_id: int) -> list[Signup]:
    """The waitlist in promotion order."""
    return list(session.scalars(select(Signup).where(
        Signup.activity_id == activity_id, Signup.status == SignupStatus.WAITLIST)
        .order_by(Signup.waitlisted_at, Signup.id)))


def waitlist_position(session: Session, signup: Signup) -> int:
    return next((i for i, s in enumerate(waitlist(session, signup.activity_id), 1) if s.id == signup.id), 0)


def sign_up(session: Session, activity: Activity, member: Member, now: datetime) -> Outcome:
    """Take a place, or a waitlist place when full."""
    lock(session, activity)
    refusal = _signup_refusal(activity, member, now)
    if refusal is not None:
        return Outcome(refusal)
    existing = signup_of(session, activity.id, member.id)
    if existing is not None and existing.status in (SignupStatus.SIGNED, SignupStatus.WALKIN):
        return Outcome(SignupResult.ALREADY)
    if existing is not None and existing.status == SignupStatus.WAITLIST:
        return Outcome(SignupResult.ALREADY_WAITLISTED, waitlist_position(session, existing))
    full = bool(activity.capacity) and taken_places(session, activity.id) >= activity.capacity
    if existing is None:
        existing = Signup(activity_id=activity.id, member_id=member.id)
        session.add(existing)
    existing.status, existing.reason = (SignupStatus.WAITLIST if full else SignupStatus.SIGNED), ""
    existing.waitlisted_at = now if full else None
    session.flush()
    if full:
        return Outcome(SignupResult.WAITLISTED, waitlist_position(session, existing))
    return Outcome(SignupResult.SIGNED)


def _signup_refusal(activity: Activity, member: Member, now: datetime) -> SignupResult | None:
    if activity.status != ActivityStatus.OPEN:
        return SignupResult.CANCELLED_ACTIVITY
    if activity.start_at <= now:
        return SignupResult.STARTED
    if activity.deadline is not None and activity.deadline < now:
        return SignupResult.DEADLINE_PASSED
    if not is_for(activity, member):
        return SignupResult.NOT_IN_AUDIENCE
    return None


def cancel_signup(session: Session, activity: Activity, member: Member, now: datetime) -> Outcome:
    """Withdraw a place (the first waitlisted member gets it) or leave the waitlist."""
    lock(session, activity)
    existing = signup_of(session, activity.id, member.id)
    if existing is None or existing.status not in INVOLVED:
        return Outcome(CancelResult.NOT_SIGNED)
    if activity.start_at <= now:
        return Outcome(CancelResult.STARTED)
    was_waiting = existing.status == SignupStatus.WAITLIST
    existing.status, existing.waitlisted_at = SignupStatus.CANCELLED, None
    session.flush()
    if was_waiting:
        return Outcome(CancelResult.LEFT_WAITLIST)
    return Outcome(CancelResult.CANCELLED, promoted=promote(session, activity, now))


def take_leave(session: Session, activity: Activity, member: Member, now: datetime, reason: str) -> Outcome:
    """请假 before the start: a signed place becomes an excused absence; a waitlist place is dropped."""
    lock(session, activity)
    existing = signup_of(session, activity.id, member.id)
    if existing is not None and existing.status == SignupStatus.LEAVE:
        return Outcome(LeaveResult.ALREADY)
    if existing is None or existing.status not in INVOLVED:
        return Outcome(LeaveResult.NOT_SIGNED)
    if activity.start_at <= now:
        return Outcome(LeaveResult.STARTED)
    if existing.status == SignupStatus.WAITLIST:
        existing.status, existing.waitlisted_at = SignupStatus.CANCELLED, None
        session.flush()
        return Outcome(LeaveResult.LEFT_WAITLIST)
    existing.status, existing.reason = SignupStatus.LEAVE, reason.strip()[:200]
    session.flush()
    return Outcome(LeaveResult.LEAVE, promoted=promote(session, activity, now))


def promote(session: Session, activity: Activity, now: datetime) -> list[Signup]:
    """Give free places to the waitlist, first come first served. Call with the activity locked."""
    if activity.status != ActivityStatus.OPEN or activity.start_at <= now:
        return []
    queue = waitlist(session, activity.id)
    free = len(queue) if not activity.capacity else activity.capacity - taken_places(session, activity.id)
    promoted = queue[:max(free, 0)]
    for signup in promoted:
        signup.status = SignupStatus.SIGNED
    session.flush()
    return promoted


def roster(session: Session, activity_id: int) -> list[Signup]:
    """Everyone who ever signed up, waited, took leave or signed in, in order of joining."""
    return list(session.scalars(select(Signup).where(Signup.activity_id == activity_id)
                                .order_by(Signup.created_at, Signup.id)))


def cancel_activity(session: Session, activity: Activity) -> None:
    lock(session, activity)
    activity.status = ActivityStatus.CANCELLED
    session.flush()


def signed_members(session: Session, activity_id: int) -> list[Member]:
    return list(session.scalars(select(Member).join(Signup, Signup.member_id == Member.id).where(
        Signup.activity_id == activity_id, Signup.status.in_(TAKES_PLACE)).order_by(Signup.id)))


def my_upcoming(session: Session, member: Member, now: datetime,
                statuses: tuple[str, ...] = INVOLVED) -> list[Signup]:
    return list(session.scalars(
        select(Signup).join(Activity).where(
            Signup.member_id == member.id, Signup.status.in_(statuses),
            Activity.start_at > now).order_by(Activity.start_at)))


def signups_of_member(session: Session, member: Member, since: datetime) -> list[Signup]:
    """The member's sign-ups (not withdrawn) of activities starting from `since`, in date order."""
    return list(session.scalars(
        select(Signup).join(Activity).where(
            Signup.member_id == member.id, Signup.status != SignupStatus.CANCELLED, Activity.start_at >= since)
        .order_by(Activity.start_at)))
