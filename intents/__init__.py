"""Understanding CPPCC members' messages: intent + slots. See README.md for the interface."""
from .api import INTENTS, Parse, parse, warm_up
from .commands import (
    MemberCommand, StaffArguments, StaffCommand, activity_scene_code, parse_member_command, parse_staff_command,
    sign_in_code,
)
from .drafting import DraftReply, draft_reply, has_place, is_bare_report_trigger, reply_word, split_suggestion
from .entities import find_receipt, normalize_receipt
from .slots import SLOT_KINDS, extract

__all__ = ["INTENTS", "SLOT_KINDS", "Parse", "parse", "extract", "warm_up",
           # dialog and command understanding (fixed syntax, no classifier)
           "DraftReply", "draft_reply", "reply_word", "is_bare_report_trigger", "has_place", "split_suggestion",
           "StaffCommand", "StaffArguments", "parse_staff_command", "MemberCommand", "parse_member_command",
           "activity_scene_code", "sign_in_code", "find_receipt", "normalize_receipt"]
