"""WeChat events: follow, unfollow, QR scans, delivery reports; menu clicks become the request they name.

Scanning an activity's parametric QR code (scene = activity code, e.g. A3) signs the member in:
SCAN when they already follow us, subscribe with EventKey qrscene_A3 when the scan made them follow.
A click, follow or scan opens WeChat's one-minute kefu allowance in the same transaction as the sign-in (one
statement that also loads the member: storage/kefu_quota.opened_by_event).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

import intents
from bot import delivery_events, replies
from bot.dialogs import attend
from bot.protocol import Inbound
from bot.runtime import Runtime
from storage import kefu_quota
from storage.models import Member


def handle(rt: Runtime, inbound: Inbound) -> str:
    event = inbound.event.lower()
    if event in delivery_events.HANDLED:  # 订阅通知 opt-ins, delivery receipts
        delivery_events.handle(rt, inbound)
        return ""
    if event not in delivery_events.INTERACTIONS:
        return ""  # unsubscribe, VIEW, LOCATION: nothing to say
    with rt.db.session() as session:
        now = rt.now()
        member = kefu_quota.opened_by_event(session, inbound.openid, now)
        return _interaction(rt, session, inbound, member, now)


def as_message(rt: Runtime, inbound: Inbound) -> Inbound | None:
    """A menu CLICK whose key maps to a request (wechat.menu) is that request typed; None otherwise."""
    if inbound.event.lower() != "click":
        return None
    text = rt.config.wechat.click_texts().get(inbound.event_key)
    return replace(inbound, msg_type="text", text=text) if text else None


def _interaction(rt: Runtime, session: Session, inbound: Inbound, member: Member | None,
                 now: datetime) -> str:
    """A follow is welcomed; an activity's QR code signs in; an unmapped CLICK or another QR code: nothing to say."""
    event = inbound.event.lower()
    welcome = _welcome(rt, member) if event == "subscribe" else ""
    code = intents.activity_scene_code(inbound.event_key) if event in ("subscribe", "scan") else None
    if not code:
        return welcome
    if member is None:  # a stranger is welcomed (if new) and asked to bind first
        return welcome + "\n" + replies.ATTEND_SCAN_AGAIN if welcome else replies.ATTEND_BIND_FIRST
    return attend.scan(rt, session, member.id, code, now) or welcome


def _welcome(rt: Runtime, member: Member | None) -> str:
    """A new follower is asked to bind; a bound member who follows again is welcomed back by name."""
    if member is not None:
        name = member.name if member.is_staff else f"{member.name}委员"
        return replies.WELCOME_BACK.format(name=name) + replies.HELP
    return replies.WELCOME.format(org=rt.config.org.name)
