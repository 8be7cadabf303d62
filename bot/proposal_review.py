"""提案 workflow steps with their notices, shared by WeChat commands, the CLI and the console.

Each function applies one change through storage/proposals.py + storage/proposal_flow.py (the one table) and
queues the notices through the outbox: every state change to the author and the agreeing co-signers; the
unit's reply asks the author for a verdict; 不满意 tells staff. Wording: bot/wording/outbound.py (notices),
bot/replies.py (errors, views). Callers commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from bot import outbox, replies
from bot.config import Settings
from bot.wording import outbound
from intents import normalize_receipt
from storage import members, proposals, reports
from storage import proposal_flow as flow
from storage.models import Member
from storage.proposal_flow import FlowError
from storage.proposal_models import Proposal, ProposalEvent
from storage.proposals import UnitRole
from storage.statuses import CosignStatus, MemberRole, ProposalState

NOTICE_KIND = "proposal_status"
INVITE_KIND = "proposal_cosign"
STAFF_KIND = "proposal_staff"
TO_REPORT_CATEGORY = "其他"


@dataclass(frozen=True)
class Outcome:
    proposal: Proposal
    event: ProposalEvent | None
    notified: int = 0        # members told (author and co-signers)
    text: str = ""           # 督办: the text for staff to forward to the unit contact; 不立案→社情民意: the receipt


def find(session: Session, receipt: str, code: str = "not_found") -> Proposal:
    proposal = proposals.by_receipt(session, receipt) or proposals.by_receipt(session, normalize_receipt(receipt))
    if proposal is None:
        raise FlowError(code, receipt=normalize_receipt(receipt))
    return proposal


def is_proposal_receipt(receipt: str, config: Settings) -> bool:
    """Does a typed receipt name a proposal (TA…) rather than a 社情民意 report (SQ…)?"""
    return normalize_receipt(receipt).startswith(config.proposals.receipt_prefix.upper())


# --- staff steps ------------------------------------------------------------------------------------------

def review(session: Session, receipt: str, action_name: str, *, actor: str, now: datetime, config: Settings,
           note: str = "", into: str = "", to_report: bool = False) -> Outcome:
    """立案 / 不立案 (to_report: also file it as a 社情民意 report) / 退回 / 并案 / 办结 / 重点 / 优秀."""
    action = flow.action_for(action_name)
    if action.name in ("assign", "reply", "urge") or action.by_member:
        raise FlowError("use_own_command", action=action.name)
    proposal = find(session, receipt)
    target = find(session, into, "into_not_found") if action.needs_into and into else None
    event = flow.apply(session, proposal, action, actor=actor, now=now, note=note, into=target)
    text = ""
    if action.name == "reject" and to_report:
        text = _to_report(session, proposal, actor=actor, now=now, config=config).receipt_no
        event.details = {**(event.details or {}), "report": text}
    return Outcome(proposal, event, notify(session, proposal, event), text)


def _to_report(session: Session, proposal: Proposal, *, actor: str, now: datetime, config: Settings):
    """不立案 → 社情民意: the proposal's text filed as a report of its author, linked both ways."""
    if proposal.author is None:
        raise FlowError("to_report_collective", receipt=proposal.receipt_no)
    text = replies.PROPOSAL_AS_REPORT.format(analysis=proposal.analysis, suggestions=proposal.suggestions,
                                             receipt=proposal.receipt_no)
    category = proposal.category if proposal.category in config.reports.categories else TO_REPORT_CATEGORY
    report = reports.create_report(session, proposal.author, text=text, title=proposal.title, category=category,
                                   district=proposal.author.district, now=now,
                                   prefix=config.reports.receipt_prefix, suggestion=proposal.suggestions)
    proposals.link_report(session, proposal, report)
    flow.record(session, proposal, proposal.state, actor=actor, now=now, note=report.receipt_no,
                details={"action": "to_report", "report": report.receipt_no})
    return report


