"""活动: list, publish, edit (a time or place change notifies), cancel (notifies), the roster with hand-marked
attendance, the projected 签到 code and the printable QR code.

Every operation is the one the command line uses (bot/activity_admin.py); every change is audited.
"""
from __future__ import annotations

from datetime import datetime

from flask import Response, abort, flash, redirect, render_template, request, url_for
from bot import activity_admin, activity_qr
from bot.wording.cli import qr_notice
from bot.activity_admin import ActivityError, TimingError
from bot.wording.activities import FIELD_NAMES
from bot.console import audit, console, runtime
from bot.console.auth import current_staff, login_required
from bot.console.wording import W
from bot.duty_record import timing
from storage import activities, members
from storage.activities import KINDS, NewActivity
from storage.models import Activity, Member
from storage.roster import normalize_phone

FORM_TIME = "%Y-%m-%dT%H:%M"  # <input type="datetime-local">
TIME_FIELDS = ("start_at", "end_at", "deadline")


class FormError(ValueError):
    """A form value that cannot be read."""


@console.get("/activities")
@login_required
def activities_list():
    rt = runtime()
    show_all = request.args.get("all") == "1"
    with rt.db.session() as session:
        found = activities.all_activities(session) if show_all else activities.upcoming(session, rt.now(), 1000)
        if show_all:
            found.reverse()  # newest first
        rows = [_summary(rt, session, a) for a in found]
    return render_template("console/activities.html", rows=rows, show_all=show_all)


def _summary(rt, session, activity: Activity) -> dict:
    return {"a": activity, "taken": activities.taken_places(session, activity.id),
            "waiting": activities.waitlist_length(session, activity.id), "state": _state(rt, activity)}


def _state(rt, activity: Activity) -> str:
    if activity.status != "open":
        return W["act_cancelled"]
    if timing(rt).ended(activity, rt.now()):
        return W["act_ended"]
    return W["act_open"] if activity.start_at <= rt.now() else W["act_upcoming"]


@console.route("/activities/new", methods=["GET", "POST"])
@login_required
def activity_new():
    rt = runtime()
    values = request.form.to_dict() if request.method == "POST" else {"kind": "其他", "capacity": "0"}
    if request.method == "POST":
        try:
            spec = NewActivity(**_read_form(rt, values))
            with rt.db.session() as session:
                activity = activity_admin.create(rt, session, spec, force=values.get("force") == "1")
                audit.record(session, current_staff(), "activity.create", "activity", activity.code, now=rt.now(),
                             after=_fields(rt, activity))
                code, title = activity.code, activity.title
                warnings = activity_admin.unknown_audience(session, activity)
            flash(W["act_created"].format(code=code, title=title), "ok")
            for warning in warnings:
                flash(warning, "info")
            return redirect(url_for("console.activity_page", code=code))
        except (FormError, ActivityError) as exc:
            _flash_refusal(exc)
    return render_template("console/activity_form.html", values=values, kinds=KINDS, activity=None)


@console.route("/activities/<code>/edit", methods=["GET", "POST"])
@login_required
def activity_edit(code: str):
    rt = runtime()
    with rt.db.session() as session:
        activity = _activity(session, code)
        values = request.form.to_dict() if request.method == "POST" else _form_values(rt, activity)
        if request.method == "POST":
            try:
                wanted = _read_form(rt, values)
                changes = {k: v for k, v in wanted.items() if getattr(activity, k) != v}
                outcome = activity_admin.edit(rt, session, activity, changes, force=values.get("force") == "1")
                if outcome.changed:
                    audit.record(session, current_staff(), "activity.edit", "activity", activity.code, now=rt.now(),
                                 before=_named(rt, {k: old for k, (old, _new) in outcome.changed.items()}),
                                 after=_named(rt, {k: new for k, (_old, new) in outcome.changed.items()}))
                _flash_outcome(rt, outcome)
                return redirect(url_for("console.activity_page", code=activity.code))
            except (FormError, ActivityError) as exc:
                session.rollback()
                _flash_refusal(exc)
        return render_template("console/activity_form.html", values=values, kinds=KINDS, activity=activity)


