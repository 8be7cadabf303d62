"""提案 fixed-syntax commands and draft replies (no classifier, no database).

    我要写提案 / 写提案 / 提个提案 …              start a draft (the `proposal` intent catches free wording)
    我的提案                                      the member's proposals (author and co-signer)
    联名 [TA2026-0001] 王建国 李秀兰               invite co-signers (the latest own proposal when no receipt)
    同意联名 TA2026-0001 / 不同意联名 TA2026-0001  answer an invitation
    满意 / 基本满意 / 不满意 [TA…] [理由]           the verdict on a reply
    提案待审 / 待审提案                            staff: proposals waiting for 审查
Staff review verbs (立案 TA… …) use commands.parse_staff_command with storage/proposal_flow.py's VERBS.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .entities import RECEIPT
from .normalize import normalize

START_WORDS = frozenset({"我要写提案", "写提案", "我想写提案", "我要写个提案", "我想写个提案", "写个提案", "提个提案",
                         "我要提个提案", "我想提个提案", "提交提案", "我要提交提案", "我要提案", "我想提提案",
                         "起草提案", "我要起草提案", "撰写提案", "新提案", "新建提案", "提案"})
MINE_WORDS = frozenset({"我的提案", "提案进度", "我的提案进度", "查看我的提案", "查提案", "我的联名"})
PENDING_WORDS = frozenset({"提案待审", "待审提案", "待审查提案", "提案待审查"})
VERDICT_WORDS = {"满意": "satisfied", "基本满意": "basic", "比较满意": "basic", "不满意": "unsatisfied",
                 "不太满意": "unsatisfied"}
_TRIM = " 。.!！~～"
_NAME_SPLIT = re.compile(r"[\s,，、;；和及与]+")
_COSIGN = re.compile(rf"(?:邀请)?联名\s*[:：]?\s*(?:(?P<receipt>{RECEIPT})\s*[:：,，]?\s*)?(?P<names>.+)", re.S)
_ANSWER = re.compile(rf"(?P<no>不同意|不愿意|拒绝)?(?:同意|愿意)?联名\s*(?P<receipt>{RECEIPT})?")
_VERDICT = re.compile(rf"(?P<word>基本满意|比较满意|不太满意|不满意|满意)\s*(?P<receipt>{RECEIPT})?\s*[,，:：。;；]?\s*"
                      r"(?:理由|原因)?[:：]?\s*(?P<rest>.*)", re.S)
_NAME = re.compile(r"[\u4e00-\u9fff·]{2,8}|[A-Za-z][A-Za-z .'-]{1,30}")
_MINE = re.compile(r"(?:我的|我提的|我写的|我交的)(?:那个|那份|那件|几个)?提案|提案(?:的)?(?:进度|办得|办理情况|怎么样)")
_TITLE_LEAD = re.compile(r"^(?:我要|我想)?(?:写|提|提交|起草)?(?:一个|个|一份|份)?提案\s*[:：,，]?\s*(?:案由|题目)?\s*[:：]?\s*")


@dataclass(frozen=True)
class ProposalCommand:
    kind: str                  # start | mine | cosign | agree | decline | verdict | pending
    receipt: str = ""          # as typed ('' = not given)
    names: tuple[str, ...] = ()  # cosign: the names as written
    verdict: str = ""          # verdict: satisfied | basic | unsatisfied (storage.statuses.Verdict values)
    rest: str = ""             # start: a title given with the trigger; verdict: the reason


def parse_proposal_command(text: str) -> ProposalCommand | None:
    """One of the member commands above, or None. `verdict` without a receipt is only a command when the
    member has a proposal awaiting a verdict (the router checks)."""
    raw = text.strip()
    clean = normalize(raw).strip(_TRIM)
    if clean in START_WORDS:
        return ProposalCommand("start")
    title = title_in_trigger(raw)
    if title and any(raw.startswith(word) for word in START_WORDS if len(word) > 2):
        return ProposalCommand("start", rest=title)
    if clean in MINE_WORDS or (_MINE.search(clean) and not re.search(RECEIPT, clean) and len(clean) <= 16):
        return ProposalCommand("mine")
    if clean in PENDING_WORDS:
        return ProposalCommand("pending")
    answer = _ANSWER.fullmatch(clean)
    if answer and ("同意" in clean or "愿意" in clean or answer["no"]):
        return ProposalCommand("decline" if answer["no"] else "agree", receipt=answer["receipt"] or "")
    cosign = _COSIGN.fullmatch(clean)
    if cosign and not clean.startswith(("同意", "不同意")):
        names = tuple(n for n in _NAME_SPLIT.split(cosign["names"].strip(_TRIM)) if n)
        if names and all(_NAME.fullmatch(n) for n in names):
            return ProposalCommand("cosign", receipt=cosign["receipt"] or "", names=names)
    verdict = _VERDICT.fullmatch(clean)
    if verdict and (verdict["receipt"] or not verdict["rest"] or verdict["word"] in ("不满意", "不太满意")):
        return ProposalCommand("verdict", receipt=verdict["receipt"] or "", verdict=VERDICT_WORDS[verdict["word"]],
                               rest=verdict["rest"].strip())
    return None


def title_in_trigger(text: str) -> str:
    """'我要写提案：关于…的建议' → '关于…的建议' ('' when the trigger carries no title)."""
    clean = text.strip().strip(_TRIM)
    found = _TITLE_LEAD.match(clean)
    return clean[found.end():].strip() if found and found.end() < len(clean) else ""


_NUMBERED = re.compile(r"(?:^|\n|\s|[；;。])(?:[（(]?\d{1,2}[)）.、．]|[一二三四五六七八九十]{1,2}[、.．]|[①-⑳])\s*")


def numbered_items(text: str) -> list[str]:
    """具体建议 as a list: '1. …2. …', '一、…二、…', '①…②…', one per line, or one item."""
    parts = [p.strip(" ；;。\n") for p in _NUMBERED.split("\n" + text.strip()) if p.strip(" ；;。\n")]
    if len(parts) <= 1:
        lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
        parts = lines if len(lines) > 1 else [text.strip()]
    return parts


def numbered(items: list[str]) -> str:
    return "\n".join(f"{i}. {item}" for i, item in enumerate(items, 1))


_CATEGORY_WORDS = {
    "经济建设": ("经济", "产业", "企业", "营商", "招商", "金融", "能源", "煤", "工业", "园区", "就业创业", "民营"),
    "科教文卫": ("教育", "学校", "教师", "医疗", "医院", "卫生", "文化", "科技", "体育", "旅游", "健康"),
    "社会民生": ("养老", "社区", "就业", "社保", "住房保障", "残疾", "低保", "民生", "托育", "物业"),
    "城乡建设": ("城市", "道路", "交通", "停车", "供暖", "供水", "老旧小区", "规划", "建设", "公交"),
    "生态环保": ("生态", "环保", "环境", "污染", "绿化", "治沙", "水土", "碳", "黄河"),
    "农村牧区": ("农村", "牧区", "农牧", "乡村", "农民", "牧民", "嘎查", "种植", "养殖"),
    "政治法治": ("法治", "政务", "审批", "监督", "民主", "统战", "政协", "基层治理", "司法"),
}


def proposal_category(text: str, categories: tuple[str, ...]) -> str:
    """The configured category the text is most about (keyword hits), else the last one (其他)."""
    hits = {name: sum(text.count(word) for word in words) for name, words in _CATEGORY_WORDS.items()
            if name in categories}
    best = max(hits.items(), key=lambda item: item[1], default=("", 0))
    return best[0] if best[1] else categories[-1]


def category_named(value: str, categories: tuple[str, ...]) -> str:
    """The configured category a member's words name ('社会民生', '民生', '民生类'), else ''."""
    word = normalize(value).strip(_TRIM + "：:").removesuffix("类").removesuffix("方面")
    if word in categories:
        return word
    return next((c for c in categories if word and (word in c or c in word)), "")
