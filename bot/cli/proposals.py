"""`python -m bot proposals list|show|review|assign|reply|urge|collective|units|export`: staff handle 提案.

Every change goes through bot/proposal_review.py (the flow table + the notices), like the WeChat commands.
"""
from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from bot import proposal_export, proposal_review, replies, reply_files
from bot.cli import CliError, runtime_for_cli
from bot.cli.vocab import Vocabulary
from storage import proposals
from storage.proposal_flow import ACTIONS, FlowError
from storage.proposals import COLLECTIVE_KINDS, UnitRole
from storage.statuses import HandlingRole, ProposalState, ReplyChannel, ReplyOutcome

STATES = Vocabulary(replies.PROPOSAL_STATE_LABELS)
ROLES = Vocabulary(replies.PROPOSAL_ROLE_LABELS)
CHANNELS = Vocabulary(replies.PROPOSAL_CHANNEL_LABELS)
REVIEW_ACTIONS = [a.name for a in ACTIONS.values() if a.verb and a.name not in ("assign", "reply", "urge")]
REPLY_FILE_ERRORS = {"type": "答复函只能是这些格式：{types}", "large": "答复函不能超过 {mb} MB", "empty": "答复函是空文件"}
ACTION_HELP = "，".join(f"{name}={ACTIONS[name].verb}" for name in REVIEW_ACTIONS)


def register(sub) -> None:
    group = sub.add_parser("proposals", help="提案：查看、审查、交办、办复、督办、集体提案、导出") \
        .add_subparsers(dest="action", required=True)

    listing = group.add_parser("list", help="列出提案（最新的在前）")
    listing.add_argument("--state", type=STATES.parse, metavar="STATE", help="只列此状态（代码或中文均可）：" + STATES.help())
    listing.add_argument("--year", type=int, help="提交年份")
    listing.add_argument("--session", help="届次会议，如 八届三次")
    listing.add_argument("--unit", help="承办单位")
    listing.add_argument("--overdue", action="store_true", help="只列承办单位已超期未办复的（督办）")
    listing.add_argument("--limit", type=int, default=100, help="最多列出件数，默认 100")
    listing.set_defaults(handler=cmd_list)

    show = group.add_parser("show", help="查看一件提案的全文、承办单位和处理历史")
    show.add_argument("id", metavar="ID", help="编号，如 TA2026-0001")
    show.set_defaults(handler=cmd_show)

    rev = group.add_parser("review", help="审查处理一件提案（立案、不立案、退回、并案、办结、重点、优秀），并通知提案人和联名人")
    rev.add_argument("id", metavar="ID", help="编号，如 TA2026-0001")
    rev.add_argument("--action", required=True, choices=REVIEW_ACTIONS, help=ACTION_HELP)
    rev.add_argument("--note", default="", metavar="TEXT", help="说明：不立案理由、退回意见（这两种必填）")
    rev.add_argument("--into", default="", metavar="ID", help="并案到的编号（merge）")
    rev.add_argument("--to-report", action="store_true", help="不立案时转为社情民意（reject）")
    rev.add_argument("--by", default="工作人员", metavar="NAME", help="经办人姓名，记入处理历史")
    rev.set_defaults(handler=cmd_review)

    assign = group.add_parser("assign", help="交办：主办单位一个，协办/会办可多个")
    assign.add_argument("id", metavar="ID", help="编号，如 TA2026-0001")
    assign.add_argument("--lead", required=False, default="", metavar="UNIT", help="主办单位")
    assign.add_argument("--assist", action="append", default=[], metavar="UNIT", help="协办单位（可重复）")
    assign.add_argument("--joint", action="append", default=[], metavar="UNIT", help="会办单位（可重复）")
    assign.add_argument("--deadline", type=_day, metavar="YYYY-MM-DD",
                        help="办理期限，省略时为今天起 proposals.deadline_days 天")
    assign.add_argument("--by", default="工作人员", metavar="NAME", help="经办人姓名")
    assign.set_defaults(handler=cmd_assign)

    reply = group.add_parser("reply", help="办复：登记承办单位的答复（主办单位办复后请提案人评价）")
    reply.add_argument("id", metavar="ID", help="编号，如 TA2026-0001")
    reply.add_argument("--unit", required=True, metavar="UNIT", help="承办单位")
    reply.add_argument("--outcome", required=True, choices=list(ReplyOutcome),
                       help="办理结果：" + " / ".join(replies.PROPOSAL_OUTCOME_LABELS.values()))
    reply.add_argument("--channel", required=True, type=CHANNELS.parse, metavar="CHANNEL",
                       help="沟通方式（代码或中文均可）：" + CHANNELS.help())
    reply.add_argument("--text", default="", metavar="TEXT", help="答复内容（或摘要）")
    reply.add_argument("--file", default="", metavar="PATH", help="答复函文件的存放路径")
    reply.add_argument("--by", default="工作人员", metavar="NAME", help="经办人姓名")
    reply.set_defaults(handler=cmd_reply)

    urge = group.add_parser("urge", help="督办：记入处理历史，并打印转给承办单位联系人的督办文字")
    urge.add_argument("id", metavar="ID", nargs="?", help="编号；省略时列出所有超期未办复的提案")
    urge.add_argument("--note", default="", metavar="TEXT", help="督办说明")
    urge.add_argument("--by", default="工作人员", metavar="NAME", help="经办人姓名")
    urge.set_defaults(handler=cmd_urge)

    collective = group.add_parser("collective", help="录入集体提案（界别、党派、专委会）")
    collective.add_argument("--author", required=True, metavar="NAME", help="提案者，如 民盟鄂尔多斯市委员会")
    collective.add_argument("--kind", required=True, choices=COLLECTIVE_KINDS, help="提案者类别")
    collective.add_argument("--title", required=True, metavar="TEXT", help="案由")
    collective.add_argument("--analysis", required=True, metavar="TEXT", help="情况分析")
    collective.add_argument("--suggestions", required=True, metavar="TEXT", help="具体建议（分条：1. … 2. …）")
    collective.add_argument("--category", required=True, metavar="CATEGORY", help="分类（proposals.categories）")
    collective.add_argument("--by", default="工作人员", metavar="NAME", help="经办人姓名")
    collective.set_defaults(handler=cmd_collective)

    units = group.add_parser("units", help="列出承办单位（config.yaml proposals.units）")
    units.set_defaults(handler=cmd_units)

    export = group.add_parser("export", help="导出提案汇编（docx/xlsx）或办理情况统计（xlsx/docx），按年度或届次会议")
    export.add_argument("--kind", choices=proposal_export.KINDS, default="compilation",
                        help="compilation=提案汇编，statistics=办理情况统计")
    export.add_argument("--year", type=int, help="提交年份")
    export.add_argument("--session", help="届次会议，如 八届三次")
    export.add_argument("--format", choices=proposal_export.FORMATS, required=True, help="docx 或 xlsx")
    export.add_argument("--scope", choices=list(proposal_export.SCOPES), default="registered",
                        help="汇编范围：registered=立案及以后（默认），all=全部")
    export.add_argument("--out", metavar="FILE", help="输出文件，默认 提案汇编-年度.docx 等")
    export.set_defaults(handler=cmd_export)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from None


