"""Per-site Akismet API figures (calls, spam, ham, missed spam, false positives) by month.

Kept in Redis, one hash per site and month with `<blog host>|<figure>` fields, so the
account calls the Akismet clients make (get-stats, key-sites, usage-limit) answer with this
service's own numbers. Counting is best effort: Redis down, the answer is not held up.
"""

from collections import Counter
from datetime import UTC, datetime
from urllib.parse import urlsplit

import redis
from flask import current_app

FIGURES = ("api_calls", "spam", "ham", "missed_spam", "false_positives")
KEEP_S = 400 * 24 * 3600  # a year of months, for "all" and "6-months" statistics
PREFIX = "akismet:usage:"


def month(now: datetime | None = None) -> str:
    return (now or datetime.now(UTC)).strftime("%Y-%m")


def blog_host(blog: str) -> str:
    return (urlsplit(blog).hostname or blog or "unknown").lower()


def _client() -> redis.Redis:
    return redis.Redis.from_url(
        current_app.config["REDIS_URL"],
        socket_connect_timeout=1,
        socket_timeout=1,
        decode_responses=True,
    )


def count(site_id: int, blog: str, *figures: str) -> None:
    """Add one to each figure of the site's blog for this month (api_calls for every call)."""
    key = f"{PREFIX}{site_id}:{month()}"
    host = blog_host(blog)
    try:
        with _client().pipeline() as pipe:
            for figure in ("api_calls", *figures):
                pipe.hincrby(key, f"{host}|{figure}", 1)
            pipe.expire(key, KEEP_S)
            pipe.execute()
    except redis.RedisError as exc:
        current_app.logger.warning("akismet.usage_not_counted", extra={"error": str(exc)[:200]})


def by_blog(site_id: int, months: list[str]) -> dict[str, dict[str, Counter]]:
    """Return month -> blog host -> figures for the site."""
    try:
        with _client().pipeline() as pipe:
            for name in months:
                pipe.hgetall(f"{PREFIX}{site_id}:{name}")
            hashes = pipe.execute()
    except redis.RedisError as exc:
        current_app.logger.warning("akismet.usage_unavailable", extra={"error": str(exc)[:200]})
        hashes = [{} for _ in months]
    result: dict[str, dict[str, Counter]] = {}
    for name, fields in zip(months, hashes, strict=True):
        blogs: dict[str, Counter] = {}
        for field, value in fields.items():
            host, _, figure = field.rpartition("|")
            blogs.setdefault(host, Counter())[figure] += int(value)
        result[name] = blogs
    return result


def last_months(n: int, now: datetime | None = None) -> list[str]:
    """Return the n months up to this one, newest first ("YYYY-MM")."""
    now = now or datetime.now(UTC)
    year, mon = now.year, now.month
    names = []
    for _ in range(n):
        names.append(f"{year:04d}-{mon:02d}")
        year, mon = (year, mon - 1) if mon > 1 else (year - 1, 12)
    return names


def totals(site_id: int, months: list[str]) -> Counter:
    """Sum the site's figures over months and all its blogs."""
    total: Counter = Counter()
    for blogs in by_blog(site_id, months).values():
        for figures in blogs.values():
            total.update(figures)
    return total
