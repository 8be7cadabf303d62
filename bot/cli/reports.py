"""`python -m bot reports list|show|review|export`: staff review 社情民意 and compile them."""
from __future__ import annotations

import argparse
from datetime import date, timedelta

from bot import media, replies
from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import REPORT_REVIEW_ERRORS as CLI_FLOW_ERRORS
from bot.cli.vocab import REPORT_SCOPES, REPORTS
from bot.report_export import collect, title_for, write_docx, write_xlsx
from bot.report_review import edit, error_text, find, review, view_text
from storage import reports
from storage.report_flow import ACTIONS, FlowError
from storage.days import day_start

ACTION_HELP = "，".join(f"{a.name}={a.verb}" for a in ACTIONS.values())


def register(sub) -> None:
    group = sub.add_parser("reports", help="社情民意：查看、审核、导出汇编").add_subparsers(dest="action", required=True)

    listing = group.add_parser("list", help="列出社情民意（最新的在前）")
    listing.add_argument("--status", type=REPORTS.parse, metavar="STATUS",
                         help="只列此状态（代码或中文均可）：" + REPORTS.help())
    listing.add_argument("--from", dest="start", type=_day, metavar="YYYY-MM-DD", help="提交日期起 YYYY-MM-DD")
    listing.add_argument("--to", dest="end", type=_day, metavar="YYYY-MM-DD", help="提交日期止 YYYY-MM-DD（含当天）")
    listing.add_argument("--limit", type=int, default=100, help="最多列出条数，默认 100")
    listing.set_defaults(handler=cmd_list)

    show = group.add_parser("show", help="查看一条社情民意的全文和处理历史")
    show.add_argument("id", metavar="ID", help="编号，如 SQ2026-0012")
    show.set_defaults(handler=cmd_show)

    rev = group.add_parser("review", help="审核处理一条社情民意，并通知委员")
    rev.add_argument("id", metavar="ID", help="编号，如 SQ2026-0012")
    rev.add_argument("--action", required=True, choices=list(ACTIONS), help=ACTION_HELP)
    rev.add_argument("--note", default="", metavar="TEXT", help="说明：退回理由、批示内容、办理结果（这三种必填）")
    rev.add_argument("--to", default="", metavar="WHOM", help="报送单位（forward），或批示领导（instruct），如 市长")
    rev.add_argument("--level", default="", metavar="LEVEL", help="批示级别（instruct），如 市级；省略时按领导职务推断")
    rev.add_argument("--into", default="", metavar="ID", help="合并到的编号（merge）")
    rev.add_argument("--by", default="工作人员", metavar="NAME", help="经办人姓名，记入处理历史")
    rev.set_defaults(handler=cmd_review)

    for name, field, label, example in (("retitle", "title", "新标题", "富兴街道路灯不亮"),
                                        ("recategorise", "category", "新分类", "城乡建设")):
        edit = group.add_parser(name, help=f"修改一条社情民意的{label[1:]}（委员原文保留在处理历史中）")
        edit.add_argument("id", metavar="ID", help="编号，如 SQ2026-0012")
        edit.add_argument("value", metavar=label, help=f"{label}，如 {example}")
        edit.add_argument("--by", default="工作人员", metavar="NAME", help="经办人姓名，记入处理历史")
        edit.set_defaults(handler=cmd_edit, field=field)

    export = group.add_parser("export", help="导出社情民意信息汇编（按分类编排）")
    export.add_argument("--from", dest="start", type=_day, required=True, metavar="YYYY-MM-DD", help="提交日期起 YYYY-MM-DD")
    export.add_argument("--to", dest="end", type=_day, required=True, metavar="YYYY-MM-DD",
                        help="提交日期止 YYYY-MM-DD（含当天）")
    export.add_argument("--format", choices=["xlsx", "docx"], required=True, help="xlsx 表格或 docx 文档")
    export.add_argument("--out", metavar="FILE", help="输出文件，默认 社情民意汇编-起-止.xlsx/docx")
    export.add_argument("--status", type=REPORT_SCOPES.parse, default="adopted", metavar="STATUS",
                        help="汇编范围（代码或中文均可，默认 adopted）：" + REPORT_SCOPES.help())
    export.set_defaults(handler=cmd_export)


def cmd_list(args) -> int:
    rt = runtime_for_cli()
    since = day_start(args.start, rt.tz) if args.start else None
    until = day_start(args.end + timedelta(days=1), rt.tz) if args.end else None
    with rt.db.session() as session:
        found = reports.listing(session, status=args.status, since=since, until=until, limit=args.limit)
        if not found:
            print("没有符合条件的社情民意")
        for r in found:
            submitted = rt.local(r.created_at).strftime("%Y-%m-%d %H:%M")
            print(f"{r.receipt_no}\t{submitted}\t{r.status}\t{r.category}\t{r.district or '—'}\t"
                  f"{r.member.name}\t{r.title}")
    return 0


def cmd_show(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        report = _guard(lambda: find(session, args.id))
        print(view_text(session, report, rt.tz))
        for item in report.attachments:
            stored = media.stored_file(rt, item)
            saved = f" 已保存：{stored}" if stored else (f" 下载失败：{item.fetch_error}" if item.fetch_error else "")
            print(f"附件：{item.kind} {item.url or item.media_id} {item.text}".rstrip() + saved)
    return 0


def cmd_review(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        outcome = _guard(lambda: review(session, args.id, args.action, actor=args.by, now=rt.now(), note=args.note,
                                        to=args.to, level=args.level, into=args.into))
        member = outcome.report.member.name
        notified = (replies.STAFF_NOTIFIED if outcome.notified else replies.STAFF_NOT_NOTIFIED).format(member=member)
        print(replies.STAFF_DONE.format(verb=ACTIONS[args.action].verb, receipt=outcome.report.receipt_no,
                                        title=outcome.report.title, status=outcome.report.status,
                                        notified=notified))
    return 0


def cmd_edit(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        done = _guard(lambda: edit(session, args.id, args.field, args.value, actor=args.by, now=rt.now(),
                                   categories=rt.config.reports.categories))
        what = replies.REPORT_FIELD_NAMES[args.field]
        new = getattr(done.report, args.field)
        template = replies.STAFF_EDITED if done.changed else replies.STAFF_EDIT_SAME
        print(template.format(receipt=done.report.receipt_no, what=what, old=done.old, new=new))
    return 0


def cmd_export(args) -> int:
    if args.end < args.start:
        raise CliError("结束日期不能早于开始日期")
    out = args.out or f"社情民意汇编-{args.start}-{args.end}.{args.format}"
    rt = runtime_for_cli()
    title = title_for(args.start, args.end)
    with rt.db.session() as session:
        entries = collect(session, args.start, args.end, rt.tz, rt.config.reports.categories, args.status)
    if args.format == "xlsx":
        write_xlsx(entries, out, title)
    else:
        write_docx(entries, out, title, rt.config.org.name, rt.now().date())
    print(f"已导出{title}，共 {len(entries)} 条：{out}")
    return 0


def _guard(run):
    try:
        return run()
    except FlowError as exc:
        cli_text = CLI_FLOW_ERRORS.get(exc.code)
        raise CliError(cli_text.format(actions=ACTION_HELP, **exc.params) if cli_text else error_text(exc)) from None


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from None
