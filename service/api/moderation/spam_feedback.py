"""Spam feedback: a moderator labels a comment spam or not spam to train the site's filter."""

from flask.views import MethodView
from marshmallow import Schema

from service import domain
from service.api.common import JsonBoolean
from service.api.moderation.access import acting_moderator, blp, load_comment, moderators_of_comment
from service.api.moderation.decisions import DecisionOutSchema


class FeedbackInSchema(Schema):
    is_spam = JsonBoolean(required=True)


@blp.route("/comments/<int:comment_id>/spam-feedback")
class SpamFeedback(MethodView):
    @moderators_of_comment
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(FeedbackInSchema)
    @blp.response(202, DecisionOutSchema)
    def post(self, data, comment_id: int):
        """Resubmit a comment as spam or not spam, to train the site's spam filter."""
        return domain.record_spam_feedback(
            load_comment(comment_id), data["is_spam"], acting_moderator()
        )
