"""Decisions: a moderator approves, rejects, marks as spam or deletes, one comment or many."""

from flask import g, request
from flask.views import MethodView
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from service import domain
from service.api.moderation.access import (
    acting_moderator,
    blp,
    load_comment,
    moderators_of_comment,
    scoped_to_own_comments,
)
from service.auth import Role, require_role
from service.errors import domain_status
from service.extensions import db

ACTIONS = [action.value for action in domain.MODERATOR_ACTIONS]
MAX_BULK_ITEMS = 200


class DecisionInSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


class DecisionOutSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    version = fields.Integer()


class BulkItemSchema(Schema):
    id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


class BulkDecisionInSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ACTIONS))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    items = fields.List(
        fields.Nested(BulkItemSchema), required=True, validate=validate.Length(1, MAX_BULK_ITEMS)
    )


class BulkResultSchema(Schema):
    id = fields.Integer()
    ok = fields.Boolean()
    status = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    code = fields.Integer()
    message = fields.String()


class BulkOutSchema(Schema):
    results = fields.List(fields.Nested(BulkResultSchema))


ITEM_ID = BulkItemSchema(only=("id",), unknown=EXCLUDE)


def item_sites() -> list[int]:
    """Name the site of the comments a bulk body lists, once they are known to be the token's
    own; the view's schema checks the rest of the body."""
    body = request.get_json(silent=True)
    items = body.get("items") if isinstance(body, dict) else None
    ids = set()
    # A longer list than the schema allows is refused anyway: its tail need not be read.
    for item in items[:MAX_BULK_ITEMS] if isinstance(items, list) else []:
        try:
            ids.add(ITEM_ID.load(item)["id"])
        except ValidationError:
            continue
    scoped_to_own_comments(ids)
    return [g.principal.site_id] if ids else []


moderators_of_items = require_role(Role.MODERATOR, Role.ADMIN, sites=item_sites)


@blp.route("/comments/<int:comment_id>/decision")
class CommentDecision(MethodView):
    @moderators_of_comment
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(DecisionInSchema)
    @blp.response(200, DecisionOutSchema)
    @blp.alt_response(409, description="Stale version, or claimed by another moderator.")
    def post(self, data, comment_id: int):
        """Approve, reject, mark as spam or delete a comment."""
        comment = load_comment(comment_id)
        return domain.moderate(
            comment, data["action"], data["reason"], data["version"], acting_moderator()
        )


@blp.route("/decisions")
class BulkDecisions(MethodView):
    @moderators_of_items
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(BulkDecisionInSchema)
    @blp.response(200, BulkOutSchema)
    def post(self, data):
        """Apply one decision to many comments; each item succeeds or fails on its own."""
        # Except another site's comment: the guard refuses the whole batch for it (403).
        results = []
        for item in data["items"]:
            try:
                comment = domain.moderate(
                    load_comment(item["id"]),
                    data["action"],
                    data["reason"],
                    item["version"],
                    acting_moderator(),
                )
                results.append(
                    {
                        "id": comment.id,
                        "ok": True,
                        "status": comment.status,
                        "version": comment.version,
                        "code": 200,
                        "message": "ok",
                    }
                )
            except domain.DomainError as exc:
                db.session.rollback()
                # A conflict says where the comment is now, as the single decision does.
                current = (exc.errors or {}).get("current") or {}
                results.append(
                    {
                        "id": item["id"],
                        "ok": False,
                        "status": current.get("status"),
                        "version": current.get("version"),
                        "code": domain_status(exc),
                        "message": exc.message,
                    }
                )
        return {"results": results}
