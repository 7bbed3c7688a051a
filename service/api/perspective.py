"""Perspective API compatible endpoints: comments:analyze and comments:suggestscore.

Tools that speak Google's Perspective API (Coral Talk, the `perspective` PyPI client, ...)
switch to this service by changing the endpoint URL and using a site's server key as the API key.
Requests, responses and errors follow Google's commentanalyzer v1alpha1, errors included:
`{"error": {"code", "message", "status"}}` on these routes, not the service's usual shape.

The API process loads no model: analyze sends the text to the workers' "score" queue and
waits SCORE_TIMEOUT_S; a timeout or a broker outage answers 503 with Retry-After.

Which attributes and languages can be scored? Workers publish their model in Redis
(service.worker_status). analyze checks a request against that first (cached a few seconds),
so a request no worker can answer gets its 400 without costing a model run. That view can
be stale or empty (no worker published yet, a rolling upgrade), so the answer is checked
again against the worker's reply, which names the labels and languages of the model that
actually scored: that second check is the authoritative one.
"""

import json
import math
import re
import time
import uuid
from contextlib import ExitStack, suppress

import redis
from celery.exceptions import TaskRevokedError
from celery.exceptions import TimeoutError as ResultTimeout
from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint
from kombu.exceptions import OperationalError as BrokerError
from marshmallow import RAISE, Schema, ValidationError, fields, validate
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from service import private_text, queue, score_timeouts
from service.api.common import normalize_origin, origin_allowed, read_body
from service.auth import SITE_KEY_MISUSED, find_server_key, is_site_key
from service.errors import forget_failed_transaction
from service.extensions import celery, db
from service.logs import redact
from service.models import ScoreFeedback, Site
from service.queue import SCORE_TASK
from service.score_waits import TooManyWaits, score_wait
from service.worker_status import active_models

blp = Blueprint(
    "perspective", __name__, url_prefix="/",
    description="Google Perspective API compatible endpoints (commentanalyzer v1alpha1). "
                "Errors on these routes use Google's JSON error shape.",
)

# Perspective attribute -> the Detoxify label that scores it.
ATTRIBUTES = {
    "TOXICITY": "toxicity",
    "SEVERE_TOXICITY": "severe_toxicity",
    "IDENTITY_ATTACK": "identity_attack",
    "INSULT": "insult",
    "PROFANITY": "obscene",
    "THREAT": "threat",
    "SEXUALLY_EXPLICIT": "sexual_explicit",
}
MAX_TEXT_BYTES = 20480  # Google's limit on comment.text, in UTF-8 bytes
# Object fields and array items in a body, all levels together: a request is a few dozen, and
# checking a million tiny ones (1 MiB of "{}," context entries) would cost far more CPU
# (bench/adversarial.py measures it: perspective_values).
MAX_JSON_VALUES = 1000
SCORE_TYPES = ("SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW")
TEXT_TYPES = ("TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML")
PROBABILITY = "PROBABILITY"
CAPABILITIES_TTL_S = 5.0
GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
    405: "UNIMPLEMENTED", 409: "ABORTED", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
    501: "UNIMPLEMENTED", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}
MESSAGE_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1."


# --- Errors in Google's shape ----------------------------------------------------------------


class GoogleError(HTTPException):
    """An error answered as Google APIs do: {"error": {"code", "message", "status", "details"}}."""

    def __init__(self, code: int, message: str, details: list | None = None,
                 retry_after: int | None = None):
        super().__init__(message)
        self.code = code
        self.status = GOOGLE_STATUS.get(code, "UNKNOWN")
        self.details = details or []
        self.retry_after = retry_after


def invalid(message: str, violations: list[tuple[str, str]] | None = None) -> GoogleError:
    details = None
    if violations:
        details = [{"@type": "type.googleapis.com/google.rpc.BadRequest",
                    "fieldViolations": [{"field": f, "description": d} for f, d in violations]}]
    return GoogleError(400, message, details)


def key_error(code: int, message: str, reason: str) -> GoogleError:
    return GoogleError(code, message, [{
        "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason,
        "domain": "googleapis.com", "metadata": {"service": "commentanalyzer.googleapis.com"},
    }])


