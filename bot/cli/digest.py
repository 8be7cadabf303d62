"""`python -m bot digest show|send|link --date YYYY-MM-DD`: the staff daily digest by hand."""
from __future__ import annotations

import argparse
from datetime import date, timedelta

from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import DIGEST_HELP as HELP, DIGEST_ERRORS as ERRORS

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
