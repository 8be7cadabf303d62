"""社情民意: the review queue with filters and paging, one report's page, review actions, retitle/recategorise,
photos, and the export of the filtered list.

Actions go through bot/report_review (the workflow table storage/report_flow.ACTIONS decides which buttons
show and which changes are allowed), exactly as the WeChat commands and `python -m bot reports` do.
"""
from __future__ import annotations

import io
from argparse import ArgumentTypeError
import tempfile
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.datastructures import MultiDict

from bot import media, report_review
from bot.cli.vocab import REPORTS
from bot.console import audit, console, runtime
from bot.console.auth import current_staff, login_required
from bot.console.common import page_of
from bot.console.wording import FLOW_ERRORS, W
from bot.report_export import entries_of, write_docx, write_xlsx
from storage import reports as report_store
from storage.days import day_start
from storage.models import Report, ReportAttachment
from storage.report_flow import ACTIONS, Action, FlowError
from storage.similar import find_similar

EXPORT_LIMIT = 5000
MIME = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass(frozen=True)
class Query:
    """The queue's filters as the form sent them (kept for the form and the links), and as storage filters."""

    args: MultiDict
    filters: report_store.Filters
    errors: list[str]


def _query() -> Query:
    rt = runtime()
    args, errors = request.args, []
    status = _status(args.get("status", ""))
    first, last = _day(args.get("from", ""), errors), _day(args.get("to", ""), errors)
    overdue = rt.now() - timedelta(days=rt.config.digest.overdue_days) if args.get("overdue") else None
    filters = report_store.Filters(
        status=status, district=args.get("district") or None, category=args.get("category") or None,
        since=day_start(first, rt.tz) if first else None,
        until=day_start(last + timedelta(days=1), rt.tz) if last else None,
        text=args.get("q", "")[:100], submitted_before=overdue)
    return Query(args, filters, errors)


def _status(value: str) -> str | None:
    """The stored state for a code or label (`submitted` or 已提交), as `reports list --status` takes it."""
    try:
        return REPORTS.label(REPORTS.parse(value)) if value.strip() else None
    except ArgumentTypeError:
        return None


def _day(value: str, errors: list[str]) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        errors.append(W["rep_bad_date"].format(value=value))
        return None


@console.get("/reports")
@login_required
def reports():
    rt = runtime()
    query = _query()
    with rt.db.session() as session:
        _, total = report_store.search(session, query.filters, limit=0)
        page = page_of(total)
        rows, _ = report_store.search(session, query.filters, offset=page.offset, limit=page.size)
    for message in query.errors:
        flash(message, "error")
    return render_template("console/reports.html", rows=rows, page=page, args=query.args,
                           statuses=REPORTS.labels, districts=rt.config.org.districts,
                           categories=rt.config.reports.categories)


@console.get("/reports/export.<fmt>")
@login_required
def reports_export(fmt: str):
    if fmt not in MIME:
        abort(404)
    rt = runtime()
    query = _query()
    with rt.db.session() as session:
        found, _ = report_store.search(session, query.filters, limit=EXPORT_LIMIT)
        entries = entries_of(reversed(found), rt.tz, rt.config.reports.categories)
    title = W["rep_export_title"]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"export.{fmt}"
        if fmt == "xlsx":
            write_xlsx(entries, path, title)
        else:
            write_docx(entries, path, title, rt.config.org.name, rt.now().date())
        data = path.read_bytes()
    name = f"社情民意-{rt.now():%Y%m%d-%H%M}.{fmt}"
    return send_file(io.BytesIO(data), mimetype=MIME[fmt], as_attachment=True, download_name=name)


@console.get("/reports/<receipt>")
@login_required
def report_page(receipt: str):
    rt = runtime()
    with rt.db.session() as session:
        report = _find(session, receipt)
        context = _report_context(rt, session, report)
        return render_template("console/report.html", r=report, **context)


def _report_context(rt, session, report: Report) -> dict:
    similar_days = rt.config.reports.similar_days
    similar = find_similar(session, report.text, district=report.district, category=report.category,
                           since=rt.now() - timedelta(days=similar_days),
                           threshold=rt.config.reports.similarity_threshold,
                           limit=rt.config.reports.similar_max_candidates, exclude_ids=(report.id,))[:10]
    originals = {}
    for event in report.events:
        action = (event.details or {}).get("action", "")
        if action.startswith("edit_"):
            originals.setdefault(action[5:], event.details.get("from", ""))
    return {
        "actions": [a for a in ACTIONS.values() if report.status in a.sources],
        "history": report_review.history_lines(report, rt.tz, staff=True),
        "seconders": report_store.seconders(session, report.id),
        "similar": similar, "similar_days": similar_days,
        "originals": originals,
        "revised_by": report_store.revised_by(session, report.id),
        "revision_of": session.get(Report, report.revision_of_id) if report.revision_of_id else None,
        "merged_into": session.get(Report, report.merged_into_id) if report.merged_into_id else None,
        "attachments": [(item, media.stored_file(rt, item)) for item in report.attachments],
        "audit": audit.entries(session, "report", report.receipt_no),
        "categories": rt.config.reports.categories,
    }