@blp.errorhandler(HTTPException)
def google_error(exc: HTTPException):
    """Answer every HTTP error on these routes in Google's shape."""
    if exc.code == 413:
        # Google answers an oversized payload with 400 and this wording.
        exc = invalid("Request payload size exceeds the limit: "
                      f"{current_app.config['MAX_REQUEST_BYTES']} bytes.")
    if not isinstance(exc, GoogleError):
        exc = GoogleError(exc.code or 500, exc.description or "Error.")
    error = {"code": exc.code, "message": exc.description, "status": exc.status}
    if exc.details:
        error["details"] = exc.details
    response = current_app.json.response({"error": error})
    response.status_code = exc.code
    if exc.retry_after:
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


@blp.errorhandler(OperationalError)
def database_down(exc: OperationalError):
    forget_failed_transaction(exc)
    return google_error(GoogleError(503, "The service is currently unavailable.", retry_after=5))


# --- Schemas: Google's messages, camelCase on the wire ------------------------------------------


class StrictBoolean(fields.Boolean):
    """What protobuf's JSON parser accepts for a bool: true/false, or the strings "true" and
    "false" (Coral Talk 4 sends `"doNotStore": "true"`); not "yes", not 1."""

    PROTO_WORDS = {"true": True, "false": False}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value in self.PROTO_WORDS:
            return self.PROTO_WORDS[value]
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class GoogleSchema(Schema):
    class Meta:
        unknown = RAISE  # Google refuses unknown field names


class TextEntrySchema(GoogleSchema):
    text = fields.String(required=True, allow_none=True,
                         metadata={"description": f"UTF-8 text, at most {MAX_TEXT_BYTES} bytes."})
    type = fields.String(allow_none=True, validate=validate.OneOf(TEXT_TYPES),
                         metadata={"description": "Only PLAIN_TEXT is supported."})


class ArticleAndParentCommentSchema(GoogleSchema):
    article = fields.Nested(TextEntrySchema, allow_none=True)
    parent_comment = fields.Nested(TextEntrySchema, data_key="parentComment", allow_none=True)


class ContextSchema(GoogleSchema):
    entries = fields.List(fields.Nested(TextEntrySchema), allow_none=True)
    article_and_parent_comment = fields.Nested(
        ArticleAndParentCommentSchema, data_key="articleAndParentComment", allow_none=True)


class AttributeParametersSchema(GoogleSchema):
    score_type = fields.String(data_key="scoreType", allow_none=True,
                               validate=validate.OneOf(SCORE_TYPES),
                               metadata={"description": "Only PROBABILITY is supported."})
    score_threshold = fields.Float(data_key="scoreThreshold", allow_none=True,
                                   metadata={"description": "Scores below it are left out."})


class AnalyzeCommentRequestSchema(GoogleSchema):
    comment = fields.Nested(TextEntrySchema, required=True)
    context = fields.Nested(ContextSchema, allow_none=True,
                            metadata={"description": "Accepted and ignored, as by Google."})
    requested_attributes = fields.Dict(
        data_key="requestedAttributes", required=True, keys=fields.String(),
        values=fields.Nested(AttributeParametersSchema),
        metadata={"description": "Attribute name -> parameters: " + ", ".join(ATTRIBUTES)})
    languages = fields.List(fields.String(), allow_none=True,
                            metadata={"description": "ISO 639-1 codes; detected when absent."})
    do_not_store = StrictBoolean(data_key="doNotStore", allow_none=True)
    span_annotations = StrictBoolean(data_key="spanAnnotations", allow_none=True)
    client_token = fields.String(data_key="clientToken", allow_none=True)
    session_id = fields.String(data_key="sessionId", allow_none=True)
    community_id = fields.String(data_key="communityId", allow_none=True)
    drop_unsupported_attributes = StrictBoolean(data_key="dropUnsupportedAttributes",
                                                allow_none=True)


class ScoreSchema(GoogleSchema):
    value = fields.Float(allow_none=True)
    type = fields.String(allow_none=True, validate=validate.OneOf(SCORE_TYPES))


class SpanScoreSchema(GoogleSchema):
    begin = fields.Integer(strict=True, allow_none=True,
                           metadata={"description": "UTF-16 code unit offset, inclusive."})
    end = fields.Integer(strict=True, allow_none=True,
                         metadata={"description": "UTF-16 code unit offset, exclusive."})
    score = fields.Nested(ScoreSchema, allow_none=True)


