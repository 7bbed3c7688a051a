"""Queue listing: the review queues, one comment as moderators see it, and why it was held."""

from flask import current_app, g
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import func

from service.api.common import UTCDateTime, decode_cursor, encode_cursor
from service.api.moderation.access import (
    blp,
    load_comment,
    moderators,
    moderators_of_site_argument,
)
from service.api.moderation.evidence import matched_terms, priority_basis
from service.auth import Principal, check_site_access
from service.domain.queues import REVIEW_QUEUES, narrowed, queue_filter
from service.extensions import db
from service.models import Article, Comment, Status, utc_iso, utcnow
from service.site_settings import effective_settings


class QueueArgsSchema(Schema):
    queue = fields.String(load_default="held", validate=validate.OneOf(REVIEW_QUEUES))
    site_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    article_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    label = fields.String(
        validate=validate.Length(1, 40),
        metadata={"description": "Only comments with reason TOXIC:<label>."},
    )
    reason = fields.String(validate=validate.Length(1, 60))
    sort = fields.String(
        load_default="priority", validate=validate.OneOf(["priority", "oldest", "newest"])
    )
    limit = fields.Integer(validate=validate.Range(1, 200))
    cursor = fields.String()
    include_claimed = fields.Boolean(load_default=False)
    include_discarded = fields.Boolean(load_default=False)
    author = fields.String(
        validate=validate.Length(1, 245),
        metadata={"description": "An author's email, or the exact name."},
    )
    q = fields.String(
        validate=validate.Length(2, 100),
        metadata={"description": "Text the comment contains (case aside)."},
    )


class SpanSchema(Schema):
    begin = fields.Integer()
    end = fields.Integer()
    score = fields.Float()
    text = fields.String()


class MatchedTermSchema(Schema):
    code = fields.String(
        metadata={"description": "BANNED_WORD, SUSPECT_WORD, DISALLOWED_KEY or MODERATION_KEY"}
    )
    term = fields.String(metadata={"description": "The list entry, as the site lists it."})
    places = fields.List(
        fields.List(fields.Integer()),
        metadata={
            "description": "[begin, end] in the text (code points); none if it matched only "
            "folded (look-alikes, leetspeak) or in an author field."
        },
    )


class ReviewItemSchema(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    article = fields.Dict()
    parent_id = fields.Integer(allow_none=True)
    author = fields.Dict()
    author_history = fields.Dict(keys=fields.String(), values=fields.Integer())
    body = fields.String()
    status = fields.String()
    version = fields.Integer()
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    spam_score = fields.Float(allow_none=True)
    reasons = fields.List(fields.String())
    explanations = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(SpanSchema)))
    matched_terms = fields.List(fields.Nested(MatchedTermSchema))
    priority_basis = fields.Dict(
        metadata={"description": "priority = top_score + flags x flag_weight"}
    )
    language = fields.String()
    model = fields.Dict()
    discarded = fields.Boolean()
    reported = fields.Boolean(metadata={"description": "Readers' reports are open."})
    priority = fields.Float()
    flag_count = fields.Integer()
    flags = fields.List(fields.Dict())
    claimed_by = fields.String(allow_none=True)
    claimed_until = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()
    decided_at = UTCDateTime(allow_none=True)


class QueuePageSchema(Schema):
    queue = fields.String()
    items = fields.List(fields.Nested(ReviewItemSchema))
    next_cursor = fields.String(allow_none=True)


def scope_to_principal(query, principal: Principal, site_id: int | None):
    if site_id is not None:
        check_site_access(site_id)
        return query.where(Comment.site_id == site_id)
    if principal.site_id is not None:
        return query.where(Comment.site_id == principal.site_id)
    return query


def explanations(comment: Comment, settings: dict) -> dict:
    """Return, per label, the sentences whose score reached the label's hold threshold."""
    out: dict[str, list] = {}
    for label, limits in settings["thresholds"].items():
        hits = [
            {
                "begin": s["begin"],
                "end": s["end"],
                "score": s["scores"][label],
                "text": comment.body[s["begin"] : s["end"]],
            }
            for s in comment.spans or []
            if s.get("scores", {}).get(label, 0.0) >= limits["hold"]
        ]
        if hits:
            out[label] = sorted(hits, key=lambda h: -h["score"])
    return out


