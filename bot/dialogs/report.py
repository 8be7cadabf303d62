"""社情民意, member side: draft → follow-ups → summary → duplicate check → receipt; progress; revision.

The draft lives in the dialog state until the member confirms it:
    {"parts": [the member's messages, in order], "suggestion": the answer to "您有什么建议",
     "asked": follow-ups already asked, "attachments": [{kind, media_id, url, text}],
     "revision_of": receipt of the returned report being revised, "similar": id of a similar report,
     "title"/"category"/"district": shown in the summary, "prompt": what to repeat after a photo}
Steps: details | place | suggestion (one follow-up each, at most once) → confirm → duplicate (if similar).
A rich first message (≥ min_chars, a place and a suggestion) goes straight to the summary.
A revision of a returned report is a NEW report (new receipt number, revision_of_id → the returned one);
the returned report keeps its text and state, and its history records the resubmission.
"""
from __future__ import annotations

from datetime import timedelta

import intents
from bot import replies
from bot.dialogs.base import NOT_MINE, Turn
from bot.dialogs.common import is_new_request
from bot.report_review import attachment_summary, history_lines
from intents import DraftReply, normalize_receipt
from storage import reports, similar
from storage.models import Report
from storage.report_flow import LIVE_STATES, RETURNED, VERBS
from storage.days import day_start

NAME = "report"
RESUMABLE = True  # another request in the middle of a draft keeps the draft
FOLLOW_UPS = ("details", "place", "suggestion")
SHORT_REPLY = 6  # at the summary, a reply shorter than this is not added to the draft


def start(turn: Turn, slots: dict) -> str:
    command = intents.parse_member_command(turn.text)
    if command and command.kind == "revise":
        return _start_revision(turn, command.receipt, command.rest)
    refused = _staff_only(turn) or _over_daily_cap(turn)
    if refused:
        return refused
    text = "" if intents.is_bare_report_trigger(turn.text) else turn.text.strip()
    if len(text) > turn.rt.config.reports.max_chars:
        return replies.REPORT_TOO_LONG.format(max=turn.rt.config.reports.max_chars)
    data = _new_draft()
    if text:
        data["parts"].append(text)
        _attach_voice(turn, data)
    return _next(turn, data)


# --- follow-ups -----------------------------------------------------------------------------

def on_answer(turn: Turn, data: dict) -> str:
    """An answer to 'what happened' / 'where' / 'what do you suggest'."""
    reply = intents.draft_reply(turn.text)
    if reply & DraftReply.SUBMIT_NOW:
        if not _text(data):
            return _ask(turn, "details", data, replies.REPORT_EMPTY, prompt=replies.REPORT_ASK_DETAILS)
        return _confirmed(turn, data)
    if reply & (DraftReply.SKIP | DraftReply.CONFIRM):  # nothing to add: go on to the next question or the summary
        return _next(turn, data)
    if is_new_request(turn, (NAME,)):
        return NOT_MINE
    step = turn.state.step
    refused = _append(turn, data, turn.text.strip())
    if refused:
        return _ask(turn, step, data, refused)
    if step == "suggestion":
        data["suggestion"] = turn.text.strip()
    return _next(turn, data)


def _next(turn: Turn, data: dict, prefix: str = "") -> str:
    """Ask the next missing piece, once each; then show the summary."""
    text = _text(data)
    if not text:
        return _follow_up(turn, data, "details", replies.REPORT_ASK_DETAILS, prefix, mark=False)
    if len(text) < turn.rt.config.reports.min_chars and "details" not in data["asked"]:
        return _follow_up(turn, data, "details", replies.REPORT_ASK_MORE, prefix)
    if not intents.has_place(text) and "place" not in data["asked"]:
        return _follow_up(turn, data, "place", replies.REPORT_ASK_PLACE, prefix)
    if not _suggestion(data) and "suggestion" not in data["asked"]:
        return _follow_up(turn, data, "suggestion", replies.REPORT_ASK_SUGGESTION, prefix)
    return _summary(turn, data, prefix)


def _follow_up(turn: Turn, data: dict, step: str, question: str, prefix: str, mark: bool = True) -> str:
    if mark and step not in data["asked"]:
        data["asked"].append(step)
    return _ask(turn, step, data, prefix + question, prompt=question)


