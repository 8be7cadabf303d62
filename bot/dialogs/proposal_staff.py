"""提案 staff commands sent over WeChat. Members never reach this module (bot/dialogs/proposal_commands.py).

    提案待审                                             proposals waiting for 审查, oldest first
    查看 TA2026-0001                                     the proposal, its units and history
    立案 TA…   重点 TA…   优秀 TA…   办结 TA… [说明]
    不立案 TA… 理由 [转社情民意]                           (a reason is required; 转社情民意 files it as a report)
    退回 TA… 理由                                        (the member revises it: 修改 TA…)
    并案 TA… 到 TA…
    交办 TA… 主办 单位 [协办 单位 …] [会办 单位 …] [期限 YYYY-MM-DD]
    办复 TA… [单位] A|B|C 面谈|座谈|电话|书面 答复内容
    督办 TA… 说明                                        (the reply holds the text to forward to the units)
    提案单位                                             the configured handling units
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

import intents
from bot import proposal_review, replies
from bot.dialogs.base import Ask, Dialog, Done, Handover, Message, Perform, Transition, Turn, Unclear
from storage import proposals
from storage.proposal_flow import VERBS, FlowError
from storage.proposals import UnitRole
from storage.statuses import HandlingRole, ReplyChannel, ReplyOutcome

PENDING_LIMIT = 10
TO_REPORT_WORDS = ("转社情民意", "转为社情民意", "转成社情民意")
UNITS_WORDS = frozenset({"提案单位", "承办单位", "承办单位名单"})
ROLE_WORDS = {"主办": HandlingRole.LEAD, "协办": HandlingRole.ASSIST, "会办": HandlingRole.JOINT}
CHANNEL_WORDS = {"面谈": ReplyChannel.MEETING, "座谈": ReplyChannel.FORUM, "电话": ReplyChannel.PHONE,
                 "书面": ReplyChannel.WRITTEN}
_DEADLINE = re.compile(r"(?:期限|截止|到期)\s*[:：]?\s*(?P<y>\d{4})[-/.年](?P<m>\d{1,2})[-/.月](?P<d>\d{1,2})日?")
_TOKENS = re.compile(r"[\s,，、;；]+")
_OUTCOME = re.compile(r"(?<![A-Za-z])(?P<o>[ABCabc])(?:类)?(?![A-Za-z])")
ASK_FOR = {"reject": "note", "return": "note", "urge": "note", "merge": "into", "assign": "units", "reply": "reply"}


class Step(StrEnum):
    ARGUMENTS = "arguments"   # a verb without its required part: the next message is that part


@dataclass
class ActionDraft:
    verb: str = ""
    receipt: str = ""


def parse(text: str) -> intents.StaffCommand | None:
    """提案待审, 提案单位, 查看 TA…, or <verb> TA… [arguments]; the caller checked the receipt is a proposal's."""
    clean = text.strip()
    if clean in UNITS_WORDS:
        return intents.StaffCommand("units")
    return intents.parse_staff_command(clean, VERBS)


def run(turn: Turn, command: intents.StaffCommand) -> Transition:
    if command.kind == "units":
        return Done(replies.PROPOSAL_UNITS.format(units="\n".join(turn.rt.config.proposals.units)))
    if command.kind in ("pending", "proposal_pending"):
        return Done(pending(turn))
    if command.kind == "view":
        return Done(_guard(lambda: proposal_review.view_text(
            turn.session, proposal_review.find(turn.session, command.receipt), turn.rt.tz)))
    action = VERBS[command.verb]
    if not command.rest.strip() and action.name in ASK_FOR:
        return Ask(Step.ARGUMENTS, ActionDraft(command.verb, command.receipt), _question(action.name,
                                                                                          command.receipt))
    return Done(_guard(lambda: act(turn, command)))


def _question(action: str, receipt: str) -> str:
    if action in replies.PROPOSAL_STAFF_ASK_NOTE:
        return replies.PROPOSAL_STAFF_ASK_NOTE[action].format(receipt=receipt)
    return {"merge": replies.PROPOSAL_STAFF_ASK_INTO, "assign": replies.PROPOSAL_STAFF_ASK_ASSIGN,
            "reply": replies.PROPOSAL_STAFF_ASK_REPLY}[action]


def on_arguments(draft: ActionDraft, msg: Message) -> Transition:
    if parse(msg.text) is not None:
        return Handover()
    rest = msg.text.strip()
    command = intents.StaffCommand("review", draft.verb, draft.receipt, rest)
    return Perform(lambda turn, c: Done(_guard(lambda: act(turn, c))), command) if rest else Unclear()


def pending(turn: Turn) -> str:
    waiting = proposals.pending(turn.session, PENDING_LIMIT)
    if not waiting:
        return replies.PROPOSAL_STAFF_PENDING_NONE
    lines = [replies.PROPOSAL_STAFF_PENDING_HEADER.format(n=proposals.count_state(turn.session, "submitted"))]
    for p in waiting:
        local = turn.rt.local(p.created_at)
        lines.append(replies.PROPOSAL_STAFF_PENDING_LINE.format(
            receipt=p.receipt_no, date=f"{local.month}月{local.day}日", author=p.authors_text, title=p.title))
    lines.append(replies.PROPOSAL_STAFF_PENDING_FOOTER)
    return "\n".join(lines)


