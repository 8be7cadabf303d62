"""名册 (admin only): list/search/filter by 界别, 旗区 and binding; upload a roster with a preview of the rows
to add, update or reject before importing (storage/roster.py, as `members import`); unbind; binding codes
(storage/binding.issue_code, as `members code`). Every change is audited on the member it changed."""
from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for

from bot.console import audit, console, runtime
from bot.console.auth import admin_required, current_staff
from bot.console.common import page_of
from bot.console.wording import W
from bot.media import media_dir
from bot.member_admin import unbind
from storage import binding, members
from storage.models import Member
from storage.roster import ADD, UPDATE, RosterError, plan_upsert, read_upload, upsert_members

UPLOADS = "roster-uploads"   # under media.dir: an uploaded file waits here between preview and import
SUFFIXES = (".csv", ".txt", ".xlsx", ".xlsm")
UPLOAD_MAX_BYTES = 5 * 1024 * 1024  # a roster file; every other request keeps the app's small body limit
FIELD_WORDS = {"name": W["roster_name"], "sector": W["roster_sector"], "district": W["roster_district"],
               "role": W["roster_role"]}


@console.before_app_request
def _roster_upload_limit() -> None:
    """Runs before the CSRF check reads the form, so a roster file larger than a WeChat message gets through."""
    if request.endpoint == "console.roster_upload" and request.method == "POST":
        request.max_content_length = UPLOAD_MAX_BYTES


@console.get("/roster")
@admin_required
def roster_list():
    rt = runtime()
    args = request.args
    bound = {"yes": True, "no": False}.get(args.get("bound", ""))
    with rt.db.session() as session:
        found = members.search(session, text=args.get("q", "").strip(), role=args.get("role") or None,
                               sector=args.get("sector") or None, district=args.get("district") or None,
                               bound=bound)
        page = page_of(len(found))
        return render_template("console/roster.html", rows=found[page.offset:page.offset + page.size], page=page,
                               sectors=members.sectors(session), districts=list(rt.config.org.districts),
                               args=args)


@console.get("/roster/<int:member_id>")
@admin_required
def roster_member(member_id: int):
    rt = runtime()
    with rt.db.session() as session:
        member = _member(session, member_id)
        return render_template("console/roster_member.html", m=member, issued=None,
                               hours=rt.config.binding.code_hours,
                               audit=audit.entries(session, "member", member.id))


@console.post("/roster/<int:member_id>/unbind")
@admin_required
def roster_unbind(member_id: int):
    rt = runtime()
    with rt.db.session() as session:
        member = _member(session, member_id)
        openid = member.openid
        if unbind(rt, member):
            audit.record(session, current_staff(), "member.unbind", "member", member.id, now=rt.now(),
                         before={W["roster_bound"]: openid}, after={W["roster_bound"]: W["roster_bound_no"]})
            flash(W["roster_unbound"].format(name=member.name), "ok")
        else:
            flash(W["roster_not_bound"].format(name=member.name), "info")
    return redirect(url_for("console.roster_member", member_id=member_id))


@console.post("/roster/<int:member_id>/code")
@admin_required
def roster_code(member_id: int):
    """Issue a one-time binding code, shown on this response only (never stored in clear, nor in the cookie)."""
    rt = runtime()
    try:
        hours = float(request.form.get("hours") or rt.config.binding.code_hours)
    except ValueError:
        hours = 0
    if hours <= 0:
        flash(W["roster_bad_hours"], "error")
        return redirect(url_for("console.roster_member", member_id=member_id))
    now = rt.now()
    with rt.db.session() as session:
        member = _member(session, member_id)
        code = binding.issue_code(session, member, now, hours)
        until = (now + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")
        audit.record(session, current_staff(), "member.binding_code", "member", member.id, now=now,
                     after={W["roster_code_hours"]: hours, "until": until})
        issued = {"code": code, "until": until}
        return render_template("console/roster_member.html", m=member, issued=issued, hours=hours,
                               audit=audit.entries(session, "member", member.id))


@console.route("/roster/upload", methods=["GET", "POST"])
@admin_required
def roster_upload():
    """Step 1: upload, then the preview of what importing would do (nothing written yet)."""
    if request.method == "GET":
        return render_template("console/roster_upload.html", preview=None)
    rt = runtime()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(W["roster_no_file"], "error")
        return redirect(url_for("console.roster_upload"))
    suffix = Path(upload.filename).suffix.lower()
    data = upload.read()
    try:
        parsed = read_upload(data, upload.filename, rt.config.org.districts)
    except RosterError as exc:
        flash(str(exc), "error")
        return redirect(url_for("console.roster_upload"))
    token = secrets.token_hex(16) + (suffix if suffix in SUFFIXES else "")
    _uploads(rt).mkdir(parents=True, exist_ok=True)
    (_uploads(rt) / token).write_bytes(data)
    with rt.db.session() as session:
        plans = plan_upsert(session, parsed.rows)
    preview = {"file": upload.filename, "token": token, "plans": plans, "bad": parsed.bad,
               "counts": _plan_counts(plans, parsed.bad)}
    return render_template("console/roster_upload.html", preview=preview, words=FIELD_WORDS)


@console.post("/roster/import")
@admin_required
def roster_import():
    """Step 2: import the previewed file (all rows or none; with 'skip bad' only the good rows)."""
    rt = runtime()
    token, name = request.form.get("token", ""), request.form.get("file", "")
    path = _uploads(rt) / Path(token).name
    if not token or not path.is_file():
        flash(W["roster_expired"], "error")
        return redirect(url_for("console.roster_upload"))
    parsed = read_upload(path.read_bytes(), path.name, rt.config.org.districts)
    if parsed.bad and request.form.get("skip_bad") != "1":
        flash(W["roster_bad_refused"].format(bad=len(parsed.bad)), "error")
        return redirect(url_for("console.roster_upload"))
    now, actor = rt.now(), current_staff()
    with rt.db.session() as session:
        plans = plan_upsert(session, parsed.rows)
        counts = upsert_members(session, parsed.rows)
        for plan in plans:
            if plan.action in (ADD, UPDATE):
                member = members.by_phone(session, plan.row.phone)
                audit.record(session, actor, "member.import", "member", member.id, now=now,
                             before=_worded({k: old for k, (old, _new) in plan.changes.items()}) or None,
                             after=_worded({k: new for k, (_old, new) in plan.changes.items()}
                                           if plan.action == UPDATE else _row_fields(plan.row)))
        summary = {"file": name, "created": counts.created, "updated": counts.updated,
                   "unchanged": counts.unchanged, "skipped": len(parsed.bad)}
        audit.record(session, actor, "roster.import", "roster", "roster", now=now, after=summary)
    path.unlink(missing_ok=True)
    flash(W["roster_imported"].format(**summary), "ok")
    return redirect(url_for("console.roster_list"))


def _plan_counts(plans, bad) -> dict:
    counts = {"add": 0, "update": 0, "unchanged": 0, "bad": len(bad)}
    for plan in plans:
        counts[plan.action] += 1
    return counts


def _row_fields(row) -> dict:
    return {"name": row.name, "phone": row.phone, "sector": row.sector, "district": row.district, "role": row.role}


def _worded(values: dict) -> dict:
    words = {**FIELD_WORDS, "phone": W["roster_phone"]}
    return {words.get(k, k): v for k, v in values.items()}


def _uploads(rt) -> Path:
    return Path(media_dir(rt)) / UPLOADS


def _member(session, member_id: int) -> Member:
    member = session.get(Member, member_id)
    if member is None:
        abort(404)
    return member
