"""Staff changes to a roster entry that reach beyond the database row (CLI `members unbind`, the console)."""
from __future__ import annotations

from bot.dialogs.base import clear_state
from bot.runtime import Runtime
from storage.models import Member


def unbind(rt: Runtime, member: Member) -> bool:
    """Release the entry's WeChat account (False if none was bound); an unfinished dialog goes with it."""
    if member.openid is None:
        return False
    clear_state(rt, member.openid)
    member.openid = None
    member.bound_at = None
    return True
