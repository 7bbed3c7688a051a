"""Comments from readers: intake, the public thread, the author's status poll, reader flags."""

import functools
import hashlib
import hmac
import math
import secrets
from datetime import timedelta

from flask import current_app, g, redirect, request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, validate, validates
from sqlalchemy.exc import IntegrityError

from service import domain, metrics, render_token
from service.api.common import (
    UTCDateTime,
    client_ip,
    load_body,
    origin_allowed,
    reporter_id,
    site_key_required,
)
from service.api.thread import attach_within_depth, thread
from service.domain.appeals import appeal_of
from service.extensions import db
from service.models import Article, Comment, ModerationEvent, Site, Status, utcnow
from service.queue import enqueue_classify
from service.site_settings import effective_settings
from service.statements import statement

blp = Blueprint("comments", __name__, url_prefix="/v1", description="Reader-facing comments API.")

DUPLICATE_MESSAGE = "Duplicate comment detected; it looks as though you've already said that!"
FLOOD_MESSAGE = "You are posting comments too quickly. Slow down."
STATUS_TOKEN_HEADER = "X-Status-Token"
STATUS_TOKEN_PARAMETER = {
    "in": "header",
    "name": STATUS_TOKEN_HEADER,
    "required": True,
    "schema": {"type": "string"},
    "description": "The status_token returned at submit.",
}
FLAG_REASONS = ("spam", "abuse", "harassment", "hate", "off_topic", "misinformation", "other")

# WordPress's column limits (wp_get_comment_fields_max_lengths).
MAX_AUTHOR, MAX_EMAIL, MAX_URL, MAX_CONTENT = 245, 100, 200, 65525


def blank_or(validator):
    """Accept an empty string (field left blank), else apply validator."""

    def check(value):
        return value == "" or validator(value)

    return check


EMAIL = blank_or(validate.Email())
HTTP_URL = blank_or(validate.URL(schemes={"http", "https"}, require_tld=False))


class ArticleInfoSchema(Schema):
    permalink = fields.Url(
        schemes={"http", "https"}, require_tld=False, validate=validate.Length(max=2000)
    )
    title = fields.String(validate=validate.Length(max=500))


class CommentInSchema(Schema):
    """A comment as an API client or the widget sends it."""

    author_name = fields.String(load_default="", validate=validate.Length(max=MAX_AUTHOR))
    author_email = fields.String(load_default="", validate=[validate.Length(max=MAX_EMAIL), EMAIL])
    author_url = fields.String(load_default="", validate=[validate.Length(max=MAX_URL), HTTP_URL])
    body = fields.String(required=True, validate=validate.Length(max=MAX_CONTENT))
    parent_id = fields.Integer(
        load_default=None, allow_none=True, validate=validate.Range(1, 2**31 - 1)
    )
    article = fields.Nested(ArticleInfoSchema, load_default=dict)
    render_token = fields.String(load_default=None, validate=validate.Length(max=500))
    honeypot = fields.String(load_default=None, validate=validate.Length(max=500))

    @validates("body")
    def body_not_blank(self, value, **_):
        if not value.strip():
            raise ValidationError("Please type your comment text.")


class WordPressFormSchema(CommentInSchema):
    """A comment posted by a WordPress-style HTML form (wp-comments-post.php field names)."""

    class Meta:
        unknown = EXCLUDE  # WordPress forms carry nonces and submit buttons

    author_name = fields.String(
        data_key="author", load_default="", validate=validate.Length(max=MAX_AUTHOR)
    )
    author_email = fields.String(
        data_key="email", load_default="", validate=[validate.Length(max=MAX_EMAIL), EMAIL]
    )
    author_url = fields.String(
        data_key="url", load_default="", validate=validate.Length(max=MAX_URL)
    )
    body = fields.String(
        data_key="comment", required=True, validate=validate.Length(max=MAX_CONTENT)
    )
    parent_id = fields.Integer(data_key="comment_parent", load_default=None, allow_none=True)
    comment_post_id = fields.String(data_key="comment_post_ID", load_default=None)
    render_token = fields.String(data_key="mod_render_token", load_default=None)
    honeypot = fields.String(data_key="mod_hp", load_default=None)
    article = fields.Nested(ArticleInfoSchema, load_default=dict, dump_only=True)

    @post_load
    def no_parent_is_zero(self, data, **_):
        # WordPress forms send comment_parent=0 for a top-level comment.
        if not data.get("parent_id"):
            data["parent_id"] = None
        return data


