"""Velocity counters and the near-duplicate index, over the real Redis."""

import os
import secrets

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from workers.classifiers.spam import SpamInput, check_spam, neardup
from workers.classifiers.spam.neardup import NearDuplicateIndex

# Its own database, so the rest of the suite flushing db 15 never races these tests.
REDIS_URL = os.environ.get("TEST_SPAM_REDIS_URL", "redis://127.0.0.1:6379/13")
FLOOD = "Watch the Lions vs Bears game live stream free in HD at our site tonight, no signup"
NOW = 1_800_000_000.0
SECRET = b"test-secret"


def _client(**options):
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, **options)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis not reachable at {REDIS_URL} ({error}); start redis-server to run this")
    return client


@pytest.fixture(params=[False, True], ids=["bytes", "decoded"])
def client(request):
    """A Redis client, with and without decode_responses (callers may use either)."""
    return _client(decode_responses=request.param)


@pytest.fixture
def site_id(client):
    """A site id no other test uses; its keys are deleted afterwards."""
    site = 700_000_000 + secrets.randbelow(99_999_999)
    yield site
    for key in client.scan_iter(f"spam:{site}:*", count=1000):
        client.delete(key)


def post(
    client, site_id, body=FLOOD, *, article=1, email="", ip="198.51.100.7", at=0.0, **settings
):
    item = SpamInput(
        site_id=site_id,
        article_id=article,
        body=body,
        author_email=email,
        ip=ip,
        user_agent="Mozilla/5.0",
        render_elapsed_s=40.0,
    )
    return check_spam(item, settings, redis=client, now=NOW + at, secret=SECRET)


def test_the_same_text_on_three_articles_becomes_a_spam_wave(client, site_id):
    verdicts = [
        post(client, site_id, article=10 + n, ip=f"198.51.100.{n}", at=60 * n) for n in range(4)
    ]
    assert ["SPAM_WAVE" in v.reasons for v in verdicts] == [False, False, True, True]
    assert "NEAR_DUPLICATE" in verdicts[1].reasons
    assert verdicts[2].action in ("hold", "discard")
    assert verdicts[3].signals["SPAM_WAVE"] > verdicts[2].signals["SPAM_WAVE"]


def test_near_copies_count_too(client, site_id):
    variants = [FLOOD, FLOOD.upper() + "!!", FLOOD.replace("tonight", "today") + " :)"]
    verdicts = [
        post(client, site_id, text, article=n, ip=f"198.51.100.{n}", at=n)
        for n, text in enumerate(variants)
    ]
    assert "SPAM_WAVE" in verdicts[-1].reasons


def test_one_reader_resending_one_comment_is_not_a_wave(client, site_id):
    verdicts = [post(client, site_id, article=5, email="amy@example.org", at=n) for n in range(4)]
    assert not any("SPAM_WAVE" in v.reasons or "NEAR_DUPLICATE" in v.reasons for v in verdicts)


def test_different_comments_are_not_copies(client, site_id):
    texts = [
        "The council should fund the library before another consultant study, honestly.",
        "My bus was forty minutes late again this morning and nobody at the agency cares.",
        "Rents went up eleven percent and my landlord still has not fixed the heating.",
        "The coach had three playoff runs, firing him now makes no sense to me at all.",
    ]
    verdicts = [
        post(client, site_id, text, article=n, ip=f"198.51.100.{n}", at=n)
        for n, text in enumerate(texts)
    ]
    assert not any("NEAR_DUPLICATE" in v.signals or "SPAM_WAVE" in v.signals for v in verdicts)


def test_short_stock_phrases_are_not_indexed(client, site_id):
    verdicts = [
        post(client, site_id, "Great article, thanks!", article=n, ip=f"198.51.100.{n}")
        for n in range(5)
    ]
    assert not any("SPAM_WAVE" in v.signals for v in verdicts)


def test_copies_older_than_the_wave_window_do_not_count(client, site_id):
    post(client, site_id, article=1, ip="198.51.100.1", at=0, wave_window_s=600)
    post(client, site_id, article=2, ip="198.51.100.2", at=1, wave_window_s=600)
    late = post(client, site_id, article=3, ip="198.51.100.3", at=700, wave_window_s=600)
    assert "SPAM_WAVE" not in late.signals


def test_sites_have_separate_indexes(client, site_id):
    other_site = site_id + 1
    try:
        for n in range(3):
            post(client, other_site, article=n, ip=f"198.51.100.{n}")
        first_here = post(client, site_id, article=9)
        assert "NEAR_DUPLICATE" not in first_here.signals
        assert "SPAM_WAVE" not in first_here.signals
    finally:
        for key in client.scan_iter(f"spam:{other_site}:*"):
            client.delete(key)


