"""Staff commands sent over WeChat (采用/退回/报送/批示/办结/合并 …). Members never reach this module."""
from __future__ import annotations

from bot.dialogs.base import Turn


def try_command(turn: Turn) -> str | None:
    """The reply if the message is a staff command, else None (then it is understood as usual)."""
    return None
