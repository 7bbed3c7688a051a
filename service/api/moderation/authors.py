"""An author's standing on a site and moderators' notes on them, from one of their comments."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from service import domain
from service.api.common import UTCDateTime
from service.api.moderation.access import acting_moderator, blp, load_comment, moderators_of_comment


class StandingInSchema(Schema):
    standing = fields.String(
        required=True,
        validate=validate.OneOf([s.value for s in domain.Standing]),
        metadata={
            "description": "trusted (no pre-moderation or new-author "
            "hold), held (always), banned (new comments "
            "rejected, the statement says why) or none"
        },
    )
    note = fields.String(load_default="", validate=validate.Length(max=1000))


class NoteInSchema(Schema):
    note = fields.String(required=True, validate=validate.Length(1, 1000))


class StandingOutSchema(Schema):
    email = fields.String()
    standing = fields.String()


class AuthorEventSchema(Schema):
    actor = fields.String()
    action = fields.String(metadata={"description": "standing or note"})
    from_standing = fields.String()
    to_standing = fields.String()
    note = fields.String()
    created_at = UTCDateTime()


@blp.route("/comments/<int:comment_id>/author/standing")
class AuthorStanding(MethodView):
    @moderators_of_comment
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(StandingInSchema)
    @blp.response(200, StandingOutSchema)
    @blp.alt_response(409, description="No email to know the author by, or that standing already.")
    def post(self, data, comment_id: int):
        """Trust, always hold, ban or return to the site's rules this comment's author."""
        comment = load_comment(comment_id)
        standing = domain.set_standing(
            comment.site_id,
            comment.author_email,
            domain.Standing(data["standing"]),
            data["note"],
            acting_moderator(),
        )
        return {"email": comment.author_email.lower(), "standing": standing}


@blp.route("/comments/<int:comment_id>/author/notes")
class AuthorNotes(MethodView):
    @moderators_of_comment
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(NoteInSchema)
    @blp.response(201, AuthorEventSchema)
    @blp.alt_response(409, description="No email to know the author by.")
    def post(self, data, comment_id: int):
        """Add a note on this comment's author for the site's moderators."""
        comment = load_comment(comment_id)
        return domain.add_note(
            comment.site_id, comment.author_email, data["note"], acting_moderator()
        )
