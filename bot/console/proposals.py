"""提案: the list with filters, one proposal's page (text, authors and co-signers, history, 交办 and deadlines,
replies with their files, verdicts, audit), every staff step as a form the state allows, collective proposals,
the handling units (config, read-only) and the exports (提案汇编, 办理情况统计).

Every change goes through bot/proposal_review (the workflow table storage/proposal_flow decides which forms show
and which changes are allowed), exactly as the WeChat commands and `python -m bot proposals` do, and is audited.
Reply letters are stored under media.dir by bot/reply_files and served only to a logged-in staff account.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.datastructures import MultiDict

from bot import proposal_export, proposal_review, replies, reply_files
from bot.console import audit, console, runtime
from bot.console.auth import current_staff, login_required
from bot.console.common import page_of
from bot.console.wording import PROPOSAL_FLOW_ERRORS, W
from bot.proposal_export import Period
from storage import proposal_flow as flow, proposals as store
from storage.proposal_flow import FlowError
from storage.proposal_models import Proposal, ProposalReply
from storage.proposals import COLLECTIVE_KINDS, UnitRole
from storage.statuses import HandlingRole, ProposalState

REVIEW_ACTIONS = ("register", "reject", "return", "merge", "close", "mark_key", "mark_excellent")
FORM_ACTIONS = ("assign", "reply", "urge")  # each has its own form and route
ASSIGN_ROWS = 3  # unit rows on the 交办 form
NEW_FIELDS = {"collective_author": "prop_new_collective_author", "title": "prop_new_title_field",
              "analysis": "prop_new_analysis", "suggestions": "prop_new_suggestions"}  # required, with their labels


# --- the list -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Query:
    args: MultiDict
    filters: store.Filters


def _query() -> Query:
    rt = runtime()
    args = request.args
    state = args.get("state", "")
    year = _year(args.get("year", ""))
    filters = store.Filters(
        state=state if state in set(ProposalState) else None, year=year,
        session_label=args.get("session") or None, category=args.get("category") or None,
        unit=args.get("unit") or None, text=args.get("q", "")[:100], key=True if args.get("key") else None,
        excellent=True if args.get("excellent") else None,
        overdue_on=_today(rt) if args.get("overdue") else None)
    return Query(args, filters)


@console.get("/proposals")
@login_required
def proposals():
    rt = runtime()
    query = _query()
    with rt.db.session() as session:
        _, total = store.search(session, query.filters, limit=0)
        page = page_of(total)
        rows, _ = store.search(session, query.filters, offset=page.offset, limit=page.size)
        overdue = len(store.overdue(session, _today(rt)))
        return render_template("console/proposals.html", rows=rows, page=page, args=query.args,
                               overdue=overdue, sessions=[s for s in store.sessions(session) if s],
                               **_choices(rt), this_year=_today(rt).year, today=_today(rt))


def _choices(rt) -> dict:
    cfg = rt.config.proposals
    return {"states": replies.PROPOSAL_STATE_LABELS, "categories": cfg.categories, "units": cfg.units,
            "roles": replies.PROPOSAL_ROLE_LABELS, "channels": replies.PROPOSAL_CHANNEL_LABELS,
            "outcomes": replies.PROPOSAL_OUTCOME_LABELS, "verdicts": replies.PROPOSAL_VERDICT_LABELS,
            "cosign_labels": replies.PROPOSAL_COSIGN_LABELS, "kinds": COLLECTIVE_KINDS}


@console.get("/proposals/export")
@login_required
def proposals_export():
    rt = runtime()
    kind, _, fmt = request.args.get("what", "").partition(".")  # e.g. statistics.xlsx
    if kind not in proposal_export.KINDS or fmt not in proposal_export.FORMATS:
        abort(404)
    period = Period(year=_year(request.args.get("year", "")), session=request.args.get("session") or None)
    if period.year is None and not period.session:
        flash(W["prop_export_need_period"], "error")
        return redirect(url_for("console.proposals"))
    scope = "all" if request.args.get("scope") == "all" else "registered"
    with rt.db.session() as session:
        data, _, _ = proposal_export.export_bytes(session, kind, fmt, period, tz=rt.tz, today=_today(rt),
                                                  org=rt.config.org.name, categories=rt.config.proposals.categories,
                                                  scope=scope)
    return send_file(io.BytesIO(data), mimetype=proposal_export.MIME[fmt], as_attachment=True,
                     download_name=proposal_export.file_name(kind, fmt, period))


@console.get("/proposals/units")
@login_required
def proposal_units():
    """承办单位: the configured list (read-only here) with this year's workload of each."""
    rt = runtime()
    year = _year(request.args.get("year", "")) or _today(rt).year
    with rt.db.session() as session:
        figures = proposal_export.unit_figures(store.selection(session, year=year), _today(rt))
    return render_template("console/proposal_units.html", units=rt.config.proposals.units, figures=figures,
                           year=year, deadline_days=rt.config.proposals.deadline_days)


