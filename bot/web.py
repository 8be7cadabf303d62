"""Staff pages served beside the WeChat callback: the printable daily digest at /digest/<date>.

The page needs no login: the link in the staff message carries a signed token that expires
(bot.signed_links). A missing, altered or expired token gets a polite 403 page.
"""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, Response, abort, render_template, request

from bot.digest import render_page
from bot.runtime import Runtime
from bot.signed_links import LinkError, check_token
from bot.wording.digest import PAGE

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

    app.register_blueprint(pages)


def _denied(reason: str) -> Response:
    message = PAGE.get(f"denied_{reason}", PAGE["denied_invalid"])
    html = render_template("digest_denied.html", t=PAGE, message=message)
    return Response(html, status=403, headers=PRIVATE_HEADERS, mimetype="text/html")
