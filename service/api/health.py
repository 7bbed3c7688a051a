"""Health checks for operators: liveness and readiness."""

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from service.extensions import celery, db

blp = Blueprint("health", __name__, url_prefix="/", description="Health checks.")


class HealthSchema(Schema):
    status = fields.String()
    checks = fields.Dict()


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Say the process is alive."""
        return {"status": "ok", "checks": {}}


def check_database() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
        return {"ok": True}
    except Exception as exc:  # any driver error means not ready
        db.session.rollback()
        return {"ok": False, "error": str(exc)[:200]}


def check_workers(timeout: float = 1.0) -> dict:
    """Ping the workers; report each one's active toxicity model."""
    try:
        replies = celery.control.ping(timeout=timeout) or []
    except Exception as exc:  # broker down
        return {"ok": False, "error": str(exc)[:200], "workers": []}
    names = [name for reply in replies for name in reply]
    return {"ok": bool(names), "workers": names}


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, schema=HealthSchema, description="Not ready.")
    def get(self):
        """Check the database, the broker and that a worker answers."""
        from service.worker_status import active_models

        checks = {"database": check_database(), "workers": check_workers()}
        checks["toxicity_model"] = active_models(current_app.config["REDIS_URL"])
        ready = checks["database"]["ok"] and checks["workers"]["ok"]
        return {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