# --- a collective proposal (集体提案) -----------------------------------------------------------------------

@console.get("/proposals/new")
@login_required
def proposal_new():
    return render_template("console/proposal_new.html", form={}, **_choices(runtime()))


@console.post("/proposals/new")
@login_required
def proposal_create():
    rt = runtime()
    form = request.form
    staff = current_staff()
    fields = {name: form.get(name, "").strip() for name in
              ("collective_author", "collective_kind", "title", "category", "analysis", "suggestions")}
    missing = [W[label] for name, label in NEW_FIELDS.items() if not fields[name]]
    if missing:
        flash(W["prop_new_missing"].format(fields="、".join(missing)), "error")
        return render_template("console/proposal_new.html", form=fields, **_choices(rt)), 400
    with rt.db.session() as session:
        try:
            proposal = proposal_review.create_collective(session, actor=staff.name, now=rt.now(), config=rt.config,
                                                         **fields)
        except FlowError as exc:
            session.rollback()
            flash(_flow_error(exc), "error")
            return render_template("console/proposal_new.html", form=fields, **_choices(rt)), 400
        receipt = proposal.receipt_no
        audit.record(session, staff, "proposal.create_collective", "proposal", receipt, now=rt.now(),
                     after={"author": fields["collective_author"], "kind": fields["collective_kind"],
                            "title": fields["title"]})
    flash(W["prop_created"].format(receipt=receipt), "ok")
    return redirect(url_for("console.proposal_page", receipt=receipt))


# --- one proposal ---------------------------------------------------------------------------------------

@console.get("/proposals/<receipt>")
@login_required
def proposal_page(receipt: str):
    rt = runtime()
    with rt.db.session() as session:
        proposal = _find(session, receipt)
        return render_template("console/proposal.html", p=proposal, **_page_context(rt, session, proposal),
                               **_choices(rt))


def _page_context(rt, session, proposal: Proposal) -> dict:
    today = _today(rt)
    allowed = {a.name: a for a in flow.allowed(proposal, staff=True)}
    current = store.current_assignments(proposal)
    similar = store.find_similar(session, proposal.title + proposal.analysis + proposal.suggestions,
                                 years=[proposal.year - 1, proposal.year],
                                 threshold=rt.config.reports.similarity_threshold,
                                 exclude_ids=(proposal.id,))[:10]
    return {
        "state_label": proposal_review.state_label(proposal),
        "review_actions": [allowed[name] for name in REVIEW_ACTIONS if name in allowed],
        "can": {name: name in allowed for name in FORM_ACTIONS},
        "history": proposal_review.history_lines(proposal, rt.tz, staff=True),
        "current": current, "overdue_ids": {a.id for a in store.overdue_units(proposal, today)},
        "waiting_units": [a.unit for a in current if a.replied_at is None],
        "has_lead": any(a.role == HandlingRole.LEAD for a in current),
        "deadline_days": rt.config.proposals.deadline_days,
        "default_deadline": today + timedelta(days=rt.config.proposals.deadline_days),
        "assign_rows": range(ASSIGN_ROWS), "similar": similar,
        "merged_into": session.get(Proposal, proposal.merged_into_id) if proposal.merged_into_id else None,
        "suggestion_lines": [line for line in proposal.suggestions.splitlines() if line.strip()],
        "audit": audit.entries(session, "proposal", proposal.receipt_no),
    }


