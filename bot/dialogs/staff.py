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

from dataclasses import dataclass
from enum import StrEnum

import intents
from bot import replies
from bot.dialogs.base import Ask, Dialog, Done, Handover, Message, Perform, Transition, Turn, Unclear
from bot.report_review import edit as review_edit, error_text, find, review, view_text
from storage import reports
from storage.report_flow import VERBS, FlowError

PENDING_LIMIT = 10
VIEW_TEXT_MAX = 400
EDIT_VERBS = {"改标题": "title", "改分类": "category"}
STAFF_VERBS = tuple(VERBS) + tuple(EDIT_VERBS)


FIELD_VERBS = {field: verb for verb, field in EDIT_VERBS.items()}


class Step(StrEnum):
    ARGUMENTS = "arguments"   # 退回 SQ… without a reason: the next message is the reason


@dataclass
class ReviewDraft:
    verb: str = ""
    receipt: str = ""


def parse(text: str) -> intents.StaffCommand | None:
    """A staff command: 待审, 查看 SQ…, <verb> SQ… [arguments], or SQ… 标题改成…/分类改成…."""
    command = intents.parse_staff_command(text, STAFF_VERBS)
    if command is not None:
        return command
    receipt = intents.find_receipt(text)
    if receipt and text.strip().startswith(receipt):
        edit = intents.parse_edit(text.strip()[len(receipt):].strip(" ：:，,"))
        if edit is not None and edit.field in FIELD_VERBS:
            return intents.StaffCommand("review", FIELD_VERBS[edit.field], receipt, edit.value)
    return None


def run(turn: Turn, command: intents.StaffCommand) -> Transition:
    """The answer to one staff command (the router checked that the sender is staff)."""
    if command.kind == "pending":
        return Done(pending(turn))
    if command.kind == "view":
        return Done(_guard(lambda: show(turn, command.receipt)))
    if command.verb in EDIT_VERBS:
        return Done(_guard(lambda: edit(turn, command)))
    missing = _missing_argument(command)
    if missing:
        return Ask(Step.ARGUMENTS, ReviewDraft(command.verb, command.receipt), missing)
    return Done(_guard(lambda: act(turn, command)))


def _missing_argument(command: intents.StaffCommand) -> str:
    """The question for a review that lacks its required reason/recipient (the command is otherwise fine)."""
    action = VERBS[command.verb]
    args = command.arguments(to=action.needs_to, into=action.needs_into)
    if action.needs_to and not args.to:
        return replies.STAFF_ASK_TO[action.name].format(receipt=command.receipt)
    if action.note_required and not args.note:
        return replies.STAFF_ASK_NOTE[action.name].format(receipt=command.receipt)
    return ""


def on_arguments(draft: ReviewDraft, msg: Message) -> Transition:
    if parse(msg.text) is not None:
        return Handover()
    rest = msg.text.strip()
    return Perform(_act_with, intents.StaffCommand("review", draft.verb, draft.receipt, rest)) if rest else Unclear()


def _act_with(turn: Turn, command: intents.StaffCommand) -> Transition:
    return Done(_guard(lambda: act(turn, command)))


def edit(turn: Turn, command: intents.StaffCommand) -> str:
    """改标题 / 改分类: the member's original stays in the report's history."""
    field = EDIT_VERBS[command.verb]
    what = replies.REPORT_FIELD_NAMES[field]
    if not command.rest.strip(" ：:《》"):
        return replies.STAFF_EDIT_NEED_VALUE.format(what=what, example=replies.STAFF_EDIT_EXAMPLES[field])
    done = review_edit(turn.session, command.receipt, field, command.rest, actor=turn.member.name, now=turn.now,
                       categories=turn.rt.config.reports.categories)
    new = getattr(done.report, field)
    if not done.changed:
        return replies.STAFF_EDIT_SAME.format(receipt=done.report.receipt_no, what=what, new=new)
    return replies.STAFF_EDITED.format(receipt=done.report.receipt_no, what=what, old=done.old, new=new)


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



DIALOG = Dialog("staff", Step, ReviewDraft, {Step.ARGUMENTS: on_arguments})
