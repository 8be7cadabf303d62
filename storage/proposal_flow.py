"""提案 workflow: the ONE table of states, actions and allowed transitions (WeChat, CLI, console, tests).

    待审查 ─立案→ 已立案 ─交办→ 已交办 ─办复(主办)→ 已办复 ─评价 满意/基本满意→ 已办结
      │ ↑                    ↺交办 ↺督办 ↺办复(协办/会办)   └─评价 不满意→ 再办理 ─交办→ 已交办 …
      │ └─修改后提交─ 退回修改                                              (round + 1)
      ├─退回→ 退回修改          已办复 ─办结 (staff, without a verdict)→ 已办结
      ├─不立案→ 不立案 (reason; optionally turned into a 社情民意 report: report_id)
      └─并案→ 已并案 (merged_into_id; also from 已立案)
    重点 (mark_key) and 优秀 (mark_excellent) set a flag and keep the state.

`apply` checks a transition and records it as a ProposalEvent (who, when, note, details.action, details.from);
the data each action carries (units, replies, verdicts) is written by storage/proposals.py around it.
The author's text is never changed here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from storage.proposal_models import Proposal, ProposalEvent
from storage.statuses import LIVE_PROPOSAL_STATES, REGISTERED_PROPOSAL_STATES, ProposalState
from storage.workflow import WorkflowError, find_action

SUBMITTED, RETURNED, REJECTED, MERGED = (ProposalState.SUBMITTED, ProposalState.RETURNED, ProposalState.REJECTED,
                                         ProposalState.MERGED)
REGISTERED, ASSIGNED, REPLIED = ProposalState.REGISTERED, ProposalState.ASSIGNED, ProposalState.REPLIED
REHANDLING, CLOSED = ProposalState.REHANDLING, ProposalState.CLOSED
STATES = tuple(ProposalState)
MERGE_TARGETS = (SUBMITTED, REGISTERED, ASSIGNED, REHANDLING)  # a proposal may be merged into these


@dataclass(frozen=True)
class Action:
    name: str                     # CLI `proposals review --action`, details.action in the history
    verb: str                     # what staff type on WeChat ("" = not a staff command)
    target: str | None            # state after the action; None = unchanged (a flag, a note)
    sources: tuple[str, ...]      # states it may start from
    note_required: bool = False   # 不立案/退回 need a reason, 督办 its text
    needs_into: bool = False      # 并案: the proposal it joins
    by_member: bool = False       # done by the author (resubmit, verdicts), not by staff
    aliases: tuple[str, ...] = ()


ACTIONS: dict[str, Action] = {a.name: a for a in (
    Action("register", "立案", REGISTERED, (SUBMITTED,)),
    Action("reject", "不立案", REJECTED, (SUBMITTED,), note_required=True),
    Action("return", "退回", RETURNED, (SUBMITTED,), note_required=True, aliases=("退回修改",)),
    Action("merge", "并案", MERGED, (SUBMITTED, REGISTERED), needs_into=True),
    Action("resubmit", "", SUBMITTED, (RETURNED,), by_member=True),
    Action("assign", "交办", ASSIGNED, (REGISTERED, ASSIGNED, REHANDLING)),
    Action("reply", "办复", REPLIED, (ASSIGNED,)),                       # a 协办/会办 reply keeps the state
    Action("accept", "", CLOSED, (REPLIED,), by_member=True),            # 满意 / 基本满意
    Action("reopen", "", REHANDLING, (REPLIED,), by_member=True),        # 不满意 → 再办理
    Action("close", "办结", CLOSED, (REPLIED,)),                          # staff close without a verdict
    Action("urge", "督办", None, (ASSIGNED,), note_required=True),
    Action("mark_key", "重点", None, (SUBMITTED,) + REGISTERED_PROPOSAL_STATES, aliases=("重点提案",)),
    Action("mark_excellent", "优秀", None, REGISTERED_PROPOSAL_STATES, aliases=("优秀提案",)),
)}
# Every word staff may type for an action (the router's fixed-command layer reads these).
VERBS: dict[str, Action] = {word: a for a in ACTIONS.values() if a.verb for word in (a.verb,) + a.aliases}


class FlowError(WorkflowError):
    """A refused change; its wording is bot/replies.py PROPOSAL_FLOW_ERRORS."""


def action_for(name_or_verb: str) -> Action:
    return find_action(ACTIONS, VERBS, name_or_verb, FlowError)


def allowed(proposal: Proposal, *, staff: bool = True) -> list[Action]:
    """The actions that may be applied to `proposal` now (the console shows these as buttons)."""
    return [a for a in ACTIONS.values() if proposal.state in a.sources and a.by_member != staff
            and not _flag_already_set(proposal, a)]


def _flag_already_set(proposal: Proposal, action: Action) -> bool:
    return (action.name == "mark_key" and proposal.is_key) or (
        action.name == "mark_excellent" and proposal.is_excellent)


def check(proposal: Proposal, action: Action, *, note: str = "", into: Proposal | None = None) -> None:
    """Raise FlowError unless `action` may be applied to `proposal` now with these arguments."""
    if proposal.state not in action.sources:
        raise FlowError("not_allowed", receipt=proposal.receipt_no, state=proposal.state, action=action.name)
    if _flag_already_set(proposal, action):
        raise FlowError(f"already_{action.name}", receipt=proposal.receipt_no)
    if action.note_required and not note.strip():
        raise FlowError(f"need_note_{action.name}", receipt=proposal.receipt_no)
    if action.needs_into:
        if into is None:
            raise FlowError("need_into", receipt=proposal.receipt_no)
        if into.id == proposal.id:
            raise FlowError("merge_self", receipt=proposal.receipt_no)
        if into.state not in MERGE_TARGETS:
            raise FlowError("merge_target", receipt=into.receipt_no, state=into.state)


def apply(session: Session, proposal: Proposal, action: Action, *, actor: str, now: datetime, note: str = "",
          into: Proposal | None = None, keep_state: bool = False,
          details: dict[str, Any] | None = None) -> ProposalEvent:
    """Check and record one action; returns the new history entry. `keep_state`: record without moving
    (a 协办/会办 unit's reply). `details` are kept with the event (units, deadline, verdict …)."""
    check(proposal, action, note=note, into=into)
    extra: dict[str, Any] = {"action": action.name, "from": proposal.state, **(details or {})}
    if action.name == "merge":
        extra["into"] = into.receipt_no
        proposal.merged_into_id = into.id
    elif action.name == "mark_key":
        proposal.is_key = True
    elif action.name == "mark_excellent":
        proposal.is_excellent = True
    elif action.name == "reopen":
        proposal.round += 1
        extra["round"] = proposal.round
    if action.target is not None and not keep_state:
        proposal.state = action.target
    proposal.updated_at = now
    event = record(session, proposal, proposal.state, actor=actor, note=note.strip(), details=extra, now=now)
    if into is not None:  # the surviving proposal's history says what joined it
        record(session, into, into.state, actor=actor, note=proposal.receipt_no,
               details={"action": "merged_in", "from_proposal": proposal.receipt_no}, now=now)
    return event


def record(session: Session, proposal: Proposal, state: str, *, actor: str, now: datetime, note: str = "",
           details: dict[str, Any] | None = None) -> ProposalEvent:
    """One history entry without a transition (submitted, 联名 answers …)."""
    event = ProposalEvent(state=state, actor=actor, note=note, details=details, created_at=now)
    proposal.events.append(event)
    session.flush()
    return event


def is_live(proposal: Proposal) -> bool:
    return proposal.state in LIVE_PROPOSAL_STATES
