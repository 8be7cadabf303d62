"""Study durations -> minutes (int)."""
import re

from .normalize import cn2num

_N = r"(\d+(?:\.\d+)?|[零一二两俩三四五六七八九十百]+)"
_HOUR = r"(?:个)?(?:多)?(?:小时|钟头|钟(?!表)|h(?:ours?|rs?)?(?![a-z])|H)"
_MIN = r"(?:分钟|分(?![之数享会析别期配工类钱])|min(?:utes?|s)?(?![a-z])|m(?![a-z]))"

DURATION_RE = re.compile("|".join([
    r"(?P<hhalf>" + _N + r"\s*个半\s*(?:小时|钟头|钟))",            # 一个半小时, 两个半小时
    r"(?P<hm>" + _N + r"\s*" + _HOUR + r"\s*(?:零)?\s*" + _N + r"\s*" + _MIN + r")",  # 一小时二十分钟
    r"(?P<hhalf2>" + _N + r"\s*(?:个)?(?:小时|钟头)\s*半)",          # 一小时半
    r"(?P<half>半\s*(?:个)?\s*(?:小时|钟头|钟))",                    # 半小时
    r"(?P<quarter>" + _N + r"\s*刻钟)",                              # 一刻钟
    r"(?P<h>" + _N + r"\s*" + _HOUR + r")",                           # 2小时, 1.5h
    r"(?P<m>" + _N + r"\s*" + _MIN + r")",                            # 40分钟, 90min
]))


def _minutes(m: re.Match):
    kind = m.lastgroup
    nums = [cn2num(x) for x in m.groups() if x is not None and x != m.group(kind)]
    if any(n is None for n in nums):
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


def find_durations(text: str):
    """Yield (minutes, start, end) for each duration expression."""
    for m in DURATION_RE.finditer(text):
        value = _minutes(m)
        if value:
            yield value, m.start(), m.end()


def extract_minutes(text: str):
    for value, _, _ in find_durations(text):
        return value
    return None
