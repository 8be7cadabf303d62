"""提案 fixed-syntax commands for the router (bot/dispatch.py asks here before the 社情民意 commands).

A receipt decides the service: one starting with `proposals.receipt_prefix` (TA…) is a proposal's, so the
shared verbs (退回, 办结, 查看, 修改) go to the 提案 handlers only with a proposal receipt.
"""
from __future__ import annotations

from typing import Callable

import intents
from bot import replies
from bot.dialogs import proposal, proposal_staff
from bot.dialogs.base import Done, Transition, Turn
from bot.proposal_review import is_proposal_receipt
from intents.proposals import parse_proposal_command

Command = tuple[str, Callable[[Turn], Transition]]


def fixed_command(turn: Turn, text: str) -> Command | None:
    return _staff_verb(turn, text) or _member_command(turn, text) or _by_receipt(turn, text)


def _staff_verb(turn: Turn, text: str) -> Command | None:
    command = proposal_staff.parse(text)
    if command is None or command.kind == "pending":
        return None
    if command.kind != "units" and not is_proposal_receipt(command.receipt, turn.rt.config):
        return None
    if turn.member.is_staff:
        return "proposal_staff", lambda t: proposal_staff.run(t, command)
    if command.kind == "view":
        return "proposal", lambda t: Done(proposal.history(t, command.receipt))
    if command.kind == "units":
        return None
    return "clarify", lambda t: Done(replies.PROPOSAL_STAFF_ONLY.format(verb=command.verb))


def _member_command(turn: Turn, text: str) -> Command | None:
    command = parse_proposal_command(text)
    if command is None:
        return None
    if command.kind == "start":
        return "proposal", lambda t: proposal.begin(proposal.ProposalDraft(), t.message, command.rest)
    if command.kind == "mine":
        return "proposal", proposal.mine
    if command.kind == "pending":
        return ("proposal_staff", lambda t: Done(proposal_staff.pending(t))) if turn.member.is_staff else None
    if command.kind == "cosign":
        return "proposal", lambda t: proposal.cosign(t, command)
    if command.kind in ("agree", "decline"):
        return "proposal", lambda t: proposal.answer_invitation(t, command)
    if command.receipt or proposal.awaiting_verdict(turn):  # a bare 满意 only while a verdict is awaited
        return "proposal", lambda t: proposal.verdict(t, command)
    return None


def _by_receipt(turn: Turn, text: str) -> Command | None:
    revise = intents.parse_member_command(text)
    if revise is not None and revise.kind == "revise" and is_proposal_receipt(revise.receipt, turn.rt.config):
        return "proposal", lambda t: proposal.start_revision(t, revise.receipt)
    receipt = intents.find_receipt(text)
    if receipt and is_proposal_receipt(receipt, turn.rt.config):
        return "proposal", lambda t: Done(proposal.history(t, receipt))
    return None
