"""Appeals: an author contests the decision that keeps their comment from the public, once, and
a moderator other than the one who made that decision upholds or overturns it."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from service import metrics, webhooks
from service.domain import feedback
from service.domain.actors import AUTHOR, Actor
from service.domain.audit import record_event, status_event
from service.domain.decisions import MODERATOR_ACTIONS, set_decided_status
from service.domain.erasure import ERASED
from service.domain.errors import InvalidTransition, LimitReached, NotAllowed, StaleVersion
from service.extensions import db
from service.models import Action, Appeal, AppealStatus, Comment, ModerationEvent, Status, utcnow

OUTCOMES = {"upheld": AppealStatus.UPHELD, "overturned": AppealStatus.OVERTURNED}
# Held comments can be appealed as well: a spam verdict reads as held to its author, so
# refusing held comments would tell a spammer which of theirs the spam stage caught.
APPEALABLE = (Status.HELD, Status.SPAM, Status.REJECTED, Status.DELETED)
# The audit events that set a comment's status: the last one names who made the decision.
DECIDING_ACTIONS = (Action.CLASSIFY, *MODERATOR_ACTIONS, Action.APPEAL_OVERTURNED)
MAX_NOTE = 1000
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class AppealLimits:
    """How many appeals the queue takes: per author, per site and hour, of spam verdicts."""

    open_per_author: int = 3
    per_site_hour: int = 60
    spam_per_site_hour: int = 10


def deciding_event(comment: Comment) -> ModerationEvent | None:
    """Return the audit event that set the comment's current status, if any."""
    return status_event(comment, DECIDING_ACTIONS)


def appeal_of(comment_id: int) -> Appeal | None:
    return db.session.scalar(db.select(Appeal).where(Appeal.comment_id == comment_id))


def check_limits(
    comment: Comment, requester: str, spam_flagged: bool, limits: AppealLimits
) -> None:
    """Refuse an appeal over the caps, so that no author or spam run can flood the queue."""
    same_author = Appeal.requester == requester
    if comment.author_email:
        same_author = same_author | (Comment.author_email == comment.author_email)
    open_by_author = db.session.scalar(
        db.select(func.count(Appeal.id))
        .join(Comment, Comment.id == Appeal.comment_id)
        .where(Appeal.site_id == comment.site_id, Appeal.status == AppealStatus.OPEN, same_author)
    )
    if open_by_author >= limits.open_per_author:
        raise LimitReached(
            f"You have {open_by_author} appeals waiting for a moderator on this "
            "site; wait for their outcome before appealing again."
        )
    since = utcnow() - HOUR
    recent, recent_spam = db.session.execute(
        db.select(
            func.count(Appeal.id),
            func.coalesce(func.sum(db.case((Appeal.spam_flagged.is_(True), 1), else_=0)), 0),
        ).where(Appeal.site_id == comment.site_id, Appeal.created_at > since)
    ).one()
    spam_full = spam_flagged and recent_spam >= limits.spam_per_site_hour
    if recent >= limits.per_site_hour or spam_full:
        raise LimitReached("This site receives too many appeals right now; try again in an hour.")


def appeal(comment: Comment, note: str, requester: str, limits: AppealLimits) -> Appeal:
    """File the author's one appeal of the decision that keeps comment from the public."""
    if comment.status not in APPEALABLE or comment.body == ERASED:
        now = "published" if comment.status == Status.APPROVED else "still being checked"
        raise InvalidTransition(
            f"Only a comment kept from the public can be appealed; this one is {now}."
        )
    existing = appeal_of(comment.id)
    if existing is not None:
        raise InvalidTransition(
            "This comment has been appealed already: a decision can be "
            f"appealed once (the appeal is {existing.status})."
        )
    spam_flagged = comment.status == Status.SPAM or comment.discarded
    check_limits(comment, requester, spam_flagged, limits)
    event = deciding_event(comment)
    human = event is not None and event.actor_id is not None
    filed = Appeal(
        site_id=comment.site_id,
        comment_id=comment.id,
        note=note[:MAX_NOTE],
        requester=requester,
        appealed_status=comment.status,
        decided_by=event.actor if human else "system",
        decided_by_id=event.actor_id if human else None,
        spam_flagged=spam_flagged,
    )
    db.session.add(filed)
    try:
        db.session.flush()
    except IntegrityError:  # a second appeal of the same comment, at the same moment
        db.session.rollback()
        raise InvalidTransition(
            "This comment has been appealed already: a decision can be appealed once."
        ) from None
    # The note stays in the appeal (the author's words); the audit trail says that it happened.
    record_event(
        comment.id,
        AUTHOR,
        Action.APPEAL,
        comment.status,
        comment.status,
        reason=f"appeal {filed.id}",
    )
    webhooks.emit(
        comment.site_id, webhooks.Event.APPEAL_CREATED, comment, appeal=appeal_fields(filed)
    )
    db.session.commit()
    metrics.APPEALS.labels(event="created").inc()
    return filed


