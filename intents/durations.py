"""Study durations -> minutes (int)."""
import re
from functools import lru_cache

from .normalize import cn2num

_N = r"(\d+(?:\.\d+)?|[零一二两俩三四五六七八九十百]+)"
_HOUR = r"(?:个)?(?:多)?(?:小时|钟头|钟(?!表)|h(?:ours?|rs?)?(?![a-z])|H)"
_MIN = r"(?:分钟|分(?![之数享会析别期配工类钱])|min(?:utes?|s)?(?![a-z])|m(?![a-z]))"

# Every alternative starts with a numeral or 半: the leading look-ahead only lets the engine skip other positions fast.
DURATION_RE = re.compile(r"(?=[\d零一二两俩三四五六七八九十百半])(?:" + "|".join([
    r"(?P<hhalf>" + _N + r"\s*个半\s*(?:小时|钟头|钟))",            # 一个半小时, 两个半小时
    r"(?P<hm>" + _N + r"\s*" + _HOUR + r"\s*(?:零)?\s*" + _N + r"\s*" + _MIN + r")",  # 一小时二十分钟
    r"(?P<hhalf2>" + _N + r"\s*(?:个)?(?:小时|钟头)\s*半)",          # 一小时半
    r"(?P<half>半\s*(?:个)?\s*(?:小时|钟头|钟))",                    # 半小时
    r"(?P<quarter>" + _N + r"\s*刻钟)",                              # 一刻钟
    r"(?P<h>" + _N + r"\s*" + _HOUR + r")",                           # 2小时, 1.5h
    r"(?P<m>" + _N + r"\s*" + _MIN + r")",                            # 40分钟, 90min
]) + ")")


_RANGE = re.compile(r"[一二两三四五六七八九]{2}")   # 两三个小时, 一两个钟头: a range, not a number


def _minutes(m: re.Match):
    kind = m.lastgroup
    raw = [x for x in m.groups() if x is not None and x != m.group(kind)]
    nums = [cn2num(x) for x in raw]
    if any(n is None for n in nums) or any(_RANGE.fullmatch(x) for x in raw):
        return None
    if kind in ("hhalf", "hhalf2"):
        return round(nums[0] * 60 + 30)
    if kind == "hm":
        return round(nums[0] * 60 + nums[1])
    if kind == "half":
        return 30
    if kind == "quarter":
        return round(nums[0] * 15)
    if kind == "h":
        return round(nums[0] * 60)
    return round(nums[0])


def find_durations(text: str) -> tuple:
    """(minutes, start, end) for each duration expression, in order."""
    return _durations(text)


@lru_cache(maxsize=256)   # parse() reads a message's durations up to three times (fast path, items, minutes)
def _durations(text: str) -> tuple:
    return tuple((value, m.start(), m.end()) for m in DURATION_RE.finditer(text) if (value := _minutes(m)))


# A span of clock times: 8点到9点半, 晚上七点至八点, 14:00-15:30 (the study lasted from one to the other)
_CLOCK = r"(\d{1,2}|[一二两三四五六七八九十]{1,3})\s*(?:[点:：](?:(半)|(\d{1,2})\s*分?)?)"
TIME_SPAN_RE = re.compile(_CLOCK + r"\s*(?:到|至|-|~|—|－)\s*" + _CLOCK)
MAX_SPAN_MINUTES = 12 * 60


def _clock_minutes(hour: str, half: str | None, minute: str | None):
    h = cn2num(hour)
    if h is None or not 0 <= h <= 24:
        return None
    return h * 60 + (30 if half else int(minute or 0))


def span_minutes(text: str):
    """Minutes between two clock times (8点到9点半 -> 90); None without a plausible span."""
    m = TIME_SPAN_RE.search(text)
    if m is None:
        return None
    start, end = _clock_minutes(*m.group(1, 2, 3)), _clock_minutes(*m.group(4, 5, 6))
    if start is None or end is None:
        return None
    if end <= start and end + 12 * 60 > start:  # 11点到1点: past noon
        end += 12 * 60
    minutes = end - start
    return minutes if 0 < minutes <= MAX_SPAN_MINUTES else None


def extract_minutes(text: str):
    for value, _, _ in find_durations(text):
        return value
    return span_minutes(text)


# Duration-like but no number of minutes: a dialog asks, never defaults.
VAGUE_DURATION_RE = re.compile(
    r"一会儿?|一小会儿?|好一会儿?|好久|很久|老半天|大半天|小半天|半天|一阵子?|一段时间|好长时间|挺长时间|很长时间|不少时间|"
    r"一上午|一下午|一晚上|一整天|一天|一早上|整个上午|整个下午|整晚|个把小时|个把钟头|"
    r"(?:几|好几|十几|几十|一两|两三|三四|四五|五六)\s*(?:个)?(?:多)?(?:小时|钟头|分钟|钟)|"
    r"(?:多|几)(?:个)?小时")


def extract_unresolved_minutes(text: str):
    """The duration-like expression as written when the text has one but no exact duration; else None."""
    if extract_minutes(text):
        return None
    m = VAGUE_DURATION_RE.search(text)
    return m.group() if m else None
