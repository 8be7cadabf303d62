"""The router: who is this, and which service answers — always in this order.

1. events and menu clicks become their service (bot/dialogs/events.py);
2. strangers can only bind;
3. fixed-syntax commands (提案 commands and TA… receipts first, then receipt numbers, 报名 A3, 签到 4821, staff
   verbs, 修改/附议 SQ…, menu words) are
   matched before anything else and leave an open question (a draft is kept);
4. an open dialog gets the message (bot/dialogs/engine.py: answer, cancel, new request, repeat once);
5. the classifier, with the confidence gate asking numbered choices when unsure.
"""
from __future__ import annotations

import logging
from typing import Callable, Mapping

import intents
from bot import delivery_events, replies
from bot.dialogs import DIALOGS, INTENT_HANDLERS, attend, bind, clarify, engine, events, report, signup, staff
from bot.dialogs.proposal_commands import fixed_command as proposal_command
from bot.dialogs.base import (
    DialogState, Done, Reroute, Transition, Turn, clear_state, load_state, save_state, state_key,
)
from bot.inbox import QuickLane
from bot.protocol import Inbound
from bot.runtime import Runtime
from intents.slots import INTENT_SLOTS
from storage import members

log = logging.getLogger(__name__)
Command = tuple[str, Callable[[Turn], Transition]]  # (the dialog it runs in, what it does)


def handle_inbound(rt: Runtime, inbound: Inbound) -> str:
    """The reply text for one message ('' = nothing to say)."""
    clicked = inbound.msg_type == "event"
    if clicked:
        typed = events.as_message(rt, inbound)
        if typed is None:
            return events.handle(rt, inbound)  # opens WeChat's 1-minute kefu allowance in its own transaction
        delivery_events.note_interaction(rt, inbound)  # a mapped click opens it too
        inbound = typed
    try:
        return _answer_as_sender(rt, inbound, clicked)
    except members.StaleMember:  # the cached binding changed meanwhile: nothing was kept; once more, afresh
        members.forget(rt.db.engine, inbound.openid)
        return _answer_as_sender(rt, inbound, clicked)


def keys_to_prefetch(inbound: Inbound) -> list[str]:
    """What handling this message will read from the shared store: fetched with its de-duplication claim."""
    return [state_key(inbound.openid)] if inbound.msg_type in ("text", "voice") else []


def _plain_checkin(inbound: Inbound) -> bool:
    return inbound.msg_type == "text" and intents.is_plain_checkin(inbound.text)


def _no_open_dialog(inbound: Inbound, prefetched: Mapping[str, str | None]) -> bool:
    key = state_key(inbound.openid)
    return key in prefetched and prefetched[key] is None


# The quick lane (bot/inbox.py): a typed plain check-in with no open dialog. Its handling is the check-in
# statement, and the check-in carries the message key.
QUICK_LANE = QuickLane(candidate=_plain_checkin, confirmed=_no_open_dialog)


def _answer_as_sender(rt: Runtime, inbound: Inbound, clicked: bool) -> str:
    sender = members.cached_id(rt.db.engine, inbound.openid)
    if sender is None:
        with rt.db.autocommit() as conn:
            sender = members.id_for(conn, inbound.openid)
    with rt.db.session_on_demand() as session:
        turn = Turn(rt, session, sender, inbound, inbound.text, rt.now())
        reply = _answer(turn)
        if sender is not None and turn.member_id == sender and not clicked and not turn.touched:
            members.touch(turn.session, sender, turn.openid, turn.now)  # a stale cached id matches no row
        return reply


def _answer(turn: Turn) -> str:
    inbound = turn.inbound
    if inbound.msg_type == "voice" and not turn.text:
        return replies.VOICE_NOT_RECOGNISED
    if inbound.msg_type not in ("text", "voice"):
        return _media(turn)
    if not turn.text.strip():
        return replies.HELP
    if turn.member_id is None:
        return bind.handle_stranger(turn)
    return converse(turn)


def converse(turn: Turn) -> str:
    """Fixed commands first, then the open dialog, then the classifier."""
    state, prefix = _open_state(turn)
    command = fixed_command(turn)
    if command is not None:
        return prefix + _interrupting(turn, state, lambda: _run(turn, *command))
    if state is None:
        return prefix + route(turn)
    dialog = DIALOGS[state.dialog]
    answer = engine.resume(turn, dialog, state)
    if isinstance(answer, str):
        return prefix + answer
    if isinstance(answer, Reroute):
        return prefix + run_intent(turn, answer.intent, _slots_for(turn, answer))
    paused = state if dialog.resumable else None
    return prefix + _after_interruption(turn, state, paused, route(turn))


def _open_state(turn: Turn) -> tuple[DialogState | None, str]:
    """The open dialog, or None with a note when it timed out (or no longer exists after a deploy)."""
    state = load_state(turn.rt, turn.openid)
    if state is None:
        return None, ""
    if not engine.still_valid(state, turn.now):
        clear_state(turn.rt, turn.openid)
        return None, replies.DIALOG_EXPIRED.format(what=engine.service_name(state.dialog))
    return state, ""


