"""Calls from browsers (CORS): the key's origins decide, preflights are answered for any."""

from flask import request

from service.api.common import normalize_origin, origin_allowed
from service.api.perspective.blueprint import blp
from service.api.perspective.errors import key_error


def check_browser_origin(key) -> None:
    """Refuse a browser call (it sends Origin) unless the key lists that origin, as Google
    refused a key restricted to other referrers; server-to-server calls send no Origin."""
    origin = request.headers.get("Origin")
    if not origin:
        return
    # "null" (a sandboxed frame, a file: page) is no key's origin: refused like any other.
    allowed = {normalize_origin(o) for o in key.browser_origins or []}
    if normalize_origin(origin) not in allowed or not origin_allowed(key.site, origin):
        raise key_error(
            403, f"Requests from referer {origin} are blocked.", "API_KEY_HTTP_REFERRER_BLOCKED"
        )


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
