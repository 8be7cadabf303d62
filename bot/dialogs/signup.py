"""Activities: list, sign up, cancel, ask for leave. Asks which activity when unclear."""
from __future__ import annotations

import re

import intents
from bot import replies
from bot.dialogs.base import NOT_MINE, Turn
from bot.dialogs.common import is_new_request, slot_date, when_label
from storage import activities
from storage.activities import CancelResult, SignupResult
from storage.models import Activity

NAME = "signup"
OWN_INTENTS = ("signup", "cancel_signup", "leave", "list_activities")


def list_upcoming(turn: Turn, slots: dict) -> str:
    found = activities.upcoming(turn.session, turn.now, turn.rt.config.activities.list_limit)
    if not found:
        return replies.ACTIVITIES_NONE
    return replies.ACTIVITIES_HEADER + "\n" + _lines(turn, found)


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
        return _perform(turn, action, candidates[0], data)
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
    return _perform(turn, data["action"], activities.by_code(turn.session, code), data)


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
        return found if (reference or day) else activities.upcoming(
            turn.session, turn.now, turn.rt.config.activities.list_limit)
    mine = {s.activity_id for s in activities.my_upcoming(turn.session, turn.member, turn.now)}
    if reference or day:
        return [a for a in found if a.id in mine] or found
    return [a for a in activities.upcoming(turn.session, turn.now, 100) if a.id in mine]


def _perform(turn: Turn, action: str, activity: Activity, data: dict) -> str:
    fields = _fields(turn, activity)
    if action == "signup":
        result = activities.sign_up(turn.session, activity, turn.member, turn.now)
        return {
            SignupResult.SIGNED: replies.SIGNUP_OK, SignupResult.ALREADY: replies.SIGNUP_ALREADY,
            SignupResult.FULL: replies.SIGNUP_FULL, SignupResult.DEADLINE_PASSED: replies.SIGNUP_DEADLINE,
            SignupResult.STARTED: replies.SIGNUP_STARTED,
            SignupResult.CANCELLED_ACTIVITY: replies.SIGNUP_ACTIVITY_CANCELLED,
        }[result].format(**fields)
    result = activities.cancel_signup(turn.session, activity, turn.member, turn.now)
    return {
        CancelResult.CANCELLED: replies.CANCEL_OK, CancelResult.NOT_SIGNED: replies.CANCEL_NOT_SIGNED,
        CancelResult.STARTED: replies.CANCEL_STARTED,
    }[result].format(**fields)


def _fields(turn: Turn, activity: Activity) -> dict:
    return {"code": activity.code, "title": activity.title, "place": activity.place or "待定",
            "when": when_label(activity.start_at, turn.rt.tz)}


def _lines(turn: Turn, found: list[Activity]) -> str:
    lines = []
    for activity in found:
        places = ""
        if activity.capacity:
            left = activity.capacity - activities.taken_places(turn.session, activity.id)
            places = replies.PLACES_LEFT.format(left=left) if left > 0 else replies.PLACES_FULL
        lines.append(replies.ACTIVITY_LINE.format(places=places, **_fields(turn, activity)))
    return "\n".join(lines)


STEPS = {"pick": on_pick}
