"""Throw-away PostgreSQL databases for tests and benchmarks."""
from __future__ import annotations

import uuid
from typing import Callable

from sqlalchemy import create_engine, text

from storage.db import normalize_url


def create_database(admin_url: str, prefix: str = "cppcc_scratch") -> tuple[str, Callable[[], None]]:
    """Create an empty database next to admin_url; returns (its plain URL, drop()). Raises if unreachable."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalize_url(admin_url), isolation_level="AUTOCOMMIT",
                          connect_args={"connect_timeout": 3})
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return admin_url.rsplit("/", 1)[0] + "/" + name, drop
