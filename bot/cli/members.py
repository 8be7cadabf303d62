"""`python -m bot members …`: import the roster, list members, release a WeChat binding."""
from __future__ import annotations

import argparse
import sys
import unicodedata
from datetime import date, datetime, time, timedelta
from pathlib import Path

from bot.cli import CliError, runtime_for_cli
from bot.wording.cli import MEMBERS as TEXT, MEMBER_BINDING as BINDING_TEXT
from bot.member_admin import unbind
from storage import members as roster
from storage.models import Member
from storage.roster import RosterError, district_in, normalize_phone, normalize_role, read_roster, upsert_members
from storage.statuses import MemberRole



def register(subparsers) -> None:
    parser = subparsers.add_parser("members", help=TEXT["help"], description=TEXT["help"])
    sub = parser.add_subparsers(dest="members_command", required=True, metavar="ACTION")

    imp = sub.add_parser("import", help=TEXT["import_help"], description=TEXT["import_help"])
    imp.add_argument("file", metavar="FILE", help=TEXT["file_help"])
    imp.add_argument("--skip-bad", action="store_true", help=TEXT["skip_help"])
    imp.add_argument("--dry-run", action="store_true", help=TEXT["dry_help"])
    imp.set_defaults(handler=import_command)

    lst = sub.add_parser("list", help=TEXT["list_help"], description=TEXT["list_help"])
    lst.add_argument("--role", help=TEXT["role_help"])
    lst.add_argument("--district", help=TEXT["district_help"])
    lst.add_argument("--unbound", action="store_true", help=TEXT["unbound_help"])
    lst.set_defaults(handler=list_command)

    unb = sub.add_parser("unbind", help=TEXT["unbind_help"], description=TEXT["unbind_help"])
    unb.add_argument("phone", metavar="PHONE", help=TEXT["phone_help"])
    unb.set_defaults(handler=unbind_command)
    register_binding(sub)


def import_command(args: argparse.Namespace) -> int:
    rt = runtime_for_cli()
    try:
        parsed = read_roster(args.file, rt.config.org.districts)
    except RosterError as exc:
        raise CliError(str(exc)) from None
    print(TEXT["read"].format(file=Path(args.file).name, valid=len(parsed.rows), bad=len(parsed.bad)))
    for bad in parsed.bad:
        print(TEXT["bad_row"].format(line=bad.line, reason=bad.reason))
    if parsed.bad and not args.skip_bad:
        sys.stdout.flush()  # the row list comes before the error line
        raise CliError(TEXT["not_imported"].format(bad=len(parsed.bad)))
    with rt.db.sessions() as session:  # one transaction: all rows or none
        counts = upsert_members(session, parsed.rows)
        if args.dry_run:
            session.rollback()
        else:
            session.commit()
    prefix = TEXT["dry_prefix"] if args.dry_run else TEXT["done_prefix"]
    print(TEXT["summary"].format(prefix=prefix, created=counts.created, updated=counts.updated,
                                 unchanged=counts.unchanged, skipped=len(parsed.bad)))
    return 0


def list_command(args: argparse.Namespace) -> int:
    rt = runtime_for_cli()
    districts = list(rt.config.org.districts)
    role = district = None
    if args.role:
        role = normalize_role(args.role)
        if role is None or not args.role.strip():
            raise CliError(TEXT["bad_role"].format(value=args.role))
    if args.district:
        district = district_in(args.district.strip(), districts)
        if district is None:
            raise CliError(TEXT["bad_district"].format(value=args.district))
    with rt.db.session() as session:
        members = roster.search(session, role=role, district=district, bound=False if args.unbound else None)
    members.sort(key=lambda m: (m.is_demo, m.role != MemberRole.MEMBER, _rank(m.district, districts), m.id))
    print(format_members(members))
    return 0


def unbind_command(args: argparse.Namespace) -> int:
    phone = normalize_phone(args.phone)
    if phone is None:
        raise CliError(TEXT["bad_phone"].format(value=args.phone))
    rt = runtime_for_cli()
    with rt.db.session() as session:
        member = roster.by_phone(session, phone)
        if member is None:
            raise CliError(TEXT["no_member"].format(phone=phone))
        if not unbind(rt, member):
            print(TEXT["not_bound"].format(name=member.name, phone=phone))
            return 0
    print(TEXT["unbound"].format(name=member.name, phone=phone))
    return 0


