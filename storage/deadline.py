"""Deadlines for the database calls a request makes on its own thread.

psycopg2 waits for PostgreSQL with no timeout of its own: `statement_timeout` is enforced by the server, so a
server that hangs (stopped, not down) holds the waiting thread for as long as it hangs. A thread that handles a
message inline (bot/inbox.py: the quick lane, no hand-off to the handler pool) sets a deadline; every database
connection it checks out meanwhile is watched, and a watchdog thread, looking a few times a second, shuts down
the socket of a connection still held past the deadline. The driver then fails as for a lost connection, which
the caller treats as an outage (the message is spooled and the member told it was received), and the pool
drops the connection.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)
CHECK_EVERY = 0.05   # seconds between the watchdog's looks: how late past its deadline a hung call ends


class Watchdog:
    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._deadlines: dict[int, float] = {}           # thread id -> monotonic deadline
        self._held: dict[int, set[int]] = {}              # thread id -> sockets of the connections it holds
        self._thread: threading.Thread | None = None
        self._pid = 0

    @contextmanager
    def deadline(self, seconds: float) -> Iterator[None]:
        """Database calls this thread makes inside the block end by `seconds` from now."""
        me = threading.get_ident()
        self._start()
        with self._guard:
            self._deadlines[me] = time.monotonic() + seconds
        try:
            yield
        finally:
            with self._guard:
                self._deadlines.pop(me, None)
                self._held.pop(me, None)   # whatever is still held is watched no more

    def watch(self, engine: Engine) -> None:
        """Watch the connections of this engine that a thread with a deadline checks out."""
        event.listen(engine, "checkout", self._checked_out)
        event.listen(engine, "checkin", self._checked_in)

    def _checked_out(self, dbapi_connection, _record, _proxy) -> None:
        me = threading.get_ident()
        fileno = getattr(dbapi_connection, "fileno", None)
        if me in self._deadlines and fileno is not None:
            with self._guard:
                self._held.setdefault(me, set()).add(fileno())

    def _checked_in(self, dbapi_connection, _record) -> None:
        fileno = getattr(dbapi_connection, "fileno", None)
        if fileno is None or not self._held:
            return
        try:
            fd = fileno()
        except Exception:  # closed (e.g. shut down by the watchdog): forget it wherever it is
            fd = None
        with self._guard:
            for thread, fds in list(self._held.items()):
                fds.discard(fd)
                if not fds:
                    del self._held[thread]

    def _start(self) -> None:
        """One watchdog thread per process (threads do not survive a fork: a forked worker starts its own)."""
        if self._pid == os.getpid():
            return
        with self._guard:
            if self._pid != os.getpid():
                self._held.clear()
                self._thread = threading.Thread(target=self._run, name="db-deadline", daemon=True)
                self._thread.start()
                self._pid = os.getpid()

    def _run(self) -> None:
        while True:
            time.sleep(CHECK_EVERY)
            now = time.monotonic()
            with self._guard:   # a connection cannot be checked in (and reused) while it is being shut down
                for thread, deadline in list(self._deadlines.items()):
                    if now >= deadline:
                        for fd in self._held.pop(thread, ()):
                            _shut_down(fd)
                        del self._deadlines[thread]


def _shut_down(fd: int) -> None:
    try:
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)
        log.warning("a database call passed its deadline: its connection was shut down")
    except OSError:
        pass


WATCHDOG = Watchdog()
