"""Binding a WeChat account to a roster entry. Strangers get nothing but this."""
from __future__ import annotations

import intents
from bot import replies
from bot.dialogs.base import Turn
from storage import members
from storage.members import BindResult

NAME = "bind"
STEPS: dict = {}


def handle_stranger(turn: Turn) -> str:
    """An unbound user: try to bind from whatever they wrote; otherwise explain how."""
    parsed = turn.understood()
    slots = intents.extract(turn.text, turn.now, ("name", "phone"))
    if parsed.intent != "bind" and "phone" not in slots:
        return replies.BIND_HOW
    return start(turn, slots)


def start(turn: Turn, slots: dict) -> str:
    if turn.member is not None:
        return replies.ALREADY_BOUND.format(name=turn.member.name)
    name, phone = slots.get("name"), slots.get("phone")
    if not name or not phone:
        return replies.BIND_NEED_BOTH
    result, member = members.bind(turn.session, turn.openid, name, phone)
    if result in (BindResult.BOUND, BindResult.ALREADY_BOUND):
        turn.member = member
        template = replies.BIND_OK_STAFF if member.is_staff else replies.BIND_OK
        return template.format(name=member.name)
    if result is BindResult.TAKEN:
        return replies.BIND_TAKEN
    if result is BindResult.ACCOUNT_IN_USE:
        return replies.BIND_ACCOUNT_IN_USE.format(name=member.name)
    return replies.BIND_NOT_FOUND.format(name=name, phone=phone)
