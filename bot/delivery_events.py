"""WeChat's events about our outbound messages: 订阅通知 opt-ins and delivery receipts, and the interactions
that open a customer-service allowance.

subscribe_msg_popup_event    each <List> item: TemplateId, SubscribeStatusString accept|reject (an accept adds one
                             one-time credit; storage/subscriptions.py)
subscribe_msg_change_event   the member withdrew in their settings (reject); WeChat's own sample names the list
                             <SubscribeMsgPopupEvent>, so both tag names are read
subscribe_msg_sent_event     TemplateId, MsgID, ErrorCode, ErrorStatus: the 订阅通知's receipt
TEMPLATESENDJOBFINISH        MsgID, Status success | failed:user block | failed: system failed
Receipts settle the outbox row (bot/outbox.record_receipt). Menu clicks, follows and scans open the one-minute
kefu allowance (storage/kefu_quota.py).
"""
from __future__ import annotations

from bot import outbox
from bot.protocol import Inbound, list_items
from bot.runtime import Runtime
from storage import kefu_quota, subscriptions
from storage.statuses import OutboxChannel

LIST_TAGS = ("SubscribeMsgPopupEvent", "SubscribeMsgChangeEvent", "SubscribeMsgSentEvent", "List")
OPT_IN_EVENTS = ("subscribe_msg_popup_event", "subscribe_msg_change_event")
RECEIPT_EVENTS = ("templatesendjobfinish", "subscribe_msg_sent_event")
INTERACTIONS = ("click", "subscribe", "scan")  # WeChat's 3-in-a-minute kefu allowance
HANDLED = OPT_IN_EVENTS + RECEIPT_EVENTS


def handle(rt: Runtime, inbound: Inbound) -> None:
    """Record an opt-in or a receipt event (nothing is said to the member)."""
    event = inbound.event.lower()
    with rt.db.session() as session:
        if event in OPT_IN_EVENTS:
            for item in list_items(inbound.fields, *LIST_TAGS):
                status = item.get("SubscribeStatusString", "").strip().lower()
                if item.get("TemplateId") and status in ("accept", "reject"):
                    subscriptions.record(session, inbound.openid, item["TemplateId"], status == "accept", rt.now())
        elif event == "templatesendjobfinish":
            outbox.record_receipt(rt, session, openid=inbound.openid, msgid=inbound.msg_id,
                                  channel=OutboxChannel.TEMPLATE, status_text=inbound.fields.get("Status", ""))
        elif event == "subscribe_msg_sent_event":
            for item in list_items(inbound.fields, *LIST_TAGS):
                outbox.record_receipt(rt, session, openid=inbound.openid, msgid=item.get("MsgID", ""),
                                      channel=OutboxChannel.SUBSCRIBE, template_id=item.get("TemplateId", ""),
                                      status_text=_sent_status(item))


def _sent_status(item: dict[str, str]) -> str:
    if item.get("ErrorCode", "0") == "0":
        return "success"
    if item.get("ErrorCode") == "43101":  # the member refuses this notification
        return "failed:user block"
    return item.get("ErrorStatus") or f"failed:{item.get('ErrorCode')}"


def note_interaction(rt: Runtime, inbound: Inbound) -> None:
    """A menu click, follow or scan opens WeChat's one-minute kefu allowance for a bound member, in a transaction
    of its own (a click that becomes a typed request; events.handle opens it inside its own transaction)."""
    if inbound.event.lower() not in INTERACTIONS:
        return
    with rt.db.session() as session:
        kefu_quota.opened_by_event(session, inbound.openid, rt.now())
