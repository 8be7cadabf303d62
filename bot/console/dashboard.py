"""工作台: today's and this month's figures, the digest's charts, links into each queue."""
from __future__ import annotations

from datetime import timedelta

from flask import render_template

from bot.console import console, runtime
from bot.console.auth import login_required
from bot.digest import build_digest, day_window, digest_charts
from bot.wording.digest import PAGE as DIGEST_PAGE
from storage import figures


@console.get("/")
@login_required
def dashboard():
    rt = runtime()
    today = rt.now().date()
    month_start = today.replace(day=1)
    with rt.db.session() as session:
        day = day_window(rt, today)
        month = day_window(rt, month_start, today)
        periods = {"today": figures.period(session, today, today, day.start, day.end),
                   "month": figures.period(session, month_start, today, month.start, month.end)}
        overdue_days = rt.config.digest.overdue_days
        backlog = figures.backlog(session, rt.now() - timedelta(days=overdue_days))
        charts = digest_charts(build_digest(rt, today, session))
    return render_template("console/dashboard.html", periods=periods, backlog=backlog, charts=charts,
                           chart_titles=DIGEST_PAGE,
                           overdue_days=overdue_days, today=today)