# Built once: schema construction is a noticeable share of an intake request.
COMMENT_IN, WORDPRESS_FORM = CommentInSchema(), WordPressFormSchema()


class CommentAcceptedSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    status_url = fields.String()
    status_token = fields.String(
        metadata={
            "description": "Shown once: lets the author poll status_url, sent in the "
            "X-Status-Token header."
        }
    )


class PublicCommentSchema(Schema):
    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    author_url = fields.String()
    body = fields.String()
    created_at = UTCDateTime()
    replies = fields.List(fields.Nested(lambda: PublicCommentSchema()))
    replies_cursor = fields.String(
        allow_none=True, metadata={"description": "More replies: pass it as `cursor`."}
    )


class ThreadArgsSchema(Schema):
    order = fields.String(load_default="newest", validate=validate.OneOf(["newest", "oldest"]))
    limit = fields.Integer(load_default=20, validate=validate.Range(1, 100))
    replies = fields.Integer(
        load_default=20,
        validate=validate.Range(1, 100),
        metadata={"description": "Replies shown per comment."},
    )
    cursor = fields.String(
        metadata={
            "description": "A next_cursor (the next page) or a replies_cursor (more replies)."
        }
    )
    site_key = fields.String()


class ThreadSchema(Schema):
    article_id = fields.String()
    title = fields.String()
    is_open = fields.Boolean()
    total = fields.Integer()
    items = fields.List(fields.Nested(PublicCommentSchema))
    next_cursor = fields.String(allow_none=True)


class FormTokenSchema(Schema):
    render_token = fields.String()


class StatementFactSchema(Schema):
    code = fields.String(
        metadata={
            "description": "The reason code (TOXIC:<label>, BANNED_WORD, PREMOD_ARTICLE, ...)."
        }
    )
    text = fields.String(
        metadata={
            "description": "The reason in plain words, or the site's own "
            "wording (site setting reason_texts)."
        }
    )
    label = fields.String(metadata={"description": "TOXIC reasons: the toxicity label."})
    threshold = fields.Float(
        metadata={"description": "TOXIC reasons: the site's threshold the score reached."}
    )
    sentences = fields.List(
        fields.String(),
        metadata={
            "description": "TOXIC reasons: the sentences of the comment that drove the score."
        },
    )
    words = fields.List(
        fields.String(),
        metadata={
            "description": "BANNED_WORD: the entries of the site's list the comment matched."
        },
    )


class StatementModelSchema(Schema):
    name = fields.String()
    version = fields.String()


class StatementWithheldSchema(Schema):
    fact = fields.String(metadata={"description": "spam_checks or decision_process."})
    text = fields.String()
    reason = fields.String(metadata={"description": "Why it is withheld."})


class StatementAppealSchema(Schema):
    url = fields.String(allow_none=True, metadata={"description": "The site's appeal_url."})
    text = fields.String()
    can_appeal = fields.Boolean(
        metadata={"description": "The author may still appeal (POST the status URL's /appeal)."}
    )
    how = fields.String(allow_none=True, metadata={"description": "How to appeal, while one can."})
    status = fields.String(
        allow_none=True,
        metadata={"description": "The author's appeal: open, upheld or overturned; null if none."},
    )
    outcome = fields.String(
        allow_none=True, metadata={"description": "The appeal's state in plain words."}
    )
    reason = fields.String(
        allow_none=True,
        metadata={"description": "The reviewing moderator's reasons, once decided; null if none."},
    )
    decided_at = UTCDateTime(allow_none=True)


