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


def operation_ref(path: str, method: str) -> str:
    """Return the JSON pointer to an operation of this document."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


COMMENT = "/v1/moderation/comments/{comment_id}"
FROM_ACCEPTED = {"path.comment_id": "$response.body#/id"}
FROM_REVIEW = {"path.comment_id": "$response.body#/id"}
SITE = "/v1/admin/sites/{site_id}"
FROM_SITE = {"path.site_id": "$response.body#/id"}

# Where a client goes next from an answer (OpenAPI links): what a reader, a moderator and an
# admin do with the ids they are given. Stateful tests (schemathesis) walk them.
LINKS: dict[tuple[str, str, str], dict[str, dict]] = {
    ("/v1/articles/{article_id}/comments", "post", "202"): {
        "CommentStatus": {"operationRef": operation_ref("/v1/comments/{comment_id}/status", "get"),
                          "parameters": {**FROM_ACCEPTED,
                                         "header.X-Status-Token": "$response.body#/status_token"}},
        "Thread": {"operationRef": operation_ref("/v1/articles/{article_id}/comments", "get"),
                   "parameters": {"path.article_id": "$request.path.article_id"}},
        "Flag": {"operationRef": operation_ref("/v1/comments/{comment_id}/flags", "post"),
                 "parameters": FROM_ACCEPTED},
        "Appeal": {"operationRef": operation_ref("/v1/comments/{comment_id}/appeal", "post"),
                   "parameters": {**FROM_ACCEPTED,
                                  "header.X-Status-Token": "$response.body#/status_token"}},
        "ReviewComment": {"operationRef": operation_ref(COMMENT, "get"),
                          "parameters": FROM_ACCEPTED},
    },
    (COMMENT, "get", "200"): {
        "Decide": {"operationRef": operation_ref(COMMENT + "/decision", "post"),
                   "parameters": FROM_REVIEW,
                   "requestBody": {"action": "approve", "version": "$response.body#/version"}},
        "Claim": {"operationRef": operation_ref(COMMENT + "/claim", "post"),
                  "parameters": FROM_REVIEW},
        "Release": {"operationRef": operation_ref(COMMENT + "/claim", "delete"),
                    "parameters": FROM_REVIEW},
        "History": {"operationRef": operation_ref(COMMENT + "/history", "get"),
                    "parameters": FROM_REVIEW},
        "SpamFeedback": {"operationRef": operation_ref(COMMENT + "/spam-feedback", "post"),
                         "parameters": FROM_REVIEW},
        "EraseAuthor": {"operationRef": operation_ref("/v1/admin/privacy/erase", "post"),
                        "requestBody": {"email": "$response.body#/author/email"}},
    },
    (COMMENT + "/decision", "post", "200"): {
        "HistoryAfterDecision": {"operationRef": operation_ref(COMMENT + "/history", "get"),
                                 "parameters": FROM_REVIEW},
    },
    ("/v1/admin/sites", "post", "201"): {
        "Site": {"operationRef": operation_ref(SITE, "get"), "parameters": FROM_SITE},
        "PatchSite": {"operationRef": operation_ref(SITE, "patch"), "parameters": FROM_SITE},
        "CreateArticle": {"operationRef": operation_ref(SITE + "/articles", "post"),
                          "parameters": FROM_SITE},
        "ServerKey": {"operationRef": operation_ref(SITE + "/server-keys", "post"),
                      "parameters": FROM_SITE},
        "Webhook": {"operationRef": operation_ref(SITE + "/webhooks", "post"),
                    "parameters": FROM_SITE},
    },
    (SITE + "/articles", "post", "201"): {
        "Comment": {"operationRef": operation_ref("/v1/articles/{article_id}/comments", "post"),
                    "parameters": {"path.article_id": "$response.body#/external_id"}},
    },
    (SITE + "/webhooks", "post", "201"): {
        "Deliveries": {"operationRef": operation_ref(SITE + "/webhooks/{webhook_id}/deliveries",
                                                     "get"),
                       "parameters": {"path.site_id": "$response.body#/site_id",
                                      "path.webhook_id": "$response.body#/id"}},
        "DeleteWebhook": {"operationRef": operation_ref(SITE + "/webhooks/{webhook_id}",
                                                        "delete"),
                          "parameters": {"path.site_id": "$response.body#/site_id",
                                         "path.webhook_id": "$response.body#/id"}},
    },
    (SITE + "/server-keys", "post", "201"): {
        "RevokeKey": {"operationRef": operation_ref("/v1/admin/keys/{key_id}", "delete"),
                      "parameters": {"path.key_id": "$response.body#/id"}},
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
