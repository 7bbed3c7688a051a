"""Readers' reports: a moderator dismisses them (the comment keeps its status) or reopens them."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from service import domain
from service.api.moderation.access import acting_moderator, blp, load_comment, moderators_of_comment
from service.api.moderation.decisions import DecisionOutSchema

REPORT_ACTIONS = {"dismiss": domain.dismiss_reports, "reopen": domain.reopen_reports}


class ReportsInSchema(Schema):
    action = fields.String(
        required=True,
        validate=validate.OneOf(list(REPORT_ACTIONS)),
        metadata={"description": "dismiss, or reopen (undo the latest dismissal)"},
    )
    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


@blp.route("/comments/<int:comment_id>/reports")
class CommentReports(MethodView):
    @moderators_of_comment
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ReportsInSchema)
    @blp.response(200, DecisionOutSchema)
    @blp.alt_response(
        409,
        description="Stale version, claimed by another moderator, or no "
        "reports to dismiss or reopen.",
    )
    def post(self, data, comment_id: int):
        """Dismiss a comment's open reports (its status stays), or reopen the last dismissed."""
        return REPORT_ACTIONS[data["action"]](
            load_comment(comment_id), data["version"], acting_moderator()
        )
