"""学习打卡 records."""
from __future__ import annotations

from datetime import date

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