def _flash_outcome(rt, outcome: activity_admin.EditOutcome) -> None:
    if not outcome.changed:
        flash(W["act_unchanged"], "info")
        return
    changes = "；".join(f"{FIELD_NAMES[k]} {activity_admin.show(rt, old)} → {activity_admin.show(rt, new)}"
                        for k, (old, new) in outcome.changed.items())
    flash(W["act_saved"].format(changes=changes), "ok")
    for key, n in (("act_promoted", outcome.promoted), ("act_over_capacity", outcome.over_capacity),
                   ("act_notified", outcome.notified)):
        if n:
            flash(W[key].format(n=n), "info")
    if outcome.new_code:
        flash(W["act_new_code"].format(code=outcome.new_code), "info")
    for warning in outcome.warnings:
        flash(warning, "info")


def _flash_refusal(exc: Exception) -> None:
    flash(f"{exc}{W['act_confirm_hint'] if isinstance(exc, TimingError) else ''}", "error")


@console.get("/activities/<code>")
@login_required
def activity_page(code: str):
    rt = runtime()
    with rt.db.session() as session:
        activity = _activity(session, code)
        lines = activity_admin.roster(rt, session, activity)
        opens, _closes = timing(rt).window(activity)
        return render_template(
            "console/activity.html", a=activity, lines=lines, totals=activity_admin.tally(lines),
            summary=_summary(rt, session, activity), can_mark=activity.status == "open" and rt.now() >= opens,
            can_cancel=activity.status == "open" and activity.start_at > rt.now(),
            audit=audit.entries(session, "activity", activity.code))


@console.post("/activities/<code>/cancel")
@login_required
def activity_cancel(code: str):
    rt = runtime()
    reason = request.form.get("reason", "").strip()[:200]
    with rt.db.session() as session:
        activity = _activity(session, code)
        try:
            notified = activity_admin.cancel(rt, session, activity, reason)
        except ActivityError as exc:
            flash(str(exc), "error")
            return redirect(url_for("console.activity_page", code=activity.code))
        audit.record(session, current_staff(), "activity.cancel", "activity", activity.code, now=rt.now(),
                     before={W["act_status"]: W["act_open"]},
                     after={W["act_status"]: W["act_cancelled"], W["act_cancel_reason"]: reason or W["none"]})
    flash(W["act_cancel_done"].format(code=activity.code, n=notified), "ok")
    return redirect(url_for("console.activity_page", code=code))


@console.post("/activities/<code>/attendance")
@login_required
def activity_attendance(code: str):
    rt = runtime()
    present = request.form.get("present") == "1"
    with rt.db.session() as session:
        activity = _activity(session, code)
        member = _member_for_attendance(session)
        if member is None:
            return redirect(url_for("console.activity_page", code=activity.code))
        before = _attendance_state(rt, session, activity, member)
        try:
            activity_admin.mark_attendance(rt, session, activity, member, present)
        except ActivityError as exc:
            flash(str(exc), "error")
            return redirect(url_for("console.activity_page", code=activity.code))
        after = _attendance_state(rt, session, activity, member)
        if before != after:
            audit.record(session, current_staff(), "activity.attendance", "activity", activity.code,
                         now=rt.now(), before={member.name: before}, after={member.name: after})
        name = member.name
    flash(W["act_marked_present" if present else "act_marked_absent"].format(name=name), "ok")
    return redirect(url_for("console.activity_page", code=code) + "#roster")


def _member_for_attendance(session) -> Member | None:
    """The member named by id (a roster row's button) or by phone (someone who came without signing up)."""
    if request.form.get("member_id", "").isdigit():
        return session.get(Member, int(request.form["member_id"]))
    raw = request.form.get("phone", "")
    member = members.by_phone(session, normalize_phone(raw) or "")
    if member is None:
        flash(W["act_walkin_none"].format(phone=raw), "error")
    return member


