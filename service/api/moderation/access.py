"""The review API's blueprint and who may call it: roles, a token's site scope, /me."""

from typing import NoReturn

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, fields

from service import domain
from service.auth import Principal, require_role
from service.extensions import db
from service.models import Comment, Role

blp = Blueprint(
    "moderation", __name__, url_prefix="/v1/moderation", description="Review API for moderators."
)

moderators = require_role(Role.MODERATOR, Role.ADMIN)


def acting_moderator() -> domain.Actor:
    """The calling token, as the domain's transitions record it."""
    principal: Principal = g.principal
    return domain.Actor(principal.name, principal.key_id, principal.role == Role.ADMIN)


def load_comment(comment_id: int) -> Comment:
    """Return the comment if the token may see it: another site's is refused like a missing one."""
    comment = db.session.get(Comment, comment_id)
    scoped_to = g.principal.site_id
    if scoped_to is not None and (comment is None or comment.site_id != scoped_to):
        not_on_the_tokens_site([comment_id])
    return domain.find_comment(comment_id) if comment is None else comment


def not_on_the_tokens_site(comment_ids: list[int]) -> NoReturn:
    """Refuse a site-scoped token comments that are not on its site, missing ones included.

    Another site's comment and a comment that does not exist get the same 403, so the token
    cannot learn which ids exist on other sites.
    """
    listed = ", ".join(map(str, comment_ids[:10])) + (", ..." if len(comment_ids) > 10 else "")
    abort(403, message=f"This token's site has no comment {listed}.")


def scoped_to_own_comments(comment_ids) -> None:
    """Refuse a site-scoped token the request if any of comment_ids is not on its site."""
    if not comment_ids:
        return
    found = dict(
        db.session.execute(
            db.select(Comment.id, Comment.site_id).where(Comment.id.in_(comment_ids))
        ).all()
    )
    foreign = sorted(i for i in comment_ids if found.get(i) != g.principal.site_id)
    if foreign:
        not_on_the_tokens_site(foreign)


# The guards below run for site-scoped tokens only (an unscoped token may act on any site).
def comment_site(comment_id: int) -> list[int]:
    """Name the site of the URL's comment, once it is known to be the token's own."""
    scoped_to_own_comments([comment_id])
    return [g.principal.site_id]


def site_argument() -> list[int]:
    """Name the site_id query argument if it is a number; the view's schema checks the rest."""
    site_id = request.args.get("site_id", type=int)
    return [] if site_id is None else [site_id]


# Views that read input name the sites it acts on, so that a token scoped to another site is
# refused before the input is validated; the views check the validated input again.
moderators_of_comment = require_role(Role.MODERATOR, Role.ADMIN, sites=comment_site)
moderators_of_site_argument = require_role(Role.MODERATOR, Role.ADMIN, sites=site_argument)


class MeSchema(Schema):
    name = fields.String()
    role = fields.String()
    site_id = fields.Integer(allow_none=True)


@blp.route("/me")
class Me(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, MeSchema)
    def get(self):
        """Say who the token belongs to: name, role and site scope."""
        principal: Principal = g.principal
        return {"name": principal.name, "role": principal.role, "site_id": principal.site_id}
