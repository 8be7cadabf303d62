"""签到 at an activity: with the code announced on site (签到 4821) or by scanning its QR code."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.orm import Session

import intents
from bot import duty_record, replies
from bot.dialogs.base import Ask, Dialog, Done, Message, Perform, Transition, Turn, Unclear
from bot.runtime import Runtime
from storage import activities, attendance
from storage.activities import Timing
from storage.attendance import Attendance, AttendResult

NAME = "attend"

ATTEND_REPLIES = {
    AttendResult.ALREADY: replies.ATTEND_ALREADY, AttendResult.NOT_YET: replies.ATTEND_NOT_YET,
    AttendResult.CLOSED: replies.ATTEND_CLOSED, AttendResult.CANCELLED_ACTIVITY: replies.ATTEND_CANCELLED,
}


class Step(StrEnum):
    CODE = "code"


@dataclass
class AttendDraft:
    code: str = ""


def start(turn: Turn, slots: dict) -> Transition:
    code = slots.get("code")
    if not code:
        return Ask(Step.CODE, AttendDraft(), replies.ATTEND_ASK_CODE)
    return with_code(turn, code)


def on_code(draft: AttendDraft, msg: Message) -> Transition:
    code = intents.sign_in_code(msg.text)
    if code is None:
        return Unclear()
    draft.code = code
    return Perform(_sign_in, draft)


def _sign_in(turn: Turn, draft: AttendDraft) -> Transition:
    return with_code(turn, draft.code)


def with_code(turn: Turn, code: str) -> Transition:
    timing = duty_record.timing(turn.rt)
    result = attendance.sign_in_with_code(turn.session, turn.member.id, code, turn.now, timing)
    if result.result is AttendResult.WRONG_CODE:
        return Done(replies.ATTEND_WRONG_CODE.format(given=code))
    return Done(answer(turn.rt, result, turn.now, timing))


def scan(rt: Runtime, session: Session, member_id: int, code: str, now: datetime) -> str:
    """Sign in by QR scan; '' when the scene names no activity."""
    activity = activities.locked_by_code(session, code)
    if activity is None:
        return ""
    timing = duty_record.timing(rt)
    return answer(rt, attendance.sign_in(session, activity, member_id, now, timing), now, timing)


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


DIALOG = Dialog(NAME, Step, AttendDraft, {Step.CODE: on_code}, own_intents=("attend",))
