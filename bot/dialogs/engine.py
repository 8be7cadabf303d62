"""Runs dialog transitions: the one place that saves, repeats, cancels and expires a dialog.

`start(turn, dialog, transition)` runs the first transition of a dialog the router opened;
`resume(turn, state)` gives an open dialog the next message. Both return the reply text; None when the
message is a new request (Handover) for the router to handle afresh; or a Reroute (a numbered choice).
"""
from __future__ import annotations

import dataclasses

import intents
from bot import replies
from bot.dialogs.base import (
    Ask, Dialog, DialogState, Done, Perform, Reroute, Transition, Turn, Unclear, clear_state, save_state,
)

MAX_REPEATS = 1  # a question is repeated at most once; then the dialog ends politely


def start(turn: Turn, dialog: Dialog, transition: Transition) -> str:
    reply = _run(turn, dialog, transition, None)
    return replies.NOT_UNDERSTOOD if reply is None else reply


def resume(turn: Turn, dialog: Dialog, state: DialogState) -> str | Reroute | None:
    """The open dialog's answer to this message; None = a new request (the dialog is left or paused)."""
    turn.state = state
    if intents.is_cancel(turn.text):
        clear_state(turn.rt, turn.openid)
        turn.state = None
        return replies.CANCELLED.format(what=service_name(dialog.name))
    step, draft = dialog.step_named(state.step), dialog.load_draft(state.draft)
    handler = dialog.handlers.get(step) if step is not None and draft is not None else None
    if handler is None:  # state from another deploy: treat as expired, never an internal error
        clear_state(turn.rt, turn.openid)
        turn.state = None
        return None
    return _run(turn, dialog, handler(draft, turn.message), state)


def media(turn: Turn, dialog: Dialog, state: DialogState) -> str | None:
    """A photo/location while the dialog is open: the dialog's media handler, if it has one."""
    step, draft = dialog.step_named(state.step), dialog.load_draft(state.draft)
    if dialog.on_media is None or step is None or draft is None:
        return None
    turn.state = state
    return _run(turn, dialog, dialog.on_media(turn, draft, step), state)


def still_valid(state: DialogState, now) -> bool:
    """Not timed out, and its dialog, step and draft still exist in this deploy."""
    from bot.dialogs import DIALOGS

    dialog = DIALOGS.get(state.dialog)
    return (dialog is not None and not state.expired(now) and dialog.step_named(state.step) is not None
            and dialog.load_draft(state.draft) is not None)


def _run(turn: Turn, dialog: Dialog, transition: Transition, state: DialogState | None) -> str | Reroute | None:
    while isinstance(transition, Perform):
        transition = transition.service(turn, transition.draft)
    if isinstance(transition, Ask):
        return _ask(turn, dialog, transition)
    if isinstance(transition, (Done, Reroute)):
        if state is not None:
            clear_state(turn.rt, turn.openid)
            turn.state = None
        return transition.reply if isinstance(transition, Done) else transition
    if isinstance(transition, Unclear) and state is not None:
        return _unclear(turn, dialog, transition, state)
    return _handover(turn, dialog, state)


def _ask(turn: Turn, dialog: Dialog, ask: Ask) -> str:
    state = DialogState(dialog.name, ask.step.value, dataclasses.asdict(ask.draft),
                        question=ask.repeat or ask.question)
    save_state(turn.rt, turn.openid, state, turn.now)
    turn.state = state
    return ask.question


def _unclear(turn: Turn, dialog: Dialog, unclear: Unclear, state: DialogState) -> str | None:
    if turn.message.is_new_request(dialog.own_intents):
        return _handover(turn, dialog, state)
    if state.unclear >= MAX_REPEATS:
        clear_state(turn.rt, turn.openid)
        turn.state = None
        return replies.DIALOG_GAVE_UP.format(what=service_name(dialog.name))
    state.unclear += 1
    save_state(turn.rt, turn.openid, state, turn.now)
    return (unclear.hint + "\n" if unclear.hint else "") + state.question


def _handover(turn: Turn, dialog: Dialog, state: DialogState | None) -> None:
    """Leave (or, for a resumable draft, pause) the dialog; the router answers the message afresh."""
    if state is not None and not dialog.resumable:
        clear_state(turn.rt, turn.openid)
    turn.state = None
    return None


def service_name(dialog_name: str) -> str:
    return replies.SERVICE_NAMES.get(dialog_name, replies.SERVICE_NAMES["clarify"])
