"""The sender and the scheduler.

`python -m bot worker` runs both. The outbox table is the one queue: every worker, on every host,
sends the due rows itself, and the atomic claim in the database keeps each row to one sender (RQ
was measured and removed: bench/README.md). On the embedded default (no Redis) the web process
runs the scheduler in a background thread (`start_background`) instead.

Scheduler jobs: `outbox` every outbound.poll_seconds; `reminders` every activities.reminder_poll_seconds;
`media` every media.poll_seconds (bot/media.py: report photos off WeChat's temporary media);
`spool` every spool.replay_poll_seconds (bot/inbox.py: messages spooled while the database was down);
`digest` daily at digest.time (Asia/Shanghai), which calls bot.digest.send_scheduled(rt, now).
A daily job runs once per day across all workers: a store lock serialises the runs and a done marker in the database (counters table,
row `sched:<name>` = last day run, as YYYYMMDD) survives restarts.
"""
from __future__ import annotations

import logging
import os
import signal
import threading
import time
from dataclasses import dataclass
from datetime import datetime, time as clock_time
from typing import Any, Callable

from sqlalchemy import select

from bot import outbox
from bot.runtime import Runtime
from storage.models import Counter

log = logging.getLogger(__name__)

DAILY_RETRY_SECONDS = 300       # a daily job that raised is tried again after this long


@dataclass
class Job:
    name: str
    run: Callable[[Runtime, datetime], Any]
    every: float | None = None      # seconds between runs
    daily_at: clock_time | None = None  # local time of day: once a day, at or after this time
    next_run: float = 0.0           # monotonic
    done_day: int = 0               # daily: last day known done (YYYYMMDD), saves a query per tick


class Scheduler:
    """A tiny in-house scheduler: call tick() often; each due job runs in the calling thread."""

    def __init__(self, rt: Runtime, jobs: list[Job], tick_seconds: float = 0.5):
        self.rt, self.jobs, self.tick_seconds = rt, jobs, tick_seconds

    def tick(self, now: datetime | None = None) -> list[str]:
        """Run the jobs that are due; returns the names of those that ran."""
        ran = []
        for job in self.jobs:
            if time.monotonic() < job.next_run:
                continue
            try:
                if job.every is not None:
                    job.next_run = time.monotonic() + job.every
                    job.run(self.rt, now or self.rt.now())
                    ran.append(job.name)
                elif run_daily_once(self.rt, job, now or self.rt.now()):
                    ran.append(job.name)
            except Exception:  # noqa: BLE001 - one failing job must not stop the others
                log.exception("scheduled job %s failed", job.name)
                if job.daily_at:
                    job.next_run = time.monotonic() + DAILY_RETRY_SECONDS
        return ran

    def run(self, stop: threading.Event) -> None:
        log.info("scheduler running: %s", ", ".join(job.name for job in self.jobs))
        while not stop.is_set():
            self.tick()
            stop.wait(self.tick_seconds)


def run_daily_once(rt: Runtime, job: Job, now: datetime) -> bool:
    """Run a daily job if its time has come today and no worker has run it today."""
    local = rt.local(now)
    day = int(local.strftime("%Y%m%d"))
    if local.time() < job.daily_at or job.done_day >= day:
        return False
    try:
        with rt.kv.lock("sched:" + job.name, timeout=rt.config.outbound.daily_job_lock_seconds, wait=0):
            if _done_day(rt, job.name) >= day:
                job.done_day = day
                return False
            log.info("running daily job %s for %s", job.name, local.date())
            job.run(rt, now)
            _mark_done(rt, job.name, day)
            job.done_day = day
            return True
    except TimeoutError:  # another worker is running it right now
        return False


def _done_day(rt: Runtime, name: str) -> int:
    with rt.db.session() as session:
        return session.scalar(select(Counter.value).where(Counter.name == "sched:" + name)) or 0


def _mark_done(rt: Runtime, name: str, day: int) -> None:
    with rt.db.session() as session:
        row = session.get(Counter, "sched:" + name)
        if row is None:
            session.add(Counter(name="sched:" + name, value=day))
        else:
            row.value = max(row.value, day)


# ---------------------------------------------------------------------------------------------
# Jobs
# ---------------------------------------------------------------------------------------------
JOB_NAMES = ("outbox", "reminders", "media", "digest", "spool")


def default_jobs(rt: Runtime, only: list[str] | None = None) -> list[Job]:
    cfg = rt.config
    jobs = [Job("outbox", outbox_job, every=cfg.outbound.poll_seconds),
            Job("reminders", reminders_job, every=cfg.activities.reminder_poll_seconds),
            Job("media", media_job, every=cfg.media.poll_seconds),
            Job("digest", digest_job, daily_at=cfg.digest.time),
            Job("spool", spool_job, every=cfg.spool.replay_poll_seconds)]
    return [job for job in jobs if not only or job.name in only]


def outbox_job(rt: Runtime, now: datetime) -> None:
    report = outbox.deliver_due(rt, now=now)
    if report.handled:
        log.info("outbox: %s", report.summary())


def digest_job(rt: Runtime, now: datetime) -> None:
    """Yesterday's staff digest (bot/digest/); idempotent per day."""
    from bot import digest

    digest.send_scheduled(rt, now)


def reminders_job(rt: Runtime, now: datetime) -> None:
    """Day-before activity reminders (bot/reminders.py); one worker at a time, idempotent per member."""
    from bot import reminders

    try:
        with rt.kv.lock("job:reminders", timeout=120, wait=0.1):
            queued = reminders.send_due(rt, now)
    except TimeoutError:
        return  # another worker is on it
    if queued:
        log.info("reminders: queued %s", queued)


def spool_job(rt: Runtime, now: datetime) -> None:
    """Messages spooled while the database was down (bot/inbox.py): handled in order once it is back."""
    from bot.dispatch import handle_inbound
    from bot.inbox import replay_spool

    replay_spool(rt, handle_inbound)


def media_job(rt: Runtime, now: datetime) -> None:
    """Copy report photos off WeChat's temporary media (bot/media.py); one worker at a time."""
    from bot import media

    try:
        with rt.kv.lock("job:media", timeout=300, wait=0.1):
            stored = media.fetch_pending(rt)
    except TimeoutError:
        return  # another worker is on it
    if stored:
        log.info("media: stored %s", stored)


# ---------------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------------
@dataclass
class Background:
    thread: threading.Thread
    stop_event: threading.Event
    pid: int

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        self.thread.join(timeout)


_background: dict[int, Background] = {}


def start_background(rt: Runtime, jobs: list[Job] | None = None) -> Background:
    """Embedded default: run the scheduler (and so the sender) in a daemon thread of this process.

    Idempotent per runtime and process (a forked child, whose parent's thread did not survive the
    fork, gets its own)."""
    running = _background.get(id(rt))
    if running is not None and running.pid == os.getpid() and running.thread.is_alive():
        return running
    stop = threading.Event()
    scheduler = Scheduler(rt, jobs or default_jobs(rt))
    thread = threading.Thread(target=scheduler.run, args=(stop,), name="bot-worker", daemon=True)
    thread.start()
    _background[id(rt)] = Background(thread, stop, os.getpid())
    return _background[id(rt)]


def run_once(rt: Runtime) -> outbox.DeliveryReport:
    """Deliver what is due now, here, then return (`python -m bot worker --once`)."""
    return outbox.deliver_due(rt)


def run_worker(rt: Runtime, jobs: list[Job] | None = None) -> None:
    """`python -m bot worker`: the scheduler in this process until SIGTERM or SIGINT."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    Scheduler(rt, jobs or default_jobs(rt)).run(stop)
