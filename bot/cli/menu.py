"""`python -m bot menu sync|show`: the official account's custom menu (bot/menu.py)."""
from __future__ import annotations

from bot import menu
from bot.cli import CliError, runtime_for_cli
from bot.wechat_api import WeChatAPIError
from bot.wording.cli import MENU as TEXT


def register(sub) -> None:
    group = sub.add_parser("menu", help=TEXT["group_help"]).add_subparsers(dest="action", required=True)
    group.add_parser("sync", help=TEXT["sync_help"]).set_defaults(handler=cmd_sync)
    group.add_parser("show", help=TEXT["show_help"]).set_defaults(handler=cmd_show)


def _runtime():
    rt = runtime_for_cli()
    if not rt.config.wechat.has_credentials:
        raise CliError(TEXT["no_credentials"])
    return rt


def cmd_sync(args) -> int:
    rt = _runtime()
    try:
        buttons = menu.sync(rt)
    except WeChatAPIError as exc:
        raise CliError(TEXT["failed"].format(error=exc)) from None
    print(TEXT["synced"])
    print("\n".join(menu.lines(buttons, rt.config.wechat.click_texts())))
    return 0


def cmd_show(args) -> int:
    rt = _runtime()
    try:
        buttons = menu.current(rt)
    except WeChatAPIError as exc:
        raise CliError(TEXT["failed"].format(error=exc)) from None
    texts = rt.config.wechat.click_texts()
    print("\n".join(menu.lines(buttons, texts)) if buttons else TEXT["none"])
    configured = menu.wechat_buttons(rt.config.wechat.menu)
    if buttons != configured:
        print(TEXT["differs"])
    return 0
