"""`python -m bot activities add|edit|code|qr|list`: staff publish and manage activities."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from bot import activity_admin, activity_qr
from bot.activity_admin import ActivityError, TimingError
from bot.wording.activities import FIELD_NAMES, TEXT as ACTIVITY_TEXT
from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import ACTIVITIES as TEXT, QR, qr_notice
from bot.cli.timeparse import local_time
from bot.config import load_config
from storage import activities
from storage.activities import KINDS, NewActivity
from storage.statuses import ActivityStatus
from storage.models import Activity



def register(sub) -> None:
    tz = ZoneInfo(load_config().org.timezone)
    group = sub.add_parser("activities", help="发布和管理活动").add_subparsers(dest="action", required=True)

    add = group.add_parser("add", help="发布活动，打印活动编号")
    add.add_argument("--title", required=True, help="活动名称")
    add.add_argument("--kind", default="其他", help="类别：" + " ".join(KINDS))
    add.add_argument("--start", required=True, type=local_time(tz), help='开始时间 "YYYY-MM-DD HH:MM"')
    add.add_argument("--end", type=local_time(tz), help='结束时间 "YYYY-MM-DD HH:MM"（省略按默认时长计算）')
    add.add_argument("--place", default="", help="地点")
    add.add_argument("--capacity", type=int, default=0, help="名额，0 表示不限；报满后进入候补")
    add.add_argument("--deadline", type=local_time(tz), help='报名截止 "YYYY-MM-DD HH:MM"')
    add.add_argument("--audience", default="", help="参加范围：界别或旗区，逗号分隔（如 经济界,达旗）；空为全体委员")
    add.add_argument("--force", action="store_true", help=TEXT["force_help"])
    add.set_defaults(handler=cmd_add)

    edit = group.add_parser("edit", help="修改活动；改时间或地点会通知已报名的委员，增加名额会让候补递补")
    edit.add_argument("code", help="活动编号，如 A3")
    edit.add_argument("--title", help="活动名称")
    edit.add_argument("--kind", help="类别：" + " ".join(KINDS))
    edit.add_argument("--start", type=local_time(tz), help='开始时间 "YYYY-MM-DD HH:MM"')
    edit.add_argument("--end", type=local_time(tz), help='结束时间 "YYYY-MM-DD HH:MM"')
    edit.add_argument("--no-end", action="store_true", help="清除结束时间（按默认时长计算）")
    edit.add_argument("--place", help="地点")
    edit.add_argument("--capacity", type=int, help="名额，0 表示不限")
    edit.add_argument("--deadline", type=local_time(tz), help='报名截止 "YYYY-MM-DD HH:MM"')
    edit.add_argument("--no-deadline", action="store_true", help="取消报名截止时间")
    edit.add_argument("--audience", help="参加范围（界别或旗区，逗号分隔）；传空字符串为全体委员")
    edit.add_argument("--force", action="store_true", help=TEXT["force_help"])
    edit.set_defaults(handler=cmd_edit)

    code = group.add_parser("code", help="显示活动的4位签到码及有效时间（首次使用时生成）")
    code.add_argument("code", help="活动编号，如 A3")
    code.add_argument("--renew", action="store_true", help="换一个新签到码（旧码立即失效）")
    code.set_defaults(handler=cmd_code)

    show = group.add_parser("show", help="活动详情和名单：报名、候补、请假、签到、缺席")
    show.add_argument("code", help="活动编号，如 A3")
    show.set_defaults(handler=cmd_show)

    cancel = group.add_parser("cancel", help="取消活动并通知已报名和候补的委员")
    cancel.add_argument("code", help="活动编号，如 A3")
    cancel.add_argument("--reason", default="", help="取消原因（会告知委员）")
    cancel.set_defaults(handler=cmd_cancel)

    qr = group.add_parser("qr", help=QR["qr_help"])
    qr.add_argument("code", help="活动编号，如 A3")
    qr.add_argument("--out", help=QR["out_help"])
    qr.add_argument("--preview", action="store_true", help=QR["preview_help"])
    qr.set_defaults(handler=cmd_qr)

    listing = group.add_parser("list", help="列出活动（默认只列未开始的）")
    listing.add_argument("--all", action="store_true", help="包括已开始和已结束的活动")
    listing.set_defaults(handler=cmd_list)


def cmd_add(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _refusals(lambda: activity_admin.create(rt, session, NewActivity(
            title=args.title, kind=args.kind, start_at=args.start, end_at=args.end, place=args.place,
            capacity=args.capacity, deadline=args.deadline, audience=args.audience), force=args.force))
        print(activity.code)
        for warning in activity_admin.unknown_audience(session, activity):
            print(TEXT["hint"].format(warning=warning))
    return 0


def _refusals(action):
    """Run a shared activity operation; its refusal becomes a CLI error (odd timing: 'add --force')."""
    try:
        return action()
    except TimingError as exc:
        raise CliError(f"{exc}{TEXT['use_force']}") from None
    except ActivityError as exc:
        raise CliError(str(exc)) from None


def cmd_edit(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        if activity.status != ActivityStatus.OPEN:
            raise CliError(ACTIVITY_TEXT["cancelled"].format(code=activity.code))
        changes = _changes(args)
        if not changes:
            raise CliError("没有要修改的内容，请用 --title --start --place 等选项指定")
        outcome = _refusals(lambda: activity_admin.edit(rt, session, activity, changes, force=args.force))
        if not outcome.changed:
            print(f"{activity.code} 没有变化")
            return 0
        for name, (old, new) in outcome.changed.items():
            print(f"{activity.code} {FIELD_NAMES[name]}：{_show(rt, old)} → {_show(rt, new)}")
        _print_outcome(activity, outcome)
    return 0


def _changes(args) -> dict:
    options = {"title": args.title, "kind": args.kind, "start_at": args.start, "end_at": args.end,
               "place": args.place, "capacity": args.capacity, "deadline": args.deadline, "audience": args.audience}
    changes = {name: value for name, value in options.items() if value is not None}
    if args.no_end:
        changes["end_at"] = None
    if args.no_deadline:
        changes["deadline"] = None
    return changes


def _print_outcome(activity: Activity, outcome: activity_admin.EditOutcome) -> None:
    if outcome.promoted:
        print(f"候补递补 {outcome.promoted} 人，已通知")
    if outcome.over_capacity:
        print(f"注意：已报名 {outcome.over_capacity} 人，超过新名额 {activity.capacity}；已报名的委员保留名额")
    if outcome.notified:
        print(f"已通知 {outcome.notified} 位已报名委员活动变更")
    if outcome.new_code:
        print(f"签到码与同时段其他活动重复，已更换为 {outcome.new_code}")
    for warning in outcome.warnings:
        print(TEXT["hint"].format(warning=warning))


def cmd_code(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        if activity.status != ActivityStatus.OPEN:
            raise CliError(f"{activity.code} 已取消")
        found = activity_admin.checkin_code(rt, session, activity, renew=args.renew)
        print(f"{activity.code} {activity.title}\n签到码：{found.code}\n"
              f"有效时间：{found.opens:%Y-%m-%d %H:%M} 至 {found.closes:%Y-%m-%d %H:%M}\n"
              f"委员发送「签到 {found.code}」即可签到；也可扫描场景值为 {activity.code} 的带参数二维码签到。")
    return 0


def cmd_qr(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        found = activity_qr.scene_code(rt, session, activity)
        if not found.real and not args.preview:
            raise CliError(qr_notice(rt, found).replace("这只是预览：", "") + "（加 --preview 可输出预览图）")
        path = Path(args.out or f"qr-{activity.code}{'' if found.real else '-preview'}.png")
        path.write_bytes(activity_qr.qr_png(found.content))
        if found.real:
            print(QR["saved"].format(code=activity.code, title=activity.title, path=path,
                                     expires=rt.local(found.expires_at).strftime("%Y-%m-%d %H:%M")))
        else:
            print(QR["saved_preview"].format(code=activity.code, title=activity.title, path=path,
                                             reason=qr_notice(rt, found)))
    return 0


def cmd_show(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        start = rt.local(activity.start_at).strftime("%Y-%m-%d %H:%M")
        print(f"{activity.code} {activity.title}（{activity.kind}）{start} {activity.place}"
              f"{'　已取消' if activity.status != 'open' else ''}")
        lines = activity_admin.roster(rt, session, activity)
        for line in lines:
            member = line.member
            print(f"  {member.name}\t{member.phone}\t{member.sector}\t{member.district}\t{line.label}"
                  + (f"（{line.signup.reason}）" if line.signup.reason else ""))
        print(activity_admin.totals_line(activity_admin.tally(lines)))
    return 0


def cmd_cancel(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        notified = _refusals(lambda: activity_admin.cancel(rt, session, activity, args.reason))
        print(f"已取消 {activity.code} {activity.title}，已通知 {notified} 位已报名或候补的委员")
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
            waiting = activities.waitlist_length(session, a.id)
            extra = (f"\t候补 {waiting}" if waiting else "") + (f"\t范围 {a.audience}" if a.audience else "")
            start = rt.local(a.start_at).strftime("%Y-%m-%d %H:%M")
            print(f"{a.code}\t{start}\t{a.kind}\t{a.title}\t{a.place}\t报名 {places}{extra}\t{a.status}")
    return 0


def _activity(session, code: str) -> Activity:
    activity = activities.by_code(session, code)
    if activity is None:
        raise CliError(f"没有编号为 {code} 的活动")
    return activity


def _show(rt, value) -> str:
    return activity_admin.show(rt, value)
