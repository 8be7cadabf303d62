"""学习打卡 records."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from storage.dialect import insert_for
from storage.models import Checkin, Member


def add_checkin(session: Session, member: Member, day: date, minutes: int, material: str,
                text: str = "", source: str | None = None) -> Checkin:
    """Record a check-in once per source message: a replay returns the check-in already stored."""
    values = dict(member_id=member.id, day=day, minutes=minutes, material=material[:200], text=text, source=source)
    statement = insert_for(session)(Checkin).values(**values).returning(Checkin.id)
    if source is not None:
        statement = statement.on_conflict_do_nothing(index_elements=["source"])
    new_id = session.execute(statement).scalar()
    if new_id is None:
        return by_source(session, source)
    return Checkin(id=new_id, **values)  # one round trip; the row itself is not loaded back


def by_source(session: Session, source: str) -> Checkin | None:
    return session.scalar(select(Checkin).where(Checkin.source == source))


def count_between(session: Session, member_id: int, first: date, last: date) -> tuple[int, int]:
    """(check-ins, minutes) of a member between two days inclusive."""
    row = session.execute(
        select(func.count(Checkin.id), func.coalesce(func.sum(Checkin.minutes), 0))
        .where(Checkin.member_id == member_id, Checkin.day >= first, Checkin.day <= last)
    ).one()
    return int(row[0]), int(row[1])


class Outcome(StrEnum):
    """What became of one study item a member reported."""
    SAVED = "saved"
    DUPLICATE = "duplicate"          # the same day, material and minutes is already recorded
    OVER_COUNT = "over_count"        # the day's check-in cap is reached
    OVER_MINUTES = "over_minutes"    # the day's minutes cap would be exceeded


@dataclass(frozen=True)
class Item:
    material: str
    minutes: int


@dataclass(frozen=True)
class DayLimits:
    checkins: int
    minutes: int


def record_items(session: Session, member: Member, day: date, items: list[Item], limits: DayLimits, *,
                 text: str = "", source: str | None = None) -> list[tuple[Outcome, Item]]:
    """Record each item once: a replayed message returns what it stored, the same item twice a day counts
    once, and the day's caps hold. The member's row is locked so parallel messages see each other."""
    session.execute(select(Member.id).where(Member.id == member.id).with_for_update())
    today = list(session.scalars(select(Checkin).where(Checkin.member_id == member.id, Checkin.day == day)))
    outcomes = []
    for index, item in enumerate(items):
        item_source = source if source is None or len(items) == 1 else f"{source}#{index + 1}"
        outcome = _outcome(today, item, item_source, limits)
        if outcome is Outcome.SAVED and not any(c.source == item_source for c in today if item_source):
            today.append(add_checkin(session, member, day, item.minutes, item.material, text, item_source))
        outcomes.append((outcome, item))
    return outcomes


def _outcome(today: list[Checkin], item: Item, source: str | None, limits: DayLimits) -> Outcome:
    if source is not None and any(c.source == source for c in today):
        return Outcome.SAVED  # this very message was handled before (a WeChat retry)
    if any(c.minutes == item.minutes and same_material(c.material, item.material) for c in today):
        return Outcome.DUPLICATE
    if len(today) >= limits.checkins:
        return Outcome.OVER_COUNT
    if sum(c.minutes for c in today) + item.minutes > limits.minutes:
        return Outcome.OVER_MINUTES
    return Outcome.SAVED


def same_material(a: str, b: str) -> bool:
    strip = "《》<>\"“”'‘’ 　"
    return a.strip(strip) == b.strip(strip)


def of_member_between(session: Session, member_id: int, first: date, last: date) -> list[Checkin]:
    return list(session.scalars(select(Checkin).where(
        Checkin.member_id == member_id, Checkin.day >= first, Checkin.day <= last).order_by(Checkin.day, Checkin.id)))
