"""Day-precise date expressions -> datetime.date, resolved against `now` (Asia/Shanghai)."""
import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .normalize import NUM, cn2num

TZ = ZoneInfo("Asia/Shanghai")

_REL = {"大前天": -3, "前天": -2, "前儿": -2, "昨天": -1, "昨日": -1, "昨儿": -1, "昨晚": -1, "昨夜": -1,
        "今天": 0, "今日": 0, "今儿": 0, "今早": 0, "今晚": 0, "今夜": 0, "今个": 0,
        "明天": 1, "明日": 1, "明儿": 1, "明早": 1, "明晚": 1, "后天": 2, "大后天": 3}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": None,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_WEEK_SHIFT = {"上上": -2, "下下": 2, "上": -1, "下": 1, "本": 0, "这": 0, "": 0}
_MD = r"(?P<m>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
_DAY = r"(?P<d>[12]\d|3[01]|0?[1-9]|[二三]?十[一二三四五六七八九]?|三十一?|[一二三四五六七八九])"

DATE_RE = re.compile("|".join([
    r"(?P<ymd>(?P<y1>20\d\d)\s*[-./年]\s*(?P<m1>1[0-2]|0?[1-9])\s*[-./月]\s*(?P<d1>[12]\d|3[01]|0?[1-9])(?!\d)\s*[日号]?)",
    r"(?P<md>(?:(?P<yr>今年|明年|去年))?" + _MD + r"\s*月\s*(?:份\s*)?" + _DAY + r"(?![\d十])\s*(?:日|号)?)",
    r"(?P<dot>(?<![\d.\-/A-Za-z])(?P<m2>1[0-2]|0?[1-9])[./-](?P<d2>[12]\d|3[01]|0?[1-9])"
    r"(?![\d.\-/]|\s*(?:个)?(?:小时|钟|h|H|分|min|倍|%|万|元|米|公里|吨)))",
    r"(?P<rel>大前天|大后天|前天|前儿|昨天|昨日|昨儿|昨晚|昨夜|今天|今日|今儿|今早|今晚|今夜|今个|明天|明日|明儿|明早|明晚|后天)",
    r"(?P<wk>(?P<shift>上上|下下|上|(?<!一)下|本|这)?\s*(?:个)?\s*(?:周|星期|礼拜)(?P<wd>[一二三四五六日天1-7]))",
    r"(?P<dom>(?:(?P<nm>下个?月|上个?月|这个?月|本月)|(?<![\dA-Za-z月.]))" + _DAY.replace("?P<d>", "?P<d3>") + r"\s*(?:号|日)(?![本子常期]))",
]))


def local_today(now: datetime) -> date:
    if now.tzinfo is None:
        now = now.replace(tzinfo=TZ)
    return now.astimezone(TZ).date()


def _safe(y, m, d):
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _resolve(m: re.Match, today: date, future: bool):
    g = m.groupdict()
    if g["ymd"]:
        return _safe(int(g["y1"]), int(g["m1"]), int(g["d1"]))
    if g["md"] or g["dot"]:
        month = cn2num(g["m"] or g["m2"])
        day = cn2num(g["d"] or g["d2"])
        year = today.year + {"明年": 1, "去年": -1}.get(g["yr"] or "", 0)
        found = _safe(year, month, day)
        if found and future and not g["yr"] and found < today:
            found = _safe(year + 1, month, day)
        return found
    if g["rel"]:
        return today + timedelta(days=_REL[g["rel"]])
    if g["wk"]:
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(weeks=_WEEK_SHIFT[g["shift"] or ""], days=_WEEKDAY[g["wd"]])
    if g["dom"]:
        day = cn2num(g["d3"])
        year, month = today.year, today.month
        if g["nm"] and g["nm"].startswith("下"):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        elif g["nm"] and g["nm"].startswith("上"):
            year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        found = _safe(year, month, day)
        if found and future and not g["nm"] and found < today:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            found = _safe(year, month, day)
        return found
    return None


def find_dates(text: str, now: datetime, future: bool = False):
    """Yield (date, start, end) for each day-precise expression in order.

    future=True: a month/day already passed this year means next year (signup, leave, ...)."""
    today = local_today(now)
    for m in DATE_RE.finditer(text):
        found = _resolve(m, today, future)
        if found:
            yield found, m.start(), m.end()


def extract_date(text: str, now: datetime, future: bool = False):
    """First day-precise date as 'YYYY-MM-DD', or None."""
    for found, _, _ in find_dates(text, now, future):
        return found.isoformat()
    return None


# Span of any time expression, precise or not (used to strip dates from other slots).
TIME_WORDS_RE = re.compile(
    DATE_RE.pattern + r"|(?:上上|下下|上|下|本|这)(?:个)?(?:周|星期|礼拜)(?:末)?|周末|月底|月初|年底|近期|最近|近日|"
    r"(?:上|下|这|本)(?:个)?月|今年|明年|[上下]午|晚上|早上|中午|" + NUM + r"\s*点(?:半|钟|\d+分?)?")


# Date-like expressions that do not name one day (前几天, 上个月, 那天, 月初, 下周): a dialog asks, never defaults.
VAGUE_DATE_RE = re.compile(
    r"(?:前|这|那|过|近|头)(?:几|两|一两|两三|三两|三四|些|那么几)天|前阵子|前一阵|前段时间|这段时间|那段时间|那天|那日|当时|"
    r"某天|有一天|有天|(?:上上|上|这|本|下|下下)(?:个)?月(?:份)?|月初|月中|月底|月末|上旬|中旬|下旬|年初|年中|年底|"
    r"(?:上上|上|这|本|下|下下)(?:个)?(?:周|星期|礼拜)(?:末)?|周末|上次|之前|前些日子|最近|近期|近日|"
    r"(?<![\d.])(?:1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])月份?(?![\d一二三四五六七八九十]|\s*\d)")


def extract_unresolved_date(text: str, now: datetime, future: bool = False):
    """The date-like expression as written when the text has one but no day-precise date; else None."""
    if extract_date(text, now, future):
        return None
    m = VAGUE_DATE_RE.search(text)
    return m.group() if m else None
