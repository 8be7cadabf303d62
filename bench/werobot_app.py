"""The peer of the webhook benchmark: a WeRoBot echo bot (WeRoBot from PyPI, bench/requirements.txt).

WeRoBot's own WSGI app (bottle) checks the signature, parses the message and answers a text
message with its own content. The handler stores nothing; WeRoBot itself keeps its default session
storage (SQLite, read and written on every message), as an echo bot written from its documentation does. The reply's FromUserName
is the message's ToUserName, as in the real webhook, so the wrk script can match each reply to
its MsgId. /healthz answers 200 without a signature so bench_webhook.py can wait for it.

Served by bench_webhook.py as `gunicorn werobot_app:app` from inside bench/, with the same
workers, threads and worker class as the real app.
"""
from __future__ import annotations

import os

import werobot

robot = werobot.WeRoBot(token=os.environ.get("WECHAT_TOKEN", ""))
# WeRoBot's default session storage (bench_webhook.py --werobot-session sqlite, the default), or none at all
# (--werobot-session none: a configuration WeRoBot's users must choose, kept for comparison).
if os.environ.get("BENCH_WEROBOT_SESSION", "sqlite") == "sqlite":
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
