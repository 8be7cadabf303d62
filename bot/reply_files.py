"""提案 reply letters (答复函): stored under media.dir as proposal-replies/<sha256><ext>, so the same letter is kept
once and ProposalReply.file_path holds that relative name. The console's upload and `proposals reply --file`
both store through `store`; `stored_path` finds a letter again, never outside media.dir."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

from bot.media import media_dir
from bot.runtime import Runtime

FOLDER = "proposal-replies"
EXTENSIONS = (".pdf", ".ofd", ".doc", ".docx", ".wps", ".jpg", ".jpeg", ".png")


class Refused(Exception):
    """Not stored: `code` is 'type' (extension not allowed), 'large' (over media.max_bytes) or 'empty'."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def store(rt: Runtime, data: bytes, filename: str) -> tuple[str, bool]:
    """Keep the letter; returns (its name relative to media.dir, whether the file is new). Raises Refused."""
    suffix = Path(filename).suffix.lower()
    if suffix not in EXTENSIONS:
        raise Refused("type")
    if len(data) > rt.config.media.max_bytes:
        raise Refused("large")
    if not data:
        raise Refused("empty")
    relative = f"{FOLDER}/{hashlib.sha256(data).hexdigest()}{suffix}"
    path = media_dir(rt) / relative
    if path.exists():
        return relative, False
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
    return relative, True


def stored_path(rt: Runtime, relative: str) -> Path | None:
    """The letter's file, if it exists inside media.dir."""
    if not relative:
        return None
    folder = media_dir(rt).resolve()
    path = (folder / relative).resolve()
    return path if path.is_relative_to(folder) and path.is_file() else None


def discard(rt: Runtime, relative: str) -> None:
    """Remove a letter stored for a reply that was then refused (only a file `store` reported as new)."""
    path = stored_path(rt, relative)
    if path is not None:
        path.unlink(missing_ok=True)
