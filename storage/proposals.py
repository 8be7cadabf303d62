"""提案 queries and the data each workflow step carries: receipts, creation, 联名, 交办, 办复, 评价, 督办.

Every state change goes through storage/proposal_flow.py (`apply`), which keeps the history; the functions
here add the rows an action brings (assignments, replies, verdicts). Callers commit. storage/PROPOSALS.md
describes the API for the console and the exports.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from storage import proposal_flow as flow
from storage.counters import next_value
from storage.models import Member, Report
from storage.proposal_flow import FlowError
from storage.proposal_models import (Proposal, ProposalAssignment, ProposalCosigner, ProposalEvent, ProposalReply,
                                     ProposalVerdict)
from storage.similar import bigrams, similarity
from storage.statuses import (HANDLING_PROPOSAL_STATES, CosignStatus, HandlingRole, MemberRole, ProposalState,
                              ReplyChannel, ReplyOutcome, Verdict)

COLLECTIVE_KINDS = ("界别", "党派", "专委会")
FULL = (selectinload(Proposal.author), selectinload(Proposal.cosigners).selectinload(ProposalCosigner.member),
        selectinload(Proposal.assignments), selectinload(Proposal.replies), selectinload(Proposal.verdicts))


# --- receipts and creation ---------------------------------------------------------------------------

def next_receipt_no(session: Session, *, receipt_format: str, prefix: str, year: int, session_label: str) -> str:
    """The next receipt: TA2026-0001 with the default format. Numbering restarts per session only when the format
    shows the session; otherwise two sessions of one year would both make TA2026-0001."""
    per_session = "{session" in receipt_format
    number = next_value(session, f"proposal:{prefix}:{year}" + (f":{session_label}" if per_session else ""))
    return receipt_format.format(prefix=prefix, year=year, session=session_label, number=number)


def create(session: Session, *, author: Member | None, title: str, analysis: str, suggestions: str,
           category: str, now: datetime, year: int, receipt_format: str, prefix: str, session_label: str = "",
           source: str | None = None, collective_author: str = "", collective_kind: str = "",
           actor: str = "") -> Proposal:
    """A new 待审查 proposal: a member's (author) or a collective one entered by staff (collective_author)."""
    if author is None and not collective_author.strip():
        raise ValueError("a proposal needs an author or a collective author")
    proposal = Proposal(
        receipt_no=next_receipt_no(session, receipt_format=receipt_format, prefix=prefix, year=year,
                                   session_label=session_label),
        year=year, session_label=session_label, title=title.strip()[:100], analysis=analysis.strip(),
        suggestions=suggestions.strip(), category=category, author_id=author.id if author else None,
        collective_author=collective_author.strip()[:64], collective_kind=collective_kind,
        state=ProposalState.SUBMITTED, source=source, created_at=now, updated_at=now)
    session.add(proposal)
    session.flush()
    flow.record(session, proposal, ProposalState.SUBMITTED, actor=actor or (author.name if author else ""),
                now=now, details={"action": "submit", "collective": bool(collective_author)})
    return proposal


def revise(session: Session, proposal: Proposal, *, title: str, analysis: str, suggestions: str, category: str,
           actor: str, now: datetime) -> ProposalEvent:
    """退回修改 → the author's revised text, resubmitted under the same receipt; the history keeps the old text."""
    before = {"title": proposal.title, "analysis": proposal.analysis, "suggestions": proposal.suggestions,
              "category": proposal.category}
    flow.check(proposal, flow.ACTIONS["resubmit"])
    proposal.title, proposal.analysis = title.strip()[:100], analysis.strip()
    proposal.suggestions, proposal.category = suggestions.strip(), category
    return flow.apply(session, proposal, flow.ACTIONS["resubmit"], actor=actor, now=now,
                      details={"before": before})


def link_report(session: Session, proposal: Proposal, report: Report) -> None:
    """不立案 → 社情民意: keep the link both ways (the report's history names the proposal)."""
    proposal.report_id = report.id
    session.flush()


