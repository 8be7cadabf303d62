"""Photos attached to 社情民意: copied off WeChat's temporary media (kept ~3 days) to our own disk.

fetch_pending() is run by the worker's `media` job. A file is named by the sha256 of its bytes (so a photo
sent twice is stored once); ReportAttachment.stored_path holds that name, relative to config `media.dir`.
A permanent API error (40007: media_id invalid or expired …) is recorded in fetch_error and never
retried; transient ones (network, -1, HTTP 5xx, rate limits) leave the row for the next run.
"""
from __future__ import annotations

import hashlib
import logging
import mimetypes
import os
from pathlib import Path

from sqlalchemy import select

from bot.runtime import Runtime
from bot.wechat_api import PermanentError, RateLimited, WeChatAPI, WeChatAPIError, client_for
from storage.models import ReportAttachment

log = logging.getLogger(__name__)

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp"}


def media_dir(rt: Runtime) -> Path:
    return rt.config.media.dir


def stored_file(rt: Runtime, item: ReportAttachment) -> Path | None:
    """Where an attachment's file is on disk, if it was stored."""
    return media_dir(rt) / item.stored_path if item.stored_path else None


def fetch_pending(rt: Runtime, limit: int = 20, api: WeChatAPI | None = None) -> int:
    """Download up to `limit` photos not stored yet; returns how many were stored."""
    with rt.db.session() as session:
        pending = session.execute(
            select(ReportAttachment.id, ReportAttachment.media_id)
            .where(ReportAttachment.kind == "image", ReportAttachment.media_id != "",
                   ReportAttachment.stored_path == "", ReportAttachment.fetch_error == "")
            .order_by(ReportAttachment.id).limit(limit)).all()
    if not pending:
        return 0
    api = api or client_for(rt)
    max_bytes = rt.config.media.max_bytes
    stored = 0
    for row_id, media_id in pending:
        try:
            data, content_type = api.download_media(media_id, max_bytes=max_bytes)
        except PermanentError as exc:
            log.warning("attachment %s: media %s cannot be fetched: %s", row_id, media_id, exc)
            _record(rt, row_id, fetch_error=str(exc))
            continue
        except RateLimited as exc:
            log.warning("media download paused: %s", exc)
            break
        except WeChatAPIError as exc:  # transient: try again next run
            log.warning("attachment %s: media %s not fetched yet: %s", row_id, media_id, exc)
            continue
        _record(rt, row_id, stored_path=_write(media_dir(rt), data, content_type), stored_at=rt.now())
        stored += 1
    return stored


def _write(directory: Path, data: bytes, content_type: str) -> str:
    """Save the bytes as <sha256><ext> (atomically; an identical file already there is kept)."""
    name = hashlib.sha256(data).hexdigest() + (EXTENSIONS.get(content_type)
                                               or mimetypes.guess_extension(content_type) or ".bin")
    path = directory / name
    if not path.exists():
        directory.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{name}.{os.getpid()}.part")
        partial.write_bytes(data)
        os.replace(partial, path)
    return name


def _record(rt: Runtime, row_id: int, **values) -> None:
    with rt.db.session() as session:
        item = session.get(ReportAttachment, row_id)
        if item is not None:
            for key, value in values.items():
                setattr(item, key, value)
