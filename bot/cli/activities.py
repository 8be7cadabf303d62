"""`python -m bot activities add|list`: staff publish activities."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.cli import CliError, runtime_for_cli
from bot.cli.timeparse import local_time
from bot.config import load_config
from storage import activities
from storage.activities import KINDS, NewActivity


def register(sub) -> None:
    tz = ZoneInfo(load_config().org.timezone)
    group = sub.add_parser("activities", help="发布和查看活动").add_subparsers(dest="action", required=True)

    add = group.add_parser("add", help="发布活动，打印活动编号")
    add.add_argument("--title", required=True, help="活动名称")
    add.add_argument("--kind", default="其他", help="类别：" + " ".join(KINDS))
    add.add_argument("--start", required=True, type=local_time(tz), help='开始时间 "YYYY-MM-DD HH:MM"')
    add.add_argument("--end", type=local_time(tz), help='结束时间 "YYYY-MM-DD HH:MM"')
    add.add_argument("--place", default="", help="地点")
    add.add_argument("--capacity", type=int, default=0, help="名额，0 表示不限")
    add.add_argument("--deadline", type=local_time(tz), help='报名截止 "YYYY-MM-DD HH:MM"')
    add.add_argument("--audience", default="", help="参加范围（界别或旗区，逗号分隔；空为全体委员）")
    add.set_defaults(handler=cmd_add)

    listing = group.add_parser("list", help="列出活动（默认只列未开始的）")
    listing.add_argument("--all", action="store_true", help="包括已开始和已结束的活动")
    listing.set_defaults(handler=cmd_list)


def cmd_add(args) -> int:
    if args.kind not in KINDS:
        raise CliError(f"未知类别「{args.kind}」，可选：{' '.join(KINDS)}")
    if args.capacity < 0:
        raise CliError("名额不能为负数")
    if args.deadline and args.deadline > args.start:
        raise CliError("报名截止时间不能晚于活动开始时间")
    if args.end and args.end <= args.start:
        raise CliError("结束时间必须晚于开始时间")
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = activities.create_activity(session, NewActivity(
            title=args.title, kind=args.kind, start_at=args.start, end_at=args.end, place=args.place,
            capacity=args.capacity, deadline=args.deadline, audience=args.audience))
        print(activity.code)
    return 0


def cmd_list(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        found = activities.all_activities(session) if args.all else activities.upcoming(session, rt.now(), 1000)
        if not found:
            print("暂无活动")
        for a in found:
            taken = activities.taken_places(session, a.id)
            places = f"{taken}/{a.capacity}" if a.capacity else f"{taken}/不限"
            start = rt.local(a.start_at).strftime("%Y-%m-%d %H:%M")
            print(f"{a.code}\t{start}\t{a.kind}\t{a.title}\t{a.place}\t报名 {places}\t{a.status}")
    return 0
