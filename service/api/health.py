"""Health checks for operators: liveness (/healthz) and readiness (/readyz).

/readyz answers 200 only when the whole pipeline can work: the database answers and is
migrated, Redis answers, at least one worker is alive and the workers name their toxicity
model. A worker on the offline fallback model is ready but flagged loudly in `warnings`.
Use /healthz for liveness: when Redis is down the API still accepts comments (the database
is the source of truth), so restarting the API for a failed /readyz helps nothing.

Each API process answers /readyz from its last checks for READY_CACHE_S, so a flood of probes
costs the database, Redis and the workers nothing more. Anyone sees which checks pass and the
offline-model warning; error texts, revisions and worker names (host names, pids) only a caller
with `Authorization: Bearer <METRICS_TOKEN>` sees (nobody, while METRICS_TOKEN is unset).
"""

import math
import threading
import time
from functools import cache

import redis
from alembic.script import ScriptDirectory
from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import text

from service import score_timeouts
from service.auth import has_ops_token
from service.extensions import celery, db
from service.worker_status import active_models

blp = Blueprint("health", __name__, url_prefix="/", description="Health checks.")

PING_TIMEOUT_S = 1.0


class HealthSchema(Schema):
    status = fields.String()
    checks = fields.Dict()


class ModelSchema(Schema):
    name = fields.String()
    version = fields.String()
    offline_fallback = fields.Boolean()
    workers = fields.List(fields.String())


class ReadySchema(HealthSchema):
    toxicity_models = fields.List(
        fields.Nested(ModelSchema), metadata={"description": "The models the live workers run."}
    )
    warnings = fields.List(fields.String())
    score_timeouts = fields.Dict(
        metadata={
            "description": "Perspective score calls that ran out of time (answered 503): `total`, "
            "`last_two_hours`, and the limit `timeout_s` (SCORE_TIMEOUT_S)."
        }
    )


@blp.route("/healthz")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Say the process is alive."""
        return {"status": "ok", "checks": {}}


@cache
def migration_head() -> str | None:
    migrate = current_app.extensions["migrate"]
    return ScriptDirectory.from_config(migrate.migrate.get_config()).get_current_head()


def check_database() -> dict:
    """Run a query and compare the schema revision with the migrations' head."""
    try:
        db.session.execute(text("SELECT 1"))
        revision = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
        db.session.rollback()
    except Exception as exc:  # any driver error means not ready
        db.session.rollback()
        return {"ok": False, "error": str(exc)[:200]}
    head = migration_head()
    result = {"ok": revision == head, "revision": revision, "head": head}
    if revision != head:
        result["error"] = "migrations are not applied: run `modctl migrate`"
    return result


def check_redis() -> dict:
    try:
        client = redis.Redis.from_url(
            current_app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=2
        )
        client.ping()
        return {"ok": True}
    except redis.RedisError as exc:
        return {"ok": False, "error": str(exc)[:200]}


def check_workers(models: dict) -> dict:
    """Ping the workers; a worker busy with a long batch still shows by its status heartbeat."""
    try:
        replies = celery.control.ping(timeout=PING_TIMEOUT_S) or []
    except Exception as exc:  # the broker went away between the checks
        return {"ok": False, "error": str(exc)[:200], "workers": []}
    names = sorted(name for reply in replies for name in reply)
    heartbeats = sorted(m["worker"] for m in models.get("models", []))
    result = {"ok": bool(names or heartbeats), "workers": names, "heartbeats": heartbeats}
    if not result["ok"]:
        result["error"] = "no worker answered: start one with `modctl worker`"
    return result


def toxicity_models(models: dict) -> list[dict]:
    """Group the live workers by the model they run."""
    grouped: dict[tuple, dict] = {}
    for model in models.get("models", []):
        key = (model.get("name", ""), model.get("version", ""), bool(model.get("offline_fallback")))
        entry = grouped.setdefault(
            key, {"name": key[0], "version": key[1], "offline_fallback": key[2], "workers": []}
        )
        entry["workers"].append(model.get("worker", ""))
    return list(grouped.values())


def check_everything() -> dict:
    """Run every readiness check; return the full answer, internals included."""
    checks = {"database": check_database(), "redis": check_redis()}
    if checks["redis"]["ok"]:
        models = active_models(current_app.config["REDIS_URL"])
        checks["workers"] = check_workers(models)
    else:
        models = {"ok": False, "models": [], "error": "Redis is unreachable"}
        checks["workers"] = {"ok": False, "workers": [], "error": "Redis is unreachable"}
    if not models["ok"] and "error" not in models:
        models["error"] = "no worker has published its toxicity model"
    checks["toxicity_model"] = models
    warnings = []
    if models.get("offline_fallback"):
        warnings.append("OFFLINE FALLBACK MODEL: " + models["warning"])
    ready = all(check["ok"] for check in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": checks,
        "toxicity_models": toxicity_models(models),
        "warnings": warnings,
        "score_timeouts": score_timeouts.figures(),
    }
    return body


_last: dict = {"key": None, "at": -math.inf, "body": None}
_lock = threading.Lock()


def readiness() -> dict:
    """Return the full answer of the last checks, run again when older than READY_CACHE_S."""
    config = current_app.config
    key = (config["DATABASE_URL"], config["REDIS_URL"])
    # One run at a time: a flood of probes waits for that run instead of repeating it.
    with _lock:
        if _last["key"] != key or time.monotonic() - _last["at"] >= float(config["READY_CACHE_S"]):
            body = check_everything()
            if body["status"] != "ready":
                current_app.logger.warning(
                    "readiness.not_ready",
                    extra={
                        "checks": {
                            name: check.get("error")
                            for name, check in body["checks"].items()
                            if not check["ok"]
                        }
                    },
                )
            _last.update(key=key, at=time.monotonic(), body=body)
        return _last["body"]


def forget_readiness() -> None:
    """Make the next /readyz run its checks again."""
    with _lock:
        _last.update(key=None, at=-math.inf, body=None)


def public_view(body: dict) -> dict:
    """The answer without internals: which checks pass, the models' names, the warnings."""
    return {
        "status": body["status"],
        "checks": {name: {"ok": check["ok"]} for name, check in body["checks"].items()},
        "toxicity_models": [
            {"name": m["name"], "offline_fallback": m["offline_fallback"]}
            for m in body["toxicity_models"]
        ],
        "warnings": body["warnings"],
        "score_timeouts": body["score_timeouts"],
    }


@blp.route("/readyz")
class Ready(MethodView):
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, schema=ReadySchema, description="Not ready: see the failed checks.")
    @blp.doc(
        description="Open to all; the details (error texts, worker names) only with "
        "`Authorization: Bearer <METRICS_TOKEN>`."
    )
    def get(self):
        """Check the database, Redis, that a worker is alive and which toxicity model it runs."""
        body = readiness()
        code = 200 if body["status"] == "ready" else 503
        return (body if has_ops_token() else public_view(body)), code
