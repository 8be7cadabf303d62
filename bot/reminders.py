"""Messages about activities, written to the outbox: reminders, change notices, waitlist promotions.

`send_due(rt, now)` is called by the worker's scheduler (every few minutes is fine: it is
idempotent). From activities.reminder_time on, it queues one reminder per signed-up member for
every activity starting tomorrow (local day). A reminder's dedup_key names the start time, so a
rescheduled activity gets a new reminder, and the old one, if still pending, is cancelled.
"""
from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy.orm import Session

from bot import outbox, template_data
from bot.dialogs.common import when_label
from bot.outbox import enqueue
from bot.runtime import Runtime
from bot.wording import outbound
from storage import activities
from storage import outbox as outbox_rows
from storage.models import Activity, Member, Signup
from storage.days import local_days
from storage.statuses import ActivityStatus, SignupStatus

log = logging.getLogger(__name__)



def send_due(rt: Runtime, now: datetime | None = None) -> int:
    """Queue tomorrow's reminders (once each); returns how many were newly queued."""
    now = rt.local(now or rt.now())
    reminder_time = rt.config.activities.reminder_time
    queued = 0
    with rt.db.session() as session:
        cancel_stale_reminders(session)
        if now.time() < reminder_time:
            return 0
        start, end = local_days(now.date() + timedelta(days=1), now.date() + timedelta(days=1), rt.tz)
        for activity in activities.open_starting_between(session, start, end):
            queued += sum(_remind(rt, session, activity, m) for m in activities.signed_members(session, activity.id))
    if queued:
        log.info("queued %d activity reminders", queued)
    return queued


def _remind(rt: Runtime, session: Session, activity: Activity, member: Member) -> bool:
    if not member.openid:
        return False
    key = reminder_key(activity, member.id)
    if outbox_rows.by_key(session, key) is not None:
        return False
    enqueue(session, openid=member.openid, member_id=member.id, kind="reminder", dedup_key=key,
            text=outbound.REMINDER.format(**fields(rt, activity)), brief=activity_brief(rt, activity, "reminder"))
    return True


def reminder_key(activity: Activity, member_id: int) -> str:
    return f"reminder:{activity.id}:{member_id}:{_iso(activity.start_at)}"


def cancel_stale_reminders(session: Session, activity_id: int | None = None) -> int:
    """Cancel pending reminders whose activity moved or was cancelled, or whose member withdrew."""
    prefix = f"reminder:{activity_id}:" if activity_id is not None else "reminder:"
    cancelled = 0
    for row in outbox_rows.pending_with_prefix(session, "reminder", prefix):
        note = _stale_reason(session, row.dedup_key)
        if note is not None:
            outbox.cancel(row, outbound.REMINDER_VOID[note])
            cancelled += 1
    session.flush()
    return cancelled


def _stale_reason(session: Session, key: str) -> str | None:
    _, activity_id, member_id, start = key.split(":", 3)
    activity = session.get(Activity, int(activity_id))
    if activity is None or activity.status != ActivityStatus.OPEN:
        return "activity_cancelled"
    if _iso(activity.start_at) != start:
        return "rescheduled"
    signup = activities.signup_of(session, activity.id, int(member_id))
    if signup is None or signup.status not in activities.TAKES_PLACE:
        return "withdrawn"
    return None


def notify_promoted(rt: Runtime, session: Session, promoted: list[Signup]) -> int:
    """Tell members who moved from the waitlist to a place; once per waitlist episode."""
    sent = 0
    for signup in promoted:
        member, activity = session.get(Member, signup.member_id), session.get(Activity, signup.activity_id)
        if member is None or not member.openid:
            continue
        joined = _iso(signup.waitlisted_at) if signup.waitlisted_at else "-"
        enqueue(session, openid=member.openid, member_id=member.id, kind="notice",
                dedup_key=f"signup:{signup.id}:promoted:{joined}",
                text=outbound.NOTICE_PROMOTED.format(**fields(rt, activity)),
                brief=activity_brief(rt, activity, "promoted"))
        sent += 1
    return sent


def notify_changed(rt: Runtime, session: Session, activity: Activity, changed: dict[str, tuple]) -> int:
    """After staff moved an activity (time or place): tell everyone holding a place."""
    if not {"start_at", "end_at", "place"} & set(changed):
        return 0
    cancel_stale_reminders(session, activity.id)
    old_when = ""
    if "start_at" in changed:
        old_when = outbound.NOTICE_WAS.format(old=when_label(changed["start_at"][0], rt.tz))
    old_place = outbound.NOTICE_WAS.format(old=changed["place"][0] or outbound.PLACE_UNDECIDED) \
        if "place" in changed else ""
    text = outbound.NOTICE_CHANGED.format(old_when=old_when, old_place=old_place, **fields(rt, activity))
    end = _iso(activity.end_at) if activity.end_at else ""
    version = hashlib.sha1(f"{end}|{activity.place}".encode()).hexdigest()[:10]  # start is in the key itself
    sent = 0
    brief = activity_brief(rt, activity, "changed")
    for member in activities.signed_members(session, activity.id):
        if member.openid:
            enqueue(session, openid=member.openid, member_id=member.id, kind="notice", text=text, brief=brief,
                    dedup_key=f"changed:{activity.id}:{member.id}:{_iso(activity.start_at)}:{version}")
            sent += 1
    return sent


def notify_cancelled(rt: Runtime, session: Session, activity: Activity, reason: str) -> int:
    """Tell everyone holding a place or waiting that the activity is off; pending reminders are dropped."""
    cancel_stale_reminders(session, activity.id)
    note = outbound.NOTICE_CANCELLED_REASON.format(reason=reason) if reason else ""
    text = outbound.NOTICE_CANCELLED.format(note=note, **fields(rt, activity))
    brief = activity_brief(rt, activity, "cancelled", reason)
    sent = 0
    for signup in activities.roster(session, activity.id):
        if signup.status in (SignupStatus.SIGNED, SignupStatus.WAITLIST) and signup.member.openid:
            enqueue(session, openid=signup.member.openid, member_id=signup.member_id, kind="notice", text=text,
                    brief=brief, dedup_key=f"cancelled:{activity.id}:{signup.member_id}")
            sent += 1
    return sent


def activity_brief(rt: Runtime, activity: Activity, what: str, reason: str = "") -> dict[str, str]:
    """Template message / 订阅通知 values: title, activity code, what happened, the (new) start, place or reason."""
    detail = (outbound.BRIEF_CANCEL_REASON.format(reason=reason) if reason else "") if what == "cancelled" \
        else outbound.BRIEF_PLACE.format(place=activity.place or outbound.PLACE_UNDECIDED)
    return template_data.brief(activity.title, number=activity.code, state=outbound.BRIEF_ACTIVITY_STATES[what],
                               time=f"{rt.local(activity.start_at):%Y-%m-%d %H:%M}", detail=detail)


def fields(rt: Runtime, activity: Activity) -> dict[str, str]:
    return {"code": activity.code, "title": activity.title, "place": activity.place or outbound.PLACE_UNDECIDED,
            "when": when_label(activity.start_at, rt.tz)}


def _iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat()
