"""Report helpers: category from a keyword lexicon, short title from the first meaningful clause."""
import json
import re
from functools import lru_cache
from pathlib import Path

from .matcher import LongestMatch

DATA = Path(__file__).with_name("data") / "categories.json"
CATEGORIES = ("经济发展", "民生保障", "社会治理", "生态环保", "教育科技", "医疗卫生", "农村牧区",
              "城乡建设", "交通出行", "民族宗教", "其他")
TITLE_MAX = 20

_FILLERS = re.compile(
    r"^(?:(?:各位|尊敬的)?领导(?:们)?(?:好|你们好|您好)?|大家好|你好|您好|各位|同志们|"
    r"我想|我要|我来|想|要|给大家|跟大家|向大家|向组织|向领导|给领导|和领导|跟你|给你|和你|跟您|给您|向您|讲(?:一下)?|"
    r"反映(?:一下|个|一个)?(?:情况|问题)?|提(?:一个|个)?建议|提个意见|建议|说(?:一下|个)?|汇报(?:一下)?|"
    r"这里|这边|有个|有一个|一个|个|情况|问题|社情民意|关于|就是|那个|嗯|啊|哦|呃|的|是|:|：|,|，|"
    r"据了解|了解到|据群众反映|发现|注意到|看到|听说|顺便|同时|另外|近期|最近|目前|现在|我们|我)+")
_TOPIC = re.compile(r"反映|建议|问题|存在|不达标|困难|隐患|希望|呼吁|严重|缺乏|缺少|难以|无法|不能|没有|损坏|破损|"
                    r"拥堵|污染|超标|滞后|不足|不够|太|坏|难")
_CLAUSE = re.compile(r"[。！!？?；;\n]|，|,")
# Inside one long unpunctuated clause (voice transcripts): where a new thought starts.
_SOFT_BREAK = re.compile(r"另外|而且|并且|同时|有的|希望|建议|呼吁|恳请|请求|导致|造成")
_REPORTED = re.compile(r"反映(?:说|了)?")


@lru_cache(maxsize=1)
def lexicon() -> dict:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {c: raw.get(c, []) for c in CATEGORIES}


@lru_cache(maxsize=1)
def _matcher() -> LongestMatch:
    return LongestMatch(w for ws in lexicon().values() for w in ws)


@lru_cache(maxsize=1)
def _owners() -> dict:
    owners = {}
    for cat, words in lexicon().items():
        for w in words:
            owners.setdefault(w, []).append(cat)
    return owners


@lru_cache(maxsize=512)
def _scores(text: str) -> tuple:
    scores = {}
    for _, word in _matcher().finditer(text):
        for cat in _owners()[word]:
            scores[cat] = scores.get(cat, 0.0) + len(word) ** 0.5
    return tuple(scores.items())


def keyword_scores(text: str) -> dict:
    """{category: weighted keyword hits}; longer keywords weigh more."""
    return dict(_scores(text))


def _shorten(clause: str) -> str:
    """A long clause: keep what was reported ("…牧民反映草场补贴没发" -> "草场补贴没发"), up to the next thought."""
    if len(clause) <= TITLE_MAX:
        return clause
    reported = _REPORTED.split(clause, maxsplit=1)
    if len(reported) == 2 and len(_SOFT_BREAK.split(reported[1])[0]) >= 6:
        clause = reported[1]
    head = _SOFT_BREAK.split(clause)[0]
    return head if len(head) >= 6 else clause


def make_title(text: str) -> str:
    """First clause that names the topic (problem words or category keywords), fillers removed, <= TITLE_MAX chars."""
    clauses = [_FILLERS.sub("", c.strip()).strip() for c in _CLAUSE.split(text)]
    clauses = [c for c in clauses if len(c) >= 4]
    for clause in clauses:
        if _TOPIC.search(clause) or keyword_scores(clause):
            return _shorten(clause)[:TITLE_MAX]
    if clauses:
        return clauses[0][:TITLE_MAX]
    return (_FILLERS.sub("", text).strip() or text.strip())[:TITLE_MAX]
