"""签到 at an activity: with the code announced on site (签到 4821) or by scanning its QR code."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

import intents
from bot import replies
from bot.dialogs.base import NOT_MINE, Turn
from bot.dialogs.common import is_new_request
from bot.runtime import Runtime
from storage import activities, attendance
from storage.activities import Timing
from storage.attendance import Attendance, AttendResult
from storage.models import Member

NAME = "attend"

ATTEND_REPLIES = {
    AttendResult.ALREADY: replies.ATTEND_ALREADY, AttendResult.NOT_YET: replies.ATTEND_NOT_YET,
    AttendResult.CLOSED: replies.ATTEND_CLOSED, AttendResult.CANCELLED_ACTIVITY: replies.ATTEND_CANCELLED,
}


def start(turn: Turn, slots: dict) -> str:
    code = slots.get("code")
    if not code:
        return turn.ask(NAME, "code", {}, replies.ATTEND_ASK_CODE)
    return _with_code(turn, code)


def on_code(turn: Turn, data: dict) -> str:
    code = intents.sign_in_code(turn.text)
    if code is None:
        if is_new_request(turn, (NAME,)):
            return NOT_MINE
        return turn.ask(NAME, "code", data, replies.ATTEND_ASK_CODE)
    turn.finish("")
    return _with_code(turn, code)


def _with_code(turn: Turn, code: str) -> str:
    timing = timing_of(turn.rt)
    result = attendance.sign_in_with_code(turn.session, turn.member, code, turn.now, timing)
    if result.result is AttendResult.WRONG_CODE:
        return replies.ATTEND_WRONG_CODE.format(given=code)
    return answer(turn.rt, result, turn.now, timing)


def scan(rt: Runtime, session: Session, member: Member, code: str, now: datetime) -> str:
    """Sign in by QR scan; '' when the scene names no activity."""
    activity = activities.by_code(session, code)
    if activity is None:
        return ""
    timing = timing_of(rt)
    return answer(rt, attendance.sign_in(session, activity, member, now, timing), now, timing)


def answer(rt: Runtime, result: Attendance, now: datetime, timing: Timing) -> str:
    activity = result.activity
    fields = {"code": activity.code, "title": activity.title,
              "time": rt.local(now).strftime("%H:%M"), "opens": _opens(rt, activity, timing)}
    if result.result is AttendResult.ATTENDED:
        return (replies.ATTEND_OK_WALK_IN if result.walk_in else replies.ATTEND_OK).format(**fields)
    return ATTEND_REPLIES[result.result].format(**fields)


def _opens(rt: Runtime, activity, timing: Timing) -> str:
    opens = rt.local(timing.window(activity)[0])
    return f"{opens.month}月{opens.day}日 {opens:%H:%M}"


def timing_of(rt: Runtime) -> Timing:
    return Timing.from_settings(rt.config.get("activities", {}) or {})


STEPS = {"code": on_code}
