"""Binding a WeChat account to a roster entry. Strangers get nothing but this.

The rule (throttling, one-time codes, attempts kept) is storage/binding.py; every failure gets the
same neutral reply, so a reply never tells a guesser which of name, phone, code or an existing
binding was wrong.
"""
from __future__ import annotations

from datetime import timedelta

import intents
from bot import replies
from bot.dialogs.base import Turn
from storage import binding

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
    found = intents.extract(turn.text, turn.now, ("name", "phone", "code"))
    name, phone = slots.get("name") or found.get("name"), slots.get("phone") or found.get("phone")
    if not name or not phone:
        return replies.BIND_NEED_BOTH
    _outcome, member = binding.attempt(turn.session, turn.openid, name, phone, found.get("code"), turn.now,
                                      policy(turn.rt.config))
    if member is None:
        return replies.BIND_FAILED
    turn.member = member
    template = replies.BIND_OK_STAFF if member.is_staff else replies.BIND_OK
    return template.format(name=member.name)


def policy(config) -> binding.Policy:
    return binding.Policy(attempts=int(config.get("binding.attempts", 5)),
                          window=timedelta(minutes=float(config.get("binding.window_minutes", 60))),
                          require_code=bool(config.get("binding.require_code", False)))