def _interrupting(turn: Turn, state: DialogState | None, answer: Callable[[], str]) -> str:
    """A fixed command while a question is open: leave the question (a draft is kept) and say so."""
    if state is None:
        return answer()
    dialog = DIALOGS[state.dialog]
    if not dialog.resumable:
        clear_state(turn.rt, turn.openid)
    turn.state = None
    return _after_interruption(turn, state, state if dialog.resumable else None, answer())


def _after_interruption(turn: Turn, left: DialogState, paused: DialogState | None, answer: str) -> str:
    what = engine.service_name(left.dialog)
    if paused is None:
        quiet = left.step in DIALOGS[left.dialog].quiet_steps
        return answer if quiet else replies.DIALOG_LEFT.format(what=what) + answer
    if turn.state is not None:  # the new request opened a dialog of its own: the draft is gone
        return answer + replies.DRAFT_DROPPED.format(what=what)
    save_state(turn.rt, turn.openid, paused, turn.now)
    return answer + replies.DRAFT_KEPT.format(what=what)


# --- fixed-syntax commands ------------------------------------------------------------------------------

def fixed_command(turn: Turn) -> Command | None:
    """A command whose syntax alone says what it is, or None."""
    text = turn.text
    for match in (proposal_command, _staff_command, _member_command, _activity_command, _sign_in_command, _receipt,
                  _menu_word):
        command = match(turn, text)
        if command is not None:
            return command
    return None


def _staff_command(turn: Turn, text: str) -> Command | None:
    command = staff.parse(text)
    if command is None:
        return None
    if turn.member.is_staff:
        return "staff", lambda t: staff.run(t, command)
    if command.kind == "view":
        return "report", lambda t: Done(report.history(t, command.receipt))
    verb = command.verb or text.strip()
    return "clarify", lambda t: Done(replies.REPORT_STAFF_ONLY.format(verb=verb))


def _member_command(turn: Turn, text: str) -> Command | None:
    command = intents.parse_member_command(text)
    if command is None:
        return None
    if command.kind == "revise":
        return "report", lambda t: report.start_revision(t, command.receipt, command.rest)
    return "report", lambda t: report.second_by_receipt(t, command.receipt)


def _activity_command(turn: Turn, text: str) -> Command | None:
    command = intents.parse_activity_command(text)
    if command is None:
        return None
    return "signup", lambda t: signup.by_codes(t, command.action, command.codes, command.rest)


def _sign_in_command(turn: Turn, text: str) -> Command | None:
    code = intents.parse_sign_in_command(text)
    return ("attend", lambda t: attend.with_code(t, code)) if code else None


def _receipt(turn: Turn, text: str) -> Command | None:
    receipt = intents.find_receipt(text)
    return ("report", lambda t: Done(report.history(t, receipt))) if receipt else None


def _menu_word(turn: Turn, text: str) -> Command | None:
    intent = intents.menu_intent(text)
    if intent is None:
        return None
    dialog, starter = INTENT_HANDLERS[intent]
    return dialog.name, lambda t: starter(t, {})


def _run(turn: Turn, dialog_name: str, action: Callable[[Turn], Transition]) -> str:
    return engine.start(turn, DIALOGS[dialog_name], action(turn))


# --- understood by the classifier -----------------------------------------------------------------------

def route(turn: Turn) -> str:
    """Send the message to its service, asking first when the understanding is unsure."""
    parsed = turn.understood()
    if parsed.intent == "bind":
        return replies.ALREADY_BOUND.format(name=turn.member.name)
    cfg = turn.rt.config.intents
    if clarify.unsure(parsed, cfg.confidence_threshold, cfg.margin):
        options = clarify.options_for(parsed)
        if len(options) >= 2:
            return engine.start(turn, clarify.DIALOG, clarify.ask_which(turn.text, options))
    return run_intent(turn, parsed.intent, parsed.slots)


def run_intent(turn: Turn, intent: str, slots: dict) -> str:
    dialog, starter = INTENT_HANDLERS.get(intent, INTENT_HANDLERS["unknown"])
    return engine.start(turn, dialog, starter(turn, slots))


def _slots_for(turn: Turn, chosen: Reroute) -> dict:
    """A numbered choice: run the chosen service on the message that was unclear (or on nothing)."""
    turn.text = chosen.text
    if not chosen.text:
        return {}
    return intents.extract(chosen.text, turn.now, INTENT_SLOTS.get(chosen.intent, ()), intent=chosen.intent)


# --- photos, locations, links --------------------------------------------------------------------------

def _media(turn: Turn) -> str:
    """Images, locations, links, video: to an open dialog that takes them (a report draft), else a hint."""
    if turn.member_id is not None:
        state, _ = _open_state(turn)
        if state is not None:
            answer = engine.media(turn, DIALOGS[state.dialog], state)
            if isinstance(answer, str):
                return answer
    if turn.inbound.msg_type == "location":
        return replies.LOCATION_RECEIVED.format(label=turn.inbound.fields.get("Label", ""))
    return replies.MEDIA_NOT_SUPPORTED if turn.member_id is not None else replies.BIND_HOW
