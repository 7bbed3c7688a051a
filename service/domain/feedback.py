"""Spam labels the site's learned model trains on: from moderators and compatible API clients."""

from service.domain.actors import Actor
from service.domain.audit import record_event
from service.extensions import db
from service.models import Action, Comment, SpamFeedback
from service.queue import LEARN_TASK, send


def add_label(comment: Comment, is_spam: bool, actor: Actor) -> None:
    """Add a moderator's label of comment; the caller commits, then calls learn()."""
    db.session.add(
        SpamFeedback(
            site_id=comment.site_id,
            comment_id=comment.id,
            is_spam=is_spam,
            source=f"moderator:{actor.key_id}",
            text=comment.body,
            fields=comment.author_fields(),
        )
    )


def learn(site_id: int, relearn: bool = False) -> None:
    """Have a worker train the site's model; broker down: the next label or decision sends it.
    relearn: train even if it learned every label there is (one was withdrawn)."""
    send(LEARN_TASK, [site_id, relearn])


def withdraw_label(comment_id: int, is_spam: bool) -> bool:
    """Delete the comment's latest label if it is a moderator's `is_spam`; return whether it was.
    The caller commits, then calls learn(site_id, relearn=True)."""
    latest = _latest(comment_id)
    if (
        latest is None
        or latest.is_spam is not is_spam
        or not latest.source.startswith("moderator:")
    ):
        return False
    db.session.delete(latest)
    return True


def _latest(comment_id: int) -> SpamFeedback | None:
    return db.session.scalar(
        db.select(SpamFeedback)
        .where(SpamFeedback.comment_id == comment_id)
        .order_by(SpamFeedback.id.desc())
        .limit(1)
    )


def latest_label(comment_id: int) -> bool | None:
    """Return the comment's latest spam label (True: spam), None if it has none."""
    latest = _latest(comment_id)
    return None if latest is None else latest.is_spam


def record_spam_feedback(comment: Comment, is_spam: bool, actor: Actor) -> Comment:
    """Label a comment spam or not spam for the site's model, unless that is its latest label."""
    if latest_label(comment.id) is is_spam:
        return comment  # said already: the model must not learn the same label twice
    add_label(comment, is_spam, actor)
    record_event(
        comment.id,
        actor,
        Action.SPAM_FEEDBACK,
        comment.status,
        comment.status,
        reason="spam" if is_spam else "not spam",
    )
    db.session.commit()
    learn(comment.site_id)
    return comment


def record_spam_submission(
    site_id: int, is_spam: bool, source: str, text: str, fields: dict[str, str]
) -> None:
    """Record a label a compatible client submitted for a text it holds (no comment here)."""
    # The source names the key: the learn task caps how much one key can move the model.
    db.session.add(
        SpamFeedback(site_id=site_id, is_spam=is_spam, source=source, text=text, fields=fields)
    )
    db.session.commit()
    learn(site_id)
