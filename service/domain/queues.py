"""Which comments are in a review queue, and which carry a reason: the predicates the review
API, the review page's context and the metrics all count with."""

from sqlalchemy import String, cast

from service.models import Comment, Status

# The queues a moderator can list: statuses, and "reported" (published or held, with open flags).
REVIEW_QUEUES = ("held", "reported", "pending", "approved", "rejected", "spam")


def queue_filter(queue: str, include_discarded: bool):
    if queue == "reported":
        return Comment.reported.is_(True) & Comment.status.in_([Status.APPROVED, Status.HELD])
    condition = Comment.status == queue
    if queue == "spam" and not include_discarded:
        condition = condition & Comment.discarded.is_(False)
    return condition


def has_reason(code: str):
    """Match a whole reason code (LINK is not LINKS); a code without `:` also names its family
    (TOXIC matches TOXIC:insult)."""
    # Reasons are a JSON list; matching its text works the same on SQLite and PostgreSQL.
    # LIKE's wildcards in a code are meant literally: SUSPECT_WORD must not match SUSPECTXWORD.
    literal = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    text = cast(Comment.reasons, String)
    whole = text.like(f'%"{literal}"%', escape="\\")
    if ":" in code:
        return whole
    return whole | text.like(f'%"{literal}:%', escape="\\")
