"""Reading replies inside a dialog: cancel, confirm, field edits, numbered choices, questions, thanks, stickers.

Pure functions over one message (no classifier, no state). They answer "what does this reply mean while a
question is open"; whether a message is a new request is the dispatcher's call (fixed commands, parse())."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .normalize import cn2num, normalize, strip_emoji
from .places import find_district
from .report import CATEGORIES

# Punctuation, spaces and emoji-like leftovers that never carry meaning in a short reply.
_PUNCT = re.compile(r"[\s,，。.!！?？~～、;；:：…·\-—_'\"“”‘’()（）\[\]【】<>《》]+")
# Particles and softeners that may surround a reply word without changing it.
_FILLER = r"(?:吧|啊|呀|哈|啦|了|哦|噢|喔|嗯+|呢|嘛|的|那|那就|就|好吧|这样吧|先这样吧?|先这样|我|还是|要不|要不然|" \
          r"谢谢|谢啦|多谢|麻烦了|您|你)"


def _squeeze(text: str) -> str:
    """Normalised text without emoji, punctuation or spaces, lower-case."""
    return _PUNCT.sub("", strip_emoji(normalize(text))).lower()


def _only(words: str, text: str) -> bool:
    """True when text consists of at least one of `words` plus fillers, nothing else."""
    if not re.search(words, text):
        return False
    return re.fullmatch(rf"(?:{words}|{_FILLER})+", text) is not None


# ------------------------------------------------------------------ cancel
# Leave the dialog. Deliberately excludes 不参加了/不去了/取消报名…: those name what to cancel (a sign-up)
# and are cancel_signup requests for the classifier, not "stop asking me".
_CANCEL = (r"(?:取消|算了|罢了|退出|结束|停止|停|放弃|不干了|没事了|不需要了|不需要|不用了|不用|不要了|"
           r"(?:先|暂时|今天|现在)?(?:不|别|甭)(?:想|要|用)?(?:打|写|弄|搞|报|填|交|提交|补|办|做|录|登记|记|说|反映|提|"
           r"签|请|问|打卡|补卡|继续)(?:了|啦)|"
           r"(?:以后|下次|回头|改天|有空|明天)再(?:说|弄|打|写|补|来)|下次吧|不弄|不打|不写)")


def is_cancel(text: str) -> bool:
    """'取消', '算了不打了', '先这样吧不弄了', '不用了谢谢': the member wants to leave the open question.

    '取消报名 A3' is not a cancel (something follows that is not a filler): it is a cancel_signup request."""
    return _only(_CANCEL, _squeeze(text))


# ------------------------------------------------------------------ confirm
_CONFIRM = (r"(?:行|可以|没问题|没毛病|就这样|就这么办|就这么着|提交|交|发|发送|确认|确定|对|对的|是的|是|好|好的|好嘞|"
            r"ok|okay|yes|同意|没错|妥|中|成|可|嗯嗯可以|可以的|就这样提交|直接提交|确认提交)")


def is_confirm(text: str) -> bool:
    """'行', '好的', '就这样', '行 就这样吧 提交', '嗯嗯 可以': yes to the summary. A reply that adds anything else
    ('好的，再加一句…', '不行', '不对') is not a confirmation. '嗯' alone is too weak and does not confirm."""
    return _only(_CONFIRM, _squeeze(text))


_SIGN_ME_UP = r"(?:帮我|给我|要|想)?(?:报名|报个名|报一个|报上|报|去|参加|算我一个|加我一个)"


def is_sign_me_up(text: str) -> bool:
    """'报名', '我报名', '给我报上吧', '我去', '参加': yes to an offered activity (nothing else said)."""
    return _only(_SIGN_ME_UP, _squeeze(text))


# ------------------------------------------------------------------ edits
@dataclass(frozen=True)
class Edit:
    """An explicit change of one field of a draft. value '' means the field was named but the value is
    missing or not understood (the bot asks for it)."""
    field: str          # "title" | "category" | "district" | "append"
    value: str


_SET = r"(?:改成|改为|换成|换为|修改为|修改成|变成|设为|设置为|定为|写成|写为|应该是|应为|是|为|叫|选|用)"
_EDIT_RES = (
    ("title", re.compile(r"^(?:请|麻烦)?(?:帮我)?(?:把)?(?:标题|题目|名称)(?:改一下|修改一下|换一下)?\s*" + _SET + r"?\s*[:：]?\s*(?P<v>.*)$")),
    ("category", re.compile(r"^(?:请|麻烦)?(?:帮我)?(?:把)?(?:分类|类别|类型|门类)(?:改一下|换一下)?\s*" + _SET + r"?\s*[:：]?\s*(?P<v>.*)$")),
    ("district", re.compile(r"^(?:请|麻烦)?(?:帮我)?(?:把)?(?:旗区|旗县区|旗县|区县|地区|地点|区域|所在地|所在旗区|位置)(?:改一下|换一下)?\s*"
                            + _SET + r"?\s*[:：]?\s*(?P<v>.*)$")),
    ("append", re.compile(r"^(?:我)?(?:再|还)?(?:要|想)?(?:补充|追加|加上|添加|再加)(?:说明)?(?:一下|一点|一句|几句|两句|一条|点|下)?"
                          r"(?:内容|情况)?\s*[:：,，]?\s*(?P<v>.*)$")),
)
_CATEGORY_ALIASES = {"经济": "经济发展", "民生": "民生保障", "治理": "社会治理", "社会": "社会治理", "环保": "生态环保",
                     "生态": "生态环保", "环境": "生态环保", "教育": "教育科技", "科技": "教育科技", "医疗": "医疗卫生",
                     "卫生": "医疗卫生", "农村": "农村牧区", "牧区": "农村牧区", "农牧": "农村牧区", "三农": "农村牧区",
                     "城建": "城乡建设", "城乡": "城乡建设", "建设": "城乡建设", "交通": "交通出行", "出行": "交通出行",
                     "民族": "民族宗教", "宗教": "民族宗教", "其它": "其他"}
_VALUE_TRIM = re.compile(r"^[\s:：,，“”\"'‘’「」『』]+|[\s。.!！,，“”\"'‘’「」『』]+$")


def category_of(value: str) -> str:
    """The fixed category named by value ('交通出行', '交通', '交通出行类'), or '' if none."""
    word = _squeeze(value).removesuffix("类").removesuffix("方面")
    if word in CATEGORIES:
        return word
    for category in CATEGORIES:
        if category in word:
            return category
    for alias, category in _CATEGORY_ALIASES.items():
        if alias in word:
            return category
    return ""


def parse_edit(text: str) -> Edit | None:
    """'标题改成：…', '把标题改为…', '分类改成 交通出行', '旗区改成准旗', '补充：…' -> Edit; None when the reply
    is not an explicit edit. Title and appended text keep the member's wording (only trimmed)."""
    raw = (text or "").strip()
    head = normalize(raw)
    for field, pattern in _EDIT_RES:
        m = pattern.match(head)
        if not m:
            continue
        value = _VALUE_TRIM.sub("", _value_as_written(raw, head, m.start("v")))
        if field == "category":
            value = category_of(value) if value else ""
        elif field == "district":
            value = (find_district(normalize(value)) or "") if value else ""
        return Edit(field, value)
    return None


