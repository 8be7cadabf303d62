"""WeChat events: follow, unfollow, menu clicks, QR scans, delivery reports."""
from __future__ import annotations

from dataclasses import replace

from bot import replies
from bot.protocol import Inbound
from bot.runtime import Runtime


def handle(rt: Runtime, inbound: Inbound) -> str:
    event = inbound.event.lower()
    if event == "subscribe":
        return replies.WELCOME.format(org=rt.config.org.name)
    if event == "click":
        text = (rt.config.get("wechat.menu") or {}).get(inbound.event_key)
        if not text:
            return ""
        from bot.dispatch import handle_inbound

        return handle_inbound(rt, replace(inbound, msg_type="text", text=text))
    return ""  # unsubscribe, VIEW, LOCATION, SCAN, TEMPLATESENDJOBFINISH: nothing to say
