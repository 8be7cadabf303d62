"""`python -m bot …`: the ops command line. Each module in COMMANDS adds one command group."""
from __future__ import annotations

import argparse
import importlib
import sys
import warnings

warnings.filterwarnings("ignore", message=".*pkg_resources.*", category=DeprecationWarning)

# module name -> registers its subcommands with `register(subparsers)`
COMMANDS = ["members", "activities", "export", "chat", "demo", "worker", "digest", "reports", "messages", "console",
            "menu", "proposals"]


class CliError(Exception):
    """A user-facing error: printed without a traceback, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="政协委员履职助手 运维命令")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"bot.cli.{name}").register(sub)
    return parser


_opened: list = []  # runtimes opened by the running command, closed when it ends
clock = None  # tests may pin the commands' clock (a callable returning an aware datetime)


def main(argv: list[str] | None = None) -> int:
    from bot.config import ConfigError

    try:
        args = build_parser().parse_args(argv)
        return args.handler(args) or 0
    except (CliError, ConfigError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    finally:
        while _opened:
            _opened.pop().db.dispose()


def runtime_for_cli(migrate: bool = True):
    """The CLI uses the same config/database as the server; connections close when the command ends."""
    from bot.runtime import build_runtime

    rt = build_runtime(migrate=migrate, clock=clock)
    _opened.append(rt)
    return rt
