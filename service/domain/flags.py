"""A reader's report of a published comment: it joins the review API's reported queue."""

from service import webhooks
from service.domain.actors import READER
from service.domain.audit import record_event
from service.domain.errors import InvalidTransition, NotFound
from service.extensions import db
from service.models import Action, Comment, Flag, Status
from workers.classifiers.reasons import Reason


def flag(site_id: int, comment_id: int, reason: str, note: str, reporter: str) -> Flag:
    """Record one reader's report of a published comment of the site (one per reporter)."""
    comment = db.session.get(Comment, comment_id)
    if comment is None or comment.site_id != site_id or comment.status != Status.APPROVED:
        raise NotFound("No published comment with that id on this site.")
    already = db.session.scalar(
        db.select(Flag.id).where(Flag.comment_id == comment.id, Flag.reporter == reporter)
    )
    if already:
        raise InvalidTransition("You have already reported this comment.")
    report = Flag(comment_id=comment.id, reason=reason, note=note, reporter=reporter)
    db.session.add(report)
    comment.reported = True
    if Reason.REPORTED not in comment.reasons:  # the review API's reason filter finds it
        comment.reasons = [*comment.reasons, Reason.REPORTED]
    comment.flag_count += 1
    comment.refresh_priority()
    record_event(
        comment.id,
        READER,
        Action.FLAG,
        comment.status,
        comment.status,
        reason=reason,
        reasons=[Reason.REPORTED],
    )
    webhooks.emit(site_id, webhooks.Event.COMMENT_REPORTED, comment, flag_reason=reason)
    db.session.commit()
    return report
