"""Admin API: toxicity thresholds suggested from a site's moderators, applied audited."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from service.api.admin import get_site, site_admins
from service.api.common import UTCDateTime
from service.extensions import db
from service.models import SettingsChange
from service.site_cache import site_cache
from service.thresholds import TooFewDecisions, apply_suggestion, suggest

blp = Blueprint(
    "thresholds",
    __name__,
    url_prefix="/v1/admin",
    description="Thresholds learned from a site's moderators.",
)


class PeriodSchema(Schema):
    days = fields.Integer(
        load_default=30,
        validate=validate.Range(1, 365),
        metadata={"description": "Decisions and comments of the last days."},
    )


class SuggestionSchema(Schema):
    site_id = fields.Integer()
    days = fields.Integer()
    decisions = fields.Integer(metadata={"description": "Moderator decisions it rests on."})
    rejected = fields.Integer()
    current = fields.Dict(metadata={"description": "label -> {hold, reject} in force."})
    thresholds = fields.Dict(metadata={"description": "label -> {hold, reject} suggested."})
    labels = fields.Dict(metadata={"description": "label -> what the suggestion rests on."})
    effect = fields.Dict(
        metadata={
            "description": "How the period's comments would have gone: "
            "totals and changes such as held->rejected."
        }
    )


class SettingsChangeSchema(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    actor = fields.String()
    kind = fields.String()
    before = fields.Dict()
    after = fields.Dict()
    basis = fields.Dict()
    created_at = UTCDateTime()


def too_few(exc: TooFewDecisions):
    abort(409, message=str(exc), errors={"decisions": exc.decisions, "rejected": exc.rejected})


@blp.route("/sites/<int:site_id>/threshold-suggestion")
class ThresholdSuggestion(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(PeriodSchema, location="query")
    @blp.response(200, SuggestionSchema)
    @blp.alt_response(409, description="Too few moderator decisions to suggest from.")
    def get(self, args, site_id: int):
        """Suggest hold and reject thresholds from the site's moderators' decisions."""
        try:
            return suggest(get_site(site_id), args["days"])
        except TooFewDecisions as exc:
            too_few(exc)

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(PeriodSchema)
    @blp.response(201, SettingsChangeSchema)
    @blp.alt_response(409, description="Too few moderator decisions to suggest from.")
    def post(self, data, site_id: int):
        """Apply the suggestion to the site's thresholds, recorded as an audited settings change."""
        try:
            change = apply_suggestion(get_site(site_id), data["days"], g.principal.name)
        except TooFewDecisions as exc:
            too_few(exc)
        site_cache().clear()
        return change


@blp.route("/sites/<int:site_id>/settings-changes")
class SettingsChanges(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, SettingsChangeSchema(many=True))
    def get(self, site_id: int):
        """List the site's audited settings changes, newest first."""
        get_site(site_id)
        return db.session.scalars(
            db.select(SettingsChange)
            .where(SettingsChange.site_id == site_id)
            .order_by(SettingsChange.id.desc())
        ).all()
