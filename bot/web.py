"""Pages served beside the WeChat callback: the printable daily digest at /digest/<date>, and the full text of a
template message or 订阅通知 at /notice/<token> (WeChat shows only its short keywords).

The pages need no login: the link in the message carries a signed token that expires
(bot.signed_links). A missing, altered or expired token gets a polite 403 page.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, Response, abort, render_template, request

from bot.digest import render_page
from bot.runtime import Runtime
from bot.signed_links import LinkError, check_notice_token, check_token
from bot.wording.digest import PAGE
from bot.wording.outbound import NOTICE_PAGE
from storage.models import OutboxMessage

FIRST_DAY = date(2000, 1, 1)  # digests exist from here up to today
PRIVATE_HEADERS = {  # the page names members: keep it out of caches, search engines and referrers
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
}


def register(app: Flask, rt: Runtime) -> None:
    pages = Blueprint("staff_pages", __name__, template_folder="templates")

    @pages.get("/digest/<day>")
    def digest_page(day: str) -> Response:
        try:
            covered = date.fromisoformat(day)
            check_token(rt, covered, request.args.get("token", ""))
        except ValueError:
            return _denied("invalid")
        except LinkError as exc:
            return _denied(exc.reason)
        if not FIRST_DAY <= covered <= rt.now().date():
            abort(404)  # no digest for that day (and 9999-12-31 would overflow the date arithmetic)
        return Response(render_page(rt, covered), headers=PRIVATE_HEADERS, mimetype="text/html")

    @pages.get("/notice/<token>")
    def notice_page(token: str) -> Response:
        try:
            row_id = check_notice_token(rt, token)
        except LinkError as exc:
            return _denied(exc.reason, NOTICE_PAGE)
        with rt.db.session() as session:
            row = session.get(OutboxMessage, row_id)
            if row is None or not row.text:
                abort(404)
            html = render_template("notice.html", title=NOTICE_PAGE["title"].format(org=rt.config.org.name),
                                   text=row.text, sent=NOTICE_PAGE["sent"].format(
                                       time=f"{rt.local(row.sent_at or row.created_at):%Y-%m-%d %H:%M}"))
        return Response(html, headers=PRIVATE_HEADERS, mimetype="text/html")

    app.register_blueprint(pages)


def _denied(reason: str, wording: dict = PAGE) -> Response:
    message = wording.get(f"denied_{reason}", wording["denied_invalid"])
    html = render_template("digest_denied.html", t=wording, message=message)
    return Response(html, status=403, headers=PRIVATE_HEADERS, mimetype="text/html")