def _value_as_written(raw: str, head: str, start: int) -> str:
    """The value part of the member's own text (normalisation may change widths or characters)."""
    tail = head[start:]
    return raw[len(raw) - len(tail):] if len(raw) == len(head) else tail


# ------------------------------------------------------------------ numbered choice
_CHOICE = re.compile(r"^(?:我)?(?:选|选择|要|就|就要|就选|我要|我选)?(?:第)?(?P<n>\d{1,2}|[一二两三四五六七八九十]{1,3})"
                     r"(?:个|号|项|条|种|位|场)?(?:吧|的|啊|呀|哈|了|就行|就好|可以)*$")
_LAST = re.compile(r"^(?:我)?(?:选|要|就)?最后(?:一|1)?(?:个|项|条)?(?:吧|的)?$")


def choice(text: str, count: int) -> int | None:
    """1-based pick from a numbered list of `count` items: '1', '１', '①', '第一个', '一', '选1', '1号',
    '第1个吧', '最后一个'. None when the reply is not a pick or is out of range."""
    word = _squeeze(text)
    if _LAST.match(word):
        return count if count >= 1 else None
    m = _CHOICE.match(word)
    if not m:
        return None
    n = cn2num(m.group("n"))
    return n if isinstance(n, int) and 1 <= n <= count else None


