"""Same-sounding slips of the command words (报民/报命/抱名 -> 报名, 签道 -> 签到, 取销 -> 取消, 打咔 -> 打卡).

A two-character window is replaced by a command word when both read alike in pinyin (tones ignored, the usual
fuzzy pairs in/ing, en/eng, an/ang, z/zh, c/ch, s/sh, l/n merged), at least one character is the command word's
own, and the window stands where a command word is expected: at the start of the message or of a clause
(after 我要/帮我/请 …), and followed by the end, a space or punctuation, a number or code, 一下/个/了/吧 or another
command word. So '报民A1' and '取销报民 A3' are fixed; a name or an ordinary word in a sentence is never touched.

The character classes come from pypinyin's dictionary; they are computed once and cached in the temp
directory (like jieba's trimmed dictionary) so that warm-up does not pay for loading pypinyin."""
import json
import re
import tempfile
import threading
import unicodedata
from pathlib import Path

COMMAND_WORDS = ("报名", "签到", "取消", "打卡", "补卡", "请假", "绑定", "履职", "帮助", "菜单", "积分", "附议", "撤回")
_BEFORE_OK = re.compile(r"(?:^|[\s,，。.!！?？、;；:：~～])(?:我要|我想|帮我|给我|替我|麻烦|请|我|要|想|再|先|你好|您好|在|就)*$")
_AFTER_OK = re.compile(r"$|[\s,，。.!！?？、;；:：~～\dA-Za-z]|一下|个|了|吧|啊|呀|码")
_CACHE_VERSION = 1
_lock = threading.Lock()
_state = {}


def _fuzzy(reading: str) -> str:
    """'bào' -> 'bao', 'míng' -> 'min', 'zhí' -> 'zi', 'lǚ' -> 'nu': toneless with the usual fuzzy pairs merged."""
    s = "".join(c for c in unicodedata.normalize("NFD", reading) if not unicodedata.combining(c))
    for long, short in (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n")):
        if s.startswith(long):
            s = short + s[len(long):]
    for long, short in (("ing", "in"), ("eng", "en"), ("ang", "an")):
        if s.endswith(long):
            s = s[:-len(long)] + short
    return s


def _compute_classes() -> dict:
    """{command word: [chars sounding like its 1st char, … like its 2nd char]} from pypinyin's dictionary."""
    from pypinyin.pinyin_dict import pinyin_dict
    sounds = {ch: {_fuzzy(r) for r in pinyin_dict[ord(ch)].split(",")} for w in COMMAND_WORDS for ch in w}
    alike = {s: set() for v in sounds.values() for s in v}
    for code, readings in pinyin_dict.items():
        if 0x4E00 <= code <= 0x9FFF:
            for reading in readings.split(","):
                key = _fuzzy(reading)
                if key in alike:
                    alike[key].add(chr(code))
    return {w: ["".join(sorted(set().union(*(alike[s] for s in sounds[ch])))) for ch in w] for w in COMMAND_WORDS}


def _classes() -> dict:
    """The classes, from the temp-directory cache when present (pypinyin is then not even imported)."""
    from importlib.metadata import version
    path = Path(tempfile.gettempdir()) / f"intents-homophones-{version('pypinyin')}-v{_CACHE_VERSION}.json"
    try:
        cached = json.loads(path.read_text("utf-8"))
        if list(cached) == list(COMMAND_WORDS):
            return cached
    except (OSError, ValueError):
        pass
    classes = _compute_classes()
    try:
        tmp = path.with_name(f"{path.name}.{threading.get_ident()}.tmp")
        tmp.write_text(json.dumps(classes, ensure_ascii=False), "utf-8")
        tmp.replace(path)
    except OSError:
        pass
    return classes


def initialize() -> None:
    """Build the window pattern (idempotent, thread-safe)."""
    if "pattern" in _state:
        return
    with _lock:
        if "pattern" in _state:
            return
        classes = {w: (set(a), set(b)) for w, (a, b) in _classes().items()}
        parts = [f"{w[0]}[{re.escape(''.join(b))}]|[{re.escape(''.join(a))}]{w[1]}" for w, (a, b) in classes.items()]
        _state["classes"] = classes
        _state["pattern"] = re.compile("|".join(parts))


def command_word(window: str):
    """The command word a two-character window sounds like (sharing one character with it), or None."""
    initialize()
    for word, (a, b) in _state["classes"].items():
        if (window[0] == word[0] and window[1] in b) or (window[1] == word[1] and window[0] in a):
            return word
    return None


def fix(text: str) -> str:
    """Replace same-sounding slips of command words standing where a command word is expected."""
    initialize()
    out, last = [], 0
    for m in _state["pattern"].finditer(text):
        window = m.group()
        if window in COMMAND_WORDS:
            continue
        done = "".join(out) + text[last:m.start()]
        after = text[m.end():]
        expected_before = _BEFORE_OK.search(done) or done.endswith(COMMAND_WORDS)
        expected_after = _AFTER_OK.match(after) or after.startswith(COMMAND_WORDS) or \
            (len(after) >= 2 and command_word(after[:2]) is not None)
        if expected_before and expected_after:
            out.append(text[last:m.start()] + command_word(window))
            last = m.end()
    return "".join(out) + text[last:] if out else text
