"""The shared parts every request, worker and CLI command uses: config, database, store, clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from bot.config import Settings, load_config
from storage.db import Database, DbLimits
from storage.kv import KeyValueStore, RedisTimeouts, open_store


@dataclass
class Runtime:
    config: Settings
    db: Database
    kv: KeyValueStore
    clock: Callable[[], datetime] | None = None
    tz: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.config.org.timezone)

    def now(self) -> datetime:
        """Aware local time (Asia/Shanghai); tests may pin the clock."""
        return (self.clock() if self.clock else datetime.now(self.tz)).astimezone(self.tz)

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.tz)


def build_runtime(config: Settings | None = None, migrate: bool = True,
                  clock: Callable[[], datetime] | None = None) -> Runtime:
    config = config or load_config()
    db = Database(config.database.url, db_limits(config))
    if migrate:
        db.migrate()
    kv = open_store(config.redis.url, config.redis.prefix, redis_timeouts(config))
    return Runtime(config=config, db=db, kv=kv, clock=clock)


def db_limits(config: Settings) -> DbLimits:
    cfg = config.database
    return DbLimits(connect_seconds=cfg.connect_timeout_seconds, statement_ms=cfg.statement_timeout_ms,
                    pool_wait_seconds=cfg.pool_timeout_seconds, sqlite_busy_seconds=cfg.sqlite_busy_timeout_seconds,
                    pool_size=cfg.pool_size, max_overflow=cfg.max_overflow)


def redis_timeouts(config: Settings) -> RedisTimeouts:
    cfg = config.redis
    return RedisTimeouts(socket_seconds=cfg.socket_timeout_seconds, connect_seconds=cfg.connect_timeout_seconds,
                         down_for=cfg.down_for_seconds)