def format_members(members: list[Member]) -> str:
    """An aligned table (CJK characters count double) followed by totals."""
    if not members:
        return TEXT["empty"]
    rows = [TEXT["columns"]] + [
        (m.name + (TEXT["demo_mark"] if m.is_demo else ""), m.phone, m.sector, m.district,
         TEXT["roles"].get(m.role, m.role),
         TEXT["yes"] if m.openid else TEXT["no"]) for m in members]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(_pad(cell, width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    bound = sum(1 for m in members if m.openid)
    demo = sum(1 for m in members if m.is_demo)
    lines.append(TEXT["total"].format(total=len(members), bound=bound, unbound=len(members) - bound)
                 + (TEXT["demo_total"].format(demo=demo) if demo else ""))
    return "\n".join(lines)


def _rank(district: str, districts: list[str]) -> int:
    return districts.index(district) if district in districts else len(districts)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


# --- binding codes and attempts (issue 10) ------------------------------------------------------------



def register_binding(sub) -> None:
    code = sub.add_parser("code", help=BINDING_TEXT["code_help"], description=BINDING_TEXT["code_help"])
    code.add_argument("phone", metavar="PHONE", help=TEXT["phone_help"])
    code.add_argument("--hours", type=float, default=None, help=BINDING_TEXT["hours_help"])
    code.set_defaults(handler=code_command)
    att = sub.add_parser("attempts", help=BINDING_TEXT["attempts_help"], description=BINDING_TEXT["attempts_help"])
    att.add_argument("--since", help=BINDING_TEXT["since_help"])
    att.set_defaults(handler=attempts_command)


def code_command(args: argparse.Namespace) -> int:
    from storage import binding

    phone = normalize_phone(args.phone)
    if phone is None:
        raise CliError(TEXT["bad_phone"].format(value=args.phone))
    rt = runtime_for_cli()
    hours = args.hours if args.hours is not None else rt.config.binding.code_hours
    if hours <= 0:
        raise CliError(BINDING_TEXT["bad_hours"])
    now = rt.now()
    with rt.db.session() as session:
        member = roster.by_phone(session, phone)
        if member is None:
            raise CliError(TEXT["no_member"].format(phone=phone))
        issued = binding.issue_code(session, member, now, hours)
        name = member.name
    until = (now + timedelta(hours=hours)).strftime("%Y-%m-%d %H:%M")
    print(BINDING_TEXT["code"].format(name=name, phone=phone, code=issued, until=until))
    return 0


def attempts_command(args: argparse.Namespace) -> int:
    from storage import binding

    rt = runtime_for_cli()
    since_day = _since_day(args.since, rt.now().date())
    since = datetime.combine(since_day, time.min, tzinfo=rt.tz)
    threshold = rt.config.binding.flag_failures
    with rt.db.session() as session:
        lines = binding.attempts_since(session, since)
        flagged = binding.flagged_entries(session, since, rt.now() + timedelta(days=1), threshold)
    if not lines:
        print(BINDING_TEXT["none"].format(since=since_day.isoformat()))
        return 0
    rows = [BINDING_TEXT["columns"]] + [
        (rt.local(a.at).strftime("%Y-%m-%d %H:%M:%S"), a.openid,
         f"{a.name} {binding.mask_phone(a.phone)}" if a.name else BINDING_TEXT["unknown_entry"],
         binding.OUTCOME_WORDS.get(a.outcome, a.outcome)) for a in lines]
    widths = [max(_width(row[i]) for row in rows) for i in range(len(rows[0]))]
    print("\n".join("  ".join(_pad(cell, width) for cell, width in zip(row, widths)).rstrip() for row in rows))
    failed = sum(1 for a in lines if a.outcome not in ("bound", "already_bound"))
    print(BINDING_TEXT["total"].format(n=len(lines), failed=failed))
    for entry in flagged:
        print(BINDING_TEXT["flagged"].format(name=entry.name, phone=binding.mask_phone(entry.phone),
                                             count=entry.failures))
    return 0


def _since_day(value: str | None, today: date) -> date:
    if not value:
        return today - timedelta(days=7)
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise CliError(BINDING_TEXT["bad_since"].format(value=value)) from None
