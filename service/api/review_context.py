"""What the review page shows around a comment, read-only: the conversation it belongs to, the
parent a reply answers, its author's record on the site, who decided it last, new arrivals in a
queue and the labels the live toxicity model scores."""

from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func

from service.api.common import UTCDateTime
from service.api.moderation.access import (
    load_comment,
    moderators,
    moderators_of_site_argument,
    scoped_to_own_comments,
)
from service.api.moderation.authors import AuthorEventSchema
from service.api.moderation.review_queue import scope_to_principal
from service.domain.authors import author_key, standing_of
from service.domain.decisions import FINAL_DECISIONS
from service.domain.queues import REVIEW_QUEUES, narrowed, queue_filter
from service.extensions import db
from service.models import AuthorEvent, Comment, Flag, ModerationEvent, Status
from service.worker_status import active_models

blp = Blueprint(
    "review_context",
    __name__,
    url_prefix="/v1/moderation",
    description="Read-only context for the review page.",
)

MAX_THREAD = 200  # comments in one conversation view
MAX_DEPTH = 50  # ancestors walked up from a reply
MAX_AUTHOR_ITEMS = 50
EXCERPT_CHARS = 200  # of a parent's text on a reply's card


class EntrySchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    body = fields.String()
    status = fields.String()
    reasons = fields.List(fields.String())
    article_title = fields.String()
    created_at = UTCDateTime()


class ConversationSchema(Schema):
    comment_id = fields.Integer()
    parent = fields.Nested(EntrySchema, allow_none=True)
    thread = fields.List(
        fields.Nested(EntrySchema),
        metadata={
            "description": "The whole thread from its top comment, oldest first, every status."
        },
    )
    truncated = fields.Boolean()


class ReportSchema(Schema):
    comment_id = fields.Integer()
    reason = fields.String()
    note = fields.String()
    resolved = fields.Boolean()
    created_at = UTCDateTime()


class AuthorSchema(Schema):
    name = fields.String()
    email = fields.String()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    comments = fields.List(
        fields.Nested(EntrySchema),
        metadata={"description": "Their latest comments on this site, newest first."},
    )
    reports = fields.List(
        fields.Nested(ReportSchema),
        metadata={"description": "Readers' reports against their comments, newest first."},
    )
    report_count = fields.Integer()
    standing = fields.String(metadata={"description": "none, trusted, held or banned"})
    events = fields.List(
        fields.Nested(AuthorEventSchema),
        metadata={"description": "Changes of their standing and moderators' notes, newest first."},
    )


class ParentSchema(Schema):
    comment_id = fields.Integer(metadata={"description": "The reply."})
    parent_id = fields.Integer()
    author_name = fields.String()
    excerpt = fields.String(
        metadata={"description": f"The parent's first {EXCERPT_CHARS} characters."}
    )
    truncated = fields.Boolean()
    status = fields.String()
    created_at = UTCDateTime()


class CommentIdsArgsSchema(Schema):
    ids = fields.List(
        fields.Integer(validate=validate.Range(1, 2**31 - 1)),
        required=True,
        validate=validate.Length(1, 200),
    )


class LastDecisionSchema(Schema):
    comment_id = fields.Integer()
    actor = fields.String()
    action = fields.String()
    reason = fields.String()
    created_at = UTCDateTime()


class NewsArgsSchema(Schema):
    queue = fields.String(load_default="held", validate=validate.OneOf(REVIEW_QUEUES))
    after_id = fields.Integer(load_default=0, validate=validate.Range(0, 2**31 - 1))
    site_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    label = fields.String(validate=validate.Length(1, 40))
    reason = fields.String(validate=validate.Length(1, 60))
    author = fields.String(validate=validate.Length(1, 245))
    q = fields.String(validate=validate.Length(2, 100))


class NewsSchema(Schema):
    queue = fields.String()
    new = fields.Integer(metadata={"description": "Comments in the queue after after_id."})
    newest_id = fields.Integer(allow_none=True)


class ActiveModelSchema(Schema):
    name = fields.String()
    version = fields.String()
    labels = fields.List(fields.String())
    offline_fallback = fields.Boolean()


class ModelsSchema(Schema):
    labels = fields.List(
        fields.String(), metadata={"description": "The labels every live worker's model scores."}
    )
    offline_fallback = fields.Boolean()
    models = fields.List(fields.Nested(ActiveModelSchema))


def entry(comment: Comment) -> dict:
    return {
        "id": comment.id,
        "parent_id": comment.parent_id,
        "author_name": comment.author_name,
        "body": comment.body,
        "status": comment.status,
        "reasons": comment.reasons or [],
        "article_title": comment.article.title or comment.article.external_id,
        "created_at": comment.created_at,
    }


@blp.route("/comments/<int:comment_id>/conversation")
class Conversation(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ConversationSchema)
    def get(self, comment_id: int):
        """Show the comment's parent and its whole thread, every status, oldest first."""
        comment = load_comment(comment_id)
        top = comment
        for _ in range(MAX_DEPTH):
            if top.parent_id is None:
                break
            parent = db.session.get(Comment, top.parent_id)
            if parent is None or parent.site_id != comment.site_id:
                break
            top = parent
        thread, level = [top], [top.id]
        while level and len(thread) < MAX_THREAD:
            replies = db.session.scalars(
                db.select(Comment)
                .where(Comment.parent_id.in_(level), Comment.site_id == comment.site_id)
                .order_by(Comment.id)
                .limit(MAX_THREAD - len(thread) + 1)
            ).all()
            thread.extend(replies)
            level = [reply.id for reply in replies]
        truncated = len(thread) > MAX_THREAD
        parent = db.session.get(Comment, comment.parent_id) if comment.parent_id else None
        return {
            "comment_id": comment.id,
            "parent": entry(parent) if parent else None,
            "thread": [entry(c) for c in sorted(thread[:MAX_THREAD], key=lambda c: c.id)],
            "truncated": truncated,
        }


