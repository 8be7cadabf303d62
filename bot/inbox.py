"""Answer each inbound message exactly once, whatever WeChat retries or fails around us.

WeChat drops the connection after 5 s and posts the same message again, up to three tries.
- The first try takes a short lease on the message key (a pending marker with an owner token,
  `wechat.pending_lease_seconds`). A retry during the lease waits for the first try's reply and
  returns the same text; a retry after the lease (its owner crashed) takes over and handles it.
- A handler slower than its budget gets a short "处理中" now; its real reply goes out through the outbox.
- Database down: the message goes to the local spool (bot/spool.py) and the member is told it was
  received; `replay_spool` handles it in order once the database is back and sends the result
  through the outbox. If the spool fails too, `NotKept` makes the webhook answer 503 so WeChat retries.
- Only replies that are true for every retry are remembered: an error reply is never cached.
Records carry their message key (`source`), so a message handled twice still makes one record.

The store is asked once before handling (replay guard, claim, what the handler will read) and once after (what
it wrote, and the reply), storage/request_store.py. A plain check-in takes the quick lane (`QuickLane`): no claim,
no remembered reply (its record answers any retry the same way), handled in the request's thread with its
database calls bounded by the budget (storage/deadline.py) — bench/README.md measures each of these choices.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable, Mapping, Sequence

from bot import replies
from bot.protocol import Inbound, to_inbound
from bot.replay import ReplayCheck
from bot.runtime import Runtime
from bot.spool import Entry, Spool, SpoolError
from storage.db import is_unavailable
from storage.deadline import WATCHDOG
from storage.kv import Op, OpKind
from storage.request_store import RequestStore

log = logging.getLogger(__name__)
PENDING = "\x00pending:"          # + owner token: the marker of a message being handled
MIN_TAKE_OVER_BUDGET = 1.0        # seconds a retry that takes over keeps for the handler, however long it waited
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="handler")

Handler = Callable[[Runtime, Inbound], str]


@dataclass(frozen=True)
class QuickLane:
    """Messages whose handling is one bounded statement whose record carries the message key (a plain
    check-in). They skip the claim and the remembered reply: parallel or later tries of the message make the
    same record once and compute the same reply. They run in the request's thread (`_run_inline`).
    `candidate` tells from the message alone (before the store is asked), `confirmed` from what was
    prefetched (no open dialog); a message that was claimed or answered by an earlier try is not quick."""

    candidate: Callable[[Inbound], bool]
    confirmed: Callable[[Inbound, Mapping[str, "str | None"]], bool]


class NotKept(Exception):
    """Neither the database nor the local spool holds the message: answer so that WeChat retries."""


class Replayed(Exception):
    """The signed query string came before with another body: refuse the request."""


class DatabaseDown(Exception):
    """Raised inside a replay to stop it: the rest waits for the next one."""


@dataclass(frozen=True)
class Outcome:
    text: str
    remember: bool = True  # answer WeChat's retries with this text (never for an error reply)
    by_record: bool = False  # the quick lane's reply: the message's own records give a retry the same one


def answer_once(rt: Runtime, inbound: Inbound, handler: Handler, *, replay: ReplayCheck | None = None,
                prefetch: Sequence[str] = (), quick: QuickLane | None = None) -> str:
    """The reply text for this message ('' = nothing to say); computed once per message.
    One round trip to the store before handling (the replay check, the claim and the `prefetch` keys the
    handler will read) and one after (the handler's buffered writes and the remembered reply). The quick lane
    needs neither claim nor remembered reply: see `QuickLane`."""
    cfg = rt.config.wechat
    key = "inbox:" + inbound.dedup_key
    started = time.monotonic()
    candidate = quick is not None and quick.candidate(inbound)
    owner = "" if candidate else PENDING + secrets.token_hex(8)
    checks = replay.ops() if replay else []
    claim = [] if candidate else [Op(OpKind.SET_IF_ABSENT, key, owner, cfg.pending_lease_seconds)]
    try:
        results = rt.kv.batch(checks + claim + [Op.get(key)] + [Op.get(k) for k in prefetch])
    except Exception:  # store down: answer anyway; records carry their message key, so no duplicates
        log.warning("de-duplication store unavailable; handling %s without it", inbound.dedup_key)
        return _handle(rt, inbound, handler, cfg.handler_budget_seconds).text
    claimed = bool(claim) and results[len(checks)]
    current = results[len(checks) + len(claim)]
    if replay and not replay.passed(results[:len(checks)]):
        if claimed:
            rt.kv.delete_if(key, owner)
        raise Replayed(replay.key)
    prefetched = dict(zip(prefetch, results[len(checks) + len(claim) + 1:]))
    inline = candidate and current is None and quick.confirmed(inbound, prefetched)
    if not inline and not claimed:
        owner = owner or PENDING + secrets.token_hex(8)
        if candidate and current is None:  # not quick after all (a dialog is open): claim it now
            claimed = rt.kv.set(key, owner, ttl=cfg.pending_lease_seconds, only_if_absent=True)
            current = None if claimed else rt.kv.get(key)
        if not claimed:
            answer, claimed = _wait_for_first_try(rt, key, owner, current)
            if not claimed:
                return answer
            prefetched = {}  # time has passed: read afresh
    budget = cfg.handler_budget_seconds
    budget = max(min(MIN_TAKE_OVER_BUDGET, budget), budget - (time.monotonic() - started))
    store = RequestStore(rt.kv, prefetched)
    try:
        outcome = _handle(rt, inbound, handler, budget, store, inline)
    except NotKept:
        _remember(rt, store, key, owner, Outcome("", remember=False))  # WeChat's retry must try again
        raise
    _remember(rt, store, key, owner, outcome)
    return outcome.text


def _wait_for_first_try(rt: Runtime, key: str, owner: str, value: str | None) -> tuple[str, bool]:
    """(the first try's reply, False), or ('', True) when its lease ran out and this try took over,
    or ('', False) when the first try is still working after retry_wait_seconds."""
    cfg = rt.config.wechat
    deadline = time.monotonic() + cfg.retry_wait_seconds
    while True:
        if value is None:  # the owner's lease expired (crashed), or its answer expired: handle it here
            if rt.kv.set(key, owner, ttl=cfg.pending_lease_seconds, only_if_absent=True):
                log.warning("took over %s after its pending lease expired", key)
                return "", True
        elif not value.startswith(PENDING):
            return json.loads(value), False
        elif time.monotonic() >= deadline:
            return "", False
        else:
            time.sleep(0.05)
        value = rt.kv.get(key)


def _remember(rt: Runtime, store: RequestStore, key: str, owner: str, outcome: Outcome) -> None:
    """The handler's buffered writes and the reply, in one round trip."""
    if outcome.by_record and not store.has_writes():
        return  # the quick lane: a retry is answered the same way by the records the message made
    try:
        if outcome.remember:
            store.close([Op(OpKind.SET, key, json.dumps(outcome.text, ensure_ascii=False),
                            rt.config.wechat.dedup_ttl_seconds)])
        else:  # a retry should try again rather than be told the same error
            store.close()
            store.delete_if(key, owner)
    except Exception:
        log.warning("could not remember the reply to %s", key)


# --- handling ------------------------------------------------------------------------------------

def _handle(rt: Runtime, inbound: Inbound, handler: Handler, budget: float,
            store: RequestStore | None = None, inline: bool = False) -> Outcome:
    """The handler's reply within the budget; it sees the shared store through `store` when given."""
    if spool_of(rt).pending_for(inbound.openid):  # the member's earlier messages wait: keep their order
        outcome = _spool(rt, inbound)
        replay_soon(rt, handler)
        return outcome
    run = _run_inline if inline else _run_within_budget
    try:
        text = run(replace(rt, kv=store) if store else rt, inbound, handler, budget)
    except Exception as exc:
        return _after_failure(rt, inbound, exc)
    replay_soon(rt, handler)
    return Outcome(text, by_record=inline)


def _after_failure(rt: Runtime, inbound: Inbound, exc: Exception) -> Outcome:
    if is_unavailable(exc):
        log.warning("database unavailable while handling %s: %s", inbound.dedup_key, exc)
        return _spool(rt, inbound)
    log.exception("handling %s failed", inbound.dedup_key)
    if _keep_unhandled(rt, inbound, exc):
        return Outcome(replies.INTERNAL_ERROR, remember=False)
    return _spool(rt, inbound)  # not even the failure could be noted: keep it for a later try


def _spool(rt: Runtime, inbound: Inbound) -> Outcome:
    try:
        spool_of(rt).append(inbound.dedup_key, inbound.fields, rt.now())
    except SpoolError as exc:
        log.critical("message %s neither stored nor spooled: %s", inbound.dedup_key, exc)
        raise NotKept(inbound.dedup_key) from exc
    return Outcome(replies.RECEIVED_WILL_PROCESS)


def _keep_unhandled(rt: Runtime, inbound: Inbound, exc: Exception) -> bool:
    """Store what the member sent, so staff can follow up although the handler failed.
    True when it is stored (now or by an earlier try)."""
    from storage import unhandled

    try:
        with rt.db.session() as session:
            unhandled.keep(session, openid=inbound.openid, message_key=inbound.dedup_key, msg_type=inbound.msg_type,
                           text=inbound.text, error=repr(exc))
        return True
    except Exception:
        log.exception("could not store unhandled message %s", inbound.dedup_key)
        return False


def _run_inline(rt: Runtime, inbound: Inbound, handler: Handler, budget: float) -> str:
    """The quick lane: a message whose handling is one bounded statement (a plain check-in) is handled in this
    thread, with no hand-off to the pool (half of its cost in the benchmark: bench/README.md). Its database
    calls end by the budget (storage/deadline.py): a hung database fails the call, and the message is spooled."""
    with WATCHDOG.deadline(budget):
        return handler(rt, inbound)


def _run_within_budget(rt: Runtime, inbound: Inbound, handler: Handler, budget: float) -> str:
    future = _pool.submit(handler, rt, inbound)
    try:
        return future.result(timeout=budget)
    except FutureTimeout:
        future.add_done_callback(lambda done: _deliver_late(rt, inbound, done))
        return replies.PROCESSING


def _deliver_late(rt: Runtime, inbound: Inbound, future) -> None:
    """A slow handler finished after we answered "处理中": send its reply through the outbox
    (or spool the message when the database failed meanwhile)."""
    try:
        try:
            text = future.result()
        except Exception as exc:
            text = _after_failure(rt, inbound, exc).text
            if text == replies.RECEIVED_WILL_PROCESS:
                return  # spooled: the replay sends the result
        _send_later(rt, inbound, text, kind="late_reply")
    except NotKept:
        pass  # already logged as critical
    except Exception as exc:  # the outbox itself failed: keep the message for the replay
        if not is_unavailable(exc):
            log.exception("late reply to %s failed", inbound.dedup_key)
        try:
            _spool(rt, inbound)
        except NotKept:
            pass


def _send_later(rt: Runtime, inbound: Inbound, text: str, kind: str) -> None:
    """The reply through the outbox; one row per message, whichever path gets there first."""
    from bot import outbox

    if text:
        with rt.db.session() as session:
            outbox.enqueue(session, openid=inbound.openid, text=text, kind=kind,
                           dedup_key="late:" + inbound.dedup_key)


# --- the spool -----------------------------------------------------------------------------------

@lru_cache(maxsize=8)
def _spool_at(path: str) -> Spool:
    return Spool(path)


def spool_of(rt: Runtime) -> Spool:
    directory = rt.config.spool.dir
    return _spool_at(str(directory))


def replay_spool(rt: Runtime, handler: Handler) -> int:
    """Handle spooled messages in the order they arrived, until done or the database fails again.
    Returns how many were handled (0 also when another process is replaying)."""
    spool = spool_of(rt)
    handled = 0
    with spool.replaying() as entries:
        for entry in entries or []:
            try:
                _replay_entry(rt, entry, handler)
            except DatabaseDown:
                break
            spool.done(entry)
            handled += 1
    if handled:
        log.info("replayed %s spooled messages", handled)
    return handled


def _replay_entry(rt: Runtime, entry: Entry, handler: Handler) -> None:
    inbound = to_inbound(entry.fields)
    as_received = replace(rt, clock=lambda: entry.received_at)  # "今天" means the day it was sent
    try:
        text = handler(as_received, inbound)
        _send_later(rt, inbound, text, kind="spooled_reply")
    except Exception as exc:
        if is_unavailable(exc):
            raise DatabaseDown() from exc
        log.exception("replaying %s failed", entry.key)
        if not _keep_unhandled(rt, inbound, exc):
            raise DatabaseDown() from exc
        text = replies.INTERNAL_ERROR
        _send_later(rt, inbound, text, kind="spooled_reply")
    try:  # a later WeChat retry gets the real answer
        rt.kv.set("inbox:" + entry.key, json.dumps(text, ensure_ascii=False), ttl=rt.config.wechat.dedup_ttl_seconds)
    except Exception:
        pass


_replayer_guard = threading.Lock()
_replayer: dict[str, object] = {"thread": None, "checked": 0.0}


def replay_soon(rt: Runtime, handler: Handler) -> None:
    """The database works (again): replay the spool in a background thread, if anything is in it.
    Looks at the spool directory at most once per spool.check_seconds."""
    now = time.monotonic()
    if now - _replayer["checked"] < rt.config.spool.check_seconds:
        return
    with _replayer_guard:
        _replayer["checked"] = now
        running = _replayer["thread"]
        if (running is not None and running.is_alive()) or not spool_of(rt).pending():
            return
        thread = threading.Thread(target=_replay_quietly, args=(rt, handler), name="spool-replay", daemon=True)
        _replayer["thread"] = thread
        thread.start()


def _replay_quietly(rt: Runtime, handler: Handler) -> None:
    try:
        replay_spool(rt, handler)
    except Exception:
        log.exception("spool replay failed")
