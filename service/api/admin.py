"""Admin API: sites, their settings, articles, site and server keys, moderator tokens."""

from functools import wraps

from flask import g, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import Schema, ValidationError, fields, validate, validates

from service.admin_ops import (
    checked_browser_origins,
    create_site,
    create_token,
    issue_server_key,
    upsert_article,
)
from service.api.common import (
    UTCDateTime,
    decode_cursor,
    encode_cursor,
    normalize_origin,
    origin_allowed,
)
from service.auth import NameTaken, create_key, require_role, revoke
from service.extensions import db
from service.models import ApiKey, Article, ModerationMode, Role, ScoreFeedback, Site
from service.site_cache import site_cache
from service.site_settings import SiteSettingsSchema, check_effective, effective_settings

blp = Blueprint("admin", __name__, url_prefix="/v1/admin", description="Sites, articles, keys.")


# An admin token scoped to a site administers that site only: its settings, articles, keys and
# tokens. Creating sites, and tokens for every site, takes an unscoped admin token. The guards
# refuse a caller before the input is read.
def token_site(**_) -> list[int | None]:
    """Name the site a new token is for (None: every site), read before the body is validated."""
    body = request.get_json(silent=True)
    site_id = body.get("site_id") if isinstance(body, dict) else None
    return [site_id if isinstance(site_id, int) and not isinstance(site_id, bool) else None]


admins = require_role(Role.ADMIN)
site_admins = require_role(Role.ADMIN, sites=lambda site_id, **_: [site_id])


def key_site(key_id: int, **_) -> list[int]:
    """Name the site of a key (none for a missing key or an unscoped token: 404 decides)."""
    key = db.session.get(ApiKey, key_id)
    return [key.site_id] if key is not None and key.site_id is not None else []


# Refuses a token scoped to another site before the body is read.
key_admins = require_role(Role.ADMIN, sites=key_site)
token_admins = require_role(Role.ADMIN, sites=token_site)


