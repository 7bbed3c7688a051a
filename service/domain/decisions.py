"""A moderator's decision: approve, reject, mark as spam, delete or hold, under an optimistic
lock."""

from sqlalchemy import update

from service import webhooks
from service.domain import feedback
from service.domain.actors import Actor
from service.domain.audit import lift_replies, record_event, status_event
from service.domain.claims import check_not_claimed_by_other
from service.domain.errors import StaleVersion
from service.extensions import db
from service.models import Action, Comment, Flag, Status, utcnow

# A moderator's action, as the API names it and the audit trail records it, and its status.
# "hold" puts a comment back before a decision: undo from the Held and Pending queues.
MODERATOR_ACTIONS = {
    Action.APPROVE: Status.APPROVED,
    Action.REJECT: Status.REJECTED,
    Action.SPAM: Status.SPAM,
    Action.DELETE: Status.DELETED,
    Action.HOLD: Status.HELD,
}
FINAL_DECISIONS = (Action.APPROVE, Action.REJECT, Action.SPAM, Action.DELETE)  # all but a hold


def set_decided_status(comment_id: int, version: int, to_status: Status) -> bool:
    """Give the comment a person's decision if it is still at `version`; return whether it was.

    The version check and the update are one statement, so two moderators cannot both win."""
    now = utcnow()
    updated = db.session.execute(
        update(Comment)
        .where(Comment.id == comment_id, Comment.version == version)
        .values(
            status=to_status,
            version=Comment.version + 1,
            decided_at=now,
            updated_at=now,
            reported=False,
            claimed_by=None,
            claimed_until=None,
            discarded=False,
        )
        .execution_options(synchronize_session=False)
    )
    return updated.rowcount == 1


def teaches(from_status: Status, to_status: Status, spam_score: float | None) -> bool:
    """Say whether a decision labels the comment for the site's model: spam, and spam or
    spam-scored comments approved."""
    return to_status == Status.SPAM or (
        to_status == Status.APPROVED and (from_status == Status.SPAM or bool(spam_score))
    )


def moderate(comment: Comment, action: str, reason: str, version: int, actor: Actor) -> Comment:
    """Apply a moderator's decision if nobody changed the comment since `version` was read."""
    check_not_claimed_by_other(comment, actor)
    to_status = MODERATOR_ACTIONS[action]
    from_status = comment.status
    # The moderator's decision that set the status, which a hold undoes.
    undone = status_event(comment, MODERATOR_ACTIONS) if action == Action.HOLD else None
    if not set_decided_status(comment.id, version, to_status):
        db.session.rollback()
        current = db.session.get(Comment, comment.id)
        db.session.refresh(current)
        raise StaleVersion(
            f"Comment {comment.id} changed since version {version} was read: it is "
            f"now {current.status} at version {current.version}.",
            errors={"current": {"status": current.status, "version": current.version}},
        )
    db.session.execute(update(Flag).where(Flag.comment_id == comment.id).values(resolved=True))
    if from_status == Status.APPROVED and to_status != Status.APPROVED:
        lift_replies(comment.id)
    record_event(comment.id, actor, action, from_status, to_status, reason=reason)
    learn = teaches(from_status, to_status, comment.spam_score)
    if learn:
        feedback.add_label(comment, to_status == Status.SPAM, actor)
    # A hold undoes a decision (a misclick, most often): the label it gave is withdrawn.
    relearn = (
        undone is not None
        and teaches(undone.from_status, from_status, comment.spam_score)
        and feedback.withdraw_label(comment.id, from_status == Status.SPAM)
    )
    webhooks.decided(comment, to_status, by="moderator")
    db.session.commit()
    if learn or relearn:
        feedback.learn(comment.site_id, relearn=relearn)
    db.session.refresh(comment)
    return comment
