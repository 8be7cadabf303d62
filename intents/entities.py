"""Regex/lexicon extractors for phone, name, material, activity, reason, code, report_id and receipt numbers."""
import re

from .dates import TIME_WORDS_RE, VAGUE_DATE_RE
from .durations import DURATION_RE, VAGUE_DURATION_RE

PHONE_RE = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d){8})(?!\d)")
# Two receipt-number syntaxes on purpose: REPORT_ID_RE is the `report_id` slot of parse() (SQ only, spaces allowed,
# kept as written; scored by the held-out set); RECEIPT is what commands take (any 1-6 letter prefix, since
# reports.receipt_prefix is configurable, no spaces) and what normalize_receipt() pads.
REPORT_ID_RE = re.compile(r"(?<![A-Za-z])SQ\s*\d{4}\s*-\s*\d+", re.I)
RECEIPT = r"([A-Za-z]{1,6})(\d{4})-(\d{1,6})"  # prefix, year, number (groups unnamed: embedded in other patterns)
RECEIPT_RE = re.compile(RECEIPT)
ACTIVITY_CODE_RE = re.compile(r"(?<![A-Za-z0-9])([A-Za-z])\s?(\d{1,3})(?![\d.])(?!\s*(?:小时|分|点|个|h|min|号))")
CODE_RE = re.compile(r"(?<![\dA-Za-z])(\d{3,6})(?![\d])")
BOOK_RE = re.compile(r"[《<〈]\s*([^《》<>〈〉]{1,40}?)\s*[》>〉]")
QUOTE_RE = re.compile(r"[“\"‘']\s*([^“”\"‘’']{2,40}?)\s*[”\"’']")

# Activity: noun phrases ending with one of these heads.
_ACT_HEAD = re.compile(r"(?:分享会|座谈会|协商会|研讨会|报告会|交流会|推进会|联谊会|茶话会|读书会|见面会|培训班|学习班|"
                       r"论坛|沙龙|讲座|讲堂|培训|调研|视察|考察|参观|观摩|宣讲|义诊|慰问|走访|活动|会议|大会|例会|年会|"
                       r"晚会|比赛|演出|书画展|展览|展|课|(?<![开不学机社能理体领聚约教工协])会)")
_GENERIC_ACT = {"活动", "会", "会议", "课", "大会", "展", "培训"}
_ACT_SEP = re.compile(r"([\s,，。、;；:：!！?？~～()（）@]|的|那个|这个|这次|那次|一下|一个|我们|我|你们|帮我|给我|"
                      r"吗|吧|呢|啊|呀|嘛|了|哦|么|和|跟|还有)")
_COMMAND = r"报个?名|参加|参与|取消|撤销|请个?假|去不了|来不了|不去|不参加|算我一个|加我一个"
_COMMAND_RE = re.compile(_COMMAND)
_ACT_VERBS = re.compile(r"^(?:我|想|要|也|还|能|可以|请|帮|麻烦|给|就|再|去|来|到|把|签到|关于|" + _COMMAND + r")+")
_ACT_TAIL = re.compile(r"(?:" + _COMMAND + r"|我|也|要|想|去|能|报上)+$")
_REASON_CUE = re.compile(r"因为|由于|原因|理由")

_NOT_NAME_CHARS = re.compile(r"[我你您他她的了吗呢么怎啥什哪这个是在有要想请帮号码机话绑定]")
_NAME_NOISE = re.compile(
    r"绑定身份|绑定一下|绑定|身份|认证|实名|注册|登记|我的名字是|我的名字叫|我是|我叫|本人|名字|姓名|请帮我|帮我|麻烦|"
    r"您好|你好|谢谢|一下|手机号码|手机号|手机|电话号码|电话|号码|联系方式|政协委员|委员|是|叫|请|[:：,，。;；!！\s\-_/|]+")
_NAME_CUE = re.compile(r"(?:我是|我叫|姓名|名字(?:是|叫)?|本人)[:：\s]*(?:政协委员|委员)?\s*"
                       r"([\u4e00-\u9fff·]{2,7}?)(?=委员|[\s,，。:：;；!！]|手机|电话|号码|联系|$|\+?\d)")
NAME_RE = re.compile(r"[\u4e00-\u9fff]{2,4}(?:·[\u4e00-\u9fff]{2,6})?|[\u4e00-\u9fff]{5,7}")

_MATERIAL_FILLER = re.compile(
    r"^(?:学习打卡|打卡学习|补打卡|补卡|打卡|学习时长|学习内容|内容是|学的是|看的是|读的是|学习的是|学习|自学|学了|学|读了|读|"
    r"阅读了|阅读|研读了|研读|通读了|看了|看完|读完|刚刚|刚才|刚|看|听了|收听了|观看了|收看了|观看|刚学完|学完|我|在家|把|今天|了|的|一下|一遍|"
    r"再|又|在|用|花了|共|一共|完成|内容|每日|大概|大约|约|那个|这个|嗯|呃)+|"
    r"(?:帮我|打个?卡|打一下卡|补打一下卡|补打卡|学习打卡|打卡|补个?卡|补一下卡|补卡|学习|看|读|学|了|的|一下|一遍|完毕|完了|"
    r"内容|相关内容|用了|大概|大约|约)+$")
