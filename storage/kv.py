"""Shared short-lived state: Redis when configured, else an in-process store.

Used for retry de-duplication, dialog state, the access token and locks. Both
backends offer the same small interface so callers never know which one runs.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterator, Protocol, Sequence


class StoreUnavailable(ConnectionError):
    """The shared store failed recently; calls fail at once until it is tried again."""


class OpKind(StrEnum):
    GET = "get"
    SET = "set"
    SET_IF_ABSENT = "set_if_absent"
    DELETE = "delete"


@dataclass(frozen=True)
class Op:
    """One command of a batch (`KeyValueStore.batch`); its result is the value (GET), whether it was set
    (SET, SET_IF_ABSENT) or None (DELETE)."""

    kind: OpKind
    key: str
    value: str = ""
    ttl: float | None = None

    @classmethod
    def get(cls, key: str) -> "Op":
        return cls(OpKind.GET, key)


class KeyValueStore(Protocol):
    backend: str

    def batch(self, ops: Sequence[Op]) -> list: ...

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float | None = None, only_if_absent: bool = False) -> bool: ...
    def delete(self, key: str) -> None: ...
    def delete_if(self, key: str, value: str) -> bool: ...
    def lock(self, name: str, timeout: float = 10.0, wait: float = 10.0): ...
    def ping(self) -> bool: ...


class MemoryStore:
    """Thread-safe dict with expiry; state lives only as long as the process."""

    backend = "memory"

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}

    def get(self, key: str) -> str | None:
        with self._guard:
            return self._live(key)

    def set(self, key: str, value: str, ttl: float | None = None, only_if_absent: bool = False) -> bool:
        with self._guard:
            return self._set(key, value, ttl, only_if_absent)

    def delete(self, key: str) -> None:
        with self._guard:
            self._data.pop(key, None)

    def batch(self, ops: Sequence[Op]) -> list:
        """The commands in order, as one step."""
        with self._guard:
            return [self._run(op) for op in ops]

    def _run(self, op: Op):
        if op.kind is OpKind.GET:
            return self._live(op.key)
        if op.kind is OpKind.DELETE:
            self._data.pop(op.key, None)
            return None
        return self._set(op.key, op.value, op.ttl, op.kind is OpKind.SET_IF_ABSENT)

    def _set(self, key: str, value: str, ttl: float | None, only_if_absent: bool) -> bool:
        if only_if_absent and self._live(key) is not None:
            return False
        self._data[key] = (value, time.monotonic() + ttl if ttl else None)
        return True

    def delete_if(self, key: str, value: str) -> bool:
        """Delete the key only while it still holds this value (an owner releasing its own marker)."""
        with self._guard:
            if self._live(key) != value:
                return False
            del self._data[key]
            return True

    @contextmanager
    def lock(self, name: str, timeout: float = 10.0, wait: float = 10.0) -> Iterator[None]:
        with self._guard:
            lock = self._locks.setdefault(name, threading.Lock())
        if not lock.acquire(timeout=wait):
            raise TimeoutError(f"lock {name} busy")
        try:
            yield
        finally:
            lock.release()

    def ping(self) -> bool:
        return True

    def _live(self, key: str) -> str | None:
        item = self._data.get(key)
        if item is None:
            return None
        value, expires = item
        if expires is not None and expires <= time.monotonic():
            del self._data[key]
            return None
        return value


@dataclass(frozen=True)
class RedisTimeouts:
    """Bounds on one Redis call (config.yaml `redis:` holds the values). A call that fails opens a short
    circuit: for `down_for` seconds every call fails at once instead of waiting for the timeout again,
    so a hung Redis costs one request one timeout, not every call of every request."""

    socket_seconds: float | None = None
    connect_seconds: float | None = None
    down_for: float = 0.0


_DELETE_IF = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
# KeyValueStore.batch in one call: ARGV holds (kind, value, ttl in ms or 0) for each key of KEYS, in order;
# the reply has one entry per key: the value (GET; nil when absent), 1/0 (SET, SET_IF_ABSENT), 0 (DELETE).
_BATCH = """
local out = {}
for i, key in ipairs(KEYS) do
  local kind, value, ttl = ARGV[3 * i - 2], ARGV[3 * i - 1], tonumber(ARGV[3 * i])
  if kind == 'get' then
    out[i] = redis.call('GET', key)
  elseif kind == 'delete' then
    redis.call('DEL', key)
    out[i] = 0
  else
    local set
    if ttl > 0 and kind == 'set_if_absent' then set = redis.call('SET', key, value, 'PX', ttl, 'NX')
    elseif ttl > 0 then set = redis.call('SET', key, value, 'PX', ttl)
    elseif kind == 'set_if_absent' then set = redis.call('SET', key, value, 'NX')
    else set = redis.call('SET', key, value) end
    out[i] = set and 1 or 0
  end
