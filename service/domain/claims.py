"""Claims: a moderator reserves a comment for review so that others skip it for a while."""

from datetime import timedelta

from sqlalchemy import update

from service.domain.actors import Actor
from service.domain.audit import record_event
from service.domain.errors import ClaimedByOther, NotClaimant
from service.extensions import db
from service.models import Action, Comment, utc_iso, utcnow


def claimed_by_other(comment: Comment, actor: Actor) -> bool:
    return bool(
        comment.claimed_by
        and comment.claimed_by != actor.name
        and comment.claimed_until
        and comment.claimed_until > utcnow()
    )


def claimed_message(comment: Comment) -> str:
    return f"Claimed by {comment.claimed_by} until {utc_iso(comment.claimed_until)}."


def check_not_claimed_by_other(comment: Comment, actor: Actor) -> None:
    if claimed_by_other(comment, actor):
        raise ClaimedByOther(claimed_message(comment))


def claim(comment: Comment, actor: Actor, ttl_s: float) -> Comment:
    """Claim a comment for ttl_s seconds, unless another moderator holds a live claim."""
    now = utcnow()
    # Conditional, so two moderators claiming at once cannot both win.
    result = db.session.execute(
        update(Comment)
        .where(
            Comment.id == comment.id,
            Comment.claimed_by.is_(None)
            | (Comment.claimed_by == actor.name)
            | (Comment.claimed_until < now),
        )
        .values(claimed_by=actor.name, claimed_until=now + timedelta(seconds=ttl_s))
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        db.session.refresh(comment)
        raise ClaimedByOther(claimed_message(comment))
    record_event(comment.id, actor, Action.CLAIM, comment.status, comment.status)
    db.session.commit()
    db.session.refresh(comment)
    return comment


def release(comment: Comment, actor: Actor) -> Comment:
    """Release a claim: the claimant's own, or anyone's by an admin."""
    if claimed_by_other(comment, actor) and not actor.is_admin:
        raise NotClaimant(f"Only {comment.claimed_by} or an admin can release this claim.")
    comment.claimed_by = None
    comment.claimed_until = None
    db.session.commit()
    return comment
