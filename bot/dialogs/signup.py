"""Activities: list, sign up (or join the waitlist), cancel, ask for leave.

Asks which activity when unclear, and the reason when 请假 comes without one. A change that frees
a place promotes the first waitlisted member in the same transaction and queues their notice.
"""
from __future__ import annotations

import re

import intents
from bot import reminders, replies
from bot.dialogs.base import NOT_MINE, Turn
from bot.dialogs.common import is_new_request, slot_date, when_label
from storage import activities
from storage.activities import CancelResult, LeaveResult, Outcome, SignupResult
from storage.models import Activity

NAME = "signup"
OWN_INTENTS = ("signup", "cancel_signup", "leave", "list_activities")

SIGNUP_REPLIES = {
    SignupResult.SIGNED: replies.SIGNUP_OK, SignupResult.ALREADY: replies.SIGNUP_ALREADY,
    SignupResult.WAITLISTED: replies.SIGNUP_WAITLISTED,
    SignupResult.ALREADY_WAITLISTED: replies.SIGNUP_ALREADY_WAITLISTED,
    SignupResult.DEADLINE_PASSED: replies.SIGNUP_DEADLINE, SignupResult.STARTED: replies.SIGNUP_STARTED,
    SignupResult.CANCELLED_ACTIVITY: replies.SIGNUP_ACTIVITY_CANCELLED,
    SignupResult.NOT_IN_AUDIENCE: replies.SIGNUP_NOT_IN_AUDIENCE,
}
CANCEL_REPLIES = {
    CancelResult.CANCELLED: replies.CANCEL_OK, CancelResult.LEFT_WAITLIST: replies.CANCEL_LEFT_WAITLIST,
    CancelResult.NOT_SIGNED: replies.CANCEL_NOT_SIGNED, CancelResult.STARTED: replies.CANCEL_STARTED,
}
LEAVE_REPLIES = {
    LeaveResult.LEAVE: replies.LEAVE_OK, LeaveResult.LEFT_WAITLIST: replies.LEAVE_LEFT_WAITLIST,
    LeaveResult.ALREADY: replies.LEAVE_ALREADY, LeaveResult.NOT_SIGNED: replies.LEAVE_NOT_SIGNED,
    LeaveResult.STARTED: replies.LEAVE_STARTED,
}


def list_upcoming(turn: Turn, slots: dict) -> str:
    found = activities.upcoming_for(turn.session, turn.member, turn.now, turn.rt.config.activities.list_limit)
    if not found:
        return replies.ACTIVITIES_NONE
    # A bare code sent next ("A1") signs up for it; anything else is understood afresh.
    return turn.ask(NAME, "browse", {"action": "signup", "codes": [a.code for a in found]},
                    replies.ACTIVITIES_HEADER + "\n" + _lines(turn, found))


def on_browse(turn: Turn, data: dict) -> str:
    text = turn.text.strip().upper()
    if text not in data["codes"]:
        return NOT_MINE
    turn.finish("")
    return _perform(turn, "signup", activities.by_code(turn.session, text), data)


def start_signup(turn: Turn, slots: dict) -> str:
    return _start(turn, "signup", slots)


def start_cancel(turn: Turn, slots: dict) -> str:
    return _start(turn, "cancel_signup", slots)


def start_leave(turn: Turn, slots: dict) -> str:
    return _start(turn, "leave", slots)


def _start(turn: Turn, action: str, slots: dict) -> str:
    data = {"action": action, "reason": slots.get("reason", "")}
    candidates = _candidates(turn, action, slots.get("activity"), slot_date(slots.get("date")))
    if slots.get("activity") and not candidates:
        return replies.ACTIVITY_NOT_FOUND.format(ref=slots["activity"])
    if len(candidates) == 1:
        return _chosen(turn, candidates[0], data)
    if not candidates:
        return replies.MY_SIGNUPS_NONE if action != "signup" else replies.ACTIVITIES_NONE
    data["codes"] = [a.code for a in candidates]
    return turn.ask(NAME, "pick", data, replies.ACTIVITY_WHICH.format(
        action=replies.ACTION_NAMES[action], lines=_lines(turn, candidates)))


def on_pick(turn: Turn, data: dict) -> str:
    code = _picked_code(turn, data["codes"])
    if code is None:
        if is_new_request(turn, OWN_INTENTS):
            return NOT_MINE
        candidates = [activities.by_code(turn.session, c) for c in data["codes"]]
        return turn.ask(NAME, "pick", data, replies.ACTIVITY_WHICH.format(
            action=replies.ACTION_NAMES[data["action"]], lines=_lines(turn, [a for a in candidates if a])))
    turn.finish("")
    return _chosen(turn, activities.by_code(turn.session, code), data)


