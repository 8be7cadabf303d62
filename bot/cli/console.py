"""`python -m bot console passwd PHONE [--admin]`: a staff roster entry's login to the web console.

The password is read from a prompt (asked twice) or, when stdin is not a terminal, from its first line;
never from the command line, where it would end up in the shell history and the process list.
"""
from __future__ import annotations

import getpass
import sys

from bot.cli import CliError, runtime_for_cli
from bot.console import audit
from bot.console.wording import CLI
from storage.console_accounts import AccountError, set_password


def register(sub) -> None:
    group = sub.add_parser("console", help=CLI["help"], description=CLI["help"])
    actions = group.add_subparsers(dest="console_command", required=True, metavar="ACTION")
    passwd = actions.add_parser("passwd", help=CLI["passwd_help"], description=CLI["passwd_help"])
    passwd.add_argument("phone", metavar="PHONE", help=CLI["phone_help"])
    passwd.add_argument("--admin", action="store_true", help=CLI["admin_help"])
    passwd.set_defaults(handler=passwd_command)


def passwd_command(args) -> int:
    rt = runtime_for_cli()
    password = _read_password()
    min_length = int(rt.config.console.password_min_length)
    with rt.db.session() as session:
        try:
            account, created = set_password(session, args.phone, password, admin=args.admin, now=rt.now(),
                                            min_length=min_length)
        except AccountError as exc:
            raise CliError(CLI[exc.code].format(phone=args.phone, n=min_length)) from None
        member = account.member
        role = CLI["role_admin"] if account.is_admin else CLI["role_staff"]
        audit.record(session, CLI["actor"], "account.password", "account", member.phone, now=rt.now(),
                     after={"is_admin": account.is_admin})
        print(CLI["created" if created else "changed"].format(name=member.name, phone=member.phone, role=role))
    return 0


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass(CLI["prompt"])
        if getpass.getpass(CLI["prompt_again"]) != first:
            raise CliError(CLI["mismatch"])
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise CliError(CLI["empty"])
    return password
