"""Admin privacy endpoints: export and erase everything stored about an email address (GDPR).

The email travels in a POST body, never in the URL, so it stays out of access logs.
Erasure anonymises rather than deletes: the comment rows and their audit trail stay (ids,
statuses, reasons, scores: no personal data), so moderation history and thread structure
remain consistent, while every field that identifies or quotes the person is blanked.
"""

import redis
from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func

from service import domain
from service.api.common import UTCDateTime
from service.api.moderation.access import acting_moderator
from service.api.moderation.history import EventSchema
from service.auth import require_role
from service.domain.appeals import appeal_of
from service.errors import ServiceUnavailable
from service.extensions import db
from service.models import (
    Comment,
    Flag,
    ModerationEvent,
    Role,
    ScoreFeedback,
    Site,
    SpamFeedback,
    utcnow,
)

blp = Blueprint(
    "privacy",
    __name__,
    url_prefix="/v1/admin/privacy",
    description="Export or erase what is stored about a person (by email).",
)
admins = require_role(Role.ADMIN)

ERASED = domain.ERASED
RETAINED = [
    "Audit events of the erased comments (who decided what, when, and why as reason codes).",
    "Scores and reason codes of the erased comments, and replies other people wrote to them.",
    "Spam models already trained on the text (model weights hold no text).",
    "Redis: rate-limit counters keyed by a keyed hash of the IP address, which expire within "
    "minutes.",
]


class SubjectSchema(Schema):
    # Intake stores only valid addresses, so anything else matches nothing (and a NUL byte
    # would be an error on PostgreSQL): refuse it as invalid input.
    email = fields.String(
        required=True,
        validate=[validate.Length(3, 254), validate.Email()],
        metadata={"description": "The person's email address."},
    )


class EraseInSchema(SubjectSchema):
    dry_run = fields.Boolean(
        load_default=False, metadata={"description": "Report what would be erased; change nothing."}
    )


class ExportFlagSchema(Schema):
    reason = fields.String()
    note = fields.String()
    created_at = UTCDateTime()


class ExportAppealSchema(Schema):
    status = fields.String()
    note = fields.String()
    created_at = UTCDateTime()
    decided_at = UTCDateTime(allow_none=True)


class ExportFeedbackSchema(Schema):
    is_spam = fields.Boolean()
    source = fields.String()
    text = fields.String()
    author_fields = fields.Dict(
        data_key="fields",
        attribute="fields",
        metadata={
            "description": "Author fields sent with it "
            "(name, email, URL, IP, user agent, referrer)."
        },
    )
    created_at = UTCDateTime()


class ExportScoreFeedbackSchema(Schema):
    text = fields.String()
    attribute_scores = fields.Dict()
    created_at = UTCDateTime()


class ExportCommentSchema(Schema):
    id = fields.Integer()
    site = fields.Dict()
    article = fields.Dict()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    author_email = fields.String()
    author_url = fields.String()
    body = fields.String()
    ip = fields.String()
    user_agent = fields.String()
    referrer = fields.String()
    signals = fields.Dict()
    status = fields.String()
    reasons = fields.List(fields.String())
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    spam_score = fields.Float(allow_none=True)
    language = fields.String()
    created_at = UTCDateTime()
    decided_at = UTCDateTime(allow_none=True)
    events = fields.List(fields.Nested(EventSchema))
    flags = fields.List(fields.Nested(ExportFlagSchema))
    appeal = fields.Nested(ExportAppealSchema, allow_none=True)
    spam_feedback = fields.List(fields.Nested(ExportFeedbackSchema))


class ExportStandingSchema(Schema):
    site_id = fields.Integer()
    standing = fields.String()
    updated_by = fields.String()
    updated_at = UTCDateTime()


class ExportAuthorEventSchema(Schema):
    site_id = fields.Integer()
    action = fields.String()
    from_standing = fields.String()
    to_standing = fields.String()
    note = fields.String()
    actor = fields.String()
    created_at = UTCDateTime()


class ExportSchema(Schema):
    email = fields.String()
    generated_at = UTCDateTime()
    comments = fields.List(fields.Nested(ExportCommentSchema))
    author_standings = fields.List(
        fields.Nested(ExportStandingSchema),
        metadata={
            "description": "Moderators' standing on the author (trusted, held, banned), per site."
        },
    )
    author_events = fields.List(
        fields.Nested(ExportAuthorEventSchema),
        metadata={"description": "The trail of that standing and moderators' notes on the author."},
    )
    spam_feedback = fields.List(
        fields.Nested(ExportFeedbackSchema),
        metadata={
            "description": "Feedback sent without a link to a "
            "comment (Akismet submissions) with her "
            "email or the text of one of her "
            "comments."
        },
    )
    score_feedback = fields.List(
        fields.Nested(ExportScoreFeedbackSchema),
        metadata={
            "description": "Perspective score suggestions with the text of one of her comments."
        },
    )


