"""Engine and sessions for SQLite (embedded default) and PostgreSQL."""
from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import create_engine, event, exc as sa_exc, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from storage.deadline import WATCHDOG

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SQLITE = ROOT / "data" / "assistant.db"


def normalize_url(url: str | None) -> str:
    """Empty -> the SQLite file; a plain postgresql:// URL -> the psycopg2 driver we ship
    (measured ~30% less CPU per statement than psycopg 3 under SQLAlchemy here)."""
    if not url:
        DEFAULT_SQLITE.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{DEFAULT_SQLITE}"
    for plain in ("postgres://", "postgresql://"):
        if url.startswith(plain):
            return "postgresql+psycopg2://" + url[len(plain):]
    return url


@dataclass(frozen=True)
class DbLimits:
    """Bounds that keep one request inside WeChat's 5 s, and the connections a process may open
    (config.yaml `database:` holds the values; docs/postgresql.md sizes them). None = the driver's own
    default (wait forever)."""

    connect_seconds: int | None = None      # libpq connect_timeout (whole seconds, at least 2)
    statement_ms: int | None = None         # PostgreSQL statement_timeout
    pool_wait_seconds: float | None = None  # wait for a free pooled connection
    sqlite_busy_seconds: float = 30.0       # SQLite: wait this long for a lock
    pool_size: int = 3                      # PostgreSQL connections kept open (sessions' pool) ...
    max_overflow: int = 5                   # ... and opened beyond them at busy moments (each pool)


def make_engine(url: str | None, limits: DbLimits | None = None, autocommit: bool = False) -> Engine:
    """The engine; `autocommit` = PostgreSQL connections that stay in autocommit (Database.autocommit)."""
    limits = limits or DbLimits()
    url = normalize_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        path = make_url(url).database
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        busy = limits.sqlite_busy_seconds
        engine = create_engine(url, connect_args={"timeout": busy, "check_same_thread": False})
        event.listen(engine, "connect", lambda conn, _record: _sqlite_pragmas(conn, busy))
        return engine
    # No pre-ping (a round trip per checkout): a connection lost to a server restart fails one
    # statement, SQLAlchemy then renews the whole pool, and the failed message is spooled (bot/inbox.py).
    connect_args = {}
    if limits.connect_seconds:
        connect_args["connect_timeout"] = max(2, int(limits.connect_seconds))
    if limits.statement_ms:
        connect_args["options"] = f"-c statement_timeout={int(limits.statement_ms)}"
    pool_wait = {"pool_timeout": limits.pool_wait_seconds} if limits.pool_wait_seconds else {}
    if autocommit:  # one statement per request thread: one connection kept
        return create_engine(url, pool_size=1, max_overflow=limits.max_overflow, pool_recycle=3600,
                             connect_args=connect_args, isolation_level="AUTOCOMMIT", pool_reset_on_return=None,
                             **pool_wait)
    return create_engine(url, pool_size=limits.pool_size, max_overflow=limits.max_overflow, pool_recycle=3600,
                         connect_args=connect_args, **pool_wait)


def _sqlite_pragmas(dbapi_conn, busy_seconds: float) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute(f"PRAGMA busy_timeout={int(busy_seconds * 1000)}")
    cur.close()


# What a database outage looks like from here (as opposed to a bug in our code):
# psycopg2 raises OperationalError (SQLSTATE classes 08 connection, 53 resources, 57 operator intervention:
# refused, "server closed the connection", "terminating connection due to administrator command",
# "the database system is starting up", statement_timeout's QueryCanceled) and InterfaceError ("connection
# already closed"); SQLAlchemy wraps them, and raises its own TimeoutError when the pool has no free
# connection. SQLite raises OperationalError for bugs too ("no such table"), so only these messages count.
_SQLITE_OUTAGE = ("database is locked", "unable to open database", "disk i/o error", "database or disk is full",
                  "readonly database")


def is_unavailable(error: BaseException | None) -> bool:
    """True when an exception (or one it was raised from) means the database is unreachable or overloaded."""
    seen = 0
    while error is not None and seen < 10:
        if isinstance(error, (sa_exc.TimeoutError, sa_exc.DisconnectionError)):
            return True
        if isinstance(error, sa_exc.DBAPIError):
            if error.connection_invalidated:
                return True
            error = error.orig
            continue
        if isinstance(error, sqlite3.OperationalError):
            return any(part in str(error).lower() for part in _SQLITE_OUTAGE)
        if _is_psycopg2_outage(error):
            return True
        error, seen = error.__cause__ or error.__context__, seen + 1
    return False


def _is_psycopg2_outage(error: BaseException) -> bool:
    try:
        import psycopg2
    except ImportError:  # pragma: no cover - the PostgreSQL driver is optional on the embedded default
        return False
    return isinstance(error, (psycopg2.OperationalError, psycopg2.InterfaceError))


class Database:
    def __init__(self, url: str | None, limits: DbLimits | None = None):
        self.engine = make_engine(url, limits)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._url, self._limits = url, limits
        self._autocommit: Engine | None = None
        WATCHDOG.watch(self.engine)

    def dispose(self, close: bool = True) -> None:
        """Drop pooled connections (close=False after a fork: the parent's connections are left alone)."""
        for engine in (self.engine, self._autocommit):
            if engine is not None:
                engine.dispose(close=close)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success (if anything was begun), rolls back on error."""
        with self.session_on_demand() as session:
            yield session()

    @contextmanager
    def session_on_demand(self) -> Iterator[Callable[[], Session]]:
        """`session` for work that may not need one (the quick check-in): yields a function that makes the
        Session on its first call; committed, rolled back and closed as `session` says."""
        made: list[Session] = []

        def get() -> Session:
            if not made:
                made.append(self.sessions())
            return made[0]

        try:
            yield get
            if made and made[0].in_transaction():
                made[0].commit()
        except BaseException:
            if made:
                made[0].rollback()
            raise
        finally:
            if made:
                made[0].close()

    @contextmanager
    def autocommit(self) -> Iterator[Connection]:
        """A connection on which every statement is its own transaction: for work that is one statement
        (no BEGIN and COMMIT round trips; committed when the statement returns). Its own small pool of
        connections that stay in autocommit: switching a pooled connection there and back costs two round
        trips with psycopg2."""
        if self._autocommit is None:
            if self.backend == "sqlite":
                self._autocommit = self.engine.execution_options(isolation_level="AUTOCOMMIT")
            else:
                self._autocommit = make_engine(self._url, self._limits, autocommit=True)
                WATCHDOG.watch(self._autocommit)
        with self._autocommit.connect() as conn:
            yield conn

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:
            return False

    def migrate(self) -> None:
        from storage.migrate import upgrade

        upgrade(self.engine)