_NOT_MATERIAL = re.compile(r"[补打卡一下那这个的了学习看读我今天昨前后明周号日上下午晚早半小时分钟]+")
_REASON_FILLER = re.compile(r"^(?:因为|由于|因|原因是|原因|理由是|理由|是|的|我|跟您|跟你|向您|麻烦|前的|后的)+|"
                            r"(?:所以|因此|故)?(?:请个?假|请假|要请假|去不了了?|来不了了?|参加不了了?|啊|呢|哈)+$")
_REASON_DROP = re.compile(r"请个?假|请一下假|申请|帮我|麻烦|一次|一下|@(?:的|这个|那个)?(?:会议|会|活动)?")


def extract_phone(text: str):
    m = PHONE_RE.search(text)
    return re.sub(r"[\s-]", "", m.group(1)) if m else None


def extract_report_id(text: str):
    m = REPORT_ID_RE.search(text)
    return re.sub(r"\s", "", m.group()).upper() if m else None


def find_receipt(text: str):
    """The first receipt number in text, as written ('sq2026-12'), or None."""
    m = RECEIPT_RE.search(text)
    return m.group() if m else None


def normalize_receipt(text: str) -> str:
    """The stored form of a receipt number: 'sq2026-12' -> 'SQ2026-0012'; anything else upper-cased as written."""
    m = RECEIPT_RE.fullmatch(text.strip())
    if not m:
        return text.strip().upper()
    prefix, year, number = m.groups()
    return f"{prefix.upper()}{year}-{int(number):04d}"


def extract_code(text: str):
    """Check-in code: the digits after 签到(码) or a bare 3-6 digit number (not a phone)."""
    text = PHONE_RE.sub(" ", text)
    m = re.search(r"(?:签到码|签到|验证码|码)\s*(?:是|为|:)?\s*(\d{3,6})(?!\d)", text) or CODE_RE.search(text)
    return m.group(1) if m else None


def strip_spans(text: str, *patterns) -> str:
    for pattern in patterns:
        text = pattern.sub(" ", text)
    return text


def _activity_candidates(text: str):
    """Yield (score, phrase) for noun phrases ending with an activity head word."""
    parts = _ACT_SEP.split(TIME_WORDS_RE.sub("@", text))
    clause_has_reason = False
    for i in range(0, len(parts), 2):
        sep_before = parts[i - 1] if i else ""
        if sep_before and re.fullmatch(r"[\s,，。;；!！?？]", sep_before):
            clause_has_reason = False
        raw = parts[i]
        clause_has_reason |= bool(_REASON_CUE.search(raw))
        chunk = _ACT_TAIL.sub("", _ACT_VERBS.sub("", raw))
        heads = list(_ACT_HEAD.finditer(chunk))
        if not heads:
            continue
        chunk = chunk[:heads[-1].end()]
        if chunk in _GENERIC_ACT:
            continue
        score = 2 * (chunk != raw and bool(_COMMAND_RE.search(raw)))
        score += bool(re.search(r"@的?$", "".join(parts[max(0, i - 4):i])))
        score -= 3 * clause_has_reason
        yield score, chunk


def extract_activity(text: str):
    """Activity code (A3) or the best-placed noun phrase ending with an activity head word."""
    m = ACTIVITY_CODE_RE.search(PHONE_RE.sub(" ", text))
    if m:
        return (m.group(1) + m.group(2)).upper()
    best = None
    for score, chunk in _activity_candidates(text):
        if best is None or score > best[0]:
            best = (score, chunk)
    return best[1] if best else None


def extract_name(text: str):
    m = _NAME_CUE.search(text)
    if m and not _NOT_NAME_CHARS.search(m.group(1)):
        return m.group(1)
    rest = _NAME_NOISE.sub(" ", PHONE_RE.sub(" ", text))
    for token in rest.split():
        if NAME_RE.fullmatch(token) and not _NOT_NAME_CHARS.search(token):
            return token
    return None


# Study platforms and papers whose names start like a study verb ("学习…") and must stay whole.
WHOLE_MATERIALS = ("学习强国", "人民政协报")


def extract_material(text: str):
    m = BOOK_RE.search(text) or QUOTE_RE.search(text)
    if m:
        return m.group(1).strip()
    for name in WHOLE_MATERIALS:
        if name in text:
            return name
    rest = strip_spans(text, TIME_WORDS_RE, DURATION_RE, VAGUE_DURATION_RE, VAGUE_DATE_RE)
    best = None
    for chunk in re.split(r"[\s,，。、;；:：!！?？~～]+", rest):
        chunk = _MATERIAL_FILLER.sub("", chunk)
        if len(chunk) >= 2 and not _NOT_MATERIAL.fullmatch(chunk) and (best is None or len(chunk) > len(best)):
            best = chunk
    return best


def extract_reason(text: str, activity=None):
    """Leave reason: the longest clause left after removing the activity, dates and command words."""
    rest = re.sub(re.escape(activity), " ", text, flags=re.I) if activity else text
    rest = _REASON_DROP.sub(" ", TIME_WORDS_RE.sub("@", rest))
    best = None
    for chunk in re.split(r"[\s,，。、;；:：!！?？~～]+", rest):
        chunk = _REASON_FILLER.sub("", chunk).strip()
        if len(chunk) >= 2 and chunk not in _GENERIC_ACT and (best is None or len(chunk) > len(best)):
            best = chunk
    return best
