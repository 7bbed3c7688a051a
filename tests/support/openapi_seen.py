"""Compare the responses a test run saw with what the OpenAPI document lists."""

import re

# Pages for people and files, not API operations: the document leaves them out on purpose.
NOT_API = re.compile(r"^/(static/|moderate$|demo/|comment-received$|openapi\.json$|$)")
CONVERTER = re.compile(r"<(?:[a-z]+:)?([a-z_]+)>")


def openapi_path(rule: str) -> str:
    """/v1/comments/<int:comment_id>/status -> /v1/comments/{comment_id}/status"""
    return CONVERTER.sub(r"{\1}", rule)


def undocumented(seen: set[tuple[str, str, int]], document: dict) -> list[str]:
    """Return 'METHOD /path STATUS' for each response seen that the document does not list."""
    missing = []
    for method, rule, status in sorted(seen):
        if NOT_API.match(rule) or method in ("HEAD", "OPTIONS"):
            continue
        operation = document.get("paths", {}).get(openapi_path(rule), {}).get(method.lower())
        if operation is None:
            missing.append(f"{method} {openapi_path(rule)} {status}: not in the document")
            continue
        responses = operation.get("responses", {})
        if str(status) not in responses:  # "default" documents nothing in particular
            missing.append(f"{method} {openapi_path(rule)} {status}")
    return missing