# ------------------------------------------------------------------ questions
_ASKS = re.compile(r"还有没有|有没有|还有位置|还有名额|几点|几号|几月|哪天|哪一天|在哪|哪里|哪儿|什么地方|啥地方|什么时候|"
                   r"啥时候|多会儿|多久|多长时间|能不能|能否|可不可以|是不是|是否|要不要|需不需要|用不用|会不会|算不算|"
                   r"多少|几个|几次|几人|哪些|哪个|什么|啥|谁|为什么|为啥|怎么|咋|如何|还能|还可以|还剩|满了没|"
                   r"结束了没|开始了没|有(?:位置|名额|空位|座位|地方)[没不]|(?:先|想)?(?:问问|问一下|打听一下?)|"
                   r"[吗嘛么呢][\s?？!！~。.]*$|[?？]\s*$")
# "能不能帮我报个名" / "可以帮我取消吗": a request phrased politely is an action, not a question.
_POLITE_REQUEST = re.compile(r"^(?:请问)?(?:你|您)?(?:能不能|能否|可不可以|可以|能|麻烦|请)?(?:你|您)?(?:帮我|给我|替我|帮忙|给)"
                             r"(?:报个?名|报上|取消|请个?假|签到|打卡|补卡|登记|提交|绑定|查)")


def is_question(text: str) -> bool:
    """A question ABOUT something ('还有没有位置', '几点开始', '在哪', '是不是没打上啊', '…吗?'), so the bot answers
    instead of acting. Polite requests ('能不能帮我报个名') are not questions."""
    clean = normalize(text)
    if not clean or _POLITE_REQUEST.search(clean):
        return False
    return _ASKS.search(clean) is not None


# ------------------------------------------------------------------ thanks and stickers
_THANKS = r"(?:谢谢|多谢|感谢|谢了|谢啦|感恩|辛苦了|辛苦|麻烦了|麻烦你了|麻烦您了|thanks|thank you|thankyou|thx|3q|" \
          r"好的|好|收到|知道了|明白了|明白|了解|ok|老师|大家|领导|你们|您|你|啦|哈|哦|嗯+|啊|呀|非常|太|真是|真)"
_THANK_CORE = re.compile(r"谢|感恩|辛苦|thank|thx|3q|麻烦")
# WeChat text stickers: [微笑], [捂脸], [OK] and the old /::) /:rose codes.
STICKER_RE = re.compile(r"\[[\u4e00-\u9fffA-Za-z]{1,6}\]|/:+[^/\s\u4e00-\u9fff]{1,9}")


def is_thanks(text: str) -> bool:
    """'谢谢', '好的谢谢', '辛苦了！', '感谢老师👍': nothing but thanks (and a courtesy or two)."""
    word = _squeeze(STICKER_RE.sub("", text or ""))
    return bool(_THANK_CORE.search(word)) and re.fullmatch(rf"{_THANKS}+", word.replace(" ", "")) is not None


def is_only_emoji_or_sticker(text: str) -> bool:
    """'👍👍👍', '[微笑]', '/::)', '🌹🌹 [强]': only emoji or stickers (punctuation allowed), nothing to read."""
    raw = (text or "").strip()
    if not raw:
        return False
    rest = strip_emoji(STICKER_RE.sub(" ", raw))
    return rest != raw and _PUNCT.sub("", rest) == ""