def _describe(turn: Turn, data: dict) -> None:
    """Title, category and district of the draft as it stands (shown in the summary, saved with it)."""
    cfg = turn.rt.config.reports
    text = _text(data)
    slots = intents.extract(text, turn.now, ("district", "category"))
    first = data["parts"][0] if data["parts"] and len(data["parts"][0]) >= 6 else text  # what happened
    data["title"] = (intents.extract(first, turn.now, ("title",)).get("title") or first[:20]).strip()
    data["category"] = slots.get("category") if slots.get("category") in cfg.categories else "其他"
    data["district"] = slots.get("district") or ""


def _summary(turn: Turn, data: dict, prefix: str = "") -> str:
    _describe(turn, data)
    text = _text(data)
    extras = ""
    if data.get("revision_of"):
        extras += replies.REPORT_SUMMARY_REVISION.format(receipt=data["revision_of"])
    if data["attachments"]:
        extras += replies.REPORT_SUMMARY_ATTACHMENTS.format(items=attachment_summary(data["attachments"]))
    excerpt = text if len(text) <= 120 else text[:120] + "……"
    summary = replies.REPORT_SUMMARY.format(title=data["title"], category=data["category"],
                                            district=data["district"] or replies.REPORT_NO_DISTRICT,
                                            extras=extras, excerpt=excerpt)
    return _ask(turn, "confirm", data, prefix + summary, prompt=replies.REPORT_CONFIRM_AGAIN)


# --- confirm, duplicates, save --------------------------------------------------------------

def on_confirm(turn: Turn, data: dict) -> str:
    reply = intents.draft_reply(turn.text)
    if reply & (DraftReply.CONFIRM | DraftReply.SUBMIT_NOW):
        return _confirmed(turn, data)
    if reply & DraftReply.REWRITE:
        fresh = _new_draft(data.get("revision_of"))
        fresh["attachments"] = data["attachments"]
        return _follow_up(turn, fresh, "details", replies.REPORT_REWRITE, "")
    if is_new_request(turn, (NAME,)):
        return NOT_MINE
    if len(intents.reply_word(turn.text)) < SHORT_REPLY:
        return _ask(turn, "confirm", data, replies.REPORT_CONFIRM_AGAIN)
    refused = _append(turn, data, turn.text.strip())   # a longer message at this point adds to the draft
    return _ask(turn, "confirm", data, refused) if refused else _summary(turn, data, replies.REPORT_ADDED)


def _confirmed(turn: Turn, data: dict) -> str:
    """The member wants it submitted: first offer 附议 if a similar report stands."""
    refused = _over_daily_cap(turn)
    if refused:
        return turn.finish(refused)
    _describe(turn, data)
    match = _most_similar(turn, data)
    if match is None:
        return _save(turn, data)
    data["similar"] = match.id
    days = turn.rt.config.reports.similar_days
    template = replies.REPORT_DUPLICATE_OWN if match.member_id == turn.member.id else replies.REPORT_DUPLICATE
    return _ask(turn, "duplicate", data, template.format(days=days, receipt=match.receipt_no, title=match.title,
                                                         status=match.status),
                prompt=replies.REPORT_DUPLICATE_AGAIN)


def on_duplicate(turn: Turn, data: dict) -> str:
    reply = intents.draft_reply(turn.text)
    if reply & DraftReply.SECOND:
        return _second(turn, data, turn.session.get(Report, data["similar"]))
    if reply & DraftReply.SUBMIT_ANYWAY:
        return _save(turn, data)
    if is_new_request(turn, (NAME,)):
        return NOT_MINE
    return _ask(turn, "duplicate", data, replies.REPORT_DUPLICATE_AGAIN)


def _second(turn: Turn, data: dict, report: Report | None) -> str:
    refused = _second_refused(turn, report)
    if refused:
        return _ask(turn, "duplicate", data, refused + replies.REPORT_DUPLICATE_NEXT)
    return turn.finish(_record_second(turn, report) + replies.REPORT_SECONDED_DRAFT)


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


def _save(turn: Turn, data: dict) -> str:
    cfg = turn.rt.config.reports
    report = reports.by_source(turn.session, turn.source)
    if report is None:
        refused = _over_daily_cap(turn)
        if refused:
            return turn.finish(refused)
        revision_of = reports.by_receipt(turn.session, data["revision_of"]) if data.get("revision_of") else None
        if revision_of is not None and (revision_of.status != RETURNED
                                        or reports.revised_by(turn.session, revision_of.id)):
            revision_of = None  # revised meanwhile (another message): file it as a new report
        report = reports.create_report(
            turn.session, turn.member, text=_text(data), title=data["title"], category=data["category"],
            district=data["district"], now=turn.now, prefix=cfg.receipt_prefix, source=turn.source,
            suggestion=_suggestion(data), revision_of=revision_of,
            attachments=[reports.NewAttachment(**item) for item in data["attachments"]])
    district = replies.REPORT_DISTRICT.format(district=report.district) if report.district else ""
    return turn.finish(replies.REPORT_OK.format(receipt=report.receipt_no, title=report.title,
                                                category=report.category, district=district))


