"""The printable QR code of an activity, scanned to 签到 (bot/dialogs/events.py signs the member in).

A scan only produces WeChat's SCAN event (or `subscribe` with qrscene_A3) when WeChat issued the code: `scene_code`
asks /cgi-bin/qrcode/create for a temporary QR_STR_SCENE code whose scene is the activity code, expiring
`activities.qr_valid_after_end_hours` after the activity ends, and keeps its ticket, url and expiry on the
activity (reused while they cover the activity). WeChat keeps a temporary code at most 30 days, so for an activity
further away the code is made later (`available_from`). Without AppID/AppSecret, or when WeChat refuses, there is
no real code: the caller gets the reason and, if it wants one, a preview clearly marked as not scannable.
Images are drawn locally with segno from the url WeChat returned.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

import segno
from sqlalchemy.orm import Session

from bot.duty_record import timing
from bot.runtime import Runtime
from bot.wechat_api import QR_MAX_SECONDS, WeChatAPI, WeChatAPIError, client_for
from storage.models import Activity

SCALE_SVG, SCALE_PNG, BORDER = 10, 12, 4
RENEW_MARGIN = timedelta(hours=1)  # a kept code must outlive the activity by at least this much


@dataclass(frozen=True)
class SceneCode:
    """What an activity's QR code holds: WeChat's url (real), or the bare scene (a preview, `reason` says why)."""

    content: str
    real: bool
    reason: str = ""                       # no_credentials | too_early | api_error | cancelled
    error: str = ""                        # WeChat's reason, for api_error
    expires_at: datetime | None = None     # real: when WeChat stops honouring it
    available_from: datetime | None = None  # too_early: when a code can be made


def scene_content(activity: Activity) -> str:
    """The text the activity's QR code carries: the WeChat-issued url when there is one, else its scene."""
    return activity.qr_url or activity.code


def scene_code(rt: Runtime, session: Session, activity: Activity, api: WeChatAPI | None = None) -> SceneCode:
    """The activity's WeChat scene QR code, created or renewed when needed (the session is committed by the caller)."""
    needed_until = timing(rt).ends_at(activity) + timedelta(hours=rt.config.activities.qr_valid_after_end_hours)
    now = rt.now()
    if activity.qr_url and activity.qr_expires_at and activity.qr_expires_at >= needed_until - RENEW_MARGIN:
        return SceneCode(activity.qr_url, True, expires_at=activity.qr_expires_at)
    if activity.status != "open":
        return _preview(activity, "cancelled")
    if not rt.config.wechat.has_credentials:
        return _preview(activity, "no_credentials")
    seconds = (needed_until - now).total_seconds()
    if seconds > QR_MAX_SECONDS:
        return _preview(activity, "too_early", available_from=needed_until - timedelta(seconds=QR_MAX_SECONDS))
    try:
        answer = (api or client_for(rt)).create_qrcode(activity.code, int(max(seconds, 60)))
    except WeChatAPIError as exc:
        return _preview(activity, "api_error", error=str(exc))
    activity.qr_ticket, activity.qr_url = str(answer.get("ticket", "")), str(answer.get("url", ""))
    activity.qr_expires_at = now + timedelta(seconds=int(answer.get("expire_seconds") or seconds))
    return SceneCode(activity.qr_url, True, expires_at=activity.qr_expires_at)


def _preview(activity: Activity, reason: str, **extra) -> SceneCode:
    return SceneCode(activity.code, False, reason, **extra)


def _code(content: str) -> segno.QRCode:
    return segno.make_qr(content, error="m")  # a full QR code: phones cannot read Micro QR


def qr_svg(content: str) -> str:
    """An inline <svg> (scales cleanly when printed)."""
    buffer = io.BytesIO()
    _code(content).save(buffer, kind="svg", scale=SCALE_SVG, border=BORDER, xmldecl=False, svgns=True,
                        svgclass="qr", lineclass=None)
    return buffer.getvalue().decode("utf-8")


def qr_png(content: str) -> bytes:
    buffer = io.BytesIO()
    _code(content).save(buffer, kind="png", scale=SCALE_PNG, border=BORDER)
    return buffer.getvalue()
