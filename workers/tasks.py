"""Celery tasks: classify comments in micro-batches, sweep lost work, learn from feedback."""

import logging
from datetime import timedelta

from celery import shared_task
from celery_batches import Batches
from flask import current_app
from sqlalchemy import select, update

from service import domain, metrics
from service.extensions import celery, db
from service.models import Comment, SpamFeedback, SpamModelState, Status, utcnow
from service.queue import CLASSIFY_TASK, LEARN_TASK, SWEEP_TASK, TASK_QUEUES, send
from workers import pipeline
from workers.classifiers.spam import SpamInput, SpamModel
from workers.classifiers.spam.learned import capped_weights

log = logging.getLogger(__name__)


class FlaskBatches(Batches):
    """A Batches task that runs inside the Flask app context like every other task.

    Its batch size, flush interval and time limit are the app's settings, read when used.
    """

    def __call__(self, *args, **kwargs):
        with celery.flask_app.app_context():
            return self.run(*args, **kwargs)

    @property
    def flush_every(self) -> int:
        return int(celery.flask_app.config["CLASSIFY_BATCH_SIZE"])

    @property
    def flush_interval(self) -> float:
        return float(celery.flask_app.config["CLASSIFY_FLUSH_INTERVAL_S"])

    @property
    def soft_time_limit(self) -> int:
        return int(celery.flask_app.config["CLASSIFY_TIME_LIMIT_S"])


@shared_task(
    base=FlaskBatches, name=CLASSIFY_TASK, queue=TASK_QUEUES[CLASSIFY_TASK], acks_late=True
)
def classify_comment(requests):
    """Classify the comments of a micro-batch (one message per comment id)."""
    ids = sorted({int(request.args[0]) for request in requests})
    # The API request that accepted each comment (a message header), for the worker's logs.
    request_ids = {
        int(request.args[0]): (request.request_dict or {}).get("request_id") for request in requests
    }
    log.info("classify.batch", extra={"size": len(ids)})
    try:
        pipeline.classify_batch(ids, request_ids)
        return
    except Exception:
        db.session.rollback()
        log.exception("classify.batch_failed", extra={"comment_ids": ids})
    # One bad comment must not sink its batch: try each alone, retry the failures later.
    for comment_id in ids:
        try:
            pipeline.classify_batch([comment_id], request_ids)
        except Exception as exc:
            db.session.rollback()
            retry_later(comment_id, exc)


def retry_later(comment_id: int, exc: Exception) -> None:
    """Re-send with backoff, or hold for a human after the last attempt."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.status != Status.PENDING:
        return
    comment.attempts += 1
    if comment.attempts >= current_app.config["CLASSIFY_MAX_ATTEMPTS"]:
        log.error("classify.gave_up", extra={"comment_id": comment_id, "error": str(exc)[:200]})
        metrics.CLASSIFY_RETRIES.labels("gave_up").inc()
        db.session.commit()
        domain.hold_unclassifiable(comment_id, f"{type(exc).__name__}: {exc}")
        return
    comment.enqueued_at = utcnow()
    db.session.commit()
    log.warning("classify.retry", extra={"comment_id": comment_id, "attempt": comment.attempts})
    metrics.CLASSIFY_RETRIES.labels("retry").inc()
    send(CLASSIFY_TASK, [comment_id], countdown=min(2**comment.attempts, 60))


@shared_task(name=SWEEP_TASK, queue=TASK_QUEUES[SWEEP_TASK], ignore_result=True)
def sweep_pending(limit: int = 1000) -> int:
    """Re-send comments left pending too long: the database, not the broker, is the truth."""
    config = current_app.config
    cutoff = utcnow() - timedelta(seconds=config["SWEEP_PENDING_AFTER_S"])
    stale = db.session.scalars(
        select(Comment)
        .where(
            Comment.status == Status.PENDING,
            Comment.enqueued_at.is_(None) | (Comment.enqueued_at < cutoff),
        )
        .order_by(Comment.id)
        .limit(limit)
    ).all()
    resent = 0
    for comment in stale:
        comment.attempts += 1
        if comment.attempts > config["CLASSIFY_MAX_ATTEMPTS"]:
            db.session.commit()
            domain.hold_unclassifiable(comment.id, "still pending after every attempt")
            continue
        if not send(CLASSIFY_TASK, [comment.id]):
            db.session.rollback()
            break  # broker still down: try again on the next sweep
        comment.enqueued_at = utcnow()
        db.session.commit()
        resent += 1
    if resent:
        log.warning("sweeper.resent", extra={"count": resent})
        metrics.SWEEPER_RESENT.inc(resent)
    return resent


# The feedback a site's model is fitted on: its most recent decisions.
MAX_FEEDBACK = 20_000
# One source (a server key, a moderator's token) or one burst of it (its feedback within an
# hour) weighs at most as much as all other feedback together, or this many decisions if more:
# a leaked key or a scripted flood cannot rewrite what the site's moderators taught.
SOURCE_FLOOR = 200
BURST_FLOOR = 100
SOURCE_SHARE = 1.0


def feedback_weights(feedback: list[SpamFeedback]) -> list[float]:
    """Return each decision's training weight, capped per source and per burst of a source."""
    sources = [f.source for f in feedback]
    bursts = [f"{f.source}@{f.created_at:%Y-%m-%dT%H}" for f in feedback]
    by_source = capped_weights(sources, floor=SOURCE_FLOOR, share=SOURCE_SHARE)
    by_burst = capped_weights(bursts, floor=BURST_FLOOR, share=SOURCE_SHARE)
    weights = [a * b for a, b in zip(by_source, by_burst, strict=True)]
    mean = sum(weights) / len(weights)
    return [w / mean for w in weights]


