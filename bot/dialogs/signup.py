"""Activities: list, sign up (or join the waitlist), cancel, ask for leave, my activities.

Asks which activity when unclear, and the reason when 请假 comes without one. A question about an activity
("还有没有位置", "在哪") is answered and a sign-up offered, never performed. A change that frees a place
promotes the first waitlisted member in the same transaction and queues their notice.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import intents
from intents.activity_titles import names_activity
from bot import duty_record, reminders, replies
from bot.dialogs.base import Ask, Dialog, Done, Handover, Message, Perform, Transition, Turn, Unclear
from bot.dialogs.common import slot_date, when_label
from storage import activities
from storage.activities import CancelResult, LeaveResult, Outcome, SignupResult
from storage.days import day_start
from storage.models import Activity, Signup
from storage.statuses import SignupStatus

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


class Step(StrEnum):
    BROWSE = "browse"   # after the list: a code (or its number) signs up; anything else is a new request
    PICK = "pick"       # which activity?
    REASON = "reason"   # the leave reason
    OFFER = "offer"     # after answering a question about one activity: 「报名」 signs up


@dataclass
class SignupDraft:
    action: str = "signup"          # signup | cancel_signup | leave
    codes: list[str] = field(default_factory=list)
    code: str = ""
    reason: str = ""


# --- pure steps ----------------------------------------------------------------------------------

def on_browse(draft: SignupDraft, msg: Message) -> Transition:
    code = picked_code(draft.codes, msg.text)
    return _with(draft, code) if code else Handover()


def on_pick(draft: SignupDraft, msg: Message) -> Transition:
    code = picked_code(draft.codes, msg.text)
    if code:
        return _with(draft, code)
    if msg.extract("activity").get("activity"):
        return Perform(_pick_by_reference, draft)
    return Unclear()


def on_reason(draft: SignupDraft, msg: Message) -> Transition:
    if msg.is_new_request(OWN_INTENTS):
        return Handover()
    found = msg.extract("activity", "reason", intent="leave").get("reason")
    reason = (found or msg.text).strip(" 。.!！")[:200]
    if not reason or intents.is_question(reason):
        return Unclear()
    draft.reason = reason
    return Perform(_perform, draft)


def on_offer(draft: SignupDraft, msg: Message) -> Transition:
    """After facts about one activity: 报名 / 好的 / 给我报上 signs up for it; anything else is a new request."""
    word = msg.text.strip(" 。.!！~")
    other = msg.extract("activity").get("activity")
    wants = intents.is_sign_me_up(word) or intents.is_confirm(word) or (
        msg.parsed.intent == "signup" and not intents.is_question(word))
    if wants and (not other or other.upper() == draft.code):
        draft.action = "signup"
        return Perform(_perform, draft)
    return Handover()


def picked_code(codes: list[str], text: str) -> str | None:
    """A listed activity named by its code (A3), its number in the list (2, ②, 第二个), or both agreeing."""
    text = intents.normalize(text).strip(" 。.!！").upper()
    if text in codes:
        return text
    index = intents.choice(text, len(codes))
    by_position = codes[index - 1] if index else None
    by_code = f"A{text}" if re.fullmatch(r"\d{1,4}", text) and f"A{text}" in codes else None
    if by_position and by_code and by_position != by_code:
        return None  # "3": the third listed, or A3? ask again
    return by_code or by_position


def _with(draft: SignupDraft, code: str) -> Transition:
    draft.code = code
    return Perform(_chosen, draft)


# --- starting (needs the store) ----------------------------------------------------------------------

def list_upcoming(turn: Turn, slots: dict) -> Transition:
    if intents.is_question(turn.text):
        reference = turn.message.extract("activity").get("activity")
        if reference:
            return _answer_question(turn, {**slots, "activity": reference})
    found = activities.upcoming_for(turn.session, turn.member, turn.now, turn.rt.config.activities.list_limit)
    if not found:
        return Done(replies.ACTIVITIES_NONE)
    return Ask(Step.BROWSE, SignupDraft(codes=[a.code for a in found]),
               replies.ACTIVITIES_HEADER + "\n" + _lines(turn, found))


def start(turn: Turn, action: str, slots: dict) -> Transition:
    draft = SignupDraft(action=action, reason=slots.get("reason", ""))
    if action == "signup" and intents.is_question(turn.text):
        return _answer_question(turn, slots)
    candidates = _candidates(turn, action, slots.get("activity"), slot_date(slots.get("date")))
    if slots.get("activity") and not candidates:
        return Done(replies.ACTIVITY_NOT_FOUND.format(ref=slots["activity"]))
    if len(candidates) == 1:
        draft.code = candidates[0].code
        return _chosen(turn, draft)
    if not candidates:
        return Done(replies.MY_SIGNUPS_NONE if action != "signup" else replies.ACTIVITIES_NONE)
    draft.codes = [a.code for a in candidates]
    return _ask_which(turn, draft, candidates)


def by_code(turn: Turn, action: str, code: str, reason: str = "") -> Transition:
    """报名 A3 / 取消报名 A3 / 请假 A3 出差: the fixed-syntax commands."""
    if activities.by_code(turn.session, code) is None:
        return Done(replies.ACTIVITY_NOT_FOUND.format(ref=code))
    return _chosen(turn, SignupDraft(action=action, code=code, reason=reason))


def by_codes(turn: Turn, action: str, codes: tuple[str, ...], reason: str = "") -> Transition:
    """Several codes in one command (报名 A1 A2): each one acted on, the replies together."""
    if len(codes) == 1:
        return by_code(turn, action, codes[0], reason)
    answers = []
    for code in codes:
        if activities.by_code(turn.session, code) is None:
            answers.append(replies.ACTIVITY_NOT_FOUND.format(ref=code))
        else:
            answers.append(_act(turn, SignupDraft(action=action, code=code, reason=reason)).reply)
    return Done("\n\n".join(answers))


def _answer_question(turn: Turn, slots: dict) -> Transition:
    """A question about an activity gets facts and an offer; nothing is signed up."""
    found = _candidates(turn, "signup", slots.get("activity"), slot_date(slots.get("date")))
    if not found and slots.get("activity"):  # not a title we know: show what is on
        found = activities.upcoming_for(turn.session, turn.member, turn.now, turn.rt.config.activities.list_limit)
    if not found:
        return Done(replies.ACTIVITIES_NONE)
    if len(found) > 1:
        return Ask(Step.BROWSE, SignupDraft(codes=[a.code for a in found]),
                   replies.ACTIVITIES_HEADER + "\n" + _lines(turn, found))
    activity = found[0]
    line = _lines(turn, [activity])
    return Ask(Step.OFFER, SignupDraft(code=activity.code), replies.ACTIVITY_INFO.format(line=line, code=activity.code))


def _pick_by_reference(turn: Turn, draft: SignupDraft) -> Transition:
    ref = intents.extract(turn.text, turn.now, ("activity",)).get("activity", "")
    matches = [c for c in draft.codes if c == ref.upper()] or [
        a.code for a in _find(turn, ref, None) if a.code in draft.codes]
    if len(matches) != 1:
        return Unclear()
    draft.code = matches[0]
    return _chosen(turn, draft)


def _ask_which(turn: Turn, draft: SignupDraft, candidates: list[Activity]) -> Ask:
    return Ask(Step.PICK, draft, replies.ACTIVITY_WHICH.format(
        action=replies.ACTION_NAMES[draft.action], lines=_lines(turn, candidates)))


def _chosen(turn: Turn, draft: SignupDraft) -> Transition:
    """The activity is known: ask for the leave reason if needed, else act."""
    activity = activities.by_code(turn.session, draft.code)
    if draft.action == "leave" and not draft.reason and _on_place(turn, activity):
        return Ask(Step.REASON, draft, replies.LEAVE_ASK_REASON.format(**_fields(turn, activity)))
    return _perform(turn, draft)


def _on_place(turn: Turn, activity: Activity) -> bool:
    """Leave needs a reason only for a held place before the start (else the answer needs none)."""
    signup = activities.signup_of(turn.session, activity.id, turn.member.id)
    return signup is not None and signup.status in activities.TAKES_PLACE and activity.start_at > turn.now


def _find(turn: Turn, reference: str | None, day) -> list[Activity]:
    """Upcoming activities matching a code, words of the title/kind, and/or a local day."""
    coded = activities.by_code(turn.session, reference) if reference else None
    if coded is not None:
        return [coded]
    found = activities.upcoming_on(turn.session, turn.now, day, turn.rt.tz)
    return [a for a in found if names_activity(reference, a.title, a.kind)] if reference else found


def _candidates(turn: Turn, action: str, reference: str | None, day) -> list[Activity]:
    found = _find(turn, reference, day)
    if action == "signup":
        if reference or day:
            return [a for a in found if activities.is_for(a, turn.member)] or found
        return activities.upcoming_for(turn.session, turn.member, turn.now, turn.rt.config.activities.list_limit)
    mine = {s.activity_id for s in activities.my_upcoming(turn.session, turn.member, turn.now)}
    if reference or day:
        return [a for a in found if a.id in mine] or found
    return [a for a in activities.upcoming(turn.session, turn.now, 100) if a.id in mine]


# --- acting ---------------------------------------------------------------------------------------------

def _perform(turn: Turn, draft: SignupDraft) -> Transition:
    """Act on the chosen activity; a second activity named in the same message is pointed out, not acted on."""
    done = _act(turn, draft)
    others = [c for c in intents.activity_codes(turn.text) if c != draft.code]
    if others and isinstance(done, Done) and not intents.parse_activity_command(turn.text):
        return Done(done.reply + replies.ACTIVITY_ALSO_NAMED.format(codes="、".join(others), first=others[0]))
    return done


def _act(turn: Turn, draft: SignupDraft) -> Transition:
    session, member, now = turn.session, turn.member, turn.now
    activity = activities.by_code(session, draft.code)
    if draft.action == "signup":
        outcome = activities.sign_up(session, activity, member, now)
        return Done(SIGNUP_REPLIES[outcome.result].format(position=outcome.position, **_fields(turn, activity)))
    if draft.action == "leave":
        outcome = activities.take_leave(session, activity, member, now, draft.reason)
        row = activities.signup_of(session, activity.id, member.id)
        text = LEAVE_REPLIES[outcome.result].format(reason=row.reason if row else "", **_fields(turn, activity))
    else:
        outcome = activities.cancel_signup(session, activity, member, now)
        text = CANCEL_REPLIES[outcome.result].format(**_fields(turn, activity))
    _after_release(turn, activity, outcome)
    return Done(text)


def _after_release(turn: Turn, activity: Activity, outcome: Outcome) -> None:
    """A place was given up: drop this member's pending reminder, tell whoever moved up."""
    if outcome.result in (CancelResult.CANCELLED, LeaveResult.LEAVE):
        reminders.cancel_stale_reminders(turn.session, activity.id)
    reminders.notify_promoted(turn.rt, turn.session, outcome.promoted)