@console.post("/proposals/<receipt>/review")
@login_required
def proposal_review_action(receipt: str):
    rt = runtime()
    form = request.form
    name = form.get("action", "")
    if name not in REVIEW_ACTIONS:
        abort(400)
    staff = current_staff()
    with rt.db.session() as session:
        proposal = _find(session, receipt)
        before = _state_of(proposal)
        try:
            outcome = proposal_review.review(session, proposal.receipt_no, name, actor=staff.name, now=rt.now(),
                                             config=rt.config, note=form.get("note", ""),
                                             into=form.get("into", ""), to_report=bool(form.get("to_report")))
        except FlowError as exc:
            session.rollback()
            flash(_flow_error(exc), "error")
            return redirect(url_for("console.proposal_page", receipt=proposal.receipt_no))
        _audit(session, staff, name, outcome, before, rt.now())
        done = _done(name, outcome)
    flash(done, "ok")
    return redirect(url_for("console.proposal_page", receipt=outcome.proposal.receipt_no))


@console.post("/proposals/<receipt>/assign")
@login_required
def proposal_assign(receipt: str):
    rt = runtime()
    form = request.form
    staff = current_staff()
    units = [UnitRole(unit, role) for unit, role in zip(form.getlist("unit"), form.getlist("role"))
             if unit.strip() and role in set(HandlingRole)]
    deadline = _date(form.get("deadline", ""))
    with rt.db.session() as session:
        proposal = _find(session, receipt)
        back = url_for("console.proposal_page", receipt=proposal.receipt_no)
        if not units:
            flash(W["prop_assign_no_unit"], "error")
            return redirect(back)
        if form.get("deadline", "").strip() and deadline is None:
            flash(W["prop_bad_date"].format(value=form.get("deadline")), "error")
            return redirect(back)
        before = _state_of(proposal)
        try:
            outcome = proposal_review.assign(session, proposal.receipt_no, units, actor=staff.name, now=rt.now(),
                                             config=rt.config, deadline=deadline, note=form.get("note", ""))
        except FlowError as exc:
            session.rollback()
            flash(_flow_error(exc), "error")
            return redirect(back)
        _audit(session, staff, "assign", outcome, before, rt.now())
        done = _done("assign", outcome)
    flash(done, "ok")
    return redirect(back)


@console.post("/proposals/<receipt>/reply")
@login_required
def proposal_reply(receipt: str):
    rt = runtime()
    form = request.form
    staff = current_staff()
    with rt.db.session() as session:
        proposal = _find(session, receipt)
        back = url_for("console.proposal_page", receipt=proposal.receipt_no)
        try:
            stored, created = _store_upload(rt, request.files.get("file"))
        except reply_files.Refused as exc:
            flash(_upload_error(exc), "error")
            return redirect(back)
        before = _state_of(proposal)
        try:
            outcome = proposal_review.reply(session, proposal.receipt_no, unit=form.get("unit", ""),
                                            text=form.get("text", ""), channel=form.get("channel", ""),
                                            outcome=form.get("outcome", ""), actor=staff.name, now=rt.now(),
                                            file_path=stored)
        except FlowError as exc:
            session.rollback()
            if created:
                reply_files.discard(rt, stored)
            flash(_flow_error(exc), "error")
            return redirect(back)
        _audit(session, staff, "reply", outcome, before, rt.now(), file=stored)
        done = _done("reply", outcome)
    flash(done, "ok")
    return redirect(back)


@console.post("/proposals/<receipt>/urge")
@login_required
def proposal_urge(receipt: str):
    rt = runtime()
    staff = current_staff()
    with rt.db.session() as session:
        proposal = _find(session, receipt)
        back = url_for("console.proposal_page", receipt=proposal.receipt_no)
        before = _state_of(proposal)
        try:
            outcome = proposal_review.urge(session, proposal.receipt_no, note=request.form.get("note", ""),
                                           actor=staff.name, now=rt.now(), config=rt.config)
        except FlowError as exc:
            session.rollback()
            flash(_flow_error(exc), "error")
            return redirect(back)
        _audit(session, staff, "urge", outcome, before, rt.now())
    flash(W["prop_urged"], "ok")
    flash(outcome.text, "forward")
    return redirect(back)


