"""社情民意: turn a member's description into a report with a receipt number; show progress."""
from __future__ import annotations

from datetime import datetime, time

import intents
from bot import replies
from bot.dialogs.base import NOT_MINE, Turn
from bot.dialogs.common import is_new_request
from storage import reports

NAME = "report"
REPORT_SLOTS = ("district", "category", "title")


def start(turn: Turn, slots: dict) -> str:
    if len(turn.text) < turn.rt.config.reports.min_chars:
        return turn.ask(NAME, "details", {}, replies.REPORT_ASK_DETAILS)
    return _submit(turn, turn.text, slots)


def on_details(turn: Turn, data: dict) -> str:
    if is_new_request(turn, (NAME,)):
        return NOT_MINE
    if len(turn.text) < turn.rt.config.reports.min_chars:
        return turn.ask(NAME, "details", data, replies.REPORT_ASK_DETAILS)
    turn.finish("")
    return _submit(turn, turn.text, intents.extract(turn.text, turn.now, REPORT_SLOTS))


def _submit(turn: Turn, text: str, slots: dict) -> str:
    cfg = turn.rt.config.reports
    if len(text) > cfg.max_chars:
        return replies.REPORT_TOO_LONG.format(max=cfg.max_chars)
    existing = reports.by_source(turn.session, turn.source)
    if existing is None:
        day_start = datetime.combine(turn.now.date(), time.min, turn.rt.tz)
        if reports.count_since(turn.session, turn.member.id, day_start) >= cfg.daily_cap:
            return replies.REPORT_DAILY_CAP.format(cap=cfg.daily_cap)
        category = slots.get("category") if slots.get("category") in cfg.categories else "其他"
        existing = reports.create_report(
            turn.session, turn.member, text=text, title=slots.get("title") or text[:20], category=category,
            district=slots.get("district") or "", now=turn.now, prefix=cfg.receipt_prefix, source=turn.source)
    district = replies.REPORT_DISTRICT.format(district=existing.district) if existing.district else ""
    return replies.REPORT_OK.format(receipt=existing.receipt_no, title=existing.title,
                                    category=existing.category, district=district)


def status(turn: Turn, slots: dict) -> str:
    receipt = slots.get("report_id")
    if receipt:
        return _history(turn, receipt)
    mine = reports.of_member(turn.session, turn.member.id)
    if not mine:
        return replies.MY_REPORTS_NONE
    lines = [replies.MY_REPORT_LINE.format(receipt=r.receipt_no, title=r.title, status=r.status) for r in mine]
    return replies.MY_REPORTS_HEADER.format(n=len(mine)) + "\n" + "\n".join(lines)


def _history(turn: Turn, receipt: str) -> str:
    report = reports.by_receipt(turn.session, receipt)
    if report is None or (report.member_id != turn.member.id and not turn.member.is_staff):
        return replies.REPORT_NOT_FOUND.format(receipt=receipt.upper())
    lines = [replies.REPORT_HISTORY_HEADER.format(receipt=report.receipt_no, title=report.title,
                                                  status=report.status)]
    for event in report.events:
        local = turn.rt.local(event.created_at)
        note = f"：{event.note}" if event.note else ""
        lines.append(replies.REPORT_HISTORY_LINE.format(when=f"{local.month}月{local.day}日", status=event.status,
                                                        note=note))
    return "\n".join(lines)


STEPS = {"details": on_details}