@blp.route("/comments/<int:comment_id>/author")
class Author(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, AuthorSchema)
    def get(self, comment_id: int):
        """Show the comment's author on its site: comments by status, latest ones, reports."""
        comment = load_comment(comment_id)
        # Without an email the author cannot be told from others: this comment is all we know.
        same_author = (Comment.site_id == comment.site_id) & (
            Comment.author_email == comment.author_email
            if comment.author_email
            else Comment.id == comment.id
        )
        counts = dict(
            db.session.execute(
                db.select(Comment.status, func.count()).where(same_author).group_by(Comment.status)
            ).all()
        )
        latest = db.session.scalars(
            db.select(Comment)
            .where(same_author)
            .order_by(Comment.id.desc())
            .limit(MAX_AUTHOR_ITEMS)
        ).all()
        reports = db.select(Flag).join(Comment, Flag.comment_id == Comment.id).where(same_author)
        report_count = db.session.scalar(db.select(func.count()).select_from(reports.subquery()))
        return {
            "name": comment.author_name,
            "email": comment.author_email,
            "counts": {s.value: counts.get(s.value, 0) for s in Status},
            "comments": [entry(c) for c in latest],
            "reports": db.session.scalars(
                reports.order_by(Flag.id.desc()).limit(MAX_AUTHOR_ITEMS)
            ).all(),
            "report_count": report_count,
            "standing": standing_of(comment.site_id, comment.author_email)
            if comment.author_email
            else "none",
            "events": db.session.scalars(
                db.select(AuthorEvent)
                .where(
                    AuthorEvent.site_id == comment.site_id,
                    AuthorEvent.email == author_key(comment.author_email),
                )
                .order_by(AuthorEvent.id.desc())
                .limit(MAX_AUTHOR_ITEMS)
            ).all(),
        }


@blp.route("/last-decisions")
class LastDecisions(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(CommentIdsArgsSchema, location="query")
    @blp.response(200, LastDecisionSchema(many=True))
    def get(self, args):
        """Say who last decided each of these comments, how and why."""
        ids = sorted(set(args["ids"]))
        if g.principal.site_id is not None:
            scoped_to_own_comments(ids)
        latest = (
            db.select(func.max(ModerationEvent.id))
            .where(ModerationEvent.comment_id.in_(ids), ModerationEvent.action.in_(FINAL_DECISIONS))
            .group_by(ModerationEvent.comment_id)
        )
        events = db.session.scalars(
            db.select(ModerationEvent).where(ModerationEvent.id.in_(latest))
        ).all()
        return [
            {
                "comment_id": e.comment_id,
                "actor": e.actor,
                "action": e.action,
                "reason": e.reason or "",
                "created_at": e.created_at,
            }
            for e in events
        ]


@blp.route("/parents")
class Parents(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(CommentIdsArgsSchema, location="query")
    @blp.response(200, ParentSchema(many=True))
    def get(self, args):
        """Show what each of these replies answers: its parent's author and opening words."""
        ids = sorted(set(args["ids"]))
        if g.principal.site_id is not None:
            scoped_to_own_comments(ids)
        replies = db.session.execute(
            db.select(Comment.id, Comment.parent_id, Comment.site_id).where(
                Comment.id.in_(ids), Comment.parent_id.is_not(None)
            )
        ).all()
        parents = {
            p.id: p
            for p in db.session.scalars(
                db.select(Comment).where(Comment.id.in_({r.parent_id for r in replies}))
            )
        }
        shown = []
        for reply in replies:
            parent = parents.get(reply.parent_id)
            if parent is None or parent.site_id != reply.site_id:
                continue
            shown.append(
                {
                    "comment_id": reply.id,
                    "parent_id": parent.id,
                    "author_name": parent.author_name,
                    "excerpt": parent.body[:EXCERPT_CHARS],
                    "truncated": len(parent.body) > EXCERPT_CHARS,
                    "status": parent.status,
                    "created_at": parent.created_at,
                }
            )
        return shown


@blp.route("/queue-news")
class QueueNews(MethodView):
    @moderators_of_site_argument
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(NewsArgsSchema, location="query")
    @blp.response(200, NewsSchema)
    def get(self, args):
        """Count the comments that joined a queue (with the page's filter) after after_id."""
        query = db.select(func.count(), func.max(Comment.id)).where(
            queue_filter(args["queue"], False), Comment.id > args["after_id"]
        )
        query = scope_to_principal(query, g.principal, args.get("site_id"))
        query = narrowed(query, args)
        count, newest = db.session.execute(query).one()
        return {"queue": args["queue"], "new": count, "newest_id": newest}


@blp.route("/models")
class Models(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ModelsSchema)
    def get(self):
        """Name the toxicity models the live workers run, the labels they score, any fallback."""
        live = active_models(current_app.config["REDIS_URL"])
        models = [
            {
                "name": m.get("name", ""),
                "version": m.get("version", ""),
                "labels": list(m.get("labels") or []),
                "offline_fallback": bool(m.get("offline_fallback")),
            }
            for m in live.get("models", [])
        ]
        # A label is offered when every live model scores it: a filter must not promise more.
        labels = set.intersection(*(set(m["labels"]) for m in models)) if models else set()
        ordered = [label for label in (models[0]["labels"] if models else []) if label in labels]
        return {
            "labels": ordered,
            "offline_fallback": bool(live.get("offline_fallback")),
            "models": models,
        }
