"""The peer of the webhook benchmark: a WeRoBot echo bot (WeRoBot from PyPI, bench/requirements.txt).

WeRoBot's own WSGI app (bottle) checks the signature, parses the message and answers a text
message with its own content; it stores nothing (no session storage). The reply's FromUserName
is the message's ToUserName, as in the real webhook, so the wrk script can match each reply to
its MsgId. /healthz answers 200 without a signature so bench_webhook.py can wait for it.

Served by bench_webhook.py as `gunicorn werobot_app:app` from inside bench/, with the same
workers, threads and worker class as the real app.
"""
from __future__ import annotations

import os

import werobot

robot = werobot.WeRoBot(token=os.environ.get("WECHAT_TOKEN", ""))
# An echo bot keeps nothing. BENCH_WEROBOT_SESSION=sqlite keeps WeRoBot's default instead: its session
# storage in SQLite (read and written on every message), for comparison (bench_webhook.py --werobot-session).
if os.environ.get("BENCH_WEROBOT_SESSION") == "sqlite":
    from werobot.session.sqlitestorage import SQLiteStorage

    robot.config["SESSION_STORAGE"] = SQLiteStorage(os.environ.get("BENCH_WEROBOT_SQLITE", "werobot_session.sqlite3"))
else:
    robot.config["SESSION_STORAGE"] = False


@robot.text
def echo(message):
    return message.content


_werobot = robot.wsgi


def app(environ, start_response):
    if environ.get("PATH_INFO") == "/healthz":
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"ok": true}']
    return _werobot(environ, start_response)