class EraseOutSchema(Schema):
    dry_run = fields.Boolean()
    comment_ids = fields.List(fields.Integer())
    comments_erased = fields.Integer()
    events_added = fields.Integer()
    flag_notes_cleared = fields.Integer()
    spam_feedback_erased = fields.Integer()
    score_feedback_erased = fields.Integer()
    author_records_erased = fields.Integer(
        metadata={"description": "Moderators' standings on the author and their notes, deleted."}
    )
    redis_entries_erased = fields.Integer(
        metadata={"description": "Posting-rate counters and near-duplicate index entries deleted."}
    )
    actions = fields.List(fields.String(), metadata={"description": "What was done, in words."})
    retained = fields.List(fields.String(), metadata={"description": "What is kept, and why."})


def subject_comments(email: str) -> list[Comment]:
    """Return the person's comments, on the caller's site only when the token is site-scoped."""
    query = db.select(Comment).where(func.lower(Comment.author_email) == email.strip().lower())
    if g.principal.site_id is not None:
        query = query.where(Comment.site_id == g.principal.site_id)
    return list(db.session.scalars(query.order_by(Comment.id)))


def matching_feedback(
    email: str, comments: list[Comment]
) -> tuple[list[SpamFeedback], list[SpamFeedback], list[ScoreFeedback]]:
    """Return the person's spam feedback (linked to her comments, or unlinked with her email or
    her text) and the score feedback carrying her text."""
    ids = [c.id for c in comments]
    linked = list(
        db.session.scalars(
            db.select(SpamFeedback)
            .where(SpamFeedback.comment_id.in_(ids))
            .order_by(SpamFeedback.id)
        )
    )
    # Akismet submissions carry no comment id: match her email in their fields, or her text.
    texts = {(c.site_id, c.body) for c in comments if c.body and c.body != ERASED}
    same_email = func.lower(SpamFeedback.fields["author_email"].as_string()) == email
    query = db.select(SpamFeedback).where(SpamFeedback.comment_id.is_(None))
    if g.principal.site_id is not None:
        query = query.where(SpamFeedback.site_id == g.principal.site_id)
    if texts:
        query = query.where(
            same_email
            | (
                SpamFeedback.site_id.in_({s for s, _ in texts})
                & SpamFeedback.text.in_({t for _, t in texts})
            )
        )
    else:
        query = query.where(same_email)
    unlinked = [
        f
        for f in db.session.scalars(query.order_by(SpamFeedback.id))
        if (f.site_id, f.text) in texts or (f.fields or {}).get("author_email", "").lower() == email
    ]
    scores = []
    if texts:
        scores = [
            f
            for f in db.session.scalars(
                db.select(ScoreFeedback)
                .where(
                    ScoreFeedback.site_id.in_({s for s, _ in texts}),
                    ScoreFeedback.text.in_({t for _, t in texts}),
                )
                .order_by(ScoreFeedback.id)
            )
            if (f.site_id, f.text) in texts
        ]
    return linked, unlinked, scores


def feedback_out(feedback: SpamFeedback) -> dict:
    return {
        "is_spam": feedback.is_spam,
        "source": feedback.source,
        "text": feedback.text,
        "fields": feedback.fields or {},
        "created_at": feedback.created_at,
    }


def erase_redis_entries(email: str, comments: list[Comment], feedback: list[SpamFeedback]) -> int:
    """Delete the person's posting-rate counters and near-duplicate entries; return how many."""
    # Imported on use: the spam stage pulls in scikit-learn, which API processes rarely need.
    from workers.classifiers.spam import author_context, neardup, velocity

    secret = current_app.config["SECRET_KEY"]
    ips = {c.ip for c in comments} | {(f.fields or {}).get("ip", "") for f in feedback}
    site_id = g.principal.site_id
    client = redis.Redis.from_url(
        current_app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10
    )
    try:
        counters = velocity.forget(client, secret, emails=[email], ips=ips, site_id=site_id)
        # The clear email too: entries indexed before contexts were hashed, until they expire.
        authors = {author_context(secret, email, "", ""), email}
        entries = neardup.forget(client, authors, site_id)
    except redis.RedisError:
        raise ServiceUnavailable(
            "Redis is unreachable, so the person's entries there cannot be "
            "erased: nothing was erased, try again."
        ) from None
    return counters + entries


