"""Admin API: shadow policies, candidate settings tried on every new comment without effect."""

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields, validate

from service.api.admin import get_site, site_admins
from service.api.common import UTCDateTime
from service.extensions import db
from service.models import ShadowPolicy
from service.shadow import ShadowConflict, end, report, start
from service.site_cache import site_cache
from service.site_settings import SiteSettingsSchema

blp = Blueprint(
    "shadow",
    __name__,
    url_prefix="/v1/admin",
    description="Shadow policies: candidate settings measured before they apply.",
)


class ShadowInSchema(Schema):
    settings = fields.Nested(
        SiteSettingsSchema,
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "The settings diff to try."},
    )


class ShadowOutSchema(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    settings = fields.Dict()
    status = fields.String(metadata={"description": "running, promoted or stopped"})
    started_by = fields.String()
    ended_by = fields.String(allow_none=True)
    created_at = UTCDateTime()
    ended_at = UTCDateTime(allow_none=True)


class ShadowReportSchema(Schema):
    policy_id = fields.Integer()
    status = fields.String()
    settings = fields.Dict()
    comments = fields.Integer(metadata={"description": "New comments the candidate decided."})
    agreement_with_live = fields.Float(allow_none=True)
    live_vs_shadow = fields.Dict(metadata={"description": "live status -> candidate -> count"})
    moderated = fields.Integer(metadata={"description": "Of those, decided by a moderator."})
    agreement_with_moderators = fields.Float(allow_none=True)
    live_agreement_with_moderators = fields.Float(allow_none=True)
    left_to_moderators = fields.Integer()
    moderators_vs_shadow = fields.Dict(metadata={"description": "final -> candidate -> count"})
    examples = fields.Dict(metadata={"description": "live->candidate: example comments"})


def get_policy(site_id: int, policy_id: int) -> ShadowPolicy:
    get_site(site_id)
    policy = db.session.get(ShadowPolicy, policy_id)
    if policy is None or policy.site_id != site_id:
        abort(404, message=f"No shadow policy {policy_id} on site {site_id}.")
    return policy


@blp.route("/sites/<int:site_id>/shadow-policies")
class ShadowPolicies(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ShadowOutSchema(many=True))
    def get(self, site_id: int):
        """List a site's shadow policies, newest first."""
        get_site(site_id)
        return db.session.scalars(
            db.select(ShadowPolicy)
            .where(ShadowPolicy.site_id == site_id)
            .order_by(ShadowPolicy.id.desc())
        ).all()

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ShadowInSchema)
    @blp.response(201, ShadowOutSchema)
    @blp.alt_response(409, description="A shadow policy already runs on this site.")
    def post(self, data, site_id: int):
        """Start a candidate policy: every new comment is also decided by it, changing nothing."""
        try:
            return start(get_site(site_id), data["settings"], g.principal.name)
        except ShadowConflict as exc:
            abort(409, message=str(exc))


@blp.route("/sites/<int:site_id>/shadow-policies/<int:policy_id>/report")
class ShadowReport(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ShadowReportSchema)
    def get(self, site_id: int, policy_id: int):
        """Compare the candidate with the live policy and with moderators' final decisions."""
        return report(get_policy(site_id, policy_id))


def ending(site_id: int, policy_id: int, promote: bool) -> ShadowPolicy:
    try:
        policy = end(get_policy(site_id, policy_id), g.principal.name, promote=promote)
    except ShadowConflict as exc:
        abort(409, message=str(exc))
    site_cache().clear()
    return policy


@blp.route("/sites/<int:site_id>/shadow-policies/<int:policy_id>/promote")
class ShadowPromote(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ShadowOutSchema)
    @blp.alt_response(409, description="The policy already ended.")
    def post(self, site_id: int, policy_id: int):
        """Make the candidate's settings the site's (an audited settings change)."""
        return ending(site_id, policy_id, promote=True)


@blp.route("/sites/<int:site_id>/shadow-policies/<int:policy_id>/stop")
class ShadowStop(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ShadowOutSchema)
    @blp.alt_response(409, description="The policy already ended.")
    def post(self, site_id: int, policy_id: int):
        """Stop the candidate; the site's settings stay as they are."""
        return ending(site_id, policy_id, promote=False)
