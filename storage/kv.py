"""Shared short-lived state: Redis when configured, else an in-process store.

Used for retry de-duplication, dialog state, the access token and locks. Both
backends offer the same small interface so callers never know which one runs.
"""
from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Iterator, Protocol


class KeyValueStore(Protocol):
    backend: str

    def get(self, key: str) -> str | None: ...
    def set(self, key: str, value: str, ttl: float | None = None, only_if_absent: bool = False) -> bool: ...
    def delete(self, key: str) -> None: ...
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


class RedisStore:
    """The same interface on Redis, shared by every worker and host."""

    backend = "redis"

    def __init__(self, url: str, prefix: str = "") -> None:
        import redis

        self.client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
        self.prefix = prefix

    def get(self, key: str) -> str | None:
        return self.client.get(self.prefix + key)

    def set(self, key: str, value: str, ttl: float | None = None, only_if_absent: bool = False) -> bool:
        px = int(ttl * 1000) if ttl else None
        return bool(self.client.set(self.prefix + key, value, px=px, nx=only_if_absent))

    def delete(self, key: str) -> None:
        self.client.delete(self.prefix + key)

    @contextmanager
    def lock(self, name: str, timeout: float = 10.0, wait: float = 10.0) -> Iterator[None]:
        lock = self.client.lock(self.prefix + "lock:" + name, timeout=timeout, blocking_timeout=wait)
        if not lock.acquire():
            raise TimeoutError(f"lock {name} busy")
        try:
            yield
        finally:
            try:
                lock.release()
            except Exception:  # expired while held: the next holder already owns it
                pass

    def ping(self) -> bool:
        try:
            return bool(self.client.ping())
        except Exception:
            return False


def open_store(url: str | None, prefix: str = "") -> KeyValueStore:
    return RedisStore(url, prefix) if url else MemoryStore()
