"""`python -m bot export records`: the yearly duty-record table, one row per member."""
from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select

from bot.cli import CliError, runtime_for_cli
from bot.tables import write_table
from storage import records
from storage.models import Member

MEMBER_COLUMNS = ["name", "phone", "sector", "district"]
RECORD_COLUMNS = MEMBER_COLUMNS + records.COUNT_FIELDS


def register(sub) -> None:
    group = sub.add_parser("export", help="导出履职数据").add_subparsers(dest="what", required=True)
    rec = group.add_parser("records", help="导出全年履职统计（每位委员一行）")
    rec.add_argument("--year", type=int, required=True, help="年份，如 2026")
    rec.add_argument("--format", choices=["csv", "xlsx"], default="csv", help="文件格式")
    rec.add_argument("--out", help="输出文件；csv 省略时输出到屏幕，xlsx 默认 records-YEAR.xlsx")
    rec.set_defaults(handler=cmd_records)


def records_rows(session, year: int, tz) -> list[list]:
    members = session.scalars(select(Member).where(Member.role == "member").order_by(Member.district, Member.id))
    counts = records.year_counts(session, year, tz)
    rows = []
    for member in members:
        values = asdict(counts.get(member.id, records.RecordCounts()))
        rows.append([member.name, member.phone, member.sector, member.district]
                    + [values[name] for name in records.COUNT_FIELDS])
    return rows


def cmd_records(args) -> int:
    if not 2000 <= args.year <= 2100:
        raise CliError("年份不正确")
    out = args.out or (f"records-{args.year}.xlsx" if args.format == "xlsx" else None)
    rt = runtime_for_cli()
    with rt.db.session() as session:
        rows = records_rows(session, args.year, rt.tz)
    where = write_table(RECORD_COLUMNS, rows, args.format, out, sheet_title=f"{args.year}年履职统计")
    if where != "-":
        print(f"已导出 {len(rows)} 位委员的 {args.year} 年履职统计：{where}")
    return 0
