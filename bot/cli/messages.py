"""`python -m bot messages failed`: messages whose handling failed, kept so staff can follow up."""
from __future__ import annotations

from sqlalchemy import select

from bot.cli import runtime_for_cli
from storage.models import Member, UnhandledMessage


def register(sub) -> None:
    group = sub.add_parser("messages", help="查看处理失败、已保存待跟进的委员消息").add_subparsers(dest="what", required=True)
    failed = group.add_parser("failed", help="列出处理失败的消息（委员已被告知消息已保存）")
    failed.add_argument("--limit", type=int, default=50, help="最多列出多少条（最新的在前）")
    failed.set_defaults(handler=cmd_failed)


def cmd_failed(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        rows = session.execute(
            select(UnhandledMessage, Member.name, Member.phone)
            .outerjoin(Member, Member.openid == UnhandledMessage.openid)
            .order_by(UnhandledMessage.id.desc()).limit(args.limit)).all()
        if not rows:
            print("没有处理失败的消息")
        for message, name, phone in rows:
            who = f"{name} {phone}" if name else message.openid
            when = rt.local(message.created_at).strftime("%Y-%m-%d %H:%M")
            print(f"{when}\t{who}\t{message.msg_type}\t{message.text or '（无文字）'}")
    return 0