class AttributeScoresSchema(GoogleSchema):
    summary_score = fields.Nested(ScoreSchema, data_key="summaryScore", allow_none=True)
    span_scores = fields.List(fields.Nested(SpanScoreSchema), data_key="spanScores",
                              allow_none=True)


class AnalyzeCommentResponseSchema(Schema):
    attribute_scores = fields.Dict(data_key="attributeScores", keys=fields.String(),
                                   values=fields.Nested(AttributeScoresSchema))
    languages = fields.List(fields.String())
    detected_languages = fields.List(fields.String(), data_key="detectedLanguages")
    client_token = fields.String(data_key="clientToken")


class SuggestCommentScoreRequestSchema(GoogleSchema):
    comment = fields.Nested(TextEntrySchema, required=True)
    context = fields.Nested(ContextSchema, allow_none=True)
    attribute_scores = fields.Dict(data_key="attributeScores", required=True, keys=fields.String(),
                                   values=fields.Nested(AttributeScoresSchema))
    languages = fields.List(fields.String(), allow_none=True)
    community_id = fields.String(data_key="communityId", allow_none=True)
    client_token = fields.String(data_key="clientToken", allow_none=True)
    session_id = fields.String(data_key="sessionId", allow_none=True)
    do_not_store = StrictBoolean(
        data_key="doNotStore", allow_none=True,
        metadata={"description": "Not in Google's API: when true the suggestion is checked and "
                                 "answered but nothing is stored."})


class SuggestCommentScoreResponseSchema(Schema):
    client_token = fields.String(data_key="clientToken")
    detected_languages = fields.List(fields.String(), data_key="detectedLanguages")
    requested_languages = fields.List(fields.String(), data_key="requestedLanguages")


class GoogleStatusSchema(Schema):
    code = fields.Integer()
    message = fields.String()
    status = fields.String()
    details = fields.List(fields.Dict())


class GoogleErrorSchema(Schema):
    error = fields.Nested(GoogleStatusSchema)


ANALYZE_REQUEST, SUGGEST_REQUEST = AnalyzeCommentRequestSchema(), SuggestCommentScoreRequestSchema()


# --- Reading requests -------------------------------------------------------------------------


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def proto_path(path: list) -> str:
    """Render a path as Google's messages do: requested_attributes[TOXICITY].score_threshold."""
    out = ""
    for part in path:
        if isinstance(part, tuple):  # a map key or a list index
            out += f"[{part[0]}]"
        else:
            out += ("." if out else "") + snake(part)
    return out


def type_name(field) -> str:
    if isinstance(field, fields.List):
        return type_name(field.inner)
    if isinstance(field, fields.Nested):
        return MESSAGE_TYPE + type(field.schema).__name__.removesuffix("Schema")
    if isinstance(field, fields.Dict):
        return f"map<string, {type_name(field.value_field)}>"
    if isinstance(field, fields.Boolean):
        return "TYPE_BOOL"
    if isinstance(field, fields.Integer):
        return "TYPE_INT32"
    if isinstance(field, fields.Float):
        return "TYPE_FLOAT"
    if isinstance(field, fields.String) and field.validate:
        return "TYPE_ENUM"
    return "TYPE_STRING"


def violations(messages, schema: Schema, data, path: list):
    """Yield (path, field, value, message) for each marshmallow error, walking the schema."""
    by_key = {(f.data_key or name): f for name, f in schema.fields.items()}
    for key, sub in messages.items():
        value = data.get(key) if isinstance(data, dict) else None
        if key == "_schema":
            yield path, None, data, sub[0]
        elif key not in by_key:
            yield [*path, key], None, value, "Unknown field."
        else:
            yield from field_violations(sub, by_key[key], value, [*path, key])


def field_violations(messages, field, value, path: list):
    if isinstance(messages, list) or (isinstance(field, fields.Nested)
                                      and not isinstance(value, dict)):
        yield path, field, value, messages[0] if isinstance(messages, list) else "Invalid."
    elif isinstance(field, fields.Nested):
        yield from violations(messages, field.schema, value, path)
    elif isinstance(field, fields.List):
        for index, sub in messages.items():
            yield from field_violations(sub, field.inner, value[index], [*path, (index,)])
    elif isinstance(field, fields.Dict):
        for map_key, sub in messages.items():
            if "key" in sub:
                yield [*path, (map_key,)], field.key_field, map_key, sub["key"][0]
            if "value" in sub:
                yield from field_violations(sub["value"], field.value_field, value[map_key],
                                            [*path, (map_key,)])


