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
    return {
        "description": WHY[code],
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


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


def operation_ref(path: str, method: str) -> str:
    """Return the JSON pointer to an operation of this document."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def link(path: str, method: str, parameters: dict | None = None, body: dict | None = None) -> dict:
    """Return an OpenAPI link to an operation of this document."""
    found: dict = {"operationRef": operation_ref(path, method)}
    if parameters:
        found["parameters"] = parameters
    if body:
        found["requestBody"] = body
    return found


COMMENT = "/v1/moderation/comments/{comment_id}"
SITE = "/v1/admin/sites/{site_id}"
WEBHOOK = SITE + "/webhooks/{webhook_id}"
BY_ID = {"path.comment_id": "$response.body#/id"}  # a comment's id in the answer
SITE_BY_ID = {"path.site_id": "$response.body#/id"}
WEBHOOK_BY_ID = {"path.site_id": "$response.body#/site_id", "path.webhook_id": "$response.body#/id"}

# Where a client goes next from an answer (OpenAPI links): what a reader, a moderator and an
# admin do with the ids they are given. Stateful tests (schemathesis) walk them.
LINKS: dict[tuple[str, str, str], dict[str, dict]] = {
    ("/v1/articles/{article_id}/comments", "post", "202"): {
        "CommentStatus": link(
            "/v1/comments/{comment_id}/status",
            "get",
            {**BY_ID, "header.X-Status-Token": "$response.body#/status_token"},
        ),
        "Thread": link(
            "/v1/articles/{article_id}/comments",
            "get",
            {"path.article_id": "$request.path.article_id"},
        ),
        "Flag": link("/v1/comments/{comment_id}/flags", "post", BY_ID),
        "Appeal": link(
            "/v1/comments/{comment_id}/appeal",
            "post",
            {**BY_ID, "header.X-Status-Token": "$response.body#/status_token"},
        ),
        "ReviewComment": link(COMMENT, "get", BY_ID),
    },
    (COMMENT, "get", "200"): {
        "Decide": link(
            COMMENT + "/decision",
            "post",
            BY_ID,
            body={"action": "approve", "version": "$response.body#/version"},
        ),
        "Claim": link(COMMENT + "/claim", "post", BY_ID),
        "Release": link(COMMENT + "/claim", "delete", BY_ID),
        "History": link(COMMENT + "/history", "get", BY_ID),
        "SpamFeedback": link(COMMENT + "/spam-feedback", "post", BY_ID),
        "EraseAuthor": link(
            "/v1/admin/privacy/erase", "post", body={"email": "$response.body#/author/email"}
        ),
    },
    (COMMENT + "/decision", "post", "200"): {
        "HistoryAfterDecision": link(COMMENT + "/history", "get", BY_ID),
    },
    ("/v1/admin/sites", "post", "201"): {
        "Site": link(SITE, "get", SITE_BY_ID),
        "PatchSite": link(SITE, "patch", SITE_BY_ID),
        "CreateArticle": link(SITE + "/articles", "post", SITE_BY_ID),
        "ServerKey": link(SITE + "/server-keys", "post", SITE_BY_ID),
        "Webhook": link(SITE + "/webhooks", "post", SITE_BY_ID),
    },
    (SITE + "/articles", "post", "201"): {
        "Comment": link(
            "/v1/articles/{article_id}/comments",
            "post",
            {"path.article_id": "$response.body#/external_id"},
        ),
    },
    (SITE + "/webhooks", "post", "201"): {
        "Deliveries": link(WEBHOOK + "/deliveries", "get", WEBHOOK_BY_ID),
        "DeleteWebhook": link(WEBHOOK, "delete", WEBHOOK_BY_ID),
    },
    (SITE + "/server-keys", "post", "201"): {
        "RevokeKey": link(
            "/v1/admin/keys/{key_id}", "delete", {"path.key_id": "$response.body#/id"}
        ),
    },
}


class Links(BasePlugin):
    """Add the OpenAPI links of LINKS to the answers they start from."""

    def operation_helper(self, path=None, operations=None, **kwargs):
        for method, operation in (operations or {}).items():
            for status, response in operation.get("responses", {}).items():
                links = LINKS.get((path, method, str(status)))
                if links and isinstance(response, dict):
                    response["links"] = links
