"""Dialogs as declared state machines (python-telegram-bot's ConversationHandler is the model).

A dialog declares its steps (a StrEnum), a typed draft (a dataclass) and, for each step, a PURE handler
`(draft, Message) -> Transition`. Handlers never touch the store: whatever needs the database is returned as
`Perform(service, draft)` and run by the engine (bot/dialogs/engine.py) with the Turn. So every transition can
be tested without a database, and the engine alone decides what is saved, repeated, cancelled or expired.

Transitions:
    Ask(step, draft, question)  keep the dialog open at `step` and ask
    Done(reply)                 close the dialog with this reply
    Perform(service, draft)     run service(turn, draft) -> Transition (storage lives there)
    Unclear(hint)               the message does not answer the question: the engine checks for a new
                                request, else repeats the question once, then ends politely
    Handover()                  a new request: leave the dialog, the router handles the message afresh
    Reroute(intent, text)       a numbered choice: close the dialog, the router runs that intent
"""
from __future__ import annotations

import dataclasses
import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Callable, Iterator, Mapping, Union

from sqlalchemy.orm import Session

import intents

from bot.protocol import Inbound
from bot.runtime import Runtime
from storage import members
from storage.models import Member

log = logging.getLogger(__name__)
_GRACE = timedelta(hours=24)  # keep expired state a day longer, to tell the member it timed out
NEW_REQUEST_CONFIDENCE = 0.8   # inside a dialog, another intent this sure is a new request


# --- what a step sees ------------------------------------------------------------------------------

@dataclass
class Message:
    """One member message as a pure step handler sees it: text, time, settings, understanding."""

    text: str
    now: datetime
    settings: Any = None                      # the typed config (read-only)
    voice: dict | None = None                 # a voice message: the attachment its transcript came with
    _parsed: Any = field(default=None, repr=False)

    @property
    def parsed(self) -> intents.Parse:
        if self._parsed is None:
            self._parsed = intents.parse(self.text, self.now)
        return self._parsed

    def extract(self, *kinds: str, intent: str | None = None) -> dict:
        return intents.extract(self.text, self.now, kinds, intent=intent)

    def is_new_request(self, own_intents: tuple[str, ...]) -> bool:
        """Does this message clearly ask for something else than the open dialog?"""
        parsed = self.parsed
        return (parsed.intent not in own_intents + ("unknown", "help")
                and parsed.confidence >= NEW_REQUEST_CONFIDENCE)


# --- transitions --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ask:
    step: StrEnum
    draft: Any
    question: str
    repeat: str = ""   # what to ask again after the question was not answered (default: the question)


@dataclass(frozen=True)
class Done:
    reply: str


@dataclass(frozen=True)
class Perform:
    service: Callable[["Turn", Any], "Transition"]
    draft: Any


@dataclass(frozen=True)
class Unclear:
    hint: str = ""     # said before the question is repeated


@dataclass(frozen=True)
class Handover:
    pass


@dataclass(frozen=True)
class Reroute:
    """The member chose a service from numbered options: the router runs `intent` on `text`."""
    intent: str
    text: str


Transition = Union[Ask, Done, Perform, Unclear, Handover, Reroute]
StepHandler = Callable[[Any, Message], Transition]


@dataclass(frozen=True)
class Dialog:
    """The declaration of one dialog: its steps, its draft type and what each step accepts."""

    name: str
    steps: type[StrEnum]
    draft: type
    handlers: Mapping[StrEnum, StepHandler]
    own_intents: tuple[str, ...] = ()
    resumable: bool = False   # another request in the middle keeps the draft (社情民意)
    quiet_steps: frozenset = frozenset()  # steps that ask nothing (a list shown): leaving them needs no note
    on_media: Callable[["Turn", Any, StrEnum], Transition] | None = None

    def __post_init__(self) -> None:
        missing = set(self.steps) - set(self.handlers)
        if missing:
            raise ValueError(f"dialog {self.name}: steps without a handler: {sorted(missing)}")

    def step_named(self, name: str) -> StrEnum | None:
        try:
            return self.steps(name)
        except ValueError:
            return None

    def load_draft(self, data: Mapping[str, Any]) -> Any | None:
        """The typed draft from stored data; None when it no longer fits (a deploy changed the draft)."""
        names = {f.name for f in dataclasses.fields(self.draft)}
        try:
            return self.draft(**{k: v for k, v in data.items() if k in names})
        except TypeError:
            return None


