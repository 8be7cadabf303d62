"""gunicorn.conf.py's warm-up after fork: a worker has its connections and its first parse before any request."""
from __future__ import annotations

import logging
import runpy
from pathlib import Path

from storage.db import Database, DbLimits
from storage.kv import MemoryStore

CONF = runpy.run_path(str(Path(__file__).resolve().parents[1] / "gunicorn.conf.py"))
LOG = logging.getLogger("test.gunicorn")


def test_warm_leaves_a_database_connection_in_each_pool(runtime):
    runtime.db.dispose()
    CONF["warm"](runtime, LOG)
    assert runtime.db.engine.pool.checkedin() == 1
    assert runtime.db._autocommit.pool.checkedin() == 1  # the check-in's pool (SQLite: the same one)


def test_warm_with_the_database_down_leaves_the_worker_cold_but_running(runtime):
    down = Database("postgresql://postgres@127.0.0.1:1/nothing", DbLimits(connect_seconds=2))
    runtime.db, runtime.kv = down, MemoryStore()
    CONF["warm"](runtime, LOG)  # no exception: the request path reports outages itself
    assert down.engine.pool.checkedin() == 0
