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


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def by_author(author: str):
    """Match an author by email (indexed per site) or by the exact name they gave."""
    email = author.strip()
    return Comment.author_email.in_({email, email.lower()}) | (Comment.author_name == author)


def containing(text: str):
    """Match comments whose text contains `text`, case aside: a scan of the filtered rows (LIKE
    with a leading wildcard uses no index), bounded by the term's length limit and the page."""
    return Comment.body.ilike(f"%{escape_like(text)}%", escape="\\")


def has_reason(code: str):
    """Match a whole reason code (LINK is not LINKS); a code without `:` also names its family
    (TOXIC matches TOXIC:insult)."""
    # Reasons are a JSON list; matching its text works the same on SQLite and PostgreSQL.
    # LIKE's wildcards in a code are meant literally: SUSPECT_WORD must not match SUSPECTXWORD.
    literal = escape_like(code)
    text = cast(Comment.reasons, String)
    whole = text.like(f'%"{literal}"%', escape="\\")
    if ":" in code:
        return whole
    return whole | text.like(f'%"{literal}:%', escape="\\")


def narrowed(query, args: dict):
    """Apply a queue listing's optional filters (article, label, reason, author, text)."""
    if "article_id" in args:
        query = query.where(Comment.article_id == args["article_id"])
    if "label" in args:
        query = query.where(has_reason(f"TOXIC:{args['label']}"))
    if "reason" in args:
        query = query.where(has_reason(args["reason"]))
    if "author" in args:
        query = query.where(by_author(args["author"]))
    if "q" in args:
        query = query.where(containing(args["q"]))
    return query