# --- one message being handled ------------------------------------------------------------------------

@dataclass
class Turn:
    """One inbound message being handled: who sent it, what, and the open dialog.

    `member_id` comes from the per-worker openid cache; `member` loads the roster row on first use and
    checks it still carries this openid (members.StaleMember otherwise: the router looks it up again)."""

    rt: Runtime
    open_session: Callable[[], Session]   # the message's unit of work, made on first use (Database.session_on_demand)
    member_id: int | None
    inbound: Inbound
    text: str
    now: datetime
    state: "DialogState | None" = None
    touched: bool = False     # the message's touch (members.touch) is done already (the check-in statement)
    _member: Member | None = field(default=None, repr=False)
    _message: Message | None = field(default=None, repr=False)

    @property
    def session(self) -> Session:
        return self.open_session()

    @property
    def member(self) -> Member | None:
        if self._member is None and self.member_id is not None:
            self._member = members.confirmed(self.session, self.member_id, self.openid)
        return self._member

    @member.setter
    def member(self, member: Member | None) -> None:
        self._member, self.member_id = member, (member.id if member is not None else None)

    @property
    def message(self) -> Message:
        """The pure view of this message; parsed once per turn however many handlers ask."""
        if self._message is None or self._message.text != self.text:
            voice = None
            if self.inbound.msg_type == "voice":
                voice = {"kind": "voice", "media_id": self.inbound.media_id, "text": self.text}
            self._message = Message(self.text, self.now, self.rt.config, voice)
        return self._message

    def understood(self) -> intents.Parse:
        return self.message.parsed

    @property
    def openid(self) -> str:
        return self.inbound.openid

    @property
    def source(self) -> str:
        """Identifies the message that created a record, so a replay never creates a second one."""
        return self.inbound.dedup_key


# --- stored state ------------------------------------------------------------------------------------

@dataclass
class DialogState:
    dialog: str
    step: str
    draft: dict[str, Any] = field(default_factory=dict)
    expires_at: str = ""        # ISO time from the runtime clock
    question: str = ""          # asked last: repeated once when the answer is unclear
    unclear: int = 0            # answers in a row that did not answer the question

    def expired(self, now: datetime) -> bool:
        try:
            return now >= datetime.fromisoformat(self.expires_at)
        except ValueError:
            return True


def save_state(rt: Runtime, openid: str, state: DialogState, now: datetime) -> None:
    timeout = timedelta(seconds=rt.config.dialog.idle_timeout_seconds)
    state.expires_at = (now + timeout).isoformat()
    with _store_outage("save dialog state"):
        rt.kv.set(state_key(openid), json.dumps(dataclasses.asdict(state), ensure_ascii=False),
                  ttl=int((timeout + _GRACE).total_seconds()))


def load_state(rt: Runtime, openid: str) -> DialogState | None:
    """The open dialog; unreadable state (e.g. from an older deploy) counts as none."""
    raw = None
    with _store_outage("load dialog state"):
        raw = rt.kv.get(state_key(openid))
    if not raw:
        return None
    try:
        data = json.loads(raw)
        return DialogState(**{k: v for k, v in data.items() if k in _STATE_FIELDS})
    except (TypeError, ValueError):
        log.warning("unreadable dialog state for %s dropped", openid)
        return None


def clear_state(rt: Runtime, openid: str) -> None:
    with _store_outage("clear dialog state"):
        rt.kv.delete(state_key(openid))


@contextmanager
def _store_outage(what: str) -> Iterator[None]:
    """With the shared store down, one-message requests still work; only multi-turn dialogs are lost."""
    try:
        yield
    except Exception:
        log.exception("store unavailable: could not %s", what)


_STATE_FIELDS = {f.name for f in dataclasses.fields(DialogState)}


def state_key(openid: str) -> str:
    return f"dialog:{openid}"
