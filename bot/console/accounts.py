"""账号 (admin only): the console's accounts, and setting a staff member's password (as `console passwd`)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from bot.console import audit, console, runtime
from bot.console.auth import admin_required, current_staff
from bot.console.wording import W
from storage.console_accounts import AccountError, accounts as all_accounts, set_password


@console.get("/accounts")
@admin_required
def accounts():
    rt = runtime()
    with rt.db.session() as session:
        rows = all_accounts(session)
        return render_template("console/accounts.html", rows=rows,
                               min_length=rt.config.console.password_min_length)


@console.post("/accounts")
@admin_required
def account_set_password():
    rt = runtime()
    min_length = rt.config.console.password_min_length
    admin = request.form.get("is_admin") == "1"
    with rt.db.session() as session:
        try:
            account, created = set_password(session, request.form.get("phone", ""), request.form.get("password", ""),
                                            admin=admin, now=rt.now(), min_length=min_length)
        except AccountError as exc:
            flash(W[f"acc_{exc.code}"].format(n=min_length), "error")
            return redirect(url_for("console.accounts"))
        member = account.member
        audit.record(session, current_staff(), "account.password", "account", member.phone, now=rt.now(),
                     after={"is_admin": admin, "created": created})
        flash(W["acc_done"].format(name=member.name, phone=member.phone), "ok")
    return redirect(url_for("console.accounts"))