def unscoped(view):
    """Refuse a site-scoped admin token (under the role guard, before the input is read)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.principal.site_id is not None:
            abort(
                403, message="This token is scoped to one site; this needs an unscoped admin token."
            )
        return view(*args, **kwargs)

    return wrapper


class OriginList(fields.List):
    def __init__(self, **kwargs):
        super().__init__(fields.String(validate=validate.Length(1, 300)), **kwargs)


class SiteInSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(1, 200))
    origins = OriginList(required=True, validate=validate.Length(1, 50))
    settings = fields.Nested(SiteSettingsSchema, load_default=dict)

    @validates("origins")
    def origins_are_urls(self, value, **_):
        bad = [o for o in value if not normalize_origin(o)]
        if bad:
            raise ValidationError(f"Not an origin (scheme://host[:port]): {', '.join(bad)}")


class SitePatchSchema(SiteInSchema):
    name = fields.String(validate=validate.Length(1, 200))
    origins = OriginList(validate=validate.Length(1, 50))
    settings = fields.Nested(SiteSettingsSchema)


class SiteOutSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    origins = fields.List(fields.String())
    settings = fields.Dict()
    effective_settings = fields.Dict()
    created_at = UTCDateTime()
    site_key = fields.String(metadata={"description": "Only in the creation response."})


class ArticleInSchema(Schema):
    external_id = fields.String(required=True, validate=validate.Length(1, 200))
    permalink = fields.Url(schemes={"http", "https"}, require_tld=False, load_default="")
    title = fields.String(load_default="", validate=validate.Length(max=500))
    is_open = fields.Boolean(load_default=True)
    moderation_mode = fields.String(
        allow_none=True,
        load_default=None,
        validate=validate.OneOf([m.value for m in ModerationMode]),
    )
    settings = fields.Nested(SiteSettingsSchema, load_default=dict)


class ArticlePatchSchema(Schema):
    permalink = fields.Url(schemes={"http", "https"}, require_tld=False)
    title = fields.String(validate=validate.Length(max=500))
    is_open = fields.Boolean()
    moderation_mode = fields.String(
        allow_none=True, validate=validate.OneOf([m.value for m in ModerationMode])
    )
    settings = fields.Nested(SiteSettingsSchema)


class ArticleOutSchema(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    external_id = fields.String()
    permalink = fields.String()
    title = fields.String()
    is_open = fields.Boolean()
    moderation_mode = fields.String(allow_none=True)
    settings = fields.Dict()


class TokenInSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf([Role.MODERATOR, Role.ADMIN]))
    site_id = fields.Integer(
        allow_none=True, load_default=None, validate=validate.Range(1, 2**31 - 1)
    )
    name = fields.String(load_default="", validate=validate.Length(max=200))


class ServerKeyInSchema(Schema):
    name = fields.String(load_default="", validate=validate.Length(max=200))
    browser_origins = fields.List(
        fields.String(validate=validate.Length(max=300)),
        load_default=None,
        validate=validate.Length(max=50),
        metadata={
            "description": "Site origins whose pages may call the Perspective endpoints "
            "with this key from the browser (CORS); absent or empty: "
            "server to server only."
        },
    )


class KeyPatchSchema(Schema):
    browser_origins = fields.List(
        fields.String(validate=validate.Length(max=300)),
        required=True,
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "As at creation; null or [] makes it server to server only."},
    )


class KeyOutSchema(Schema):
    id = fields.Integer()
    role = fields.String()
    site_id = fields.Integer(allow_none=True)
    name = fields.String()
    created_at = UTCDateTime()
    revoked_at = UTCDateTime(allow_none=True)
    browser_origins = fields.List(fields.String(), allow_none=True)
    key = fields.String(metadata={"description": "Only in the creation response."})


SUGGESTIONS_CURSOR = "score-suggestions"


class ScoreSuggestionsArgsSchema(Schema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(metadata={"description": "The previous page's `next_cursor`."})


class ScoreSuggestionSchema(Schema):
    id = fields.Integer()
    created_at = UTCDateTime()
    text = fields.String()
    attribute_scores = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        metadata={"description": "As the client sent them: summaryScore and spanScores."},
    )
    languages = fields.List(fields.String())
    client_token = fields.String()
    community_id = fields.String()


class ScoreSuggestionsSchema(Schema):
    items = fields.List(
        fields.Nested(ScoreSuggestionSchema), metadata={"description": "Newest first."}
    )
    next_cursor = fields.String(
        allow_none=True,
        metadata={"description": "Pass as `cursor` for older ones; null at the end."},
    )


def find_article(site: Site, external_id: str) -> Article | None:
    return db.session.scalar(
        db.select(Article).where(Article.site_id == site.id, Article.external_id == external_id)
    )


def browser_origins(site: Site, origins: list[str]) -> list[str]:
    """Return origins normalised; 422 naming each one that is not one of the site's."""
    kept, problems = checked_browser_origins(site, origins)
    if problems:
        abort(
            422,
            message="A browser origin must be one of the site's origins.",
            errors={"json": {"browser_origins": problems}},
        )
    return kept


def get_site(site_id: int) -> Site:
    site = db.session.get(Site, site_id)
    if site is None:
        abort(404, message=f"No site {site_id}.")
    return site


def settings_conflict(site: Site, article: Article | None = None) -> None:
    """Answer 422 when the merged settings contradict each other; change nothing."""
    try:
        check_effective(site, article)
    except ValidationError as err:
        db.session.rollback()
        abort(422, message="Invalid input.", errors={"json": {"settings": err.messages}})


def check_permalink(site: Site, permalink: str | None) -> None:
    """Refuse a permalink outside the site's origins, as intake does."""
    if permalink and not origin_allowed(site, permalink):
        abort(
            422,
            message="Invalid input.",
            errors={
                "json": {
                    "permalink": [f"Not on one of the site's origins: {', '.join(site.origins)}."]
                }
            },
        )


def site_out(site: Site, **extra) -> dict:
    return {
        "id": site.id,
        "name": site.name,
        "origins": site.origins,
        "settings": site.settings,
        "effective_settings": effective_settings(site),
        "created_at": site.created_at,
        **extra,
    }


