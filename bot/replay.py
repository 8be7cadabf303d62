"""The replay guard: a signed query string works for one body only.

WeChat's URL signature covers token, timestamp and nonce, not the body, so a query string seen in a
log could carry other bodies while its timestamp is fresh. The first body seen with a
(timestamp, nonce) pair is remembered (its SHA-256) in the shared store for as long as the pair
passes the freshness check; the same body again (WeChat's retry) passes, any other body does not.
"""
from __future__ import annotations

import hashlib
import logging

from storage.kv import KeyValueStore

log = logging.getLogger(__name__)


def first_body_for_pair(kv: KeyValueStore, timestamp: str, nonce: str, body: bytes, window_seconds: float) -> bool:
    """True unless this (timestamp, nonce) already came with a different body inside the replay window."""
    key = f"replay:{timestamp}:{nonce}"
    digest = hashlib.sha256(body).hexdigest()
    ttl = 2 * window_seconds + 60  # a timestamp may be up to one window ahead and one behind
    try:
        if kv.set(key, digest, ttl=ttl, only_if_absent=True):
            return True
        return kv.get(key) in (digest, None)  # None: expired between the two calls
    except Exception:  # store down: the signature and freshness checks still apply (safe mode signs the body)
        log.exception("replay guard unavailable for %s", key)
        return True