# --- lookups --------------------------------------------------------------------------------------------

def by_receipt(session: Session, receipt_no: str) -> Proposal | None:
    return session.scalar(select(Proposal).where(Proposal.receipt_no == receipt_no.strip().upper())
                          .options(*FULL, selectinload(Proposal.events), selectinload(Proposal.report)))


def by_source(session: Session, source: str) -> Proposal | None:
    return session.scalar(select(Proposal).where(Proposal.source == source))


def of_member(session: Session, member_id: int, limit: int = 10) -> list[Proposal]:
    """The member's proposals as author and as agreeing co-signer, newest first (我的提案)."""
    cosigned = select(ProposalCosigner.proposal_id).where(ProposalCosigner.member_id == member_id,
                                                          ProposalCosigner.status == CosignStatus.AGREED)
    query = (select(Proposal).where(or_(Proposal.author_id == member_id, Proposal.id.in_(cosigned)))
             .options(*FULL).order_by(Proposal.id.desc()).limit(limit))
    return list(session.scalars(query))


def count_since(session: Session, member_id: int, since: datetime) -> int:
    return session.scalar(select(func.count(Proposal.id)).where(
        Proposal.author_id == member_id, Proposal.created_at >= since)) or 0


def count_state(session: Session, state: str) -> int:
    return session.scalar(select(func.count(Proposal.id)).where(Proposal.state == state)) or 0


def pending(session: Session, limit: int = 20) -> list[Proposal]:
    """Proposals waiting for 审查, oldest first."""
    return list(session.scalars(select(Proposal).where(Proposal.state == ProposalState.SUBMITTED)
                                .options(*FULL).order_by(Proposal.id).limit(limit)))


@dataclass(frozen=True)
class Filters:
    """The list filters of the CLI and the console (all optional)."""

    state: str | None = None
    year: int | None = None
    session_label: str | None = None
    category: str | None = None
    unit: str | None = None              # assigned to this unit (any round, any role)
    text: str = ""                       # in the receipt, 案由, text, author or collective author
    key: bool | None = None              # 重点提案
    excellent: bool | None = None        # 优秀提案
    overdue_on: date | None = None       # a handling unit's deadline passed before this day without a reply


def search(session: Session, filters: Filters = Filters(), *, offset: int = 0,
           limit: int | None = 30) -> tuple[list[Proposal], int]:
    """One page of matching proposals, newest first, and how many match in all."""
    query = select(Proposal).outerjoin(Member, Member.id == Proposal.author_id)
    for condition in _conditions(filters):
        query = query.where(condition)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.options(*FULL).order_by(Proposal.created_at.desc(), Proposal.id.desc()).offset(offset).limit(limit)
    return list(session.scalars(page)), total


def _conditions(f: Filters) -> list:
    conditions = []
    for column, value in ((Proposal.state, f.state), (Proposal.year, f.year),
                          (Proposal.session_label, f.session_label), (Proposal.category, f.category),
                          (Proposal.is_key, f.key), (Proposal.is_excellent, f.excellent)):
        if value is not None:
            conditions.append(column == value)
    if f.unit:
        conditions.append(Proposal.id.in_(select(ProposalAssignment.proposal_id)
                                          .where(ProposalAssignment.unit == f.unit)))
    if f.overdue_on is not None:
        conditions.append(Proposal.id.in_(_overdue_ids(f.overdue_on)))
    words = f.text.strip()
    if words:
        pattern = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(*(column.ilike(pattern, escape="\\") for column in (
            Proposal.receipt_no, Proposal.title, Proposal.analysis, Proposal.suggestions, Member.name,
            Proposal.collective_author))))
    return conditions


