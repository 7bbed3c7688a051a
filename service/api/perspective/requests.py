"""Reading requests: the JSON body, the comment, attributes, languages and the key."""

import json

from flask import g, request
from marshmallow import Schema, ValidationError

from service.api.common import read_body
from service.api.perspective.attributes import ATTRIBUTES
from service.api.perspective.cors import check_browser_origin
from service.api.perspective.errors import invalid, key_error
from service.api.perspective.schemas import MAX_TEXT_BYTES, PROBABILITY
from service.api.perspective.violations import google_message, proto_path, violations
from service.auth import SITE_KEY_MISUSED, find_server_key, is_site_key
from service.models import Site

# Object fields and array items in a body, all levels together: a request is a few dozen, and
# checking a million tiny ones (1 MiB of "{}," context entries) would cost far more CPU
# (bench/adversarial.py measures it: perspective_values).
MAX_JSON_VALUES = 1000


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
        raise invalid(
            "Invalid JSON payload received. Expected an object at the top level, "
            f"got {type(body).__name__}."
        )
    if too_many_values(body, MAX_JSON_VALUES):
        raise invalid(
            f"Invalid JSON payload received. More than {MAX_JSON_VALUES} fields and list items."
        )
    try:
        return schema.load(body)
    except ValidationError as err:
        found = [
            (proto_path(path), google_message(path, field, value, message))
            for path, field, value, message in violations(err.messages, schema, body, [])
        ]
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
        raise invalid(
            f"Comment text was too many bytes. Value ({size}) exceeded limit ({MAX_TEXT_BYTES}).",
            [("comment.text", "Too many bytes.")],
        )
    if comment.get("type") == "HTML":
        raise invalid(
            "Currently, only 'PLAIN_TEXT' comments are supported",
            [("comment.type", "Only PLAIN_TEXT is supported.")],
        )
    context = data.get("context") or {}
    if context.get("entries") and context.get("article_and_parent_comment") is not None:
        raise invalid(
            "Context can have either entries or article_and_parent_comment, but both "
            "fields were populated."
        )
    return text


def requested_attributes(data: dict) -> dict[str, dict]:
    """Return attribute -> parameters, in request order, checked as Google checks them."""
    attributes = data.get("requested_attributes") or {}
    if not attributes:
        raise invalid(
            "Missing requested_attributes",
            [("requested_attributes", "At least one attribute is required.")],
        )
    for name, params in attributes.items():
        if name not in ATTRIBUTES:
            raise invalid(
                f"Unknown requested attribute: {name}",
                [(f"requested_attributes[{name}]", "Available: " + ", ".join(ATTRIBUTES))],
            )
        score_type = params.get("score_type") or PROBABILITY
        if score_type not in (PROBABILITY, "SCORE_TYPE_UNSPECIFIED"):
            raise invalid(f"Requested score type {score_type} is not supported by attribute {name}")
        threshold = params.get("score_threshold")
        if threshold is not None and not 0.0 <= threshold <= 1.0:
            raise invalid(
                f"Invalid value at 'requested_attributes[{name}].score_threshold' "
                f"(TYPE_FLOAT), {threshold}: a probability threshold is between 0 and 1"
            )
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
        raise key_error(
            400, f"API key not valid. Please pass a valid API key.{hint}", "API_KEY_INVALID"
        )
    site = key.site
    check_browser_origin(key)
    g.site, g.api_key_id = site, key.id
    return site
