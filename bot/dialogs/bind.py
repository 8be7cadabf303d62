"""Binding a WeChat account to a roster entry. Strangers get nothing but this.

The rule (throttling, one-time codes, attempts kept) is storage/binding.py; every failure gets the
same neutral reply, so a reply never tells a guesser which of name, phone, code or an existing
binding was wrong.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import intents
from bot import replies
from bot.config import Settings
from bot.dialogs import engine
from bot.dialogs.base import Ask, Dialog, Done, Message, Perform, Transition, Turn, Unclear, load_state
from storage import binding, members

NAME = "bind"


class Step(StrEnum):
    NAME = "name"     # the phone came first: whose is it?
    PHONE = "phone"   # the name came first: which phone?


@dataclass
class BindDraft:
    name: str = ""
    phone: str = ""
    code: str = ""
    text: str = ""     # the message, for a name the extractor missed ("我是医卫界的赵六 电话139…")


def handle_stranger(turn: Turn) -> str:
    """An unbound user: continue a binding in progress, bind from what they wrote, or explain how."""
    state = load_state(turn.rt, turn.openid)
    if state is not None and state.dialog == NAME and engine.still_valid(state, turn.now):
        answer = engine.resume(turn, DIALOG, state)
        if isinstance(answer, str):
            return answer
    found = turn.message.extract("name", "phone", "code")
    if turn.understood().intent != "bind" and "phone" not in found:
        return replies.BIND_HOW
    return engine.start(turn, DIALOG, begin(BindDraft(found.get("name", ""), found.get("phone", ""),
                                                      found.get("code", ""), turn.message.text)))


def begin(draft: BindDraft) -> Transition:
    if draft.name and draft.phone:
        return Perform(attempt, draft)
    if draft.name:
        return Ask(Step.PHONE, draft, replies.BIND_ASK_PHONE.format(name=draft.name))
    if draft.phone:
        return Perform(_name_in_message, draft)
    return Done(replies.BIND_NEED_BOTH)


def _name_in_message(turn: Turn, draft: BindDraft) -> Transition:
    """Only a phone was read: if the roster name of that phone is written in the message, it was said (not
    guessed); otherwise ask for the name. The attempt itself is checked and throttled as any other."""
    entry = members.by_phone(turn.session, draft.phone)
    if entry is not None and entry.name and entry.name in intents.normalize(draft.text):
        draft.name = entry.name
        return attempt(turn, draft)
    return Ask(Step.NAME, draft, replies.BIND_ASK_NAME)


def on_phone(draft: BindDraft, msg: Message) -> Transition:
    found = msg.extract("phone", "code")
    if "phone" not in found:
        return Unclear(replies.BIND_NEED_BOTH)
    draft.phone, draft.code = found["phone"], found.get("code") or draft.code
    return Perform(attempt, draft)


def on_name(draft: BindDraft, msg: Message) -> Transition:
    name = msg.extract("name").get("name")
    if not name:
        return Unclear(replies.BIND_NEED_BOTH)
    draft.name = name
    return Perform(attempt, draft)


def attempt(turn: Turn, draft: BindDraft) -> Transition:
    """One binding attempt (throttled and recorded in storage/binding.py); every failure reads the same."""
    _outcome, member = binding.attempt(turn.session, turn.openid, draft.name, draft.phone, draft.code or None,
                                      turn.now, policy(turn.rt.config))
    if member is None:
        return Done(replies.BIND_FAILED)
    turn.member = member
    template = replies.BIND_OK_STAFF if member.is_staff else replies.BIND_OK
    return Done(template.format(name=member.name))


DIALOG = Dialog(NAME, Step, BindDraft, {Step.NAME: on_name, Step.PHONE: on_phone}, own_intents=("bind",))


def policy(config: Settings) -> binding.Policy:
    cfg = config.binding
    return binding.Policy(attempts=cfg.attempts, window=timedelta(minutes=cfg.window_minutes),
                          require_code=cfg.require_code)