def act(turn: Turn, command: intents.StaffCommand) -> str:
    """One action typed on WeChat; what follows the receipt depends on the verb."""
    action = VERBS[command.verb]
    cfg, who, now = turn.rt.config, turn.member.name, turn.now
    if action.name == "assign":
        units, deadline = parse_assignment(command.rest, cfg.proposals.units)
        outcome = proposal_review.assign(turn.session, command.receipt, units, actor=who, now=now, config=cfg,
                                         deadline=deadline)
    elif action.name == "reply":
        proposal = proposal_review.find(turn.session, command.receipt)
        unit, outcome_class, channel, text = parse_reply(command.rest, proposal, cfg.proposals.units)
        outcome = proposal_review.reply(turn.session, command.receipt, unit=unit, text=text, channel=channel,
                                        outcome=outcome_class, actor=who, now=now)
    elif action.name == "urge":
        outcome = proposal_review.urge(turn.session, command.receipt, note=command.rest, actor=who, now=now,
                                       config=cfg)
        return replies.PROPOSAL_STAFF_URGED.format(receipt=outcome.proposal.receipt_no, text=outcome.text)
    else:
        args = command.arguments(into=action.needs_into)
        note, to_report = _without_report_words(args.note)
        outcome = proposal_review.review(turn.session, command.receipt, action.name, actor=who, now=now, config=cfg,
                                         note=note, into=args.into, to_report=to_report)
    notified = (replies.PROPOSAL_STAFF_NOTIFIED.format(n=outcome.notified) if outcome.notified
                else replies.PROPOSAL_STAFF_NOT_NOTIFIED)
    if outcome.text:
        notified += replies.PROPOSAL_STAFF_TO_REPORT.format(report=outcome.text)
    return replies.PROPOSAL_STAFF_DONE.format(verb=action.verb, receipt=outcome.proposal.receipt_no,
                                              title=outcome.proposal.title,
                                              state=proposal_review.state_label(outcome.proposal), notified=notified)


def _without_report_words(note: str) -> tuple[str, bool]:
    for word in TO_REPORT_WORDS:
        if word in note:
            return note.replace(word, "").strip(" ，,。；;"), True
    return note, False


# --- reading the arguments (pure) ----------------------------------------------------------------------

def unit_named(word: str, units: tuple[str, ...]) -> str:
    """The configured unit a word names: exact, else the one unit containing it ('民政局' → '市民政局')."""
    if word in units:
        return word
    found = [u for u in units if word and word in u]
    return found[0] if len(found) == 1 else ""


def parse_assignment(rest: str, units: tuple[str, ...]) -> tuple[list[UnitRole], date | None]:
    """'主办 市民政局 协办 市财政局 市教育局 期限 2027-03-01' → units with roles, and the deadline.
    Raises FlowError for an unknown unit, a bad date or no 主办."""
    deadline = None
    found = _DEADLINE.search(rest)
    if found:
        try:
            deadline = date(int(found["y"]), int(found["m"]), int(found["d"]))
        except ValueError:
            raise FlowError("bad_date") from None
        rest = rest[:found.start()] + rest[found.end():]
    elif re.search(r"期限|截止", rest):
        raise FlowError("bad_date")
    chosen, role, unknown = [], HandlingRole.LEAD, []
    for token in (t for t in _TOKENS.split(_spaced_roles(rest)) if t):
        if token in ROLE_WORDS:
            role = ROLE_WORDS[token]
            continue
        unit = unit_named(token, units)
        if unit:
            chosen.append(UnitRole(unit, role))
        else:
            unknown.append(token)
    if unknown:
        raise FlowError("unknown_unit", units="、".join(unknown))
    return chosen, deadline


def _spaced_roles(text: str) -> str:
    """'主办市民政局' → ' 主办 市民政局' so role words split off even when typed without a space."""
    return re.sub(r"(主办|协办|会办)", r" \1 ", text)


def parse_reply(rest: str, proposal, units: tuple[str, ...]) -> tuple[str, str, str, str]:
    """'[单位] A 面谈 答复内容' → (unit, outcome, channel, text). Without a unit: the one unit of the round
    still waiting (the 主办 first). Raises FlowError when a part is missing."""
    words = [t for t in _TOKENS.split(rest.strip()) if t]
    unit, outcome, channel, used = "", "", "", 0
    for word in words[:3]:
        if not unit and unit_named(word, units):
            unit, used = unit_named(word, units), used + 1
        elif not outcome and _OUTCOME.fullmatch(word):
            outcome, used = word[0].upper(), used + 1
        elif not channel and word in CHANNEL_WORDS:
            channel, used = CHANNEL_WORDS[word], used + 1
        else:
            break
    text = _after_words(rest, used)
    if not unit:
        unit = _waiting_unit(proposal)
    if not unit:
        raise FlowError("need_unit", receipt=proposal.receipt_no)
    if outcome not in set(ReplyOutcome):
        raise FlowError("bad_outcome", receipt=proposal.receipt_no)
    if not channel:
        raise FlowError("bad_channel", receipt=proposal.receipt_no)
    return unit, outcome, channel, text


def _after_words(text: str, count: int) -> str:
    rest = text.strip()
    for _ in range(count):
        parts = _TOKENS.split(rest, maxsplit=1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip()


def _waiting_unit(proposal) -> str:
    waiting = [a for a in proposals.current_assignments(proposal) if a.replied_at is None]
    return waiting[0].unit if len(waiting) == 1 else ""


def _guard(run) -> str:
    try:
        return run()
    except FlowError as exc:
        return proposal_review.error_text(exc)


DIALOG = Dialog("proposal_staff", Step, ActionDraft, {Step.ARGUMENTS: on_arguments})