def train_site_model(site_id: int, relearn: bool = False) -> tuple[SpamModel, int] | None:
    """Fit a site's spam model on its recent feedback; None if nothing new came since the last
    (unless relearn: a label was withdrawn)."""
    feedback = db.session.scalars(
        select(SpamFeedback)
        .where(SpamFeedback.site_id == site_id)
        .order_by(SpamFeedback.id.desc())
        .limit(MAX_FEEDBACK)
    ).all()
    if not relearn and all(f.learned for f in feedback):
        return None  # a burst queues many learn tasks: the first one learned it all
    if not feedback:  # the last label was withdrawn: an untrained model, the defaults decide
        return SpamModel.fit([], []), 0
    # The model learns from the author fields and fired signals too, not the text alone.
    examples = [
        SpamInput(site_id=site_id, article_id=None, body=f.text, **(f.fields or {}))
        for f in feedback
    ]
    model = SpamModel.fit(examples, [f.is_spam for f in feedback], feedback_weights(feedback))
    return model, feedback[0].id


@shared_task(
    name=LEARN_TASK,
    queue=TASK_QUEUES[LEARN_TASK],
    ignore_result=True,
    bind=True,
    max_retries=5,
    default_retry_delay=2,
)
def learn_spam(self, site_id: int, relearn: bool = False) -> int:
    """Refit a site's spam model when feedback came that it has not learned from yet, or one
    was withdrawn (relearn)."""
    trained = train_site_model(site_id, relearn)
    if trained is None:
        return 0
    model, last_id = trained
    state = db.session.get(SpamModelState, site_id)
    if state is None:
        db.session.add(
            SpamModelState(
                site_id=site_id, state=model.to_bytes(), examples=model.examples, version=1
            )
        )
    else:
        # Optimistic: if another worker saved meanwhile, start over with its feedback too.
        saved = db.session.execute(
            update(SpamModelState)
            .where(SpamModelState.site_id == site_id, SpamModelState.version == state.version)
            .values(
                state=model.to_bytes(),
                examples=model.examples,
                version=state.version + 1,
                updated_at=utcnow(),
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if not saved:
            db.session.rollback()
            raise self.retry()
    learned = db.session.execute(
        update(SpamFeedback)
        .where(
            SpamFeedback.site_id == site_id,
            SpamFeedback.id <= last_id,
            SpamFeedback.learned.is_(False),
        )
        .values(learned=True)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    log.info("spam.model_trained", extra={"site_id": site_id, "examples": model.examples})
    return learned
