"""Fixed-syntax commands: staff review (采用 SQ2026-0012 …), members' 修改/附议 by receipt, activity sign-in.

Receipts are returned as typed; normalize_receipt() gives the stored form. The review verbs themselves
(采用, 不采用 …) belong to the workflow table (storage/report_flow.py VERBS); callers pass them in.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable

from .entities import RECEIPT, extract_code
from .normalize import normalize

PENDING_WORDS = frozenset({"待审", "待审核", "待审列表", "待审核社情民意"})
_VIEW = re.compile(rf"查看\s*(?P<receipt>{RECEIPT})")
_MERGE_INTO = re.compile(rf"(?:到|至|并入|入|→|->)?\s*(?P<receipt>{RECEIPT})\s*(?P<rest>.*)", re.S)
_FIRST_WORD = re.compile(r"(?P<word>[^\s:：,，]+)[\s:：,，]*(?P<rest>.*)", re.S)
_LEAD_WORDS = re.compile(r"^(理由|原因|说明|备注|结果|办理结果)[:：\s]*")
_MEMBER = {
    "revise": re.compile(rf"修改\s*(?P<receipt>{RECEIPT})\s*[:：，,]?\s*(?P<rest>.*)", re.S),
    "second": re.compile(rf"附议\s*(?P<receipt>{RECEIPT})\s*"),
}
_SCENE = re.compile(r"^(?:qrscene_)?(A\d+)$", re.IGNORECASE)  # parametric QR scene = activity code
_BARE_CODE = re.compile(r"\d{4}")


@dataclass(frozen=True)
class StaffArguments:
    note: str = ""
    to: str = ""    # 报送: the recipient; 批示: the leader
    into: str = ""  # 合并: the receipt of the report it duplicates, as typed


@dataclass(frozen=True)
class StaffCommand:
    kind: str          # "pending" (待审), "view" (查看 SQ…) or "review" (<verb> SQ… [arguments])
    verb: str = ""     # review: the verb as typed (采用, 不采用 …)
    receipt: str = ""  # view, review: as typed
    rest: str = ""     # review: what follows the receipt, stripped

    def arguments(self, *, to: bool = False, into: bool = False) -> StaffArguments:
        """Read `rest` as the action needs: a recipient/leader first (to), a receipt to merge into (into),
        otherwise all of it is the note (a leading 理由/说明/结果… dropped)."""
        note, recipient, target = _LEAD_WORDS.sub("", self.rest), "", ""
        if to:
            first = _FIRST_WORD.fullmatch(self.rest)
            recipient, note = (first["word"], first["rest"].strip()) if first else ("", "")
        if into:
            merge = _MERGE_INTO.fullmatch(self.rest)
            target, note = (merge["receipt"], merge["rest"].strip()) if merge else ("", "")
        return StaffArguments(note, recipient, target)


@dataclass(frozen=True)
class MemberCommand:
    kind: str      # "revise" (修改 SQ… [new text]) or "second" (附议 SQ…)
    receipt: str   # as typed
    rest: str = ""  # revise: the new text as written, possibly empty


def parse_staff_command(text: str, verbs: Iterable[str]) -> StaffCommand | None:
    """待审, 查看 <receipt>, or <verb> <receipt> [arguments] with one of `verbs`; None for anything else."""
    text = text.strip()
    if text in PENDING_WORDS:
        return StaffCommand("pending")
    view = _VIEW.fullmatch(text)
    if view:
        return StaffCommand("view", receipt=view["receipt"])
    review = _review_pattern(frozenset(verbs))
    command = review.fullmatch(text) if review else None
    if command:
        return StaffCommand("review", command["verb"], command["receipt"], command["rest"].strip())
    return None


@lru_cache(maxsize=8)
def _review_pattern(verbs: frozenset[str]) -> re.Pattern | None:
    if not verbs:
        return None
    words = "|".join(re.escape(v) for v in sorted(verbs, key=lambda v: (-len(v), v)))  # longest first: 不采用
    return re.compile(rf"(?P<verb>{words})\s*(?P<receipt>{RECEIPT})\s*(?P<rest>.*)", re.S)


def parse_member_command(text: str) -> MemberCommand | None:
    """修改 SQ2026-0012 [new text] or 附议 SQ2026-0012; None for anything else."""
    text = text.strip()
    for kind, pattern in _MEMBER.items():
        found = pattern.fullmatch(text)
        if found:
            return MemberCommand(kind, found["receipt"], found.groupdict().get("rest") or "")
    return None


def activity_scene_code(event_key: str | None) -> str | None:
    """The activity code a parametric QR scan names (SCAN: 'A3'; subscribe: 'qrscene_A3'), else None."""
    found = _SCENE.match((event_key or "").strip())
    return found.group(1).upper() if found else None


def sign_in_code(text: str) -> str | None:
    """The check-in code in an answer to 'which code?': 签到 4821, 签到码是4821, a bare 4821 …"""
    found = _BARE_CODE.fullmatch(text.strip())
    return extract_code(normalize(text)) or (found.group() if found else None)


# --- member commands with an activity code or a sign-in code (matched before anything else) ------------

_ACTIVITY_VERBS = {"报名": "signup", "取消报名": "cancel_signup", "请假": "leave"}
_ACTIVITY_COMMAND = re.compile(r"(?P<verb>取消报名|报名|请假)\s*(?P<codes>[Aa]\d{1,4}(?:\s*[,，、和及]?\s*[Aa]\d{1,4})*)"
                               r"\s*[,，:：]?\s*(?P<rest>.*)", re.S)
_CODE_IN_COMMAND = re.compile(r"[Aa](\d{1,4})")
_SIGN_IN_COMMAND = re.compile(r"签到\s*(?:码)?\s*[:：]?\s*(\d{4})")
# exact menu words: the service is known without the classifier
MENU_WORDS = {
    "我的活动": "my_activities", "我的打卡": "my_checkins", "打卡记录": "my_checkins", "我的履职": "query_record",
    "我的社情民意": "report_status", "近期活动": "list_activities", "帮助": "help", "菜单": "help",
}


@dataclass(frozen=True)
class ActivityCommand:
    action: str              # signup | cancel_signup | leave
    codes: tuple[str, ...]   # A3, upper-case
    rest: str = ""           # leave: the reason as written


def parse_activity_command(text: str) -> ActivityCommand | None:
    """报名 A3 / 报名 A1 A2 / 取消报名 A3 / 请假 A3 出差; None for anything else (typos fixed first)."""
    found = _ACTIVITY_COMMAND.fullmatch(normalize(text).strip(" 。.!！"))
    if found is None:
        return None
    action = _ACTIVITY_VERBS[found["verb"]]
    rest = found["rest"].strip()
    if rest and action != "leave":
        return None  # "报名A3的人多吗": not a bare command
    codes = tuple(dict.fromkeys(f"A{n}" for n in _CODE_IN_COMMAND.findall(found["codes"])))
    return ActivityCommand(action, codes, rest)


def parse_sign_in_command(text: str) -> str | None:
    """签到 4821 / 签到码4821 → '4821'; None for anything else."""
    found = _SIGN_IN_COMMAND.fullmatch(normalize(text).strip(" 。.!！"))
    return found.group(1) if found else None


def activity_codes(text: str) -> list[str]:
    """Every activity code a message names, in order (帮我把A3取消了 再报个A1 -> ['A3', 'A1'])."""
    return list(dict.fromkeys(f"A{n}" for n in re.findall(r"(?<![A-Za-z0-9])[Aa](\d{1,4})(?!\d)", normalize(text))))


def menu_intent(text: str) -> str | None:
    """The service an exact menu word names (我的活动, 我的打卡 …), else None."""
    return MENU_WORDS.get(normalize(text).strip(" 。.!！?？"))
