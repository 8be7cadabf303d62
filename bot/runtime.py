"""The shared parts every request, worker and CLI command uses: config, database, store, clock."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable
from zoneinfo import ZoneInfo

from bot.config import Config, load_config
from storage.db import Database, DbTimeouts
from storage.kv import KeyValueStore, RedisTimeouts, open_store


@dataclass
class Runtime:
    config: Config
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


def build_runtime(config: Config | None = None, migrate: bool = True,
                  clock: Callable[[], datetime] | None = None) -> Runtime:
    config = config or load_config()
    db = Database(config.database.url, DbTimeouts.from_config(config.database))
    if migrate:
        db.migrate()
    kv = open_store(config.redis.url, config.redis.prefix, RedisTimeouts.from_config(config.redis))
    return Runtime(config=config, db=db, kv=kv, clock=clock)
