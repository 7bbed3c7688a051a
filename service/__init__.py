"""The web tier: a Flask app serving the intake, public, review and admin APIs."""

from pathlib import Path

from flask import Flask
from sqlalchemy import event
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from service import site_cache
from service.api.openapi import ErrorResponses, Links
from service.config import finish_settings, load_settings
from service.errors import register_error_handlers
from service.extensions import api as rest_api
from service.extensions import db, migrate
from service.form_parser import ServiceRequest
from service.logs import configure_logging
from service.queue import celery_init_app
from workers import classifiers

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then environment variables, then test_config."""
    # No app-wide /static: the browser pages' blueprint serves its own static files.
    app = Flask(__name__, static_folder=None)
    app.request_class = ServiceRequest  # form bodies parsed in C++ (service/form_parser.py)
    settings = load_settings()
    settings.update(test_config or {})
    app.config.update(finish_settings(settings))
    app.config.update(
        SQLALCHEMY_DATABASE_URI=app.config["DATABASE_URL"],
        # hide_parameters: a database error in the logs must not carry comment text or emails.
        SQLALCHEMY_ENGINE_OPTIONS={
            # A database server may restart under us; a SQLite file cannot, so skip the ping
            # (one query fewer on every request).
            "pool_pre_ping": not app.config["DATABASE_URL"].startswith("sqlite"),
            "hide_parameters": not app.config["LOG_TEXT"],
        },
        MAX_CONTENT_LENGTH=app.config["MAX_REQUEST_BYTES"],
        API_TITLE="Comment moderation API",
        API_VERSION="1.0",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH=None,
        API_SPEC_OPTIONS={
            "components": {
                "securitySchemes": {
                    "siteKey": {"type": "apiKey", "in": "header", "name": "X-Site-Key"},
                    "bearer": {"type": "http", "scheme": "bearer"},
                }
            }
        },
    )
    classifiers.use_settings(app.config)  # the toxicity model loads from them in a worker
    configure_logging(app)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"])

    db.init_app(app)
    site_cache.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    with app.app_context():
        _tune_sqlite(db.engine)
    rest_api.init_app(app, spec_kwargs={"extra_plugins": [ErrorResponses(), Links()]})
    register_error_handlers(app)
    celery_init_app(app)

    # Ids are 32-bit in the database: a larger one in a URL is simply not found (404).
    app.url_map.converters["int"] = DatabaseId
    from service.api import register_blueprints

    register_blueprints(app, rest_api)
    from service import metrics, ratelimit

    metrics.init_app(app)
    ratelimit.init_app(app)
    from service.api.common import refuse_nul_in_requests

    app.before_request(refuse_nul_in_requests)
    return app


class DatabaseId(IntegerConverter):
    """An <int:...> URL part that fits the database's 32-bit integer ids."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def _tune_sqlite(engine) -> None:
    """Let the API processes and the worker share one SQLite file safely."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def set_pragmas(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
