"""A durable local spool for inbound messages that arrive while the database is down.

Append-only JSON lines, fsync'd before the member is told anything. Each process appends to its
own file (`<host>-<pid>.jsonl`) under an exclusive flock, so several gunicorn workers share the
directory. Replaying first claims the files: under the writer's lock a file is renamed to
`….replay`, so writers start a fresh file; the keys replayed from it are appended to a `….done`
file next to it, so a replayer that dies part-way is continued by the next one without repeating.
One replayer runs at a time per directory (flock on `.replay.lock`); a crashed one releases it.
"""
from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)

ACTIVE, CLAIMED, DONE = ".jsonl", ".replay", ".done"
_REPLAY_LOCK = ".replay.lock"
SETTLED_NS = 1_000_000_000   # a directory unchanged for this long keeps its listing (Spool.pending)


class SpoolError(OSError):
    """The message could not be made durable here either."""


@dataclass(frozen=True)
class Entry:
    key: str                  # the message's de-duplication key
    fields: dict[str, str]    # the inbound XML fields, enough to rebuild the message
    received_at: datetime     # when it arrived (aware): the replay runs "as of" this moment
    file: Path                # the claimed file it came from
    line: int


class Spool:
    def __init__(self, directory: str | os.PathLike):
        self.dir = Path(directory)
        self._listing: tuple[int, bool] | None = None   # (directory mtime, anything pending) of the last look

    # --- writing (the request path) -------------------------------------------------------------

    def append(self, key: str, fields: dict[str, str], received_at: datetime) -> None:
        """Durably keep one message; returns only once it is on disk. Raises SpoolError."""
        line = json.dumps({"key": key, "fields": fields, "received_at": received_at.isoformat()},
                          ensure_ascii=False) + "\n"
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with self._own_file() as fd:
                os.write(fd, line.encode("utf-8"))
                os.fsync(fd)
        except OSError as exc:
            raise SpoolError(f"cannot spool {key}: {exc}") from exc

    @contextmanager
    def _own_file(self) -> Iterator[int]:
        """This process's active file, locked; reopened if a replayer claimed (renamed) it meanwhile."""
        path = self.dir / f"{socket.gethostname()}-{os.getpid()}{ACTIVE}"
        while True:
            created = not path.exists()
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                still_ours = os.path.exists(path) and os.stat(path).st_ino == os.fstat(fd).st_ino
            except OSError:
                still_ours = False
            if still_ours:
                break
            os.close(fd)
        try:
            if created:
                _fsync_dir(self.dir)
            yield fd
        finally:
            os.close(fd)  # also releases the flock

    def pending(self) -> bool:
        """Anything waiting to be replayed? Files appear, are renamed and go away only by changes to the
        directory, so a listing is reused while the directory's mtime stays the same, once that mtime is old
        enough that no later change can share it (file times are only as fine as the kernel's clock tick)."""
        try:
            mtime = os.stat(self.dir).st_mtime_ns
        except OSError:  # no directory yet (or unreadable: then appending fails loudly)
            return False
        if self._listing is not None and self._listing[0] == mtime:
            return self._listing[1]
        try:
            found = any(name.endswith((ACTIVE, CLAIMED)) for name in os.listdir(self.dir))
        except OSError:
            return False
        self._listing = (mtime, found) if time.time_ns() - mtime > SETTLED_NS else None
        return found

    def pending_for(self, openid: str) -> bool:
        """Does this member have messages waiting? Their next message must then wait its turn too."""
        if not self.pending():
            return False
        return any(entry.fields.get("FromUserName") == openid for entry in self._read_all(claim=False))

    # --- replaying ------------------------------------------------------------------------------

    @contextmanager
    def replaying(self) -> Iterator[list[Entry] | None]:
        """Claim every file and yield the entries not yet replayed, oldest first; None when another
        process is replaying right now. Call `done(entry)` after each one is handled."""
        if not self.pending():
            yield []
            return
        lock_fd = os.open(self.dir / _REPLAY_LOCK, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield None
                return
            self._claim_active_files()
            yield self._read_all(claim=True)
            self._drop_finished_files()
        finally:
            os.close(lock_fd)

    def done(self, entry: Entry) -> None:
        with open(_done_path(entry.file), "a", encoding="utf-8") as fh:
            fh.write(entry.key + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _claim_active_files(self) -> None:
        for path in sorted(self.dir.glob("*" + ACTIVE)):
            fd = os.open(path, os.O_RDONLY)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)  # waits for a write in progress (milliseconds)
                if path.exists() and os.stat(path).st_ino == os.fstat(fd).st_ino:
                    os.rename(path, path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}{CLAIMED}"))
            finally:
                os.close(fd)
        _fsync_dir(self.dir)

    def _read_all(self, claim: bool) -> list[Entry]:
        files = sorted(self.dir.glob("*" + CLAIMED))
        if not claim:
            files += sorted(self.dir.glob("*" + ACTIVE))
        entries = []
        for path in files:
            entries += _read_file(path)
        entries.sort(key=lambda entry: (entry.received_at, entry.file.name, entry.line))
        return entries

    def _drop_finished_files(self) -> None:
        for path in self.dir.glob("*" + CLAIMED):
            if not _read_file(path):
                path.unlink(missing_ok=True)
                _done_path(path).unlink(missing_ok=True)


def _read_file(path: Path) -> list[Entry]:
    """The file's entries not yet marked done. A torn last line (a crash mid-write, never acknowledged
    to anyone) is skipped."""
    done = set()
    if _done_path(path).exists():
        done = set(_done_path(path).read_text(encoding="utf-8").splitlines())
    entries = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except FileNotFoundError:  # claimed and finished by another replayer meanwhile
        return []
    for number, line in enumerate(lines):
        try:
            data = json.loads(line)
            entry = Entry(data["key"], data["fields"], datetime.fromisoformat(data["received_at"]), path, number)
        except (ValueError, KeyError, TypeError):
            log.warning("spool %s line %s unreadable, skipped", path.name, number + 1)
            continue
        if entry.key not in done:
            entries.append(entry)
    return entries


def _done_path(path: Path) -> Path:
    return path.with_name(path.name + DONE)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
