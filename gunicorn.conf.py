"""gunicorn settings: `gunicorn webhook:app` picks this file up from the project root."""
import os

bind = f"0.0.0.0:{os.environ.get('PORT', '8080')}"
# Sync workers, one per core: measured fastest here (bench/README.md); more threads only add GIL contention.
workers = int(os.environ.get("WEB_CONCURRENCY", str(os.cpu_count() or 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
preload_app = True   # load jieba and the intent model once, before forking
timeout = 30


def post_fork(server, worker):
    """Connections opened while preloading must not be shared with forked workers."""
    import webhook

    rt = webhook.app.extensions["runtime"]
    rt.db.engine.dispose(close=False)
    if rt.kv.backend == "memory":  # embedded default: threads do not survive the fork
        from bot.worker import start_background

        start_background(rt)