# --- my activities ------------------------------------------------------------------------------------

def my_activities(turn: Turn, slots: dict) -> Transition:
    """我的活动: this year's sign-ups with 已报名/候补/请假/已签到/缺席 and dates."""
    year_start = day_start(turn.now.date().replace(month=1, day=1), turn.rt.tz)
    mine = activities.signups_of_member(turn.session, turn.member, year_start)
    if not mine:
        return Done(replies.MY_ACTIVITIES_NONE)
    lines = [replies.MY_ACTIVITIES_HEADER.format(n=len(mine))]
    lines += [replies.MY_ACTIVITY_LINE.format(status=_status(turn, s), **_fields(turn, s.activity)) for s in mine]
    return Done("\n".join(lines))


def _status(turn: Turn, signup: Signup) -> str:
    if signup.attended_at is not None:
        return replies.MY_ACTIVITY_STATUS["attended"]
    if signup.status == SignupStatus.WAITLIST:
        return replies.MINE_WAITLIST.format(position=activities.waitlist_position(turn.session, signup))
    ended = duty_record.timing(turn.rt).ended(signup.activity, turn.now)
    if signup.status == SignupStatus.SIGNED and ended:
        return replies.MY_ACTIVITY_STATUS["absent"]
    return replies.MY_ACTIVITY_STATUS.get(signup.status, "")


# --- wording ---------------------------------------------------------------------------------------------

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
    if signup.status == SignupStatus.WAITLIST:
        return replies.MINE_WAITLIST.format(position=activities.waitlist_position(turn.session, signup))
    return replies.MINE_SIGNED


DIALOG = Dialog(NAME, Step, SignupDraft,
                {Step.BROWSE: on_browse, Step.PICK: on_pick, Step.REASON: on_reason, Step.OFFER: on_offer},
                own_intents=OWN_INTENTS, quiet_steps=frozenset({Step.BROWSE, Step.OFFER}))
