"""Staff daily digest: one day's figures, in three steps.

    build.py   `build_digest(rt, day)` reads the day (an Asia/Shanghai calendar day) into a `Digest`
               (the queries are storage/digest_figures.py)
    render.py  `render_text` (CLI, customer-service text), `message_text`, `template_message`, `render_page`
               (the printable page /digest/<date>)
    send.py    `send_for_day` queues one outbox row per bound staff member and delivers them now;
               the worker calls `send_scheduled` daily

The wording is bot/wording/digest.py.
"""
from bot.digest.build import Digest, build_digest, day_window
from bot.digest.render import (
    digest_charts, format_day, format_share, message_text, render_page, render_text, template_message,
)
from bot.digest.send import SendSummary, digest_key, send_for_day, send_scheduled

__all__ = ["Digest", "SendSummary", "build_digest", "day_window", "digest_charts", "digest_key", "format_day",
           "format_share", "message_text", "render_page", "render_text", "send_for_day", "send_scheduled",
           "template_message"]
