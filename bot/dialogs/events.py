"""WeChat events: follow, unfollow, QR scans, delivery reports; menu clicks become the request they name.

Scanning an activity's parametric QR code (scene = activity code, e.g. A3) signs the member in:
SCAN when they already follow us, subscribe with EventKey qrscene_A3 when the scan made them follow.
"""
from __future__ import annotations

from dataclasses import replace

import intents
from bot import delivery_events, replies
from bot.dialogs import attend
from bot.protocol import Inbound
from bot.runtime import Runtime
from storage import members


def handle(rt: Runtime, inbound: Inbound) -> str:
    event = inbound.event.lower()
    if event == "subscribe":
        welcome = _welcome(rt, inbound.openid)
        code = intents.activity_scene_code(inbound.event_key)
        return _scan(rt, inbound, code, welcome) if code else welcome
    if event == "scan":
        code = intents.activity_scene_code(inbound.event_key)
        return _scan(rt, inbound, code, "") if code else ""
    if event in delivery_events.HANDLED:  # 订阅通知 opt-ins, delivery receipts
        delivery_events.handle(rt, inbound)
    return ""  # unsubscribe, VIEW, LOCATION, receipts, an unmapped CLICK: nothing to say


def as_message(rt: Runtime, inbound: Inbound) -> Inbound | None:
    """A menu CLICK whose key maps to a request (wechat.menu) is that request typed; None otherwise."""
    if inbound.event.lower() != "click":
        return None
    text = rt.config.wechat.click_texts().get(inbound.event_key)
    return replace(inbound, msg_type="text", text=text) if text else None


def _welcome(rt: Runtime, openid: str) -> str:
    """A new follower is asked to bind; a bound member who follows again is welcomed back by name."""
    with rt.db.session() as session:
        member = members.by_openid(session, openid)
        if member is not None:
            name = member.name if member.is_staff else f"{member.name}委员"
            return replies.WELCOME_BACK.format(name=name) + replies.HELP
    return replies.WELCOME.format(org=rt.config.org.name)


def _scan(rt: Runtime, inbound: Inbound, code: str, welcome: str) -> str:
    """Sign in by QR; a stranger is welcomed (if new) and asked to bind first."""
    with rt.db.session() as session:
        member = members.by_openid(session, inbound.openid)
        if member is None:
            return welcome + "\n" + replies.ATTEND_SCAN_AGAIN if welcome else replies.ATTEND_BIND_FIRST
        return attend.scan(rt, session, member, code, rt.now()) or welcome
