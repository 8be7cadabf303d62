"""Who is this, which dialog is open, which handler answers.

Flow: an Inbound message -> (events | media | binding for strangers) ->
open dialog step, or intents.parse() -> confidence gate -> a service handler.
"""
from __future__ import annotations

import logging

from bot import replies
from bot.dialogs import DIALOGS, INTENT_HANDLERS
from bot.dialogs import bind, clarify, staff
from bot.dialogs.base import NOT_MINE, Turn, clear_state, is_cancel, load_state
from bot.protocol import Inbound
from bot.runtime import Runtime
from storage import members

log = logging.getLogger(__name__)


def handle_inbound(rt: Runtime, inbound: Inbound) -> str:
    """The reply text for one message ('' = nothing to say)."""
    if inbound.msg_type == "event":
        from bot.dialogs import events

        return events.handle(rt, inbound)
    with rt.db.session() as session:
        member = members.by_openid(session, inbound.openid)
        now = rt.now()
        if member is not None:
            members.touch(member, now)
        turn = Turn(rt, session, member, inbound, inbound.text, now)
        return _answer(turn)


def _answer(turn: Turn) -> str:
    inbound = turn.inbound
    if inbound.msg_type == "voice" and not turn.text:
        return replies.VOICE_NOT_RECOGNISED
    if inbound.msg_type not in ("text", "voice"):
        return _media(turn)
    if not turn.text:
        return replies.HELP
    if turn.member is None:
        return bind.handle_stranger(turn)
    return converse(turn)


def converse(turn: Turn) -> str:
    """Continue the open dialog, or understand the message afresh."""
    state = load_state(turn.rt, turn.openid)
    prefix, paused = "", None
    if state is not None and state.expired():
        clear_state(turn.rt, turn.openid)
        prefix = replies.DIALOG_EXPIRED.format(what=_service_name(state.dialog))
        state = None
    if state is not None:
        turn.state = state
        if is_cancel(turn.text):
            return turn.finish(replies.CANCELLED.format(what=_service_name(state.dialog)))
        answer = DIALOGS[state.dialog].STEPS[state.step](turn, state.data)
        if answer is not NOT_MINE:
            return answer
        turn.finish("")
        paused = state if getattr(DIALOGS[state.dialog], "RESUMABLE", False) else None
    elif is_cancel(turn.text):
        return replies.NOTHING_TO_CANCEL
    answer = prefix + _fresh(turn)
    if paused is not None:
        answer += _resume(turn, paused)
    return answer


def _fresh(turn: Turn) -> str:
    if turn.member.is_staff:
        answer = staff.try_command(turn)
        if answer is not None:
            return answer
    return route(turn, turn.understood())


def _resume(turn: Turn, paused) -> str:
    """A draft interrupted by another request is kept, unless that request opened a dialog of its own."""
    what = _service_name(paused.dialog)
    if turn.state is not None:
        return replies.DRAFT_DROPPED.format(what=what)
    turn.ask(paused.dialog, paused.step, paused.data, "")
    return replies.DRAFT_KEPT.format(what=what)


def route(turn: Turn, parsed) -> str:
    """Send a parse to its service, asking first when the understanding is unsure."""
    cfg = turn.rt.config.intents
    if clarify.unsure(parsed, cfg.confidence_threshold, cfg.margin):
        return clarify.start(turn, parsed)
    return run_intent(turn, parsed.intent, parsed.slots)


def run_intent(turn: Turn, intent: str, slots: dict) -> str:
    handler = INTENT_HANDLERS.get(intent)
    if handler is None:
        return replies.NOT_UNDERSTOOD
    return handler(turn, slots)


def _media(turn: Turn) -> str:
    """Images, locations, links, video: attach to an open report draft, else a short hint."""
    state = load_state(turn.rt, turn.openid)
    if turn.member is not None and state is not None and not state.expired():
        handler = getattr(DIALOGS[state.dialog], "on_media", None)
        if handler is not None:
            turn.state = state
            return handler(turn, state.data)
    if turn.inbound.msg_type == "location":
        return replies.LOCATION_RECEIVED.format(label=turn.inbound.fields.get("Label", ""))
    return replies.MEDIA_NOT_SUPPORTED if turn.member is not None else replies.BIND_HOW


def _service_name(dialog: str) -> str:
    return replies.SERVICE_NAMES.get(dialog, replies.SERVICE_NAMES["clarify"])
