"""Explicit command words and unmistakable patterns -> intent.

STRONG rules are high-precision commands (their first hit is also a feature of its own);
SOFT rules are weaker cues. Both become classifier features, so the model learns how far to trust them."""
import re

from .entities import PHONE_RE, REPORT_ID_RE

_GREETING = (r"你好|您好|你们好|大家好|老师好|领导好|委员好|早上好|上午好|中午好|下午好|晚上好|早安|早|嗨|hi|hello|"
             r"哈喽|哈罗|在吗|在么|在不在|有人吗")
_REPORT_SUBJECT = r"(?:问题|情况|建议|意见|社情民意|事|事情|材料|反映)"
_PROGRESS = r"(?:怎么样|进度|进展|回复|答复|结果|回音|反馈|处理|办理|落实|下文|采纳|采用|办结|状态|到哪|消息|有人管)"

STRONG = [
    ("help", re.compile(r"^(?:请问|我想知道)?(?:怎么|如何|怎样)(?!样|还|没|回事)|(?:怎么弄|怎么操作|怎么办理|流程是什么|什么流程|有哪些步骤)[?？]?$|"
                        r"(?:你|这个?|公众号|平台|小程序)(?:是)?(?:干嘛|干什么|做什么|干啥)(?:的|用的)")),
    ("report_status", re.compile(
        r"我的社情民意|我(?:之前|上次|上周|前几天)?(?:提交|反映|报送|提|交|报|上报|写)的.{0,10}" + _PROGRESS + "|"
        r"社情民意.{0,6}" + _PROGRESS + "|(?:反映|提交|上报|报送|提|报)(?:的|过的).{0,10}" + _PROGRESS + "|"
        r"查(?:询|一下|查)?(?:我的)?社情民意|我(?:反映|提交)过(?:哪些|的)|^查(?:询|一下|下)?(?:办理)?进度$")),
    ("report", re.compile(
        r"(?:反映|提交|报送|上报|报|提|说)(?:一下|一个|一条|个|条|点)?(?:问题|情况|建议|意见|社情民意)(?!.{0,4}" + _PROGRESS + ")|"
        r"(?:问题|情况|建议|社情民意)要反映|^(?:我)?有(?:个|一个|件|条)(?:问题|情况|事|建议|社情民意)|"
        r"^(?:建议|社情民意)[:：]|^关于.{2,30}的建议")),
    ("bind", re.compile(r"^(?:我要|我想|帮我|请)?(?:绑定|解绑|身份绑定|实名认证|认证身份)|绑定(?:身份|手机)")),
    ("attend", re.compile(r"签到\s*(?:码)?\s*(?:是|为|[:：])?\s*\d{3,6}|\d{3,6}\s*签到|签到码|^(?:我要|现场|会议)?签(?:个)?到$")),
    ("leave", re.compile(r"请个?假|请一下假|告假|请几天假")),
    ("cancel_signup", re.compile(r"取消|撤销报名|退出报名|撤回报名|报名撤|不参加了|参加不了|去不了|来不了|不去了|"
                                 r"(?:不去|不参加).{0,12}了[。!！]?$")),
    ("checkin", re.compile(r"^(?:学习打卡|打卡|补卡|补打卡|学习补卡|每日打卡)|学习打卡|补卡|补.{0,4}卡|打个?卡|打卡学习")),
    ("signup", re.compile(r"^(?:报名|我要报名|我报名|帮我报名|我想报名|(?:我)?(?:也)?(?:想|要|能)?参加)|报名|报个名|报一下名|算我一个|加我一个|给我报上")),
    ("list_activities", re.compile(r"^(?:近期活动|最近活动|活动列表|活动安排|活动通知|近期会议|查看活动|活动查询|查活动|最新活动)$|"
                                   r"(?:有什么|有啥|有哪些|有没有|啥).{0,4}(?:活动|会议|会|安排)|活动(?:安排|列表|通知|日程)")),
    ("my_activities", re.compile(r"我的(?:活动|报名|候补|请假记录)|我(?:都|最近|今年|之前)?(?:报|报名|参加|去)(?:了|过)?(?:的|了)?(?:哪些|什么|啥|几个|些啥)?.{0,3}(?:活动|会议|会)(?:都|有哪些|是|$)|"
                                 r"我(?:都)?报(?:名)?了(?:哪些|什么|啥)|我(?:是不是|有没有)?报上(?:名)?(?:了)?(?:吗|没|没有)|报名成功了(?:吗|没)|我(?:是|在)候补")),
    ("my_checkins", re.compile(r"我的(?:学习)?打卡|打卡(?:记录|明细|列表)|我的学习记录|我.{0,4}打(?:了|过)哪些卡|"
                               r"(?:卡|打卡).{0,4}(?:打上|记上|算上|成功)(?:了)?(?:吗|没|没有)|是不是没打上|打卡了(?:吗|没)")),
    ("query_record", re.compile(r"我的履职|我.{0,6}的履职(?:情况|记录)?(?:怎么样|如何)?$|履职(?:记录|情况|统计|档案|积分|报告|得分)|积分|打了几次卡|打卡(?:次数|情况|天数)|"
                                r"我的(?:记录|学习时长|出勤|考勤|数据|分数|得分|成绩|统计|档案)|"
                                r"我.{0,6}(?:参加|打卡|学习?|签到|请假?|打)了?(?:几|多少|多长)")),
    ("help", re.compile(r"^(?:" + _GREETING + r"|帮助|菜单|主菜单|主页|首页|help|/help|menu|功能|功能介绍|使用说明|使用方法|用法|说明|教程)(?:呀|啊|哈|哦|呢)?[!！。.?？~～,，]*$|"
                        r"^[?？]$|^(?:请问)?(?:怎么|如何|怎样)(?:才能)?(?:用|使用|操作|打卡|补卡|报名|签到|请假|绑定|提交|反映|查|取消)|"
                        r"怎么用|有什么功能|能做什么|能干什么|能干嘛|可以做什么|可以干什么|使用帮助|帮助", re.I)),
]
SOFT = [
    ("checkin", re.compile(r"(?:学习|学了|读了|看了|研读|阅读|自学|通读|听了).{0,12}(?:\d|[一两俩二三四五六七八九十半])(?:个)?(?:半)?"
                           r"(?:小时|分钟|钟头|刻钟|h|min)|《[^》]+》.{0,10}(?:小时|分钟)|(?:小时|分钟).{0,6}《")),
    ("signup", re.compile(r"(?:我|算我)(?:也)?(?:要|想|能)?(?:去|参加)|参加")),
    ("cancel_signup", re.compile(r"不去|不参加|撤了|撤掉|取消掉")),
    ("list_activities", re.compile(r"活动|会议|安排")),
    ("query_record", re.compile(r"几次|多少|积分|记录|统计|时长|排名|第几")),
    ("report_status", re.compile(_REPORT_SUBJECT + ".{0,8}" + _PROGRESS)),
    ("help", re.compile(r"怎么(?!样)|如何|功能|菜单|介绍|教程|指令|说明")),
]
_NAME_PHONE = re.compile(r"我是|我叫|姓名|名字|^[\u4e00-\u9fff·]{2,7}[\s,，:：]*(?:手机|电话)?[\s:：]*[+\d]")

