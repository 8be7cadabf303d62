"""`python -m bot activities add|edit|code|list`: staff publish and manage activities."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot import duty_record, reminders
from bot.cli import CliError, runtime_for_cli
from bot.cli.timeparse import local_time
from bot.config import load_config
from storage import activities, attendance
from storage.activities import KINDS, NewActivity
from storage.models import Activity, Member

FIELD_NAMES = {"title": "名称", "kind": "类别", "start_at": "开始", "end_at": "结束", "place": "地点",
               "capacity": "名额", "deadline": "报名截止", "audience": "参加范围"}
TEXT = {
    "force_help": "确认发布/修改：允许开始时间或报名截止已过、报名截止晚于开始时间",
    "past": "{field}（{when}）已经过去。确需如此请加 --force",
    "deadline_after_start": "报名截止时间（{deadline}）晚于活动开始时间（{start}）。确需如此请加 --force",
    "cancelled": "{code} 已取消，不能修改",
    "total": "合计：{parts}",
    "total_part": "{label} {count}",
    "nobody": "合计：无人报名",
}
# `activities show`: roster labels and the order of the totals line
SIGNED_IN, ABSENT = "已签到", "缺席"


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

    listing = group.add_parser("list", help="列出活动（默认只列未开始的）")
    listing.add_argument("--all", action="store_true", help="包括已开始和已结束的活动")
    listing.set_defaults(handler=cmd_list)


def cmd_add(args) -> int:
    _check(args.kind, args.capacity, args.start, args.end, args.deadline)
    rt = runtime_for_cli()
    if not args.force:
        _check_timing(rt, {"start_at": args.start, "deadline": args.deadline}, args.start, args.deadline)
    with rt.db.session() as session:
        activity = activities.create_activity(session, NewActivity(
            title=args.title, kind=args.kind, start_at=args.start, end_at=args.end, place=args.place,
            capacity=args.capacity, deadline=args.deadline, audience=args.audience))
        print(activity.code)
        _warn_unknown_audience(session, activity)
    return 0


def _check(kind, capacity, start, end, deadline) -> None:
    if kind not in KINDS:
        raise CliError(f"未知类别「{kind}」，可选：{' '.join(KINDS)}")
    if capacity < 0:
        raise CliError("名额不能为负数")
    if end and end <= start:
        raise CliError("结束时间必须晚于开始时间")


def _check_timing(rt, changed: dict, start, deadline) -> None:
    """Refused without --force: a start or deadline being set in the past, or after this change a
    deadline later than the start (times left unchanged are not questioned again)."""
    now = rt.now()
    for name in ("start_at", "deadline"):
        when = changed.get(name)
        if when is not None and when < now:
            raise CliError(TEXT["past"].format(field=FIELD_NAMES[name], when=_show(rt, when)))
    if deadline and deadline > start and (changed.get("start_at") or changed.get("deadline")):
        raise CliError(TEXT["deadline_after_start"].format(deadline=_show(rt, deadline), start=_show(rt, start)))


def _warn_unknown_audience(session, activity: Activity) -> None:
    """A sector nobody on the roster has is probably a typo: it would silently exclude everyone."""
    known = set(session.scalars(select(Member.sector))) | set(session.scalars(select(Member.district)))
    for token in activities.audience_tokens(activity):
        if token not in known:
            print(f"提示：名册中没有界别或旗区为「{token}」的委员，请核对参加范围。")


def cmd_edit(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        if activity.status != "open":
            raise CliError(TEXT["cancelled"].format(code=activity.code))
        changes = _changes(args)
        if not changes:
            raise CliError("没有要修改的内容，请用 --title --start --place 等选项指定")
        merged = {name: changes.get(name, getattr(activity, name)) for name in activities.EDITABLE}
        _check(merged["kind"], merged["capacity"], merged["start_at"], merged["end_at"], merged["deadline"])
        if not args.force:
            _check_timing(rt, changes, merged["start_at"], merged["deadline"])
        if ("start_at" in changes or "end_at" in changes) and duty_record.timing(rt).ended(activity, rt.now()):
            raise CliError("活动已结束，不能修改时间（以免改变已记录的出席情况）")
        changed = activities.update_activity(session, activity, changes)
        if not changed:
            print(f"{activity.code} 没有变化")
            return 0
        for name, (old, new) in changed.items():
            print(f"{activity.code} {FIELD_NAMES[name]}：{_show(rt, old)} → {_show(rt, new)}")
        _after_edit(rt, session, activity, changed)
        if "audience" in changed:
            _warn_unknown_audience(session, activity)
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


def _after_edit(rt, session, activity: Activity, changed: dict) -> None:
    now = rt.now()
    promoted = activities.promote(session, activity, now)
    if promoted:
        reminders.notify_promoted(rt, session, promoted)
        print(f"候补递补 {len(promoted)} 人，已通知")
    taken = activities.taken_places(session, activity.id)
    if activity.capacity and taken > activity.capacity:
        print(f"注意：已报名 {taken} 人，超过新名额 {activity.capacity}；已报名的委员保留名额")
    notified = reminders.notify_changed(rt, session, activity, changed)
    if notified:
        print(f"已通知 {notified} 位已报名委员活动变更")
    timing = duty_record.timing(rt)
    if activity.checkin_code and attendance.code_conflicts(session, activity, timing):
        print(f"签到码与同时段其他活动重复，已更换为 {attendance.assign_code(session, activity, timing, renew=True)}")


def cmd_code(args) -> int:
    rt = runtime_for_cli()
    timing = duty_record.timing(rt)
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        if activity.status != "open":
            raise CliError(f"{activity.code} 已取消")
        code = attendance.assign_code(session, activity, timing, renew=args.renew)
        opens, closes = (rt.local(t) for t in timing.window(activity))
        print(f"{activity.code} {activity.title}\n签到码：{code}\n"
              f"有效时间：{opens:%Y-%m-%d %H:%M} 至 {closes:%Y-%m-%d %H:%M}\n"
              f"委员发送「签到 {code}」即可签到；也可扫描场景值为 {activity.code} 的带参数二维码签到。")
    return 0


ROSTER_STATUS = {"signed": "已报名", "waitlist": "候补", "leave": "请假", "cancelled": "已取消", "walkin": "现场签到"}


def cmd_show(args) -> int:
    rt = runtime_for_cli()
    timing = duty_record.timing(rt)
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        ended = timing.ended(activity, rt.now())
        start = rt.local(activity.start_at).strftime("%Y-%m-%d %H:%M")
        print(f"{activity.code} {activity.title}（{activity.kind}）{start} {activity.place}"
              f"{'　已取消' if activity.status != 'open' else ''}")
        tally: dict[str, int] = {}
        for signup in activities.roster(session, activity.id):
            label = _roster_label(rt, signup, ended)
            tally[label.split()[0]] = tally.get(label.split()[0], 0) + 1  # 已签到 09:12 counts as 已签到
            member = signup.member
            print(f"  {member.name}\t{member.phone}\t{member.sector}\t{member.district}\t{label}"
                  + (f"（{signup.reason}）" if signup.reason else ""))
        print(_totals(tally))
    return 0


def _totals(tally: dict[str, int]) -> str:
    """e.g. 合计：已报名 3，已签到 2，缺席 1 (one count per state, always in the same order)."""
    order = list(ROSTER_STATUS.values()) + [SIGNED_IN, ABSENT]
    parts = [TEXT["total_part"].format(label=label, count=tally[label])
             for label in sorted(tally, key=lambda name: order.index(name) if name in order else len(order))]
    return TEXT["total"].format(parts="，".join(parts)) if parts else TEXT["nobody"]


def _roster_label(rt, signup, ended: bool) -> str:
    if signup.attended_at is not None:
        return f"{SIGNED_IN} {rt.local(signup.attended_at):%H:%M}"
    if ended and signup.status == "signed":
        return ABSENT
    return ROSTER_STATUS.get(signup.status, signup.status)


def cmd_cancel(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        activity = _activity(session, args.code)
        if activity.status != "open":
            raise CliError(f"{activity.code} 已经取消过了")
        if activity.start_at <= rt.now():
            raise CliError(f"{activity.code} 已开始或已结束，不能取消")
        activities.cancel_activity(session, activity)
        notified = reminders.notify_cancelled(rt, session, activity, args.reason)
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
    if value is None or value == "":
        return "（无）"
    if hasattr(value, "astimezone"):
        return rt.local(value).strftime("%Y-%m-%d %H:%M")
    return str(value)
