"""CLI: `python -m intents parse [--now ISO]` (stdin lines -> JSON lines); `python -m intents evaluate FILE`."""
import argparse
import json
import sys
from datetime import datetime

from . import parse, warm_up

DEFAULT_NOW = "2026-11-26T10:00:00+08:00"


def _parse_cmd(args) -> int:
    now = datetime.fromisoformat(args.now) if args.now else datetime.now().astimezone()
    warm_up()
    for line in sys.stdin:
        line = line.rstrip("\n")
        if not line.strip():
            continue
        print(json.dumps(parse(line, now).to_dict(), ensure_ascii=False), flush=True)
    return 0


def _evaluate_cmd(args) -> int:
    from .evaluate import evaluate_dev, evaluate_file, format_report
    report = evaluate_dev(args.verbose) if args.dev else evaluate_file(args.file, verbose=args.verbose)
    print(format_report(report))
    return 0


def _calibrate_cmd(args) -> int:
    from .evaluate import fit_temperature
    print(f"fitted intent temperature (dev split, train-split model): {fit_temperature():.2f}")
    return 0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m intents")
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("parse", help="parse stdin lines to JSON lines")
    p.add_argument("--now", help=f"ISO datetime with offset (default: current time), e.g. {DEFAULT_NOW}")
    p.set_defaults(func=_parse_cmd)
    e = sub.add_parser("evaluate", help="score a labelled JSONL file")
    e.add_argument("file", nargs="?")
    e.add_argument("--dev", action="store_true", help="train without the dev split of data/train.jsonl and score it")
    e.add_argument("-v", "--verbose", action="store_true", help="list the errors")
    e.set_defaults(func=_evaluate_cmd)
    c = sub.add_parser("calibrate", help="fit the softmax temperature on the dev split (set model.INTENT_TEMPERATURE)")
    c.set_defaults(func=_calibrate_cmd)
    args = ap.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
