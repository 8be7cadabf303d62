"""Answer each inbound message exactly once, whatever WeChat retries.

WeChat drops the connection after 5 s and posts the same message again, up to
three tries. The first try claims the message key; a retry waits briefly for
the first try's reply and returns the same text. A handler slower than the
budget gets a short "处理中" now, and its real reply goes out through the outbox.
"""
from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from typing import Callable

from bot import replies
from bot.protocol import Inbound
from bot.runtime import Runtime

log = logging.getLogger(__name__)
PENDING = "\x00pending"
_pool = ThreadPoolExecutor(max_workers=16, thread_name_prefix="handler")

Handler = Callable[[Runtime, Inbound], str]


def answer_once(rt: Runtime, inbound: Inbound, handler: Handler) -> str:
    """The reply text for this message ('' = nothing to say); computed once per message."""
    cfg = rt.config.wechat
    key = "inbox:" + inbound.dedup_key
    try:
        first_try = rt.kv.set(key, PENDING, ttl=cfg.dedup_ttl_seconds, only_if_absent=True)
    except Exception:  # store down: answer anyway; records carry their message key, so no duplicates
        log.exception("de-duplication store unavailable; handling %s without it", inbound.dedup_key)
        return _handle(rt, inbound, handler)
    if not first_try:
        return _wait_for_first_try(rt, key, cfg.retry_wait_seconds)
    reply = _handle(rt, inbound, handler)
    rt.kv.set(key, json.dumps(reply, ensure_ascii=False), ttl=cfg.dedup_ttl_seconds)
    return reply


def _handle(rt: Runtime, inbound: Inbound, handler: Handler) -> str:
    try:
        return _run_within_budget(rt, inbound, handler)
    except Exception as exc:
        log.exception("handling %s failed", inbound.dedup_key)
        _keep_unhandled(rt, inbound, exc)
        return replies.INTERNAL_ERROR


def _keep_unhandled(rt: Runtime, inbound: Inbound, exc: Exception) -> None:
    """Store what the member sent, so staff can follow up although the handler failed."""
    from storage.models import UnhandledMessage

    try:
        with rt.db.session() as session:
            session.add(UnhandledMessage(openid=inbound.openid, message_key=inbound.dedup_key,
                                           msg_type=inbound.msg_type, text=inbound.text, error=repr(exc)[:2000]))
    except Exception:
        log.exception("could not store unhandled message %s: %r", inbound.dedup_key, inbound.fields)


def _wait_for_first_try(rt: Runtime, key: str, wait_seconds: float) -> str:
    deadline = time.monotonic() + wait_seconds
    while True:
        value = rt.kv.get(key)
        if value is None:        # expired: the first try's answer is gone
            return ""
        if value != PENDING:
            return json.loads(value)
        if time.monotonic() >= deadline:
            return ""
        time.sleep(0.05)


def _run_within_budget(rt: Runtime, inbound: Inbound, handler: Handler) -> str:
    budget = rt.config.wechat.handler_budget_seconds
    future = _pool.submit(handler, rt, inbound)
    try:
        return future.result(timeout=budget)
    except FutureTimeout:
        future.add_done_callback(lambda done: _deliver_late(rt, inbound, done))
        return replies.PROCESSING


def _deliver_late(rt: Runtime, inbound: Inbound, future) -> None:
    """A slow handler finished after we answered: send its reply through the outbox."""
    from bot import outbox

    try:
        text = future.result()
    except Exception as exc:
        log.exception("late handler failed for %s", inbound.dedup_key)
        _keep_unhandled(rt, inbound, exc)
        text = replies.INTERNAL_ERROR
    if text:
        with rt.db.session() as session:
            outbox.enqueue(session, openid=inbound.openid, text=text, kind="late_reply",
                           dedup_key="late:" + inbound.dedup_key)
