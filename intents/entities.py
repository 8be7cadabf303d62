"""Regex/lexicon extractors for phone, name, material, activity, reason, code and report_id."""
import re

from .dates import TIME_WORDS_RE
from .durations import DURATION_RE

PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d){8})(?!\d)")
REPORT_ID_RE = re.compile(r"(?<![A-Za-z])SQ\s*\d{4}\s*-\s*\d+", re.I)
ACTIVITY_CODE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])\s?(\d{1,3})(?![\d.])(?!\s*(?:小时|分|点|个|h|min|号))")
CODE_RE = re.compile(r"(?<![\dA-Za-z])(\d{3,6})(?![\d])")
BOOK_RE = re.compile(r"[《<〈]\s*([^《》<>〈〉]{1,40}?)\s*[》>〉]")
QUOTE_RE = re.compile(r"[“\"‘']\s*([^“”\"‘’']{2,40}?)\s*[”\"’']")

# Activity: noun phrases ending with one of these heads.
_ACT_HEAD = (r"(?:分享会|座谈会|协商会|研讨会|报告会|交流会|推进会|联谊会|茶话会|读书会|见面会|培训班|学习班|"
             r"论坛|沙龙|讲座|培训|调研|视察|考察|参观|观摩|宣讲|义诊|慰问|走访|活动|会议|大会|例会|年会|"
             r"晚会|比赛|演出|课|班|会)")
_GENERIC_ACT = {"活动", "会", "会议", "课", "班", "大会", "这个会", "那个会", "那个活动", "这个活动"}
_ACT_SPLIT = re.compile(r"[\s,，。、;；:：!！?？~～()（）]|的|那个|这个|这次|那次|一下|一个|我们|我|你们|帮我|给我|"
                        r"吗|吧|呢|啊|呀|嘛|了|哦|么")
_ACT_VERBS = re.compile(r"^(?:我|想|要|也|还|能|可以|请|帮|麻烦|给|就|报个?名|报明|报名|参加|参与|取消|请个?假|"
                        r"不去|去|来|到|签到|关于|明天|今天)+")
_ACT_TAIL = re.compile(r"(?:报个?名|报名|参加|取消|请假|去不了|来不了|不去)+$")

_NAME_NOISE = re.compile(
    r"绑定身份|绑定|身份|认证|实名|注册|登记|我的名字是|我的名字叫|我是|我叫|本人|名字|姓名|"
    r"手机号码|手机号|手机|电话号码|电话|号码|联系方式|政协委员|委员|是|叫|[:：,，。;；\s\-_/|]+")
NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{2,6})?|[\u4e00-\u9fff]{5,7}")

_MATERIAL_FILLER = re.compile(
    r"^(?:学习打卡|打卡学习|补打卡|补卡|打卡|打咔|学习|自学|学了|学|读了|读|阅读了|阅读|研读了|研读|通读了|看了|看|"
    r"听了|收听了|观看了|收看了|观看|我|今天|了|的|一下|一遍|再|又|在|用|花了|共|一共|完成|把|内容)+|"
    r"(?:学习打卡|打卡|打咔|补卡|学习|了|的|一下|一遍|完毕|完了|内容|相关内容)+$")
_REASON_FILLER = re.compile(r"^(?:因为|由于|因|原因是|原因|理由是|理由|是)+|(?:所以|因此|故)?(?:请个?假|请假|去不了|来不了|参加不了|了|啊|呢)+$")


def extract_phone(text: str):
    m = PHONE_RE.search(text)
    return re.sub(r"[\s-]", "", m.group(1)) if m else None


def extract_report_id(text: str):
    m = REPORT_ID_RE.search(text)
    return re.sub(r"\s", "", m.group()).upper() if m else None


def extract_code(text: str):
    """Check-in code: the digits after 签到(码) or a bare 3-6 digit number (not a phone)."""
    text = PHONE_RE.sub(" ", text)
    m = re.search(r"(?:签到码|签到|验证码|码)\s*(?:是|为|:)?\s*(\d{3,6})(?!\d)", text) or CODE_RE.search(text)
    return m.group(1) if m else None


def strip_spans(text: str, *patterns) -> str:
    for pattern in patterns:
        text = pattern.sub(" ", text)
    return text


def extract_activity(text: str):
    """Activity code (A3) or the shortest noun phrase ending with an activity head word."""
    m = ACTIVITY_CODE_RE.search(PHONE_RE.sub(" ", text))
    if m:
        return (m.group(1) + m.group(2)).upper()
    rest = strip_spans(text, TIME_WORDS_RE)
    best = None
    for chunk in _ACT_SPLIT.split(rest):
        chunk = _ACT_TAIL.sub("", _ACT_VERBS.sub("", chunk or ""))
        hm = re.search(_ACT_HEAD, chunk)
        if not hm or chunk in _GENERIC_ACT:
            continue
        # cut anything after the last head word (e.g. '协商会我去不了' was split already)
        last = list(re.finditer(_ACT_HEAD, chunk))[-1]
        chunk = chunk[:last.end()]
        if chunk not in _GENERIC_ACT:
            best = chunk if best is None else best
    return best


def extract_name(text: str):
    rest = _NAME_NOISE.sub(" ", PHONE_RE.sub(" ", text))
    for token in rest.split():
        if NAME_RE.fullmatch(token):
            return token
    return None


def extract_material(text: str):
    m = BOOK_RE.search(text) or QUOTE_RE.search(text)
    if m:
        return m.group(1).strip()
    rest = strip_spans(text, TIME_WORDS_RE, DURATION_RE)
    best = None
    for chunk in re.split(r"[\s,，。、;；:：!！?？~～]+", rest):
        chunk = _MATERIAL_FILLER.sub("", chunk)
        if len(chunk) >= 2 and (best is None or len(chunk) > len(best)):
            best = chunk
    return best


def extract_reason(text: str, activity=None):
    rest = text
    if activity:
        rest = re.sub(re.escape(activity), " ", rest, flags=re.I)
    rest = strip_spans(rest, TIME_WORDS_RE, re.compile(r"请个?假|请一下假|我要|我想|帮我|麻烦|一下|的活动|的会"))
    best = None
    for chunk in re.split(r"[\s,，。、;；:：!！?？~～]+", rest):
        chunk = _REASON_FILLER.sub("", chunk).strip()
        if len(chunk) >= 2 and (best is None or len(chunk) > len(best)):
            best = chunk
    return best
