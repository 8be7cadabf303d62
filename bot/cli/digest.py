"""`python -m bot digest show|send|link --date YYYY-MM-DD`: the staff daily digest by hand."""
from __future__ import annotations

import argparse
from datetime import date, timedelta

from bot.cli import CliError, runtime_for_cli

HELP = {
    "group": "工作人员每日履职日报：查看、发送、生成页面链接",
    "show": "打印某一天的完整日报文本",
    "send": "立即生成并推送某一天的日报给所有已绑定的工作人员（同一天不会重复发送，失败的会重试）",
    "link": "打印某一天日报页面的签名链接（有效期见 digest.link_ttl_hours）",
    "date": "日报所统计的日期 YYYY-MM-DD，默认昨天",
    "hours": "链接有效小时数，默认取配置 digest.link_ttl_hours",
}
ERRORS = {
    "format": "日期格式应为 YYYY-MM-DD，例如 2026-11-25",
    "future": "{date} 还没有到，无法生成日报",
    "unfinished": "{date} 还没有结束，只能发送已结束日期的日报（可先用 digest show 查看）",
    "secret": "无法签发链接：请设置 digest.secret（环境变量 BOT__DIGEST__SECRET）或 wechat.token",
}
LINK_NOTE = "有效期至 {until}"
LINK_NO_BASE = "（未设置 digest.base_url，以上仅为路径，请加上本服务的公网地址）"


def register(subparsers) -> None:
    group = subparsers.add_parser("digest", help=HELP["group"], description=HELP["group"])
    actions = group.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, handler in (("show", _show), ("send", _send), ("link", _link)):
        cmd = actions.add_parser(name, help=HELP[name], description=HELP[name])
        cmd.add_argument("--date", dest="day", type=_parse_date, default=None, metavar="YYYY-MM-DD", help=HELP["date"])
        if name == "link":
            cmd.add_argument("--hours", type=float, default=None, help=HELP["hours"])
        cmd.set_defaults(handler=handler)


def _parse_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(ERRORS["format"]) from None


def _day(rt, args, *, finished: bool) -> date:
    """The requested day (default yesterday); refuse days that have not started (or ended)."""
    today = rt.now().date()
    day = args.day or today - timedelta(days=1)
    if day > today:
        raise CliError(ERRORS["future"].format(date=day))
    if finished and day >= today:
        raise CliError(ERRORS["unfinished"].format(date=day))
    return day


def _show(args) -> int:
    from bot.digest import build_digest, render_text

    rt = runtime_for_cli()
    print(render_text(build_digest(rt, _day(rt, args, finished=False))))
    return 0


def _send(args) -> int:
    from bot.digest import send_for_day
    from bot.signed_links import LinkError

    rt = runtime_for_cli()
    try:
        summary = send_for_day(rt, _day(rt, args, finished=True))
    except LinkError:
        raise CliError(ERRORS["secret"]) from None
    print("\n".join(summary.lines()))
    return 1 if summary.failed else 0


def _link(args) -> int:
    from bot.signed_links import LinkError, digest_url

    rt = runtime_for_cli()
    day = _day(rt, args, finished=False)
    hours = args.hours if args.hours is not None else rt.config.digest.link_ttl_hours
    try:
        url = digest_url(rt, day, hours)
    except LinkError:
        raise CliError(ERRORS["secret"]) from None
    print(url)
    print(LINK_NOTE.format(until=(rt.now() + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")))
    if not url.startswith("http"):
        print(LINK_NO_BASE)
    return 0
