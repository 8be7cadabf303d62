"""The staff console: server-rendered Chinese pages under /console (blueprint `console`).

`register(app, rt)` (called by webhook.create_app) sets up the signed session cookie, CSRF for every
console form (Flask-WTF) and the blueprint. Each page is a module listed in PAGES that adds its routes to
`console`; see bot/console/README.md for how to add one.
"""
from __future__ import annotations

import hashlib
import importlib
import logging
import secrets

from flask import Blueprint, Flask, current_app, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.runtime import Runtime

log = logging.getLogger("console")

console = Blueprint("console", __name__, url_prefix="/console", template_folder="../templates")
csrf = CSRFProtect()

# Page modules (each adds routes to `console`); imported before the blueprint is first registered.
PAGES = ["common", "auth", "dashboard", "reports", "digest", "outbox", "accounts"]
PAGES_B = ["activities", "roster", "records", "proposals"]  # engineer B's pages, imported when present

PRIVATE_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
}


def runtime() -> Runtime:
    return current_app.extensions["runtime"]


class _SessionInterface(SecureCookieSessionInterface):
    """The signed session cookie is Secure whenever the request came over HTTPS (directly or, with
    console.behind_https_proxy, as the proxy's X-Forwarded-Proto says)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or request.is_secure)

    def open_session(self, app: Flask, request):
        """Only the console has sessions: WeChat's callback and the other pages skip the cookie work."""
        if not request.path.startswith(app.config["SESSION_COOKIE_PATH"]):
            return self.null_session_class()
        return super().open_session(app, request)


def register(app: Flask, rt: Runtime) -> None:
    cfg = rt.config.console
    app.config.update(
        SECRET_KEY=app.config.get("SECRET_KEY") or _secret(rt),
        SESSION_COOKIE_NAME="console_session",
        SESSION_COOKIE_PATH="/console",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_CHECK_DEFAULT=False,   # only console forms are checked (console.before_request): /wechat is not a form
        WTF_CSRF_TIME_LIMIT=None,       # the token lives as long as the session (idle logout ends both)
    )
    app.session_interface = _SessionInterface()
    if cfg.behind_https_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    csrf.init_app(app)
    _import_pages()
    app.register_blueprint(console)


def _secret(rt: Runtime) -> str:
    cfg = rt.config
    if cfg.console.secret:
        return cfg.console.secret
    material = "\x00".join(str(v or "") for v in (cfg.wechat.token, cfg.wechat.secret, cfg.digest.secret))
    if material.strip("\x00"):
        return hashlib.sha256(b"console-session\x00" + material.encode("utf-8")).hexdigest()
    log.warning("console.secret is empty: sessions are signed with a random key and end when the server restarts")
    return secrets.token_hex(32)


_imported = False


def _import_pages() -> None:
    global _imported
    if _imported:
        return
    for name in PAGES:
        importlib.import_module(f"bot.console.{name}")
    for name in PAGES_B:
        try:
            importlib.import_module(f"bot.console.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bot.console.{name}":
                raise
    _imported = True
