"""社情民意 review workflow: the ONE table of states, staff actions and allowed transitions.

    已提交 ─采用→ 已采用 ─报送→ 已报送 ─批示→ 已批示 ─办结→ 已办结
       │                        │  ↺报送      ↺批示
       ├─退回→ 已退回 (member may revise: a new report with revision_of_id)
       ├─不采用→ 未采用                     已报送 ─办结→ 已办结 (handled without a 批示)
       └─合并→ 已合并 (merged_into_id = the report it duplicates)

WeChat commands (verbs), the CLI (`--action` names) and the tests all read ACTIONS.
`apply` validates a transition and records it as a ReportEvent; it never touches the member's text.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.models import Report, ReportEvent
from storage.statuses import ADOPTED_STATES, LIVE_STATES, ReportState  # noqa: F401 - re-exported
from storage.workflow import WorkflowError, find_action

# Short names for the table below (the states are ReportState's; import that elsewhere).
SUBMITTED, ADOPTED, RETURNED, REJECTED = ReportState.SUBMITTED, ReportState.ADOPTED, ReportState.RETURNED, ReportState.REJECTED
FORWARDED, INSTRUCTED, CLOSED, MERGED = ReportState.FORWARDED, ReportState.INSTRUCTED, ReportState.CLOSED, ReportState.MERGED
STATES = tuple(ReportState)


@dataclass(frozen=True)
class Action:
    name: str                     # CLI --action
    verb: str                     # what staff type on WeChat
    target: str                   # state after the action
    sources: tuple[str, ...]      # states it may start from
    note_required: bool = False   # 退回 needs a reason, 批示 its text, 办结 the handling result
    needs_to: bool = False        # 报送: to whom; 批示: which leader
    needs_into: bool = False      # 合并: the report it duplicates
    aliases: tuple[str, ...] = ()


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("adopt", "采用", ADOPTED, (SUBMITTED,)),
    Action("return", "退回", RETURNED, (SUBMITTED,), note_required=True),
    Action("reject", "不采用", REJECTED, (SUBMITTED,), aliases=("未采用",)),
    Action("forward", "报送", FORWARDED, (ADOPTED, FORWARDED), needs_to=True),
    Action("instruct", "批示", INSTRUCTED, (FORWARDED, INSTRUCTED), note_required=True, needs_to=True),
    Action("close", "办结", CLOSED, (FORWARDED, INSTRUCTED), note_required=True),
    Action("merge", "合并", MERGED, (SUBMITTED,), needs_into=True),
)}
# Every word staff may type for an action; the WeChat handler passes them to intents.parse_staff_command.
VERBS: dict[str, Action] = {word: a for a in ACTIONS.values() for word in (a.verb,) + a.aliases}


class FlowError(WorkflowError):
    """A refused change; its wording is bot/replies.py REPORT_FLOW_ERRORS."""


def action_for(name_or_verb: str) -> Action:
    return find_action(ACTIONS, VERBS, name_or_verb, FlowError)


def instruction_level(leader: str) -> str:
    """A 批示's level, guessed from the leader's title (staff may give it explicitly)."""
    for prefix, level in (("国务院", "国家级"), ("全国", "国家级"), ("国家", "国家级"), ("自治区", "自治区级"),
                          ("区党委", "自治区级"), ("区政府", "自治区级")):
        if leader.startswith(prefix):
            return level
    if any(word in leader for word in ("旗委", "旗长", "区委", "区长", "旗政府", "区政府")):
        return "旗区级"
    return "市级"


def check(report: Report, action: Action, *, note: str = "", to: str = "", into: Report | None = None) -> None:
    """Raise FlowError unless `action` may be applied to `report` now with these arguments."""
    if report.status not in action.sources:
        raise FlowError("not_allowed", receipt=report.receipt_no, status=report.status, verb=action.verb,
                        allowed="、".join(action.sources))
    if action.note_required and not note.strip():
        raise FlowError(f"need_note_{action.name}", receipt=report.receipt_no)
    if action.needs_to and not to.strip():
        raise FlowError(f"need_to_{action.name}", receipt=report.receipt_no)
    if action.needs_into:
        if into is None:
            raise FlowError("need_into", receipt=report.receipt_no)
        if into.id == report.id:
            raise FlowError("merge_self", receipt=report.receipt_no)
        if into.status not in LIVE_STATES:
            raise FlowError("merge_target", receipt=into.receipt_no, status=into.status)


def apply(session: Session, report: Report, action: Action, *, actor: str, now: datetime, note: str = "",
          to: str = "", level: str = "", into: Report | None = None) -> ReportEvent:
    """Check and record one staff action; returns the new history entry."""
    check(report, action, note=note, to=to, into=into)
    details: dict[str, Any] = {"action": action.name, "from": report.status}
    if action.name == "forward":
        details["to"] = to.strip()
    elif action.name == "instruct":
        details.update(leader=to.strip(), level=level or instruction_level(to.strip()), text=note.strip())
    elif action.name == "merge":
        details["into"] = into.receipt_no
        report.merged_into_id = into.id
    report.status = action.target
    report.updated_at = now
    event = record(session, report, action.target, actor=actor, note=note.strip(), details=details, now=now)
    if into is not None:  # the surviving report's history says what was merged into it
        record(session, into, into.status, actor=actor, note=report.receipt_no,
               details={"action": "merged_in", "from_report": report.receipt_no}, now=now)
    return event


def record(session: Session, report: Report, status: str, *, actor: str, now: datetime, note: str = "",
           details: dict[str, Any] | None = None) -> ReportEvent:
    event = ReportEvent(status=status, actor=actor, note=note, details=details, created_at=now)
    report.events.append(event)
    session.flush()
    return event
