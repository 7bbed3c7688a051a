"""One JSON error shape for the whole API: {"code", "status", "message", "errors"}."""

from http import HTTPStatus

from flask import Flask, current_app, jsonify
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException

from service.domain import errors as domain


class ServiceUnavailable(HTTPException):
    """A dependency (database, broker, model worker) is down; retry later."""

    code = 503
    description = "Service temporarily unavailable."

    def __init__(self, description: str | None = None, retry_after: int = 5):
        super().__init__(description)
        self.retry_after = retry_after


def error_body(code: int, message: str, errors: dict | None = None) -> dict:
    """Build the error body every endpoint returns."""
    body = {"code": code, "status": HTTPStatus(code).phrase, "message": message}
    if errors:
        body["errors"] = errors
    return body


# What each refused state change is in HTTP.
DOMAIN_STATUS = {
    domain.NotFound: 404,
    domain.NotClaimant: 403,
    domain.StaleVersion: 409,
    domain.ClaimedByOther: 409,
    domain.InvalidTransition: 409,
    domain.NotAllowed: 403,
    domain.LimitReached: 429,
}


def domain_status(exc: domain.DomainError) -> int:
    return next(code for kind, code in DOMAIN_STATUS.items() if isinstance(exc, kind))


def register_error_handlers(app: Flask) -> None:
    """Send every HTTP error, and database outages, in the one error shape."""

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        data = getattr(exc, "data", {}) or {}
        # flask-smorest's abort() and webargs put details in exc.data.
        message = data.get("message") or exc.description or HTTPStatus(exc.code).phrase
        if exc.code == 422 and "message" not in data:
            message = "Invalid input."  # one wording for every endpoint; `errors` says what
        if exc.code == 413 and "message" not in data:
            message = (
                f"The request body is larger than {current_app.config['MAX_REQUEST_BYTES']}"
                " bytes (MAX_REQUEST_BYTES)."
            )
        if exc.code == 400 and "Invalid JSON body" in str(data.get("messages", "")):
            message = "Malformed JSON body."
        errors = data.get("errors") or data.get("messages")
        response = jsonify(error_body(exc.code, str(message), errors))
        response.status_code = exc.code
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if getattr(exc, "retry_after", None):
            response.headers["Retry-After"] = str(exc.retry_after)
        if exc.code == 405 and exc.get_response().headers.get("Allow"):
            response.headers["Allow"] = exc.get_response().headers["Allow"]
        return response

    @app.errorhandler(domain.DomainError)
    def domain_error(exc: domain.DomainError):
        code = domain_status(exc)
        response = jsonify(error_body(code, exc.message, exc.errors))
        response.status_code = code
        if isinstance(exc, domain.LimitReached):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.errorhandler(OperationalError)
    def database_down(exc: OperationalError):
        forget_failed_transaction(exc)
        return http_error(ServiceUnavailable("The database is unavailable; try again shortly."))


def forget_failed_transaction(exc: OperationalError) -> None:
    """Roll back after the database failed and log it once; every API's 503 handler calls this."""
    from flask import current_app

    from service.extensions import db

    db.session.rollback()
    current_app.logger.error("database.unavailable", extra={"error": str(exc.orig)[:200]})
