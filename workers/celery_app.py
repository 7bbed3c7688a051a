"""The Celery worker entry point: `celery -A workers.celery_app worker`.

Builds the Flask app once; the toxicity model is loaded in each worker process after the
fork (prefork pool) or at start (solo/threads pool), never per task.
"""

import logging
import os
import signal
import socket
import threading
import time

from celery.signals import worker_init, worker_process_init, worker_shutdown

from service import create_app, metrics
from service.queue import Queue
from service.worker_status import forget, publish

flask_app = create_app()
celery = flask_app.extensions["celery"]

import workers.scoring  # noqa: E402,F401  (registers the tasks)
import workers.tasks  # noqa: E402,F401
import workers.webhooks  # noqa: E402,F401

log = logging.getLogger(__name__)
# Workers re-publish their status while alive; readiness forgets a killed one after the TTL.
STATUS_EVERY_S, STATUS_TTL_S = 5, 15
# Only these queues' tasks use the toxicity model: a webhooks-only worker does not load it.
MODEL_QUEUES = {Queue.CLASSIFY, Queue.SCORE}


def worker_name() -> str:
    # Taken when called, not at import: prefork children each have their own pid.
    return f"{socket.gethostname()}:{os.getpid()}"


def _load_model_or_stop() -> None:
    from workers.classifiers import describe, load_toxicity
    from workers.classifiers.toxicity import ModelLoadError

    try:
        model = load_toxicity(flask_app.config)
    except ModelLoadError as exc:
        log.critical("toxicity.load_failed", extra={"error": str(exc)})
        print(f"FATAL: the toxicity model could not be loaded: {exc}", flush=True)
        # Stop the whole worker, not just this child, so it is not restarted in a loop.
        if os.getppid() > 1 and os.environ.get("MODERATION_WORKER_PREFORK") == "1":
            os.kill(os.getppid(), signal.SIGTERM)
        raise SystemExit(3) from exc
    status, name = describe(model), worker_name()
    try:
        publish(flask_app.config["REDIS_URL"], name, status, ttl_s=STATUS_TTL_S)
    except Exception as exc:  # readiness shows no model; the worker still works
        log.warning("worker.status_unpublished", extra={"error": str(exc)[:200]})
    threading.Thread(
        target=_keep_publishing, args=(name, status), daemon=True, name="worker-status"
    ).start()


def _keep_publishing(name: str, status: dict) -> None:
    while True:
        time.sleep(STATUS_EVERY_S)
        try:
            publish(flask_app.config["REDIS_URL"], name, status, ttl_s=STATUS_TTL_S)
        except Exception:  # Redis is down: readiness says so already; try again later
            pass


@worker_process_init.connect
def load_model_in_child(**_):
    if os.environ.get("MODERATION_WORKER_NO_MODEL") != "1":
        _load_model_or_stop()


@worker_init.connect
def load_model_without_fork(sender=None, **_):
    # worker_process_init only fires in prefork children; other pools load here.
    if flask_app.config["WORKER_METRICS_PORT"]:
        metrics.serve_worker_metrics(int(flask_app.config["WORKER_METRICS_PORT"]))
    consumed = set(getattr(getattr(sender, "app", celery).amqp.queues, "consume_from", None) or {})
    if consumed and not consumed & MODEL_QUEUES:
        os.environ["MODERATION_WORKER_NO_MODEL"] = "1"  # read by prefork children too
        return
    pool = getattr(getattr(sender, "pool_cls", None), "__module__", "") or ""
    if "prefork" not in pool:
        _load_model_or_stop()
    else:
        os.environ["MODERATION_WORKER_PREFORK"] = "1"


@worker_shutdown.connect
def unpublish(**_):
    try:
        forget(flask_app.config["REDIS_URL"], worker_name())
    except Exception:  # Redis may already be gone at shutdown
        pass
