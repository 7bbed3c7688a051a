"""Workers announce their active toxicity model in Redis; readiness and metrics read it."""

import json

import redis

PREFIX = "moderation:worker:"


def publish(redis_url: str, worker: str, model: dict, ttl_s: int = 3600) -> None:
    client = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=2)
    client.set(PREFIX + worker, json.dumps(model), ex=ttl_s)


def forget(redis_url: str, worker: str) -> None:
    redis.Redis.from_url(redis_url, socket_connect_timeout=1).delete(PREFIX + worker)


def active_models(redis_url: str) -> dict:
    """Return the model each live worker runs, and whether any runs the offline fallback."""
    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=2)
        keys = list(client.scan_iter(PREFIX + "*", count=100))
        models = [
            {"worker": key.decode()[len(PREFIX) :], **json.loads(value)}
            for key, value in zip(keys, client.mget(keys) if keys else [], strict=True)
            if value
        ]
    except redis.RedisError as exc:
        return {"ok": False, "error": str(exc)[:200], "models": []}
    fallback = any(m.get("offline_fallback") for m in models)
    result = {"ok": bool(models), "models": models, "offline_fallback": fallback}
    if fallback:
        result["warning"] = (
            "A worker runs the shipped offline model, not Detoxify: only "
            "'toxicity' is scored, English only."
        )
    return result
