"""Rules fast path: messages whose intent the rules alone make certain, so parse() skips the classifier.

Each rule is deliberately narrow; anything it is not sure about falls through to the classifier. Where a rule
fires, parse() returns the same intent and slots as the classifier path, with confidence 1.0 (the classifier
is at least 0.9 sure of all of them: tests/test_intents_fast_path.py checks every corpus, held-out and
conversation message and every menu word).

- fixed commands: 签到 4821, 报名 A3, 取消报名 A3 (the slot is read from the command itself);
- exact menu words (commands.MENU_WORDS: 我的活动, 打卡记录, 帮助 …);
- explicit check-ins: a check-in command word first or last (学习打卡/打卡/补卡 …), and otherwise only what a
  check-in carries — days, a duration (or a 《book》), study verbs and a material per duration — and no cue of
  any other intent."""
import re
from functools import lru_cache

from .commands import MENU_WORDS
from .dates import TIME_WORDS_RE, VAGUE_DATE_RE
from .durations import DURATION_RE, VAGUE_DURATION_RE, find_durations
from .entities import BOOK_RE
from .entities import _MATERIAL_FILLER as MATERIAL_FILLER  # the study verbs around a material
from .places import find_district
from .rules import REPORT_HINT, SOFT, STRONG

FIXED = ((re.compile(r"签到\s*(?:码)?\s*[:：]?\s*(?P<code>\d{3,6})"), "attend"),
         (re.compile(r"(?:报名|报个名)\s*(?P<activity>[A-Za-z]\d{1,3})"), "signup"),
         (re.compile(r"取消报名\s*(?P<activity>[A-Za-z]\d{1,3})"), "cancel_signup"))

CHECKIN_MAX_CHARS = 60
_CHECKIN_WORD = r"(?:学习打卡|打卡学习|学习补卡|每日打卡|补打卡|补卡|打卡)"
# The command word first, then a separator (or straight into a 《book》) ...
_CHECKIN_START = re.compile(_CHECKIN_WORD + r"(?:[\s:,.;、。]+|(?=《))")
# ... or last, after a separator: 今天学了政协章程30分钟,打卡
_CHECKIN_END = re.compile(r"[\s:,.;、。]+" + _CHECKIN_WORD + r"[\s.。!！~～]*$")
# Questions, negations, complaints and words of other services: such a message is not a plain check-in.
_NOT_PLAIN = re.compile(r"[?？吗呢么啥谁哪几没不未别]|怎|如何|什么|多少|失败|成功|记录|明细|查|反映|情况|意见|"
                        r"报名|参加|取消|撤|请假|签到|绑定|活动|会议|积分|提案|社情民意|之余|同时|顺便|帮|菜单|@")
_OTHER_STRONG = tuple(pattern for intent, pattern in STRONG if intent != "checkin")
_OTHER_SOFT = tuple(pattern for intent, pattern in SOFT if intent != "checkin")
_SEPARATORS = re.compile(r"[\s,.;:、。!！~～]+")
_MATERIAL_MAX = 30
_MATERIAL_CHARS = re.compile(r"[\u4e00-\u9fffA-Za-z0-9·]+")


def fixed_command(clean: str):
    """(intent, slots) of a fixed command (签到 4821, 报名 A3, 取消报名 A3), else None."""
    for pattern, intent in FIXED:
        m = pattern.fullmatch(clean)
        if m:
            return intent, {k: v.upper() for k, v in m.groupdict().items()}
    return None


def certain_intent(clean: str):
    """The intent of an exact menu word or an explicit check-in (normalised text), else None."""
    menu = MENU_WORDS.get(clean)
    if menu:
        return menu
    return "checkin" if is_plain_checkin(clean) else None


@lru_cache(maxsize=256)   # the webhook asks before routing (bot/dispatch.py QUICK_LANE), parse() again after
def is_plain_checkin(clean: str) -> bool:
    """学习打卡 今天学习了《政协理论第123讲》30分钟, 打卡 政协章程 30分钟, 补卡 昨天学习党章1小时,
    今天学了政协章程30分钟,打卡 …"""
    rest = _without_command_word(clean)
    if rest is None or len(clean) > CHECKIN_MAX_CHARS:
        return False
    durations = len(find_durations(clean))   # the command word holds none
    if not (durations or BOOK_RE.search(rest)) or _NOT_PLAIN.search(rest) or REPORT_HINT.search(clean):
        return False
    if any(p.search(clean) for p in _OTHER_STRONG) or any(p.search(clean) for p in _OTHER_SOFT):
        return False
    if find_district(clean):            # a place: the start of a 社情民意 more likely than a material
        return False
    materials = _material_chunks(rest)   # one per duration at most; none besides a 《book》 without one
    return materials is not None and len(materials) <= durations


def _without_command_word(clean: str):
    """The message without its leading or trailing check-in command word, or None when it has neither."""
    start = _CHECKIN_START.match(clean)
    if start:
        return clean[start.end():]
    end = _CHECKIN_END.search(clean)
    return clean[:end.start()] if end else None


def _material_chunks(rest: str):
    """What is left once days, durations, books and study verbs are taken out (the materials), or None when
    something left does not look like a material."""
    text = BOOK_RE.sub(" ", rest)
    for pattern in (TIME_WORDS_RE, DURATION_RE, VAGUE_DURATION_RE, VAGUE_DATE_RE):
        text = pattern.sub(" ", text)
    chunks = [MATERIAL_FILLER.sub("", c) for c in _SEPARATORS.split(text)]
    chunks = [c for c in chunks if c]
    if any(len(c) > _MATERIAL_MAX or not _MATERIAL_CHARS.fullmatch(c) for c in chunks):
        return None
    return chunks
