"""Text normalisation and Chinese numeral helpers shared by all extractors.

normalize(): NFKC (full-width -> ASCII), traditional -> simplified (OpenCC), circled numbers -> digits, emoji and
WeChat stickers out of the way, typos (data/typos.json) and same-sounding slips of the command words
(报民 -> 报名, 签道 -> 签到, 取销 -> 取消; pypinyin) where a command word is expected."""
import json
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

from . import homophones

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
# Circled/dingbat numbers that NFKC leaves alone (①..⑳ it already maps): ❶ ➀ ➊ ⓫ ⓵ ⓿ -> digits.
_CIRCLED = {c: str(int(unicodedata.numeric(chr(c))))
            for lo, hi in ((0x2776, 0x2793), (0x24EB, 0x24FF)) for c in range(lo, hi + 1)}
# Emoji and pictographs (with skin tones, variation selectors and joiners); CJK and digits are outside these ranges.
EMOJI_RE = re.compile("[\U0001F000-\U0001FAFF\U0001F3FB-\U0001F3FF\u2600-\u27BF\u2B00-\u2BFF\u2300-\u23FF"
                      "\uFE0E\uFE0F\u200D\u20E3\U000E0020-\U000E007F]+")
# WeChat text stickers: the /::) /:rose codes and [微笑]-style names (only known names: [注] or [图] stay).
_STICKER_NAMES = (
    "微笑 撇嘴 色 发呆 得意 流泪 害羞 闭嘴 睡 大哭 尴尬 发怒 调皮 呲牙 惊讶 难过 酷 冷汗 抓狂 吐 偷笑 愉快 白眼 傲慢 饥饿 困 "
    "惊恐 流汗 憨笑 悠闲 奋斗 咒骂 疑问 嘘 晕 疯了 衰 骷髅 敲打 再见 擦汗 抠鼻 鼓掌 糗大了 坏笑 左哼哼 右哼哼 哈欠 鄙视 委屈 "
    "快哭了 阴险 亲亲 吓 可怜 菜刀 西瓜 啤酒 篮球 乒乓 咖啡 饭 猪头 玫瑰 凋谢 嘴唇 爱心 心碎 蛋糕 闪电 炸弹 刀 足球 瓢虫 便便 "
    "月亮 太阳 礼物 拥抱 强 弱 握手 胜利 抱拳 勾引 拳头 差劲 爱你 NO OK 爱情 飞吻 跳跳 发抖 怄火 转圈 磕头 回头 跳绳 投降 "
    "激动 乱舞 献吻 左太极 右太极 嘿哈 捂脸 奸笑 机智 皱眉 耶 吃瓜 加油 汗 天啊 Emm 社会社会 旺柴 好的 打脸 哇 翻白眼 666 "
    "让我看看 叹气 苦涩 裂开 合十 红包 發 福 烟花 爆竹 庆祝 破涕为笑 笑脸 生病 脸红 恐惧 失望 无语 表情 动画表情 图片 语音 视频")
STICKER_RE = re.compile(r"/:+[^/\s\u4e00-\u9fff]{1,9}|\[(?:" + "|".join(map(re.escape, _STICKER_NAMES.split())) + r")\]",
                        re.I)
_opencc = None


def _to_simplified(text: str) -> str:
    global _opencc
    if _opencc is None:
        import opencc
        _opencc = opencc.OpenCC("t2s")
    return _opencc.convert(text)


def strip_emoji(text: str) -> str:
    """Emoji and WeChat stickers replaced by a space (the rest untouched)."""
    return EMOJI_RE.sub(" ", STICKER_RE.sub(" ", text))


# One message is normalised several times on its way (the router's fixed commands, parse(), extract()): short
# texts are remembered. The result depends on the text alone.
CACHED_CHARS = 200


def normalize(text: str) -> str:
    """NFKC, drop zero-width chars, traditional -> simplified, circled numbers -> digits, emoji/stickers out,
    fix command-word typos and homophones, collapse whitespace."""
    text = text or ""
    return _normalize_cached(text) if len(text) <= CACHED_CHARS else _normalize(text)


@lru_cache(maxsize=1024)
def _normalize_cached(text: str) -> str:
    return _normalize(text)


def _normalize(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    text = _ZERO_WIDTH.sub("", text).translate(_CIRCLED)
    text = strip_emoji(text)
    if not text.isascii():
        text = _to_simplified(text)
    text = _TYPO_RE.sub(lambda m: _TYPOS.get(m.group(), _TYPOS.get(m.group().lower(), m.group())), text)
    text = homophones.fix(text)
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