REQUIRED_MESSAGES = {
    "comment": "Comment must be non-empty.",
    "comment.text": "Comment must be non-empty.",
    "requested_attributes": "Missing requested_attributes",
    "attribute_scores": "Missing attribute_scores",
}


def google_message(path: list, field, value, message: str) -> str:
    where = proto_path(path)
    if message == "Unknown field.":
        parent = proto_path(path[:-1])
        at = f" at '{parent}'" if parent else ""
        return f'Invalid JSON payload received. Unknown name "{path[-1]}"{at}: Cannot find field.'
    if message == "Missing data for required field.":
        return REQUIRED_MESSAGES.get(where, f"Missing {where}")
    if field is None:
        return f"Invalid value at '{where}': {message}"
    return f"Invalid value at '{where}' ({type_name(field)}), {json.dumps(value)}"


def load_google(schema: Schema) -> dict:
    """Parse the JSON body with schema; any problem is a 400 worded as Google's."""
    raw = read_body()
    try:
        body = json.loads(raw.decode("utf-8")) if raw.strip() else {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid(f"Invalid JSON payload received. {exc}.") from None
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise invalid("Invalid JSON payload received. Expected an object at the top level, "
                      f"got {type(body).__name__}.")
    if too_many_values(body, MAX_JSON_VALUES):
        raise invalid(f"Invalid JSON payload received. More than {MAX_JSON_VALUES} fields and "
                      "list items.")
    try:
        return schema.load(body)
    except ValidationError as err:
        found = [(proto_path(path), google_message(path, field, value, message))
                 for path, field, value, message in violations(err.messages, schema, body, [])]
        found.sort()
        raise invalid(found[0][1], found) from None


def too_many_values(body, limit: int) -> bool:
    """Tell whether body holds more than limit object fields and array items in all."""
    pending, seen = [body], 0
    while pending:
        value = pending.pop()
        if isinstance(value, dict | list):
            children = value.values() if isinstance(value, dict) else value
            seen += len(children)
            if seen > limit:
                return True
            pending.extend(children)
    return False


def comment_text(data: dict) -> str:
    """Return comment.text, checked as Google checks it."""
    comment = data.get("comment") or {}
    text = comment.get("text") or ""
    if not text:
        raise invalid("Comment must be non-empty.", [("comment.text", "Must be non-empty.")])
    size = len(text.encode("utf-8"))
    if size > MAX_TEXT_BYTES:
        raise invalid(f"Comment text was too many bytes. Value ({size}) exceeded limit "
                      f"({MAX_TEXT_BYTES}).", [("comment.text", "Too many bytes.")])
    if comment.get("type") == "HTML":
        raise invalid("Currently, only 'PLAIN_TEXT' comments are supported",
                      [("comment.type", "Only PLAIN_TEXT is supported.")])
    context = data.get("context") or {}
    if context.get("entries") and context.get("article_and_parent_comment") is not None:
        raise invalid("Context can have either entries or article_and_parent_comment, but both "
                      "fields were populated.")
    return text


def requested_attributes(data: dict) -> dict[str, dict]:
    """Return attribute -> parameters, in request order, checked as Google checks them."""
    attributes = data.get("requested_attributes") or {}
    if not attributes:
        raise invalid("Missing requested_attributes",
                      [("requested_attributes", "At least one attribute is required.")])
    for name, params in attributes.items():
        if name not in ATTRIBUTES:
            raise invalid(f"Unknown requested attribute: {name}",
                          [(f"requested_attributes[{name}]",
                            "Available: " + ", ".join(ATTRIBUTES))])
        score_type = params.get("score_type") or PROBABILITY
        if score_type not in (PROBABILITY, "SCORE_TYPE_UNSPECIFIED"):
            raise invalid(f"Requested score type {score_type} is not supported by attribute {name}")
        threshold = params.get("score_threshold")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise invalid(f"Invalid value at 'requested_attributes[{name}].score_threshold' "
                          f"(TYPE_FLOAT), {threshold}: a probability threshold is between 0 and 1")
    return attributes


def request_languages(data: dict) -> list[str]:
    languages = [code.strip() for code in data.get("languages") or []]
    if any(not code for code in languages):
        raise invalid("Invalid value at 'languages': a language code is empty")
    return languages


def base_language(code: str) -> str:
    """'en-US' -> 'en': models name languages by ISO 639-1 code."""
    return code.replace("_", "-").split("-", 1)[0].lower()


def site_from_key() -> Site:
    """Return the site whose key is in ?key= (or X-Goog-Api-Key), refused as Google does."""
    plaintext = request.args.get("key") or request.headers.get("X-Goog-Api-Key")
    if not plaintext:
        raise key_error(403, "The request is missing a valid API key.", "API_KEY_MISSING")
    key = find_server_key(plaintext)
    if key is None:
        hint = f" {SITE_KEY_MISUSED}" if is_site_key(plaintext) else ""
        raise key_error(400, f"API key not valid. Please pass a valid API key.{hint}",
                        "API_KEY_INVALID")
    site = key.site
    check_browser_origin(key)
    g.site, g.api_key_id = site, key.id
    return site


# --- Calls from browsers (CORS) ---------------------------------------------------------------


def check_browser_origin(key) -> None:
    """Refuse a browser call (it sends Origin) unless the key lists that origin, as Google
    refused a key restricted to other referrers; server-to-server calls send no Origin."""
    origin = request.headers.get("Origin")
    if not origin:
        return
    # "null" (a sandboxed frame, a file: page) is no key's origin: refused like any other.
    allowed = {normalize_origin(o) for o in key.browser_origins or []}
    if normalize_origin(origin) not in allowed or not origin_allowed(key.site, origin):
        raise key_error(403, f"Requests from referer {origin} are blocked.",
                        "API_KEY_HTTP_REFERRER_BLOCKED")


@blp.after_request
def cors_headers(response):
    """Let browser pages read the answers (errors too), and answer preflights for any origin;
    the key decides on the real request (check_browser_origin), as at Google."""
    origin = request.headers.get("Origin")
    if origin:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-Goog-Api-Key"
            response.headers["Access-Control-Max-Age"] = "3600"
    return response


# --- What the workers can score -------------------------------------------------------------

_published: dict = {"url": None, "at": -math.inf, "value": None}


def published_capabilities() -> dict | None:
    """Return the labels and languages the workers' published models cover, or None if none."""
    url = current_app.config["REDIS_URL"]
    now = time.monotonic()
    if _published["url"] == url and now - _published["at"] < CAPABILITIES_TTL_S:
        return _published["value"]
    models = active_models(url)["models"]
    value = None
    if models:
        value = {"labels": set().union(*(m.get("labels") or () for m in models)),
                 "languages": set().union(*(m.get("languages") or () for m in models)),
                 "name": ", ".join(sorted({m.get("name", "?") for m in models}))}
    _published.update(url=url, at=now, value=value)
    return value


def supported_attributes(attributes: dict[str, dict], languages: list[str], model: dict,
                         drop: bool) -> dict[str, dict]:
    """Keep the attributes model can score in languages; 400 (or drop them) for the others.

    model holds the "labels", "languages" and "name" of what scores (or will score) the text.
    """
    unsupported = [code for code in languages if base_language(code) not in set(model["languages"])]
    kept = {}
    for name, params in attributes.items():
        if unsupported:  # Google's wording, which clients written for it may look for
            problem = ("Attribute {} does not support request languages: {}"
                       .format(name, ", ".join(unsupported)))
        elif ATTRIBUTES[name] not in set(model["labels"]):
            available = [a for a, label in ATTRIBUTES.items() if label in set(model["labels"])]
            problem = (f"Attribute {name} is not supported by the active model ({model['name']});"
                       f" available attributes: {', '.join(available)}")
        else:
            kept[name] = params
            continue
        if not drop:
            raise invalid(problem, [(f"requested_attributes[{name}]", problem)])
    return kept


# --- Scoring by the workers -----------------------------------------------------------------


def unavailable(message: str, retry_after: float) -> GoogleError:
    return GoogleError(503, message, retry_after=max(1, math.ceil(retry_after)))


_redis: dict = {}
RATE_LIMITED = {"@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED", "domain": "googleapis.com",
                "metadata": {"service": "commentanalyzer.googleapis.com"}}


def redis_client() -> redis.Redis:
    """Return this process's client for the score-wait slots and private texts."""
    url = current_app.config["REDIS_URL"]
    if _redis.get("url") != url:
        timeout = max(2.0, float(current_app.config["SCORE_TIMEOUT_S"]))
        _redis.update(url=url, client=redis.Redis.from_url(
            url, socket_connect_timeout=1, socket_timeout=timeout))
    return _redis["client"]


def score_with_a_slot(key_id: int, text: str, languages: list[str], private: bool) -> dict:
    """Score text while holding one of the capped waiting slots (per key and in total)."""
    config = current_app.config
    timeout = float(config["SCORE_TIMEOUT_S"])
    retry_after = max(1, math.ceil(timeout))
    try:
        with score_wait(redis_client(), key_id, timeout + 5, int(config["SCORE_MAX_WAITS"]),
                        int(config["SCORE_MAX_WAITS_PER_KEY"])):
            return score_remotely(text, languages, private)
    except TooManyWaits as full:
        current_app.logger.warning("perspective.too_many_waits", extra={"scope": full.scope})
        if full.scope == "key":
            raise GoogleError(429, "Too many requests with this API key are waiting for a score; "
                              "retry shortly.", [RATE_LIMITED], retry_after=retry_after) from None
        raise unavailable("Too many requests are waiting for a score; retry shortly.",
                          retry_after) from None
    except redis.RedisError as exc:
        current_app.logger.warning("perspective.score_unavailable",
                                   extra={"error": type(exc).__name__})
        raise unavailable("The scoring queue is unavailable; try again shortly.",
                          queue.breaker.pause_s) from None


def score_remotely(text: str, languages: list[str], private: bool = False) -> dict:
    """Have a worker score text; 503 when the broker is down or no answer comes in time.

    A private (doNotStore) text never rides in the task message, which Redis may persist: it
    goes to the worker over pub/sub once the worker listens (service.private_text).
    """
    timeout = float(current_app.config["SCORE_TIMEOUT_S"])
    deadline = time.monotonic() + timeout
    task_id = str(uuid.uuid4())
    with ExitStack() as stack:
        if private:
            client, ref = redis_client(), uuid.uuid4().hex
            pubsub = stack.enter_context(private_text.handoff(client, ref))
            args, kwargs = ["", languages], {"text_ref": ref}
        else:
            args, kwargs = [text, languages], {}
        # argsrepr: Celery logs and publishes a task's args repr; the text must not be in it.
        sent = queue.send(SCORE_TASK, args, kwargs=kwargs, task_id=task_id, expires=timeout,
                          argsrepr=f"('<{len(text)} chars>', {languages!r})", kwargsrepr="{}")
        if not sent:
            raise unavailable("The scoring queue is unavailable; try again shortly.",
                              queue.breaker.pause_s)
        if private and not private_text.hand_over(client, pubsub, ref, text, deadline):
            raise score_timeout(timeout)
    result = celery.AsyncResult(task_id)
    try:
        answer = result.get(timeout=max(0.1, deadline - time.monotonic()))
    except (ResultTimeout, TaskRevokedError):
        raise score_timeout(timeout) from None
    except (redis.RedisError, BrokerError, OSError) as exc:
        current_app.logger.warning("perspective.score_unavailable",
                                   extra={"error": type(exc).__name__})
        raise unavailable("The scoring queue is unavailable; try again shortly.",
                          queue.breaker.pause_s) from None
    except Exception as exc:  # the task raised on the worker (e.g. an older worker lacks it)
        current_app.logger.error("perspective.score_failed", extra={"error": type(exc).__name__})
        raise GoogleError(500, "Internal error encountered.") from None
    finally:
        with suppress(Exception):  # the answer holds no text; this only tidies Redis
            result.forget()
    if "error" in answer:
        raise GoogleError(500, "Internal error encountered.")
    return answer


def score_timeout(timeout: float) -> GoogleError:
    current_app.logger.warning("perspective.score_timeout", extra={"timeout_s": timeout})
    score_timeouts.record()
    return unavailable(f"No scoring worker answered within {timeout:g} s; try again shortly.",
                       timeout)


def utf16_offsets(text: str):
    """Return a function mapping a character offset of text to a UTF-16 code unit offset."""
    if text.isascii():
        return lambda offset: offset
    return lambda offset: len(text[:offset].encode("utf-16-le")) // 2


def attribute_scores(attributes: dict[str, dict], answer: dict, text: str,
                     with_spans: bool) -> dict:
    """Build attributeScores: thresholds applied, spans in UTF-16 offsets as Google's."""
    to_utf16 = utf16_offsets(text)
    # A one-sentence comment has no sentence spans: its one span is the whole text.
    spans = answer["spans"] or [{"begin": 0, "end": len(text), "scores": answer["scores"]}]
    scores = {}
    for name, params in attributes.items():
        label = ATTRIBUTES[name]
        value = answer["scores"].get(label)
        threshold = params.get("score_threshold")
        if value is None or (threshold is not None and value < threshold):
            continue
        entry = {"summary_score": {"value": value, "type": PROBABILITY}}
        if with_spans:
            entry["span_scores"] = [
                {"begin": to_utf16(span["begin"]), "end": to_utf16(span["end"]),
                 "score": {"value": span["scores"][label], "type": PROBABILITY}}
                for span in spans if label in span["scores"]
            ]
        scores[name] = entry
    return scores


# --- Views -------------------------------------------------------------------------------------

KEY_PARAMETERS = [
    {"in": "query", "name": "key", "schema": {"type": "string"},
     "description": "The site's server key, in place of a Google API key."},
    {"in": "header", "name": "X-Goog-Api-Key", "schema": {"type": "string"},
     "description": "The server key, as a header instead of ?key=."},
]
GOOGLE_DEFAULT_ERROR = {"default": {
    "description": "Error, in Google's JSON shape.",
    "content": {"application/json": {"schema": GoogleErrorSchema}},
}}


def json_body(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


@blp.route("/v1alpha1/comments:analyze")
class AnalyzeComment(MethodView):
    @blp.doc(parameters=KEY_PARAMETERS, requestBody=json_body(AnalyzeCommentRequestSchema),
             responses=GOOGLE_DEFAULT_ERROR, operationId="commentanalyzer.comments.analyze")
    @blp.response(200, AnalyzeCommentResponseSchema)
    @blp.alt_response(400, schema=GoogleErrorSchema,
                      description="Invalid request, invalid key, or an attribute or language "
                                  "the active model cannot score.")
    @blp.alt_response(403, schema=GoogleErrorSchema,
                      description="Missing key, or an Origin the site does not allow.")
    @blp.alt_response(500, schema=GoogleErrorSchema, description="The model failed.")
    @blp.alt_response(429, schema=GoogleErrorSchema,
                      headers={"Retry-After": {"schema": {"type": "integer"}}},
                      description="SCORE_MAX_WAITS_PER_KEY calls with this key already wait.")
    @blp.alt_response(503, schema=GoogleErrorSchema,
                      headers={"Retry-After": {"schema": {"type": "integer"}}},
                      description="No worker answered within SCORE_TIMEOUT_S, the broker is "
                                  "down, or SCORE_MAX_WAITS calls already wait.")
    def post(self):
        """Score a comment's attributes (Perspective AnalyzeComment)."""
        started = time.monotonic()
        site = site_from_key()
        data = load_google(ANALYZE_REQUEST)
        text = comment_text(data)
        attributes = requested_attributes(data)
        languages = request_languages(data)
        drop = bool(data.get("drop_unsupported_attributes"))
        published = published_capabilities()
        if published is not None:  # answer what no worker can score before queueing it
            attributes = supported_attributes(attributes, languages, published, drop)
        answer = score_with_a_slot(g.api_key_id, text, languages,
                                   bool(data.get("do_not_store")))
        detected = answer["language"] or "und"
        # Google scores in the request's languages, else in the detected one.
        attributes = supported_attributes(attributes, languages or [detected], answer["model"],
                                          drop)

        response = {"languages": languages or [detected], "detected_languages": [detected]}
        scores = attribute_scores(attributes, answer, text, bool(data.get("span_annotations")))
        if scores:
            response["attribute_scores"] = scores
        if data.get("client_token"):
            response["client_token"] = data["client_token"]
        fields_logged = {
            "site_id": site.id, "attributes": list(attributes), "text_chars": len(text),
            "language": detected, "model": answer["model"]["name"],
            "do_not_store": bool(data.get("do_not_store")),
            "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
        }
        if not data.get("do_not_store"):
            fields_logged["text"] = redact(current_app.config, text)
        current_app.logger.info("perspective.analyzed", extra=fields_logged)
        return response


@blp.route("/v1alpha1/comments:suggestscore")
class SuggestCommentScore(MethodView):
    @blp.doc(parameters=KEY_PARAMETERS, requestBody=json_body(SuggestCommentScoreRequestSchema),
             responses=GOOGLE_DEFAULT_ERROR, operationId="commentanalyzer.comments.suggestscore")
    @blp.response(200, SuggestCommentScoreResponseSchema)
    @blp.alt_response(400, schema=GoogleErrorSchema, description="Invalid request or key.")
    @blp.alt_response(403, schema=GoogleErrorSchema,
                      description="Missing key, or an Origin the site does not allow.")
    @blp.alt_response(429, schema=GoogleErrorSchema,
                      headers={"Retry-After": {"schema": {"type": "integer"}}},
                      description="Too many requests with this key (RATE_LIMIT_COMPAT_PER_KEY).")
    @blp.alt_response(503, schema=GoogleErrorSchema,
                      headers={"Retry-After": {"schema": {"type": "integer"}}},
                      description="The database is unavailable.")
    def post(self):
        """Store the scores a client suggests for a text (Perspective SuggestCommentScore).

        Google stores every suggestion; here `doNotStore: true` (an extension) stores nothing.
        """
        site = site_from_key()
        data = load_google(SUGGEST_REQUEST)
        text = comment_text(data)
        suggested = suggested_scores(data, text)
        languages = request_languages(data)
        do_not_store = bool(data.get("do_not_store"))
        if not do_not_store:
            db.session.add(ScoreFeedback(
                site_id=site.id, text=text, attribute_scores=suggested, languages=languages,
                client_token=(data.get("client_token") or "")[:200],
                community_id=(data.get("community_id") or "")[:200],
            ))
            db.session.commit()
        current_app.logger.info("perspective.score_suggested", extra={
            "site_id": site.id, "attributes": list(suggested), "text_chars": len(text),
            "do_not_store": do_not_store})
        response = {"detected_languages": [detected_language(text)]}
        if data.get("client_token"):
            response["client_token"] = data["client_token"]
        if languages:
            response["requested_languages"] = languages
        return response


def detected_language(text: str) -> str:
    """Name the text's language as Google's detectedLanguages does ("und" when unsure)."""
    # Imported on first use: the identifier's model would slow every API process's start.
    from workers.classifiers.language import identify_language

    return identify_language(text)


def suggested_scores(data: dict, text: str) -> dict:
    """Return attributeScores as the client sent them (camelCase), checked as Google checks them."""
    attribute_scores_in = data.get("attribute_scores") or {}
    if not attribute_scores_in:
        raise invalid("attribute_scores must not be empty.",
                      [("attribute_scores", "At least one attribute is required.")])
    length = len(text.encode("utf-16-le")) // 2
    stored = {}
    for name, scores in attribute_scores_in.items():
        summary = scores.get("summary_score")
        spans = scores.get("span_scores") or []
        if summary is None and not spans:
            raise invalid(f"attribute_scores[{name}] must have a summary_score or span_scores.")
        entry = {}
        if summary is not None:
            entry["summaryScore"] = checked_score(summary,
                                                  f"attribute_scores[{name}].summary_score")
        for index, span in enumerate(spans):
            where = f"attribute_scores[{name}].span_scores[{index}]"
            begin, end = span.get("begin"), span.get("end")
            if begin is None or end is None:
                raise invalid("All SpanScore objects must have begin and end fields set "
                              f"({where}).")
            if not 0 <= begin <= end <= length:
                raise invalid(f"{where}: begin and end must satisfy 0 <= begin <= end <= "
                              f"{length} (the text's length in UTF-16 code units).")
            entry.setdefault("spanScores", []).append({
                "begin": begin, "end": end,
                "score": checked_score(span.get("score"), f"{where}.score")})
        stored[name] = entry
    return stored


def checked_score(score: dict | None, where: str) -> dict:
    if not score or score.get("value") is None:
        raise invalid(f"All Score objects must be explicitly set ({where}).")
    score_type = score.get("type") or PROBABILITY
    if score_type == PROBABILITY and not 0.0 <= score["value"] <= 1.0:
        raise invalid(f"Invalid value at '{where}.value' (TYPE_FLOAT), {score['value']}: a "
                      "probability is between 0 and 1")
    return {"value": score["value"], "type": score_type}
