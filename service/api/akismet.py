"""Akismet compatible API 1.1: verify-key, comment-check, submit-spam and submit-ham.

Akismet clients (the `akismet` PyPI package, WordPress, contact-form plugins...) switch to this
service by sending their requests here with a site's secret server key as the Akismet API key
(12 hex characters, as Akismet's), in the form or, for clients that call
`https://{key}.rest.akismet.com`, as the leftmost label of the Host; `blog` must be one of the
site's origins. Requests are
form-encoded with Akismet's field names; answers are text/plain, word for word as Akismet's,
problems included: Akismet answers 200 with `invalid` (or a "Missing required field" line) and
explains in X-akismet-debug-help.

comment-check runs the spam stage intake uses (the site's settings, its Redis velocity and
near-duplicate windows, its learned model). It needs no model download, so it runs here in
the API process. submit-spam/ham record the label and ask a worker to train the site's model.
"""

import ipaddress
import uuid
from typing import TYPE_CHECKING

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import EXCLUDE, Schema, fields
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from service import akismet_usage, domain, spam_stage
from service.api.common import normalize_origin, origin_allowed
from service.auth import SITE_KEY_MISUSED, find_server_key, is_site_key, server_key_in_host
from service.errors import forget_failed_transaction
from service.extensions import db
from service.models import Comment, Site, Status
from service.site_settings import effective_settings
from workers.classifiers.reasons import BLATANT, SPAM_VERDICTS

if TYPE_CHECKING:
    from workers.classifiers.spam import SpamVerdict

blp = Blueprint(
    "akismet",
    __name__,
    url_prefix="/",
    description="Akismet API 1.1 compatible endpoints: form-encoded in, text/plain out.",
)

SUBMISSION_THANKS = "Thanks for making the web a better place."
# Akismet's fields plus the server variables WordPress sends are a few dozen; parsing a
# megabyte of empty "a=&a=&..." fields would cost the API process far more (bench/adversarial.py
# measures it: akismet_fields).
MAX_FORM_FIELDS = 1000
TRUE_WORDS = {"1", "true", "yes", "on"}


class AkismetAnswer(Exception):
    """Stop and answer as Akismet would: a 200 text/plain body with a debug-help header."""

    def __init__(self, body: str, debug_help: str):
        super().__init__(body)
        self.body, self.debug_help = body, debug_help


