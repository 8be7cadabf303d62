"""Near-duplicate 社情民意: character-bigram overlap with recent reports.

Bigrams every report uses (建议, 部门, 尽快 …) are left out, so the score reflects the matter itself. The score
is the overlap coefficient |A∩B| / min(|A|, |B|): a short report of the same matter inside a long one still
scores high (Jaccard would punish the length difference); texts too short to judge fall back to Jaccard.

Candidates are pre-filtered in SQL (recent, still standing, same district or category) and capped,
so the comparison stays cheap whatever the size of the archive.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from storage.models import Report
from storage.report_flow import LIVE_STATES

_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)
UNCATEGORISED = "其他"
GENERIC = frozenset("建议 希望 呼吁 请求 应当 应该 部门 有关 相关 加强 尽快 问题 我们 一些 部分 群众 反映 目前 现在 "
                    "存在 非常 严重 情况 进行 没有 可以 政府 领导 解决 有些 很多 及时".split())


@dataclass(frozen=True)
class Match:
    report: Report
    score: float


def bigrams(text: str) -> set[str]:
    clean = _NOISE.sub("", text.lower())
    grams = {clean[i:i + 2] for i in range(len(clean) - 1)} or ({clean} if clean else set())
    return grams - GENERIC


MIN_BIGRAMS_FOR_OVERLAP = 8


def jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def similarity(a: set[str], b: set[str]) -> float:
    if min(len(a), len(b)) < MIN_BIGRAMS_FOR_OVERLAP:
        return jaccard(a, b)
    return len(a & b) / min(len(a), len(b))


def find_similar(session: Session, text: str, *, district: str, category: str, since: datetime,
                 threshold: float, limit: int = 200, exclude_ids: tuple[int, ...] = ()) -> list[Match]:
    """Standing reports since `since` in the same district or category, most similar first."""
    scope = []
    if district:
        scope.append(Report.district == district)
    if category and category != UNCATEGORISED:
        scope.append(Report.category == category)
    query = select(Report).where(Report.created_at >= since, Report.status.in_(LIVE_STATES))
    if scope:
        query = query.where(or_(*scope))
    if exclude_ids:
        query = query.where(Report.id.not_in(exclude_ids))
    mine = bigrams(text)
    matches = [Match(r, similarity(mine, bigrams(r.text)))
               for r in session.scalars(query.order_by(Report.id.desc()).limit(limit))]
    return sorted((m for m in matches if m.score >= threshold), key=lambda m: -m.score)
