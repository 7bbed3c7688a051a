"""Admin privacy endpoints: export and erase everything stored about an email address (GDPR).

The email travels in a POST body, never in the URL, so it stays out of access logs.
Erasure anonymises rather than deletes: the comment rows and their audit trail stay (ids,
statuses, reasons, scores: no personal data), so moderation history and thread structure
remain consistent, while every field that identifies or quotes the person is blanked.
"""


from flask import current_app, g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate
from sqlalchemy import func, update

from service.api.common import UTCDateTime
from service.api.moderation import EventSchema
from service.auth import require_role
from service.extensions import db
from service.models import Comment, Flag, ModerationEvent, Role, Site, SpamFeedback, Status, utcnow

blp = Blueprint("privacy", __name__, url_prefix="/v1/admin/privacy",
                description="Export or erase what is stored about a person (by email).")
admins = require_role(Role.ADMIN)

ERASED = "[erased]"
RETAINED = [
    "Audit events of the erased comments (who decided what, when, and why as reason codes).",
    "Scores and reason codes of the erased comments, and replies other people wrote to them.",
    "Spam models already trained on the text (model weights hold no text).",
    "Redis: hashed posting-rate counters and MinHash signatures, which expire within an hour.",
]


class SubjectSchema(Schema):
    # Intake stores only valid addresses, so anything else matches nothing (and a NUL byte
    # would be an error on PostgreSQL): refuse it as invalid input.
    email = fields.String(required=True, validate=[validate.Length(3, 254), validate.Email()],
                          metadata={"description": "The person's email address."})


class EraseInSchema(SubjectSchema):
    dry_run = fields.Boolean(load_default=False, metadata={
        "description": "Report what would be erased; change nothing."})


class ExportFlagSchema(Schema):
    reason = fields.String()
    note = fields.String()
    created_at = UTCDateTime()


class ExportFeedbackSchema(Schema):
    is_spam = fields.Boolean()
    source = fields.String()
    text = fields.String()
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
    spam_feedback = fields.List(fields.Nested(ExportFeedbackSchema))


class ExportSchema(Schema):
    email = fields.String()
    generated_at = UTCDateTime()
    comments = fields.List(fields.Nested(ExportCommentSchema))
    spam_feedback = fields.List(fields.Nested(ExportFeedbackSchema),
                                metadata={"description": "Feedback with the same text as one of "
                                                         "the comments, sent without a link."})


class EraseOutSchema(Schema):
    dry_run = fields.Boolean()
    comment_ids = fields.List(fields.Integer())
    comments_erased = fields.Integer()
    events_added = fields.Integer()
    flag_notes_cleared = fields.Integer()
    spam_feedback_erased = fields.Integer()
    actions = fields.List(fields.String(), metadata={"description": "What was done, in words."})
    retained = fields.List(fields.String(), metadata={"description": "What is kept, and why."})


def subject_comments(email: str) -> list[Comment]:
    """Return the person's comments, on the caller's site only when the token is site-scoped."""
    query = db.select(Comment).where(func.lower(Comment.author_email) == email.strip().lower())
    if g.principal.site_id is not None:
        query = query.where(Comment.site_id == g.principal.site_id)
    return list(db.session.scalars(query.order_by(Comment.id)))


def matching_feedback(comments: list[Comment]) -> tuple[list[SpamFeedback], list[SpamFeedback]]:
    """Return the spam feedback linked to the comments, and unlinked feedback with their text."""
    ids = [c.id for c in comments]
    linked = list(db.session.scalars(
        db.select(SpamFeedback).where(SpamFeedback.comment_id.in_(ids)).order_by(SpamFeedback.id)))
    # Akismet-style submissions carry the text but no comment id: match on site and text.
    texts = {(c.site_id, c.body) for c in comments if c.body and c.body != ERASED}
    unlinked = []
    if texts:
        candidates = db.session.scalars(
            db.select(SpamFeedback).where(SpamFeedback.comment_id.is_(None),
                                          SpamFeedback.site_id.in_({s for s, _ in texts}),
                                          SpamFeedback.text.in_({t for _, t in texts})))
        unlinked = [f for f in candidates if (f.site_id, f.text) in texts]
    return linked, unlinked


def feedback_out(feedback: SpamFeedback) -> dict:
    return {"is_spam": feedback.is_spam, "source": feedback.source, "text": feedback.text,
            "created_at": feedback.created_at}