class StatementSchema(Schema):
    decision = fields.String(metadata={"description": "The status the author is shown."})
    decided_at = UTCDateTime(allow_none=True)
    language = fields.String()
    summary = fields.String()
    facts = fields.List(fields.Nested(StatementFactSchema))
    automated = fields.Boolean(
        allow_none=True,
        metadata={"description": "Decided by automated means; null where that is withheld."},
    )
    human_review = fields.Boolean(
        allow_none=True,
        metadata={"description": "A moderator took part; null where that is withheld."},
    )
    process = fields.String(allow_none=True)
    model = fields.Nested(StatementModelSchema, allow_none=True)
    withheld = fields.List(fields.Nested(StatementWithheldSchema))
    appeal = fields.Nested(StatementAppealSchema)


class CommentStatusSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    message = fields.String()
    statement = fields.Nested(
        StatementSchema,
        allow_none=True,
        metadata={
            "description": "The statement of reasons, for a comment kept from the public or "
            "published on appeal; null while pending or once published otherwise."
        },
    )


class FlagInSchema(Schema):
    reason = fields.String(required=True, validate=validate.OneOf(FLAG_REASONS))
    note = fields.String(load_default="", validate=validate.Length(max=500))


class FlagOutSchema(Schema):
    id = fields.Integer()
    comment_id = fields.Integer()
    reason = fields.String()


STATUS_MESSAGES = {
    Status.PENDING: "Your comment has been received and is being checked.",
    Status.APPROVED: "Your comment is published.",
    Status.HELD: "Your comment is awaiting moderation.",
    Status.REJECTED: "Your comment was not published.",
    Status.DELETED: "Your comment was removed.",
}
# What the author is told: a spam verdict reads as held, as WordPress tells a spam comment's
# author it awaits moderation, so a bot cannot test what the spam stage catches.
AUTHOR_STATUS = {status: status for status in STATUS_MESSAGES} | {Status.SPAM: Status.HELD}


# Intake's statements are built once: building a SQLAlchemy statement costs more Python time
# than SQLite takes to run it.
FIND_ARTICLE = db.select(Article).where(
    Article.site_id == db.bindparam("site_id"), Article.external_id == db.bindparam("external_id")
)
INSERT_COMMENT = Comment.__table__.insert().returning(Comment.__table__.c.id)


def find_article(site: Site, external_id: str) -> Article | None:
    return db.session.scalar(FIND_ARTICLE, {"site_id": site.id, "external_id": external_id})


MAX_ARTICLE_ID = Article.external_id.type.length


def resolve_article(site: Site, external_id: str, info: dict) -> Article:
    """Return the article, creating it on first comment where the site allows."""
    article = find_article(site, external_id)
    if article is not None:
        return article
    if not effective_settings(site)["auto_create_articles"]:
        abort(404, message=f"Unknown article {external_id!r} for this site.")
    if len(external_id) > MAX_ARTICLE_ID:  # the column's size, and the admin API's limit
        abort(
            422,
            message=f"An article id is at most {MAX_ARTICLE_ID} characters.",
            errors={"path": {"article_id": [f"Longer than maximum length {MAX_ARTICLE_ID}."]}},
        )
    permalink = info.get("permalink") or ""
    referrer = request.referrer or ""
    if not permalink and referrer and origin_allowed(site, referrer):
        permalink = referrer.split("#", 1)[0]
    if permalink and not origin_allowed(site, permalink):
        abort(
            422,
            message="The article permalink is not on this site's origins.",
            errors={"json": {"article": {"permalink": ["Not on this site's origins."]}}},
        )
    article = Article(
        site_id=site.id, external_id=external_id, permalink=permalink, title=info.get("title") or ""
    )
    try:
        # A savepoint: when two first comments race to create the article, one insert loses.
        with db.session.begin_nested():
            db.session.add(article)
    except IntegrityError:
        article = find_article(site, external_id)
    return article