def _guard(run):
    try:
        return run()
    except FlowError as exc:
        raise CliError(proposal_review.error_text(exc)) from None


def cmd_list(args) -> int:
    rt = runtime_for_cli()
    today = rt.now().date()
    filters = proposals.Filters(state=args.state, year=args.year, session_label=args.session, unit=args.unit,
                                overdue_on=today if args.overdue else None)
    with rt.db.session() as session:
        found, total = proposals.search(session, filters, limit=args.limit)
        if not found:
            print("没有符合条件的提案")
        for p in found:
            submitted = rt.local(p.created_at).strftime("%Y-%m-%d")
            units = "、".join(a.unit for a in proposals.current_assignments(p)) or "—"
            print(f"{p.receipt_no}\t{submitted}\t{proposal_review.state_label(p)}\t{p.category}\t"
                  f"{p.authors_text}\t{units}\t{p.title}")
        if total > len(found):
            print(f"……共 {total} 件，只列出 {len(found)} 件")
    return 0


def cmd_show(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        proposal = _guard(lambda: proposal_review.find(session, args.id))
        print(proposal_review.view_text(session, proposal, rt.tz, text_max=None))
        for item in proposal.replies:
            file = f"\n  答复函：{item.file_path}" if item.file_path else ""
            print(f"办复（第{item.round}轮）{item.unit} {replies.PROPOSAL_OUTCOME_LABELS[item.outcome]} "
                  f"{replies.PROPOSAL_CHANNEL_LABELS[item.channel]}：{item.text}{file}")
        for verdict in proposal.verdicts:
            print(f"评价（第{verdict.round}轮）：{replies.PROPOSAL_VERDICT_LABELS[verdict.verdict]} {verdict.reason}".rstrip())
    return 0


def _done(outcome, verb: str) -> None:
    notified = (replies.PROPOSAL_STAFF_NOTIFIED.format(n=outcome.notified) if outcome.notified
                else replies.PROPOSAL_STAFF_NOT_NOTIFIED)
    if outcome.text and verb != "督办":
        notified += replies.PROPOSAL_STAFF_TO_REPORT.format(report=outcome.text)
    print(replies.PROPOSAL_STAFF_DONE.format(verb=verb, receipt=outcome.proposal.receipt_no,
                                             title=outcome.proposal.title,
                                             state=proposal_review.state_label(outcome.proposal), notified=notified))


def cmd_review(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        outcome = _guard(lambda: proposal_review.review(
            session, args.id, args.action, actor=args.by, now=rt.now(), config=rt.config, note=args.note,
            into=args.into, to_report=args.to_report))
        _done(outcome, ACTIONS[args.action].verb)
    return 0


def cmd_assign(args) -> int:
    units = ([UnitRole(args.lead, HandlingRole.LEAD)] if args.lead else []) + \
        [UnitRole(u, HandlingRole.ASSIST) for u in args.assist] + [UnitRole(u, HandlingRole.JOINT) for u in args.joint]
    if not units:
        raise CliError("请用 --lead 写明主办单位（--assist、--joint 可写协办、会办单位）")
    rt = runtime_for_cli()
    with rt.db.session() as session:
        outcome = _guard(lambda: proposal_review.assign(session, args.id, units, actor=args.by, now=rt.now(),
                                                        config=rt.config, deadline=args.deadline))
        _done(outcome, "交办")
    return 0


def cmd_reply(args) -> int:
    if args.file and not Path(args.file).is_file():
        raise CliError(f"找不到答复函文件：{args.file}")
    rt = runtime_for_cli()
    stored = _store_letter(rt, Path(args.file)) if args.file else ""
    with rt.db.session() as session:
        outcome = _guard(lambda: proposal_review.reply(
            session, args.id, unit=args.unit, text=args.text, channel=args.channel, outcome=args.outcome,
            actor=args.by, now=rt.now(), file_path=stored))
        _done(outcome, "办复")
    return 0


def _store_letter(rt, path: Path) -> str:
    """A copy of the reply letter under media.dir (bot/reply_files), where the console serves it from."""
    try:
        return reply_files.store(rt, path.read_bytes(), path.name)[0]
    except reply_files.Refused as exc:
        raise CliError(REPLY_FILE_ERRORS[exc.code].format(types="、".join(reply_files.EXTENSIONS),
                                                          mb=rt.config.media.max_bytes // (1024 * 1024))) from None


def cmd_urge(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        if not args.id:
            late = proposals.overdue(session, rt.now().date())
            if not late:
                print("没有超期未办复的提案")
            for p in late:
                units = "、".join(f"{a.unit}（{a.deadline}）" for a in proposals.overdue_units(p, rt.now().date()))
                print(f"{p.receipt_no}\t{p.authors_text}\t{units}\t{p.title}")
            return 0
        if not args.note.strip():
            raise CliError("请用 --note 写明督办说明")
        outcome = _guard(lambda: proposal_review.urge(session, args.id, note=args.note, actor=args.by, now=rt.now(),
                                                      config=rt.config))
        print(replies.PROPOSAL_STAFF_URGED.format(receipt=outcome.proposal.receipt_no, text=outcome.text))
    return 0


def cmd_collective(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        proposal = _guard(lambda: proposal_review.create_collective(
            session, collective_author=args.author, collective_kind=args.kind, title=args.title,
            analysis=args.analysis, suggestions=args.suggestions, category=args.category, actor=args.by,
            now=rt.now(), config=rt.config))
        print(f"已录入集体提案 {proposal.receipt_no}《{proposal.title}》（{proposal.collective_author}），状态："
              f"{replies.PROPOSAL_STATE_LABELS[ProposalState.SUBMITTED]}")
    return 0


def cmd_units(args) -> int:
    rt = runtime_for_cli(migrate=False)
    for unit in rt.config.proposals.units:
        print(unit)
    return 0


def cmd_export(args) -> int:
    if args.year is None and not args.session:
        raise CliError("请用 --year 或 --session 指定导出范围")
    rt = runtime_for_cli()
    period = proposal_export.Period(year=args.year, session=args.session)
    out = Path(args.out or proposal_export.file_name(args.kind, args.format, period))
    with rt.db.session() as session:
        data, title, count = proposal_export.export_bytes(
            session, args.kind, args.format, period, tz=rt.tz, today=rt.now().date(), org=rt.config.org.name,
            categories=rt.config.proposals.categories, scope=args.scope)
    out.write_bytes(data)
    print(f"已导出《{title}》：{count} 件提案 → {out}")
    return 0
