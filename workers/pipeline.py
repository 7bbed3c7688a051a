"""Classify and decide pending comments: spam stage, toxicity model, policy, audit event."""

import logging
import time
from collections.abc import Mapping
from functools import cache

import redis
from flask import current_app
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import func, select

from service import metrics
from service.domain import Classification, record_classification, standings
from service.extensions import db
from service.models import Comment, ShadowDecision, SpamModelState, Status
from service.shadow import candidate_settings, running_policies
from service.site_settings import effective_settings
from workers.classifiers import toxicity_model
from workers.classifiers.reasons import SPAM_VERDICTS
from workers.classifiers.spam import SpamInput, SpamModel, SpamVerdict, check_spam
from workers.policy import Decision, Evidence, decide

log = logging.getLogger(__name__)

# site_id -> ((version, updated_at), model): reloaded when feedback saves a new version.
_spam_models: dict[int, tuple[tuple, SpamModel]] = {}


@cache
def redis_client(url: str) -> redis.Redis:
    # No retries: when Redis is down the spam stage carries on without its Redis signals,
    # and redis-py's default retries would cost seconds per comment.
    return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=2,
                                retry=Retry(NoBackoff(), 0))


def spam_models(site_ids: set[int]) -> dict[int, SpamModel]:
    """Return the learned spam model of each site that has one, reloading changed ones."""
    rows = db.session.execute(
        select(SpamModelState.site_id, SpamModelState.version, SpamModelState.updated_at)
        .where(SpamModelState.site_id.in_(site_ids))).all()
    versions = {site_id: (version, updated_at) for site_id, version, updated_at in rows}
    for site_id, version in versions.items():
        cached = _spam_models.get(site_id)
        if cached is None or cached[0] != version:
            state = db.session.get(SpamModelState, site_id)
            try:
                _spam_models[site_id] = (version, SpamModel.from_bytes(state.state))
            except ValueError:  # stored by an older release: the next feedback refits it
                log.warning("spam.model_outdated", extra={"site_id": site_id})
                _spam_models[site_id] = (version, SpamModel())
    return {site_id: _spam_models[site_id][1] for site_id in versions}


def approved_counts(comments: list[Comment]) -> dict[tuple[int, str], int]:
    """Count each author's approved comments per site (the trust signal), in one query."""
    emails = {c.author_email for c in comments if c.author_email}
    if not emails:
        return {}
    rows = db.session.execute(
        select(Comment.site_id, Comment.author_email, func.count())
        .where(Comment.author_email.in_(emails), Comment.status == Status.APPROVED)
        .group_by(Comment.site_id, Comment.author_email)).all()
    return {(site_id, email): n for site_id, email, n in rows}


def spam_input(comment: Comment, approved_before: int) -> SpamInput:
    signals = comment.signals or {}
    return SpamInput(
        site_id=comment.site_id, article_id=comment.article_id, body=comment.body,
        author_name=comment.author_name, author_email=comment.author_email,
        author_url=comment.author_url, ip=comment.ip, user_agent=comment.user_agent,
        referrer=comment.referrer, honeypot=signals.get("honeypot"),
        render_elapsed_s=signals.get("render_elapsed_s"),
        render_token_invalid=signals.get("render_token") == "invalid",
        approved_before=approved_before,
        permalink=comment.article.permalink,
    )


def classify_batch(comment_ids: list[int], request_ids: Mapping[int, str | None] | None = None
                   ) -> int:
    """Classify and decide the still-pending comments among comment_ids; return how many.

    request_ids: the API request that accepted each comment, where known, for the logs.
    """
    comments = db.session.scalars(
        select(Comment).where(Comment.id.in_(comment_ids), Comment.status == Status.PENDING)
        .order_by(Comment.id)).all()
    if not comments:
        return 0
    started = time.perf_counter()
    config = current_app.config
    client = redis_client(config["REDIS_URL"])
    learned = spam_models({c.site_id for c in comments})
    approved = approved_counts(comments)

    settings, verdicts = {}, {}
    for comment in comments:
        settings[comment.id] = effective_settings(comment.site, comment.article)
        item = spam_input(comment, approved.get((comment.site_id, comment.author_email), 0))
        try:
            verdicts[comment.id] = check_spam(item, settings[comment.id], redis=client,
                                              model=learned.get(comment.site_id),
                                              secret=config["SECRET_KEY"])
        except redis.RedisError:
            # Velocity and near-duplicate signals need Redis; decide on the rest meanwhile.
            verdicts[comment.id] = check_spam(item, settings[comment.id], redis=None,
                                              model=learned.get(comment.site_id))

    # Spam that is already decided needs no toxicity score: the model is the costly step.
    model = toxicity_model()
    to_score = [c for c in comments if verdicts[c.id].action not in SPAM_VERDICTS]
    scoring_started = time.perf_counter()
    # With TOXICITY_SPANS=flagged, sentences are scored only where a label reaches its hold
    # threshold: the review API shows the sentences at or over those thresholds.
    holds = [{label: limits["hold"] for label, limits in settings[c.id]["thresholds"].items()}
             for c in to_score]
    scored = model.score([c.body for c in to_score], holds)
    results = dict(zip([c.id for c in to_score], scored, strict=True))
    if to_score:
        metrics.record_toxicity(model.name, len(to_score), time.perf_counter() - scoring_started)

    shadows = running_policies({c.site_id for c in comments})
    standing = standings({(c.site_id, c.author_email) for c in comments})
    decided = 0
    for comment in comments:
        verdict, result = verdicts[comment.id], results.get(comment.id)
        evidence = Evidence(
            scores=result.scores if result else {}, spam_action=verdict.action,
            spam_reasons=verdict.reasons,
            language_supported=result.language_supported if result else True,
            approved_before=approved.get((comment.site_id, comment.author_email), 0),
            standing=standing.get((comment.site_id, comment.author_email.strip().lower()),
                                  "none"),
        )
        article_mode = comment.article.moderation_mode
        decision = decide(evidence, settings[comment.id], article_mode)
        recorded = record_classification(comment, classification(decision, verdict, result, model),
                                         (request_ids or {}).get(comment.id))
        policy = shadows.get(comment.site_id)
        if recorded and policy is not None:
            # The candidate decides on the same evidence; it is recorded and changes nothing.
            candidate = decide(evidence, candidate_settings(settings[comment.id], policy),
                               article_mode)
            db.session.add(ShadowDecision(policy_id=policy.id, comment_id=comment.id,
                                          live_status=decision.status,
                                          shadow_status=candidate.status,
                                          shadow_reasons=candidate.reasons))
        decided += recorded
    db.session.commit()
    metrics.record_batch(len(comments), time.perf_counter() - started)
    return decided


def classification(decision: Decision, verdict: SpamVerdict, result, model) -> Classification:
    """What the domain records of a comment's classification and the policy's decision."""
    return Classification(
        status=decision.status, reasons=decision.reasons, discarded=decision.discard,
        spam_probability=verdict.probability, model_name=model.name, model_version=model.version,
        scores=result.scores if result else {},
        spans=[{"begin": s.begin, "end": s.end, "scores": s.scores}
               for s in (result.spans if result else [])],
        language=result.language if result else "")
