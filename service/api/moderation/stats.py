"""Stats: how many comments wait in each review queue, and for how long."""

from flask import g
from flask.views import MethodView
from marshmallow import Schema, fields, validate
from sqlalchemy import case, func

from service.api.moderation.access import blp, moderators_of_site_argument
from service.auth import check_site_access
from service.domain.queues import REVIEW_QUEUES, queue_filter
from service.extensions import db
from service.models import Comment, Status, utcnow


class StatsArgsSchema(Schema):
    site_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class StatsSchema(Schema):
    queues = fields.Dict(keys=fields.String(), values=fields.Integer())
    oldest_held_age_s = fields.Float(allow_none=True)
    oldest_pending_age_s = fields.Float(allow_none=True)


@blp.route("/stats")
class Stats(MethodView):
    @moderators_of_site_argument
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(StatsArgsSchema, location="query")
    @blp.response(200, StatsSchema)
    def get(self, args):
        """Count comments per queue; age of the oldest held and pending comment."""
        site_id = args.get("site_id", g.principal.site_id)
        if site_id is not None:
            check_site_access(site_id)
        scope = Comment.site_id == site_id if site_id is not None else True
        counts = db.session.execute(
            db.select(
                *[func.sum(case((queue_filter(q, False), 1), else_=0)) for q in REVIEW_QUEUES],
                func.min(case((Comment.status == Status.HELD, Comment.created_at))),
                func.min(case((Comment.status == Status.PENDING, Comment.created_at))),
            ).where(scope)
        ).one()
        now = utcnow()

        def age(oldest):
            return round((now - oldest).total_seconds(), 1) if oldest else None

        per_queue = zip(REVIEW_QUEUES, counts[: len(REVIEW_QUEUES)], strict=True)
        return {
            "queues": {q: int(n or 0) for q, n in per_queue},
            "oldest_held_age_s": age(counts[-2]),
            "oldest_pending_age_s": age(counts[-1]),
        }
