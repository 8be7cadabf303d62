"""What staff do to an activity, for both the command line (bot/cli/activities.py) and the console.

Publishing and editing refuse a start or sign-up deadline in the past and a deadline after the start
unless forced; an edit that frees places promotes the waitlist, a time or place change notifies everyone
holding a place, and a cancellation notifies those signed up or waiting (bot.reminders, through the outbox).
Refusals raise ActivityError with the reason in staff's words.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import duty_record, reminders
from bot.runtime import Runtime
from bot.wording.activities import ABSENT, FIELD_NAMES, ROSTER_STATUS, SIGNED_IN, TEXT
from storage import activities, attendance
from storage.activities import KINDS, NewActivity
from storage.statuses import ActivityStatus, SignupStatus
from storage.models import Activity, Member, Signup

TOTALS_ORDER = list(ROSTER_STATUS.values()) + [SIGNED_IN, ABSENT]


class ActivityError(ValueError):
    """A refused change; str() is the reason for staff."""


class TimingError(ActivityError):
    """Refused odd timing that staff may confirm (CLI --force, the console's confirm box)."""


# --- publishing and editing -----------------------------------------------------------------------

def check_fields(kind: str, capacity: int, start: datetime, end: datetime | None) -> None:
    if kind not in KINDS:
        raise ActivityError(TEXT["unknown_kind"].format(kind=kind, kinds=" ".join(KINDS)))
    if capacity < 0:
        raise ActivityError(TEXT["negative_capacity"])
    if end and end <= start:
        raise ActivityError(TEXT["end_before_start"])


def check_timing(rt: Runtime, changed: dict, start: datetime, deadline: datetime | None) -> None:
    """Refused unless forced: a start or deadline being set in the past, or after this change a deadline
    later than the start (times left unchanged are not questioned again)."""
    now = rt.now()
    for name in ("start_at", "deadline"):
        when = changed.get(name)
        if when is not None and when < now:
            raise TimingError(TEXT["past"].format(field=FIELD_NAMES[name], when=show(rt, when)))
    if deadline and deadline > start and (changed.get("start_at") or changed.get("deadline")):
        raise TimingError(TEXT["deadline_after_start"].format(deadline=show(rt, deadline), start=show(rt, start)))


def create(rt: Runtime, session: Session, spec: NewActivity, force: bool = False) -> Activity:
    if not spec.title.strip():
        raise ActivityError(TEXT["no_title"])
    check_fields(spec.kind, spec.capacity, spec.start_at, spec.end_at)
    if not force:
        check_timing(rt, {"start_at": spec.start_at, "deadline": spec.deadline}, spec.start_at, spec.deadline)
    return activities.create_activity(session, spec)


def unknown_audience(session: Session, activity: Activity) -> list[str]:
    """Warnings for audience words nobody on the roster has (probably a typo that would exclude everyone)."""
    known = set(session.scalars(select(Member.sector))) | set(session.scalars(select(Member.district)))
    return [TEXT["unknown_audience"].format(token=token)
            for token in activities.audience_tokens(activity) if token not in known]


@dataclass
class EditOutcome:
    changed: dict[str, tuple] = field(default_factory=dict)   # field -> (old, new)
    promoted: int = 0             # waitlisted members given a place (and told)
    over_capacity: int = 0        # places held beyond a lowered capacity (kept), 0 = none
    notified: int = 0             # members told of a time or place change
    new_code: str = ""            # a check-in code replaced because it now clashes with another activity's
    warnings: list[str] = field(default_factory=list)


def edit(rt: Runtime, session: Session, activity: Activity, changes: dict, force: bool = False) -> EditOutcome:
    if activity.status != ActivityStatus.OPEN:
        raise ActivityError(TEXT["cancelled"].format(code=activity.code))
    merged = {name: changes.get(name, getattr(activity, name)) for name in activities.EDITABLE}
    check_fields(merged["kind"], merged["capacity"], merged["start_at"], merged["end_at"])
    if not force:
        check_timing(rt, changes, merged["start_at"], merged["deadline"])
    if ("start_at" in changes or "end_at" in changes) and duty_record.timing(rt).ended(activity, rt.now()):
        raise ActivityError(TEXT["ended_timing"])
    outcome = EditOutcome(changed=activities.update_activity(session, activity, changes))
    if outcome.changed:
        _after_edit(rt, session, activity, outcome)
    return outcome


def _after_edit(rt: Runtime, session: Session, activity: Activity, outcome: EditOutcome) -> None:
    promoted = activities.promote(session, activity, rt.now())
    if promoted:
        reminders.notify_promoted(rt, session, promoted)
        outcome.promoted = len(promoted)
    taken = activities.taken_places(session, activity.id)
    if activity.capacity and taken > activity.capacity:
        outcome.over_capacity = taken
    outcome.notified = reminders.notify_changed(rt, session, activity, outcome.changed)
    timing = duty_record.timing(rt)
    if activity.checkin_code and attendance.code_conflicts(session, activity, timing):
        outcome.new_code = attendance.assign_code(session, activity, timing, renew=True)
    if "audience" in outcome.changed:
        outcome.warnings = unknown_audience(session, activity)


def cancel(rt: Runtime, session: Session, activity: Activity, reason: str) -> int:
    """Cancel a future activity; returns how many signed-up or waitlisted members were told."""
    if activity.status != ActivityStatus.OPEN:
        raise ActivityError(TEXT["already_cancelled"].format(code=activity.code))
    if activity.start_at <= rt.now():
        raise ActivityError(TEXT["started"].format(code=activity.code))
    activities.cancel_activity(session, activity)
    return reminders.notify_cancelled(rt, session, activity, reason)


# --- 签到 -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckinCode:
    code: str
    opens: datetime   # local time
    closes: datetime


def checkin_code(rt: Runtime, session: Session, activity: Activity, renew: bool = False) -> CheckinCode:
    """The activity's 4-digit 签到 code (drawn on first use) and when it is accepted."""
    if activity.status != ActivityStatus.OPEN:
        raise ActivityError(TEXT["cancelled"].format(code=activity.code))
    timing = duty_record.timing(rt)
    code = attendance.assign_code(session, activity, timing, renew=renew)
    opens, closes = (rt.local(t) for t in timing.window(activity))
    return CheckinCode(code, opens, closes)


def mark_attendance(rt: Runtime, session: Session, activity: Activity, member: Member, present: bool) -> Signup | None:
    """Staff record by hand that a member came (or did not, undoing a mark). Not before 签到 opens."""
    timing = duty_record.timing(rt)
    opens, _ = timing.window(activity)
    if present and rt.now() < opens:
        raise ActivityError(TEXT["not_yet_open"].format(opens=show(rt, opens)))
    if present:
        return attendance.mark_present(session, activity, member, min(rt.now(), timing.ends_at(activity)))
    return attendance.mark_not_present(session, activity, member)


# --- the roster ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterLine:
    signup: Signup
    member: Member
    label: str      # 已报名 / 候补 / 请假 / 已取消 / 现场签到 / 已签到 09:12 / 缺席
    state: str      # the label's first word, the key of the totals


def roster(rt: Runtime, session: Session, activity: Activity) -> list[RosterLine]:
    ended = duty_record.timing(rt).ended(activity, rt.now())
    lines = []
    for signup in activities.roster(session, activity.id):
        label = roster_label(rt, signup, ended)
        lines.append(RosterLine(signup, signup.member, label, label.split()[0]))
    return lines


def roster_label(rt: Runtime, signup: Signup, ended: bool) -> str:
    if signup.attended_at is not None:
        return f"{SIGNED_IN} {rt.local(signup.attended_at):%H:%M}"
    if ended and signup.status == SignupStatus.SIGNED:
        return ABSENT
    return ROSTER_STATUS.get(signup.status, signup.status)


def tally(lines: list[RosterLine]) -> dict[str, int]:
    """state -> count, in the fixed order of TOTALS_ORDER."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line.state] = counts.get(line.state, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: TOTALS_ORDER.index(kv[0])
                       if kv[0] in TOTALS_ORDER else len(TOTALS_ORDER)))


def totals_line(counts: dict[str, int]) -> str:
    """e.g. 合计：已报名 3，已签到 2，缺席 1 (one count per state, always in the same order)."""
    parts = [TEXT["total_part"].format(label=label, count=count) for label, count in counts.items()]
    return TEXT["total"].format(parts="，".join(parts)) if parts else TEXT["nobody"]


def show(rt: Runtime, value) -> str:
    if value is None or value == "":
        return TEXT["none"]
    if hasattr(value, "astimezone"):
        return rt.local(value).strftime("%Y-%m-%d %H:%M")
    return str(value)
