"""The automated decision on a pending comment: the classifiers' result written, once."""

import logging
from dataclasses import dataclass, field

from sqlalchemy import update

from service import metrics, webhooks
from service.domain.actors import SYSTEM
from service.domain.audit import record_event
from service.extensions import db
from service.models import Action, Comment, Status, utcnow
from workers.classifiers.reasons import Reason

log = logging.getLogger(__name__)

CLASSIFY_FAILED = Reason.CLASSIFY_FAILED


@dataclass
class Classification:
    """What the pipeline concluded about one comment: the policy's decision and its evidence."""

    status: Status
    reasons: list[str]
    discarded: bool
    spam_probability: float
    model_name: str
    model_version: str
    scores: dict[str, float] = field(default_factory=dict)
    spans: list[dict] = field(default_factory=list)  # {"begin", "end", "scores"} per sentence
    language: str = ""


def record_classification(
    comment: Comment, result: Classification, request_id: str | None = None
) -> bool:
    """Write the decision if the comment is still pending, with its one audit event.

    The caller commits: the pipeline writes a batch of comments in one transaction.
    """
    comment.scores, comment.spam_score = result.scores, result.spam_probability
    comment.refresh_priority()
    now = utcnow()
    # Conditional on status: a redelivered message or a second worker changes nothing.
    updated = db.session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.status == Status.PENDING)
        .values(
            status=result.status,
            reasons=result.reasons,
            scores=result.scores,
            spans=result.spans,
            spam_score=round(result.spam_probability, 4),
            discarded=result.discarded,
            language=result.language,
            model_name=result.model_name,
            model_version=result.model_version,
            priority=comment.priority,
            decided_at=now,
            updated_at=now,
            version=Comment.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated != 1:
        return False
    metrics.record_decision(
        result.status, result.reasons, (now - comment.created_at).total_seconds()
    )
    record_event(
        comment.id,
        SYSTEM,
        Action.CLASSIFY,
        Status.PENDING,
        result.status,
        reasons=result.reasons,
        reason=f"model={result.model_name}; spam={result.spam_probability:.2f}",
    )
    webhooks.decided(comment, result.status, result.reasons, discarded=result.discarded)
    log.info(
        "comment.classified",
        extra={
            "comment_id": comment.id,
            "status": str(result.status),
            "reasons": result.reasons,
            "model": result.model_name,
            "spam": round(result.spam_probability, 3),
            "request_id": request_id,
        },
    )
    return True


def hold_unclassifiable(comment_id: int, error: str) -> None:
    """After the last attempt, leave the comment to a human rather than pending forever."""
    updated = db.session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.status == Status.PENDING)
        .values(
            status=Status.HELD,
            reasons=[CLASSIFY_FAILED],
            decided_at=utcnow(),
            version=Comment.version + 1,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if updated:
        metrics.record_decision(Status.HELD, [CLASSIFY_FAILED], None)
        webhooks.decided(db.session.get(Comment, comment_id), Status.HELD, [CLASSIFY_FAILED])
        record_event(
            comment_id,
            SYSTEM,
            Action.CLASSIFY,
            Status.PENDING,
            Status.HELD,
            reasons=[CLASSIFY_FAILED],
            reason=error[:500],
        )
    db.session.commit()