def selection(session: Session, *, year: int | None = None, session_label: str | None = None,
              states: Iterable[str] | None = None, include_demo: bool = False) -> list[Proposal]:
    """Proposals of a year or a session (for the exports), oldest first, everything loaded.
    Demo members' proposals are left out unless include_demo."""
    query = select(Proposal).outerjoin(Member, Member.id == Proposal.author_id).options(*FULL)
    if year is not None:
        query = query.where(Proposal.year == year)
    if session_label is not None:
        query = query.where(Proposal.session_label == session_label)
    if states is not None:
        query = query.where(Proposal.state.in_(list(states)))
    if not include_demo:
        query = query.where(or_(Member.id.is_(None), Member.is_demo.is_(False)))
    return list(session.scalars(query.order_by(Proposal.created_at, Proposal.id)))


def sessions(session: Session) -> list[str]:
    """The 届次会议 labels proposals were filed under, newest first ("" = none)."""
    return [s for s in session.scalars(select(Proposal.session_label).group_by(Proposal.session_label)
                                       .order_by(func.max(Proposal.id).desc()))]


# --- similar proposals (the draft's summary) -----------------------------------------------------------

@dataclass(frozen=True)
class Match:
    proposal: Proposal
    score: float


def find_similar(session: Session, text: str, *, years: Sequence[int], threshold: float, limit: int = 300,
                 exclude_ids: tuple[int, ...] = ()) -> list[Match]:
    """Proposals of these years (any state: the summary says how they were handled), most similar first."""
    query = select(Proposal).where(Proposal.year.in_(list(years)), Proposal.state != ProposalState.MERGED)
    if exclude_ids:
        query = query.where(Proposal.id.not_in(exclude_ids))
    mine = bigrams(text)
    matches = [Match(p, similarity(mine, bigrams(p.title + p.analysis + p.suggestions)))
               for p in session.scalars(query.options(*FULL).order_by(Proposal.id.desc()).limit(limit))]
    return sorted((m for m in matches if m.score >= threshold), key=lambda m: -m.score)


# --- 联名 ------------------------------------------------------------------------------------------------

def members_named(session: Session, name: str) -> list[Member]:
    """Roster members (not staff) with exactly this name: one, several (ask which) or none."""
    return list(session.scalars(select(Member).where(Member.name == name.strip(), Member.role == MemberRole.MEMBER)
                                .order_by(Member.id)))


def invite(session: Session, proposal: Proposal, members: Iterable[Member], *, actor: str,
           now: datetime) -> list[ProposalCosigner]:
    """Invite co-signers (the author and those already asked are skipped); returns the new invitations."""
    asked = {c.member_id for c in proposal.cosigners} | {proposal.author_id}
    new = []
    for member in members:
        if member.id in asked:
            continue
        asked.add(member.id)
        invitation = ProposalCosigner(proposal_id=proposal.id, member_id=member.id, status=CosignStatus.INVITED,
                                      invited_at=now)
        proposal.cosigners.append(invitation)
        new.append(invitation)
    if new:
        session.flush()
        flow.record(session, proposal, proposal.state, actor=actor, now=now,
                    note="、".join(c.member.name for c in new if c.member) or "",
                    details={"action": "cosign_invite", "members": [c.member_id for c in new]})
    return new


def invitation(session: Session, proposal: Proposal, member_id: int) -> ProposalCosigner | None:
    return session.scalar(select(ProposalCosigner).where(ProposalCosigner.proposal_id == proposal.id,
                                                         ProposalCosigner.member_id == member_id))


def answer_invitation(session: Session, proposal: Proposal, member: Member, *, agree: bool,
                      now: datetime) -> ProposalCosigner:
    """同意联名 / 不同意联名. Raises FlowError("not_invited") when the member was not asked,
    ("cosign_closed") once the proposal is past 审查 and a new co-signer can no longer join."""
    row = invitation(session, proposal, member.id)
    if row is None:
        raise FlowError("not_invited", receipt=proposal.receipt_no)
    status = CosignStatus.AGREED if agree else CosignStatus.DECLINED
    if row.status == status:
        return row
    if agree and proposal.state not in (ProposalState.SUBMITTED, ProposalState.RETURNED):
        raise FlowError("cosign_closed", receipt=proposal.receipt_no)
    row.status, row.answered_at = status, now
    flow.record(session, proposal, proposal.state, actor=member.name, now=now,
                details={"action": "cosign_agree" if agree else "cosign_decline", "member": member.id})
    return row


