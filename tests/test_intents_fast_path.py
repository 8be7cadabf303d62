"""The rules fast path of parse() (intents/fast_path.py) changes no answer.

Every message we have — the training corpus, the held-out set (read here only mechanically, never to write
rules), the member messages of both conversation sets and every menu word — goes through parse() and through
the classifier alone. Wherever the fast path fires, intent and slots must be identical, and the classifier
must be sure enough that the bot decides as it does on confidence 1.0: no clarifying question
(bot/dialogs/clarify.unsure), a new request inside another dialog (Message.is_new_request, >= 0.8), and no
change to the evaluation's high-confidence bin (>= 0.9)."""
import json
import re
from datetime import datetime
from pathlib import Path

import pytest

import intents
from intents.api import _fast_parse as fast_parse, forget_texts, parse_with_classifier
from intents.commands import MENU_WORDS
from intents.durations import DURATION_RE

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime.fromisoformat("2026-11-26T10:00:00+08:00")
SURE = 0.9              # the classifier's least confidence wherever the fast path answers 1.0
MARGIN = 0.12           # config.yaml intents.margin: best minus runner-up below this asks which service


def _jsonl(path: Path) -> list:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def _member_turns(path: Path) -> list:
    texts = []
    for conversation in _jsonl(path):
        if conversation["who"] == "staff":
            continue
        for turn in conversation["turns"]:
            text = turn if isinstance(turn, str) else turn.get("voice")
            if text:
                texts.append(text)
    return texts


def _messages() -> dict:
    rows = _jsonl(ROOT / "intents/data/train.jsonl")
    return {
        "corpus": [(r["text"], NOW) for r in rows],
        "heldout": [(r["text"], datetime.fromisoformat(r["now"]) if r.get("now") else NOW)
                    for r in _jsonl(ROOT / "tests/data/heldout.jsonl")],
        "conversations": [(t, NOW) for t in _member_turns(ROOT / "tests/data/conversations.jsonl")],
        "conversations_fresh": [(t, NOW) for t in _member_turns(ROOT / "tests/data/conversations_fresh.jsonl")],
        "menu words": [(w + tail, NOW) for w in MENU_WORDS for tail in ("", "!", "。", " ")],
    }


def _fast(text, now=NOW):
    """The fast path's Parse, or None where it falls through to the classifier."""
    return fast_parse(intents.normalize(text), now)


@pytest.mark.parametrize("source", list(_messages()))
def test_fast_path_answers_as_the_classifier(source):
    messages = _messages()[source]
    fired, wrong = 0, []
    for text, now in messages:
        fast = _fast(text, now)
        if fast is None:
            continue
        assert intents.parse(text, now) == fast
        fired += 1
        full = parse_with_classifier(text, now)
        runner_up = full.alternatives[1][1]
        if (fast.intent, fast.slots) != (full.intent, full.slots) or full.confidence < SURE \
                or full.confidence - runner_up < MARGIN:
            wrong.append((text, fast.intent, fast.slots, full.intent, full.slots, round(full.confidence, 3)))
    print(f"\n{source}: fast path fired on {fired} of {len(messages)} messages ({fired / len(messages):.0%})")
    assert not wrong, wrong


def test_fast_path_covers_the_plain_commands():
    for text in ("学习打卡 今天学习了《政协理论第123讲》30分钟", "打卡 政协章程 30分钟", "学习打卡 人民政协报20分钟",
                 "补卡 昨天学习党章1小时", "签到 4821", "报名 A3", "取消报名 A3", "菜单", "我的履职"):
        assert _fast(text) is not None, text


@pytest.mark.parametrize("text", [
    "打卡记录查询", "打卡没成功吗", "学习打卡的同时反映个情况,低保审核周期太长,建议尽快解决",
    "打卡 1小时 是不是没打上", "打卡 今天学习1小时 小区暖气不热", "打卡 报名A3 1小时", "学习打卡 怎么补卡",
    "打卡 全国政协会议精神 1小时", "学习打卡 政协章程 学了一会儿", "打卡 两三个小时",
])
def test_fast_path_leaves_anything_else_to_the_classifier(text):
    assert _fast(text) is None


def test_duration_look_ahead_changes_no_match():
    """DURATION_RE's leading look-ahead only skips positions where no alternative can start."""
    prefix = "(?=[\\d零一二两俩三四五六七八九十百半])(?:"
    assert DURATION_RE.pattern.startswith(prefix) and DURATION_RE.pattern.endswith(")")
    plain = re.compile(DURATION_RE.pattern[len(prefix):-1])
    texts = [intents.normalize(t) for messages in _messages().values() for t, _ in messages]
    for text in texts + ["半 个钟头", "一 小时 二十 分钟", "1.5h", "两三个小时", "十分钟", "〇点五小时"]:
        ours = [(m.span(), m.lastgroup, m.groups()) for m in DURATION_RE.finditer(text)]
        assert ours == [(m.span(), m.lastgroup, m.groups()) for m in plain.finditer(text)], text


def test_caches_change_no_result():
    long_text = "学习打卡 " + "政协章程" * 60 + " 30分钟"
    assert intents.normalize(long_text) == intents.normalize(long_text)   # beyond the cached length
    first = intents.parse("学习打卡 昨天学习党章1小时", NOW)
    forget_texts()
    assert intents.parse("学习打卡 昨天学习党章1小时", NOW) == first
