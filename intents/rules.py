"""High-precision rules: explicit command words and unmistakable patterns -> intent."""
import re

from .entities import PHONE_RE, REPORT_ID_RE

# (intent, pattern) in priority order; the first match wins.
_RULES = [
    ("report_status", re.compile(
        r"我的社情民意|我(?:提交|反映|报送|提|交|报|上报)的(?:社情民意|问题|情况|建议|意见)|社情民意.{0,6}(?:进度|进展|状态|结果|回复|办理|怎么样|到哪)|"
        r"(?:反映|提交|上报|报送|提|报)的.{0,8}(?:怎么样|进度|进展|回复|答复|结果|回音|反馈|处理|办理|落实|下文|采纳)|"
        r"查(?:询|一下|查)?(?:我的)?社情民意")),
    ("report", re.compile(r"(?:反映|提交|报送|上报|报|提|说)(?:一下|一个|一条|个|条|点)?(?:问题|情况|建议|意见|社情民意)(?!.{0,4}(?:怎么样|进度|进展|回复|结果))|"
                          r"^(?:建议|社情民意)[:：]|^关于.{2,30}的建议")),
    ("bind", re.compile(r"^(?:绑定|解绑|绑定身份|身份绑定|实名认证|认证身份)")),
    ("attend", re.compile(r"^(?:签到|现场签到)\s*(?:码)?\s*[:：]?\s*\d{3,6}$|签到码")),
    ("leave", re.compile(r"请个?假|请一下假|告假|请几天假")),
    ("cancel_signup", re.compile(r"^(?:取消报名|取消|撤销报名|退出报名|撤回报名)|取消(?:我的)?报名|不参加了|参加不了了|去不了了|来不了了|不去了")),
    ("checkin", re.compile(r"^(?:学习打卡|打卡|补卡|补打卡|打咔|学习补卡)|学习打卡|补卡|打卡学习")),
    ("signup", re.compile(r"^(?:报名|报明|我要报名|我报名|帮我报名|我想报名)|算我一个|加我一个|给我报个?名|帮我报个?名|我报名")),
    ("list_activities", re.compile(r"^(?:近期活动|最近活动|活动列表|活动安排|活动通知|近期会议|查看活动)$|"
                                   r"(?:有什么|有啥|有哪些|啥).{0,4}(?:活动|会议|会|安排)|活动(?:安排|列表|通知)")),
    ("query_record", re.compile(r"我的履职|履职(?:记录|情况|统计|档案|积分|报告)|我的积分|积分|打了几次卡|打卡(?:记录|次数|情况)|我的(?:记录|打卡)|"
                                r"我(?:今年|这个月|本月)?(?:参加|打卡|学习)了(?:几|多少)")),
    ("help", re.compile(r"^(?:帮助|菜单|help|功能|你好|您好|hi|hello|在吗|在不在|怎么用|使用说明|说明|\?|？)[!！。.?？~]*$|怎么用|有什么功能|能做什么|使用帮助", re.I)),
]

REPORT_HINT = re.compile(
    r"反映|建议|问题|存在|不达标|困难|隐患|希望|呼吁|诉求|投诉|群众|居民|老百姓|村民|牧民|不足|严重|缺乏|缺少|"
    r"难以|无法|不能|没有|损坏|破损|拥堵|污染|超标|滞后|亟需|急需|加强|完善|解决|整改|监管|落实")


_NAME_PHONE = re.compile(r"我是|我叫|姓名|名字|^[\u4e00-\u9fff·]{2,7}[\s,，:：]*(?:手机|电话)?[\s:：]*[+\d]")


def rule_hits(text: str) -> list:
    """Intents of all matching explicit rules, highest priority first."""
    hits = ["report_status"] if REPORT_ID_RE.search(text) else []
    hits += [intent for intent, pattern in _RULES if pattern.search(text)]
    if PHONE_RE.search(text) and _NAME_PHONE.search(text):
        hits.append("bind")
    return hits


def match_rule(text: str):
    """Intent of the highest-priority matching rule, or None."""
    hits = rule_hits(text)
    return hits[0] if hits else None


def report_hints(text: str) -> int:
    return len(REPORT_HINT.findall(text))