def assign(session: Session, receipt: str, units: list[UnitRole], *, actor: str, now: datetime, config: Settings,
           deadline: date | None = None, note: str = "") -> Outcome:
    """交办 to units (exactly one 主办 per round); deadline defaults to today + proposals.deadline_days."""
    unknown = [u.unit for u in units if u.unit not in config.proposals.units]
    if unknown:
        raise FlowError("unknown_unit", units="、".join(unknown))
    proposal = find(session, receipt)
    today = now.astimezone(_tz(config)).date()
    deadline = deadline or today + timedelta(days=config.proposals.deadline_days)
    if deadline <= today:
        raise FlowError("deadline_past", deadline=deadline.isoformat())
    event = proposals.assign(session, proposal, units, deadline=deadline, actor=actor, now=now, note=note)
    return Outcome(proposal, event, notify(session, proposal, event))


def reply(session: Session, receipt: str, *, unit: str, text: str, channel: str, outcome: str, actor: str,
          now: datetime, file_path: str = "") -> Outcome:
    """办复: the unit's reply; the 主办 reply asks the author for a verdict."""
    proposal = find(session, receipt)
    _, event = proposals.add_reply(session, proposal, unit=unit, text=text, channel=channel, outcome=outcome,
                                   actor=actor, now=now, file_path=file_path)
    return Outcome(proposal, event, notify(session, proposal, event))


def urge(session: Session, receipt: str, *, note: str, actor: str, now: datetime, config: Settings) -> Outcome:
    """督办: kept in the history; Outcome.text is the message for staff to forward to the units."""
    proposal = find(session, receipt)
    today = now.astimezone(_tz(config)).date()
    event = proposals.urge(session, proposal, note=note, actor=actor, now=now, today=today)
    return Outcome(proposal, event, 0, forward_text(proposal, note, today))


def forward_text(proposal: Proposal, note: str, today: date) -> str:
    """The 督办 message for a unit contact: which proposal, which units, since when due, what staff ask."""
    waiting = [a for a in proposals.current_assignments(proposal) if a.replied_at is None]
    units = "、".join(f"{a.unit}（{replies.PROPOSAL_ROLE_LABELS[a.role]}，{a.deadline:%Y-%m-%d}到期"
                     + (replies.PROPOSAL_OVERDUE_DAYS.format(days=(today - a.deadline).days)
                        if a.deadline < today else "") + "）" for a in waiting)
    return replies.PROPOSAL_URGE_FORWARD.format(receipt=proposal.receipt_no, title=proposal.title,
                                                units=units or "—", note=note.strip())


def create_collective(session: Session, *, collective_author: str, collective_kind: str, title: str,
                      analysis: str, suggestions: str, category: str, actor: str, now: datetime,
                      config: Settings) -> Proposal:
    """A 集体提案 of a 界别/党派/专委会, entered by staff."""
    if collective_kind not in proposals.COLLECTIVE_KINDS:
        raise FlowError("bad_collective_kind", kinds="、".join(proposals.COLLECTIVE_KINDS))
    if category not in config.proposals.categories:
        raise FlowError("bad_category", categories="、".join(config.proposals.categories))
    return proposals.create(session, author=None, collective_author=collective_author,
                            collective_kind=collective_kind, title=title, analysis=analysis,
                            suggestions=suggestions, category=category, now=now, year=local_year(now, config),
                            receipt_format=config.proposals.receipt_format, prefix=config.proposals.receipt_prefix,
                            session_label=config.proposals.session, actor=actor)


# --- member steps -----------------------------------------------------------------------------------------

def judge(session: Session, proposal: Proposal, member: Member, *, verdict: str, reason: str,
          now: datetime) -> Outcome:
    """评价: 满意/基本满意 close it; 不满意 reopens it for 再办理 and tells staff."""
    _, event = proposals.add_verdict(session, proposal, member, verdict=verdict, reason=reason, now=now)
    told = notify(session, proposal, event)
    if proposal.state == ProposalState.REHANDLING:
        _tell_staff(session, proposal, event)
    return Outcome(proposal, event, told)


def invite(session: Session, proposal: Proposal, invited: list[Member], *, now: datetime) -> list[Member]:
    """联名: record the invitations and ask each invited member in WeChat; returns who was asked."""
    rows = proposals.invite(session, proposal, invited, actor=proposal.author.name, now=now)
    for row in rows:
        member = row.member
        if member.openid:
            outbox.enqueue(session, openid=member.openid, member_id=member.id, kind=INVITE_KIND,
                           text=outbound.PROPOSAL_COSIGN_INVITE.format(
                               author=proposal.author.name, receipt=proposal.receipt_no, title=proposal.title),
                           dedup_key=f"proposal:{proposal.id}:invite:{member.id}")
    return [row.member for row in rows]


