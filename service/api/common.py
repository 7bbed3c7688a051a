"""Helpers the API modules share: the calling site, origins, cursors, client address."""

import base64
import hashlib
import json
import math
from datetime import UTC
from functools import wraps
from urllib.parse import urlsplit

from flask import g, request
from flask_smorest import abort
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import RequestEntityTooLarge

from service.auth import find_key
from service.models import Role, Site
from service.site_cache import site_cache


def normalize_origin(value: str) -> str:
    """Reduce a URL or origin to scheme://host[:port], lower case."""
    parts = urlsplit(value.strip())
    if not parts.scheme or not parts.netloc:
        return ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def origin_allowed(site: Site, origin: str) -> bool:
    return normalize_origin(origin) in {normalize_origin(o) for o in site.origins or []}


def site_key_from_request() -> str | None:
    return (
        request.headers.get("X-Site-Key")
        or request.args.get("site_key")
        or (request.form.get("site_key") if request.mimetype.endswith("form-urlencoded") else None)
    )


def current_site() -> Site:
    """Return the site whose key the request carries; 401 without one, 403 from a foreign origin."""
    plaintext = site_key_from_request()
    site = site_cache().get(plaintext) if plaintext else None
    if site is None:
        key = find_key(plaintext, with_site=True)
        if key is None or key.role != Role.SITE:
            abort(
                401,
                message="A valid site key is required (X-Site-Key header or site_key parameter).",
            )
        site = key.site
        site_cache().put(plaintext, site)
    origin = request.headers.get("Origin")
    # "null" (a sandboxed frame, a file: page) is no site's origin; reads may come from it.
    if origin == "null" and request.method in ("GET", "HEAD", "OPTIONS"):
        origin = None
    if origin and not origin_allowed(site, origin):
        abort(403, message=f"Origin {origin} is not allowed for this site.")
    g.site = site
    return site


def site_key_required(view):
    """Guard a view: the request's site key names its site (g.site) before any input is read.

    Placed above flask-smorest's decorators, so a missing key (401) or a foreign origin (403)
    is answered before a bad body or query (400, 422).
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        current_site()
        return view(*args, **kwargs)

    return wrapper


def client_ip() -> str:
    # ProxyFix (TRUSTED_PROXIES) has already replaced remote_addr where proxies are trusted.
    return (request.remote_addr or "")[:45]


def reporter_id(site_id: int) -> str:
    return hashlib.sha256(f"{site_id}:{client_ip()}".encode()).hexdigest()


def encode_cursor(values: list, kind: str | None = None) -> str:
    """Make an opaque cursor of numbers; kind (e.g. a sort order) ties it to one use."""
    payload = [kind, *values] if kind is not None else values
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, lengths: tuple[int, ...] = (1,), kind: str | None = None) -> list:
    """Decode a cursor made by encode_cursor (with the same kind): a list of numbers of one of
    lengths; else 400 (a cursor of another kind, e.g. another sort, would skip or repeat)."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeError):  # binascii.Error and JSONDecodeError are ValueErrors
        values = None
    if kind is not None:
        values = values[1:] if isinstance(values, list) and values[:1] == [kind] else None
    if not (
        isinstance(values, list)
        and len(values) in lengths
        and all(
            isinstance(v, int | float)
            and not isinstance(v, bool)
            and math.isfinite(v)
            and abs(v) < 2**63
            for v in values
        )
    ):
        abort(
            400,
            message="Invalid cursor: pass back the next_cursor of an earlier page unchanged.",
            errors={"query": {"cursor": ["Not a cursor this endpoint made."]}},
        )
    return values


def read_body() -> bytes:
    """Return the request body; 413 when it is over MAX_REQUEST_BYTES, chunked or not."""
    body = request.get_data(cache=True)
    if request.content_length is None and len(body) >= (request.max_content_length or 1e18):
        # A chunked body is cut at the limit rather than refused: say so, not "malformed".
        raise RequestEntityTooLarge()
    return body


def load_body(json_schema: Schema, form_schema: Schema | None = None) -> tuple[dict, bool]:
    """Load a JSON or (when form_schema is given) form-encoded body; return (data, is_form)."""
    is_form = request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    if is_form and form_schema is not None:
        source, location, schema = request.form.to_dict(), "form", form_schema
    else:
        if not (request.mimetype == "application/json" or request.mimetype.endswith("+json")):
            accepted = "JSON or a form" if form_schema is not None else "JSON"
            abort(415, message=f"Send {accepted} (Content-Type: application/json).")
        read_body()
        source = request.get_json(silent=True)
        if source is None:
            abort(400, message="Malformed JSON body.")
        location, schema = "json", json_schema
    try:  # NUL was refused before the view (refuse_nul_in_requests)
        return schema.load(source), is_form
    except ValidationError as err:
        abort(422, message="Invalid input.", errors={location: err.messages})


class JsonBoolean(fields.Boolean):
    """A JSON true or false only: "yes", "1" or 1 are refused, not guessed at."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class UTCDateTime(fields.DateTime):
    """A stored (naive UTC) time, dumped with its offset as RFC 3339 date-time requires."""

    def _serialize(self, value, attr, obj, **kwargs):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return super()._serialize(value, attr, obj, **kwargs)


def reject_nul(data, location: str) -> None:
    """Refuse NUL characters: PostgreSQL text cannot store them, and no comment needs one."""

    def has_nul(value) -> bool:
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, dict):
            return any(has_nul(k) or has_nul(v) for k, v in value.items())
        if isinstance(value, list):
            return any(has_nul(v) for v in value)
        return False

    bad = [k for k, v in data.items() if has_nul(v)] if isinstance(data, dict) else []
    if bad:
        abort(
            422,
            message="Text may not contain NUL characters.",
            errors={location: {k: ["May not contain NUL characters."] for k in bad}},
        )


def refuse_nul_in_requests() -> None:
    """Refuse NUL in the path, the query or the JSON or form body of any call to the service's
    own API (/v1/), whichever endpoint reads them: PostgreSQL text cannot hold one (a 500
    there), SQLite would store it. The body is read within MAX_CONTENT_LENGTH and parsed once
    (Flask caches it for the view)."""
    if not request.path.startswith("/v1/"):
        return
    reject_nul(request.view_args or {}, "path")
    reject_nul({name: request.args.getlist(name) for name in request.args}, "query")
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    if request.is_json:
        reject_nul(request.get_json(silent=True) or {}, "json")
    elif request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        reject_nul(request.form.to_dict(), "form")