@blp.route("/export")
class Export(MethodView):
    @admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(SubjectSchema)
    @blp.response(200, ExportSchema)
    def post(self, data):
        """Export everything stored about an email address (comments, trail, flags, feedback)."""
        email = data["email"].strip().lower()
        comments = subject_comments(email)
        linked, unlinked, scores = matching_feedback(email, comments)
        ids = [c.id for c in comments]
        events = db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.comment_id.in_(ids))
            .order_by(ModerationEvent.id)
        )
        by_comment: dict[int, list] = {}
        for event in events:
            by_comment.setdefault(event.comment_id, []).append(event)
        sites = {
            s.id: s
            for s in db.session.scalars(
                db.select(Site).where(Site.id.in_({c.site_id for c in comments}))
            )
        }
        standing_rows, event_rows = domain.author_records(email, g.principal.site_id)
        current_app.logger.info(
            "privacy.exported", extra={"comments": len(comments), "actor": g.principal.name}
        )
        return {
            "email": data["email"].strip().lower(),
            "generated_at": utcnow(),
            "comments": [
                {
                    **{
                        k: getattr(c, k)
                        for k in (
                            "id",
                            "parent_id",
                            "author_name",
                            "author_email",
                            "author_url",
                            "body",
                            "ip",
                            "user_agent",
                            "referrer",
                            "signals",
                            "status",
                            "reasons",
                            "scores",
                            "spam_score",
                            "language",
                            "created_at",
                            "decided_at",
                        )
                    },
                    "site": {"id": c.site_id, "name": sites[c.site_id].name},
                    "article": {
                        "external_id": c.article.external_id,
                        "title": c.article.title,
                        "permalink": c.article.permalink,
                    },
                    "events": by_comment.get(c.id, []),
                    "flags": c.flags,
                    "appeal": appeal_of(c.id),
                    "spam_feedback": [feedback_out(f) for f in linked if f.comment_id == c.id],
                }
                for c in comments
            ],
            "spam_feedback": [feedback_out(f) for f in unlinked],
            "score_feedback": scores,
            "author_standings": standing_rows,
            "author_events": event_rows,
        }


@blp.route("/erase")
class Erase(MethodView):
    @admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(EraseInSchema)
    @blp.response(200, EraseOutSchema)
    @blp.alt_response(
        409,
        description="One of the comments changed during the erasure (e.g. "
        "a moderator's decision); nothing was erased, try again.",
    )
    def post(self, data):
        """Erase what is stored about an email address; the audit trail stays consistent."""
        email = data["email"].strip().lower()
        comments = subject_comments(email)
        linked, unlinked, scores = matching_feedback(email, comments)
        feedback = [*linked, *unlinked]
        ids = [c.id for c in comments]
        redis_erased = 0
        flags = list(
            db.session.scalars(db.select(Flag).where(Flag.comment_id.in_(ids), Flag.note != ""))
        )
        author_rows = [
            row for rows in domain.author_records(email, g.principal.site_id) for row in rows
        ]
        if not data["dry_run"]:
            # Redis last before the commit: if it is unreachable, nothing is erased.
            redis_erased = domain.erase(
                comments,
                flags,
                feedback,
                scores,
                acting_moderator(),
                before_commit=lambda: erase_redis_entries(email, comments, feedback),
                author_rows=author_rows,
            )
            current_app.logger.info(
                "privacy.erased",
                extra={
                    "comment_ids": ids,
                    "actor": g.principal.name,
                    "spam_feedback": len(feedback),
                    "redis_entries": redis_erased,
                },
            )
        verb = "would be" if data["dry_run"] else "were"
        actions = [
            f"{len(ids)} comments {verb} anonymised: author name, email, URL, IP, user agent, "
            f"referrer and request signals blanked, text replaced by {ERASED!r}, status "
            "set to deleted.",
            f"{len(ids)} audit events {verb} added (action 'erase').",
            f"{len(flags)} reader flag notes on those comments {verb} cleared.",
            f"{len(feedback)} spam feedback texts {verb} replaced by {ERASED!r} and their "
            "author fields (name, email, URL, IP, user agent, referrer) blanked.",
            f"{len(scores)} score feedback texts {verb} replaced by {ERASED!r}.",
            f"{len(author_rows)} moderators' records about the author (standing: trusted, "
            f"held or banned, and notes) {verb} deleted.",
            f"Redis: the posting-rate counters of the email and of the IP addresses of the "
            f"comments, and the near-duplicate index entries naming the email, {verb} deleted"
            + ("." if data["dry_run"] else f" ({redis_erased} entries)."),
        ]
        return {
            "dry_run": data["dry_run"],
            "comment_ids": ids,
            "comments_erased": len(ids),
            "events_added": 0 if data["dry_run"] else len(ids),
            "flag_notes_cleared": len(flags),
            "spam_feedback_erased": len(feedback),
            "score_feedback_erased": len(scores),
            "author_records_erased": len(author_rows),
            "redis_entries_erased": redis_erased,
            "actions": actions,
            "retained": RETAINED,
        }
