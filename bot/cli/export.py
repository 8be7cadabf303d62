"""`python -m bot export records|archive`: the yearly duty-record table and members' 履职档案.

The records table has Chinese column headers by default; `--headers en` gives the machine keys
(name, phone, sector, district, reports, reports_adopted, checkins, study_minutes, signups, attended,
points, then the further counts). Demo members are never exported (storage/demo.py)."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from sqlalchemy import select

from bot import duty_record, replies
from bot.archive import archive_name, build_archive
from bot.cli import CliError, runtime_for_cli
from bot.tables import write_table
from storage import members, records
from storage.demo import real_members
from storage.models import Member
from storage.records import MemberYear
from storage.roster import normalize_phone

MEMBER_COLUMNS = ["name", "phone", "sector", "district"]
RECORD_COLUMNS = MEMBER_COLUMNS + records.COUNT_FIELDS + ["requirements_missing"]
# Chinese headers (the default), one per machine key
HEADERS_ZH = {
    "name": "姓名", "phone": "手机号", "sector": "界别", "district": "旗区",
    "reports": "社情民意", "reports_adopted": "社情民意采用", "checkins": "学习打卡", "study_minutes": "学习分钟",
    "signups": "活动报名", "attended": "活动出席", "points": "履职积分", "reports_instructed": "社情民意获批示",
    "seconds": "附议", "leaves": "请假", "absences": "缺席", "waitlisted": "候补未参加",
    "requirements_missing": "未达年度要求",
}
TEXT = {
    "headers_help": "表头：zh 中文（默认，如 姓名,手机号,界别,旗区,社情民意…）或 en 英文字段名（便于程序处理）",
    "no_member": "名册中没有手机号为 {phone} 的委员",
    "bad_year": "年份不正确",
}


def record_header(language: str) -> list[str]:
    return list(RECORD_COLUMNS) if language == "en" else [HEADERS_ZH[key] for key in RECORD_COLUMNS]


def register(sub) -> None:
    group = sub.add_parser("export", help="导出履职数据").add_subparsers(dest="what", required=True)
    rec = group.add_parser("records", help="导出全年履职统计（每位委员一行）")
    rec.add_argument("--year", type=int, required=True, help="年份，如 2026")
    rec.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="文件格式")
    rec.add_argument("--out", help="输出文件；csv 省略时输出到屏幕，xlsx 默认 records-YEAR.xlsx")
    rec.add_argument("--headers", choices=["zh", "en"], default="zh", help=TEXT["headers_help"])
    rec.set_defaults(handler=cmd_records)

    arc = group.add_parser("archive", help="导出委员年度履职档案（Word 文档）")
    who = arc.add_mutually_exclusive_group(required=True)
    who.add_argument("--member", metavar="PHONE", help="委员手机号")
    who.add_argument("--all", action="store_true", help="全体委员，每人一份，打包为 zip")
    arc.add_argument("--year", type=int, required=True, help="年份，如 2026")
    arc.add_argument("--format", choices=["docx"], default="docx", help="文件格式（目前为 docx）")
    arc.add_argument("--out", help="输出文件；默认 姓名-手机号-YEAR.docx，或 --all 时 archives-YEAR.zip")
    arc.set_defaults(handler=cmd_archive)


def records_rows(rt, session, year: int) -> list[list]:
    found = session.scalars(select(Member).where(real_members()).order_by(Member.district, Member.id))
    years = duty_record.everyone(rt, session, year)
    rows = []
    for member in found:
        result = years.get(member.id) or duty_record.empty(rt, year)
        rows.append([member.name, member.phone, member.sector, member.district]
                    + [getattr(result.counts, name) for name in records.COUNT_FIELDS] + [_missing(result)])
    return rows


def _missing(result: MemberYear) -> str:
    """e.g. '学习打卡 差10次；活动 差1次' ('' when every requirement is met)."""
    parts = []
    for req in result.progress.missing:
        label, unit = replies.REQUIREMENT_LABELS[req.key]
        parts.append(f"{label} 差{req.missing}{unit}")
    return "；".join(parts)


def cmd_records(args) -> int:
    _check_year(args.year)
    out = args.out or (f"records-{args.year}.xlsx" if args.format == "xlsx" else None)
    rt = runtime_for_cli()
    with rt.db.session() as session:
        rows = records_rows(rt, session, args.year)
    where = write_table(record_header(args.headers), rows, args.format, out, sheet_title=f"{args.year}年履职统计")
    if where != "-":
        print(f"已导出 {len(rows)} 位委员的 {args.year} 年履职统计：{where}")
    return 0


def cmd_archive(args) -> int:
    _check_year(args.year)
    rt = runtime_for_cli()
    with rt.db.session() as session:
        if args.all:
            found = list(session.scalars(select(Member).where(real_members())
                                         .order_by(Member.district, Member.id)))
            out = Path(args.out or f"archives-{args.year}.zip")
            _write(out, _zip(rt, session, found, args.year))
            print(f"已导出 {len(found)} 位委员的 {args.year} 年履职档案：{out}")
            return 0
        phone = normalize_phone(args.member)
        member = members.by_phone(session, phone) if phone else None
        if member is None or member.role != "member":
            raise CliError(TEXT["no_member"].format(phone=args.member))
        out = Path(args.out or archive_name(member, args.year))
        _write(out, build_archive(rt, session, member, args.year))
        print(f"已导出 {member.name} 的 {args.year} 年履职档案：{out}")
    return 0


def _zip(rt, session, found: list[Member], year: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in found:
            archive.writestr(archive_name(member), build_archive(rt, session, member, year))
    return buffer.getvalue()


def _write(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise CliError(TEXT["bad_year"])
