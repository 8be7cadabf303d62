"""Who is using the console: login/logout, the session check on every request, and the page guards.

The session cookie (signed, HttpOnly, SameSite=Lax) holds only the account id, the time its password was
set (a new password voids older sessions) and when it was last used (idle logout, on the runtime clock).
Every request re-reads the account: a deleted account or an entry no longer staff is logged out at once.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError

from bot.console import PRIVATE_HEADERS, console, csrf, runtime
from bot.console.wording import AUDIT_ACTIONS, W
from storage.console_accounts import LoginOutcome, Throttle, active_account, login

SESSION_KEY = "staff"


@dataclass(frozen=True)
class StaffUser:
    account_id: int
    member_id: int
    name: str
    phone: str
    is_admin: bool


def current_staff() -> StaffUser | None:
    """The logged-in staff member of this request, or None."""
    return g.get("staff")


def login_required(view: Callable) -> Callable:
    """Any logged-in staff account; others go to the login page and nothing is done."""
    @wraps(view)
    def guarded(*args, **kwargs):
        if current_staff() is None:
            flash(W["login_idle"] if g.get("idle_out") else W["login_needed"], "info")
            return redirect(url_for("console.login_page", next=_local_path(request.full_path)))
        return view(*args, **kwargs)
    return guarded


def admin_required(view: Callable) -> Callable:
    """Admin accounts only (roster, passwords, settings); a staff account gets 403."""
    @login_required
    @wraps(view)
    def guarded(*args, **kwargs):
        if not current_staff().is_admin:
            abort(403)
        return view(*args, **kwargs)
    return guarded


@console.before_request
def _check_csrf() -> None:
    csrf.protect()  # POST/PUT/PATCH/DELETE without the session's token: CSRFError (400)


@console.before_request
def _load_staff() -> None:
    g.staff = None
    data = session.get(SESSION_KEY)
    if not isinstance(data, dict):
        return
    rt = runtime()
    now = rt.now().timestamp()
    if now - float(data.get("seen", 0)) > float(rt.config.console.idle_minutes) * 60:
        session.clear()
        g.idle_out = True
        return
    with rt.db.session() as db:
        account = active_account(db, int(data.get("id", 0)))
        if account is None or _stamp(account) != data.get("set"):
            session.clear()
            return
        g.staff = StaffUser(account.id, account.member_id, account.member.name, account.member.phone,
                            account.is_admin)
    data["seen"] = now
    session[SESSION_KEY] = data


@console.after_request
def _private(response):
    for name, value in PRIVATE_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


@console.app_template_filter("audit_action")
def _audit_action(action: str) -> str:
    return AUDIT_ACTIONS.get(action, action)


@console.context_processor
def _frame() -> dict:
    return {"W": W, "staff": current_staff()}


@console.errorhandler(CSRFError)
def _csrf_refused(_exc):
    return render_template("console/error.html", title=W["csrf_title"], message=W["csrf"]), 400


@console.errorhandler(403)
def _forbidden(_exc):
    return render_template("console/error.html", title=W["forbidden_title"], message=W["forbidden"]), 403


@console.errorhandler(404)
def _not_found(_exc):
    return render_template("console/error.html", title=W["not_found_title"], message=W["not_found"]), 404


@console.route("/login", methods=["GET", "POST"])
def login_page():
    target = _local_path(request.values.get("next", "")) or url_for("console.dashboard")
    if request.method == "GET":
        return render_template("console/login.html", next=target)
    rt = runtime()
    cfg = rt.config.console
    throttle = Throttle(int(cfg.login_attempts), int(cfg.login_attempts_per_address),
                        timedelta(minutes=float(cfg.login_window_minutes)))
    with rt.db.session() as db:
        outcome, account = login(db, request.form.get("phone", ""), request.form.get("password", ""),
                                 address=request.remote_addr or "", now=rt.now(), throttle=throttle)
        stamp = _stamp(account) if account else None
        account_id = account.id if account else None
    if outcome is LoginOutcome.THROTTLED:
        flash(W["login_throttled"].format(minutes=f"{cfg.login_window_minutes:g}"), "error")
        return render_template("console/login.html", next=target), 429
    if outcome is not LoginOutcome.OK:
        flash(W["login_bad"], "error")
        return render_template("console/login.html", next=target), 401
    session.clear()  # a fresh session (and CSRF token) for the logged-in user
    session[SESSION_KEY] = {"id": account_id, "set": stamp, "seen": rt.now().timestamp()}
    return redirect(target)


@console.post("/logout")
def logout():
    session.clear()
    flash(W["logged_out"], "info")
    return redirect(url_for("console.login_page"))


def _stamp(account) -> int:
    return int(account.password_set_at.timestamp())


def _local_path(value: str) -> str:
    """Only a path inside the console (no open redirect to another site)."""
    parts = urlsplit(value or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/console") or value.startswith("//"):
        return ""
    return value.rstrip("?")
