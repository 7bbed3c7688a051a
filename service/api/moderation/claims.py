"""Claims: a moderator reserves a comment for review, and releases it."""

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema, fields

from service import domain
from service.api.common import UTCDateTime
from service.api.moderation.access import acting_moderator, blp, load_comment, moderators


class ClaimSchema(Schema):
    id = fields.Integer()
    claimed_by = fields.String(allow_none=True)
    claimed_until = UTCDateTime(allow_none=True)


@blp.route("/comments/<int:comment_id>/claim")
class Claim(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ClaimSchema)
    @blp.alt_response(409, description="Claimed by another moderator.")
    def post(self, comment_id: int):
        """Claim a comment for review; others skip it until the claim expires."""
        return domain.claim(
            load_comment(comment_id), acting_moderator(), current_app.config["CLAIM_TTL_S"]
        )

    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ClaimSchema)
    def delete(self, comment_id: int):
        """Release a claim (yours, or anyone's if you are an admin)."""
        return domain.release(load_comment(comment_id), acting_moderator())
