"""Rate limits on intake and the compatible APIs, per client address and per key (flask-limiter).

Counters live in Redis so every API process shares them. When Redis is down the limiter counts
in each process's memory instead of failing the request: intake must keep accepting comments.
A request over a limit gets 429 in the service's one error shape, with Retry-After.
"""

import hashlib
import hmac
import ipaddress
import math
import time

from flask import Flask, current_app, g, request
from flask_limiter import Limiter, RequestLimit

from service.api.common import site_key_from_request
from service.auth import bearer_token, server_key_in_host

# Settings this module reads (env vars of the same name); they belong in service.config.DEFAULTS.
# Limits use flask-limiter's notation: "10/second;120/minute" means both apply.
# Blueprints whose endpoints authenticate with their own `key`/`api_key` parameter.
COMPAT_BLUEPRINTS = ("perspective", "akismet")
MESSAGE = "Too many requests; slow down and try again shortly."


def client_address() -> str:
    """The reader's address; for IPv6 its /64, which one subscriber usually holds whole."""
    # ProxyFix (TRUSTED_PROXIES) has already put the reader's address in remote_addr.
    address = request.remote_addr or "unknown"
    if ":" in address:
        try:
            network = ipaddress.IPv6Network(f"{address.split('%', 1)[0]}/64", strict=False)
            address = str(network)
        except ValueError:
            pass  # not an address: count it as given
    # Keyed hash: the limiter's Redis keys must not hold readers' addresses in clear.
    secret = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(secret, b"rate-limit:" + address.encode(), hashlib.sha256).hexdigest()
    return "ip:" + digest[:24]


def authenticated_credential() -> str | None:
    """Return the credential this endpoint authenticates, and no other a caller sends along."""
    if request.blueprint == "perspective":
        return request.args.get("key") or request.headers.get("X-Goog-Api-Key")
    if request.blueprint == "akismet":
        key = (
            request.form.get("api_key")
            or request.form.get("key")
            or request.args.get("api_key")
            or server_key_in_host(request.host)
        )
        return key.strip().lower() if key else None
    return site_key_from_request() or bearer_token()


def caller_key() -> str:
    """Identify the calling key (hashed: Redis never holds a key in clear), else the address."""
    key = authenticated_credential()
    if not key:
        return client_address()
    return "key:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _setting(name: str):
    return lambda: current_app.config[name]


def _remember_retry_after(limit: RequestLimit) -> None:
    # Only a breach pays for the extra Redis round trip that finds when the window resets.
    g.rate_limit_retry_after = max(1, math.ceil(limit.reset_at - time.time()))


def init_app(app: Flask) -> Limiter:
    """Limit POSTs to the reader-facing API and every compatible-API call."""

    @app.after_request
    def retry_after(response):
        # Registered before the limiter's own hooks, so this runs after them.
        if response.status_code == 429 and "Retry-After" not in response.headers:
            response.headers["Retry-After"] = str(g.get("rate_limit_retry_after", 1))
        return response

    limiter = Limiter(
        key_func=client_address,
        storage_uri=app.config["RATE_LIMIT_STORAGE_URL"] or app.config["REDIS_URL"],
        storage_options={"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        strategy="fixed-window",
        key_prefix="moderation",
        enabled=bool(app.config["RATE_LIMIT_ENABLED"]),
        headers_enabled=False,
        in_memory_fallback_enabled=True,
        swallow_errors=True,
        on_breach=_remember_retry_after,
    )
    limiter.init_app(app)
    intake = app.blueprints["comments"]
    limiter.limit(_setting("RATE_LIMIT_INTAKE_PER_IP"), methods=["POST"], error_message=MESSAGE)(
        intake
    )
    limiter.limit(
        _setting("RATE_LIMIT_INTAKE_PER_KEY"),
        key_func=caller_key,
        methods=["POST"],
        error_message=MESSAGE,
    )(intake)
    for name in COMPAT_BLUEPRINTS:
        if name in app.blueprints:
            limiter.limit(_setting("RATE_LIMIT_COMPAT_PER_IP"), error_message=MESSAGE)(
                app.blueprints[name]
            )
            limiter.limit(
                _setting("RATE_LIMIT_COMPAT_PER_KEY"), key_func=caller_key, error_message=MESSAGE
            )(app.blueprints[name])
    app.extensions["ratelimit"] = limiter
    return limiter
