"""Server-side prepared statements (PostgreSQL) for the few statements on the hot path.

psycopg2 sends every statement as text, so PostgreSQL parses and plans it each time: for the check-in
statement (a few CTEs) that was 80 % of its server CPU (bench/README.md). A `Prepared` statement is
prepared once per database connection (remembered in the pooled connection's `info`, so a new or
reconnected connection prepares it again) and then only executed, with a generic plan (every look-up
in it goes by key).

Behind PgBouncer, use session pooling: SQL-level prepared statements belong to one server connection, and
PgBouncer's transaction mode does not track them (docs/postgresql.md).
"""
from __future__ import annotations

import re
from typing import Mapping

from sqlalchemy.engine import Connection

_NAMED = re.compile(r"(?<![:\w]):(\w+)")


class Prepared:
    """One statement with `:name` parameters, each declared with its PostgreSQL type."""

    def __init__(self, name: str, sql: str, types: Mapping[str, str]) -> None:
        self.name = name
        self.order: list[str] = []
        body = _NAMED.sub(self._number, sql)
        missing = set(self.order) - set(types)
        if missing:
            raise ValueError(f"{name}: no type for {sorted(missing)}")
        declared = ", ".join(types[param] for param in self.order)
        self.prepare_sql = f"PREPARE {name} ({declared}) AS {body}"
        self.execute_sql = f"EXECUTE {name} ({', '.join(['%s'] * len(self.order))})"

    def one(self, conn: Connection, params: Mapping[str, object]) -> dict:
        """Execute on the driver's cursor (SQLAlchemy's statement machinery cost more than the rest of the
        check-in); a connection the driver found broken is invalidated, as SQLAlchemy would."""
        pooled = conn.connection
        driver = pooled.dbapi_connection
        prepared = pooled.info.setdefault("prepared", set())
        try:
            with driver.cursor() as cursor:
                if self.name not in prepared:
                    cursor.execute("SET plan_cache_mode = force_generic_plan")
                    cursor.execute(self.prepare_sql)
                    prepared.add(self.name)
                cursor.execute(self.execute_sql, tuple(params[p] for p in self.order))
                names = [column.name for column in cursor.description]
                return dict(zip(names, cursor.fetchone()))
        except Exception:
            if driver.closed:
                conn.invalidate()
            raise

    def _number(self, match: re.Match) -> str:
        param = match.group(1)
        if param not in self.order:
            self.order.append(param)
        return f"${self.order.index(param) + 1}"