def on_reason(turn: Turn, data: dict) -> str:
    if is_new_request(turn, OWN_INTENTS):
        return NOT_MINE
    found = intents.extract(turn.text, turn.now, ("activity", "reason"), "leave").get("reason")
    data["reason"] = (found or turn.text).strip(" 。.!！")[:200]
    turn.finish("")
    return _perform(turn, data["action"], activities.by_code(turn.session, data["code"]), data)


def _chosen(turn: Turn, activity: Activity, data: dict) -> str:
    """The activity is known: ask for the leave reason if needed, else act."""
    if data["action"] == "leave" and not data.get("reason") and _on_place(turn, activity):
        data["code"] = activity.code
        return turn.ask(NAME, "reason", data, replies.LEAVE_ASK_REASON.format(**_fields(turn, activity)))
    return _perform(turn, data["action"], activity, data)


def _on_place(turn: Turn, activity: Activity) -> bool:
    """Leave needs a reason only for a held place before the start (else the answer needs none)."""
    signup = activities.signup_of(turn.session, activity.id, turn.member.id)
    return (signup is not None and signup.status in activities.TAKES_PLACE and activity.start_at > turn.now)


def _picked_code(turn: Turn, codes: list[str]) -> str | None:
    text = turn.text.strip().upper()
    if text in codes:
        return text
    if re.fullmatch(r"\d{1,4}", text) and f"A{text}" in codes:
        return f"A{text}"
    ref = intents.extract(turn.text, turn.now, ("activity",)).get("activity")
    if ref:
        matches = [c for c in codes if c == ref.upper()] or [
            a.code for a in activities.find(turn.session, turn.now, ref, None, turn.rt.tz) if a.code in codes]
        if len(matches) == 1:
            return matches[0]
    return None


def _candidates(turn: Turn, action: str, reference: str | None, day) -> list[Activity]:
    found = activities.find(turn.session, turn.now, reference, day, turn.rt.tz)
    if action == "signup":
        if reference or day:
            return [a for a in found if activities.is_for(a, turn.member)] or found
        return activities.upcoming_for(turn.session, turn.member, turn.now, turn.rt.config.activities.list_limit)
    mine = {s.activity_id for s in activities.my_upcoming(turn.session, turn.member, turn.now)}
    if reference or day:
        return [a for a in found if a.id in mine] or found
    return [a for a in activities.upcoming(turn.session, turn.now, 100) if a.id in mine]


def _perform(turn: Turn, action: str, activity: Activity, data: dict) -> str:
    session, member, now = turn.session, turn.member, turn.now
    if action == "signup":
        outcome = activities.sign_up(session, activity, member, now)
        return SIGNUP_REPLIES[outcome.result].format(position=outcome.position, **_fields(turn, activity))
    if action == "leave":
        outcome = activities.take_leave(session, activity, member, now, data.get("reason", ""))
        row = activities.signup_of(session, activity.id, member.id)
        text = LEAVE_REPLIES[outcome.result].format(reason=row.reason if row else "", **_fields(turn, activity))
    else:
        outcome = activities.cancel_signup(session, activity, member, now)
        text = CANCEL_REPLIES[outcome.result].format(**_fields(turn, activity))
    _after_release(turn, activity, outcome)
    return text


def _after_release(turn: Turn, activity: Activity, outcome: Outcome) -> None:
    """A place was given up: drop this member's pending reminder, tell whoever moved up."""
    if outcome.result in (CancelResult.CANCELLED, LeaveResult.LEAVE):
        reminders.cancel_stale_reminders(turn.session, activity.id)
    reminders.notify_promoted(turn.rt, turn.session, outcome.promoted)


def _fields(turn: Turn, activity: Activity) -> dict:
    return {"code": activity.code, "title": activity.title, "place": activity.place or "待定",
            "when": when_label(activity.start_at, turn.rt.tz),
            "audience": "、".join(activities.audience_tokens(activity)) or "全体"}


def _lines(turn: Turn, found: list[Activity]) -> str:
    mine = {s.activity_id: s for s in activities.my_upcoming(turn.session, turn.member, turn.now)}
    lines = []
    for activity in found:
        places = ""
        if activity.capacity:
            left = activity.capacity - activities.taken_places(turn.session, activity.id)
            places = replies.PLACES_LEFT.format(left=left) if left > 0 else replies.PLACES_FULL
        lines.append(replies.ACTIVITY_LINE.format(places=places, mine=_mine(turn, mine.get(activity.id)),
                                                  **_fields(turn, activity)))
    return "\n".join(lines)


def _mine(turn: Turn, signup) -> str:
    if signup is None:
        return ""
    if signup.status == activities.WAITLIST:
        return replies.MINE_WAITLIST.format(position=activities.waitlist_position(turn.session, signup))
    return replies.MINE_SIGNED


STEPS = {"pick": on_pick, "reason": on_reason, "browse": on_browse}
