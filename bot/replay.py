"""The replay guard: a signed query string works for one body only.

WeChat's URL signature covers token, timestamp and nonce, not the body, so a query string seen in a
log could carry other bodies while its timestamp is fresh. The first body seen with a
(timestamp, nonce) pair is remembered (its SHA-256) in the shared store for as long as the pair
passes the freshness check; the same body again (WeChat's retry) passes, any other body does not.
The check is two commands (set-if-absent, then read back) that ride in the message's first round trip
to the store (bot/inbox.py).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

from storage.kv import Op, OpKind


@dataclass(frozen=True)
class ReplayCheck:
    key: str
    digest: str
    ttl: float

    @classmethod
    def of(cls, timestamp: str, nonce: str, body: bytes, window_seconds: float) -> "ReplayCheck":
        # a timestamp may be up to one window ahead and one behind
        return cls(f"replay:{timestamp}:{nonce}", hashlib.sha256(body).hexdigest(), 2 * window_seconds + 60)

    def ops(self) -> list[Op]:
        return [Op(OpKind.SET_IF_ABSENT, self.key, self.digest, self.ttl), Op.get(self.key)]

    def passed(self, results: list) -> bool:
        """True unless this pair already came with a different body (None: expired in between)."""
        return results[1] in (self.digest, None)
