"""`python -m bot messages failed`: messages whose handling failed, kept so staff can follow up."""
from __future__ import annotations

from bot.cli import runtime_for_cli
from bot.wording.cli import MESSAGES as TEXT
from storage import unhandled


def register(sub) -> None:
    group = sub.add_parser("messages", help=TEXT["group_help"]).add_subparsers(dest="what", required=True)
    failed = group.add_parser("failed", help=TEXT["failed_help"])
    failed.add_argument("--limit", type=int, default=50, help=TEXT["limit_help"])
    failed.set_defaults(handler=cmd_failed)


def cmd_failed(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        rows = unhandled.latest(session, args.limit)
        if not rows:
            print(TEXT["none"])
        for message, member in rows:
            who = f"{member.name} {member.phone}" if member else message.openid
            when = rt.local(message.created_at).strftime("%Y-%m-%d %H:%M")
            print(TEXT["line"].format(when=when, who=who, kind=message.msg_type, text=message.text or TEXT["no_text"]))
    return 0
