"""我的履职: this year's counts for the member."""
from __future__ import annotations

from dataclasses import asdict

from bot import replies
from bot.dialogs.base import Turn
from storage import records


def show(turn: Turn, slots: dict) -> str:
    year = turn.now.year
    counts = records.member_year(turn.session, turn.member, year, turn.rt.tz)
    return replies.RECORD.format(name=turn.member.name, year=year, **asdict(counts))
