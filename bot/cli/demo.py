"""`python -m bot demo`: a small, clearly marked demo roster and activities to try the assistant."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.cli import CliError, runtime_for_cli
from storage import activities, members
from storage.activities import NewActivity
from storage.models import Activity, Member

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
    parser = sub.add_parser("demo", help="载入演示名册和活动（已有真实委员时拒绝，除非 --force）")
    parser.add_argument("--force", action="store_true", help="即使已有真实委员也载入演示数据")
    parser.set_defaults(handler=cmd_demo)


def cmd_demo(args) -> int:
    rt = runtime_for_cli()
    now = rt.now().replace(hour=9, minute=30, second=0, microsecond=0)
    with rt.db.session() as session:
        real = session.scalar(select(func.count(Member.id)).where(Member.is_demo.is_(False)))
        if real and not args.force:
            raise CliError(f"数据库中已有 {real} 位真实人员，为避免混淆未载入演示数据。确需载入请加 --force")
        for name, phone, sector, district, role in DEMO_MEMBERS:
            if members.by_phone(session, phone) is None:
                session.add(Member(name=name, phone=phone, sector=sector, district=district, role=role,
                                   is_demo=True))
        existing = set(session.scalars(select(Activity.title).where(Activity.is_demo.is_(True))))
        for title, kind, days, place, capacity in DEMO_ACTIVITIES:
            if title not in existing:
                start = now + timedelta(days=days)
                activities.create_activity(session, NewActivity(
                    title=title, kind=kind, start_at=start, place=place, capacity=capacity,
                    deadline=start - timedelta(days=1), is_demo=True))
    print("已载入演示数据（仅供试用）：")
    for name, phone, _, district, role in DEMO_MEMBERS:
        print(f"  {name}\t{phone}\t{district or '-'}\t{'工作人员' if role == 'staff' else '委员'}")
    print("试用：另开终端运行  python -m bot chat --as 13900000001")
    return 0
