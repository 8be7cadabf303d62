"""Atomic named counters (receipt numbers), safe under concurrent workers."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from storage.dialect import insert_for
from storage.models import Counter


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter (1 for a new one). Row-locked until the transaction ends."""
    session.execute(insert_for(session)(Counter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"]))
    return session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()
