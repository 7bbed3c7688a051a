"""Classify and decide pending comments: spam stage, toxicity model, policy, audit event."""

import logging
import time
from collections.abc import Mapping
from dataclasses import replace

import redis
from flask import current_app
from sqlalchemy import func, select

from service import metrics
from service.domain import Classification, record_classification, standings
from service.extensions import db
from service.models import Comment, ShadowDecision, Status
from service.shadow import candidate_settings, running_policies
from service.site_settings import effective_settings
from service.spam_stage import redis_client, spam_models
from workers.classifiers import toxicity_model
from workers.classifiers.reasons import SPAM_VERDICTS
from workers.classifiers.spam import SpamInput, SpamVerdict, check_spam
from workers.policy import Decision, Evidence, decide

log = logging.getLogger(__name__)


def approved_counts(comments: list[Comment]) -> dict[tuple[int, str], int]:
    """Count each author's approved comments per site (the trust signal), in one query."""
    emails = {c.author_email for c in comments if c.author_email}
    if not emails:
        return {}
    rows = db.session.execute(
        select(Comment.site_id, Comment.author_email, func.count())
        .where(Comment.author_email.in_(emails), Comment.status == Status.APPROVED)
        .group_by(Comment.site_id, Comment.author_email)
    ).all()
    return {(site_id, email): n for site_id, email, n in rows}


def spam_input(comment: Comment, approved_before: int) -> SpamInput:
    signals = comment.signals or {}
    return SpamInput(
        site_id=comment.site_id,
        article_id=comment.article_id,
        body=comment.body,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        ip=comment.ip,
        user_agent=comment.user_agent,
        referrer=comment.referrer,
        honeypot=signals.get("honeypot"),
        render_elapsed_s=signals.get("render_elapsed_s"),
        render_token_invalid=signals.get("render_token") == "invalid",
        approved_before=approved_before,
        permalink=comment.article.permalink,
    )


def classify_batch(
    comment_ids: list[int], request_ids: Mapping[int, str | None] | None = None
) -> int:
    """Classify and decide the still-pending comments among comment_ids; return how many.

    request_ids: the API request that accepted each comment, where known, for the logs.
    """
    comments = db.session.scalars(
        select(Comment)
        .where(Comment.id.in_(comment_ids), Comment.status == Status.PENDING)
        .order_by(Comment.id)
    ).all()
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
            verdicts[comment.id] = check_spam(
                item,
                settings[comment.id],
                redis=client,
                model=learned.get(comment.site_id),
                secret=config["SECRET_KEY"],
            )
        except redis.RedisError:
            # Velocity and near-duplicate signals need Redis; decide on the rest meanwhile.
            verdicts[comment.id] = check_spam(
                item, settings[comment.id], redis=None, model=learned.get(comment.site_id)
            )

    # Spam that is already decided needs no toxicity score: the model is the costly step.
    model = toxicity_model()
    to_score = [c for c in comments if verdicts[c.id].action not in SPAM_VERDICTS]
    scoring_started = time.perf_counter()
    # With TOXICITY_SPANS=flagged, sentences are scored only where a label reaches its hold
    # threshold: the review API shows the sentences at or over those thresholds.
    holds = [
        {label: limits["hold"] for label, limits in settings[c.id]["thresholds"].items()}
        for c in to_score
    ]
    scored = model.score([c.body for c in to_score], holds)
    results = dict(zip([c.id for c in to_score], scored, strict=True))
    if to_score:
        metrics.record_toxicity(model.name, len(to_score), time.perf_counter() - scoring_started)

    standing = standings({(c.site_id, c.author_email) for c in comments})
    evidence, decisions = {}, {}
    for comment in comments:
        verdict, result = verdicts[comment.id], results.get(comment.id)
        evidence[comment.id] = Evidence(
            scores=result.scores if result else {},
            spam_action=verdict.action,
            spam_reasons=verdict.reasons,
            language_supported=result.language_supported if result else True,
            approved_before=approved.get((comment.site_id, comment.author_email), 0),
            standing=standing.get((comment.site_id, comment.author_email.strip().lower()), "none"),
        )
        decisions[comment.id] = decide(
            evidence[comment.id], settings[comment.id], comment.article.moderation_mode
        )
    add_held_sentences(
        model, [c for c in to_score if decisions[c.id].status == Status.HELD], results
    )

    shadows = running_policies({c.site_id for c in comments})
    decided = 0
    for comment in comments:
        decision, result = decisions[comment.id], results.get(comment.id)
        recorded = record_classification(
            comment,
            classification(decision, verdicts[comment.id], result, model),
            (request_ids or {}).get(comment.id),
        )
        policy = shadows.get(comment.site_id)
        if recorded and policy is not None:
            # The candidate decides on the same evidence; it is recorded and changes nothing.
            candidate = decide(
                evidence[comment.id],
                candidate_settings(settings[comment.id], policy),
                comment.article.moderation_mode,
            )
            db.session.add(
                ShadowDecision(
                    policy_id=policy.id,
                    comment_id=comment.id,
                    live_status=decision.status,
                    shadow_status=candidate.status,
                    shadow_reasons=candidate.reasons,
                )
            )
        decided += recorded
    db.session.commit()
    metrics.record_batch(len(comments), time.perf_counter() - started)
    return decided


def add_held_sentences(model, held: list[Comment], results: dict) -> None:
    """Score the sentences of held comments that have none yet (TOXICITY_SPANS=flagged scores
    them only where a label reached its threshold): a comment held for spam, pre-moderation or
    a new author still shows its moderator, and its statement, which sentences scored what."""
    missing = [c for c in held if results[c.id].language_supported and not results[c.id].spans]
    if model.spans != "flagged" or not missing:
        return
    every_label = {label: 0.0 for label in model.labels}  # every text "reaches" a threshold
    rescored = model.score([c.body for c in missing], [every_label] * len(missing))
    for comment, result in zip(missing, rescored, strict=True):
        results[comment.id] = replace(results[comment.id], spans=result.spans)


def classification(decision: Decision, verdict: SpamVerdict, result, model) -> Classification:
    """What the domain records of a comment's classification and the policy's decision."""
    return Classification(
        status=decision.status,
        reasons=decision.reasons,
        discarded=decision.discard,
        spam_probability=verdict.probability,
        model_name=model.name,
        model_version=model.version,
        scores=result.scores if result else {},
        spans=[
            {"begin": s.begin, "end": s.end, "scores": s.scores}
            for s in (result.spans if result else [])
        ],
        language=result.language if result else "",
    )
