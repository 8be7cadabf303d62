"""Shared short-lived state: Redis when configured, else an in-process store.

Used for retry de-duplication, dialog state, the access token and locks. Both
backends offer the same small interface so callers never know which one runs.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator, Protocol


class StoreUnavailable(ConnectionError):
    """The shared store failed recently; calls fail at once until it is tried again."""


class KeyValueStore(Protocol):
    backend: str

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
            if only_if_absent and self._live(key) is not None:
                return False
            self._data[key] = (value, time.monotonic() + ttl if ttl else None)
            return True

    def delete(self, key: str) -> None:
        with self._guard:
            self._data.pop(key, None)

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