def appeal_fields(filed: Appeal) -> dict:
    """What a webhook says of an appeal: ids and outcome, never the author's note."""
    return {"id": filed.id, "status": filed.status, "appealed_status": filed.appealed_status}


def check_reviewer(filed: Appeal, comment: Comment, actor: Actor) -> None:
    """Refuse the moderator who made the decision appealed (then or since) its appeal."""
    current = deciding_event(comment)
    deciders = {(filed.decided_by_id, filed.decided_by)}
    if current is not None and current.actor_id is not None:
        deciders.add((current.actor_id, current.actor))
    for key_id, name in deciders:
        if key_id is not None and (key_id == actor.key_id or name == actor.name):
            raise NotAllowed(
                f"{name} made the decision this appeal contests; another moderator "
                "must decide the appeal."
            )


def decide_appeal(filed: Appeal, outcome: str, reason: str, actor: Actor) -> Appeal:
    """Uphold the appealed decision, or overturn it and publish the comment."""
    if filed.status != AppealStatus.OPEN:
        raise InvalidTransition(
            f"Appeal {filed.id} was {filed.status} already by {filed.reviewer}."
        )
    comment = filed.comment
    check_reviewer(filed, comment, actor)
    status = OUTCOMES[outcome]
    now = utcnow()
    # Conditional: two moderators deciding the same appeal at once cannot both win.
    won = db.session.execute(
        update(Appeal)
        .where(Appeal.id == filed.id, Appeal.status == AppealStatus.OPEN)
        .values(
            status=status,
            reviewer=actor.name,
            reviewer_id=actor.key_id,
            reason=reason,
            decided_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    if won != 1:
        db.session.rollback()
        raise InvalidTransition(f"Appeal {filed.id} was decided by another moderator meanwhile.")
    from_status = comment.status
    if status == AppealStatus.OVERTURNED:
        publish(comment, actor, reason)
        is_spam = False
        learn = from_status == Status.SPAM or bool(comment.spam_score)
    else:
        record_event(
            comment.id, actor, Action.APPEAL_UPHELD, from_status, from_status, reason=reason
        )
        is_spam = True
        learn = from_status == Status.SPAM
    # The outcome is the final word on the comment: the site's spam model learns it.
    learn = learn and feedback.latest_label(comment.id) is not is_spam
    if learn:
        feedback.add_label(comment, is_spam, actor)
    db.session.flush()
    db.session.refresh(filed)
    webhooks.emit(
        comment.site_id, webhooks.Event.APPEAL_DECIDED, comment, appeal=appeal_fields(filed)
    )
    db.session.commit()
    metrics.APPEALS.labels(event=str(status)).inc()
    if learn:
        feedback.learn(comment.site_id)
    db.session.refresh(filed)
    return filed


def publish(comment: Comment, actor: Actor, reason: str) -> None:
    """Publish an overturned comment, whatever its version: the appeal is the last word."""
    from_status = comment.status
    if not set_decided_status(comment.id, comment.version, Status.APPROVED):
        db.session.rollback()
        raise StaleVersion(
            f"Comment {comment.id} changed while the appeal was decided; "
            "reload it and decide again."
        )
    record_event(
        comment.id, actor, Action.APPEAL_OVERTURNED, from_status, Status.APPROVED, reason=reason
    )
    webhooks.decided(comment, Status.APPROVED, by="moderator")
    db.session.refresh(comment)


def queue_order():
    """Open appeals oldest first, those of spam verdicts after every other."""
    return (Appeal.spam_flagged.asc(), Appeal.created_at.asc(), Appeal.id.asc())


def open_appeals_of_site(site_id: int | None):
    condition = Appeal.status == AppealStatus.OPEN
    return condition if site_id is None else condition & (Appeal.site_id == site_id)