def plain(body: str, status: int = 200, headers: dict | None = None):
    response = current_app.response_class(body, status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


@blp.errorhandler(AkismetAnswer)
def akismet_answer(exc: AkismetAnswer):
    return plain(exc.body, headers={"X-akismet-debug-help": exc.debug_help})


@blp.errorhandler(HTTPException)
def plain_error(exc: HTTPException):
    # Akismet clients read text; the service's JSON error shape would be noise to them.
    return plain(exc.description or "error", status=exc.code or 500)


@blp.errorhandler(OperationalError)
def database_down(exc: OperationalError):
    forget_failed_transaction(exc)
    return plain(
        "The service is temporarily unavailable; try again shortly.",
        status=503,
        headers={"Retry-After": "5"},
    )


@blp.before_app_request
def limit_form_fields():
    # An app-wide hook registered with the blueprint, so it runs before hooks that read the
    # body early (the rate limiter's key function reads the form). Counted on the raw body,
    # before anything parses the form (cached for the parse).
    if request.blueprint == "akismet" and request.mimetype == "application/x-www-form-urlencoded":
        if request.get_data(cache=True).count(b"&") >= MAX_FORM_FIELDS:
            raise RequestEntityTooLarge(f"More than {MAX_FORM_FIELDS} form fields.")


# --- Forms ---------------------------------------------------------------------------------------


class AkismetFormSchema(Schema):
    """Fields every call sends; any other field (server variables...) is accepted and ignored."""

    class Meta:
        unknown = EXCLUDE

    api_key = fields.String(
        load_default="", metadata={"description": "The site's server key (required, or `key`)."}
    )
    key = fields.String(load_default="", metadata={"description": "Older name for api_key."})
    blog = fields.String(
        load_default="", metadata={"description": "The site's URL: one of its origins (required)."}
    )


class CommentFormSchema(AkismetFormSchema):
    """A comment as Akismet's comment-check, submit-spam and submit-ham receive it."""

    user_ip = fields.String(
        load_default="",
        metadata={
            "description": "Required by comment-check; submissions may omit it (WordPress does "
            "after 15 days)."
        },
    )
    user_agent = fields.String(load_default="")
    referrer = fields.String(load_default="")
    permalink = fields.String(load_default="")
    comment_type = fields.String(load_default="comment")
    comment_author = fields.String(load_default="")
    comment_author_email = fields.String(load_default="")
    comment_author_url = fields.String(load_default="")
    comment_content = fields.String(load_default="")
    comment_date_gmt = fields.String(load_default="")
    comment_post_modified_gmt = fields.String(load_default="")
    blog_lang = fields.String(load_default="")
    blog_charset = fields.String(load_default="")
    user_role = fields.String(
        load_default="", metadata={"description": "`administrator`: never spam."}
    )
    honeypot_field_name = fields.String(
        load_default="",
        metadata={
            "description": "Name of a hidden field sent with its value; "
            "a filled one is a bot. WordPress's own "
            "`POST_ak_hp_*` fields are read too."
        },
    )
    recheck_reason = fields.String(load_default="")
    is_test = fields.String(
        load_default="",
        metadata={"description": "1/true: answer, but learn nothing and record nothing."},
    )


AKISMET_FORM, COMMENT_FORM = AkismetFormSchema(), CommentFormSchema()


def load_form(schema: Schema) -> dict:
    # Every field is a plain string: a form cannot fail this load, only the checks after it.
    return schema.load(request.form.to_dict())


def is_true(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


def request_key(*names: str) -> str:
    """Return the key from the first form field of names that has one, else from the Host."""
    for name in names:
        if value := request.form.get(name, "").strip():
            return value
    return server_key_in_host(request.host) or ""


class WrongKey(Exception):
    """verify-key's `invalid` for a key that is not a live server key: a bare word, as Akismet's
    (`@cedx/akismet` turns any debug-help header into an exception)."""


@blp.errorhandler(WrongKey)
def wrong_key(exc: WrongKey):
    current_app.logger.info("akismet.key_refused", extra={"reason": str(exc)})
    return plain("invalid")


def site_for(key: str, blog: str, bare_wrong_key: bool = False) -> Site:
    """Return the site of a server key whose origins include blog; else answer `invalid`."""
    if not key:
        raise AkismetAnswer("invalid", 'Empty "api_key" value')
    found = find_server_key(key)
    if found is None:
        if is_site_key(key.strip()):  # not Akismet's mistake but ours to name: say the fix
            raise AkismetAnswer("invalid", SITE_KEY_MISUSED)
        if bare_wrong_key:
            raise WrongKey("Invalid key")
        raise AkismetAnswer("invalid", "Invalid key")
    if not blog:
        raise AkismetAnswer("invalid", 'Empty "blog" value')
    if not normalize_origin(blog):
        raise AkismetAnswer("invalid", "We were unable to parse your blog URI")
    site = found.site
    if not origin_allowed(site, blog):
        raise AkismetAnswer(
            "invalid", f"The blog {normalize_origin(blog)} is not one of this key's site origins"
        )
    g.api_key_id = found.id  # the feedback's source: one key's weight on the model is capped
    return site


# WordPress's column limits (author 245, email 100, url 200, content 65,525 characters) and the
# service's own for what it stores of the request.
FIELD_CAPS = {
    "comment_author": 245,
    "comment_author_email": 100,
    "comment_author_url": 200,
    "comment_content": 65525,
    "user_ip": 45,
    "user_agent": 500,
    "referrer": 2000,
    "permalink": 2000,
    "comment_type": 50,
    "honeypot_field_name": 200,
}


def check_lengths(form: dict) -> None:
    """Refuse a field longer than WordPress would ever send, naming it and its limit."""
    for name, cap in FIELD_CAPS.items():
        if len(form[name]) > cap:
            raise AkismetAnswer(
                f"Field too long: {name}.",
                f"{name} has {len(form[name])} characters; at most {cap}",
            )


def honeypot_value(form: dict) -> str | None:
    """Return what a bot typed in the form's hidden fields: the field named by
    honeypot_field_name, or WordPress's own (`ak_hp_textarea`, sent on as POST_ak_hp_...)."""
    values = []
    if form["honeypot_field_name"]:
        values.append(request.form.get(form["honeypot_field_name"], ""))
    values += [v for k, v in request.form.items() if k.startswith("POST_ak_hp_")]
    if not values:
        return None
    return next((v for v in values if v.strip()), "")


def require_user_ip(form: dict) -> None:
    if not form["user_ip"].strip():
        raise AkismetAnswer("Missing required field: user_ip.", 'Empty "user_ip" value')


def check_user_ip(form: dict) -> None:
    """Refuse a user_ip that is not an address (it is stored and counted per address)."""
    value = form["user_ip"].strip()
    try:
        if value:
            ipaddress.ip_address(value)
    except ValueError:
        raise AkismetAnswer(
            "Invalid field: user_ip.", f"user_ip {value[:45]!r} is not an IP address"
        ) from None


# Akismet's documented test values: integrators check their wiring with them.
ALWAYS_SPAM_AUTHOR, ALWAYS_SPAM_EMAIL = "viagra-test-123", "akismet-guaranteed-spam@example.com"


def akismet_test_spam(form: dict) -> bool:
    return (
        form["comment_author"].strip() == ALWAYS_SPAM_AUTHOR
        or form["comment_author_email"].strip().lower() == ALWAYS_SPAM_EMAIL
    )


def approved_before(site: Site, email: str) -> int:
    """Count the author's approved comments on the site (the trust signal intake uses)."""
    if not email:
        return 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Comment)
            .where(
                Comment.site_id == site.id,
                Comment.author_email == email.lower(),
                Comment.status == Status.APPROVED,
            )
        )
        or 0
    )