def invitations_of(session: Session, member_id: int, status: str = CosignStatus.INVITED) -> list[ProposalCosigner]:
    return list(session.scalars(select(ProposalCosigner).where(ProposalCosigner.member_id == member_id,
                                                              ProposalCosigner.status == status)
                                .options(selectinload(ProposalCosigner.proposal)).order_by(ProposalCosigner.id)))


# --- 交办 / 办复 / 评价 / 督办 ------------------------------------------------------------------------------

@dataclass(frozen=True)
class UnitRole:
    unit: str
    role: str = HandlingRole.LEAD


def current_assignments(proposal: Proposal) -> list[ProposalAssignment]:
    """The handling units of the proposal's current round."""
    return [a for a in proposal.assignments if a.round == proposal.round]


def assign(session: Session, proposal: Proposal, units: Sequence[UnitRole], *, deadline: date, actor: str,
           now: datetime, note: str = "") -> ProposalEvent:
    """交办 to one or more units for the current round. Exactly one 主办 among the round's units; a unit
    already assigned this round is skipped. Raises FlowError (no lead, two leads, nothing new …)."""
    flow.check(proposal, flow.ACTIONS["assign"])
    present = {a.unit for a in current_assignments(proposal)}
    new = [u for u in units if u.unit not in present]
    if not new:
        raise FlowError("nothing_to_assign", receipt=proposal.receipt_no)
    leads = [u for u in current_assignments(proposal) if u.role == HandlingRole.LEAD] + [
        u for u in new if u.role == HandlingRole.LEAD]
    if len(leads) != 1:
        raise FlowError("need_one_lead" if not leads else "two_leads", receipt=proposal.receipt_no)
    for unit in new:
        proposal.assignments.append(ProposalAssignment(unit=unit.unit, role=unit.role, deadline=deadline,
                                                       round=proposal.round, assigned_at=now))
    session.flush()
    return flow.apply(session, proposal, flow.ACTIONS["assign"], actor=actor, now=now, note=note, details={
        "units": [{"unit": u.unit, "role": str(u.role)} for u in new], "deadline": deadline.isoformat(),
        "round": proposal.round})


def add_reply(session: Session, proposal: Proposal, *, unit: str, text: str, channel: str, outcome: str,
              actor: str, now: datetime, file_path: str = "") -> tuple[ProposalReply, ProposalEvent]:
    """办复: one unit's reply for the current round. The 主办 unit's reply moves the proposal to 已办复 (and the
    author is asked for a verdict); a 协办/会办 reply is kept without a state change.
    Raises FlowError (unit not assigned this round, already replied, bad channel or outcome …)."""
    flow.check(proposal, flow.ACTIONS["reply"])
    if channel not in set(ReplyChannel):
        raise FlowError("bad_channel", receipt=proposal.receipt_no)
    if outcome not in set(ReplyOutcome):
        raise FlowError("bad_outcome", receipt=proposal.receipt_no)
    if not text.strip() and not file_path.strip():
        raise FlowError("need_note_reply", receipt=proposal.receipt_no)
    assignment = next((a for a in current_assignments(proposal) if a.unit == unit), None)
    if assignment is None:
        raise FlowError("unit_not_assigned", receipt=proposal.receipt_no, unit=unit)
    if assignment.replied_at is not None:
        raise FlowError("unit_replied", receipt=proposal.receipt_no, unit=unit)
    reply = ProposalReply(proposal_id=proposal.id, assignment_id=assignment.id, unit=unit, text=text.strip(),
                          file_path=file_path.strip(), channel=channel, outcome=outcome, round=proposal.round,
                          actor=actor, created_at=now)
    proposal.replies.append(reply)
    assignment.replied_at = now
    session.flush()
    event = flow.apply(session, proposal, flow.ACTIONS["reply"], actor=actor, now=now, note=text.strip()[:200],
                       keep_state=assignment.role != HandlingRole.LEAD, details={
                           "unit": unit, "role": assignment.role, "channel": channel, "outcome": outcome,
                           "reply": reply.id, "round": proposal.round})
    return reply, event


