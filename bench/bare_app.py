"""The baseline of the webhook benchmark: a bare Flask endpoint.

It does what every WeChat callback must do and nothing more: check the signature
and the replay window with the same code the real webhook uses
(bot.protocol.check_signature / timestamp_fresh), read the body, and return a
fixed XML reply. No database, no Redis, no parsing of the message.

Served by bench_webhook.py as `gunicorn bare_app:app` from inside bench/, so the
project's gunicorn.conf.py (which builds the real app in post_fork) is not loaded.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask import Flask, Response, abort, request  # noqa: E402

from bot.protocol import check_signature, timestamp_fresh  # noqa: E402

TOKEN = os.environ.get("WECHAT_TOKEN", "")
REPLAY_WINDOW_SECONDS = 300
FIXED_REPLY = ("<xml><ToUserName><![CDATA[bench]]></ToUserName><FromUserName><![CDATA[gh_bench]]></FromUserName>"
               "<CreateTime>0</CreateTime><MsgType><![CDATA[text]]></MsgType>"
               "<Content><![CDATA[bare-ok]]></Content></xml>")

app = Flask(__name__)


@app.post("/wechat")
def receive():
    args = request.args
    timestamp = args.get("timestamp", "")
    if not check_signature(TOKEN, args.get("signature", ""), timestamp, args.get("nonce", "")):
        abort(403)
    if not timestamp_fresh(timestamp, REPLAY_WINDOW_SECONDS):
        abort(403)
    request.get_data(cache=False)
    return Response(FIXED_REPLY, mimetype="application/xml")


@app.get("/healthz")
def healthz():
    return {"ok": True}