def answer(session: Session, proposal: Proposal, member: Member, *, agree: bool, now: datetime) -> bool:
    """同意联名 / 不同意联名; the author is told. False when the answer was already recorded."""
    before = proposals.invitation(session, proposal, member.id)
    if before is not None and before.status == (CosignStatus.AGREED if agree else CosignStatus.DECLINED):
        return False
    row = proposals.answer_invitation(session, proposal, member, agree=agree, now=now)
    author = proposal.author
    if author is not None and author.openid:
        template = outbound.PROPOSAL_COSIGN_AGREED if agree else outbound.PROPOSAL_COSIGN_DECLINED
        outbox.enqueue(session, openid=author.openid, member_id=author.id, kind=NOTICE_KIND,
                       text=template.format(name=member.name, receipt=proposal.receipt_no, title=proposal.title),
                       dedup_key=f"proposal:{proposal.id}:cosign:{row.id}:{row.status}")
    return True


# --- notices --------------------------------------------------------------------------------------------

def notify(session: Session, proposal: Proposal, event: ProposalEvent) -> int:
    """Queue this change's notice to the author (with the verdict request after the 主办 reply) and to the
    agreeing co-signers. Returns how many members were told; a change without a notice tells nobody."""
    action = (event.details or {}).get("action", "")
    if action == "reply" and proposal.state != ProposalState.REPLIED:
        return 0  # a 协办/会办 reply: the author hears when the 主办 unit replies
    template = outbound.PROPOSAL_NOTICES.get(action)
    if template is None:
        return 0
    fields = _fields(proposal, event)
    told = 0
    if proposal.author is not None:
        text = template.format(whose=outbound.PROPOSAL_WHOSE_AUTHOR, **fields)
        if action == "reply":
            text += outbound.PROPOSAL_VERDICT_ASK.format(**fields)
        if action == "return":
            text += outbound.PROPOSAL_NOTICE_REVISE.format(**fields)
        told += _tell(session, proposal.author, text, f"proposal:{proposal.id}:event:{event.id}")
    for cosigner in proposal.agreed_cosigners:
        text = template.format(whose=outbound.PROPOSAL_WHOSE_COSIGNER, **fields)
        told += _tell(session, cosigner.member, text,
                      f"proposal:{proposal.id}:event:{event.id}:cosigner:{cosigner.member_id}")
    return told


def _tell(session: Session, member: Member, text: str, dedup_key: str) -> int:
    if not member.openid:
        return 0
    outbox.enqueue(session, openid=member.openid, member_id=member.id, text=text.strip(), kind=NOTICE_KIND,
                   dedup_key=dedup_key)
    return 1


def _tell_staff(session: Session, proposal: Proposal, event: ProposalEvent) -> None:
    fields = _fields(proposal, event)
    for staff in members.search(session, role=MemberRole.STAFF, bound=True):
        if staff.openid:
            outbox.enqueue(session, openid=staff.openid, member_id=staff.id, kind=STAFF_KIND,
                           text=outbound.PROPOSAL_STAFF_REOPENED.format(**fields),
                           dedup_key=f"proposal:{proposal.id}:event:{event.id}:staff:{staff.id}")


def _fields(proposal: Proposal, event: ProposalEvent) -> dict[str, str]:
    details = event.details or {}
    note = event.note or ""
    lead = proposals.lead_reply(proposal)
    units = "、".join(f"{u['unit']}（{replies.PROPOSAL_ROLE_LABELS.get(u['role'], u['role'])}）"
                      for u in details.get("units", []) if isinstance(u, dict))
    return {"receipt": proposal.receipt_no, "title": proposal.title, "note": note,
            "note_line": outbound.PROPOSAL_NOTICE_NOTE.format(note=note) if note else "",
            "into": details.get("into", ""), "report": details.get("report", ""), "units": units,
            "report_line": outbound.PROPOSAL_NOTICE_REPORT.format(report=details["report"])
            if details.get("report") else "",
            "deadline": details.get("deadline", ""), "round": str(proposal.round),
            "unit": lead.unit if lead else details.get("unit", ""),
            "reply": (lead.text if lead else "")[:outbound.PROPOSAL_REPLY_EXCERPT],
            "channel": replies.PROPOSAL_CHANNEL_LABELS.get(lead.channel, "") if lead else "",
            "outcome": replies.PROPOSAL_OUTCOME_LABELS.get(lead.outcome, "") if lead else "",
            "verdict": replies.PROPOSAL_VERDICT_LABELS.get(details.get("verdict", ""), ""),
            "author": proposal.authors_text}


