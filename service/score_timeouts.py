"""Count the Perspective score calls that ran out of time (SCORE_TIMEOUT_S), for /readyz and
the metrics: a client such as Coral lets the comment through unscored when that happens.

Counted in Redis (every API process adds to the same figures; /readyz reads them) and in a
Prometheus counter (multiprocess-safe, like the other counters).
"""

import time

import redis
from flask import current_app
from prometheus_client import Counter

SCORE_TIMEOUTS = Counter(
    "moderation_perspective_score_timeouts",
    "Perspective analyze calls answered 503 because no worker scored within SCORE_TIMEOUT_S.",
)
TOTAL_KEY = "perspective:score_timeouts"
HOUR_KEY = "perspective:score_timeouts:hour:"


def _client() -> redis.Redis:
    return redis.Redis.from_url(
        current_app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1
    )


def record() -> None:
    """Count one score call that ran out of time."""
    SCORE_TIMEOUTS.inc()
    hour = HOUR_KEY + str(int(time.time() // 3600))
    try:
        with _client().pipeline() as pipe:
            pipe.incr(TOTAL_KEY)
            pipe.incr(hour)
            pipe.expire(hour, 2 * 3600)
            pipe.execute()
    except redis.RedisError:
        pass  # the Prometheus counter still has it


def figures() -> dict:
    """Return the score calls that ran out of time: in all, this hour and the last, the limit."""
    now = int(time.time() // 3600)
    try:
        total, this_hour, last_hour = _client().mget(
            TOTAL_KEY, f"{HOUR_KEY}{now}", f"{HOUR_KEY}{now - 1}"
        )
    except redis.RedisError:
        return {
            "timeout_s": float(current_app.config["SCORE_TIMEOUT_S"]),
            "total": None,
            "last_two_hours": None,
        }
    return {
        "timeout_s": float(current_app.config["SCORE_TIMEOUT_S"]),
        "total": int(total or 0),
        "last_two_hours": int(this_hour or 0) + int(last_hour or 0),
    }
