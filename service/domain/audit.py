"""The audit trail and what every transition shares: loading a comment, lifting its replies."""

from sqlalchemy import update
from sqlalchemy.orm import aliased

from service.domain.actors import Actor
from service.domain.errors import NotFound
from service.extensions import db
from service.models import Comment, ModerationEvent


def find_comment(comment_id: int) -> Comment:
    """Return the comment, or raise NotFound."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        raise NotFound(f"No comment {comment_id}.")
    return comment


def status_event(comment: Comment, actions) -> ModerationEvent | None:
    """Return the latest event among actions that set the comment's current status, if any."""
    return db.session.scalar(
        db.select(ModerationEvent)
        .where(
            ModerationEvent.comment_id == comment.id,
            ModerationEvent.action.in_(list(actions)),
            ModerationEvent.to_status == comment.status,
        )
        .order_by(ModerationEvent.id.desc())
        .limit(1)
    )


def record_event(
    comment_id: int,
    actor: Actor,
    action: str,
    from_status: str,
    to_status: str,
    reason: str = "",
    reasons: list[str] | None = None,
) -> None:
    """Add the audit event of one change; the caller's commit writes it with the change."""
    db.session.add(
        ModerationEvent(
            comment_id=comment_id,
            actor=actor.name,
            actor_id=actor.key_id,
            action=action,
            from_status=from_status,
            to_status=to_status,
            reason=reason,
            reasons=reasons or [],
        )
    )


def lift_replies(comment_id: int) -> None:
    """Hang a comment's replies under its own parent, as WordPress does when it deletes one: the
    comment is leaving the public thread, and its approved replies must not leave with it."""
    leaving = aliased(Comment)
    grandparent = db.select(leaving.parent_id).where(leaving.id == comment_id).scalar_subquery()
    db.session.execute(
        update(Comment)
        .where(Comment.parent_id == comment_id)
        .values(parent_id=grandparent)
        .execution_options(synchronize_session=False)
    )
