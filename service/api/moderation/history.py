"""History: a comment's audit trail, as the domain's transitions recorded it."""

from flask.views import MethodView
from marshmallow import Schema, fields

from service.api.common import UTCDateTime
from service.api.moderation.access import blp, load_comment, moderators
from service.extensions import db
from service.models import ModerationEvent


class EventSchema(Schema):
    id = fields.Integer()
    actor = fields.String()
    actor_id = fields.Integer(
        allow_none=True,
        metadata={"description": "The token that acted; null for the service itself and readers."},
    )
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    reason = fields.String()
    reasons = fields.List(fields.String())
    created_at = UTCDateTime()


@blp.route("/comments/<int:comment_id>/history")
class History(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, EventSchema(many=True))
    def get(self, comment_id: int):
        """Show a comment's audit trail, oldest first."""
        comment = load_comment(comment_id)
        return db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.comment_id == comment.id)
            .order_by(ModerationEvent.id)
        ).all()
