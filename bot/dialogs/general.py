"""Help (a numbered menu), small talk, emoji and anything not understood."""
from __future__ import annotations

import intents
from bot import replies
from bot.dialogs import clarify
from bot.dialogs.base import Done, Transition, Turn


def help_menu(turn: Turn, slots: dict) -> Transition:
    staff = turn.member is not None and turn.member.is_staff
    return clarify.menu(replies.HELP + (replies.STAFF_HELP_SUFFIX if staff else ""))


def not_understood(turn: Turn, slots: dict) -> Transition:
    if intents.is_only_emoji_or_sticker(turn.text):
        return Done(replies.EMOJI)
    if intents.is_thanks(turn.text):
        return Done(replies.THANKS)
    return Done(replies.NOT_UNDERSTOOD)
