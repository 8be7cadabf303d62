"""Dialogs as explicit state machines.

A dialog module declares NAME, `start(turn, slots) -> str` and STEPS, a map from
step name to `handler(turn, data) -> str`. A handler either asks the next
question (`turn.ask(step, data, text)`), finishes (`turn.finish(text)`), or
returns NOT_MINE when the message is clearly a new request, so dispatch can
close the dialog and route the message afresh. State lives in the shared store
(Redis when configured) so any worker can continue; it expires after
dialog.idle_timeout_seconds, and 取消/算了 leaves any dialog.
"""
from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy.orm import Session

import intents

from bot.protocol import Inbound
from bot.runtime import Runtime
from storage.models import Member

log = logging.getLogger(__name__)
NOT_MINE = object()
CANCEL_WORDS = {"取消", "算了", "不用了", "退出", "不要了", "取消吧", "算了吧", "不弄了", "不办了"}
_GRACE = 24 * 3600  # keep expired state a day longer, to tell the member it timed out


@dataclass
class DialogState:
    dialog: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    expires_at: float = 0.0

    def expired(self) -> bool:
        return time.time() >= self.expires_at


@dataclass
class Turn:
    """One inbound message being handled: who sent it, what, and the open dialog."""

    rt: Runtime
    session: Session
    member: Member | None
    inbound: Inbound
    text: str
    now: datetime
    state: DialogState | None = None
    _parses: dict[str, Any] = field(default_factory=dict, repr=False)

    def understood(self):
        """intents.parse of the current text, computed once per turn (dialogs and dispatch both ask)."""
        if self.text not in self._parses:
            self._parses[self.text] = intents.parse(self.text, self.now)
        return self._parses[self.text]

    @property
    def openid(self) -> str:
        return self.inbound.openid

    @property
    def source(self) -> str:
        """Identifies the message that created a record, so a replay never creates a second one."""
        return self.inbound.dedup_key

    def ask(self, dialog: str, step: str, data: dict[str, Any], text: str) -> str:
        timeout = self.rt.config.dialog.idle_timeout_seconds
        self.state = DialogState(dialog, step, data, time.time() + timeout)
        with _store_outage("save dialog state"):
            self.rt.kv.set(_key(self.openid), json.dumps(asdict(self.state), ensure_ascii=False),
                           ttl=timeout + _GRACE)
        return text

    def finish(self, text: str) -> str:
        if self.state is not None:  # no dialog open: nothing stored to delete
            self.state = None
            with _store_outage("clear dialog state"):
                self.rt.kv.delete(_key(self.openid))
        return text


@contextmanager
def _store_outage(what: str) -> Iterator[None]:
    """With the shared store down, one-message requests still work; only multi-turn dialogs are lost."""
    try:
        yield
    except Exception:
        log.exception("store unavailable: could not %s", what)


def load_state(rt: Runtime, openid: str) -> DialogState | None:
    raw = None
    with _store_outage("load dialog state"):
        raw = rt.kv.get(_key(openid))
    return DialogState(**json.loads(raw)) if raw else None


def clear_state(rt: Runtime, openid: str) -> None:
    rt.kv.delete(_key(openid))


def is_cancel(text: str) -> bool:
    return text.strip(" 。.!！~～，,") in CANCEL_WORDS


def _key(openid: str) -> str:
    return f"dialog:{openid}"
