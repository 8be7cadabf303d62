"""社情民意, member side: draft → follow-ups → summary → duplicate check → receipt; progress; revision.

Steps: details | place | suggestion (one follow-up each, at most once) → confirm → duplicate (if similar).
A rich first message (≥ min_chars, a place and a suggestion) goes straight to the summary. At the summary,
confirmations submit, explicit edits change only their field (标题改成… / 分类改成… / 旗区改成… / 补充：…),
and anything else is asked about — never appended silently. A revision of a returned report is a NEW report
(new receipt, revision_of_id → the returned one); the returned one keeps its text and state.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

import intents
from bot import replies
from bot.dialogs.base import Ask, Dialog, Done, Handover, Message, Perform, Transition, Turn, Unclear
from bot.report_review import attachment_summary, history_lines
from intents import DraftReply, normalize_receipt
from storage import report_privacy, reports, similar
from storage.days import day_start
from storage.models import Report
from storage.report_flow import LIVE_STATES, RETURNED

NAME = "report"
OWN_INTENTS = ("report",)
EXCERPT_CHARS = 120
ASK_BACK_CHARS = 12  # a short question back (能管用吗) is not added to the report


class Step(StrEnum):
    DETAILS = "details"
    PLACE = "place"
    SUGGESTION = "suggestion"
    CONFIRM = "confirm"
    DUPLICATE = "duplicate"
    REVISE = "revise"


FOLLOW_UPS = (Step.DETAILS, Step.PLACE, Step.SUGGESTION)


@dataclass
class ReportDraft:
    parts: list[str] = field(default_factory=list)     # the member's messages, in order
    suggestion: str = ""                               # the answer to 您有什么建议
    asked: list[str] = field(default_factory=list)     # follow-ups already asked
    attachments: list[dict] = field(default_factory=list)
    revision_of: str | None = None                     # receipt of the returned report being revised
    similar: int | None = None                         # id of the similar report offered for 附议
    title: str = ""
    category: str = ""
    district: str = ""
    edited: list[str] = field(default_factory=list)    # fields the member set explicitly at the summary
    notice: str = ""                                   # said before the summary (已补充。…)
    prompt: str = ""                                   # what to repeat after a photo

    @property
    def text(self) -> str:
        return "\n".join(part for part in self.parts if part)


# --- pure steps -------------------------------------------------------------------------------------

def begin(draft: ReportDraft, msg: Message) -> Transition:
    """A new draft from the first message (empty for a bare 我想反映个问题)."""
    text = "" if intents.is_bare_report_trigger(msg.text) else msg.text.strip()
    limit = msg.settings.reports.max_chars
    if len(text) > limit:
        return Done(replies.REPORT_TOO_LONG.format(max=limit))
    if text:
        _append(draft, msg, text)
    return _next(draft, msg)


def on_answer(draft: ReportDraft, msg: Message, step: Step) -> Transition:
    """An answer to 'what happened' / 'where' / 'what do you suggest'."""
    reply = intents.draft_reply(msg.text)
    if reply & DraftReply.SUBMIT_NOW:
        if not draft.text:
            return _ask(Step.DETAILS, draft, replies.REPORT_EMPTY, prompt=replies.REPORT_ASK_DETAILS)
        return Perform(confirmed, draft)
    if reply & (DraftReply.SKIP | DraftReply.CONFIRM):  # nothing to add: the next question or the summary
        return _next(draft, msg)
    if msg.is_new_request(OWN_INTENTS):
        return Handover()
    if _asks_back(msg.text):
        return Unclear(replies.REPORT_QUESTION_HINT)
    refused = _append(draft, msg, msg.text.strip())
    if refused:
        return _ask(step, draft, refused)
    if step is Step.SUGGESTION:
        draft.suggestion = msg.text.strip()
    return _next(draft, msg)


def on_confirm(draft: ReportDraft, msg: Message) -> Transition:
    reply = intents.draft_reply(msg.text)
    if draft.similar and wants_to_second(msg.text):
        return Perform(second_similar, draft)
    if intents.is_confirm(msg.text) or reply & (DraftReply.CONFIRM | DraftReply.SUBMIT_NOW | DraftReply.SUBMIT_ANYWAY):
        return Perform(save, draft)  # the summary already showed any similar report
    if reply & DraftReply.REWRITE:
        fresh = ReportDraft(revision_of=draft.revision_of, attachments=draft.attachments, asked=[Step.DETAILS])
        return _ask(Step.DETAILS, fresh, replies.REPORT_REWRITE, prompt=replies.REPORT_ASK_DETAILS)
    edit = intents.parse_edit(msg.text)
    if edit is not None:
        return _edited(draft, msg, edit)
    if msg.is_new_request(OWN_INTENTS):
        return Handover()
    return Unclear(replies.REPORT_CONFIRM_HINT)


def _edited(draft: ReportDraft, msg: Message, edit) -> Transition:
    """Apply one explicit edit at the summary; only its field changes."""
    value = edit.value.strip()
    if edit.field == "append":
        refused = _append(draft, msg, value) if value else replies.REPORT_EDIT_EMPTY
        return _ask(Step.CONFIRM, draft, refused) if refused else _resummarise(draft, replies.REPORT_ADDED)
    if edit.field == "category" and value not in msg.settings.reports.categories:
        return _ask(Step.CONFIRM, draft, replies.REPORT_EDIT_BAD_CATEGORY.format(
            categories="、".join(msg.settings.reports.categories)))
    if edit.field == "district" and value not in msg.settings.org.districts:
        return _ask(Step.CONFIRM, draft, replies.REPORT_EDIT_BAD_DISTRICT)
    if not value:
        return _ask(Step.CONFIRM, draft, replies.REPORT_EDIT_EMPTY)
    setattr(draft, edit.field, value[:20] if edit.field == "title" else value)
    if edit.field not in draft.edited:
        draft.edited.append(edit.field)
    return _resummarise(draft, replies.REPORT_EDIT_DONE.format(what=replies.REPORT_FIELD_NAMES[edit.field]))


def wants_to_second(text: str) -> bool:
    """附议 / 我附议 / 那我附议一下吧 (without a receipt: the similar report shown)."""
    return bool(intents.draft_reply(text) & DraftReply.SECOND) or (
        "附议" in text and intents.find_receipt(text) is None and "不附议" not in text)


def on_duplicate(draft: ReportDraft, msg: Message) -> Transition:
    reply = intents.draft_reply(msg.text)
    if wants_to_second(msg.text):
        return Perform(second_similar, draft)
    if reply & DraftReply.SUBMIT_ANYWAY:
        return Perform(save, draft)
    return Unclear()


def on_revise(draft: ReportDraft, msg: Message) -> Transition:
    """The new full text replaces the returned one; 提交 resubmits it as it was (e.g. after adding photos)."""
    if intents.is_confirm(msg.text) or intents.draft_reply(msg.text) & (DraftReply.CONFIRM | DraftReply.SUBMIT_NOW):
        return _resummarise(draft, "")
    if msg.is_new_request(OWN_INTENTS):
        return Handover()
    text = msg.text.strip()
    if len(text) > msg.settings.reports.max_chars:
        return _ask(Step.REVISE, draft, replies.REPORT_TOO_LONG.format(max=msg.settings.reports.max_chars))
    draft.parts, draft.suggestion = [], ""
    _append(draft, msg, text)
    return _next(draft, msg)


def _next(draft: ReportDraft, msg: Message, prefix: str = "") -> Transition:
    """Ask the next missing piece, once each; then show the summary."""
    text = draft.text
    if not text:
        return _ask(Step.DETAILS, draft, prefix + replies.REPORT_ASK_DETAILS, prompt=replies.REPORT_ASK_DETAILS)
    short = len(text) < msg.settings.reports.min_chars
    if short and not intents.has_place(text) and Step.DETAILS not in draft.asked:
        return _follow_up(draft, Step.DETAILS, replies.REPORT_ASK_MORE, prefix)
    if not intents.has_place(text) and Step.PLACE not in draft.asked:
        return _follow_up(draft, Step.PLACE, replies.REPORT_ASK_PLACE, prefix)
    if not _suggestion(draft) and Step.SUGGESTION not in draft.asked:
        return _follow_up(draft, Step.SUGGESTION, replies.REPORT_ASK_SUGGESTION, prefix)
    draft.notice = prefix
    return Perform(show_summary, draft)


def _follow_up(draft: ReportDraft, step: Step, question: str, prefix: str) -> Ask:
    draft.asked.append(step.value)
    return _ask(step, draft, prefix + question, prompt=question)


def describe(draft: ReportDraft, msg: Message) -> None:
    """Title, category and district of the draft as it stands, except what the member set explicitly."""
    text = draft.text
    slots = intents.extract(text, msg.now, ("district", "category"))
    first = draft.parts[0] if draft.parts and len(draft.parts[0]) >= 6 else text  # what happened
    derived = {
        "title": (intents.extract(first, msg.now, ("title",)).get("title") or first[:20]).strip(),
        "category": slots.get("category") if slots.get("category") in msg.settings.reports.categories else "其他",
        "district": slots.get("district") or "",
    }
    for name, value in derived.items():
        if name not in draft.edited:
            setattr(draft, name, value)


def summary(draft: ReportDraft, msg: Message, prefix: str = "", similar_line: str = "") -> Ask:
    describe(draft, msg)
    extras = ""
    if draft.revision_of:
        extras += replies.REPORT_SUMMARY_REVISION.format(receipt=draft.revision_of)
    if draft.attachments:
        extras += replies.REPORT_SUMMARY_ATTACHMENTS.format(items=attachment_summary(draft.attachments))
    text = draft.text
    excerpt = text if len(text) <= EXCERPT_CHARS else text[:EXCERPT_CHARS] + "……"
    body = replies.REPORT_SUMMARY.format(title=draft.title, category=draft.category,
                                         district=draft.district or replies.REPORT_NO_DISTRICT,
                                         extras=extras, excerpt=excerpt)
    prompt = replies.REPORT_CONFIRM_SIMILAR if draft.similar else replies.REPORT_CONFIRM_AGAIN
    return _ask(Step.CONFIRM, draft, prefix + body + similar_line, prompt=prompt)


def show_summary(turn: Turn, draft: ReportDraft) -> Transition:
    """The summary to confirm, with a similar report of the last days offered for 附议 right there."""
    describe(draft, turn.message)
    match = _most_similar(turn, draft)
    draft.similar = match.id if match is not None else None
    line = ""
    if match is not None:
        report_privacy.remember_offer(turn.rt.kv, turn.member.id, match.id)  # so 附议 <receipt> works later too
        own = match.member_id == turn.member.id
        line = (replies.REPORT_SUMMARY_SIMILAR_OWN if own else replies.REPORT_SUMMARY_SIMILAR).format(
            days=turn.rt.config.reports.similar_days, receipt=match.receipt_no, title=match.title, status=match.status)
    notice, draft.notice = draft.notice, ""
    return summary(draft, turn.message, notice, line)


def _resummarise(draft: ReportDraft, notice: str) -> Perform:
    draft.notice = notice
    return Perform(show_summary, draft)


def _ask(step: Step, draft: ReportDraft, text: str, *, prompt: str | None = None) -> Ask:
    """Keep the draft open at `step`; `prompt` is the question repeated after a photo or an unclear answer."""
    if prompt is not None:
        draft.prompt = prompt
    return Ask(step, draft, text, repeat=draft.prompt)


def _append(draft: ReportDraft, msg: Message, text: str) -> str | None:
    """Add the member's words to the draft; the refusal text if it would get too long."""
    limit = msg.settings.reports.max_chars
    if len(draft.text) + len(text) + 1 > limit:
        return replies.REPORT_TOO_LONG_DRAFT.format(max=limit)
    draft.parts.append(text)
    if msg.voice and len(draft.attachments) < msg.settings.reports.max_attachments:
        draft.attachments.append(msg.voice)
    return None


