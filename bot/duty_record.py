"""The duty record under the configured rules: one place that reads config for records and scoring."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.runtime import Runtime
from storage import records
from storage.activities import Timing
from storage.models import Member
from storage.records import MemberYear, RecordCounts
from storage.scoring import Rules, rules_for


def rules(rt: Runtime, year: int) -> Rules:
    return rules_for(rt.config.scoring, year)


def timing(rt: Runtime) -> Timing:
    """When activities count as running, from config `activities:`."""
    cfg = rt.config.activities
    return Timing(opens_before=timedelta(minutes=cfg.checkin_opens_minutes_before),
                  default_duration=timedelta(minutes=cfg.default_duration_minutes))


def member_year(rt: Runtime, session: Session, member: Member, year: int, now: datetime | None = None) -> MemberYear:
    """A member's year: counts, score and requirement progress under that year's rules."""
    year_rules = rules(rt, year)
    counts = records.member_year(session, member, year, rt.tz, now=now or rt.now(), rules=year_rules,
                                 timing=timing(rt))
    return records.evaluate(counts, year_rules)


def everyone(rt: Runtime, session: Session, year: int, now: datetime | None = None) -> dict[int, MemberYear]:
    """member id -> MemberYear for every member with any fact in the year (others: see `empty`)."""
    year_rules = rules(rt, year)
    counts = records.year_counts(session, year, rt.tz, now=now or rt.now(), rules=year_rules, timing=timing(rt))
    return {mid: records.evaluate(row, year_rules) for mid, row in counts.items()}


def empty(rt: Runtime, year: int) -> MemberYear:
    """The year of a member with no facts at all (points = base, floor)."""
    return records.evaluate(RecordCounts(), rules(rt, year))