def judge(site: Site, form: dict) -> "SpamVerdict":
    """Run the intake spam stage on an Akismet comment."""
    # Imported on first use: scikit-learn would add seconds to every API process's start.
    from workers.classifiers.spam import SpamInput, check_spam

    honeypot = honeypot_value(form)
    item = SpamInput(
        site_id=site.id,
        article_id=None,
        body=form["comment_content"],
        author_name=form["comment_author"],
        author_email=form["comment_author_email"].lower(),
        author_url=form["comment_author_url"],
        ip=form["user_ip"].strip(),
        user_agent=form["user_agent"],
        referrer=form["referrer"],
        honeypot=honeypot,
        approved_before=approved_before(site, form["comment_author_email"]),
        permalink=form["permalink"],
        comment_type=form["comment_type"] or "comment",
    )
    # A test call must not count towards the site's velocity and near-duplicate windows.
    client = (
        None
        if is_true(form["is_test"])
        else spam_stage.redis_client(current_app.config["REDIS_URL"])
    )
    model = spam_stage.spam_models({site.id}).get(site.id)
    return check_spam(
        item,
        effective_settings(site),
        redis=client,
        model=model,
        secret=current_app.config["SECRET_KEY"],
    )


def is_spam(verdict: "SpamVerdict", settings: dict) -> bool:
    """Akismet has two answers: spam is what the stage would not publish unless a human says so
    because it looks like spam (a hold for links or suspect words alone is the site's policy)."""
    return verdict.action in SPAM_VERDICTS or verdict.probability >= float(settings["spam_hold"])


# --- Views ---------------------------------------------------------------------------------------

PLAIN = "text/plain"
DEBUG_HELP = {
    "X-akismet-debug-help": {
        "schema": {"type": "string"},
        "description": "Why the request was refused "
        "(sent with `invalid` and missing-field answers).",
    }
}
PLAIN_ERRORS = {
    "400": {
        "description": "The form is not UTF-8 (a field, or a percent-escape in it).",
        "content": {PLAIN: {"schema": {"type": "string"}}},
    },
    "429": {
        "description": "Too many requests from this address or with this key.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {PLAIN: {"schema": {"type": "string"}}},
    },
    "413": {
        "description": "The form is larger than MAX_REQUEST_BYTES (1 MiB by default) or "
        "has more than 1000 fields.",
        "content": {PLAIN: {"schema": {"type": "string"}}},
    },
    "503": {
        "description": "The database is unavailable; try again shortly.",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
        "content": {PLAIN: {"schema": {"type": "string"}}},
    },
    "default": {
        "description": "Error, as text.",
        "content": {PLAIN: {"schema": {"type": "string"}}},
    },
}


def form_body(schema) -> dict:
    return {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}


def answer_schema(*words: str) -> dict:
    return {
        "type": "string",
        "example": words[0],
        "description": "One of: " + " | ".join(repr(w) for w in words),
    }


@blp.route("/1.1/verify-key")
class VerifyKey(MethodView):
    @blp.doc(requestBody=form_body(AkismetFormSchema), responses=PLAIN_ERRORS)
    @blp.response(
        200,
        answer_schema("valid", "invalid"),
        content_type=PLAIN,
        headers=DEBUG_HELP,
        description="`valid`, or `invalid` with a debug-help header.",
    )
    def post(self):
        """Check a site key and blog URL (Akismet verify-key)."""
        form = load_form(AKISMET_FORM)
        # verify-key names the key `key`; WordPress also sends its stored key as api_key.
        site_for(request_key("key", "api_key"), form["blog"], bare_wrong_key=True)
        return plain("valid")


