"""The spam stage: WordPress discussion rules, bot and content signals, near-duplicate waves
and a per-site model learned from moderator decisions, combined into one verdict."""

import logging
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from redis.exceptions import RedisError

from workers.classifiers.spam_settings import SPAM_DEFAULTS, with_defaults

from ..reasons import Reason, SpamAction
from . import combine
from .learned import SpamModel
from .neardup import NearDuplicateIndex
from .normalize import normalize
from .pseudonym import pseudonym
from .rules import RuleHits, apply_rules, find_links
from .signals import comment_evidence
from .velocity import record_post

__all__ = [
    "SPAM_DEFAULTS",
    "SpamModel",
    "SpamInput",
    "SpamVerdict",
    "check_spam",
    "normalize",
]

log = logging.getLogger(__name__)

NEAR_DUPLICATE = 1.0  # a second near-copy from another article or author: suspicious already
SPAM_WAVE = 3.5  # held anyway (see combine.choose_action); this is how much a wave says "spam"
SPAM_WAVE_PER_EXTRA_CONTEXT = 0.75
MAX_SPAM_WAVE = 6.0
VELOCITY = 2.0
VELOCITY_PER_EXTRA_POST = 0.3
MAX_VELOCITY = 3.5


@dataclass
class SpamInput:
    """A comment as the spam stage sees it."""

    site_id: int
    article_id: int | None
    body: str
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    ip: str = ""
    user_agent: str = ""
    referrer: str = ""
    honeypot: str | None = None  # value of the hidden honeypot field; non-empty -> bot
    render_elapsed_s: float | None = None  # seconds from form render to submit; None = no token
    render_token_invalid: bool = False  # a token was sent, but forged, foreign or expired
    approved_before: int = 0  # author's previously approved comments on this site
    permalink: str = ""
    comment_type: str = "comment"


@dataclass
class SpamVerdict:
    """What the spam stage decided about a comment, and why."""

    probability: float  # combined spam probability 0..1
    action: SpamAction
    reasons: list[str]  # reason codes, most decisive first
    signals: dict[str, float]  # log-odds contribution of each signal; they sum to the logit


def author_context(secret: bytes | str, author_email: str, ip: str, author_name: str) -> str:
    """Return who posted, as the near-duplicate index records it: a keyed hash, never clear."""
    return pseudonym(secret, author_email or ip or author_name)


def _redis_signals(
    item: SpamInput, normalized_body: str, settings, redis, now, secret
) -> dict[str, float]:
    """Record the comment in the site's velocity and near-duplicate windows; return evidence."""
    found: dict[str, float] = {}
    posts = record_post(
        redis,
        item.site_id,
        ip=item.ip,
        email=item.author_email,
        now=now,
        window_s=float(settings["velocity_window_s"]),
        secret=secret,
    )
    excess = posts - int(settings["velocity_max"])
    if excess > 0:
        found["VELOCITY"] = min(VELOCITY + VELOCITY_PER_EXTRA_POST * (excess - 1), MAX_VELOCITY)

    author = author_context(secret, item.author_email, item.ip, item.author_name)
    index = NearDuplicateIndex(redis, item.site_id, float(settings["wave_window_s"]))
    wave_min = int(settings["wave_min_count"])
    # Past this many contexts the wave weight is at its maximum: no need to count further.
    enough = wave_min + math.ceil((MAX_SPAM_WAVE - SPAM_WAVE) / SPAM_WAVE_PER_EXTRA_CONTEXT)
    contexts = index.record(normalized_body, f"{item.article_id}|{author}", now, enough=enough)
    if contexts >= wave_min:
        extra = contexts - wave_min
        found[Reason.SPAM_WAVE] = min(
            SPAM_WAVE + SPAM_WAVE_PER_EXTRA_CONTEXT * extra, MAX_SPAM_WAVE
        )
    elif contexts >= 2:
        found["NEAR_DUPLICATE"] = NEAR_DUPLICATE
    return found


def check_spam(
    item: SpamInput,
    settings: Mapping[str, Any],
    redis=None,
    model: SpamModel | None = None,
    *,
    now: float | None = None,
    secret: bytes | str = b"",
) -> SpamVerdict:
    """Judge one comment; record it in the site's velocity and near-duplicate windows.

    secret (the service's SECRET_KEY) keys the hashes of emails and IPs stored in Redis.
    """
    if redis is not None and not secret:
        raise ValueError("check_spam with Redis needs the service secret to hash emails and IPs")
    # The caller passes the site's effective settings; unset (None) ones keep the defaults.
    settings = with_defaults(settings)
    now = time.time() if now is None else now
    normalized_body = normalize(item.body)
    links = find_links(item.body, item.author_url)
    rules: RuleHits = apply_rules(
        body=item.body,
        author_name=item.author_name,
        author_email=item.author_email,
        author_url=item.author_url,
        ip=item.ip,
        user_agent=item.user_agent,
        links=links,
        settings=settings,
    )

    evidence = comment_evidence(
        item,
        min_submit_s=float(settings["min_submit_seconds"]),
        normalized_body=normalized_body,
        links=links,
    )
    # The model learns from what the comment itself shows, as it does at feedback time.
    comment_only = dict(evidence)
    if redis is not None:
        try:
            evidence |= _redis_signals(item, normalized_body, settings, redis, now, secret)
        except (RedisError, OSError):  # Redis down must not stop comments: skip its signals
            log.warning("spam.redis_unavailable", extra={"site_id": item.site_id}, exc_info=True)

    model_logit, learned = None, frozenset()
    if model is not None and model.is_trained:
        model_logit = model.spam_logit(item, comment_only)
        learned = model.learned_signals(comment_only)
    trust_after = int(settings["trust_after"])
    # Like WordPress, trust comes from approved comments and never covers pingbacks/trackbacks.
    trusted = (
        trust_after > 0
        and item.approved_before >= trust_after
        and item.comment_type not in ("pingback", "trackback")
    )
    found = combine.contributions(
        evidence,
        model_logit=model_logit,
        model_examples=model.examples if model is not None else 0,
        trusted=trusted,
        learned=learned,
    )
    spam_probability = combine.probability(found)
    action, reasons = combine.choose_action(rules, found, spam_probability, settings)
    return SpamVerdict(
        probability=spam_probability,
        action=action,
        reasons=reasons,
        signals={name: round(weight, 4) for name, weight in found.items()},
    )