def _suggestion(draft: ReportDraft) -> str:
    """The separate answer to 您有什么建议, else the text from the first 建议/希望… on (found in the text as
    read — simplified, half-width — but cut from the text as written)."""
    if draft.suggestion:
        return draft.suggestion
    text = draft.text
    read = intents.normalize(text)
    suggestion = intents.split_suggestion(read)[1]
    if suggestion and len(read) == len(text):
        return text[len(read) - len(suggestion):].strip()
    return suggestion


def _asks_back(text: str) -> bool:
    """A question back to us ('这个反映上去能管用不') rather than an answer to ours."""
    clean = text.strip(" 。.!！~～")
    return intents.is_question(clean) and (len(clean) <= ASK_BACK_CHARS or clean[-1] in "？?吗呢不没")


# --- starting (needs the store) ------------------------------------------------------------------------

def start(turn: Turn, slots: dict) -> Transition:
    refused = _over_daily_cap(turn)
    if refused:
        return Done(refused)
    return begin(ReportDraft(), turn.message)


def start_revision(turn: Turn, receipt: str, new_text: str) -> Transition:
    """修改 SQ2026-0012 [new text] after 退回."""
    old = _own_report(turn, receipt)
    if old is None:
        return Done(replies.REPORT_NOT_FOUND.format(receipt=normalize_receipt(receipt)))
    newer = reports.revised_by(turn.session, old.id)
    if newer is not None:
        return Done(replies.REPORT_REVISE_DONE.format(receipt=old.receipt_no, new=newer.receipt_no))
    if old.status != RETURNED:
        return Done(replies.REPORT_REVISE_NOT_RETURNED.format(receipt=old.receipt_no, status=old.status))
    refused = _over_daily_cap(turn)
    if refused:
        return Done(refused)
    draft = ReportDraft(revision_of=old.receipt_no)
    limit = turn.rt.config.reports.max_chars
    if new_text.strip():
        if len(new_text) > limit:
            return Done(replies.REPORT_TOO_LONG.format(max=limit))
        draft.parts.append(new_text.strip())
        return _next(draft, turn.message)
    draft.parts, draft.suggestion = [old.text], old.suggestion
    reason = next((e.note for e in reversed(old.events) if e.status == RETURNED and e.note), "")
    return _ask(Step.REVISE, draft, replies.REPORT_REVISE_START.format(
        receipt=old.receipt_no, title=old.title, reason=reason), prompt=replies.REPORT_REVISE_AGAIN)


