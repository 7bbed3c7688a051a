"""The web tier's side of the broker: Celery bound to the Flask app, and enqueueing."""

import logging
import time
from enum import StrEnum

from celery import Task
from flask import Flask, current_app, g, has_request_context

from service.extensions import celery

log = logging.getLogger(__name__)

CLASSIFY_TASK = "workers.classify_comment"
SCORE_TASK = "workers.score_text"
SWEEP_TASK = "workers.sweep_pending"
LEARN_TASK = "workers.learn_spam"
DELIVER_TASK = "workers.deliver_webhook"
WEBHOOK_SWEEP_TASK = "workers.sweep_webhooks"


class Queue(StrEnum):
    """The broker queues workers consume from."""

    CLASSIFY = "classify"
    SCORE = "score"
    MAINTENANCE = "maintenance"
    # Their own queue and worker: a slow subscriber must not hold up classification.
    WEBHOOKS = "webhooks"


# Each task's queue: the routing below, the task declarations and send() all read it.
TASK_QUEUES = {
    CLASSIFY_TASK: Queue.CLASSIFY,
    SCORE_TASK: Queue.SCORE,
    SWEEP_TASK: Queue.MAINTENANCE,
    LEARN_TASK: Queue.MAINTENANCE,
    DELIVER_TASK: Queue.WEBHOOKS,
    WEBHOOK_SWEEP_TASK: Queue.MAINTENANCE,
}


def celery_init_app(app: Flask):
    """Configure the shared Celery app from the Flask config; tasks run in an app context."""

    class FlaskTask(Task):
        def __call__(self, *args, **kwargs):
            with app.app_context():
                return self.run(*args, **kwargs)

    celery.conf.update(
        broker_url=app.config["REDIS_URL"],
        result_backend=app.config["REDIS_URL"],
        task_ignore_result=True,
        task_routes={name: {"queue": queue} for name, queue in TASK_QUEUES.items()},
        task_default_queue=Queue.CLASSIFY.value,
        task_reject_on_worker_lost=True,
        # Batches fill from prefetched messages, so let a worker hold a batch's worth.
        worker_prefetch_multiplier=max(4, int(app.config["CLASSIFY_BATCH_SIZE"]) * 2),
        broker_connection_retry_on_startup=True,
        broker_transport_options={"socket_connect_timeout": 1, "socket_timeout": 5},
        redis_socket_connect_timeout=1,
        redis_socket_timeout=5,
        beat_schedule={
            name: {"task": task, "schedule": float(app.config["SWEEP_INTERVAL_S"])}
            for name, task in (
                ("sweep-pending", SWEEP_TASK),
                ("sweep-webhooks", WEBHOOK_SWEEP_TASK),
            )
        },
        worker_hijack_root_logger=False,
        # A prefork child loading a large toxicity model (or exporting it once) needs time.
        worker_proc_alive_timeout=300,
    )
    celery.Task = FlaskTask
    celery.flask_app = app
    celery.set_default()
    app.extensions["celery"] = celery
    return celery


class BrokerBreaker:
    """Stop trying the broker for a few seconds after it failed, so intake stays fast."""

    def __init__(self, pause_s: float = 5.0):
        self.pause_s = pause_s
        self.open_until = 0.0

    def allow(self) -> bool:
        return time.monotonic() >= self.open_until

    def failed(self) -> None:
        self.open_until = time.monotonic() + self.pause_s


breaker = BrokerBreaker()


def send(task_name: str, args: list, **options) -> bool:
    """Publish a task; False when the broker is down (the sweeper sends it later)."""
    if not breaker.allow():
        return False
    try:
        celery.send_task(task_name, args=args, queue=TASK_QUEUES[task_name], retry=False, **options)
        return True
    except Exception as exc:  # kombu raises several types for a broker that is down
        breaker.failed()
        log.warning("broker.unavailable", extra={"task": task_name, "error": str(exc)[:200]})
        return False


def enqueue_classify(comment_ids: list[int]) -> list[int]:
    """Send one classify message per comment; return the ids that were sent."""
    # The request id travels as a message header, so the worker's log lines carry it too.
    request_id = g.get("request_id") if has_request_context() else None
    options = {"headers": {"request_id": request_id}} if request_id else {}
    sent = []
    for comment_id in comment_ids:
        if send(CLASSIFY_TASK, [comment_id], **options):
            sent.append(comment_id)
        else:
            break
    if sent:
        current_app.logger.debug("comment.enqueued", extra={"count": len(sent)})
    return sent
