"""Atomic named counters (receipt numbers), safe under concurrent workers."""
from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from storage.models import Counter


def next_value(session: Session, name: str) -> int:
    """Increment and return the counter (1 for a new one). Row-locked until the transaction ends."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(Counter).values(name=name, value=0).on_conflict_do_nothing(index_elements=["name"]))
    return session.execute(
        update(Counter).where(Counter.name == name).values(value=Counter.value + 1).returning(Counter.value)
    ).scalar_one()
