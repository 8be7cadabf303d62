"""The printable QR code of an activity, scanned to 签到 (bot/dialogs/events.py signs the member in).

What the code holds is decided in `scene_content` alone: today the activity's scene string (its code, e.g.
A3; a scan that makes someone follow the account arrives as qrscene_A3). Issue 13 will put a WeChat-issued
parametric ticket's URL there instead; nothing else has to change. Images are drawn with segno.
"""
from __future__ import annotations

import io

import segno

from storage.models import Activity

SCALE_SVG, SCALE_PNG, BORDER = 10, 12, 4


def scene_content(activity: Activity) -> str:
    """The text the activity's QR code carries."""
    return activity.code


def _code(activity: Activity) -> segno.QRCode:
    return segno.make_qr(scene_content(activity), error="m")  # a full QR code: phones cannot read Micro QR


def qr_svg(activity: Activity) -> str:
    """An inline <svg> (scales cleanly when printed)."""
    buffer = io.BytesIO()
    _code(activity).save(buffer, kind="svg", scale=SCALE_SVG, border=BORDER, xmldecl=False, svgns=True,
                         svgclass="qr", lineclass=None)
    return buffer.getvalue().decode("utf-8")


def qr_png(activity: Activity) -> bytes:
    buffer = io.BytesIO()
    _code(activity).save(buffer, kind="png", scale=SCALE_PNG, border=BORDER)
    return buffer.getvalue()