@blp.route("/sites")
class Sites(MethodView):
    @admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, SiteOutSchema(many=True))
    def get(self):
        """List sites (a site-scoped admin sees its own)."""
        query = db.select(Site).order_by(Site.id)
        if g.principal.site_id is not None:
            query = query.where(Site.id == g.principal.site_id)
        return [site_out(s) for s in db.session.scalars(query)]

    @admins
    @unscoped
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(SiteInSchema)
    @blp.response(201, SiteOutSchema)
    def post(self, data):
        """Create a site and its first site key (shown once)."""
        settings_conflict(Site(settings=data["settings"]))
        site, key = create_site(data["name"], data["origins"], data["settings"])
        return site_out(site, site_key=key)


@blp.route("/sites/<int:site_id>")
class SiteItem(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, SiteOutSchema)
    def get(self, site_id: int):
        """Show a site with its effective settings."""
        return site_out(get_site(site_id))

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(SitePatchSchema)
    @blp.response(200, SiteOutSchema)
    def patch(self, data, site_id: int):
        """Change a site's name, origins or settings (settings keys merge)."""
        site = get_site(site_id)
        if "settings" in data:
            site.settings = {**(site.settings or {}), **data.pop("settings")}
        for name, value in data.items():
            setattr(site, name, value)
        settings_conflict(site)
        db.session.commit()
        site_cache().clear()
        return site_out(site)


@blp.route("/sites/<int:site_id>/articles")
class Articles(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ArticleOutSchema(many=True))
    def get(self, site_id: int):
        """List a site's articles."""
        get_site(site_id)
        return db.session.scalars(
            db.select(Article).where(Article.site_id == site_id).order_by(Article.id)
        ).all()

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ArticleInSchema)
    @blp.response(201, ArticleOutSchema)
    @blp.alt_response(409, description="The article exists already: PATCH it.")
    def post(self, data, site_id: int):
        """Register an article ahead of its first comment."""
        site = get_site(site_id)
        external_id = data.pop("external_id")
        if find_article(site, external_id) is not None:
            abort(
                409,
                message=f"Article {external_id!r} already exists on site {site_id}; "
                f"change it with PATCH /v1/admin/sites/{site_id}/articles/"
                f"{external_id}.",
            )
        check_permalink(site, data["permalink"])
        settings_conflict(site, Article(settings=data["settings"]))
        return upsert_article(site, external_id, **data)


@blp.route("/sites/<int:site_id>/articles/<string:external_id>")
class ArticleItem(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ArticlePatchSchema)
    @blp.response(200, ArticleOutSchema)
    def patch(self, data, site_id: int, external_id: str):
        """Open or close an article, or change its moderation mode and settings (keys merge)."""
        site = get_site(site_id)
        article = find_article(site, external_id)
        if article is None:
            abort(404, message=f"No article {external_id!r} on site {site_id}.")
        check_permalink(site, data.get("permalink"))
        if "settings" in data:  # merged as a site's are: a threshold change keeps the rest
            data["settings"] = {**(article.settings or {}), **data["settings"]}
        settings_conflict(site, Article(settings=data.get("settings", article.settings)))
        return upsert_article(site, external_id, **data)


@blp.route("/sites/<int:site_id>/keys")
class SiteKeys(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, KeyOutSchema(many=True))
    def get(self, site_id: int):
        """List a site's keys and tokens (never their secrets)."""
        get_site(site_id)
        return db.session.scalars(db.select(ApiKey).where(ApiKey.site_id == site_id)).all()

    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(201, KeyOutSchema)
    def post(self, site_id: int):
        """Create another public site key (shown once)."""
        site = get_site(site_id)
        key, plaintext = create_key(
            Role.SITE, site.id, name=f"{site.name} widget", suffix_if_taken=True
        )
        db.session.commit()
        key.key = plaintext  # shown in this response only
        return key