@console.post("/reports/<receipt>/review")
@login_required
def report_review_action(receipt: str):
    rt = runtime()
    form = request.form
    action = ACTIONS.get(form.get("action", ""))
    if action is None:
        abort(400)
    staff = current_staff()
    with rt.db.session() as session:
        report = _find(session, receipt)
        before = {"status": report.status}
        try:
            outcome = report_review.review(session, report.receipt_no, action.name, actor=staff.name, now=rt.now(),
                                           note=form.get("note", ""), to=form.get("to", ""),
                                           level=form.get("level", ""), into=form.get("into", ""))
        except FlowError as exc:
            flash(_flow_error(exc), "error")
            return redirect(url_for("console.report_page", receipt=report.receipt_no))
        _audit_review(session, staff, action, outcome, before, rt.now())
        done = _done_text(action, outcome)
    flash(done, "ok")
    return redirect(url_for("console.report_page", receipt=receipt))


def _audit_review(session, staff, action: Action, outcome, before: dict, now) -> None:
    details = {key: value for key, value in (outcome.event.details or {}).items() if key not in ("action", "from")}
    after = {"status": outcome.report.status, **({"note": outcome.event.note} if outcome.event.note else {}),
             **details}
    audit.record(session, staff, f"report.{action.name}", "report", outcome.report.receipt_no, now=now,
                 before=before, after=after)
    if action.needs_into and details.get("into"):
        audit.record(session, staff, "report.merged_in", "report", details["into"], now=now,
                     after={"merged": outcome.report.receipt_no})


def _done_text(action: Action, outcome) -> str:
    from bot import replies

    member = outcome.report.member.name
    notified = (replies.STAFF_NOTIFIED if outcome.notified else replies.STAFF_NOT_NOTIFIED).format(member=member)
    return replies.STAFF_DONE.format(verb=action.verb, receipt=outcome.report.receipt_no, title=outcome.report.title,
                                     status=outcome.report.status, notified=notified)


@console.post("/reports/<receipt>/edit")
@login_required
def report_edit(receipt: str):
    from bot import replies

    rt = runtime()
    staff = current_staff()
    messages = []
    with rt.db.session() as session:
        report = _find(session, receipt)
        for field in ("title", "category"):
            value = request.form.get(field, "").strip()
            if not value or value == getattr(report, field):
                continue
            try:
                done = report_review.edit(session, report.receipt_no, field, value, actor=staff.name, now=rt.now(),
                                          categories=rt.config.reports.categories)
            except FlowError as exc:
                flash(_flow_error(exc), "error")
                continue
            if done.changed:
                new = getattr(done.report, field)
                audit.record(session, staff, f"report.edit_{field}", "report", report.receipt_no, now=rt.now(),
                             before={field: done.old}, after={field: new})
                messages.append(replies.STAFF_EDITED.format(receipt=report.receipt_no,
                                                            what=replies.REPORT_FIELD_NAMES[field],
                                                            old=done.old, new=new))
    for message in messages:
        flash(message, "ok")
    return redirect(url_for("console.report_page", receipt=receipt))


@console.get("/media/<int:attachment_id>")
@login_required
def report_media(attachment_id: int):
    """A stored photo of a report, only for a logged-in staff account (never a public URL)."""
    rt = runtime()
    with rt.db.session() as session:
        item = session.get(ReportAttachment, attachment_id)
        path = media.stored_file(rt, item) if item is not None else None
    if path is None or not path.is_file() or not path.resolve().is_relative_to(media.media_dir(rt).resolve()):
        abort(404)
    return send_file(path, max_age=0)


def _find(session, receipt: str) -> Report:
    try:
        return report_review.find(session, receipt)
    except FlowError:
        abort(404)


def _flow_error(exc: FlowError) -> str:
    text = FLOW_ERRORS.get(exc.code)
    return text.format(**exc.params) if text else report_review.error_text(exc)
