"""Help, small talk and anything not understood."""
from __future__ import annotations

from bot import replies
from bot.dialogs.base import Turn

THANKS_WORDS = ("谢谢", "感谢", "辛苦", "多谢", "好的", "收到")


def help_menu(turn: Turn, slots: dict) -> str:
    staff = turn.member is not None and turn.member.is_staff
    return replies.HELP + (replies.STAFF_HELP_SUFFIX if staff else "")


def not_understood(turn: Turn, slots: dict) -> str:
    if len(turn.text) <= 8 and any(word in turn.text for word in THANKS_WORDS):
        return replies.THANKS
    return replies.NOT_UNDERSTOOD