REPORT_HINT = re.compile(
    r"反映|建议|问题|存在|不达标|困难|隐患|希望|呼吁|诉求|投诉|群众|居民|老百姓|村民|牧民|不足|严重|缺乏|缺少|"
    r"难以|无法|不能|没有|损坏|破损|拥堵|污染|超标|滞后|亟需|急需|加强|完善|解决|整改|监管|落实|"
    r"太少|太多|太贵|太高|太低|太差|太远|太慢|太乱|不够|没人管|没人修|不到位|不及时|不规范|坏了|拖欠|被拖|欠|还没给|不给")


def rule_hits(text: str) -> list:
    """Intents of all matching STRONG rules, highest priority first."""
    hits = ["report_status"] if REPORT_ID_RE.search(text) else []
    hits += [intent for intent, pattern in STRONG if pattern.search(text)]
    if PHONE_RE.search(text) and _NAME_PHONE.search(text):
        hits.append("bind")
    return hits


def soft_hits(text: str) -> list:
    return [intent for intent, pattern in SOFT if pattern.search(text)]


def match_rule(text: str):
    """Intent of the highest-priority matching STRONG rule, or None."""
    hits = rule_hits(text)
    return hits[0] if hits else None


def report_hints(text: str) -> int:
    return len(REPORT_HINT.findall(text))
