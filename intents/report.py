"""Report helpers: category from a keyword lexicon, short title from the first meaningful clause."""
import json
import re
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "categories.json"
CATEGORIES = ("经济发展", "民生保障", "社会治理", "生态环保", "教育科技", "医疗卫生", "农村牧区",
              "城乡建设", "交通出行", "民族宗教", "其他")
TITLE_MAX = 20

_FILLERS = re.compile(
    r"^(?:(?:各位|尊敬的)?领导(?:们)?(?:好|你们好|您好)?|大家好|你好|您好|各位|同志们|"
    r"我想|我要|我来|想|要|给大家|跟大家|向大家|向组织|向领导|给领导|和领导|"
    r"反映(?:一下|个|一个)?(?:情况|问题)?|提(?:一个|个)?建议|提个意见|建议|说(?:一下|个)?|汇报(?:一下)?|"
    r"这里|这边|有个|有一个|一个|个|情况|问题|社情民意|关于|就是|那个|嗯|啊|哦|呃|的|是|:|：|,|，)+")
_CLAUSE = re.compile(r"[。！!？?；;\n]|，|,")


@lru_cache(maxsize=1)
def lexicon() -> dict:
    raw = json.loads(DATA.read_text(encoding="utf-8"))
    return {c: raw.get(c, []) for c in CATEGORIES}


@lru_cache(maxsize=1)
def _keyword_re() -> re.Pattern:
    words = sorted({w for ws in lexicon().values() for w in ws}, key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words)))


@lru_cache(maxsize=1)
def _owners() -> dict:
    owners = {}
    for cat, words in lexicon().items():
        for w in words:
            owners.setdefault(w, []).append(cat)
    return owners


def keyword_scores(text: str) -> dict:
    """{category: weighted keyword hits}; longer keywords weigh more."""
    scores = {}
    for m in _keyword_re().finditer(text):
        for cat in _owners()[m.group()]:
            scores[cat] = scores.get(cat, 0.0) + len(m.group()) ** 0.5
    return scores


def category_by_keywords(text: str) -> str:
    scores = keyword_scores(text)
    return max(scores, key=scores.get) if scores else "其他"


def make_title(text: str) -> str:
    """First clause with greetings/fillers removed, at most TITLE_MAX characters."""
    for clause in _CLAUSE.split(text):
        clause = _FILLERS.sub("", clause.strip()).strip()
        if len(clause) >= 4:
            return clause[:TITLE_MAX]
    fallback = _FILLERS.sub("", text).strip() or text.strip()
    return fallback[:TITLE_MAX]
