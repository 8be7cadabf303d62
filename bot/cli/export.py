"""`python -m bot export records|archive`: the yearly duty-record table and members' 履职档案.

The records table has Chinese column headers by default; `--headers en` gives the machine keys
(name, phone, sector, district, reports, reports_adopted, checkins, study_minutes, signups, attended,
points, then the further counts). Demo members are never exported (storage/demo.py)."""
from __future__ import annotations

from pathlib import Path

from bot.archive import archive_name, build_archive
from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import EXPORT as TEXT
from bot.records_export import (
    SHEET_TITLE, archives_zip, exported_members, record_header, records_name, records_rows, zip_name,
)
from bot.tables import write_table
from storage import members
from storage.roster import normalize_phone
from storage.statuses import MemberRole



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


def cmd_records(args) -> int:
    _check_year(args.year)
    out = args.out or (records_name(args.year, "xlsx") if args.format == "xlsx" else None)
    rt = runtime_for_cli()
    with rt.db.session() as session:
        rows = records_rows(rt, session, args.year)
    where = write_table(record_header(args.headers), rows, args.format, out, sheet_title=SHEET_TITLE.format(year=args.year))
    if where != "-":
        print(f"已导出 {len(rows)} 位委员的 {args.year} 年履职统计：{where}")
    return 0


def cmd_archive(args) -> int:
    _check_year(args.year)
    rt = runtime_for_cli()
    with rt.db.session() as session:
        if args.all:
            found = exported_members(session)
            out = Path(args.out or zip_name(args.year))
            _write(out, archives_zip(rt, session, found, args.year))
            print(f"已导出 {len(found)} 位委员的 {args.year} 年履职档案：{out}")
            return 0
        phone = normalize_phone(args.member)
        member = members.by_phone(session, phone) if phone else None
        if member is None or member.role != MemberRole.MEMBER:
            raise CliError(TEXT["no_member"].format(phone=args.member))
        out = Path(args.out or archive_name(member, args.year))
        _write(out, build_archive(rt, session, member, args.year))
        print(f"已导出 {member.name} 的 {args.year} 年履职档案：{out}")
    return 0


def _write(out: Path, data: bytes) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise CliError(TEXT["bad_year"])
