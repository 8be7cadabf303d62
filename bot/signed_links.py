"""Signed, expiring links to staff pages, so a WeChat message can open them without a login.

A token carries the page's day and an expiry time, signed with itsdangerous (HMAC). Expiry is
checked against the runtime clock, so tests can move time. The key is `digest.secret`, or, when
that is empty, derived from `wechat.token` + `wechat.secret` (changing either invalidates old links).
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

from itsdangerous import BadData, URLSafeSerializer

from bot.runtime import Runtime

SALT = "digest-page"


class LinkError(Exception):
    """The token is missing, forged, altered, for another day, or expired (reason in .reason)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # invalid | expired | unconfigured


def _serializer(rt: Runtime) -> URLSafeSerializer:
    cfg = rt.config
    secret = cfg.digest.secret
    if not secret:
        material = f"{cfg.wechat.token}\x00{cfg.wechat.secret}"
        if material == "\x00":
            raise LinkError("unconfigured")
        secret = hashlib.sha256(b"digest-link\x00" + material.encode("utf-8")).hexdigest()
    return URLSafeSerializer(secret, salt=SALT)


def make_token(rt: Runtime, day: date, ttl_hours: float | None = None) -> str:
    ttl = ttl_hours if ttl_hours is not None else rt.config.digest.link_ttl_hours
    expires = rt.now() + timedelta(hours=ttl)
    return _serializer(rt).dumps({"day": day.isoformat(), "exp": int(expires.timestamp())})


def check_token(rt: Runtime, day: date, token: str) -> None:
    """Raise LinkError unless the token was signed by us for this day and has not expired."""
    try:
        payload = _serializer(rt).loads(token or "")
    except BadData:
        raise LinkError("invalid") from None
    if not isinstance(payload, dict) or payload.get("day") != day.isoformat():
        raise LinkError("invalid")
    if not isinstance(payload.get("exp"), int) or payload["exp"] <= rt.now().timestamp():
        raise LinkError("expired")


def digest_path(rt: Runtime, day: date, ttl_hours: float | None = None) -> str:
    return f"/digest/{day.isoformat()}?token={make_token(rt, day, ttl_hours)}"


def digest_url(rt: Runtime, day: date, ttl_hours: float | None = None) -> str:
    """The public link (`digest.base_url` + path); only the path when base_url is not set."""
    base = rt.config.digest.base_url.rstrip("/")
    return base + digest_path(rt, day, ttl_hours)
