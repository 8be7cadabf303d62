"""Run Alembic migrations programmatically (the server migrates on start)."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import text
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
PG_LOCK_ID = 7_243_001  # advisory lock: several workers starting at once migrate one at a time


def alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:id)"), {"id": PG_LOCK_ID})
            try:
                _run(engine, conn, revision)
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": PG_LOCK_ID})
                conn.commit()
    else:
        with engine.connect() as conn:
            _run(engine, conn, revision)


def _run(engine: Engine, conn, revision: str) -> None:
    cfg = alembic_config(engine)
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)
    conn.commit()
