"""The signed render token a comment form carries: when, and for which article, it was shown."""

import time

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

SALT = "comment-form-render"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def issue(site_id: int, article_external_id: str) -> str:
    return _serializer().dumps({"s": site_id, "a": article_external_id, "t": time.time()})


def elapsed_seconds(token: str, site_id: int, article_external_id: str) -> float | None:
    """Seconds since the form was rendered, or None if the token is invalid, foreign or stale."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["RENDER_TOKEN_MAX_AGE_S"])
    except BadSignature:
        return None
    if data.get("s") != site_id or data.get("a") != article_external_id:
        return None
    return max(0.0, time.time() - float(data["t"]))