@blp.route("/sites/<int:site_id>/score-suggestions")
class ScoreSuggestions(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ScoreSuggestionsArgsSchema, location="query")
    @blp.response(200, ScoreSuggestionsSchema)
    def get(self, args, site_id: int):
        """The scores Perspective clients suggested for texts (`comments:suggestscore`): Coral
        sends its moderators' decisions there."""
        get_site(site_id)
        query = db.select(ScoreFeedback).where(ScoreFeedback.site_id == site_id)
        if "cursor" in args:
            [before] = decode_cursor(args["cursor"], kind=SUGGESTIONS_CURSOR)
            query = query.where(ScoreFeedback.id < before)
        rows = db.session.scalars(
            query.order_by(ScoreFeedback.id.desc()).limit(args["limit"] + 1)
        ).all()
        items = rows[: args["limit"]]
        more = len(rows) > args["limit"]
        next_cursor = encode_cursor([items[-1].id], kind=SUGGESTIONS_CURSOR) if more else None
        return {"items": items, "next_cursor": next_cursor}


@blp.route("/sites/<int:site_id>/server-keys")
class SiteServerKeys(MethodView):
    @site_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(ServerKeyInSchema)
    @blp.response(201, KeyOutSchema)
    @blp.alt_response(409, description="A key or token has that name already.")
    def post(self, data, site_id: int):
        """Create a secret server key for Akismet and Perspective calls (shown once)."""
        site = get_site(site_id)
        origins = browser_origins(site, data["browser_origins"] or [])
        try:
            key_id, plaintext = issue_server_key(site.id, data["name"], origins)
        except NameTaken as exc:
            abort(409, message=str(exc), errors={"json": {"name": ["Already in use."]}})
        key = db.session.get(ApiKey, key_id)
        key.key = plaintext  # shown in this response only
        return key


@blp.route("/tokens")
class Tokens(MethodView):
    @token_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(TokenInSchema)
    @blp.response(201, KeyOutSchema)
    @blp.alt_response(404, description="No site with that site_id.")
    @blp.alt_response(409, description="A key or token has that name already.")
    def post(self, data):
        """Create a moderator or admin token, optionally scoped to one site (shown once)."""
        scope = g.principal.site_id
        if scope is not None and data["site_id"] != scope:
            abort(
                403,
                message=f"This token is scoped to site {scope}: "
                f"it can only create tokens for that site (site_id {scope}).",
            )
        if data["site_id"] is not None:
            get_site(data["site_id"])
        try:
            key_id, token = create_token(Role(data["role"]), data["site_id"], data["name"])
        except NameTaken as exc:
            abort(409, message=str(exc), errors={"json": {"name": ["Already in use."]}})
        key = db.session.get(ApiKey, key_id)
        key.key = token  # shown in this response only
        return key


@blp.route("/keys/<int:key_id>")
class KeyItem(MethodView):
    @key_admins
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(KeyPatchSchema)
    @blp.response(200, KeyOutSchema)
    @blp.alt_response(409, description="Not a server key: only those take browser origins.")
    def patch(self, data, key_id: int):
        """Set the origins whose pages may use a server key from the browser (CORS)."""
        key = db.session.get(ApiKey, key_id)
        if key is None:
            abort(404, message=f"No key {key_id}.")
        if key.role != Role.SERVER:
            abort(
                409,
                message="Only a server key can be used from the browser; a public site "
                "key works everywhere its site's origins do.",
            )
        key.browser_origins = browser_origins(key.site, data["browser_origins"] or []) or None
        db.session.commit()
        return key

    @admins
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, KeyOutSchema)
    def delete(self, key_id: int):
        """Revoke a key or token."""
        key = db.session.get(ApiKey, key_id)
        if key is None:
            abort(404, message=f"No key {key_id}.")
        if g.principal.site_id is not None and key.site_id != g.principal.site_id:
            abort(403, message="This token is scoped to another site.")
        if key.id == g.principal.key_id:
            abort(409, message="Refusing to revoke the token making this request.")
        revoke(key)
        db.session.commit()
        site_cache().clear()
        return key