end
return out
"""


class RedisStore:
    """The same interface on Redis, shared by every worker and host."""

    backend = "redis"

    def __init__(self, url: str, prefix: str = "", timeouts: RedisTimeouts | None = None) -> None:
        import redis
        from redis.backoff import NoBackoff
        from redis.retry import Retry

        self.timeouts = timeouts or RedisTimeouts(socket_seconds=5)
        # One immediate retry, on a dropped connection only (a restarted server); never on a timeout.
        retry = Retry(NoBackoff(), 1, supported_errors=(redis.ConnectionError,))
        self.client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=self.timeouts.socket_seconds,
                                           socket_connect_timeout=self.timeouts.connect_seconds, retry=retry)
        self.prefix = prefix
        self._errors = (redis.ConnectionError, redis.TimeoutError)
        self._down_until = 0.0
        self._delete_if = self.client.register_script(_DELETE_IF)
        self._batch = self.client.register_script(_BATCH)

    def _call(self, method, *args, **kwargs):
        if time.monotonic() < self._down_until:
            raise StoreUnavailable("Redis failed a moment ago")
        try:
            return method(*args, **kwargs)
        except self._errors:
            self._down_until = time.monotonic() + self.timeouts.down_for
            raise

    def get(self, key: str) -> str | None:
        return self._call(self.client.get, self.prefix + key)

    def set(self, key: str, value: str, ttl: float | None = None, only_if_absent: bool = False) -> bool:
        px = int(ttl * 1000) if ttl else None
        return bool(self._call(self.client.set, self.prefix + key, value, px=px, nx=only_if_absent))

    def delete(self, key: str) -> None:
        self._call(self.client.delete, self.prefix + key)

    def batch(self, ops: Sequence[Op]) -> list:
        """The commands in one round trip: one script call (cheaper in redis-py than a pipeline of the same
        commands); one command goes alone."""
        if len(ops) == 1:
            return [self._one(ops[0])]
        args = [part for op in ops for part in (op.kind.value, op.value, int(op.ttl * 1000) if op.ttl else 0)]
        results = self._call(self._batch, keys=[self.prefix + op.key for op in ops], args=args)
        return [r if op.kind is OpKind.GET else (None if op.kind is OpKind.DELETE else bool(r))
                for op, r in zip(ops, results)]

    def _one(self, op: Op):
        if op.kind is OpKind.GET:
            return self.get(op.key)
        if op.kind is OpKind.DELETE:
            return self.delete(op.key)
        return self.set(op.key, op.value, op.ttl, only_if_absent=op.kind is OpKind.SET_IF_ABSENT)

    def delete_if(self, key: str, value: str) -> bool:
        return bool(self._call(self._delete_if, keys=[self.prefix + key], args=[value]))

    @contextmanager
    def lock(self, name: str, timeout: float = 10.0, wait: float = 10.0) -> Iterator[None]:
        lock = self.client.lock(self.prefix + "lock:" + name, timeout=timeout, blocking_timeout=wait)
        if not self._call(lock.acquire):
            raise TimeoutError(f"lock {name} busy")
        try:
            yield
        finally:
            try:
                lock.release()
            except Exception:  # expired while held, or the store went away: the lock expires by itself
                pass

    def ping(self) -> bool:
        try:
            return bool(self._call(self.client.ping))
        except Exception:
            return False


def open_store(url: str | None, prefix: str = "", timeouts: RedisTimeouts | None = None) -> KeyValueStore:
    return RedisStore(url, prefix, timeouts) if url else MemoryStore()
