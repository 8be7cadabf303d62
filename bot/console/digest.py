"""日报: the digest pages by date, rendered exactly as the signed /digest/<date> page (bot/web.py)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import Response, abort, redirect, render_template, request, url_for

from bot.console import console, runtime
from bot.console.auth import login_required
from bot.console.wording import W
from bot.digest import render_page as render_digest
from bot.web import FIRST_DAY

RECENT_DAYS = 14


@console.get("/digest")
@login_required
def digest_index():
    picked = request.args.get("day", "")
    if picked:
        return redirect(url_for("console.digest_day", day=picked))
    today = runtime().now().date()
    days = [today - timedelta(days=n) for n in range(1, RECENT_DAYS + 1)]
    return render_template("console/digest.html", days=days, today=today)


@console.get("/digest/<day>")
@login_required
def digest_day(day: str):
    try:
        covered = date.fromisoformat(day)
    except ValueError:
        abort(404)
    if not FIRST_DAY <= covered <= runtime().now().date():
        abort(404)
    html = render_digest(runtime(), covered, back_url=url_for("console.digest_index"), back_label=W["dig_back"])
    return Response(html, mimetype="text/html")