@console.get("/proposals/replies/<int:reply_id>/file")
@login_required
def proposal_reply_file(reply_id: int):
    """A reply letter, only for a logged-in staff account (never a public URL)."""
    rt = runtime()
    with rt.db.session() as session:
        reply = session.get(ProposalReply, reply_id)
        if reply is None or not reply.file_path:
            abort(404)
        receipt = session.get(Proposal, reply.proposal_id).receipt_no
        unit, path = reply.unit, reply_files.stored_path(rt, reply.file_path)
    if path is None:
        abort(404)
    return send_file(path, as_attachment=True, download_name=f"{receipt}-{unit}{path.suffix}", max_age=0)


# --- helpers --------------------------------------------------------------------------------------------

def _store_upload(rt, upload) -> tuple[str, bool]:
    """The uploaded reply letter kept under media.dir: (stored name, new file?); ("", False) without a file."""
    if upload is None or not upload.filename:
        return "", False
    return reply_files.store(rt, upload.stream.read(rt.config.media.max_bytes + 1), upload.filename)


def _upload_error(exc: reply_files.Refused) -> str:
    return W[f"prop_file_{exc.code}"].format(types="、".join(reply_files.EXTENSIONS),
                                            mb=runtime().config.media.max_bytes // (1024 * 1024))


def _state_of(proposal: Proposal) -> dict:
    return {"state": replies.PROPOSAL_STATE_LABELS.get(proposal.state, proposal.state)}


def _audit(session, staff, name: str, outcome, before: dict, now, **extra) -> None:
    event = outcome.event
    details = _readable((event.details or {}) if event else {})
    after = {**_state_of(outcome.proposal), **({"note": event.note} if event and event.note else {}), **details,
             **{k: v for k, v in extra.items() if v}}
    if outcome.text and name != "urge":
        after["report"] = outcome.text
    audit.record(session, staff, f"proposal.{name}", "proposal", outcome.proposal.receipt_no, now=now,
                 before=before, after=after)
    if name == "merge" and details.get("into"):
        audit.record(session, staff, "proposal.merged_in", "proposal", details["into"], now=now,
                     after={"merged": outcome.proposal.receipt_no})


def _readable(details: dict) -> dict:
    """An event's particulars for the audit log, with labels instead of codes (units as 单位（主办）)."""
    labels = {"role": replies.PROPOSAL_ROLE_LABELS, "channel": replies.PROPOSAL_CHANNEL_LABELS,
              "outcome": replies.PROPOSAL_OUTCOME_LABELS}
    readable = {}
    for key, value in details.items():
        if key in ("action", "from", "reply"):
            continue
        if key == "units" and isinstance(value, list):
            value = "、".join(f"{u['unit']}（{replies.PROPOSAL_ROLE_LABELS.get(u['role'], u['role'])}）"
                             if isinstance(u, dict) else str(u) for u in value)
        readable[key] = labels[key].get(value, value) if key in labels else value
    return readable


def _done(name: str, outcome) -> str:
    label = replies.PROPOSAL_ACTION_LABELS.get(name, name)
    text = W["prop_done"].format(action=label, receipt=outcome.proposal.receipt_no,
                                 state=proposal_review.state_label(outcome.proposal))
    text += W["prop_told"].format(n=outcome.notified) if outcome.notified else W["prop_told_none"]
    if outcome.text and name == "reject":
        text += W["prop_to_report_done"].format(report=outcome.text)
    return text


def _find(session, receipt: str) -> Proposal:
    try:
        return proposal_review.find(session, receipt)
    except FlowError:
        abort(404)


def _flow_error(exc: FlowError) -> str:
    text = PROPOSAL_FLOW_ERRORS.get(exc.code)
    return text.format(**exc.params) if text else proposal_review.error_text(exc)


def _today(rt) -> date:
    return rt.now().astimezone(rt.tz).date()


def _year(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else None


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None
