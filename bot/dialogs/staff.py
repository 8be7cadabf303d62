"""Staff commands sent over WeChat (采用/退回/报送/批示/办结/合并 …). Members never reach this module.

    待审                                   reports waiting for review, oldest first
    查看 SQ2026-0012                       full text, attachments, seconds and history
    改标题 SQ2026-0012 新标题               改分类 SQ2026-0012 城乡建设   (the original stays in the history)
    采用 SQ2026-0012 [说明]                 不采用 SQ2026-0012 [说明]
    退回 SQ2026-0012 理由……                 (a reason is required)
    报送 SQ2026-0012 市委办公室 [说明]
    批示 SQ2026-0012 市长 请市住建局牵头解决  (leader, then the instruction)
    办结 SQ2026-0012 办理结果……
    合并 SQ2026-0013 到 SQ2026-0012
"""
from __future__ import annotations

import intents
from bot import replies
from bot.dialogs.base import Turn
from bot.report_review import error_text, find, review, view_text
from storage import reports
from storage.report_flow import VERBS, FlowError

PENDING_LIMIT = 10
VIEW_TEXT_MAX = 400
EDIT_VERBS = {"改标题": "title", "改分类": "category"}
STAFF_VERBS = tuple(VERBS) + tuple(EDIT_VERBS)


def parse(text: str) -> intents.StaffCommand | None:
    return intents.parse_staff_command(text, STAFF_VERBS)


def run(turn: Turn, command: intents.StaffCommand) -> str:
    """The reply to one staff command (the router checked that the sender is staff)."""
    if command.kind == "pending":
        return pending(turn)
    if command.kind == "view":
        return _guard(lambda: show(turn, command.receipt))
    if command.verb in EDIT_VERBS:
        return _guard(lambda: edit(turn, command))
    return _guard(lambda: act(turn, command))


def edit(turn: Turn, command: intents.StaffCommand) -> str:
    """改标题 / 改分类: the member's original stays in the report's history."""
    field = EDIT_VERBS[command.verb]
    what = replies.REPORT_FIELD_NAMES[field]
    value = command.rest.strip(" ：:《》")
    if not value:
        return replies.STAFF_EDIT_NEED_VALUE.format(what=what, example=replies.STAFF_EDIT_EXAMPLES[field])
    categories = turn.rt.config.reports.categories
    if field == "category" and value not in categories:
        return replies.STAFF_EDIT_BAD_CATEGORY.format(categories="、".join(categories))
    report = find(turn.session, command.receipt)
    old = getattr(report, field)
    if not reports.edit_field(turn.session, report, field, value[:40], actor=turn.member.name, now=turn.now):
        return replies.STAFF_EDIT_SAME.format(receipt=report.receipt_no, what=what, new=value)
    return replies.STAFF_EDITED.format(receipt=report.receipt_no, what=what, old=old, new=getattr(report, field))


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


def act(turn: Turn, command: intents.StaffCommand) -> str:
    """One review action typed on WeChat; the arguments after the receipt depend on the verb."""
    action = VERBS[command.verb]
    args = command.arguments(to=action.needs_to, into=action.needs_into)
    outcome = review(turn.session, command.receipt, action.name, actor=turn.member.name, now=turn.now,
                     note=args.note, to=args.to, into=args.into)
    member = outcome.report.member.name
    notified = (replies.STAFF_NOTIFIED if outcome.notified else replies.STAFF_NOT_NOTIFIED).format(member=member)
    return replies.STAFF_DONE.format(verb=action.verb, receipt=outcome.report.receipt_no,
                                     title=outcome.report.title, status=outcome.report.status, notified=notified)


def _guard(run) -> str:
    try:
        return run()
    except FlowError as exc:
        return error_text(exc)

