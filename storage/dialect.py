"""Statements whose spelling differs between PostgreSQL and SQLite."""
from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def insert_for(session: Session):
    """The dialect's INSERT, which offers on_conflict_do_nothing()."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
