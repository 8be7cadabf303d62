"""`python -m bot demo [--remove]`: a small, clearly marked demo roster and activities to try the assistant.

Demo rows carry is_demo: `members list` marks them, exports, the digest and statistics leave them out
(storage/demo.py), and `demo --remove` deletes them with everything they did."""
from __future__ import annotations

from datetime import timedelta

from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import DEMO as TEXT
from storage import activities, demo, members
from storage.activities import NewActivity
from storage.models import Member

DEMO_MEMBERS = [  # name, phone, sector, district, role
    ("张三", "13900000001", "经济界", "东胜区", "member"),
    ("乌云其木格", "13900000002", "少数民族界", "鄂托克前旗", "member"),
    ("李建国", "13900000003", "农业界", "达拉特旗", "member"),
    ("王芳", "13900000004", "教育界", "准格尔旗", "member"),
    ("巴特尔", "13900000005", "医药卫生界", "伊金霍洛旗", "member"),
    ("赵秘书", "13900000009", "", "", "staff"),
]
DEMO_ACTIVITIES = [  # title, kind, days from now, place, capacity
    ("【演示】读书分享会：《论人民政协》", "读书分享会", 7, "市政协三楼会议室", 30),
    ("【演示】城市供暖专题协商会", "专题协商会", 14, "市政协一楼报告厅", 50),
    ("【演示】乡村医疗视察", "视察", 10, "伊金霍洛旗", 2),
]




def register(sub) -> None:
    parser = sub.add_parser("demo", help=TEXT["help"], description=TEXT["help"])
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--force", action="store_true", help=TEXT["force_help"])
    mode.add_argument("--remove", action="store_true", help=TEXT["remove_help"])
    parser.set_defaults(handler=cmd_demo)


def cmd_demo(args) -> int:
    if args.remove:
        return cmd_remove()
    rt = runtime_for_cli()
    now = rt.now().replace(hour=9, minute=30, second=0, microsecond=0)
    with rt.db.session() as session:
        real = demo.real_people(session)
        if real and not args.force:
            raise CliError(TEXT["real_data"].format(real=real))
        for name, phone, sector, district, role in DEMO_MEMBERS:
            if members.by_phone(session, phone) is None:
                session.add(Member(name=name, phone=phone, sector=sector, district=district, role=role,
                                   is_demo=True))
        existing = demo.activity_titles(session)
        for title, kind, days, place, capacity in DEMO_ACTIVITIES:
            if title not in existing:
                start = now + timedelta(days=days)
                activities.create_activity(session, NewActivity(
                    title=title, kind=kind, start_at=start, place=place, capacity=capacity,
                    deadline=start - timedelta(days=1), is_demo=True))
    print(TEXT["loaded"])
    for name, phone, _, district, role in DEMO_MEMBERS:
        print(TEXT["person"].format(name=name, phone=phone, district=district or "-", role=TEXT["roles"][role]))
    print(TEXT["try"])
    print(TEXT["remove_later"])
    return 0


def cmd_remove() -> int:
    from bot.dialogs.base import clear_state

    rt = runtime_for_cli()
    with rt.db.session() as session:
        removed = demo.remove(session)
    for openid in removed.openids:  # an unfinished dialog of a removed demo account goes with it
        clear_state(rt, openid)
    if not (removed.members or removed.activities):
        print(TEXT["nothing"])
        return 0
    print(TEXT["removed"].format(members=removed.members, activities=removed.activities))
    return 0
