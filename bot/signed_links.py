"""Signed, expiring links to staff pages, so a WeChat message can open them without a login.

A token carries the page's day (digest) or the outbox row's id (a notice's full text, /notice/<token>) and an
expiry time, signed with itsdangerous (HMAC), each kind with its own salt. Expiry is checked against the runtime
clock, so tests can move time. The key is `digest.secret`, or, when that is empty, derived from the app secret
(`wechat.secret`; the Token only when no app secret is set): links work without extra set-up, and changing
the secret invalidates old links.
"""
from __future__ import annotations

import hashlib
from datetime import date, timedelta

from itsdangerous import BadData, URLSafeSerializer

from bot.runtime import Runtime

SALT = "digest-page"
NOTICE_SALT = "notice-page"


class LinkError(Exception):
    """The token is missing, forged, altered, for another day, or expired (reason in .reason)."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # invalid | expired | unconfigured


def _serializer(rt: Runtime, salt: str = SALT) -> URLSafeSerializer:
    cfg = rt.config
    secret = cfg.digest.secret
    if not secret:
        material = cfg.wechat.secret or cfg.wechat.token
        if not material:
            raise LinkError("unconfigured")
        secret = hashlib.sha256(b"digest-link\x00" + material.encode("utf-8")).hexdigest()
    return URLSafeSerializer(secret, salt=salt)


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


def notice_token(rt: Runtime, row_id: int, ttl_hours: float | None = None) -> str:
    ttl = ttl_hours if ttl_hours is not None else rt.config.outbound.notice_link_ttl_hours
    expires = rt.now() + timedelta(hours=ttl)
    return _serializer(rt, NOTICE_SALT).dumps({"notice": row_id, "exp": int(expires.timestamp())})


def check_notice_token(rt: Runtime, token: str) -> int:
    """The outbox row id a notice link was signed for; LinkError when forged, altered or expired."""
    try:
        payload = _serializer(rt, NOTICE_SALT).loads(token or "")
    except BadData:
        raise LinkError("invalid") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("notice"), int):
        raise LinkError("invalid")
    if not isinstance(payload.get("exp"), int) or payload["exp"] <= rt.now().timestamp():
        raise LinkError("expired")
    return payload["notice"]


def notice_url(rt: Runtime, row_id: int) -> str:
    """The public link to a notice's full text; '' without `digest.base_url` (a template needs a full URL)."""
    base = rt.config.digest.base_url.rstrip("/")
    if not base.startswith("http"):
        return ""
    try:
        return f"{base}/notice/{notice_token(rt, row_id)}"
    except LinkError:
        return ""