# --- confirm, duplicates, save ------------------------------------------------------------------------

def confirmed(turn: Turn, draft: ReportDraft) -> Transition:
    """The member wants it submitted: first offer 附议 if a similar report stands."""
    refused = _over_daily_cap(turn)
    if refused:
        return Done(refused)
    describe(draft, turn.message)
    match = _most_similar(turn, draft)
    if match is None:
        return save(turn, draft)
    draft.similar = match.id
    report_privacy.remember_offer(turn.rt.kv, turn.member.id, match.id)  # so 附议 <receipt> works later too
    days = turn.rt.config.reports.similar_days
    template = replies.REPORT_DUPLICATE_OWN if match.member_id == turn.member.id else replies.REPORT_DUPLICATE
    return _ask(Step.DUPLICATE, draft, template.format(days=days, receipt=match.receipt_no, title=match.title,
                                                       status=match.status), prompt=replies.REPORT_DUPLICATE_AGAIN)


def second_similar(turn: Turn, draft: ReportDraft) -> Transition:
    report = turn.session.get(Report, draft.similar) if draft.similar else None
    refused = _second_refused(turn, report)
    if refused:
        return _ask(Step.DUPLICATE, draft, refused + replies.REPORT_DUPLICATE_NEXT)
    return Done(_record_second(turn, report) + replies.REPORT_SECONDED_DRAFT)


