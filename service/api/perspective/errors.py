"""Errors in Google's shape: {"error": {"code", "message", "status", "details"}}."""

from flask import current_app
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from service.api.perspective.blueprint import blp
from service.errors import forget_failed_transaction

GOOGLE_STATUS = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    405: "UNIMPLEMENTED",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    501: "UNIMPLEMENTED",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}


class GoogleError(HTTPException):
    """An error answered as Google APIs do: {"error": {"code", "message", "status", "details"}}."""

    def __init__(
        self, code: int, message: str, details: list | None = None, retry_after: int | None = None
    ):
        super().__init__(message)
        self.code = code
        self.status = GOOGLE_STATUS.get(code, "UNKNOWN")
        self.details = details or []
        self.retry_after = retry_after


def invalid(message: str, violations: list[tuple[str, str]] | None = None) -> GoogleError:
    details = None
    if violations:
        details = [
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": f, "description": d} for f, d in violations],
            }
        ]
    return GoogleError(400, message, details)


def key_error(code: int, message: str, reason: str) -> GoogleError:
    return GoogleError(
        code,
        message,
        [
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": reason,
                "domain": "googleapis.com",
                "metadata": {"service": "commentanalyzer.googleapis.com"},
            }
        ],
    )


@blp.errorhandler(HTTPException)
def google_error(exc: HTTPException):
    """Answer every HTTP error on these routes in Google's shape."""
    if exc.code == 413:
        # Google answers an oversized payload with 400 and this wording.
        exc = invalid(
            "Request payload size exceeds the limit: "
            f"{current_app.config['MAX_REQUEST_BYTES']} bytes."
        )
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
