"""Document the errors every operation can answer, from what guards and reads its input.

The guards (site key, Bearer token), the body and query loaders, the rate limits and the
database handler answer the same statuses on every operation they cover; writing each one by
hand beside ~50 operations is how the document fell behind. This apispec plugin adds them from
what the operation declares (security, path parameters, body, query); statuses only one view
answers (409 and the like) are declared beside that view. A test compares the document with
every response the test suite sees.
"""

from apispec import BasePlugin

# The compatible APIs answer in their own formats and document their own errors.
OWN_FORMATS = ("/1.1/", "/1.2/", "/v1alpha1/")
# Rate-limited in every API process (service/ratelimit.py): reader-facing POSTs.
RATE_LIMITED = ("/v1/articles/", "/v1/comments/")

WHY = {
    400: "Malformed JSON body, or a cursor this endpoint did not make.",
    401: "No valid credential for this endpoint.",
    403: "The credential may not do this (role, site scope or origin).",
    404: "No such object (or, for a site-scoped token, none on its site).",
    413: "The body is larger than MAX_REQUEST_BYTES.",
    415: "Send JSON (Content-Type: application/json).",
    422: "Invalid input: the field -> messages map says what.",
    429: "Too many requests; see Retry-After.",
    503: "The database is unavailable; see Retry-After.",
}


def error(code: int) -> dict:
    return {"description": WHY[code],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def statuses(path: str, method: str, operation: dict) -> set[int]:
    """Return the error statuses the shared machinery can answer for this operation."""
    found = {503}
    schemes = {name for requirement in operation.get("security") or [] for name in requirement}
    if schemes & {"bearer", "siteKey"}:
        found |= {401, 403}
    if "{" in path:
        found.add(404)
    parameters = operation.get("parameters") or []
    if any(p.get("in") == "query" for p in parameters):
        found.add(422)
    if any(p.get("name") == "cursor" for p in parameters):
        found.add(400)
    if "requestBody" in operation:
        found |= {400, 413, 415, 422}
    if method == "post" and path.startswith(RATE_LIMITED):
        found.add(429)
    return found


class ErrorResponses(BasePlugin):
    """Add the shared error responses to each operation of the service's own JSON API."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        if path is None or path.startswith(OWN_FORMATS):
            return
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            for code in sorted(statuses(path, method, operation)):
                if code not in responses and str(code) not in responses:
                    responses[str(code)] = error(code)
