"""Cap the requests waiting for a score, per API key and in total, across every API process.

A counting semaphore in Redis: each waiting request holds a slot (a sorted-set member scored by
when it expires), so a process killed mid-wait frees its slots once they expire.
"""

import uuid
from contextlib import contextmanager

import redis

PREFIX = "moderation:score-waits:"

# KEYS: the total set, the key's set. ARGV: slot, lifetime (s), total cap, per-key cap.
# Returns 0 (held), 1 (the key is at its cap) or 2 (the total is at its cap).
_ACQUIRE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', t)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', t)
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 2 end
local expires = t + tonumber(ARGV[2])
redis.call('ZADD', KEYS[1], expires, ARGV[1])
redis.call('ZADD', KEYS[2], expires, ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(ARGV[2]) + 1)
redis.call('EXPIRE', KEYS[2], math.ceil(ARGV[2]) + 1)
return 0
"""


class TooManyWaits(Exception):
    """No slot: `scope` is "key" (this key's cap) or "total" (every key's)."""

    def __init__(self, scope: str):
        super().__init__(scope)
        self.scope = scope


def keys(key_id: int) -> list[str]:
    return [PREFIX + "total", f"{PREFIX}key:{key_id}"]


@contextmanager
def score_wait(client: redis.Redis, key_id: int, lifetime_s: float, total_cap: int, key_cap: int):
    """Hold one waiting slot for key_id while the block runs; raise TooManyWaits when full."""
    slot, names = uuid.uuid4().hex, keys(key_id)
    held = client.eval(_ACQUIRE, 2, *names, slot, lifetime_s, total_cap, key_cap)
    if held:
        raise TooManyWaits("key" if held == 1 else "total")
    try:
        yield
    finally:
        try:
            pipe = client.pipeline()
            for name in names:
                pipe.zrem(name, slot)
            pipe.execute()
        except redis.RedisError:  # the slot expires by itself
            pass


def waiting(client: redis.Redis, key_id: int | None = None) -> int:
    """Return how many slots are held (for key_id, or in total), expired ones included."""
    return client.zcard(keys(key_id)[1] if key_id is not None else keys(0)[0])
