"""Liveness and readiness, as an operator or an orchestrator reads them."""

import pytest
from sqlalchemy import text

from service.api import health
from service.worker_status import forget, publish
from tests.conftest import wait_until

FALLBACK = {
    "name": "offline-profanity-check",
    "version": "alt-profanity-check 1.9.1",
    "labels": ["toxicity"],
    "languages": ["en"],
    "offline_fallback": True,
}
OPS_TOKEN = "ops-token-for-tests"
OPS = {"Authorization": f"Bearer {OPS_TOKEN}"}


@pytest.fixture(autouse=True)
def fresh_readiness(app, monkeypatch):
    """Each test sees its own checks run, and holds the ops token."""
    monkeypatch.setitem(app.config, "METRICS_TOKEN", OPS_TOKEN)
    health.forget_readiness()
    yield
    health.forget_readiness()


def test_healthz_says_the_process_is_alive(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_readyz_is_ready_with_a_worker_and_names_its_model(client, worker):
    # Tests empty Redis between them; the worker re-publishes its status every few seconds.
    def ready():
        health.forget_readiness()
        response = client.get("/readyz", headers=OPS)
        return response if response.status_code == 200 else None

    body = wait_until(ready, 30).get_json()
    assert body["status"] == "ready" and body["warnings"] == []
    assert {name for name, check in body["checks"].items() if check["ok"]} == {
        "database",
        "redis",
        "workers",
        "toxicity_model",
    }
    assert {m["name"] for m in body["toxicity_models"]} == {"detoxify-checkpoint"}
    # Each worker's own account: which runner, and which comments get sentence scores.
    [model] = body["checks"]["toxicity_model"]["models"]
    assert (model["fast_path"], model["spans"]) == ("torch-fp32", "flagged")
    assert body["checks"]["workers"]["workers"]  # the worker answered the ping


def test_readyz_says_loudly_when_a_worker_runs_the_offline_fallback(app, client):
    publish(app.config["REDIS_URL"], "fallback-host:1", FALLBACK, ttl_s=60)
    try:
        body = client.get("/readyz", headers=OPS).get_json()
    finally:
        forget(app.config["REDIS_URL"], "fallback-host:1")
    assert any(w.startswith("OFFLINE FALLBACK MODEL") for w in body["warnings"])
    fallback = [m for m in body["toxicity_models"] if m["offline_fallback"]]
    assert fallback == [
        {
            **{k: FALLBACK[k] for k in ("name", "version", "offline_fallback")},
            "workers": ["fallback-host:1"],
        }
    ]


def test_readyz_is_503_when_redis_is_unreachable(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens
    response = client.get("/readyz", headers=OPS)
    body = response.get_json()
    assert response.status_code == 503 and body["status"] == "not ready"
    assert body["checks"]["redis"]["ok"] is False and body["checks"]["workers"]["ok"] is False
    assert body["checks"]["database"]["ok"] is True


def test_readyz_is_503_until_migrations_are_applied(db, client):
    head = db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    db.session.execute(text("UPDATE alembic_version SET version_num = 'older'"))
    db.session.commit()
    try:
        body = client.get("/readyz", headers=OPS).get_json()
    finally:
        db.session.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": head})
        db.session.commit()
    database = body["checks"]["database"]
    assert body["status"] == "not ready"
    assert database == {
        "ok": False,
        "revision": "older",
        "head": head,
        "error": "migrations are not applied: run `modctl migrate`",
    }


@pytest.mark.parametrize(
    "headers, token",
    [
        ({}, OPS_TOKEN),
        ({"Authorization": "Bearer not-the-token"}, OPS_TOKEN),
        ({"Authorization": "Bearer "}, ""),  # no ops token set: nobody sees the internals
    ],
)
def test_readyz_shows_no_internals_to_other_callers(app, client, monkeypatch, headers, token):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", token)
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens
    response = client.get("/readyz", headers=headers)
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "not ready",
        "checks": {
            "database": {"ok": True},
            "redis": {"ok": False},
            "workers": {"ok": False},
            "toxicity_model": {"ok": False},
        },
        "toxicity_models": [],
        "warnings": [],
        # Counts only: how many score calls ran out of time (unknown while Redis is down).
        "score_timeouts": {
            "timeout_s": float(app.config["SCORE_TIMEOUT_S"]),
            "total": None,
            "last_two_hours": None,
        },
    }


def test_readyz_keeps_the_offline_model_warning_public_without_worker_names(app, client):
    publish(app.config["REDIS_URL"], "fallback-host:4242", FALLBACK, ttl_s=60)
    try:
        body = client.get("/readyz").get_json()
    finally:
        forget(app.config["REDIS_URL"], "fallback-host:4242")
    assert any(w.startswith("OFFLINE FALLBACK MODEL") for w in body["warnings"])
    assert {"name": "offline-profanity-check", "offline_fallback": True} in body["toxicity_models"]
    assert "fallback-host" not in str(body) and "4242" not in str(body)
    assert "alt-profanity-check 1.9.1" not in str(body)


def test_readyz_answers_from_its_last_checks_for_a_few_seconds(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "READY_CACHE_S", 3600)
    publish(app.config["REDIS_URL"], "fallback-host:1", FALLBACK, ttl_s=60)
    try:
        first = client.get("/readyz").get_json()
    finally:
        forget(app.config["REDIS_URL"], "fallback-host:1")
    assert client.get("/readyz").get_json() == first  # the worker is gone, the answer is kept
    assert client.get("/readyz", headers=OPS).get_json()["warnings"] == first["warnings"]
    monkeypatch.setitem(app.config, "READY_CACHE_S", 0)
    assert client.get("/readyz").get_json()["warnings"] == []  # checked again
