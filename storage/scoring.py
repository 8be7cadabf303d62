"""履职积分: points and yearly requirements, computed from a member's counts and the year's rules.

Pure functions: no database. Rules come from config `scoring:` — a `default` rule set, and per-year
overrides (e.g. `2027:`) merged over it key by key. config.yaml documents every key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Protocol

SECTIONS = {  # section -> keys it may hold (activities' kind tables are checked separately)
    "reports": ("submitted", "adopted", "instructed", "cap"),
    "seconds": ("each", "cap"),
    "study": ("each", "cap"),
    "activities": ("attended", "excused", "absent", "cap"),
    "proposals": ("submitted", "cosigned", "registered", "key", "excellent", "cap"),  # 提案
}
KIND_TABLES = ("attended", "excused", "absent")
REQUIREMENT_KEYS = ("reports", "reports_adopted", "seconds", "checkins", "study_minutes", "attended", "proposals")
FALLBACK_KIND = "default"


class ScoringConfigError(ValueError):
    """The scoring rules in config.yaml are malformed."""


class Counts(Protocol):
    """What scoring reads (storage.records.RecordCounts provides it)."""

    reports: int
    reports_adopted: int
    reports_instructed: int
    seconds: int
    checkins: int
    study_minutes: int
    attended: int
    attended_by_kind: dict[str, int]
    leaves_by_kind: dict[str, int]
    absences_by_kind: dict[str, int]
    proposals: int               # 提案 submitted as author
    proposals_cosigned: int      # 提案 co-signed (agreed)
    proposals_registered: int    # of the author's, 立案
    proposals_key: int           # of the author's, 重点提案
    proposals_excellent: int     # of the author's, 优秀提案


@dataclass(frozen=True)
class Rules:
    year: int
    base: int
    floor: int
    reports: dict[str, int]
    seconds: dict[str, int]
    study: dict[str, int]
    activities: dict[str, Any]
    requirements: dict[str, int]
    proposals: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    """Points by part; `total` = base + earned − deductions, never below the floor."""

    base: int
    reports: int
    seconds: int
    study: int
    activities: int
    deductions: int
    total: int
    proposals: int = 0


@dataclass(frozen=True)
class Requirement:
    key: str
    required: int
    done: int

    @property
    def missing(self) -> int:
        return max(self.required - self.done, 0)

    @property
    def met(self) -> bool:
        return self.missing == 0


@dataclass
class Progress:
    requirements: list[Requirement] = field(default_factory=list)

    @property
    def met(self) -> bool:
        return all(r.met for r in self.requirements)

    @property
    def missing(self) -> list[Requirement]:
        return [r for r in self.requirements if not r.met]


def rules_for(scoring: Mapping | None, year: int) -> Rules:
    """The rules of `year`: config `scoring.default` with `scoring.<year>` merged over it."""
    scoring = scoring or {}
    merged = merge_rules(scoring.get("default") or {}, _year_override(scoring, year))
    unknown = set(merged) - set(SECTIONS) - {"base", "floor", "requirements"}
    if unknown:
        raise ScoringConfigError(f"scoring 规则中有未知的项：{', '.join(sorted(map(str, unknown)))}")
    sections = {name: _section(name, merged.get(name) or {}) for name in SECTIONS}
    requirements = {str(k): _points(f"requirements.{k}", v) for k, v in (merged.get("requirements") or {}).items()}
    bad = set(requirements) - set(REQUIREMENT_KEYS)
    if bad:
        raise ScoringConfigError(f"scoring.requirements 不认识：{', '.join(sorted(bad))}；可用：{' '.join(REQUIREMENT_KEYS)}")
    return Rules(year=year, base=_points("base", merged.get("base", 0)), floor=_points("floor", merged.get("floor", 0)),
                 requirements=requirements, **sections)


def _year_override(scoring: Mapping, year: int) -> Mapping:
    for key, value in scoring.items():
        if str(key) == str(year):
            return value or {}
    return {}


def merge_rules(base: Mapping, over: Mapping) -> dict:
    merged = dict(base)
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_rules(merged[key], value)
        else:
            merged[key] = value
    return merged


def _section(name: str, values: Mapping) -> dict:
    unknown = set(values) - set(SECTIONS[name])
    if unknown:
        raise ScoringConfigError(f"scoring.{name} 中有未知的项：{', '.join(sorted(map(str, unknown)))}")
    section: dict[str, Any] = {}
    for key, value in values.items():
        if name == "activities" and key in KIND_TABLES:
            section[key] = {str(kind): _points(f"{name}.{key}.{kind}", v) for kind, v in (value or {}).items()}
        else:
            section[key] = _points(f"{name}.{key}", value)
    return section


def _points(where: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ScoringConfigError(f"scoring.{where} 应为不小于 0 的整数，现为 {value!r}")
    return value


def score(counts: Counts, rules: Rules) -> Score:
    reports = _capped(counts.reports * rules.reports.get("submitted", 0)
                      + counts.reports_adopted * rules.reports.get("adopted", 0)
                      + counts.reports_instructed * rules.reports.get("instructed", 0), rules.reports)
    seconds = _capped(counts.seconds * rules.seconds.get("each", 0), rules.seconds)
    study = _capped(counts.checkins * rules.study.get("each", 0), rules.study)
    activities = _capped(_by_kind(counts.attended_by_kind, rules.activities.get("attended")), rules.activities)
    proposals = _capped(counts.proposals * rules.proposals.get("submitted", 0)
                        + counts.proposals_cosigned * rules.proposals.get("cosigned", 0)
                        + counts.proposals_registered * rules.proposals.get("registered", 0)
                        + counts.proposals_key * rules.proposals.get("key", 0)
                        + counts.proposals_excellent * rules.proposals.get("excellent", 0), rules.proposals)
    deductions = (_by_kind(counts.absences_by_kind, rules.activities.get("absent"))
                  + _by_kind(counts.leaves_by_kind, rules.activities.get("excused")))
    total = max(rules.base + reports + seconds + study + activities + proposals - deductions, rules.floor)
    return Score(rules.base, reports, seconds, study, activities, deductions, total, proposals)


def _capped(points: int, section: Mapping[str, int]) -> int:
    cap = section.get("cap", 0)
    return min(points, cap) if cap else points


def _by_kind(counts: Mapping[str, int], table: Mapping[str, int] | None) -> int:
    table = table or {}
    return sum(n * table.get(kind, table.get(FALLBACK_KIND, 0)) for kind, n in counts.items())


def progress(counts: Counts, rules: Rules) -> Progress:
    """Each yearly requirement: required, done (missing and met follow)."""
    return Progress([Requirement(key, required, int(getattr(counts, key)))
                     for key, required in rules.requirements.items() if required])
