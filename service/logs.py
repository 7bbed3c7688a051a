"""Structured JSON logs with the request id; comment text and emails only when LOG_TEXT is on.

Every record is one JSON object per line: time, level, logger, the dotted event name as the
message, and the structured fields passed in `extra` (comment_id, site_id, ...). Records
logged while serving a request carry its request id, which is also echoed in the
X-Request-Id response header (an incoming one is kept, so a proxy's id links the two logs).
Log ids and sizes, never comment text or email addresses: use `redact()` where a value might
help debugging; it shows the value only when LOG_TEXT is on.
"""

import logging
import re
import uuid

from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

REQUEST_ID_HEADER = "X-Request-Id"
REQUEST_ID_FORMAT = re.compile(r"[A-Za-z0-9._:-]{1,64}")
FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


class RequestContextFilter(logging.Filter):
    """Add the request id to every record logged while serving a request."""

    def filter(self, record: logging.LogRecord) -> bool:
        if has_request_context() and not hasattr(record, "request_id"):
            record.request_id = g.get("request_id")
        return True


def json_handler(stream=None) -> logging.Handler:
    """Return a handler writing one JSON object per record, with the request id."""
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(FORMAT))
    handler.addFilter(RequestContextFilter())
    return handler


def configure_logging(app: Flask) -> None:
    """Send the root logger's records to stderr as JSON, and give each request an id."""
    root = logging.getLogger()
    if not any(getattr(h, "_moderation", False) for h in root.handlers):
        handler = json_handler()
        handler._moderation = True
        root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])

    @app.before_request
    def assign_request_id():
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        # A proxy's id is kept only when it is a plain token: it is echoed and logged.
        g.request_id = incoming if REQUEST_ID_FORMAT.fullmatch(incoming) else uuid.uuid4().hex

    @app.after_request
    def echo_request_id(response):
        response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
        # Browsers must take our JSON and text as what we say it is, never sniff it as HTML.
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response


def redact(app_config, value: str) -> str:
    """Return value for logs only when LOG_TEXT is on."""
    return value if app_config.get("LOG_TEXT") else f"<{len(value)} chars>"