def _most_similar(turn: Turn, data: dict) -> Report | None:
    cfg = turn.rt.config.reports
    exclude = ()
    if data.get("revision_of"):
        old = reports.by_receipt(turn.session, data["revision_of"])
        exclude = (old.id,) if old else ()
    matches = similar.find_similar(
        turn.session, _text(data), district=data["district"], category=data["category"],
        since=turn.now - timedelta(days=cfg.similar_days), threshold=float(cfg.similarity_threshold),
        limit=int(cfg.similar_max_candidates), exclude_ids=exclude)
    return matches[0].report if matches else None


# --- photos, voice, location ----------------------------------------------------------------

def on_media(turn: Turn, data: dict) -> str:
    """Called by dispatch for non-text messages while the draft is open."""
    step = turn.state.step
    prompt = data.get("prompt") or replies.REPORT_CONFIRM_AGAIN
    inbound = turn.inbound
    if inbound.msg_type == "location":
        label = inbound.fields.get("Label", "").strip()
        refused = _append(turn, data, label) if label else None
        if refused or not label or step not in FOLLOW_UPS + ("confirm",):
            return _ask(turn, step, data, refused or prompt)
        ack = replies.REPORT_LOCATION_ADDED.format(label=label)
        return _summary(turn, data, ack) if step == "confirm" else _next(turn, data, ack)
    if inbound.msg_type != "image":
        return _ask(turn, step, data, replies.REPORT_MEDIA_UNSUPPORTED.format(prompt=prompt))
    if not _add_attachment(turn, data, {"kind": "image", "media_id": inbound.media_id, "url": inbound.pic_url}):
        return _ask(turn, step, data, replies.REPORT_MEDIA_LIMIT.format(
            max=turn.rt.config.reports.max_attachments, prompt=prompt))
    return _ask(turn, step, data, replies.REPORT_MEDIA_ADDED.format(
        kind=replies.REPORT_MEDIA_KINDS["image"], n=len(data["attachments"]), prompt=prompt))


def _attach_voice(turn: Turn, data: dict) -> None:
    if turn.inbound.msg_type == "voice":
        _add_attachment(turn, data, {"kind": "voice", "media_id": turn.inbound.media_id, "text": turn.text})


def _add_attachment(turn: Turn, data: dict, item: dict) -> bool:
    if len(data["attachments"]) >= turn.rt.config.reports.max_attachments:
        return False
    data["attachments"].append(item)
    return True


# --- revision of a returned report ------------------------------------------------------------

def _start_revision(turn: Turn, receipt: str, new_text: str) -> str:
    old = _own_report(turn, receipt)
    if old is None:
        return replies.REPORT_NOT_FOUND.format(receipt=normalize_receipt(receipt))
    newer = reports.revised_by(turn.session, old.id)
    if newer is not None:
        return replies.REPORT_REVISE_DONE.format(receipt=old.receipt_no, new=newer.receipt_no)
    if old.status != RETURNED:
        return replies.REPORT_REVISE_NOT_RETURNED.format(receipt=old.receipt_no, status=old.status)
    refused = _over_daily_cap(turn)
    if refused:
        return refused
    data = _new_draft(old.receipt_no)
    if new_text.strip():
        if len(new_text) > turn.rt.config.reports.max_chars:
            return replies.REPORT_TOO_LONG.format(max=turn.rt.config.reports.max_chars)
        data["parts"].append(new_text.strip())
        return _next(turn, data)
    data["parts"] = [old.text]
    data["suggestion"] = old.suggestion
    reason = next((e.note for e in reversed(old.events) if e.status == RETURNED and e.note), "")
    return _ask(turn, "revise", data, replies.REPORT_REVISE_START.format(
        receipt=old.receipt_no, title=old.title, reason=reason), prompt=replies.REPORT_REVISE_AGAIN)