# --- views ----------------------------------------------------------------------------------------------

def error_text(exc: FlowError) -> str:
    template = replies.PROPOSAL_FLOW_ERRORS.get(exc.code, replies.PROPOSAL_FLOW_ERRORS["unknown"])
    params = dict(exc.params)
    if "state" in params:
        params["state"] = replies.PROPOSAL_STATE_LABELS.get(params["state"], params["state"])
    if "action" in params:
        params["action"] = replies.PROPOSAL_ACTION_LABELS.get(params["action"], params["action"])
    return template.format(**params)


def state_label(proposal: Proposal) -> str:
    label = replies.PROPOSAL_STATE_LABELS[proposal.state]
    flags = [replies.PROPOSAL_FLAG_KEY] * proposal.is_key + [replies.PROPOSAL_FLAG_EXCELLENT] * proposal.is_excellent
    return label + ("·" + "·".join(flags) if flags else "")


def event_text(event: ProposalEvent) -> str:
    """What one history entry says: the action and its particulars."""
    details = event.details or {}
    action = details.get("action", "")
    label = replies.PROPOSAL_ACTION_LABELS.get(action, action)
    extra = replies.PROPOSAL_EVENT_DETAILS.get(action, "")
    units = "、".join(f"{u['unit']}（{replies.PROPOSAL_ROLE_LABELS.get(u['role'], u['role'])}）"
                      for u in details.get("units", []) if isinstance(u, dict))
    extra = extra.format(units=units or "、".join(u for u in details.get("units", []) if isinstance(u, str)),
                         deadline=details.get("deadline", ""), unit=details.get("unit", ""),
                         outcome=details.get("outcome", ""),
                         channel=replies.PROPOSAL_CHANNEL_LABELS.get(details.get("channel", ""), ""),
                         verdict=replies.PROPOSAL_VERDICT_LABELS.get(details.get("verdict", ""), ""),
                         into=details.get("into", ""), report=details.get("report", ""),
                         from_proposal=details.get("from_proposal", "")) if extra else ""
    note = event.note if action not in ("cosign_invite",) or not extra else ""
    return label + extra + (f"：{note}" if note and action != "reply" else "")


def history_lines(proposal: Proposal, tz, *, staff: bool) -> list[str]:
    """One line per history entry; staff also see who made each change."""
    lines = []
    for event in proposal.events:
        local = event.created_at.astimezone(tz)
        when = f"{local.month}月{local.day}日" + (f" {local:%H:%M}" if staff else "")
        who = f"（{event.actor}）" if staff and event.actor else ""
        lines.append(replies.PROPOSAL_HISTORY_LINE.format(when=when, text=event_text(event), who=who))
    return lines


def view_text(session: Session, proposal: Proposal, tz, text_max: int | None = 400) -> str:
    """Everything staff need: authors, co-signers, text, units, replies, verdicts, history."""
    def cut(text: str) -> str:
        return text if text_max is None or len(text) <= text_max else text[:text_max] + "……"
    cosigners = "、".join(c.member.name for c in proposal.agreed_cosigners) or "—"
    units = "、".join(f"{a.unit}（{replies.PROPOSAL_ROLE_LABELS[a.role]}，{a.deadline:%Y-%m-%d}）"
                      for a in proposals.current_assignments(proposal)) or "—"
    return replies.PROPOSAL_STAFF_VIEW.format(
        receipt=proposal.receipt_no, title=proposal.title, state=state_label(proposal),
        author=proposal.authors_text or "—", cosigners=cosigners, category=proposal.category,
        analysis=cut(proposal.analysis), suggestions=cut(proposal.suggestions), units=units,
        history="\n".join(history_lines(proposal, tz, staff=True)))


def local_year(now: datetime, config: Settings) -> int:
    return now.astimezone(_tz(config)).year


def _tz(config: Settings):
    from zoneinfo import ZoneInfo

    return ZoneInfo(config.org.timezone)