def save(turn: Turn, draft: ReportDraft) -> Transition:
    report = reports.by_source(turn.session, turn.source)
    if report is None:
        refused = _over_daily_cap(turn)
        if refused:
            return Done(refused)
        report = _create(turn, draft)
    district = replies.REPORT_DISTRICT.format(district=report.district) if report.district else ""
    return Done(replies.REPORT_OK.format(receipt=report.receipt_no, title=report.title,
                                         category=report.category, district=district))


def _create(turn: Turn, draft: ReportDraft) -> Report:
    revision_of = reports.by_receipt(turn.session, draft.revision_of) if draft.revision_of else None
    if revision_of is not None and (revision_of.status != RETURNED
                                    or reports.revised_by(turn.session, revision_of.id)):
        revision_of = None  # revised meanwhile (another message): file it as a new report
    return reports.create_report(
        turn.session, turn.member, text=draft.text, title=draft.title, category=draft.category,
        district=draft.district, now=turn.now, prefix=turn.rt.config.reports.receipt_prefix, source=turn.source,
        suggestion=_suggestion(draft), revision_of=revision_of,
        attachments=[reports.NewAttachment(**item) for item in draft.attachments])


def _most_similar(turn: Turn, draft: ReportDraft) -> Report | None:
    cfg = turn.rt.config.reports
    exclude = ()
    if draft.revision_of:
        old = reports.by_receipt(turn.session, draft.revision_of)
        exclude = (old.id,) if old else ()
    matches = similar.find_similar(
        turn.session, draft.text, district=draft.district, category=draft.category,
        since=turn.now - timedelta(days=cfg.similar_days), threshold=cfg.similarity_threshold,
        limit=cfg.similar_max_candidates, exclude_ids=exclude)
    return matches[0].report if matches else None