def test_every_key_expires_and_buckets_stay_bounded(client, site_id, monkeypatch):
    monkeypatch.setattr(neardup, "MAX_BUCKET", 20)
    index = NearDuplicateIndex(client, site_id, window_s=120)
    words = " ".join(f"word{n}" for n in range(10))
    for n in range(50):
        index.record(words, f"{n}|x", NOW + n * 0.001)
    keys = list(client.scan_iter(f"spam:{site_id}:*", count=1000))
    assert keys
    assert all(0 < client.ttl(key) <= 180 for key in keys)
    buckets = [
        key for key in keys if b":item:" not in (key if isinstance(key, bytes) else key.encode())
    ]
    assert max(client.zcard(key) for key in buckets) == 20


@pytest.mark.parametrize(
    ("posts", "every_s", "one_ip", "email", "velocity_max", "velocity"),
    [
        (8, 5, True, "", 5, [False] * 5 + [True] * 3),  # a burst from one IP
        (3, 1, False, "same@example.org", 2, [False, False, True]),  # one email, many IPs
        (6, 30, True, "", 2, [False] * 6),  # the same pace spread out: a conversation
    ],
    ids=["one-ip-burst", "one-email-many-ips", "spread-out"],
)
def test_too_many_posts_within_the_window_is_velocity(
    client, site_id, posts, every_s, one_ip, email, velocity_max, velocity
):
    verdicts = [
        post(client, site_id, f"Opinion {n} on the stadium deal.", article=n, email=email,
             ip="198.51.100.7" if one_ip else f"198.51.100.{n}", at=n * every_s,
             velocity_max=velocity_max, velocity_window_s=60)
        for n in range(posts)
    ]  # fmt: skip
    assert ["VELOCITY" in v.signals for v in verdicts] == velocity
    if velocity[-1] and velocity[-2]:
        assert verdicts[-1].signals["VELOCITY"] > verdicts[-2].signals["VELOCITY"]


def test_without_redis_the_redis_signals_are_skipped():
    item = SpamInput(site_id=1, article_id=1, body=FLOOD)
    verdicts = [check_spam(item, {}, redis=None) for _ in range(4)]
    assert not any("SPAM_WAVE" in v.signals or "VELOCITY" in v.signals for v in verdicts)


def test_an_unreachable_redis_does_not_stop_comments():
    # No retries: redis-py's default backoff would only make this test slow.
    dead = redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    verdict = check_spam(
        SpamInput(site_id=1, article_id=1, body=FLOOD), {}, redis=dead, secret=SECRET
    )
    assert verdict.action in ("pass", "hold")
    assert "SPAM_WAVE" not in verdict.signals


def stored_text(client, pattern: str) -> str:
    """Every key, hash field, set member and string under pattern, as one text."""
    parts = []
    for key in client.scan_iter(pattern, count=1000):
        parts.append(key)
        kind = client.type(key)
        kind = kind.decode() if isinstance(kind, bytes) else kind
        if kind == "hash":
            parts += [v for pair in client.hgetall(key).items() for v in pair]
        elif kind == "zset":
            parts += client.zrange(key, 0, -1)
        elif kind == "string":
            parts.append(client.get(key))
        elif kind == "list":
            parts += client.lrange(key, 0, -1)
        elif kind == "set":
            parts += list(client.smembers(key))
    return " ".join(p.decode(errors="replace") if isinstance(p, bytes) else str(p) for p in parts)


def test_redis_holds_neither_clear_nor_unkeyed_hashes_of_emails_and_ips(client, site_id):
    import hashlib

    email, ip = "Dana.Reader@mail.example", "203.0.113.45"
    post(client, site_id, email=email, ip=ip)
    post(client, site_id, email="", ip=ip, article=2)  # no email: the IP names the author
    stored = stored_text(client, f"spam:{site_id}:*")
    assert stored
    for value in (email, email.lower(), ip):
        assert value not in stored
        # Unkeyed digests of an IPv4 address are reversed by trying every address.
        for digest in (
            hashlib.sha256(value.encode()).hexdigest(),
            hashlib.blake2b(value.encode(), digest_size=12).hexdigest(),
        ):
            assert digest[:16] not in stored


def test_the_redis_signals_need_the_service_secret(client):
    with pytest.raises(ValueError, match="secret"):
        check_spam(SpamInput(site_id=1, article_id=1, body=FLOOD), {}, redis=client)
