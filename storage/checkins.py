"""学习打卡 records."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from storage import members
from storage.dialect import insert_for
from storage.models import Checkin, Member
from storage.prepared import Prepared

log = logging.getLogger(__name__)


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


_LOCK_MEMBER = text("UPDATE members SET kefu_used = kefu_used WHERE id = :member_id")


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
    # An update, not SELECT … FOR UPDATE: it gives the row a new version, which record_one's race check sees.
    session.execute(_LOCK_MEMBER, {"member_id": member.id})
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


# --- one item in one statement (PostgreSQL) ------------------------------------------------------------
#
# The usual check-in (one item, one day) is one statement in autocommit: no BEGIN, no COMMIT round trip.
# It locks the member's row and touches it (members.TOUCH_VALUES; the openid is checked too), inserts the item
# if the day allows it (the SQL twin of `_outcome`: the same message, the same material and minutes, the two
# caps), and returns the day's check-ins and the month's count as they were, from which Python tells the member
# why an item did not count. In PostgreSQL the reads see the statement's snapshot, taken before the lock was
# granted: a parallel check-in of the same member that committed while this one waited would be missed. So the
# update only goes ahead on the row version that snapshot saw (`xmin`); after such a race the statement changes
# nothing and the caller takes the general path (record_items, in a transaction).

STRIP = "《》<>\"“”'‘’ 　"   # what same_material ignores at either end

_ONE_ITEM = Prepared("checkin_one_item", f"""
WITH seen AS (SELECT xmin AS version FROM members WHERE id = :member_id),
today AS (SELECT source, minutes, material FROM checkins WHERE member_id = :member_id AND day = :day),
locked AS (
    UPDATE members SET {members.TOUCH_VALUES}
    WHERE id = :member_id AND openid = :openid AND xmin = (SELECT version FROM seen)
    RETURNING id),
added AS (
    INSERT INTO checkins (member_id, day, minutes, material, text, source, created_at)
    SELECT id, :day, :minutes, :material, :text, :source, :created_at FROM locked
    WHERE NOT EXISTS (SELECT 1 FROM today WHERE source = :source
                         OR (minutes = :minutes AND btrim(material, :strip) = btrim(:material, :strip)))
      AND (SELECT count(*) FROM today) < :max_checkins
      AND (SELECT coalesce(sum(minutes), 0) FROM today) + :minutes <= :max_minutes
    ON CONFLICT (source) DO NOTHING
    RETURNING id)
SELECT (SELECT count(*) FROM locked) AS locked,
       (SELECT count(*) FROM added) AS added,
       (SELECT count(*) FROM checkins
         WHERE member_id = :member_id AND day BETWEEN :month_first AND :month_last) AS month_count,
       (SELECT array_agg(source) FROM today) AS sources,
       (SELECT array_agg(minutes) FROM today) AS minutes,
       (SELECT array_agg(material) FROM today) AS materials
""", {"member_id": "integer", "openid": "text", "day": "date", "minutes": "integer", "material": "text", "text": "text",
      "source": "text", "created_at": "timestamptz", "strip": "text", "max_checkins": "integer",
      "max_minutes": "integer", "month_first": "date", "month_last": "date", **members.TOUCH_TYPES})


class Seen(NamedTuple):
    """A check-in of the day as the statement saw it."""
    source: str | None
    minutes: int
    material: str


@dataclass(frozen=True)
class Recorded:
    outcome: Outcome
    month_count: int     # check-ins of the month (month_first..month_last) after this one


def record_one(conn: Connection, member_id: int, openid: str, day: date, item: Item, limits: DayLimits, *,
               month: tuple[date, date], now: datetime, text: str, source: str) -> Recorded | None:
    """The single-item check-in in one autocommit statement, with the message's touch; None when it cannot be
    done that way (not PostgreSQL, or a parallel check-in of the same member): use record_items then.
    members.StaleMember when the openid is no longer bound to member_id."""
    if conn.dialect.name != "postgresql":
        return None
    material = item.material[:200]
    row = _ONE_ITEM.one(conn, {
        "member_id": member_id, "openid": openid, "day": day, "minutes": item.minutes, "material": material,
        "text": text, "source": source, "created_at": now.astimezone(timezone.utc), "strip": STRIP,
        "max_checkins": limits.checkins, "max_minutes": limits.minutes,
        "month_first": month[0], "month_last": month[1], **members.touch_params(now)})
    if not row["locked"]:
        return _after_missed_lock(conn, member_id, openid)
    added = row["added"]
    today = [Seen(*entry) for entry in zip(row["sources"] or (), row["minutes"] or (), row["materials"] or ())]
    outcome = Outcome.SAVED if added else _outcome(today, Item(material, item.minutes), source, limits)
    if outcome is Outcome.SAVED and not added and not any(seen.source == source for seen in today):
        log.error("check-in %s: the SQL rules refused what _outcome allows; judged again in a transaction", source)
        return None
    in_month = month[0] <= day <= month[1]
    return Recorded(outcome, row["month_count"] + (added if in_month else 0))



def _after_missed_lock(conn: Connection, member_id: int, openid: str) -> None:
    """The statement changed nothing: the binding changed (StaleMember) or a parallel check-in won the race."""
    if conn.scalar(select(Member.openid).where(Member.id == member_id)) != openid:
        raise members.StaleMember(openid)
    return None


def same_material(a: str, b: str) -> bool:
    return a.strip(STRIP) == b.strip(STRIP)


def of_member_between(session: Session, member_id: int, first: date, last: date) -> list[Checkin]:
    return list(session.scalars(select(Checkin).where(
        Checkin.member_id == member_id, Checkin.day >= first, Checkin.day <= last).order_by(Checkin.day, Checkin.id)))