def _second_refused(turn: Turn, report: Report | None) -> str | None:
    if report is not None and report.member_id == turn.member.id:
        return replies.REPORT_SECOND_OWN
    if report is None or report.status not in LIVE_STATES:
        return replies.REPORT_SECOND_GONE.format(receipt=report.receipt_no if report else "",
                                                 status=report.status if report else "")
    return None


def _record_second(turn: Turn, report: Report) -> str:
    added = reports.add_second(turn.session, report, turn.member, turn.now)
    template = replies.REPORT_SECONDED if added else replies.REPORT_SECOND_ALREADY
    return template.format(receipt=report.receipt_no, title=report.title)


# --- photos, voice, location ----------------------------------------------------------------------------

def on_media(turn: Turn, draft: ReportDraft, step: Step) -> Transition:
    """A photo or a location while the draft is open."""
    prompt = draft.prompt or replies.REPORT_CONFIRM_AGAIN
    inbound = turn.inbound
    if inbound.msg_type == "location":
        label = inbound.fields.get("Label", "").strip()
        refused = _append(draft, turn.message, label) if label else None
        if refused or not label or step not in FOLLOW_UPS + (Step.CONFIRM,):
            return _ask(step, draft, refused or prompt)
        ack = replies.REPORT_LOCATION_ADDED.format(label=label)
        return _resummarise(draft, ack) if step is Step.CONFIRM else _next(draft, turn.message, ack)
    if inbound.msg_type != "image":
        return _ask(step, draft, replies.REPORT_MEDIA_UNSUPPORTED.format(prompt=prompt))
    if not _add_attachment(turn, draft, {"kind": "image", "media_id": inbound.media_id, "url": inbound.pic_url}):
        return _ask(step, draft, replies.REPORT_MEDIA_LIMIT.format(
            max=turn.rt.config.reports.max_attachments, prompt=prompt))
    return _ask(step, draft, replies.REPORT_MEDIA_ADDED.format(
        kind=replies.REPORT_MEDIA_KINDS["image"], n=len(draft.attachments), prompt=prompt))


def _add_attachment(turn: Turn, draft: ReportDraft, item: dict) -> bool:
    if len(draft.attachments) >= turn.rt.config.reports.max_attachments:
        return False
    draft.attachments.append(item)
    return True


# --- progress -------------------------------------------------------------------------------------------

def status(turn: Turn, slots: dict) -> Transition:
    """我的社情民意, or the progress of one receipt."""
    receipt = slots.get("report_id") or intents.find_receipt(turn.text)
    return Done(history(turn, receipt) if receipt else _listing(turn))


