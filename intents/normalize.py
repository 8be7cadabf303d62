"""Text normalisation and Chinese numeral helpers shared by all extractors."""
import json
import re
import unicodedata
from pathlib import Path

CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "俩": 2, "三": 3, "四": 4,
             "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100}
# A number written in Arabic digits or Chinese numerals (up to the hundreds).
NUM = r"(?:\d+|[零〇一二两三四五六七八九十百]+)"

_ZERO_WIDTH = re.compile(r"[\u200b-\u200f\ufeff]")
_SPACES = re.compile(r"\s+")
_TYPOS = {k: v for k, v in json.loads((Path(__file__).with_name("data") / "typos.json").read_text("utf-8")).items()
          if not k.startswith("_")}
_TYPO_RE = re.compile("|".join(map(re.escape, sorted(_TYPOS, key=len, reverse=True))), re.I)


def normalize(text: str) -> str:
    """NFKC (full-width -> ASCII), drop zero-width chars, fix command-word typos, collapse whitespace."""
    text = unicodedata.normalize("NFKC", text or "")
    text = _ZERO_WIDTH.sub("", text)
    text = _TYPO_RE.sub(lambda m: _TYPOS.get(m.group(), _TYPOS.get(m.group().lower(), m.group())), text)
    return _SPACES.sub(" ", text).strip()


def cn2num(s: str):
    """'12' -> 12, '十二' -> 12, '二十五' -> 25, '一百二十' -> 120, '1.5' -> 1.5; None if not a number."""
    if not s:
        return None
    if re.fullmatch(r"\d+", s):
        return int(s)
    if re.fullmatch(r"\d+\.\d+", s):
        return float(s)
    total, digit = 0, None
    for ch in s:
        if ch in CN_DIGITS:
            if digit is not None:          # '一零' style digit sequences
                digit = digit * 10 + CN_DIGITS[ch]
            else:
                digit = CN_DIGITS[ch]
        elif ch in CN_UNITS:
            total += (1 if digit is None else digit) * CN_UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)
