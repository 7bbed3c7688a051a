"""Erasure on request (GDPR): a person's comments anonymised, their audit trail kept."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import update

from service.domain.actors import Actor
from service.domain.audit import lift_replies, record_event
from service.domain.errors import StaleVersion
from service.extensions import db
from service.models import (
    Action,
    Appeal,
    Comment,
    Flag,
    ScoreFeedback,
    SpamFeedback,
    Status,
    utcnow,
)
from workers.classifiers.reasons import Reason

ERASED = "[erased]"
T = TypeVar("T")


def erase(
    comments: list[Comment],
    flags: list[Flag],
    feedback: list[SpamFeedback],
    scores: list[ScoreFeedback],
    actor: Actor,
    before_commit: Callable[[], T],
    author_rows: list = (),
) -> T:
    """Anonymise comments and blank the flag notes and feedback quoting them, and delete what
    moderators recorded about the author (author_rows: standings, notes), all or nothing.

    before_commit erases what lives outside the database, and its result is returned; if it
    raises, nothing is erased.
    """
    now = utcnow()
    for comment in comments:
        # Conditional on the version we read, like a moderator's decision: a decision racing
        # with the erasure makes the erasure fail (and be retried), never half-done.
        erased = db.session.execute(
            update(Comment)
            .where(Comment.id == comment.id, Comment.version == comment.version)
            .values(
                author_name="",
                author_email="",
                author_url="",
                body=ERASED,
                ip="",
                user_agent="",
                referrer="",
                signals={},
                spans=[],
                status=Status.DELETED,
                version=Comment.version + 1,
                updated_at=now,
                reported=False,
                claimed_by=None,
                claimed_until=None,
            )
            .execution_options(synchronize_session=False)
        ).rowcount
        if erased != 1:
            db.session.rollback()
            raise StaleVersion(
                f"Comment {comment.id} changed during the erasure; nothing was erased, try again."
            )
        lift_replies(comment.id)
        record_event(
            comment.id,
            actor,
            Action.ERASE,
            comment.status,
            Status.DELETED,
            reason="personal data erased on request",
            reasons=[Reason.ERASED],
        )
    # An appeal's note is the author's words about the erased comment.
    db.session.execute(
        update(Appeal)
        .where(Appeal.comment_id.in_([c.id for c in comments]))
        .values(note=ERASED)
        .execution_options(synchronize_session=False)
    )
    for row in author_rows:  # keyed by the email; a ban ends with the erasure
        db.session.delete(row)
    for report in flags:
        report.note = ""  # readers' notes may quote the erased text
        report.resolved = True
    for item in feedback:
        item.text, item.fields = ERASED, {}
        item.learned = True  # never train on the placeholder
    for item in scores:
        item.text = ERASED
    try:
        outside = before_commit()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return outside