def check_parent(article: Article, parent_id: int | None, location: str) -> None:
    if parent_id is None:
        return
    parent = db.session.get(Comment, parent_id)
    problem = None
    if parent is None or parent.site_id != article.site_id:
        problem = "The comment you are replying to does not exist."
    elif parent.article_id != article.id:
        problem = "The comment you are replying to belongs to another article."
    elif parent.status != Status.APPROVED:
        problem = "You can only reply to published comments."
    if problem:
        field = "comment_parent" if location == "form" else "parent_id"
        abort(422, message=problem, errors={location: {field: [problem]}})


@functools.cache
def duplicate_and_flood_query(reply: bool, with_email: bool, flood: bool):
    """Build (once per shape) the query behind check_duplicate_and_flood."""
    param = db.bindparam
    same = db.select(Comment.id).where(
        Comment.article_id == param("article_id"),
        Comment.body == param("body"),
        Comment.status != Status.DELETED,
        (Comment.parent_id == param("parent_id")) if reply else Comment.parent_id.is_(None),
        (Comment.author_email == param("author_email"))
        if with_email
        else (Comment.author_name == param("author_name")),
    )
    checks = [same.limit(1).scalar_subquery()]
    if flood:
        who = Comment.ip == param("ip")
        if with_email:
            who = who | (Comment.author_email == param("author_email"))
        checks.append(
            db.select(db.func.max(Comment.created_at))
            .where(
                Comment.site_id == param("site_id"),
                Comment.created_at > param("since"),
                who,
            )
            .scalar_subquery()
        )
    return db.select(*checks)


def check_duplicate_and_flood(
    site: Site, article: Article, data: dict, settings: dict, ip: str
) -> None:
    """Refuse the same comment twice (409) and comments too close together (429), in one query.

    WordPress's duplicate check (same article, parent, author and text) and its flood check (a
    second comment from the same IP or email within the flood interval).
    """
    interval = settings["flood_seconds"]
    if interval is None:
        interval = current_app.config["FLOOD_SECONDS"]
    query = duplicate_and_flood_query(
        bool(data["parent_id"]), bool(data["author_email"]), bool(interval)
    )
    params = {
        "article_id": article.id,
        "body": data["body"],
        "parent_id": data["parent_id"],
        "author_email": data["author_email"],
        "author_name": data["author_name"],
        "ip": ip,
        "site_id": site.id,
        "since": utcnow() - timedelta(seconds=interval or 0),
    }
    duplicate, *last = db.session.execute(query, params).one()
    if duplicate is not None:
        abort(409, message=DUPLICATE_MESSAGE)
    if last and last[0] is not None:
        wait = math.ceil(interval - (utcnow() - last[0]).total_seconds())
        abort(429, message=FLOOD_MESSAGE, headers={"Retry-After": str(max(wait, 1))})


def request_signals(
    site: Site, article: Article, data: dict, settings: dict, location: str
) -> dict:
    """Collect what the bot checks need from this request."""
    signals: dict = {}
    if data.get("honeypot"):
        signals["honeypot"] = data["honeypot"][:200]
    token = data.get("render_token")
    elapsed = render_token.elapsed_seconds(token, site.id, article.external_id) if token else None
    if elapsed is None and settings["require_render_token"]:
        # Forged, made for another article, expired or missing: the site asked for a real one.
        field = "mod_render_token" if location == "form" else "render_token"
        problem = "Invalid render token." if token else "Missing render token."
        abort(
            422,
            message="This form has expired; reload the page and try again.",
            errors={location: {field: [problem]}},
        )
    if token:
        signals["render_elapsed_s"] = elapsed
        if elapsed is None:
            signals["render_token"] = "invalid"  # the spam stage's BAD_RENDER_TOKEN signal
    return signals


