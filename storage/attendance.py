"""签到: check-in codes and signing in at an activity.

A code is 4 digits, unique among activities whose check-in windows overlap, and valid only inside
the window (Timing.window: from shortly before the start until the end). Members sign in with the
code (签到 4821) or by scanning the activity's parametric QR code (scene = activity code).
Signing in without a booked place is recorded too (status walkin): the member still attended.
"""
from __future__ import annotations

import enum
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.activities import Timing, lock, locked, signup_of
from storage.models import Activity, Member, Signup
from storage.statuses import ActivityStatus, SignupStatus

CODE_RANGE = (1000, 9999)
LONGEST_ACTIVITY = timedelta(days=31)  # how far back to look for activities whose window may overlap


class AttendResult(enum.Enum):
    ATTENDED = "attended"
    ALREADY = "already"
    NOT_YET = "not_yet"            # the window opens later
    CLOSED = "closed"              # the activity has ended
    WRONG_CODE = "wrong_code"
    CANCELLED_ACTIVITY = "cancelled_activity"


@dataclass
class Attendance:
    result: AttendResult
    activity: Activity | None = None
    walk_in: bool = False          # signed in without a booked place


def _overlapping(session: Session, activity: Activity, timing: Timing) -> list[Activity]:
    opens, closes = timing.window(activity)
    nearby = session.scalars(select(Activity).where(
        Activity.id != activity.id, Activity.status == ActivityStatus.OPEN, Activity.checkin_code != "",
        Activity.start_at < closes + timing.opens_before, Activity.start_at > opens - LONGEST_ACTIVITY))
    return [a for a in nearby if timing.window(a)[0] < closes and timing.window(a)[1] > opens]


def code_conflicts(session: Session, activity: Activity, timing: Timing) -> bool:
    """Does another activity with an overlapping window use the same code?"""
    return bool(activity.checkin_code) and any(
        a.checkin_code == activity.checkin_code for a in _overlapping(session, activity, timing))


def assign_code(session: Session, activity: Activity, timing: Timing, renew: bool = False) -> str:
    """The activity's check-in code, drawn now if it has none (or a conflicting one, or renew)."""
    if activity.checkin_code and not renew and not code_conflicts(session, activity, timing):
        return activity.checkin_code
    taken = {a.checkin_code for a in _overlapping(session, activity, timing)} | {activity.checkin_code}
    low, high = CODE_RANGE
    while True:
        code = str(low + secrets.randbelow(high - low + 1))
        if code not in taken:
            activity.checkin_code = code
            session.flush()
            return code


def sign_in_with_code(session: Session, member_id: int, code: str, now: datetime, timing: Timing) -> Attendance:
    activity = _by_code(session, code.strip(), now, timing)
    if activity is None:
        return Attendance(AttendResult.WRONG_CODE)
    return sign_in(session, activity, member_id, now, timing)


def _by_code(session: Session, code: str, now: datetime, timing: Timing) -> Activity | None:
    """The activity using this code now, else the one whose window is nearest to now; loaded and locked in one
    statement (codes repeat only between activities whose windows do not overlap, so nearly always one row)."""
    if not code.isdigit():
        return None
    found = locked(session, Activity.checkin_code == code, Activity.status == ActivityStatus.OPEN)
    if not found:
        return None

    def distance(a: Activity) -> timedelta:
        opens, closes = timing.window(a)
        return max(opens - now, now - closes, timedelta(0))
    return min(found, key=distance)


def sign_in(session: Session, activity: Activity, member_id: int, now: datetime, timing: Timing) -> Attendance:
    """Record that the member is present, if the check-in window is open. The caller has locked the activity
    (activities.locked / locked_by_code / lock): one sign-in of a member at a time, exactly once."""
    if activity.status != ActivityStatus.OPEN:
        return Attendance(AttendResult.CANCELLED_ACTIVITY, activity)
    opens, closes = timing.window(activity)
    if now < opens:
        return Attendance(AttendResult.NOT_YET, activity)
    if now > closes:
        return Attendance(AttendResult.CLOSED, activity)
    signup = signup_of(session, activity.id, member_id)
    if signup is not None and signup.attended_at is not None:
        return Attendance(AttendResult.ALREADY, activity, walk_in=signup.status == SignupStatus.WALKIN)
    if signup is None:
        signup = Signup(activity_id=activity.id, member_id=member_id, status=SignupStatus.WALKIN)
        session.add(signup)
    elif signup.status != SignupStatus.SIGNED:
        signup.status, signup.waitlisted_at = SignupStatus.WALKIN, None   # on the waitlist, on leave or cancelled, but came
    signup.attended_at = now
    session.flush()
    return Attendance(AttendResult.ATTENDED, activity, walk_in=signup.status == SignupStatus.WALKIN)


def mark_present(session: Session, activity: Activity, member: Member, at: datetime) -> Signup:
    """Staff record by hand that the member came (a forgotten or failed 签到); `at` is the time noted."""
    lock(session, activity)
    signup = signup_of(session, activity.id, member.id)
    if signup is None:
        signup = Signup(activity_id=activity.id, member_id=member.id, status=SignupStatus.WALKIN)
        session.add(signup)
    elif signup.status != SignupStatus.SIGNED:
        signup.status, signup.waitlisted_at = SignupStatus.WALKIN, None
    if signup.attended_at is None:
        signup.attended_at = at
    session.flush()
    return signup


def mark_not_present(session: Session, activity: Activity, member: Member) -> Signup | None:
    """Undo a check-in recorded by mistake: a booked place stays booked, a walk-in is withdrawn."""
    lock(session, activity)
    signup = signup_of(session, activity.id, member.id)
    if signup is None or signup.attended_at is None:
        return signup
    signup.attended_at = None
    if signup.status == SignupStatus.WALKIN:
        signup.status = SignupStatus.CANCELLED
    session.flush()
    return signup