def on_revise(turn: Turn, data: dict) -> str:
    """The new full text replaces the returned one; 提交 resubmits it as it was (e.g. after adding photos)."""
    if intents.draft_reply(turn.text) & (DraftReply.CONFIRM | DraftReply.SUBMIT_NOW):
        return _summary(turn, data)
    if is_new_request(turn, (NAME,)):
        return NOT_MINE
    text = turn.text.strip()
    if len(text) > turn.rt.config.reports.max_chars:
        return _ask(turn, "revise", data, replies.REPORT_TOO_LONG.format(max=turn.rt.config.reports.max_chars))
    data["parts"], data["suggestion"] = [text], ""
    _attach_voice(turn, data)
    return _next(turn, data)


# --- progress ---------------------------------------------------------------------------------

def status(turn: Turn, slots: dict) -> str:
    """我的社情民意 / SQ2026-0012 进度; also 修改 and 附议 by receipt, and a refusal of staff verbs."""
    command = intents.parse_member_command(turn.text)
    if command and command.kind == "revise":
        return _start_revision(turn, command.receipt, command.rest)
    if command and command.kind == "second":
        return _second_by_receipt(turn, command.receipt)
    refused = _staff_only(turn)
    if refused:
        return refused
    receipt = slots.get("report_id") or intents.find_receipt(turn.text)
    if receipt:
        return _history(turn, receipt)
    return _listing(turn)


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


def _history(turn: Turn, receipt: str) -> str:
    report = reports.by_receipt(turn.session, normalize_receipt(receipt))
    if report is None or (report.member_id != turn.member.id and not turn.member.is_staff):
        return replies.REPORT_NOT_FOUND.format(receipt=normalize_receipt(receipt))
    lines = [replies.REPORT_HISTORY_HEADER.format(receipt=report.receipt_no, title=report.title,
                                                  status=report.status)]
    lines += history_lines(report, turn.rt.tz, staff=False)
    if report.status == RETURNED and reports.revised_by(turn.session, report.id) is None:
        lines.append(replies.REPORT_HISTORY_RETURNED.format(receipt=report.receipt_no))
    return "\n".join(lines)


def _second_by_receipt(turn: Turn, receipt: str) -> str:
    """附议 SQ2026-0012 outside a draft (the member learnt the number from a duplicate notice)."""
    report = reports.by_receipt(turn.session, normalize_receipt(receipt))
    if report is None:
        return replies.REPORT_NOT_FOUND.format(receipt=normalize_receipt(receipt))
    return _second_refused(turn, report) or _record_second(turn, report)


# --- helpers ------------------------------------------------------------------------------------

def _own_report(turn: Turn, receipt: str) -> Report | None:
    report = reports.by_receipt(turn.session, normalize_receipt(receipt))
    return report if report is not None and report.member_id == turn.member.id else None


def _new_draft(revision_of: str | None = None) -> dict:
    return {"parts": [], "suggestion": "", "asked": [], "attachments": [], "revision_of": revision_of,
            "prompt": ""}


def _ask(turn: Turn, step: str, data: dict, text: str, *, prompt: str | None = None) -> str:
    """Keep the draft open at `step`; `prompt` is the question repeated after a photo arrives."""
    if prompt is not None:
        data["prompt"] = prompt
    return turn.ask(NAME, step, data, text)


def _append(turn: Turn, data: dict, text: str) -> str | None:
    """Add the member's words to the draft; the refusal text if it would get too long."""
    limit = turn.rt.config.reports.max_chars
    if len(_text(data)) + len(text) + 1 > limit:
        return replies.REPORT_TOO_LONG_DRAFT.format(max=limit)
    data["parts"].append(text)
    _attach_voice(turn, data)
    return None


def _text(data: dict) -> str:
    return "\n".join(part for part in data["parts"] if part)


def _suggestion(data: dict) -> str:
    """The separate answer to 您有什么建议, else the text from the first 建议/希望… on."""
    return data.get("suggestion") or intents.split_suggestion(_text(data))[1]


def _staff_only(turn: Turn) -> str | None:
    """The refusal when a member types a staff review command (采用 SQ2026-0012 …)."""
    command = intents.parse_staff_command(turn.text, VERBS)
    if command and command.kind == "review" and not turn.member.is_staff:
        return replies.REPORT_STAFF_ONLY.format(verb=command.verb)
    return None


def _over_daily_cap(turn: Turn) -> str | None:
    cap = turn.rt.config.reports.daily_cap
    if reports.count_since(turn.session, turn.member.id, day_start(turn.now.date(), turn.rt.tz)) >= cap:
        return replies.REPORT_DAILY_CAP.format(cap=cap)
    return None


STEPS = {"details": on_answer, "place": on_answer, "suggestion": on_answer, "confirm": on_confirm,
         "duplicate": on_duplicate, "revise": on_revise}
