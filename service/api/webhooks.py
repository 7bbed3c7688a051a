"""Admin API for a site's webhook subscriptions and their delivery log."""

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate, validates

from service import webhooks
from service.api.admin import get_site, site_admins
from service.api.common import UTCDateTime
from service.extensions import db
from service.models import WebhookDelivery, WebhookSubscription
from service.webhooks import Event, Format, RefusedURL

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/v1/admin",
    description="Signed webhooks: subscriptions and their delivery log.",
)


class WebhookInSchema(Schema):
    url = fields.String(required=True, validate=validate.Length(1, 2000))
    events = fields.List(
        fields.String(validate=validate.OneOf([e.value for e in Event])),
        required=True,
        validate=validate.Length(1, len(Event)),
    )
    format = fields.String(
        load_default=Format.JSON.value,
        validate=validate.OneOf([f.value for f in Format]),
        metadata={
            "description": 'slack: a Slack/Mattermost incoming webhook body ({"text": ...}).'
        },
    )
    description = fields.String(load_default="", validate=validate.Length(max=200))

    @validates("url")
    def url_is_allowed(self, value, **_):
        try:
            webhooks.resolve(value)
        except RefusedURL as exc:
            raise ValidationError(str(exc)) from None


class WebhookPatchSchema(Schema):
    active = fields.Boolean(
        metadata={
            "description": "true re-enables a disabled subscription "
            "(its failure count starts again)."
        }
    )
    events = fields.List(
        fields.String(validate=validate.OneOf([e.value for e in Event])),
        validate=validate.Length(1, len(Event)),
    )
    description = fields.String(validate=validate.Length(max=200))


class WebhookOutSchema(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    url = fields.String(
        metadata={
            "description": "In full only in the creation response (a "
            "chat webhook's URL is itself a secret)."
        }
    )
    events = fields.List(fields.String())
    format = fields.String()
    description = fields.String()
    active = fields.Boolean()
    failures = fields.Integer(metadata={"description": "Failed deliveries in a row."})
    disabled_at = UTCDateTime(allow_none=True)
    disabled_reason = fields.String()
    created_at = UTCDateTime()
    secret = fields.String(
        metadata={"description": "Signing secret; only in the creation response."}
    )


class DeliveryArgsSchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(1, 200))


class DeliveryOutSchema(Schema):
    id = fields.Integer()
    subscription_id = fields.Integer()
    event = fields.String()
    event_id = fields.String()
    status = fields.String()
    attempts = fields.Integer()
    response_code = fields.Integer(allow_none=True)
    error = fields.String()
    created_at = UTCDateTime()
    last_attempt_at = UTCDateTime(allow_none=True)
    next_attempt_at = UTCDateTime(allow_none=True)
    delivered_at = UTCDateTime(allow_none=True)
    payload = fields.Dict()


def masked(url: str) -> str:
    """Show where a URL points without the path, which may be a chat webhook's secret."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme}://{host}/" + (f"…{path[-4:]}" if len(path) > 4 else path) if slash else url


def subscription_out(subscription: WebhookSubscription, **extra) -> dict:
    columns = (
        "id",
        "site_id",
        "events",
        "format",
        "description",
        "active",
        "failures",
        "disabled_at",
        "disabled_reason",
        "created_at",
    )
    return (
        {name: getattr(subscription, name) for name in columns}
        | {"url": masked(subscription.url)}
        | extra
    )


def get_subscription(site_id: int, webhook_id: int) -> WebhookSubscription:
    get_site(site_id)
    subscription = db.session.get(WebhookSubscription, webhook_id)
    # Another site's subscription is "not found" here: its id says nothing to this site.
    if subscription is None or subscription.site_id != site_id:
        abort(404, message=f"No webhook {webhook_id} on site {site_id}.")
    return subscription


@blp.route("/sites/<int:site_id>/webhooks")
class Webhooks(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, WebhookOutSchema(many=True))
    def get(self, site_id: int):
        """List a site's webhook subscriptions (never their secrets)."""
        get_site(site_id)
        return [
            subscription_out(s)
            for s in db.session.scalars(
                db.select(WebhookSubscription)
                .where(WebhookSubscription.site_id == site_id)
                .order_by(WebhookSubscription.id)
            )
        ]

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(WebhookInSchema)
    @blp.response(201, WebhookOutSchema)
    @blp.alt_response(409, description="The site has as many subscriptions as allowed.")
    def post(self, data, site_id: int):
        """Subscribe a URL to a site's events; the signing secret is shown once."""
        get_site(site_id)
        try:
            subscription, secret = webhooks.create_subscription(site_id, **data)
        except RefusedURL as exc:
            abort(409, message=str(exc))
        return subscription_out(subscription, url=subscription.url, secret=secret)


@blp.route("/sites/<int:site_id>/webhooks/<int:webhook_id>")
class WebhookItem(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, WebhookOutSchema)
    def get(self, site_id: int, webhook_id: int):
        """Show a webhook subscription: state and consecutive failures."""
        return subscription_out(get_subscription(site_id, webhook_id))

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(WebhookPatchSchema)
    @blp.response(200, WebhookOutSchema)
    def patch(self, data, site_id: int, webhook_id: int):
        """Disable or re-enable a subscription, or change its events or description."""
        subscription = get_subscription(site_id, webhook_id)
        active = data.pop("active", None)
        if active is True:
            webhooks.enable(subscription)
        elif active is False:
            webhooks.disable(subscription, "disabled by an admin")
        if "events" in data:
            data["events"] = sorted(set(data["events"]))
        for name, value in data.items():
            setattr(subscription, name, value)
        db.session.commit()
        return subscription_out(subscription)

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(204)
    def delete(self, site_id: int, webhook_id: int):
        """Delete a subscription and its delivery log."""
        webhooks.delete_subscription(get_subscription(site_id, webhook_id))


@blp.route("/sites/<int:site_id>/webhooks/<int:webhook_id>/deliveries")
class Deliveries(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(DeliveryArgsSchema, location="query")
    @blp.response(200, DeliveryOutSchema(many=True))
    def get(self, args, site_id: int, webhook_id: int):
        """List a subscription's latest deliveries, newest first."""
        subscription = get_subscription(site_id, webhook_id)
        return db.session.scalars(
            db.select(WebhookDelivery)
            .where(WebhookDelivery.subscription_id == subscription.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(args["limit"])
        ).all()


@blp.route("/sites/<int:site_id>/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/redeliver")
class Redeliver(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(202, DeliveryOutSchema)
    @blp.alt_response(409, description="The subscription is disabled.")
    def post(self, site_id: int, webhook_id: int, delivery_id: int):
        """Send a logged delivery's payload again (a new delivery, the same event id)."""
        subscription = get_subscription(site_id, webhook_id)
        delivery = db.session.get(WebhookDelivery, delivery_id)
        if delivery is None or delivery.subscription_id != subscription.id:
            abort(404, message=f"No delivery {delivery_id} for webhook {webhook_id}.")
        if not subscription.active:
            abort(
                409,
                message="This subscription is disabled; re-enable it first "
                '(PATCH {"active": true}).',
            )
        return webhooks.redeliver(delivery)
