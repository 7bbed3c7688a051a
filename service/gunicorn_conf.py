"""gunicorn settings: `gunicorn -c python:service.gunicorn_conf service.wsgi:app`.

Command-line flags still win over these (`modctl serve` passes bind, workers and timeouts).
"""

import os

from service.config import load_settings

# Threads, not one sync request per process: a Perspective request waiting up to
# SCORE_TIMEOUT_S for a worker holds one thread, and the process goes on serving the others.
worker_class = "gthread"
threads = int(load_settings()["API_THREADS"])

# One JSON object per request, like the app's own logs. The path is logged without its query
# string: status tokens and site keys may travel there. request_id links to the app's records.
access_log_format = (
    '{"message": "http.access", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
    '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"request_id": "%({x-request-id}o)s"}'
)


def on_starting(server):
    """Make sure the metrics directory exists (prometheus-client does not create it)."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        os.makedirs(directory, exist_ok=True)


def child_exit(server, worker):
    """Drop a dead API process's live gauges from the shared metrics directory."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
