"""The Flask app: WeChat's /wechat callback, /healthz, the staff pages and the staff console (/console).

`gunicorn webhook:app` serves the module-level app; `python webhook.py` serves it with waitress.
Flow: verify signature -> decrypt -> parse -> answer once (de-duplicated) -> reply XML.
"""
from __future__ import annotations

import logging
import secrets
import time
from concurrent.futures import Future, ThreadPoolExecutor

from flask import Flask, Response, abort, request

from bot import replies
from bot.dispatch import QUICK_LANE, handle_inbound, keys_to_prefetch
from bot.console import register as register_console
from bot.inbox import NotKept, Replayed, answer_once
from bot.protocol import (
    AuthError, ProtocolError, SafeMode, check_signature, parse_xml, shorten_utf8, text_reply_xml, timestamp_fresh,
    to_inbound,
)
from bot.replay import ReplayCheck
from bot.runtime import Runtime, build_runtime
from bot.web import register as register_staff_pages

log = logging.getLogger("webhook")


def create_app(runtime: Runtime | None = None) -> Flask:
    """The app; without a given runtime it builds one from config and, on the embedded default
    (no Redis, so no separate worker), sends outbound messages from a background thread."""
    rt = runtime or build_runtime()
    if runtime is None and rt.kv.backend == "memory":
        from bot.worker import start_background

        start_background(rt)
    cfg = rt.config.wechat
    if not cfg.token:
        log.warning("WECHAT_TOKEN is empty: fine for `python -m bot chat`, never for a real official account")
    mode = cfg.mode  # resolved and checked against aes_key when the settings were loaded
    safe_mode = SafeMode(cfg.token, cfg.aes_key, cfg.appid) if mode != "plain" else None

    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = cfg.max_body_bytes
    app.extensions["runtime"] = rt

    def verify_request() -> None:
        args = request.args
        if not check_signature(cfg.token, args.get("signature", ""), args.get("timestamp", ""),
                               args.get("nonce", "")):
            abort(403)
        if not timestamp_fresh(args.get("timestamp", ""), cfg.replay_window_seconds):
            abort(403)

    @app.get("/wechat")
    def url_check():
        verify_request()
        return Response(request.args.get("echostr", ""), mimetype="text/plain")

    @app.post("/wechat")
    def receive():
        verify_request()
        body = _read_body(cfg.max_body_bytes)
        try:
            fields, encrypted = _open_envelope(body, request.args, safe_mode, mode)
            inbound = to_inbound(fields)
        except ProtocolError as exc:
            log.warning("refused message: %s", exc)
            abort(403 if isinstance(exc, AuthError) else 400)
        replay = ReplayCheck.of(request.args["timestamp"], request.args.get("nonce", ""), body,
                                cfg.replay_window_seconds)
        try:
            text = answer_once(rt, inbound, handle_inbound, replay=replay, prefetch=keys_to_prefetch(inbound),
                               quick=QUICK_LANE)
        except Replayed:
            log.warning("refused message: signed query string reused for another body")
            abort(403)
        except NotKept:  # neither the database nor the spool holds it: WeChat must try again
            return Response("", status=503)
        if not text:
            return Response("success", mimetype="text/plain")
        xml = text_reply_xml(inbound, shorten_utf8(text, cfg.reply_max_bytes))
        if encrypted:
            xml = safe_mode.encrypt(xml, secrets.token_hex(8), str(int(time.time())))
        return Response(xml, mimetype="application/xml")

    @app.get("/healthz")
    def healthz():
        """Both services probed at once; one that has not answered within server.healthz_timeout_seconds
        (hung, not only down) counts as down."""
        deadline = time.monotonic() + rt.config.server.healthz_timeout_seconds
        probes = {"database": _probes.submit(rt.db.ping), "store": _probes.submit(rt.kv.ping)}
        status = {name: _answered(probe, deadline) for name, probe in probes.items()}
        status.update(store_backend=rt.kv.backend, database_backend=rt.db.backend)
        return status, (200 if status["database"] and status["store"] else 503)

    @app.errorhandler(413)
    def too_large(_exc):
        return Response(replies.HTTP_TOO_LARGE, status=413, mimetype="text/plain")

    register_staff_pages(app, rt)
    register_console(app, rt)
    return app


def _read_body(limit: int) -> bytes:
    """The request body, 413 past `limit`; a chunked body has no Content-Length to check in advance."""
    if request.content_length is not None or not _chunked():
        return request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH
    stream, chunks, size = request.environ["wsgi.input"], [], 0
    while size <= limit:
        chunk = stream.read(min(65536, limit + 1 - size))
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > limit:
        abort(413)
    return b"".join(chunks)


def _chunked() -> bool:
    return ("chunked" in request.headers.get("Transfer-Encoding", "").lower()
            or bool(request.environ.get("wsgi.input_terminated")))


_probes = ThreadPoolExecutor(max_workers=4, thread_name_prefix="healthz")


def _answered(probe: Future, deadline: float) -> bool:
    try:
        return bool(probe.result(timeout=max(0.0, deadline - time.monotonic())))
    except Exception:  # timed out (a hung service) or failed
        return False


def _open_envelope(body: bytes, args, safe_mode: SafeMode | None, mode: str) -> tuple[dict[str, str], bool]:
    """Plain XML, or decrypt <Encrypt> (safe and compatible modes). Returns (fields, was_encrypted).
    Safe mode takes only encrypted bodies with a valid msg_signature."""
    outer = parse_xml(body)
    if args.get("encrypt_type", "raw") != "aes":
        if mode == "safe":
            raise AuthError("safe mode: plaintext message")
        if safe_mode is not None and "Encrypt" in outer and "MsgType" not in outer:
            raise ProtocolError("encrypted body without encrypt_type")
        return outer, False
    if safe_mode is None:
        raise ProtocolError("encrypted message but wechat.mode is plain")
    plain = safe_mode.decrypt(outer.get("Encrypt", ""), args.get("msg_signature", ""),
                              args.get("timestamp", ""), args.get("nonce", ""))
    return parse_xml(plain.encode("utf-8")), True


def _warm_up(app: Flask) -> None:
    """Load dictionaries and models, and the roster's openids (storage/members.py), once, before gunicorn
    forks workers. The openids are a cache only: a database that is not up yet leaves it empty."""
    import intents
    from storage import members

    intents.warm_up()
    try:
        with app.extensions["runtime"].db.autocommit() as conn:
            members.warm_cache(conn)
    except Exception:
        log.warning("roster not cached at start-up (database unavailable); filled as members write")


_app: Flask | None = None


def __getattr__(name: str):
    """`webhook.app` is built on first use, so importing create_app has no side effects."""
    global _app
    if name != "app":
        raise AttributeError(name)
    if _app is None:
        _app = create_app()
        _warm_up(_app)
    return _app


def main() -> None:
    from waitress import serve

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = __getattr__("app")
    cfg = app.extensions["runtime"].config.server
    log.info("serving on %s:%s", cfg.host, cfg.port)
    serve(app, host=cfg.host, port=cfg.port, threads=cfg.threads)


if __name__ == "__main__":
    main()
