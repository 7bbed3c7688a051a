"""Prometheus metrics: what the API and the workers count, and what /metrics reads at scrape time.

Counters and histograms are recorded where things happen (intake, the classify pipeline).
Gauges that describe the state of the system (Celery queue depth, review queue sizes, age of
the oldest held or pending comment, the workers' toxicity model) are read from the database
and Redis when Prometheus scrapes, so they are right whichever process serves the scrape.

Multiprocess-safe: when PROMETHEUS_MULTIPROC_DIR is set (gunicorn workers, Celery pool
processes, `modctl up` sets it for both), every process writes its samples to files in that
directory and /metrics adds them up. Set it before the process starts; wipe it between runs.
"""

import os
import time

import redis
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import choose_encoder
from sqlalchemy import case, func, or_

from service.auth import has_ops_token
from service.extensions import api as rest_api
from service.queue import Queue

# Settings this module reads (env vars of the same name); they belong in service.config.DEFAULTS.
# Celery's queues (service.queue.Queue) and the Redis lists kombu keeps for their priorities.
CELERY_QUEUES = tuple(Queue)
PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
WAITING_QUEUES = ("held", "reported", "pending", "spam")

HTTP_REQUESTS = Counter(
    "moderation_http_requests",
    "HTTP requests answered, by route and status.",
    ["method", "route", "status"],
)
HTTP_SECONDS = Histogram(
    "moderation_http_request_seconds", "Time to answer an HTTP request.", ["method", "route"]
)
COMMENTS_RECEIVED = Counter(
    "moderation_comments_received",
    "Comments accepted by intake (202 or 303).",
    ["format", "enqueued"],
)
COMMENTS_DECIDED = Counter(
    "moderation_comments_decided", "Comments decided by the pipeline, by outcome.", ["status"]
)
DECISION_REASONS = Counter(
    "moderation_decision_reasons", "Reason codes of the pipeline's decisions.", ["status", "reason"]
)
DECISION_SECONDS = Histogram(
    "moderation_decision_seconds",
    "Time from submit to the pipeline's decision.",
    buckets=(0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600),
)
BATCH_SIZE = Histogram(
    "moderation_classify_batch_size",
    "Pending comments per classify micro-batch.",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
BATCH_SECONDS = Histogram(
    "moderation_classify_batch_seconds",
    "Time to classify and decide one micro-batch.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
TOXICITY_BATCH_SIZE = Histogram(
    "moderation_toxicity_batch_size",
    "Comments per toxicity model call.",
    ["model"],
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
TOXICITY_SECONDS = Histogram(
    "moderation_toxicity_seconds",
    "Time of one toxicity model call (a batch).",
    ["model"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
CLASSIFY_RETRIES = Counter(
    "moderation_classify_retries",
    "Comments whose classification failed, by what happened next.",
    ["outcome"],
)
SWEEPER_RESENT = Counter(
    "moderation_sweeper_resent", "Pending comments the sweeper sent to the workers again."
)
WEBHOOK_DELIVERIES = Counter(
    "moderation_webhook_deliveries",
    "Webhook delivery attempts by outcome (delivered, retried, failed, refused, cancelled).",
    ["event", "outcome"],
)
APPEALS = Counter(
    "moderation_appeals", "Appeals of decisions by event (created, upheld, overturned).", ["event"]
)
WEBHOOK_DISABLED = Counter(
    "moderation_webhook_subscriptions_disabled",
    "Webhook subscriptions disabled after repeated failed deliveries.",
)


def record_decision(status: str, reasons: list[str], submitted_seconds_ago: float | None) -> None:
    """Count one pipeline decision and how long the comment waited for it."""
    COMMENTS_DECIDED.labels(status=status).inc()
    for reason in reasons or ["NONE"]:
        # Reason codes are a closed set (policy and spam stage), so they are safe as labels.
        DECISION_REASONS.labels(status=status, reason=str(reason)[:40]).inc()
    if submitted_seconds_ago is not None:
        DECISION_SECONDS.observe(max(0.0, submitted_seconds_ago))


def record_batch(size: int, seconds: float) -> None:
    BATCH_SIZE.observe(size)
    BATCH_SECONDS.observe(seconds)


def record_toxicity(model: str, size: int, seconds: float) -> None:
    TOXICITY_BATCH_SIZE.labels(model=model).observe(size)
    TOXICITY_SECONDS.labels(model=model).observe(seconds)


class StateCollector:
    """Gauges read from the database and Redis at scrape time (needs an app context)."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        families: list = []
        up = GaugeMetricFamily(
            "moderation_dependency_up",
            "1 when the dependency answered this scrape.",
            labels=["dependency"],
        )
        up.add_metric(["database"], self._database_ok(families))
        up.add_metric(["redis"], self._redis_ok(families))
        yield up
        yield from families
        yield from self._webhooks()
        yield from self._appeals()

    def _appeals(self):
        from service.extensions import db
        from service.models import Appeal, AppealStatus, utcnow

        try:
            count, oldest = db.session.execute(
                db.select(func.count(Appeal.id), func.min(Appeal.created_at)).where(
                    Appeal.status == AppealStatus.OPEN
                )
            ).one()
            db.session.rollback()
        except Exception:  # the database is down: moderation_dependency_up says so
            db.session.rollback()
            return
        yield GaugeMetricFamily(
            "moderation_appeals_open", "Appeals waiting for a moderator.", value=count
        )
        yield GaugeMetricFamily(
            "moderation_appeals_oldest_age_seconds",
            "Age of the oldest open appeal (0 when none).",
            value=(utcnow() - oldest).total_seconds() if oldest else 0.0,
        )

    def _webhooks(self):
        from service.extensions import db
        from service.models import WebhookSubscription

        try:
            counts = dict(
                db.session.execute(
                    db.select(WebhookSubscription.active, func.count()).group_by(
                        WebhookSubscription.active
                    )
                ).all()
            )
            db.session.rollback()
        except Exception:  # the database is down: moderation_dependency_up says so
            db.session.rollback()
            return
        family = GaugeMetricFamily(
            "moderation_webhook_subscriptions",
            "Webhook subscriptions by state (disabled: failing).",
            labels=["state"],
        )
        family.add_metric(["active"], counts.get(True, 0))
        family.add_metric(["disabled"], counts.get(False, 0))
        yield family

    def _database_ok(self, families: list) -> int:
        from service.domain.queues import queue_filter
        from service.extensions import db
        from service.models import Comment, Status, utcnow

        try:
            row = db.session.execute(
                db.select(
                    *[func.sum(case((queue_filter(q, False), 1), else_=0)) for q in WAITING_QUEUES],
                    func.min(case((Comment.status == Status.HELD, Comment.created_at))),
                    func.min(case((Comment.status == Status.PENDING, Comment.created_at))),
                ).where(
                    or_(
                        Comment.status.in_([Status.HELD, Status.PENDING, Status.SPAM]),
                        Comment.reported.is_(True),
                    )
                )
            ).one()
            db.session.rollback()  # end the read transaction: a scrape holds no locks
        except Exception as exc:  # any driver error: report the database as down
            db.session.rollback()
            self.app.logger.warning("metrics.database_unavailable", extra={"error": str(exc)[:200]})
            return 0
        sizes = GaugeMetricFamily(
            "moderation_review_queue_comments",
            "Comments in each moderation queue.",
            labels=["queue"],
        )
        for queue, count in zip(WAITING_QUEUES, row[: len(WAITING_QUEUES)], strict=True):
            sizes.add_metric([queue], int(count or 0))
        ages = GaugeMetricFamily(
            "moderation_oldest_comment_age_seconds",
            "Age of the oldest comment in a status (0 when none).",
            labels=["status"],
        )
        now = utcnow()
        for status, oldest in (("held", row[-2]), ("pending", row[-1])):
            ages.add_metric([status], (now - oldest).total_seconds() if oldest else 0.0)
        families += [sizes, ages]
        return 1

    def _redis_ok(self, families: list) -> int:
        from service.worker_status import active_models

        url = self.app.config["REDIS_URL"]
        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2)
            pipe = client.pipeline(transaction=False)
            for queue in CELERY_QUEUES:
                for suffix in PRIORITY_SUFFIXES:
                    pipe.llen(queue + suffix)
            pipe.hlen("unacked")
            lengths = pipe.execute()
        except redis.RedisError as exc:
            self.app.logger.warning("metrics.redis_unavailable", extra={"error": str(exc)[:200]})
            return 0
        depth = GaugeMetricFamily(
            "moderation_celery_queue_length",
            "Messages waiting in each Celery queue (Redis lists).",
            labels=["queue"],
        )
        step = len(PRIORITY_SUFFIXES)
        for i, queue in enumerate(CELERY_QUEUES):
            depth.add_metric([queue], sum(lengths[i * step : (i + 1) * step]))
        unacked = GaugeMetricFamily(
            "moderation_celery_unacked_messages",
            "Messages workers hold but have not acknowledged yet.",
            value=lengths[-1],
        )
        info = InfoMetricFamily(
            "moderation_toxicity_model",
            "The toxicity model each live worker runs.",
            labels=["worker", "name", "version", "offline_fallback"],
        )
        status = active_models(url)
        for model in status.get("models", []):
            info.add_metric(
                [
                    str(model.get("worker", "")),
                    str(model.get("name", "")),
                    str(model.get("version", "")),
                    str(bool(model.get("offline_fallback"))).lower(),
                ],
                {},
            )
        fallback = GaugeMetricFamily(
            "moderation_toxicity_offline_fallback_workers",
            "Workers running the offline fallback model instead of Detoxify.",
            value=sum(1 for m in status.get("models", []) if m.get("offline_fallback")),
        )
        families += [depth, unacked, info, fallback]
        return 1


class _ProcessMetrics:
    """This process's own metrics, or every process's when they share a directory."""

    def collect(self):
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
            yield from registry.collect()
        else:
            yield from REGISTRY.collect()


def exposition(app: Flask | None = None, accept: str | None = None) -> tuple[bytes, str]:
    """Render the metrics in the format Prometheus asked for; with app, add scrape-time gauges."""
    registry = CollectorRegistry()
    registry.register(_ProcessMetrics())
    if app is not None:
        registry.register(StateCollector(app))
    encoder, content_type = choose_encoder(accept)
    return encoder(registry), content_type


bp = Blueprint("metrics", __name__)


@bp.get("/metrics")
def metrics_view():
    """Serve the metrics to Prometheus."""
    if current_app.config["METRICS_TOKEN"] and not has_ops_token():
        abort(401)
    body, content_type = exposition(current_app, request.headers.get("Accept"))
    return Response(body, content_type=content_type)


METRICS_OPERATION = {
    "get": {
        "summary": "Serve the metrics to Prometheus (text exposition format).",
        "tags": ["health"],
        "security": [{}, {"bearer": []}],  # none while METRICS_TOKEN is unset
        "description": "Open while METRICS_TOKEN is unset; else `Authorization: Bearer "
        "<METRICS_TOKEN>`.",
        "responses": {
            "200": {
                "description": "Prometheus text exposition format (or OpenMetrics).",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            },
            "401": {
                "description": "METRICS_TOKEN is set and was not sent.",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        },
    }
}


def init_app(app: Flask) -> None:
    """Time and count every request, and serve /metrics (a plain Flask view, documented here)."""

    @app.before_request
    def start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def count_request(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            route = request.url_rule.rule if request.url_rule else "<unmatched>"
            HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
            HTTP_SECONDS.labels(request.method, route).observe(time.perf_counter() - started)
        return response

    app.register_blueprint(bp)
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == "metrics.metrics_view")
    rest_api.spec.path(rule=rule, operations=METRICS_OPERATION)


def serve_worker_metrics(port: int) -> None:
    """Serve this worker host's metrics on their own port (a worker has no web server)."""
    from prometheus_client import start_http_server

    registry = CollectorRegistry()
    registry.register(_ProcessMetrics())
    start_http_server(port, addr="0.0.0.0", registry=registry)