def lead_reply(proposal: Proposal) -> ProposalReply | None:
    """The 主办 unit's reply of the current round (what the author judges)."""
    lead_ids = {a.id for a in current_assignments(proposal) if a.role == HandlingRole.LEAD}
    return next((r for r in reversed(proposal.replies) if r.assignment_id in lead_ids), None)


def add_verdict(session: Session, proposal: Proposal, member: Member, *, verdict: str, reason: str,
                now: datetime) -> tuple[ProposalVerdict, ProposalEvent]:
    """评价 by the author: 满意/基本满意 close it (已办结), 不满意 (a reason required) reopens it (再办理)."""
    if verdict not in set(Verdict):
        raise FlowError("bad_verdict", receipt=proposal.receipt_no)
    if proposal.author_id != member.id:
        raise FlowError("not_author", receipt=proposal.receipt_no)
    action = flow.ACTIONS["reopen" if verdict == Verdict.UNSATISFIED else "accept"]
    flow.check(proposal, action)
    if verdict == Verdict.UNSATISFIED and not reason.strip():
        raise FlowError("need_reason_unsatisfied", receipt=proposal.receipt_no)
    row = ProposalVerdict(proposal_id=proposal.id, member_id=member.id, verdict=verdict, reason=reason.strip(),
                          round=proposal.round, created_at=now)
    proposal.verdicts.append(row)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # a verdict for this round was recorded concurrently
        raise FlowError("already_judged", receipt=proposal.receipt_no) from None
    event = flow.apply(session, proposal, action, actor=member.name, now=now, note=reason.strip(),
                       details={"verdict": verdict, "round": row.round})
    return row, event


def verdict_of_round(proposal: Proposal, round_no: int | None = None) -> ProposalVerdict | None:
    round_no = proposal.round if round_no is None else round_no
    return next((v for v in proposal.verdicts if v.round == round_no), None)


def overdue_units(proposal: Proposal, today: date) -> list[ProposalAssignment]:
    """Units of the current round whose deadline passed before `today` without a reply."""
    if proposal.state not in HANDLING_PROPOSAL_STATES:
        return []
    return [a for a in current_assignments(proposal) if a.replied_at is None and a.deadline < today]


def _overdue_ids(today: date):
    return (select(ProposalAssignment.proposal_id).join(Proposal, Proposal.id == ProposalAssignment.proposal_id)
            .where(Proposal.state.in_(HANDLING_PROPOSAL_STATES), ProposalAssignment.round == Proposal.round,
                   ProposalAssignment.replied_at.is_(None), ProposalAssignment.deadline < today))


def overdue(session: Session, today: date, limit: int | None = None) -> list[Proposal]:
    """Proposals with a unit past its deadline (督办), oldest deadline first."""
    query = (select(Proposal).where(Proposal.id.in_(_overdue_ids(today))).options(*FULL)
             .order_by(Proposal.id).limit(limit))
    rows = list(session.scalars(query))
    return sorted(rows, key=lambda p: min(a.deadline for a in overdue_units(p, today)))


def urge(session: Session, proposal: Proposal, *, note: str, actor: str, now: datetime,
         today: date) -> ProposalEvent:
    """督办: a note kept in the history, naming the units that are late (or all units still working)."""
    waiting = [a for a in current_assignments(proposal) if a.replied_at is None]
    late = overdue_units(proposal, today)
    return flow.apply(session, proposal, flow.ACTIONS["urge"], actor=actor, now=now, note=note, details={
        "units": [a.unit for a in (late or waiting)], "overdue": bool(late)})

