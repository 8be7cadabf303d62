"""Staff review of 社情民意, shared by WeChat commands and the CLI: apply one action, tell the member.

The allowed transitions live in storage/report_flow.py; the wording in bot/replies.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot import outbox, replies, template_data
from bot.wording import outbound
from intents import normalize_receipt
from storage import report_flow, reports
from storage.models import Report, ReportEvent
from storage.report_flow import FlowError

NOTICE_KIND = "report_status"


@dataclass(frozen=True)
class Outcome:
    report: Report
    event: ReportEvent
    notified: bool


def find(session: Session, receipt: str, code: str = "not_found") -> Report:
    report = reports.by_receipt(session, normalize_receipt(receipt))
    if report is None:
        raise FlowError(code, receipt=normalize_receipt(receipt))
    return report


def review(session: Session, receipt: str, action_name: str, *, actor: str, now: datetime, note: str = "",
           to: str = "", level: str = "", into: str = "") -> Outcome:
    """Apply a staff action (name like 'adopt' or verb like '采用') and queue the member's notice.

    Raises FlowError (unknown report or action, transition not allowed, missing reason …)."""
    action = report_flow.action_for(action_name)
    report = find(session, receipt)
    target = find(session, into, "into_not_found") if action.needs_into and into else None
    event = report_flow.apply(session, report, action, actor=actor, now=now, note=note, to=to, level=level,
                              into=target)
    return Outcome(report, event, notify(session, report, event))


def notify(session: Session, report: Report, event: ReportEvent) -> bool:
    """Queue the short notice for this change to the author (True if told) and to those who seconded it."""
    action = (event.details or {}).get("action", "")
    fields = _fields(report, event)
    for seconder in reports.seconders(session, report.id):
        _tell(session, seconder, outbound.REPORT_SECOND_NOTICES.get(action), fields,
              f"report:{report.id}:event:{event.id}:second:{seconder.id}",
              notice_brief(report, event, outbound.BRIEF_REPORT_SECOND_SUBJECT))
    return _tell(session, report.member, outbound.REPORT_NOTICES.get(action), fields,
                 f"report:{report.id}:event:{event.id}", notice_brief(report, event, outbound.BRIEF_REPORT_SUBJECT))


def _tell(session: Session, member, template: str | None, fields: dict, dedup_key: str,
          brief: dict[str, str]) -> bool:
    """Only bound members can be told."""
    if template is None or not member.openid:
        return False
    outbox.enqueue(session, openid=member.openid, member_id=member.id, text=template.format(**fields).strip(),
                   kind=NOTICE_KIND, dedup_key=dedup_key, brief=brief)
    return True


def notice_brief(report: Report, event: ReportEvent, subject: str) -> dict[str, str]:
    """The template message / 订阅通知 values: report title, receipt number, new state, a short note (the
    message's own time is shown by WeChat; the full text is behind its link)."""
    action = (event.details or {}).get("action", "")
    detail = outbound.BRIEF_REPORT_DETAIL.get(action, "").format(**_fields(report, event)) or event.note or ""
    return template_data.brief(template_data.title_subject(subject, report.title), number=report.receipt_no,
                               state=outbound.BRIEF_REPORT_STATES.get(action, report.status), detail=detail)


@dataclass(frozen=True)
class Edited:
    report: Report
    field: str
    old: str
    changed: bool


def edit(session: Session, receipt: str, field: str, value: str, *, actor: str, now: datetime,
         categories) -> Edited:
    """Retitle or recategorise a report (WeChat 改标题/改分类 and `reports retitle|recategorise`);
    the member's original stays in the history. Raises FlowError for an unknown receipt or category."""
    value = value.strip(" ：:《》")[:40]
    if field == "category" and value not in categories:
        raise FlowError("bad_category", categories="、".join(categories))
    report = find(session, receipt)
    old = getattr(report, field)
    changed = reports.edit_field(session, report, field, value, actor=actor, now=now)
    return Edited(report, field, old, changed)


def error_text(exc: FlowError) -> str:
    return replies.REPORT_FLOW_ERRORS[exc.code].format(**exc.params)


def event_note(event: ReportEvent) -> str:
    """What one history entry says beyond its state (reason, recipient, 批示 …)."""
    details = event.details or {}
    template = replies.REPORT_EVENT_NOTES.get(details.get("action", ""), "{note}")
    text = template.format(**_fields(event.report, event)) if template else ""
    if details.get("revision_of"):
        text = replies.REPORT_EVENT_REVISION_OF.format(revision_of=details["revision_of"])
    return text


def history_lines(report: Report, tz, *, staff: bool) -> list[str]:
    """One line per history entry; staff also see who made each change."""
    lines = []
    for event in report.events:
        local = event.created_at.astimezone(tz)
        when = f"{local.month}月{local.day}日" + (f" {local:%H:%M}" if staff else "")
        note = event_note(event)
        note = f"：{note}" if note else ""
        if staff and event.actor:
            note += f"（{event.actor}）"
        lines.append(replies.REPORT_HISTORY_LINE.format(when=when, status=event.status, note=note))
    return lines


def view_text(session: Session, report: Report, tz, text_max: int | None = None) -> str:
    """Everything staff need to decide: text, suggestion, member, attachments, seconds, history."""
    extras = ""
    seconds = reports.seconds_count(session, report.id)
    if seconds:
        extras += replies.STAFF_VIEW_SECONDS.format(n=seconds)
    if report.attachments:
        extras += replies.STAFF_VIEW_ATTACHMENTS.format(items=attachment_summary(report.attachments))
    text = report.text
    if text_max is not None and len(text) > text_max:
        text = text[:text_max] + replies.STAFF_VIEW_TEXT_CUT.format(n=len(report.text), receipt=report.receipt_no)
    local = report.created_at.astimezone(tz)
    return replies.STAFF_VIEW.format(
        receipt=report.receipt_no, title=report.title, status=report.status, member=report.member.name,
        sector=report.member.sector or "—", category=report.category, district=report.district or "—",
        when=f"{local:%Y-%m-%d %H:%M}", extras=extras, text=text, suggestion=report.suggestion or "—",
        history="\n".join(history_lines(report, tz, staff=True)))


def attachment_summary(items) -> str:
    """'图片2张、语音1条' from attachment dicts (a draft) or ReportAttachment rows."""
    counts: dict[str, int] = {}
    for item in items:
        kind = item["kind"] if isinstance(item, dict) else item.kind
        counts[kind] = counts.get(kind, 0) + 1
    return "、".join(replies.REPORT_ATTACHMENT_ITEM.format(
        kind=replies.REPORT_MEDIA_KINDS.get(kind, kind), n=n, unit=replies.REPORT_ATTACHMENT_UNITS.get(kind, "个"))
        for kind, n in counts.items())


def _fields(report: Report, event: ReportEvent) -> dict[str, str]:
    details = event.details or {}
    note = event.note or ""
    return {"receipt": report.receipt_no, "title": report.title, "note": note,
            "note_line": outbound.REPORT_NOTICE_NOTE.format(note=note) if note else "",
            "note_tail": f"，{note}" if note else "", "level": details.get("level", ""),
            "to": details.get("to", ""), "leader": details.get("leader", ""), "into": details.get("into", ""),
            "from_report": details.get("from_report", ""), "revision": details.get("revision", ""),
            "revision_of": details.get("revision_of", ""), "from_value": details.get("from", "")}