def _attendance_state(rt, session, activity: Activity, member: Member) -> str:
    signup = activities.signup_of(session, activity.id, member.id)
    if signup is None:
        return W["none"]
    return activity_admin.roster_label(rt, signup, timing(rt).ended(activity, rt.now()))


@console.route("/activities/<code>/checkin", methods=["GET", "POST"])
@login_required
def activity_checkin(code: str):
    """The 签到 code full screen, for a projector (drawn on first view; POST renews it)."""
    rt = runtime()
    renew = request.method == "POST"
    with rt.db.session() as session:
        activity = _activity(session, code)
        old = activity.checkin_code
        try:
            found = activity_admin.checkin_code(rt, session, activity, renew=renew)
        except ActivityError as exc:
            flash(str(exc), "error")
            return redirect(url_for("console.activity_page", code=activity.code))
        if found.code != old:
            audit.record(session, current_staff(), "activity.checkin_code", "activity", activity.code,
                         now=rt.now(), before={W["act_checkin"]: old or W["none"]},
                         after={W["act_checkin"]: found.code})
        if renew:
            flash(W["act_checkin_renewed"].format(code=found.code), "ok")
            return redirect(url_for("console.activity_checkin", code=activity.code))
        return render_template("console/activity_checkin.html", a=activity, found=found)


@console.get("/activities/<code>/qr")
@login_required
def activity_qr_page(code: str):
    rt = runtime()
    with rt.db.session() as session:
        activity = _activity(session, code)
        found = activity_qr.scene_code(rt, session, activity)
        return render_template("console/activity_qr.html", a=activity, svg=activity_qr.qr_svg(found.content),
                               scene=activity.code, preview=qr_notice(rt, found))


@console.get("/activities/<code>/qr.png")
@login_required
def activity_qr_png(code: str):
    rt = runtime()
    with rt.db.session() as session:
        activity = _activity(session, code)
        found = activity_qr.scene_code(rt, session, activity)
        data = activity_qr.qr_png(found.content)
        name = f"qr-{activity.code}.png" if found.real else f"qr-{activity.code}-preview.png"
    return Response(data, mimetype="image/png", headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --- form values ------------------------------------------------------------------------------

def _read_form(rt, values: dict) -> dict:
    """The activity fields of a submitted form (FormError for a value that cannot be read)."""
    try:
        capacity = int(values.get("capacity") or 0)
    except ValueError:
        raise FormError(W["act_bad_number"]) from None
    start = _time(rt, values.get("start_at"), "start_at")
    if start is None:
        raise FormError(W["act_bad_time"].format(field=FIELD_NAMES["start_at"]))
    return {"title": values.get("title", "").strip()[:200], "kind": values.get("kind", "其他"),
            "start_at": start, "end_at": _time(rt, values.get("end_at"), "end_at"),
            "place": values.get("place", "").strip()[:200], "capacity": capacity,
            "deadline": _time(rt, values.get("deadline"), "deadline"),
            "audience": activities.normalize_audience(values.get("audience", ""))}


def _time(rt, text: str | None, name: str) -> datetime | None:
    if not (text or "").strip():
        return None
    try:
        return datetime.strptime(text.strip().replace(" ", "T")[:16], FORM_TIME).replace(tzinfo=rt.tz)
    except ValueError:
        raise FormError(W["act_bad_time"].format(field=FIELD_NAMES[name])) from None


def _form_values(rt, activity: Activity) -> dict:
    values = {name: getattr(activity, name) for name in activities.EDITABLE}
    for name in TIME_FIELDS:
        values[name] = rt.local(values[name]).strftime(FORM_TIME) if values[name] else ""
    return values


def _fields(rt, activity: Activity) -> dict:
    return _named(rt, {name: getattr(activity, name) for name in activities.EDITABLE})


def _named(rt, values: dict) -> dict:
    """Field names in Chinese and times as local text, for the audit log."""
    return {FIELD_NAMES[k]: activity_admin.show(rt, v) for k, v in values.items()}


def _activity(session, code: str) -> Activity:
    activity = activities.by_code(session, code)
    if activity is None:
        abort(404)
    return activity
