"""Near-duplicate index in Redis: the same text posted across articles or by many authors.

Each comment becomes a MinHash signature of its character 5-grams; locality-sensitive
hashing (16 bands of 4 rows) finds candidates, whose stored signatures confirm the match.
Keys are per site and expire after the wave window, so the index is bounded in time;
each LSH bucket keeps at most MAX_BUCKET entries, so it is bounded in size too.
"""

import hashlib
import uuid

import numpy as np
from datasketch import MinHash

NUM_PERM = 64
BANDS, ROWS = 16, 4  # candidate threshold ~ (1/16) ** (1/4) = 0.5 Jaccard
SIMILARITY = 0.6  # estimated Jaccard of 5-grams from which two comments count as copies
SHINGLE = 5
MIN_WORDS = 6  # "Great article, thanks!" is repeated by real readers; too short to call a wave
# Shingled from the start only: copies of a long text share their first pages as well, and a
# 64K comment would otherwise cost a Python slice per character.
MAX_SHINGLED = 16384
MAX_BUCKET = 500
MAX_CANDIDATES = 200
PER_BUCKET = 32  # newest entries read from each bucket: a wave shows up among the latest
VERIFY_CHUNK = 25  # signatures fetched per round trip while counting contexts
# Bump when the signature changes (shingles, seed, scheme) so old entries are never compared.
VERSION = "nd2"


def signature(normalized_text: str) -> np.ndarray | None:
    """Return the MinHash signature of a normalised text, or None when it is too short to index."""
    words = normalized_text.split()
    if len(words) < MIN_WORDS:
        return None
    text = " ".join(words)[:MAX_SHINGLED]
    shingles = {text[i : i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}
    # An explicit seed and scheme keep signatures comparable across workers and upgrades.
    minhash = MinHash(num_perm=NUM_PERM, seed=1, scheme="affine32")
    minhash.update_batch([shingle.encode() for shingle in shingles])
    return minhash.hashvalues.astype(np.uint32)


def _text(value: bytes | str) -> str:
    """Return a Redis reply as text, whether or not the client decodes responses."""
    return value.decode() if isinstance(value, bytes) else value


def bucket_keys(prefix: str, sig: np.ndarray) -> list[str]:
    """Return the LSH bucket keys of a signature in the index under prefix."""
    keys = []
    for band in range(BANDS):
        rows = sig[band * ROWS : (band + 1) * ROWS].tobytes()
        digest = hashlib.blake2b(rows, digest_size=8).hexdigest()
        keys.append(f"{prefix}:b{band}:{digest}")
    return keys


def forget(redis, authors: set[str], site_id: int | None = None) -> int:
    """Remove the indexed comments whose context names one of these authors; return how many.

    Contexts end in "|<author>" (see record); the caller hashes authors the way it indexed them.
    """
    site = "*" if site_id is None else site_id
    removed = 0
    item_keys = [
        _text(k) for k in redis.scan_iter(match=f"spam:{site}:{VERSION}:item:*", count=1000)
    ]
    for start in range(0, len(item_keys), VERIFY_CHUNK * 4):
        chunk = item_keys[start : start + VERIFY_CHUNK * 4]
        pipe = redis.pipeline(transaction=False)
        for key in chunk:
            pipe.hmget(key, "sig", "ctx")
        pipe_out = redis.pipeline(transaction=False)
        for key, (sig, ctx) in zip(chunk, pipe.execute(), strict=True):
            if ctx is None or _text(ctx).rpartition("|")[2] not in authors:
                continue
            prefix, _, item_id = key.rpartition(":item:")
            for bucket in bucket_keys(
                prefix, np.frombuffer(bytes.fromhex(_text(sig)), dtype=np.uint32)
            ):
                pipe_out.zrem(bucket, item_id)
            pipe_out.delete(key)
            removed += 1
        pipe_out.execute()
    return removed


class NearDuplicateIndex:
    """A site's recent comments, searchable for near-copies."""

    def __init__(self, redis, site_id: int, window_s: float):
        self.redis = redis
        self.prefix = f"spam:{site_id}:{VERSION}"
        self.window_s = window_s

    def _bucket_keys(self, sig: np.ndarray) -> list[str]:
        return bucket_keys(self.prefix, sig)

    def _matching_contexts(self, members: list[str], sig: np.ndarray) -> set[str]:
        """Return the contexts of those indexed comments whose signatures match sig."""
        pipe = self.redis.pipeline(transaction=False)
        for member in members:
            pipe.hmget(f"{self.prefix}:item:{member}", "sig", "ctx")
        found = set()
        for stored_sig, stored_ctx in pipe.execute():
            if stored_sig is None:  # expired between the two reads
                continue
            other = np.frombuffer(bytes.fromhex(_text(stored_sig)), dtype=np.uint32)
            # The share of equal MinHash values estimates the Jaccard similarity.
            if len(other) == NUM_PERM and np.mean(other == sig) >= SIMILARITY:
                found.add(_text(stored_ctx))
        return found

    def record(self, normalized_text: str, context: str, now: float, enough: int = 10) -> int:
        """Index a comment and return how many distinct contexts posted it (this one included).

        A context is who posted where (article and author): one person re-sending one comment
        is a double submit, not a wave. Counting stops at `enough`, so a big flood stays cheap.
        """
        sig = signature(normalized_text)
        if sig is None:
            return 0
        buckets = self._bucket_keys(sig)
        since = now - self.window_s

        pipe = self.redis.pipeline(transaction=False)
        for key in buckets:
            pipe.zremrangebyscore(key, "-inf", since)
            pipe.zrevrangebyscore(key, "+inf", since, start=0, num=PER_BUCKET)
        candidates: dict[str, None] = {}  # newest first within each bucket, no repeats
        for members in pipe.execute()[1::2]:
            candidates.update(dict.fromkeys(_text(member) for member in members))
        contexts = {context}
        pending = list(candidates)[:MAX_CANDIDATES]
        while pending and len(contexts) < enough:
            chunk, pending = pending[:VERIFY_CHUNK], pending[VERIFY_CHUNK:]
            contexts |= self._matching_contexts(chunk, sig)

        item_id = uuid.uuid4().hex
        ttl = int(self.window_s) + 60
        pipe = self.redis.pipeline(transaction=False)
        item_key = f"{self.prefix}:item:{item_id}"
        # Hex, not raw bytes, so clients with decode_responses=True read it back too.
        pipe.hset(item_key, mapping={"sig": sig.tobytes().hex(), "ctx": context})
        pipe.expire(item_key, ttl)
        for key in buckets:
            pipe.zadd(key, {item_id: now})
            pipe.zremrangebyrank(key, 0, -MAX_BUCKET - 1)
            pipe.expire(key, ttl)
        pipe.execute()
        return len(contexts)
