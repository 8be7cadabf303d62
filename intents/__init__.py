"""Understanding CPPCC members' messages: intent + slots. See README.md for the interface."""
from .api import INTENTS, Parse, is_plain_checkin, parse, warm_up
from .commands import (
    ActivityCommand, MemberCommand, StaffArguments, StaffCommand, activity_codes, activity_scene_code, menu_intent,
    parse_activity_command, parse_member_command, parse_sign_in_command, parse_staff_command, sign_in_code,
)
from .conversation import (
    Edit, category_of, choice, is_cancel, is_confirm, is_only_emoji_or_sticker, is_question, is_sign_me_up, is_thanks,
    parse_edit,
)
from .drafting import DraftReply, draft_reply, has_place, is_bare_report_trigger, reply_word, split_suggestion
from .entities import find_receipt, normalize_receipt
from .normalize import normalize, strip_emoji
from .slots import SLOT_KINDS, extract

__all__ = ["INTENTS", "SLOT_KINDS", "Parse", "parse", "is_plain_checkin", "extract", "warm_up", "normalize", "strip_emoji",
           # dialog and command understanding (fixed syntax, no classifier)
           "DraftReply", "draft_reply", "reply_word", "is_bare_report_trigger", "has_place", "split_suggestion",
           "StaffCommand", "StaffArguments", "parse_staff_command", "MemberCommand", "parse_member_command",
           # reading replies inside a dialog (conversation.py)
           "is_cancel", "is_confirm", "is_sign_me_up", "Edit", "parse_edit", "category_of", "choice", "is_question", "is_thanks",
           "is_only_emoji_or_sticker",
           "activity_scene_code", "sign_in_code", "find_receipt", "normalize_receipt",
           "normalize", "activity_codes", "ActivityCommand", "parse_activity_command", "parse_sign_in_command", "menu_intent"]