def form_referrer(site: Site) -> str:
    """Return the page a form was posted from when it is on the site's origins, else ""."""
    referrer = request.referrer or ""
    return referrer.split("#", 1)[0] if referrer and origin_allowed(site, referrer) else ""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@blp.route("/articles/<string:article_id>/comments")
class ArticleComments(MethodView):
    @site_key_required
    @blp.doc(
        security=[{"siteKey": []}],
        requestBody={
            "required": True,
            "content": {
                "application/json": {"schema": CommentInSchema},
                "application/x-www-form-urlencoded": {"schema": WordPressFormSchema},
            },
        },
    )
    @blp.response(202, CommentAcceptedSchema)
    @blp.alt_response(303, description="Form post from a browser: back to the article.")
    @blp.alt_response(409, description="A duplicate: the same comment again (WordPress's message).")
    @blp.alt_response(
        429,
        description="Too soon after this reader's last comment (the flood "
        "check), or over a rate limit; see Retry-After.",
    )
    def post(self, article_id: str):
        """Submit a comment (JSON, or a WordPress comment form)."""
        site = g.site
        site_id = site.id
        data, is_form = load_body(COMMENT_IN, WORDPRESS_FORM)
        location = "form" if is_form else "json"
        if is_form and data.get("comment_post_id") not in (None, "", article_id):
            abort(
                422,
                message="comment_post_ID does not match the article in the URL.",
                errors={"form": {"comment_post_ID": ["Does not match the article."]}},
            )
        if is_form and data["author_url"] and "://" not in data["author_url"]:
            data["author_url"] = "http://" + data["author_url"]  # as WordPress does
        # Stored lower case, so compared lower case by the duplicate and flood checks.
        data["author_email"] = data["author_email"].lower()
        article = resolve_article(site, article_id, data.get("article") or {})
        settings = effective_settings(site, article)
        if not article.is_open:
            abort(403, message="Comments are closed for this article.")
        if settings["require_name_email"] and not (data["author_name"] and data["author_email"]):
            missing = [f for f in ("author_name", "author_email") if not data[f]]
            names = {"author_name": "author", "author_email": "email"} if is_form else {}
            abort(
                422,
                message="Please fill the required fields (name, email).",
                errors={location: {names.get(f, f): ["Required."] for f in missing}},
            )
        check_parent(article, data["parent_id"], location)
        data["parent_id"] = attach_within_depth(
            data["parent_id"], settings["thread_comments_depth"]
        )
        ip = client_ip()
        check_duplicate_and_flood(site, article, data, settings, ip)

        status_token = secrets.token_urlsafe(16)
        # The page to send a browser's form post back to, found before the commit expires rows.
        back = (article.permalink or form_referrer(site)) if is_form else ""
        comment_id = db.session.connection().scalar(
            INSERT_COMMENT,
            {
                "site_id": site.id,
                "article_id": article.id,
                "parent_id": data["parent_id"],
                "author_name": data["author_name"],
                "author_email": data["author_email"],
                "author_url": data["author_url"],
                "body": data["body"],
                "ip": ip,
                "user_agent": request.user_agent.string[:500],
                "referrer": (request.referrer or "")[:2000],
                "signals": request_signals(site, article, data, settings, location),
                "status": Status.PENDING,
                "status_token_hash": hash_token(status_token),
                "enqueued_at": utcnow(),
            },
        )
        # Committed before the response: a comment that got a 202 is never lost.
        db.session.commit()
        enqueued = bool(enqueue_classify([comment_id]))
        if not enqueued:
            # The broker is down: the sweeper sends it once the broker is back.
            db.session.execute(
                db.update(Comment).where(Comment.id == comment_id).values(enqueued_at=None)
            )
            db.session.commit()
        current_app.logger.info(
            "comment.received", extra={"comment_id": comment_id, "site_id": site_id}
        )
        metrics.COMMENTS_RECEIVED.labels(location, str(enqueued).lower()).inc()

        if is_form and request.accept_mimetypes.accept_html:
            # Never the status token: a URL lands in history, logs and Referer headers.
            target = f"{back}#comment-{comment_id}" if back else url_for("pages.comment_received")
            return redirect(target, code=303)
        status_url = url_for("comments.CommentStatus", comment_id=comment_id, _external=True)
        return (
            {
                "id": comment_id,
                "status": Status.PENDING.value,
                "status_url": status_url,
                "status_token": status_token,
            },
            202,
            {"Location": status_url},
        )

    @site_key_required
    @blp.doc(security=[{"siteKey": []}])
    @blp.arguments(ThreadArgsSchema, location="query")
    @blp.response(200, ThreadSchema)
    def get(self, args, article_id: str):
        """Read an article's approved comments, threaded."""
        site = g.site
        article = find_article(site, article_id)
        if article is None:
            if not effective_settings(site)["auto_create_articles"]:
                abort(404, message=f"Unknown article {article_id!r} for this site.")
            return {
                "article_id": article_id,
                "title": "",
                "is_open": True,
                "total": 0,
                "items": [],
                "next_cursor": None,
            }
        return thread(article, args)


