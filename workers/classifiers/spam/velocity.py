"""Sliding-window counters in Redis: how often one IP or one email posted on a site lately."""

import hashlib
import uuid

# A burst beyond this many entries per window is a flood either way: keep keys bounded.
MAX_ENTRIES = 1000


def _key(site_id: int, kind: str, value: str) -> str:
    # Hashed so Redis never holds commenters' addresses in clear.
    digest = hashlib.blake2b(value.strip().lower().encode(), digest_size=12).hexdigest()
    return f"spam:{site_id}:vel:{kind}:{digest}"


def record_post(redis, site_id: int, *, ip: str, email: str, now: float, window_s: float) -> int:
    """Record a post and return the most posts from its IP or its email within the window."""
    pipe = redis.pipeline(transaction=False)
    keys = [_key(site_id, kind, value) for kind, value in (("ip", ip), ("email", email)) if value]
    for key in keys:
        pipe.zremrangebyscore(key, "-inf", now - window_s)
        pipe.zadd(key, {uuid.uuid4().hex: now})
        pipe.zremrangebyrank(key, 0, -MAX_ENTRIES - 1)
        pipe.zcount(key, now - window_s, "+inf")
        pipe.expire(key, int(window_s) + 60)
    results = pipe.execute()
    return max(results[3::5], default=0)