@blp.route("/export")
class Export(MethodView):
    @admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(SubjectSchema)
    @blp.response(200, ExportSchema)
    def post(self, data):
        """Export everything stored about an email address (comments, audit trail, flags)."""
        comments = subject_comments(data["email"])
        linked, unlinked = matching_feedback(comments)
        ids = [c.id for c in comments]
        events = db.session.scalars(db.select(ModerationEvent)
                                    .where(ModerationEvent.comment_id.in_(ids))
                                    .order_by(ModerationEvent.id))
        by_comment: dict[int, list] = {}
        for event in events:
            by_comment.setdefault(event.comment_id, []).append(event)
        sites = {s.id: s for s in db.session.scalars(
            db.select(Site).where(Site.id.in_({c.site_id for c in comments})))}
        current_app.logger.info("privacy.exported", extra={"comments": len(comments),
                                                           "actor": g.principal.name})
        return {
            "email": data["email"].strip().lower(), "generated_at": utcnow(),
            "comments": [{
                **{k: getattr(c, k) for k in (
                    "id", "parent_id", "author_name", "author_email", "author_url", "body", "ip",
                    "user_agent", "referrer", "signals", "status", "reasons", "scores",
                    "spam_score", "language", "created_at", "decided_at")},
                "site": {"id": c.site_id, "name": sites[c.site_id].name},
                "article": {"external_id": c.article.external_id, "title": c.article.title,
                            "permalink": c.article.permalink},
                "events": by_comment.get(c.id, []),
                "flags": c.flags,
                "spam_feedback": [feedback_out(f) for f in linked if f.comment_id == c.id],
            } for c in comments],
            "spam_feedback": [feedback_out(f) for f in unlinked],
        }


@blp.route("/erase")
class Erase(MethodView):
    @admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(EraseInSchema)
    @blp.response(200, EraseOutSchema)
    def post(self, data):
        """Erase what is stored about an email address; the audit trail stays consistent."""
        comments = subject_comments(data["email"])
        linked, unlinked = matching_feedback(comments)
        ids = [c.id for c in comments]
        flags = list(db.session.scalars(db.select(Flag).where(Flag.comment_id.in_(ids),
                                                              Flag.note != "")))
        now = utcnow()
        if not data["dry_run"]:
            for comment in comments:
                # Conditional on the version we read, like a moderator's decision: a decision
                # racing with the erasure makes the erasure fail (and be retried), never half-done.
                erased = db.session.execute(
                    update(Comment).where(Comment.id == comment.id,
                                          Comment.version == comment.version)
                    .values(author_name="", author_email="", author_url="", body=ERASED, ip="",
                            user_agent="", referrer="", signals={}, spans=[],
                            status=Status.DELETED, version=Comment.version + 1, updated_at=now,
                            reported=False, claimed_by=None, claimed_until=None)
                    .execution_options(synchronize_session=False)).rowcount
                if erased != 1:
                    db.session.rollback()
                    abort(409, message=f"Comment {comment.id} changed during the erasure; "
                                       "nothing was erased, try again.")
                db.session.add(ModerationEvent(
                    comment_id=comment.id, actor=g.principal.name,
                    actor_id=g.principal.key_id, action="erase",
                    from_status=comment.status, to_status=Status.DELETED,
                    reason="personal data erased on request", reasons=["ERASED"]))
            for flag in flags:
                flag.note = ""  # readers' notes may quote the erased text
                flag.resolved = True
            for feedback in [*linked, *unlinked]:
                feedback.text = ERASED
                feedback.learned = True  # never train on the placeholder
            db.session.commit()
            current_app.logger.info("privacy.erased", extra={
                "comment_ids": ids, "actor": g.principal.name,
                "spam_feedback": len(linked) + len(unlinked)})
        verb = "would be" if data["dry_run"] else "were"
        actions = [
            f"{len(ids)} comments {verb} anonymised: author name, email, URL, IP, user agent, "
            f"referrer and request signals blanked, text replaced by {ERASED!r}, status "
            "set to deleted.",
            f"{len(ids)} audit events {verb} added (action 'erase').",
            f"{len(flags)} reader flag notes on those comments {verb} cleared.",
            f"{len(linked) + len(unlinked)} spam feedback texts {verb} replaced by {ERASED!r}.",
        ]
        return {"dry_run": data["dry_run"], "comment_ids": ids, "comments_erased": len(ids),
                "events_added": 0 if data["dry_run"] else len(ids),
                "flag_notes_cleared": len(flags),
                "spam_feedback_erased": len(linked) + len(unlinked),
                "actions": actions, "retained": RETAINED}
