"""`python -m bot worker` (sender + scheduler) and `python -m bot outbox list|retry` for staff."""
from __future__ import annotations

import logging

from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import WORKER as TEXT
from bot.cli.vocab import OUTBOX
from storage import outbox as outbox_rows
from storage.models import OutboxMessage
from storage.statuses import OutboxChannel, OutboxStatus



def register(subparsers) -> None:
    worker = subparsers.add_parser("worker", help=TEXT["worker_help"], description=TEXT["worker_help"])
    worker.add_argument("--once", action="store_true", help=TEXT["once_help"])
    worker.add_argument("--jobs", default="", help=TEXT["jobs_help"])
    worker.set_defaults(handler=worker_command)

    box = subparsers.add_parser("outbox", help=TEXT["outbox_help"], description=TEXT["outbox_help"])
    sub = box.add_subparsers(dest="outbox_command", required=True, metavar="ACTION")
    lst = sub.add_parser("list", help=TEXT["list_help"], description=TEXT["list_help"])
    lst.add_argument("--status", type=OUTBOX.parse, metavar="STATUS",
                     help=TEXT["status_help"].format(statuses=OUTBOX.help()))
    lst.add_argument("--limit", type=int, default=20, help=TEXT["limit_help"])
    lst.set_defaults(handler=list_command)
    retry = sub.add_parser("retry", help=TEXT["retry_help"], description=TEXT["retry_help"])
    retry.add_argument("id", type=int, metavar="ID", help=TEXT["id_help"])
    retry.set_defaults(handler=retry_command)


def worker_command(args) -> int:
    from bot import worker

    only = [name.strip() for name in args.jobs.split(",") if name.strip()]
    unknown = sorted(set(only) - set(worker.JOB_NAMES))
    if unknown:
        raise CliError(TEXT["bad_job"].format(names=", ".join(unknown), known=", ".join(worker.JOB_NAMES)))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    rt = runtime_for_cli()
    if args.once:
        print(worker.run_once(rt).summary())
        return 0
    worker.run_worker(rt, worker.default_jobs(rt, only or None))
    return 0


def list_command(args) -> int:
    rt = runtime_for_cli()
    with rt.db.session() as session:
        rows = outbox_rows.latest(session, args.limit, args.status)
    if not rt.config.wechat.has_credentials:
        print(TEXT["unconfigured"])
    if not rows:
        print(TEXT["empty"])
        return 0
    print(TEXT["columns"])
    for row in rows:
        print(_line(rt, row))
    return 0


def _line(rt, row: OutboxMessage) -> str:
    when = row.sent_at if row.sent_at and row.status != OutboxStatus.PENDING else row.next_attempt_at
    when_text = rt.local(when).strftime("%m-%d %H:%M") if when and when.year > 2000 else "-"
    status = OUTBOX.label(row.status)
    channel = TEXT["channels"].get(row.channel or "", "-")
    note = row.last_error.replace("\n", " ")[:80]
    return (f"{row.id:<5} {status:<8} {row.kind:<10} {channel:<8} {row.openid:<20} "
            f"{row.attempts:<4} {when_text:<16} {note}")


def retry_command(args) -> int:
    from bot import outbox

    rt = runtime_for_cli()
    try:
        outbox.retry(rt, args.id)
    except LookupError:
        raise CliError(TEXT["no_row"].format(id=args.id)) from None
    except ValueError as exc:
        status = OUTBOX.label(str(exc))
        raise CliError(TEXT["not_retryable"].format(id=args.id, status=status)) from None
    print(TEXT["retried"].format(id=args.id))
    return 0