def _listing(turn: Turn) -> str:
    mine = reports.of_member(turn.session, turn.member.id)
    year_start = day_start(turn.now.date().replace(month=1, day=1), turn.rt.tz)
    seconded = reports.seconds_of_member(turn.session, turn.member.id, year_start, turn.now + timedelta(days=1))
    if not mine:
        return replies.MY_REPORTS_NONE + (("\n" + replies.MY_REPORTS_SECONDS.format(n=seconded)) if seconded else "")
    lines = [replies.MY_REPORTS_HEADER.format(n=len(mine))]
    lines += [replies.MY_REPORT_LINE.format(receipt=r.receipt_no, title=r.title, status=r.status) for r in mine]
    if seconded:
        lines.append(replies.MY_REPORTS_SECONDS.format(n=seconded))
    lines.append(replies.MY_REPORTS_FOOTER.format(receipt=mine[0].receipt_no))
    return "\n".join(lines)


def history(turn: Turn, receipt: str) -> str:
    """The progress of a report the member wrote or seconded (staff: any); others are 'not found'."""
    report = reports.by_receipt(turn.session, normalize_receipt(receipt))
    if report is None or not _may_follow(turn, report):
        return replies.REPORT_NOT_FOUND.format(receipt=normalize_receipt(receipt))
    lines = [replies.REPORT_HISTORY_HEADER.format(receipt=report.receipt_no, title=report.title,
                                                  status=report.status)]
    lines += history_lines(report, turn.rt.tz, staff=False)
    own = report.member_id == turn.member.id
    if own and report.status == RETURNED and reports.revised_by(turn.session, report.id) is None:
        lines.append(replies.REPORT_HISTORY_RETURNED.format(receipt=report.receipt_no))
    if not own and not turn.member.is_staff:
        lines.insert(1, replies.REPORT_HISTORY_SECONDED)
    return "\n".join(lines)


def _may_follow(turn: Turn, report: Report) -> bool:
    return (report.member_id == turn.member.id or turn.member.is_staff
            or reports.has_second(turn.session, report.id, turn.member.id))


def second_by_receipt(turn: Turn, receipt: str) -> Transition:
    """附议 SQ2026-0012 outside a draft (the member learnt the number from a duplicate notice).
    A report the member may not see (storage/report_privacy.py) is refused exactly like an unknown one."""
    report = reports.by_receipt(turn.session, normalize_receipt(receipt))
    if report is None or not _may_second(turn, report):
        return Done(replies.REPORT_NOT_FOUND.format(receipt=normalize_receipt(receipt)))
    return Done(_second_refused(turn, report) or _record_second(turn, report))


def _may_second(turn: Turn, report: Report) -> bool:
    member, kv = turn.member, turn.rt.kv
    return report_privacy.may_second(
        report, member, scope=turn.rt.config.reports.second_scope,
        offered_ids=report_privacy.offered(kv, member.id, report.id),
        already_seconded=reports.has_second(turn.session, report.id, member.id))


# --- helpers --------------------------------------------------------------------------------------------

def _own_report(turn: Turn, receipt: str) -> Report | None:
    report = reports.by_receipt(turn.session, normalize_receipt(receipt))
    return report if report is not None and report.member_id == turn.member.id else None


def _over_daily_cap(turn: Turn) -> str | None:
    cap = turn.rt.config.reports.daily_cap
    if reports.count_since(turn.session, turn.member.id, day_start(turn.now.date(), turn.rt.tz)) >= cap:
        return replies.REPORT_DAILY_CAP.format(cap=cap)
    return None


DIALOG = Dialog(
    NAME, Step, ReportDraft,
    {Step.DETAILS: lambda d, m: on_answer(d, m, Step.DETAILS),
     Step.PLACE: lambda d, m: on_answer(d, m, Step.PLACE),
     Step.SUGGESTION: lambda d, m: on_answer(d, m, Step.SUGGESTION),
     Step.CONFIRM: on_confirm, Step.DUPLICATE: on_duplicate, Step.REVISE: on_revise},
    own_intents=OWN_INTENTS, resumable=True, on_media=on_media)
