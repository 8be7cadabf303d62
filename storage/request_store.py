"""One message's view of the shared store: two round trips instead of one per call.

What the handler will read (the member's dialog state) is fetched in the same round trip as the
de-duplication claim (`prefetched`); its plain writes (dialog state, offers) wait in a buffer and go out
in the same round trip as the remembered reply (`close`). Everything atomic (set-if-absent, delete-if,
locks) goes to the store at once. After `close` every call goes straight to the store: a handler that
outlived its budget ("处理中") still saves what it writes.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator, Mapping, Sequence

from storage.kv import KeyValueStore, Op, OpKind


class RequestStore:
    def __init__(self, kv: KeyValueStore, prefetched: Mapping[str, str | None]) -> None:
        self.kv = kv
        self.backend = kv.backend
        self._read = dict(prefetched)
        self._writes: dict[str, Op] = {}     # key -> its last buffered SET or DELETE
        self._open = True
        self._guard = threading.Lock()

    def get(self, key: str) -> str | None:
        with self._guard:
            if key in self._writes:
                op = self._writes[key]
                return op.value if op.kind is OpKind.SET else None
            if key in self._read:
                return self._read[key]
        return self.kv.get(key)

    def set(self, key: str, value: str, ttl: float | None = None, only_if_absent: bool = False) -> bool:
        if not only_if_absent and self._buffer(Op(OpKind.SET, key, value, ttl)):
            return True
        self._flush_key(key)
        return self.kv.set(key, value, ttl=ttl, only_if_absent=only_if_absent)

    def delete(self, key: str) -> None:
        if not self._buffer(Op(OpKind.DELETE, key)):
            self.kv.delete(key)

    def delete_if(self, key: str, value: str) -> bool:
        self._flush_key(key)
        return self.kv.delete_if(key, value)

    def batch(self, ops: Sequence[Op]) -> list:
        return self.kv.batch(ops)

    @contextmanager
    def lock(self, name: str, timeout: float = 10.0, wait: float = 10.0) -> Iterator[None]:
        with self.kv.lock(name, timeout=timeout, wait=wait):
            yield

    def ping(self) -> bool:
        return self.kv.ping()

    def has_writes(self) -> bool:
        return bool(self._writes)

    def close(self, last: Sequence[Op] = ()) -> list:
        """Send the buffered writes and `last` in one round trip; from now on every call goes to the store.
        Returns the results of `last`."""
        with self._guard:
            buffered = list(self._writes.values())
            self._writes.clear()
            self._read.clear()
            self._open = False
        ops = buffered + list(last)
        return self.kv.batch(ops)[len(buffered):] if ops else []

    def _buffer(self, op: Op) -> bool:
        with self._guard:
            if self._open:
                self._writes[op.key] = op
                self._read.pop(op.key, None)
            return self._open

    def _flush_key(self, key: str) -> None:
        """An atomic call on a key with a buffered write: send that write first, to keep the order."""
        with self._guard:
            op = self._writes.pop(key, None)
            self._read.pop(key, None)
        if op is not None:
            self.kv.batch([op])
