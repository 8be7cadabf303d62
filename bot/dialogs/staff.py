"""Staff commands sent over WeChat (采用/退回/报送/批示/办结/合并 …). Members never reach this module.

    待审                                   reports waiting for review, oldest first
    查看 SQ2026-0012                       full text, attachments, seconds and history
    采用 SQ2026-0012 [说明]                 不采用 SQ2026-0012 [说明]
    退回 SQ2026-0012 理由……                 (a reason is required)
    报送 SQ2026-0012 市委办公室 [说明]
    批示 SQ2026-0012 市长 请市住建局牵头解决  (leader, then the instruction)
    办结 SQ2026-0012 办理结果……
    合并 SQ2026-0013 到 SQ2026-0012
"""
from __future__ import annotations

import re

from bot import replies
from bot.dialogs.base import Turn
from bot.report_review import RECEIPT, error_text, find, review, view_text
from storage import reports
from storage.report_flow import VERBS, FlowError

PENDING_WORDS = {"待审", "待审核", "待审列表", "待审核社情民意"}
PENDING_LIMIT = 10
VIEW_TEXT_MAX = 400
COMMAND = re.compile(rf"({'|'.join(sorted(VERBS, key=len, reverse=True))})\s*({RECEIPT.pattern})\s*(.*)", re.S)
VIEW = re.compile(rf"查看\s*({RECEIPT.pattern})")
MERGE_INTO = re.compile(rf"(?:到|至|并入|入|→|->)?\s*({RECEIPT.pattern})\s*(.*)", re.S)
FIRST_WORD = re.compile(r"([^\s:：,，]+)[\s:：,，]*(.*)", re.S)
LEAD_WORDS = re.compile(r"^(理由|原因|说明|备注|结果|办理结果)[:：\s]*")


def try_command(turn: Turn) -> str | None:
    """The reply if the message is a staff command, else None (then it is understood as usual)."""
    text = turn.text.strip()
    if text in PENDING_WORDS:
        return pending(turn)
    view = VIEW.fullmatch(text)
    if view:
        return _guard(lambda: show(turn, view.group(1)))
    command = COMMAND.fullmatch(text)
    if command:
        verb, receipt, rest = command.group(1), command.group(2), command.group(6).strip()
        return _guard(lambda: act(turn, verb, receipt, rest))
    return None


def pending(turn: Turn) -> str:
    waiting = reports.pending(turn.session, PENDING_LIMIT)
    if not waiting:
        return replies.STAFF_PENDING_NONE
    total = reports.count_status(turn.session, reports.SUBMITTED)
    lines = [replies.STAFF_PENDING_HEADER.format(n=total)]
    for report in waiting:
        local = turn.rt.local(report.created_at)
        lines.append(replies.STAFF_PENDING_LINE.format(
            receipt=report.receipt_no, date=f"{local.month}月{local.day}日", member=report.member.name,
            title=report.title, district=f"（{report.district}）" if report.district else ""))
    if total > len(waiting):
        lines.append(replies.STAFF_PENDING_MORE.format(more=total - len(waiting)))
    lines.append(replies.STAFF_PENDING_FOOTER)
    return "\n".join(lines)


def show(turn: Turn, receipt: str) -> str:
    return view_text(turn.session, find(turn.session, receipt), turn.rt.tz, text_max=VIEW_TEXT_MAX)


def act(turn: Turn, verb: str, receipt: str, rest: str) -> str:
    """One review action typed on WeChat; the arguments after the receipt depend on the verb."""
    action = VERBS[verb]
    note, to, into = LEAD_WORDS.sub("", rest), "", ""
    if action.needs_to:
        first = FIRST_WORD.fullmatch(rest)
        to, note = (first.group(1), first.group(2).strip()) if first else ("", "")
    if action.needs_into:
        target = MERGE_INTO.fullmatch(rest)
        into, note = (target.group(1), target.group(5).strip()) if target else ("", "")
    outcome = review(turn.session, receipt, action.name, actor=turn.member.name, now=turn.now, note=note,
                     to=to, into=into)
    member = outcome.report.member.name
    notified = (replies.STAFF_NOTIFIED if outcome.notified else replies.STAFF_NOT_NOTIFIED).format(member=member)
    return replies.STAFF_DONE.format(verb=action.verb, receipt=outcome.report.receipt_no,
                                     title=outcome.report.title, status=outcome.report.status, notified=notified)


def _guard(run) -> str:
    try:
        return run()
    except FlowError as exc:
        return error_text(exc)

