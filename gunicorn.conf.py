"""gunicorn settings: `gunicorn webhook:app` picks this file up from the project root."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
# Sync workers, one per core: measured fastest here (bench/README.md); more threads only add GIL contention.
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
preload_app = True   # load jieba and the intent model once, before forking
timeout = 30


def post_fork(server, worker):
    """Connections opened while preloading must not be shared with forked workers; then warm the worker."""
    import webhook

    rt = webhook.app.extensions["runtime"]
    rt.db.dispose(close=False)  # both pools (storage/db.py)
    if rt.kv.backend == "memory":  # embedded default: threads do not survive the fork
        from bot.worker import start_background

        start_background(rt)
    warm(rt, server.log)


def warm(rt, log) -> None:
    """Before the worker takes its first request: a database connection in each of its pools (sessions; the
    check-in's autocommit one), one Redis connection, and one parse (the forked copy of the intent model is
    touched once). A worker restarted during a plenary then does not make the first members wait. Bounded by
    the stores' connect timeouts; a store that is down only leaves the worker cold (the request path reports
    outages itself)."""
    import time

    import intents

    started = time.monotonic()
    database, store = rt.db.ping() and _open_autocommit(rt), rt.kv.ping()
    try:
        intents.parse("今天有什么活动", rt.now())
    except Exception:  # noqa: BLE001 - warming must never keep a worker from serving
        log.exception("warm-up parse failed")
    log.debug("worker warmed in %.0f ms (database %s, store %s)", 1000 * (time.monotonic() - started), database, store)


def _open_autocommit(rt) -> bool:
    try:
        with rt.db.autocommit() as conn:
            conn.exec_driver_sql("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - reported as a cold database, like ping
        return False
