"""Parse staff-typed local times for CLI options."""
from __future__ import annotations

import argparse
from datetime import date, datetime


def local_time(tz):
    """argparse type: 'YYYY-MM-DD HH:MM' in the organisation's timezone -> aware datetime."""
    def parse(value: str) -> datetime:
        for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
            try:
                return datetime.strptime(value.strip(), fmt).replace(tzinfo=tz)
            except ValueError:
                continue
        raise argparse.ArgumentTypeError(f"时间格式应为 YYYY-MM-DD HH:MM：{value}")
    return parse


def day(value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from None
