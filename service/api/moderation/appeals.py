"""The appeals queue: authors' appeals of decisions, and a second moderator's outcome."""

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import func

from service import domain
from service.api.common import UTCDateTime
from service.api.moderation.access import (
    acting_moderator,
    blp,
    moderators_of_site_argument,
    not_on_the_tokens_site,
)
from service.auth import Role, check_site_access, require_role
from service.domain.appeals import OUTCOMES, deciding_event, queue_order
from service.domain.errors import NotFound
from service.extensions import db
from service.models import Appeal, AppealStatus, utcnow

STATUSES = [str(status) for status in AppealStatus]


class AppealsArgsSchema(Schema):
    site_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    status = fields.String(load_default="open", validate=validate.OneOf(STATUSES))
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class AppealedCommentSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    version = fields.Integer()
    body = fields.String()
    author_name = fields.String()
    article = fields.Dict()
    reasons = fields.List(fields.String())
    spam_score = fields.Float(allow_none=True)
    discarded = fields.Boolean()
    decided_at = UTCDateTime(allow_none=True)


class OriginalDecisionSchema(Schema):
    status = fields.String(metadata={"description": "The comment's status when appealed."})
    by = fields.String(metadata={"description": "The moderator's token name, or system."})
    automated = fields.Boolean()
    reason = fields.String(
        metadata={"description": "The moderator's reason, or the model's summary."}
    )
    at = UTCDateTime(allow_none=True)


class AppealSchema(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    status = fields.String()
    note = fields.String(metadata={"description": "The author's note."})
    spam_flagged = fields.Boolean(
        metadata={"description": "An appeal of a spam verdict: queued after every other."}
    )
    created_at = UTCDateTime()
    decided_at = UTCDateTime(allow_none=True)
    reviewer = fields.String(allow_none=True)
    reason = fields.String()
    decision = fields.Nested(OriginalDecisionSchema)
    comment = fields.Nested(AppealedCommentSchema)


class AppealsSchema(Schema):
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    oldest_open_age_s = fields.Float(allow_none=True)
    items = fields.List(fields.Nested(AppealSchema))


class AppealDecisionInSchema(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(list(OUTCOMES)))
    reason = fields.String(
        load_default="",
        validate=validate.Length(max=500),
        metadata={"description": "Your reasons: the author reads them in their statement."},
    )


def described(appeal: Appeal) -> dict:
    comment = appeal.comment
    event = deciding_event(comment) if appeal.status == AppealStatus.OPEN else None
    return {
        "id": appeal.id,
        "site_id": appeal.site_id,
        "status": appeal.status,
        "note": appeal.note,
        "spam_flagged": appeal.spam_flagged,
        "created_at": appeal.created_at,
        "decided_at": appeal.decided_at,
        "reviewer": appeal.reviewer,
        "reason": appeal.reason,
        "decision": {
            "status": appeal.appealed_status,
            "by": appeal.decided_by,
            "automated": appeal.decided_by_id is None,
            "reason": event.reason if event else "",
            "at": event.created_at if event else None,
        },
        "comment": {
            "id": comment.id,
            "status": comment.status,
            "version": comment.version,
            "body": comment.body,
            "author_name": comment.author_name,
            "article": {
                "id": comment.article.external_id,
                "title": comment.article.title,
                "permalink": comment.article.permalink,
            },
            "reasons": comment.reasons or [],
            "spam_score": comment.spam_score,
            "discarded": comment.discarded,
            "decided_at": comment.decided_at,
        },
    }


def appeal_site(appeal_id: int) -> list[int]:
    """Name the site of the URL's appeal, once it is known to be the token's own."""
    site_id = db.session.scalar(db.select(Appeal.site_id).where(Appeal.id == appeal_id))
    if site_id != g.principal.site_id:
        not_on_the_tokens_site([appeal_id])  # another site's and a missing one alike
    return [site_id]


moderators_of_appeal = require_role(Role.MODERATOR, Role.ADMIN, sites=appeal_site)


@blp.route("/appeals")
class Appeals(MethodView):
    @moderators_of_site_argument
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(AppealsArgsSchema, location="query")
    @blp.response(200, AppealsSchema)
    def get(self, args):
        """List the appeals queue (oldest first, spam verdicts last), with counts."""
        site_id = args.get("site_id", g.principal.site_id)
        if site_id is not None:
            check_site_access(site_id)
        scope = Appeal.site_id == site_id if site_id is not None else True
        counts = dict(
            db.session.execute(
                db.select(Appeal.status, func.count()).where(scope).group_by(Appeal.status)
            ).all()
        )
        oldest = db.session.scalar(
            db.select(func.min(Appeal.created_at)).where(scope, Appeal.status == AppealStatus.OPEN)
        )
        order = (
            queue_order()
            if args["status"] == AppealStatus.OPEN
            else (Appeal.decided_at.desc(), Appeal.id.desc())
        )
        appeals = db.session.scalars(
            db.select(Appeal)
            .where(scope, Appeal.status == args["status"])
            .order_by(*order)
            .limit(args["limit"])
        ).all()
        return {
            "counts": {status: counts.get(status, 0) for status in STATUSES},
            "oldest_open_age_s": round((utcnow() - oldest).total_seconds(), 1) if oldest else None,
            "items": [described(appeal) for appeal in appeals],
        }


@blp.route("/appeals/<int:appeal_id>/decision")
class AppealDecision(MethodView):
    @moderators_of_appeal
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(AppealDecisionInSchema)
    @blp.response(200, AppealSchema)
    @blp.alt_response(
        403,
        description="The caller made the decision the appeal contests: "
        "another moderator must decide it.",
    )
    @blp.alt_response(404, description="No such appeal.")
    @blp.alt_response(409, description="Decided already, or the comment changed meanwhile.")
    def post(self, data, appeal_id: int):
        """Uphold or overturn an appeal; overturning publishes the comment."""
        appeal = db.session.get(Appeal, appeal_id)
        if appeal is None:
            raise NotFound(f"No appeal {appeal_id}.")
        return described(
            domain.decide_appeal(appeal, data["outcome"], data["reason"], acting_moderator())
        )