@blp.route("/1.1/comment-check")
class CommentCheck(MethodView):
    @blp.doc(requestBody=form_body(CommentFormSchema), responses=PLAIN_ERRORS)
    @blp.response(
        200,
        answer_schema(
            "true",
            "false",
            "invalid",
            "Missing required field: user_ip.",
            "Field too long: comment_content.",
            "Invalid field: user_ip.",
        ),
        content_type=PLAIN,
        description="`true` (spam) or `false`; `invalid`, a missing-field or "
        "a field-too-long line with a debug-help header when "
        "refused.",
        headers={
            **DEBUG_HELP,
            "X-akismet-pro-tip": {
                "schema": {"type": "string", "enum": ["discard"]},
                "description": "`discard`: blatant spam, safe to drop without review.",
            },
            "X-akismet-guid": {
                "schema": {"type": "string"},
                "description": "This check's id (with `true` and `false`).",
            },
        },
    )
    def post(self):
        """Say whether a comment is spam, with the intake's spam stage (Akismet comment-check)."""
        form = load_form(COMMENT_FORM)
        site = site_for(request_key("api_key", "key"), form["blog"])
        check_lengths(form)
        require_user_ip(form)
        check_user_ip(form)
        # Akismet names each checked comment; WordPress stores the GUID with the comment.
        guid = {"X-akismet-guid": uuid.uuid4().hex}
        if form["user_role"].strip().lower() == "administrator":
            # as Akismet: an administrator's content is never spam
            return plain("false", headers=guid)
        if akismet_test_spam(form):
            return plain("true", headers=guid)
        settings = effective_settings(site)
        verdict = judge(site, form)
        current_app.logger.info(
            "akismet.checked",
            extra={
                "site_id": site.id,
                "action": verdict.action,
                "reasons": verdict.reasons,
                "spam": round(verdict.probability, 3),
                "is_test": is_true(form["is_test"]),
            },
        )
        spam = is_spam(verdict, settings)
        if not is_true(form["is_test"]):
            akismet_usage.count(site.id, form["blog"], "spam" if spam else "ham")
        if not spam:
            return plain("false", headers=guid)
        if verdict.action in BLATANT:
            guid["X-akismet-pro-tip"] = "discard"
        return plain("true", headers=guid)


def submit(is_spam_label: bool):
    """Record an Akismet submission as spam feedback and have a worker learn from it."""
    form = load_form(COMMENT_FORM)
    site = site_for(request_key("api_key", "key"), form["blog"])
    check_lengths(form)
    # No user_ip required: WordPress forgets a comment's request data after 15 days and submits
    # older comments without it; the label is worth as much.
    check_user_ip(form)
    text = form["comment_content"]
    if not text.strip():  # nothing to learn from: say so rather than thank for nothing
        raise AkismetAnswer(
            "Missing required field: comment_content.", 'Empty "comment_content" value'
        )
    # A test submission teaches nothing: thank and move on.
    if not is_true(form["is_test"]):
        fields = {
            "author_name": form["comment_author"],
            "author_email": form["comment_author_email"].lower(),
            "author_url": form["comment_author_url"],
            "ip": form["user_ip"].strip(),
            "user_agent": form["user_agent"],
            "referrer": form["referrer"],
        }
        domain.record_spam_submission(
            site.id, is_spam_label, f"akismet:{g.api_key_id}", text, fields
        )
        akismet_usage.count(
            site.id, form["blog"], "missed_spam" if is_spam_label else "false_positives"
        )
        current_app.logger.info(
            "akismet.submitted", extra={"site_id": site.id, "is_spam": is_spam_label}
        )
    return plain(SUBMISSION_THANKS)


SUBMIT_RESPONSE = {
    "content_type": PLAIN,
    "headers": DEBUG_HELP,
    "description": f"`{SUBMISSION_THANKS}`; `invalid`, a missing-field or a field-too-long "
    "line with a debug-help header when refused.",
}


@blp.route("/1.1/submit-spam")
class SubmitSpam(MethodView):
    @blp.doc(requestBody=form_body(CommentFormSchema), responses=PLAIN_ERRORS)
    @blp.response(
        200,
        answer_schema(
            SUBMISSION_THANKS,
            "invalid",
            "Missing required field: comment_content.",
            "Invalid field: user_ip.",
        ),
        **SUBMIT_RESPONSE,
    )
    def post(self):
        """Report a comment the check missed as spam, to train the site (Akismet submit-spam)."""
        return submit(True)


@blp.route("/1.1/submit-ham")
class SubmitHam(MethodView):
    @blp.doc(requestBody=form_body(CommentFormSchema), responses=PLAIN_ERRORS)
    @blp.response(
        200,
        answer_schema(
            SUBMISSION_THANKS,
            "invalid",
            "Missing required field: comment_content.",
            "Invalid field: user_ip.",
        ),
        **SUBMIT_RESPONSE,
    )
    def post(self):
        """Report a comment wrongly called spam, to train the site (Akismet submit-ham)."""
        return submit(False)
