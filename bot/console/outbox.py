"""发送队列: outbound messages that failed or whose outcome is unknown, with retry (bot.outbox.retry, as
`python -m bot outbox retry ID`)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from bot import outbox as outbox_api
from bot.cli.vocab import OUTBOX
from bot.wording.cli import WORKER
from bot.console import audit, console, runtime
from bot.console.auth import current_staff, login_required
from bot.console.common import page_of
from bot.console.wording import W
from storage.models import Member, OutboxMessage
from storage.statuses import OutboxStatus

CHANNELS = WORKER["channels"]
FAILED, UNKNOWN, BLOCKED = OutboxStatus.FAILED, OutboxStatus.UNKNOWN, OutboxStatus.USER_BLOCKED
SHOWN = {"failed": (FAILED,), "unknown": (UNKNOWN,), "user_blocked": (BLOCKED,), "": (FAILED, UNKNOWN, BLOCKED)}


@console.get("/outbox")
@login_required
def outbox():
    rt = runtime()
    shown = request.args.get("status", "")
    statuses = SHOWN.get(shown, SHOWN[""])
    where = OutboxMessage.status.in_(statuses)
    with rt.db.session() as session:
        page = page_of(session.scalar(select(func.count()).select_from(OutboxMessage).where(where)) or 0)
        rows = session.execute(select(OutboxMessage, Member.name)
                               .outerjoin(Member, Member.id == OutboxMessage.member_id)
                               .where(where).order_by(OutboxMessage.id.desc())
                               .offset(page.offset).limit(page.size)).all()
    return render_template("console/outbox.html", rows=rows, page=page, shown=shown, labels=OUTBOX.labels,
                           unconfigured=not rt.config.wechat.has_credentials, channels=CHANNELS)


@console.post("/outbox/<int:row_id>/retry")
@login_required
def outbox_retry(row_id: int):
    rt = runtime()
    with rt.db.session() as session:
        before = session.scalar(select(OutboxMessage.status).where(OutboxMessage.id == row_id))
    try:
        row = outbox_api.retry(rt, row_id)
    except LookupError:
        flash(W["not_found"], "error")
        return redirect(url_for("console.outbox"))
    except ValueError as exc:
        flash(W["out_not_retryable"].format(id=row_id, status=OUTBOX.label(str(exc))), "error")
        return redirect(url_for("console.outbox"))
    with rt.db.session() as session:
        audit.record(session, current_staff(), "outbox.retry", "outbox", row_id, now=rt.now(),
                     before={"status": OUTBOX.label(before)}, after={"status": OUTBOX.label(row.status)})
    flash(W["out_retried"].format(id=row_id), "ok")
    return redirect(url_for("console.outbox"))
