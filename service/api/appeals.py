"""An author's appeal of the decision on their comment, beside its status (same token)."""

from flask import current_app
from flask.views import MethodView
from marshmallow import Schema, fields, validate

from service import domain
from service.api.comments import (
    STATUS_TOKEN_PARAMETER,
    CommentStatusSchema,
    author_status,
    authors_comment,
    blp,
)
from service.api.common import reporter_id
from service.domain.appeals import MAX_NOTE


class AppealInSchema(Schema):
    note = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_NOTE),
        metadata={
            "description": "Why the author disagrees, in a few words (shown to the moderator)."
        },
    )


def limits() -> domain.AppealLimits:
    config = current_app.config
    return domain.AppealLimits(
        open_per_author=config["APPEALS_OPEN_PER_AUTHOR"],
        per_site_hour=config["APPEALS_PER_SITE_HOUR"],
        spam_per_site_hour=config["APPEALS_SPAM_PER_SITE_HOUR"],
    )


@blp.route("/comments/<int:comment_id>/appeal")
class CommentAppeal(MethodView):
    @blp.doc(parameters=[STATUS_TOKEN_PARAMETER])
    @blp.arguments(AppealInSchema)
    @blp.response(
        201,
        CommentStatusSchema,
        description="The appeal is filed: the comment's status, its statement showing it.",
    )
    @blp.alt_response(400, description="The token was sent in the URL.")
    @blp.alt_response(404, description="No comment with that id and status token.")
    @blp.alt_response(
        409,
        description="Appealed already (once per comment), or nothing to "
        "appeal (pending or published).",
    )
    @blp.alt_response(
        429,
        description="Too many open appeals of this author, or of this site "
        "this hour, or over the intake rate limit; see "
        "Retry-After.",
    )
    def post(self, data, comment_id: int):
        """Appeal the decision on a comment, once, with the status token (in a header)."""
        comment = authors_comment(comment_id)
        domain.appeal(comment, data["note"].strip(), reporter_id(comment.site_id), limits())
        return author_status(comment), 201