@blp.route("/articles/<string:article_id>/form-token")
class FormToken(MethodView):
    @site_key_required
    @blp.doc(security=[{"siteKey": []}])
    @blp.response(200, FormTokenSchema)
    def get(self, article_id: str):
        """Issue the signed render token a comment form carries."""
        site = g.site
        return {"render_token": render_token.issue(site.id, article_id)}


@blp.route("/comments/<int:comment_id>/status")
class CommentStatus(MethodView):
    @blp.doc(parameters=[STATUS_TOKEN_PARAMETER])
    @blp.response(200, CommentStatusSchema)
    @blp.alt_response(400, description="The token was sent in the URL.")
    def get(self, comment_id: int):
        """Poll a comment's status with the token returned at submit (in a header)."""
        return author_status(authors_comment(comment_id))


def authors_comment(comment_id: int) -> Comment:
    """Return the comment whose status token the request carries (in a header), else 404."""
    if "token" in request.args:
        # URLs end up in access logs, proxies and browser history: tokens stay out of them.
        abort(
            400,
            message=f"Send the status token in the {STATUS_TOKEN_HEADER} header, not in the URL.",
            errors={"query": {"token": [f"Use the {STATUS_TOKEN_HEADER} header."]}},
        )
    token = request.headers.get(STATUS_TOKEN_HEADER, "")
    comment = db.session.get(Comment, comment_id)
    if (
        comment is None
        or not token
        or not hmac.compare_digest(comment.status_token_hash, hash_token(token))
    ):
        abort(404, message="No comment with that id and status token.")
    g.site = comment.site  # so the site's own origins get CORS headers for the poll
    return comment


def author_status(comment: Comment) -> dict:
    """What the author is told of their comment: its status and statement of reasons."""
    shown = AUTHOR_STATUS[Status(comment.status)]
    events = db.session.scalars(
        db.select(ModerationEvent)
        .where(ModerationEvent.comment_id == comment.id)
        .order_by(ModerationEvent.id)
    ).all()
    settings = effective_settings(comment.site, comment.article)
    return {
        "id": comment.id,
        "status": shown,
        "message": STATUS_MESSAGES[shown],
        "statement": statement(comment, list(events), settings, shown.value, appeal_of(comment.id)),
    }


@blp.route("/comments/<int:comment_id>/flags")
class CommentFlags(MethodView):
    @site_key_required
    @blp.doc(security=[{"siteKey": []}])
    @blp.arguments(FlagInSchema)
    @blp.response(201, FlagOutSchema)
    @blp.alt_response(409, description="This reader has reported this comment already.")
    def post(self, data, comment_id: int):
        """Report a comment to the moderators."""
        site = g.site
        return domain.flag(site.id, comment_id, data["reason"], data["note"], reporter_id(site.id))
