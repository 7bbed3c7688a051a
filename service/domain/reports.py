"""Readers' reports of a comment dismissed by a moderator, or reopened (undo), status unchanged."""

from sqlalchemy import update

from service.domain.actors import Actor
from service.domain.audit import record_event
from service.domain.claims import check_not_claimed_by_other
from service.domain.decisions import MODERATOR_ACTIONS
from service.domain.errors import InvalidTransition, StaleVersion
from service.extensions import db
from service.models import Action, Comment, Flag, ModerationEvent, Status, utcnow

# Events after which a report is a new one: decisions and earlier dismissals.
ENDS_REPORTS = (*MODERATOR_ACTIONS, Action.DISMISS_REPORTS)


def _bump(comment: Comment, version: int, reported: bool, now) -> None:
    """Flip the comment's reported mark if nobody changed it since `version` was read."""
    result = db.session.execute(
        update(Comment)
        .where(
            Comment.id == comment.id, Comment.version == version, Comment.reported.is_(not reported)
        )
        .values(reported=reported, version=Comment.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(comment)
        if comment.version != version:
            raise StaleVersion(
                f"Comment {comment.id} changed since version {version} was read: it is now "
                f"{comment.status} at version {comment.version}.",
                errors={"current": {"status": comment.status, "version": comment.version}},
            )
        raise InvalidTransition(
            f"Comment {comment.id} has no open reports."
            if not reported
            else f"Comment {comment.id}'s reports are open already."
        )


def dismiss_reports(comment: Comment, version: int, actor: Actor) -> Comment:
    """Resolve the open reports of a comment; its status stays as it is."""
    check_not_claimed_by_other(comment, actor)
    now = utcnow()
    _bump(comment, version, reported=False, now=now)
    db.session.execute(
        update(Flag)
        .where(Flag.comment_id == comment.id, Flag.resolved.is_(False))
        .values(resolved=True)
    )
    record_event(comment.id, actor, Action.DISMISS_REPORTS, comment.status, comment.status)
    db.session.commit()
    db.session.refresh(comment)
    return comment


def reopen_reports(comment: Comment, version: int, actor: Actor) -> Comment:
    """Undo the latest dismissal: the reports it resolved are open again."""
    check_not_claimed_by_other(comment, actor)
    events = db.session.execute(
        db.select(ModerationEvent.action, ModerationEvent.created_at)
        .where(ModerationEvent.comment_id == comment.id, ModerationEvent.action.in_(ENDS_REPORTS))
        .order_by(ModerationEvent.id.desc())
        .limit(2)
    ).all()
    if not events or events[0].action != Action.DISMISS_REPORTS:
        raise InvalidTransition(
            f"Comment {comment.id}'s latest decision is not a dismissal of "
            "its reports; there is nothing to reopen."
        )
    if comment.status not in (Status.APPROVED, Status.HELD):
        raise InvalidTransition(
            f"Comment {comment.id} is {comment.status}: only a published or "
            "held comment has reports to review."
        )
    # The reports the dismissal resolved: those made since the decision before it.
    since = events[1].created_at if len(events) > 1 else None
    now = utcnow()
    _bump(comment, version, reported=True, now=now)
    reopened = update(Flag).where(
        Flag.comment_id == comment.id,
        Flag.resolved.is_(True),
        Flag.created_at <= events[0].created_at,
    )
    if since is not None:
        reopened = reopened.where(Flag.created_at > since)
    db.session.execute(reopened.values(resolved=False))
    record_event(
        comment.id, actor, Action.REOPEN_REPORTS, comment.status, comment.status, reason="Undo"
    )
    db.session.commit()
    db.session.refresh(comment)
    return comment