def author_histories(comments: list[Comment]) -> dict[tuple, dict]:
    """Count each author's comments by status on their site, in one query."""
    emails = {c.author_email for c in comments if c.author_email}
    if not emails:
        return {}
    rows = db.session.execute(
        db.select(Comment.site_id, Comment.author_email, Comment.status, func.count())
        .where(Comment.author_email.in_(emails))
        .group_by(Comment.site_id, Comment.author_email, Comment.status)
    ).all()
    histories: dict[tuple, dict] = {}
    for site_id, email, status, count in rows:
        histories.setdefault((site_id, email), {})[status] = count
    return histories


def review_item(comment: Comment, history: dict | None = None) -> dict:
    article: Article = comment.article
    settings = effective_settings(comment.site, article)
    return {
        **{
            k: getattr(comment, k)
            for k in (
                "id",
                "site_id",
                "parent_id",
                "body",
                "status",
                "version",
                "scores",
                "spam_score",
                "reasons",
                "language",
                "discarded",
                "reported",
                "priority",
                "flag_count",
                "claimed_by",
                "claimed_until",
                "created_at",
                "decided_at",
            )
        },
        "article": {
            "id": article.id,
            "external_id": article.external_id,
            "title": article.title,
            "permalink": article.permalink,
        },
        "author": {
            "name": comment.author_name,
            "email": comment.author_email,
            "url": comment.author_url,
            "ip": comment.ip,
        },
        "author_history": {s.value: (history or {}).get(s.value, 0) for s in Status},
        "explanations": explanations(comment, settings),
        "matched_terms": matched_terms(comment, settings),
        "priority_basis": priority_basis(comment),
        "model": {"name": comment.model_name, "version": comment.model_version},
        "flags": [
            {
                "reason": f.reason,
                "note": f.note,
                "resolved": f.resolved,
                "created_at": utc_iso(f.created_at),
            }
            for f in comment.flags
        ],
    }


@blp.route("/queue")
class Queue(MethodView):
    @moderators_of_site_argument
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueuePageSchema)
    def get(self, args):
        """List a moderation queue, highest priority (or oldest, newest) first."""
        query = db.select(Comment).where(queue_filter(args["queue"], args["include_discarded"]))
        query = scope_to_principal(query, g.principal, args.get("site_id"))
        query = narrowed(query, args)
        if not args["include_claimed"]:
            # A claimed item is not handed to another moderator until its claim expires.
            query = query.where(
                Comment.claimed_by.is_(None)
                | (Comment.claimed_by == g.principal.name)
                | (Comment.claimed_until < utcnow())
            )
        key = {
            "priority": (Comment.priority.desc(), Comment.id.desc()),
            "newest": (Comment.id.desc(),),
            "oldest": (Comment.id.asc(),),
        }[args["sort"]]
        if "cursor" in args:
            values = decode_cursor(
                args["cursor"],
                kind=args["sort"],
                lengths=(2,) if args["sort"] == "priority" else (1,),
            )
            if len(values) == 2:
                priority, last_id = values
                query = query.where(
                    (Comment.priority < priority)
                    | ((Comment.priority == priority) & (Comment.id < last_id))
                )
            else:
                last_id = values[0]
                query = query.where(
                    Comment.id > last_id if args["sort"] == "oldest" else Comment.id < last_id
                )
        limit = args.get("limit") or current_app.config["QUEUE_PAGE_SIZE"]
        comments = db.session.scalars(query.order_by(*key).limit(limit + 1)).all()
        more = len(comments) > limit
        comments = comments[:limit]
        histories = author_histories(comments)
        next_cursor = None
        if more:
            last = comments[-1]
            next_cursor = encode_cursor(
                [last.priority, last.id] if args["sort"] == "priority" else [last.id],
                kind=args["sort"],
            )
        return {
            "queue": args["queue"],
            "next_cursor": next_cursor,
            "items": [review_item(c, histories.get((c.site_id, c.author_email))) for c in comments],
        }


@blp.route("/comments/<int:comment_id>")
class ReviewItem(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ReviewItemSchema)
    def get(self, comment_id: int):
        """Show one comment as moderators see it."""
        comment = load_comment(comment_id)
        return review_item(
            comment, author_histories([comment]).get((comment.site_id, comment.author_email))
        )
