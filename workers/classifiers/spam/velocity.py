"""Sliding-window counters in Redis: how often one IP or one email posted on a site lately."""

import uuid

from .pseudonym import pseudonym

# A burst beyond this many entries per window is a flood either way: keep keys bounded.
MAX_ENTRIES = 1000


def _key(site_id: int | str, kind: str, value: str, secret: bytes | str) -> str:
    # Keyed hashes: Redis never holds commenters' addresses in clear, nor reversible hashes.
    return f"spam:{site_id}:vel:{kind}:{pseudonym(secret, value)}"


def record_post(
    redis, site_id: int, *, ip: str, email: str, now: float, window_s: float, secret: bytes | str
) -> int:
    """Record a post and return the most posts from its IP or its email within the window."""
    pipe = redis.pipeline(transaction=False)
    keys = [
        _key(site_id, kind, value, secret)
        for kind, value in (("ip", ip), ("email", email))
        if value
    ]
    for key in keys:
        pipe.zremrangebyscore(key, "-inf", now - window_s)
        pipe.zadd(key, {uuid.uuid4().hex: now})
        pipe.zremrangebyrank(key, 0, -MAX_ENTRIES - 1)
        pipe.zcount(key, now - window_s, "+inf")
        pipe.expire(key, int(window_s) + 60)
    results = pipe.execute()
    return max(results[3::5], default=0)


def forget(redis, secret: bytes | str, *, emails=(), ips=(), site_id: int | None = None) -> int:
    """Delete the counters of these emails and IPs (on one site, or all); return how many."""
    keys = []
    for kind, values in (("email", emails), ("ip", ips)):
        for value in {v for v in values if v}:
            pattern = _key("*" if site_id is None else site_id, kind, value, secret)
            keys.extend(redis.scan_iter(match=pattern, count=1000))
    return redis.delete(*keys) if keys else 0
