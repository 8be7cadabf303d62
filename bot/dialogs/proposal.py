"""提案, member side: draft (案由 → 情况分析 → 具体建议) → summary with similar proposals → receipt;
联名 invitations and answers; 我的提案; progress; the verdict on a unit's reply; revision after 退回修改.

One short question at a time. At the summary, confirmations submit; edits change only their field
(标题改成… / 分类改成… / 补充：… adds to 情况分析 / 补充建议：… adds a suggestion); anything else is asked about.
The fixed-syntax commands (bot/dispatch.py calls `fixed_command`) are parsed by intents/proposals.py.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

import intents
from bot import proposal_review, replies
from bot.dialogs.base import Ask, Dialog, Done, Handover, Message, Perform, Transition, Turn, Unclear
from intents import DraftReply, normalize_receipt
from intents.proposals import (ProposalCommand, category_named, numbered, numbered_items, parse_proposal_command,
                               proposal_category, title_in_trigger)
from storage import proposals
from storage.proposal_flow import FlowError
from storage.proposal_models import Proposal
from storage.statuses import CosignStatus, ProposalState, Verdict

NAME = "proposal"
OWN_INTENTS = ("proposal",)
CONTENT_INTENTS = ("proposal", "report")  # a proposal's text reads like a 社情民意: not a new request
SIMILAR_SHOWN = 2
EXCERPT_CHARS = 150
_SUGGESTION_EDIT = re.compile(r"^(?:再)?(?:补充|追加|加|添加|增加)(?:一条)?建议\s*[:：,，]?\s*(?P<v>.+)$", re.S)
_CATEGORY_EDIT = re.compile(r"^(?:请|麻烦)?(?:把)?(?:分类|类别)(?:改成|改为|换成|是|为)\s*[:：]?\s*(?P<v>.+)$")


class Step(StrEnum):
    TITLE = "title"
    ANALYSIS = "analysis"
    SUGGESTIONS = "suggestions"
    CONFIRM = "confirm"
    PICK = "pick"          # 联名: which of several roster entries with the same name
    REASON = "reason"      # 不满意 without a reason


@dataclass
class ProposalDraft:
    title: str = ""
    analysis: str = ""
    suggestions: list[str] = field(default_factory=list)
    category: str = ""
    edited: list[str] = field(default_factory=list)      # fields the member set explicitly at the summary
    asked_more: bool = False                             # 情况分析 was short: asked once for more
    revision_of: str = ""                                # receipt of the returned proposal being revised
    notice: str = ""                                     # said before the summary
    receipt: str = ""                                    # 联名 / verdict: the proposal concerned
    pending_names: list[str] = field(default_factory=list)  # 联名: names still to resolve (first = asked)
    choices: list[int] = field(default_factory=list)     # 联名: member ids offered for the first pending name
    picked: list[int] = field(default_factory=list)      # 联名: resolved member ids
    notes: list[str] = field(default_factory=list)       # 联名: said with the result (unknown names …)
    verdict: str = ""


# --- pure steps: the draft --------------------------------------------------------------------------

def begin(draft: ProposalDraft, msg: Message, title: str = "") -> Transition:
    if title:
        return on_title(draft, Message(title, msg.now, msg.settings))
    return Ask(Step.TITLE, draft, replies.PROPOSAL_ASK_TITLE)


def on_title(draft: ProposalDraft, msg: Message) -> Transition:
    text = msg.text.strip().strip("《》")
    if not text or intents.draft_reply(text) & (DraftReply.SKIP | DraftReply.CONFIRM):
        return Unclear()
    if msg.is_new_request(CONTENT_INTENTS):
        return Handover()
    limit = msg.settings.proposals.title_max_chars
    if len(text) > limit:
        return Ask(Step.TITLE, draft, replies.PROPOSAL_TITLE_TOO_LONG.format(max=limit))
    draft.title = text
    return Ask(Step.ANALYSIS, draft, replies.PROPOSAL_ASK_ANALYSIS)


def on_analysis(draft: ProposalDraft, msg: Message) -> Transition:
    text = msg.text.strip()
    reply = intents.draft_reply(text)
    if draft.analysis and reply & (DraftReply.SKIP | DraftReply.CONFIRM | DraftReply.SUBMIT_NOW):
        return Ask(Step.SUGGESTIONS, draft, replies.PROPOSAL_ASK_SUGGESTIONS)
    if not text or (not draft.analysis and reply):
        return Unclear()
    if msg.is_new_request(CONTENT_INTENTS):
        return Handover()
    cfg = msg.settings.proposals
    if len(draft.analysis) + len(text) > cfg.max_chars:
        return Ask(Step.ANALYSIS, draft, replies.PROPOSAL_TOO_LONG.format(max=cfg.max_chars))
    draft.analysis = f"{draft.analysis}\n{text}".strip()
    if len(draft.analysis) < cfg.min_chars and not draft.asked_more:
        draft.asked_more = True
        return Ask(Step.ANALYSIS, draft, replies.PROPOSAL_ASK_MORE)
    return Ask(Step.SUGGESTIONS, draft, replies.PROPOSAL_ASK_SUGGESTIONS)


def on_suggestions(draft: ProposalDraft, msg: Message) -> Transition:
    text = msg.text.strip()
    if intents.draft_reply(text) & (DraftReply.SKIP | DraftReply.CONFIRM | DraftReply.SUBMIT_NOW) or not text:
        return Ask(Step.SUGGESTIONS, draft, replies.PROPOSAL_SUGGESTIONS_EMPTY)
    if msg.is_new_request(CONTENT_INTENTS):
        return Handover()
    limit = msg.settings.proposals.max_chars
    if len(text) + sum(len(s) for s in draft.suggestions) > limit:
        return Ask(Step.SUGGESTIONS, draft, replies.PROPOSAL_TOO_LONG.format(max=limit))
    draft.suggestions += numbered_items(text)
    return Perform(show_summary, draft)


def on_confirm(draft: ProposalDraft, msg: Message) -> Transition:
    reply = intents.draft_reply(msg.text)
    if intents.is_confirm(msg.text) or reply & (DraftReply.CONFIRM | DraftReply.SUBMIT_NOW | DraftReply.SUBMIT_ANYWAY):
        return Perform(save, draft)
    if reply & DraftReply.REWRITE:
        return Ask(Step.TITLE, ProposalDraft(revision_of=draft.revision_of), replies.PROPOSAL_REWRITE)
    edited = _edit(draft, msg)
    if edited is not None:
        return edited
    if msg.is_new_request(OWN_INTENTS):
        return Handover()
    return Unclear(replies.PROPOSAL_CONFIRM_HINT)


def _edit(draft: ProposalDraft, msg: Message) -> Transition | None:
    """标题改成… / 分类改成… / 补充建议：… / 补充：…; None when the reply is no edit."""
    text = msg.text.strip()
    added = _SUGGESTION_EDIT.match(text)
    if added:
        draft.suggestions += numbered_items(added["v"])
        return _resummarise(draft, "suggestions")
    category = _CATEGORY_EDIT.match(text)
    if category:
        value = category_named(category["v"], msg.settings.proposals.categories)
        if not value:
            return Ask(Step.CONFIRM, draft, replies.PROPOSAL_EDIT_BAD_CATEGORY.format(
                categories="、".join(msg.settings.proposals.categories)))
        draft.category = value
        return _resummarise(draft, "category")
    edit = intents.parse_edit(text)
    if edit is None or edit.field not in ("title", "append"):
        return None
    value = edit.value.strip().strip("《》")
    if not value:
        return Ask(Step.CONFIRM, draft, replies.PROPOSAL_EDIT_EMPTY)
    if edit.field == "append":
        draft.analysis = f"{draft.analysis}\n{value}".strip()
        return _resummarise(draft, "analysis")
    limit = msg.settings.proposals.title_max_chars
    if len(value) > limit:
        return Ask(Step.CONFIRM, draft, replies.PROPOSAL_TITLE_TOO_LONG.format(max=limit))
    draft.title = value
    return _resummarise(draft, "title")


def _resummarise(draft: ProposalDraft, field_name: str) -> Perform:
    if field_name not in draft.edited:
        draft.edited.append(field_name)
    draft.notice = replies.PROPOSAL_EDIT_DONE.format(what=replies.PROPOSAL_FIELD_NAMES[field_name])
    return Perform(show_summary, draft)


def summary_text(draft: ProposalDraft, msg: Message, similar_lines: list[str], reason: str = "") -> str:
    if "category" not in draft.edited:
        draft.category = proposal_category(draft.title + draft.analysis + "".join(draft.suggestions),
                                           msg.settings.proposals.categories)
    extras = replies.PROPOSAL_SUMMARY_REVISION.format(receipt=draft.revision_of, reason=reason or "—") \
        if draft.revision_of else ""
    analysis = draft.analysis if len(draft.analysis) <= EXCERPT_CHARS else draft.analysis[:EXCERPT_CHARS] + "……"
    text = replies.PROPOSAL_SUMMARY.format(title=draft.title, category=draft.category, extras=extras,
                                           analysis=analysis, suggestions=numbered(draft.suggestions))
    if similar_lines:
        text += replies.PROPOSAL_SUMMARY_SIMILAR.format(lines="\n".join(similar_lines))
    return text


# --- services (need the store) ----------------------------------------------------------------------

def start(turn: Turn, slots: dict) -> Transition:
    """我要写提案 (or the `proposal` intent): a new draft; a title said with it is taken as the 案由."""
    return begin(ProposalDraft(), turn.message, title_in_trigger(turn.text))


def show_summary(turn: Turn, draft: ProposalDraft) -> Transition:
    lines = [_similar_line(p) for p in _similar(turn, draft)]
    reason = ""
    if draft.revision_of:
        old = proposals.by_receipt(turn.session, draft.revision_of)
        reason = _return_reason(old) if old else ""
    notice, draft.notice = draft.notice, ""
    text = notice + summary_text(draft, turn.message, lines, reason)
    return Ask(Step.CONFIRM, draft, text + "\n\n" + replies.PROPOSAL_CONFIRM, repeat=replies.PROPOSAL_CONFIRM)


def _similar(turn: Turn, draft: ProposalDraft) -> list[Proposal]:
    year = turn.rt.local(turn.now).year
    exclude = ()
    if draft.revision_of:
        old = proposals.by_receipt(turn.session, draft.revision_of)
        exclude = (old.id,) if old else ()
    matches = proposals.find_similar(turn.session, draft.title + draft.analysis + "".join(draft.suggestions),
                                     years=(year - 1, year), threshold=turn.rt.config.reports.similarity_threshold,
                                     exclude_ids=exclude)
    return [m.proposal for m in matches[:SIMILAR_SHOWN]]


def _similar_line(proposal: Proposal) -> str:
    reply = proposals.lead_reply(proposal)
    handled = replies.PROPOSAL_SIMILAR_HANDLED.format(
        outcome=replies.PROPOSAL_OUTCOME_LABELS[reply.outcome]) if reply is not None else ""
    return replies.PROPOSAL_SIMILAR_LINE.format(receipt=proposal.receipt_no, title=proposal.title,
                                                state=proposal_review.state_label(proposal), handled=handled)


def save(turn: Turn, draft: ProposalDraft) -> Transition:
    cfg = turn.rt.config.proposals
    if draft.revision_of:
        return _resubmit(turn, draft)
    proposal = proposals.by_source(turn.session, turn.source)
    if proposal is None:
        proposal = proposals.create(
            turn.session, author=turn.member, title=draft.title, analysis=draft.analysis,
            suggestions=numbered(draft.suggestions), category=draft.category or cfg.categories[-1], now=turn.now,
            year=turn.rt.local(turn.now).year, receipt_format=cfg.receipt_format, prefix=cfg.receipt_prefix,
            session_label=cfg.session, source=turn.source)
    return Done(replies.PROPOSAL_SAVED.format(receipt=proposal.receipt_no, title=proposal.title))


def _resubmit(turn: Turn, draft: ProposalDraft) -> Transition:
    proposal = _own(turn, draft.revision_of)
    if proposal is None:
        return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=draft.revision_of))
    if proposal.state != ProposalState.RETURNED:
        return Done(replies.PROPOSAL_REVISE_NOT_RETURNED.format(
            receipt=proposal.receipt_no, state=replies.PROPOSAL_STATE_LABELS[proposal.state]))
    event = proposals.revise(turn.session, proposal, title=draft.title, analysis=draft.analysis,
                             suggestions=numbered(draft.suggestions), category=draft.category or proposal.category,
                             actor=turn.member.name, now=turn.now)
    proposal_review.notify(turn.session, proposal, event)
    return Done(replies.PROPOSAL_RESUBMITTED.format(receipt=proposal.receipt_no, title=proposal.title))


def start_revision(turn: Turn, receipt: str) -> Transition:
    """修改 TA2026-0001 after 退回修改: the summary of the returned text, to edit and resubmit."""
    proposal = _own(turn, receipt)
    if proposal is None:
        return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=normalize_receipt(receipt)))
    if proposal.state != ProposalState.RETURNED:
        return Done(replies.PROPOSAL_REVISE_NOT_RETURNED.format(
            receipt=proposal.receipt_no, state=replies.PROPOSAL_STATE_LABELS[proposal.state]))
    draft = ProposalDraft(title=proposal.title, analysis=proposal.analysis,
                          suggestions=numbered_items(proposal.suggestions), category=proposal.category,
                          edited=["category"], revision_of=proposal.receipt_no)
    return Perform(show_summary, draft)


def _return_reason(proposal: Proposal) -> str:
    return next((e.note for e in reversed(proposal.events)
                 if (e.details or {}).get("action") == "return" and e.note), "")


# --- 联名 ---------------------------------------------------------------------------------------------

def cosign(turn: Turn, command: ProposalCommand) -> Transition:
    """联名 [TA…] 王建国 李秀兰: resolve the names against the roster (asking about namesakes), then invite."""
    proposal = _own(turn, command.receipt) if command.receipt else _latest_open(turn)
    if proposal is None:
        return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=normalize_receipt(command.receipt))
                    if command.receipt else replies.PROPOSAL_NONE_TO_COSIGN)
    if proposal.state not in (ProposalState.SUBMITTED, ProposalState.RETURNED):
        return Done(replies.PROPOSAL_COSIGN_CLOSED.format(receipt=proposal.receipt_no,
                                                          state=replies.PROPOSAL_STATE_LABELS[proposal.state]))
    limit = turn.rt.config.proposals.max_cosigners
    if len(proposal.cosigners) + len(command.names) > limit:
        return Done(replies.PROPOSAL_COSIGN_TOO_MANY.format(max=limit))
    draft = ProposalDraft(receipt=proposal.receipt_no, pending_names=list(dict.fromkeys(command.names)))
    return Perform(resolve_names, draft)


def resolve_names(turn: Turn, draft: ProposalDraft) -> Transition:
    """Take the pending names in order; one found → picked, none → noted, several → ask which."""
    unknown, unbound = [], []
    while draft.pending_names:
        name = draft.pending_names[0]
        found = proposals.members_named(turn.session, name)
        if len(found) > 1:
            draft.choices = [m.id for m in found]
            lines = [replies.PROPOSAL_COSIGN_PICK_LINE.format(n=i, name=m.name, sector=m.sector or "—",
                                                               district=f"，{m.district}" if m.district else "")
                     for i, m in enumerate(found, 1)]
            draft.notes += _name_notes(unknown, unbound)
            return Ask(Step.PICK, draft, replies.PROPOSAL_COSIGN_PICK.format(n=len(found), name=name,
                                                                            lines="\n".join(lines)))
        draft.pending_names.pop(0)
        if not found:
            unknown.append(name)
        elif found[0].id == turn.member.id:
            draft.notes.append(replies.PROPOSAL_COSIGN_SELF)
        elif not found[0].openid:
            unbound.append(name)
        else:
            draft.picked.append(found[0].id)
    draft.notes += _name_notes(unknown, unbound)
    return Perform(send_invitations, draft)


def _name_notes(unknown: list[str], unbound: list[str]) -> list[str]:
    notes = [replies.PROPOSAL_COSIGN_UNKNOWN.format(names="、".join(unknown))] if unknown else []
    return notes + ([replies.PROPOSAL_COSIGN_UNBOUND.format(names="、".join(unbound))] if unbound else [])


def on_pick(draft: ProposalDraft, msg: Message) -> Transition:
    picked = intents.choice(msg.text, len(draft.choices))
    if picked is None:
        return Handover() if msg.is_new_request(OWN_INTENTS) else Unclear()
    draft.picked.append(draft.choices[picked - 1])
    draft.pending_names.pop(0)
    draft.choices = []
    return Perform(resolve_names, draft)


def send_invitations(turn: Turn, draft: ProposalDraft) -> Transition:
    from storage.models import Member

    proposal = _own(turn, draft.receipt)
    if proposal is None:
        return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=draft.receipt))
    chosen = [m for m in (turn.session.get(Member, mid) for mid in dict.fromkeys(draft.picked))
              if m is not None and m.id != turn.member.id]
    already = [m.name for m in chosen if m.id in {c.member_id for c in proposal.cosigners}]
    asked = proposal_review.invite(turn.session, proposal, chosen, now=turn.now)
    text = (replies.PROPOSAL_COSIGN_INVITED.format(names="、".join(m.name for m in asked),
                                                    receipt=proposal.receipt_no)
            if asked else replies.PROPOSAL_COSIGN_NOBODY)
    if already:
        draft.notes.append(replies.PROPOSAL_COSIGN_ALREADY.format(names="、".join(already)))
    return Done(text + "".join(dict.fromkeys(draft.notes)))


def answer_invitation(turn: Turn, command: ProposalCommand) -> Transition:
    """同意联名 TA… / 不同意联名 TA… (the receipt may be left out when one invitation is waiting)."""
    agree = command.kind == "agree"
    if command.receipt:
        proposal = proposals.by_receipt(turn.session, normalize_receipt(command.receipt))
        if proposal is None:
            return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=normalize_receipt(command.receipt)))
    else:
        waiting = proposals.invitations_of(turn.session, turn.member.id)
        if not waiting:
            return Done(replies.PROPOSAL_ANSWER_NONE)
        if len(waiting) > 1:
            return Done(replies.PROPOSAL_ANSWER_WHICH.format(
                receipts="、".join(w.proposal.receipt_no for w in waiting)))
        proposal = waiting[0].proposal
    try:
        changed = proposal_review.answer(turn.session, proposal, turn.member, agree=agree, now=turn.now)
    except FlowError as exc:
        if exc.code == "not_invited":
            return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=proposal.receipt_no))
        return Done(proposal_review.error_text(exc))
    if not changed:
        return Done(replies.PROPOSAL_ANSWER_SAME.format(receipt=proposal.receipt_no))
    template = replies.PROPOSAL_AGREED if agree else replies.PROPOSAL_DECLINED
    return Done(template.format(receipt=proposal.receipt_no, title=proposal.title))


# --- verdicts --------------------------------------------------------------------------------------

def awaiting_verdict(turn: Turn) -> list[Proposal]:
    return [p for p in proposals.of_member(turn.session, turn.member.id, limit=50)
            if p.author_id == turn.member.id and p.state == ProposalState.REPLIED]


def verdict(turn: Turn, command: ProposalCommand) -> Transition:
    """满意 / 基本满意 / 不满意 [TA…] [理由]: the author's verdict on the 主办 unit's reply."""
    if command.receipt:
        proposal = _own(turn, command.receipt)
        if proposal is None:
            return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=normalize_receipt(command.receipt)))
        if proposal.state != ProposalState.REPLIED:
            return Done(replies.PROPOSAL_VERDICT_NOT_YOURS.format(
                receipt=proposal.receipt_no, state=replies.PROPOSAL_STATE_LABELS[proposal.state]))
    else:
        waiting = awaiting_verdict(turn)
        if not waiting:
            return Done(replies.PROPOSAL_VERDICT_NONE)
        if len(waiting) > 1:
            return Done(replies.PROPOSAL_VERDICT_WHICH.format(receipts="、".join(p.receipt_no for p in waiting),
                                                              first=waiting[0].receipt_no))
        proposal = waiting[0]
    draft = ProposalDraft(receipt=proposal.receipt_no, verdict=command.verdict)
    if command.verdict == Verdict.UNSATISFIED and not command.rest.strip():
        return Ask(Step.REASON, draft, replies.PROPOSAL_ASK_REASON.format(receipt=proposal.receipt_no))
    draft.notes = [command.rest.strip()]
    return Perform(record_verdict, draft)


def on_reason(draft: ProposalDraft, msg: Message) -> Transition:
    text = msg.text.strip()
    if not text or intents.draft_reply(text):
        return Unclear()
    if parse_proposal_command(text) is not None or msg.is_new_request(OWN_INTENTS):
        return Handover()
    draft.notes = [text]
    return Perform(record_verdict, draft)


def record_verdict(turn: Turn, draft: ProposalDraft) -> Transition:
    proposal = _own(turn, draft.receipt)
    if proposal is None:
        return Done(replies.PROPOSAL_NOT_FOUND.format(receipt=draft.receipt))
    try:
        proposal_review.judge(turn.session, proposal, turn.member, verdict=draft.verdict,
                              reason=draft.notes[0] if draft.notes else "", now=turn.now)
    except FlowError as exc:
        return Done(proposal_review.error_text(exc))
    return Done(replies.PROPOSAL_JUDGED[draft.verdict].format(receipt=proposal.receipt_no, title=proposal.title))


# --- 我的提案 and progress ------------------------------------------------------------------------------

def mine(turn: Turn, slots: dict | None = None) -> Transition:
    rows = proposals.of_member(turn.session, turn.member.id)
    invites = proposals.invitations_of(turn.session, turn.member.id)
    if not rows and not invites:
        return Done(replies.MY_PROPOSALS_NONE)
    lines = [replies.MY_PROPOSALS_HEADER.format(n=len(rows))] if rows else []
    lines += [replies.MY_PROPOSAL_LINE.format(
        receipt=p.receipt_no, title=p.title, state=proposal_review.state_label(p),
        role="" if p.author_id == turn.member.id else replies.MY_PROPOSAL_ROLE_COSIGNER) for p in rows]
    waiting = [p.receipt_no for p in rows if p.author_id == turn.member.id and p.state == ProposalState.REPLIED]
    if waiting:
        lines.append(replies.MY_PROPOSALS_VERDICTS.format(receipts="、".join(waiting)))
    if invites:
        lines.append(replies.MY_PROPOSALS_INVITES.format(receipts="、".join(i.proposal.receipt_no for i in invites)))
    if rows:
        lines.append(replies.MY_PROPOSALS_FOOTER.format(receipt=rows[0].receipt_no))
    return Done("\n".join(lines))


def history(turn: Turn, receipt: str) -> str:
    """A proposal's progress for its author, co-signers (invited too) and staff; others: 'not found'."""
    proposal = proposals.by_receipt(turn.session, normalize_receipt(receipt))
    if proposal is None or not _may_follow(turn, proposal):
        return replies.PROPOSAL_NOT_FOUND.format(receipt=normalize_receipt(receipt))
    agreed = "、".join(c.member.name for c in proposal.agreed_cosigners)
    lines = [replies.PROPOSAL_HISTORY_HEADER.format(
        receipt=proposal.receipt_no, title=proposal.title, state=proposal_review.state_label(proposal),
        cosigners=replies.PROPOSAL_HISTORY_COSIGNERS.format(names=agreed) if agreed else "")]
    lines += proposal_review.history_lines(proposal, turn.rt.tz, staff=turn.member.is_staff)
    if proposal.author_id == turn.member.id and proposal.state == ProposalState.RETURNED:
        lines.append(replies.PROPOSAL_HISTORY_RETURNED.format(receipt=proposal.receipt_no))
    return "\n".join(lines)


def _may_follow(turn: Turn, proposal: Proposal) -> bool:
    return (turn.member.is_staff or proposal.author_id == turn.member.id
            or any(c.member_id == turn.member.id and c.status != CosignStatus.DECLINED for c in proposal.cosigners))


def _own(turn: Turn, receipt: str) -> Proposal | None:
    proposal = proposals.by_receipt(turn.session, normalize_receipt(receipt)) if receipt else None
    return proposal if proposal is not None and proposal.author_id == turn.member.id else None


def _latest_open(turn: Turn) -> Proposal | None:
    return next((p for p in proposals.of_member(turn.session, turn.member.id)
                 if p.author_id == turn.member.id and p.state in (ProposalState.SUBMITTED, ProposalState.RETURNED)),
                None)


DIALOG = Dialog(
    NAME, Step, ProposalDraft,
    {Step.TITLE: on_title, Step.ANALYSIS: on_analysis, Step.SUGGESTIONS: on_suggestions,
     Step.CONFIRM: on_confirm, Step.PICK: on_pick, Step.REASON: on_reason},
    own_intents=OWN_INTENTS, resumable=True)
