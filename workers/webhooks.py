"""Webhook deliveries: send, sign, retry with backoff, disable a failing subscriber; backlog.

The delivery task runs on the `webhooks` queue, which its own worker consumes
(`modctl worker --queues webhooks --pool threads`), so a subscriber that is slow or down
only ever holds a webhook worker's thread, never intake or classification.
"""

import json
import logging
from datetime import timedelta
from urllib.parse import urlsplit

import httpx
from celery import shared_task
from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm.exc import StaleDataError

from service import metrics, webhooks
from service.extensions import db
from service.models import Comment, Site, Status, WebhookDelivery, WebhookSubscription, utcnow
from service.queue import DELIVER_TASK, TASK_QUEUES, WEBHOOK_SWEEP_TASK, send
from service.webhooks import DeliveryStatus, Event, Format, RefusedURL

log = logging.getLogger(__name__)

USER_AGENT = "comment-moderation-webhooks/1"
# A delivery whose attempt or retry message was lost (worker killed, broker down) is sent
# again by the sweeper once it is this late.
RESEND_LATE_S = 120


# --- Bodies ----------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    # Slack's control characters: a comment must not @channel or forge links.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_text(payload: dict) -> str:
    """Write the event as one Slack/Mattermost message: what, why, the text and a link."""
    site = db.session.get(Site, payload.get("site_id"))
    site_name = slack_escape(site.name if site else f"site {payload.get('site_id')}")
    described = payload.get("comment")
    if described is None:
        queue = payload.get("queue", {})
        return (
            f"{payload['event']} on {site_name}: {queue.get('held', '?')} held comments, the "
            f"oldest waiting {round(queue.get('oldest_held_age_s', 0) / 60)} min. "
            f"<{payload.get('review_url', '')}|Open the review page>"
        )
    reasons = ", ".join(described.get("reasons") or []) or "no reason code"
    if payload["event"] == Event.COMMENT_HELD:
        headline = f":warning: Comment {described['id']} on {site_name} is held for review"
    else:
        headline = (
            f"{payload['event']}: comment {described['id']} on {site_name} is "
            f"{described.get('status')}"
        )
    comment = db.session.get(Comment, described["id"])
    excerpt = slack_escape((comment.body if comment else "")[:500]).replace("\n", "\n>")
    return (
        f"{headline} ({slack_escape(reasons)}).\n>{excerpt}\n<{described['review_url']}|Review it>"
    )


def render(delivery: WebhookDelivery, subscription: WebhookSubscription) -> bytes:
    """Return the request body for the subscription's format."""
    if subscription.format == Format.SLACK:
        return json.dumps({"text": slack_text(delivery.payload)}).encode()
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


# --- Sending ---------------------------------------------------------------------------------


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST body to url, connecting only to an address resolve() accepted; return the status."""
    host, port, addresses = webhooks.resolve(url)
    parts = urlsplit(url)
    address = addresses[0]
    pinned = parts._replace(netloc=f"[{address}]:{port}" if ":" in address else f"{address}:{port}")
    # The Host header and TLS (SNI and certificate check) still name the subscriber's host.
    extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
        # Streamed and closed unread: the answer's body is never needed, whatever its size.
        with client.stream(
            "POST",
            pinned.geturl(),
            content=body,
            extensions=extensions,
            headers={**headers, "Host": parts.netloc},
        ) as response:
            return response.status_code


def backoff_s(attempt: int) -> float:
    config = current_app.config
    return min(
        float(config["WEBHOOK_RETRY_BASE_S"]) * 2 ** (attempt - 1),
        float(config["WEBHOOK_RETRY_MAX_S"]),
    )


def deliver(delivery_id: int) -> str | None:
    """Make the next attempt of a delivery; retry later, or give up; return its status."""
    config = current_app.config
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return None  # gone, or a duplicate message for a finished delivery
    subscription = delivery.subscription
    if not subscription.active:
        delivery.status, delivery.error = DeliveryStatus.CANCELLED, "subscription disabled"
        db.session.commit()
        metrics.WEBHOOK_DELIVERIES.labels(delivery.event, "cancelled").inc()
        return delivery.status
    timeout = float(config["WEBHOOK_TIMEOUT_S"])
    attempt, now = delivery.attempts + 1, utcnow()
    # Claim the attempt: of two messages for the same delivery, one sends.
    claimed = db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery.id,
            WebhookDelivery.attempts == delivery.attempts,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(
            attempts=attempt,
            last_attempt_at=now,
            next_attempt_at=now + timedelta(seconds=timeout + RESEND_LATE_S),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if claimed != 1:
        return None
    db.session.refresh(delivery)
    body = render(delivery, subscription)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Moderation-Event": delivery.event,
        "X-Moderation-Delivery": str(delivery.id),
        webhooks.SIGNATURE_HEADER: webhooks.signature_header(
            webhooks.signing_secret(subscription), body
        ),
    }
    url = subscription.url
    db.session.commit()  # hold no database transaction open while a subscriber answers
    code, permanent = None, False
    try:
        code = post(url, body, headers, timeout)
        error = (
            ""
            if 200 <= code < 300
            else f"HTTP {code}" + (" (redirects are not followed)" if 300 <= code < 400 else "")
        )
    except RefusedURL as exc:
        error, permanent = f"refused: {exc}", True
    except httpx.HTTPError as exc:
        error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    try:
        return record_attempt(delivery, subscription, attempt, code, error, permanent)
    except StaleDataError:  # the subscription and its log were deleted meanwhile
        db.session.rollback()
        return None


def record_attempt(
    delivery: WebhookDelivery,
    subscription: WebhookSubscription,
    attempt: int,
    code: int | None,
    error: str,
    permanent: bool,
) -> str:
    """Log an attempt's outcome; schedule the next one, or give up and count the failure."""
    delivery.response_code, delivery.error = code, error[:500]
    if not error:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.DELIVERED,
            utcnow(),
            None,
        )
        subscription.failures = 0
        db.session.commit()
        metrics.WEBHOOK_DELIVERIES.labels(delivery.event, "delivered").inc()
        return delivery.status
    if not permanent and attempt < int(current_app.config["WEBHOOK_MAX_ATTEMPTS"]):
        wait = backoff_s(attempt)
        delivery.next_attempt_at = utcnow() + timedelta(seconds=wait)
        db.session.commit()
        metrics.WEBHOOK_DELIVERIES.labels(delivery.event, "retried").inc()
        log.info(
            "webhook.retry",
            extra={"delivery_id": delivery.id, "attempt": attempt, "error": delivery.error},
        )
        send(DELIVER_TASK, [delivery.id], countdown=wait)
        return delivery.status
    delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    db.session.commit()
    metrics.WEBHOOK_DELIVERIES.labels(delivery.event, "refused" if permanent else "failed").inc()
    log.warning(
        "webhook.failed",
        extra={
            "delivery_id": delivery.id,
            "attempts": attempt,
            "subscription_id": subscription.id,
            "error": delivery.error,
        },
    )
    count_failure(subscription.id, delivery.error)
    return delivery.status


def count_failure(subscription_id: int, error: str) -> None:
    """Count a failed delivery; disable the subscription after too many in a row."""
    db.session.execute(
        update(WebhookSubscription)
        .where(WebhookSubscription.id == subscription_id)
        .values(failures=WebhookSubscription.failures + 1)
        .execution_options(synchronize_session=False)
    )
    limit = int(current_app.config["WEBHOOK_DISABLE_AFTER"])
    disabled = db.session.execute(
        update(WebhookSubscription)
        .where(
            WebhookSubscription.id == subscription_id,
            WebhookSubscription.active.is_(True),
            WebhookSubscription.failures >= limit,
        )
        .values(
            active=False,
            disabled_at=utcnow(),
            disabled_reason=f"{limit} deliveries in a row failed; last: {error}"[:500],
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()
    if disabled:
        metrics.WEBHOOK_DISABLED.inc()
        log.warning(
            "webhook.disabled", extra={"subscription_id": subscription_id, "failures": limit}
        )


@shared_task(name=DELIVER_TASK, queue=TASK_QUEUES[DELIVER_TASK], ignore_result=True)
def deliver_webhook(delivery_id: int) -> None:
    """Send one webhook delivery (one attempt)."""
    deliver(delivery_id)


# --- Sweeping --------------------------------------------------------------------------------


def resend_late(limit: int = 500) -> int:
    """Send again the deliveries whose attempt or retry message was lost."""
    late = db.session.scalars(
        select(WebhookDelivery.id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at < utcnow() - timedelta(seconds=RESEND_LATE_S),
        )
        .order_by(WebhookDelivery.id)
        .limit(limit)
    ).all()
    sent = 0
    for delivery_id in late:
        if not send(DELIVER_TASK, [delivery_id]):
            break
        sent += 1
    return sent


def check_backlog() -> int:
    """Emit queue.backlog for each subscribed site whose oldest held comment waits too long.

    At most once per WEBHOOK_BACKLOG_MINUTES per site, so a standing backlog is not a flood.
    """
    minutes = int(current_app.config["WEBHOOK_BACKLOG_MINUTES"])
    now = utcnow()
    since = now - timedelta(minutes=minutes)
    subscribed = {
        site_id
        for site_id, events in db.session.execute(
            select(WebhookSubscription.site_id, WebhookSubscription.events).where(
                WebhookSubscription.active.is_(True)
            )
        ).all()
        if Event.QUEUE_BACKLOG in events
    }
    emitted = 0
    for site_id in sorted(subscribed):
        held, oldest = db.session.execute(
            select(func.count(), func.min(Comment.created_at)).where(
                Comment.site_id == site_id, Comment.status == Status.HELD
            )
        ).one()
        if oldest is None or oldest > since:
            continue
        recent = db.session.scalar(
            select(WebhookDelivery.id)
            .join(WebhookSubscription)
            .where(
                WebhookSubscription.site_id == site_id,
                WebhookDelivery.event == Event.QUEUE_BACKLOG,
                WebhookDelivery.created_at > since,
            )
            .limit(1)
        )
        if recent is not None:
            continue
        emitted += webhooks.emit(
            site_id,
            Event.QUEUE_BACKLOG,
            queue={
                "held": held,
                "oldest_held_age_s": round((now - oldest).total_seconds()),
                "threshold_minutes": minutes,
            },
            review_url=webhooks.review_url(),
        )
    db.session.commit()
    return emitted


def prune_log() -> int:
    """Delete finished deliveries older than WEBHOOK_LOG_DAYS."""
    cutoff = utcnow() - timedelta(days=int(current_app.config["WEBHOOK_LOG_DAYS"]))
    deleted = db.session.execute(
        db.delete(WebhookDelivery).where(
            WebhookDelivery.created_at < cutoff, WebhookDelivery.status != DeliveryStatus.PENDING
        )
    ).rowcount
    db.session.commit()
    return deleted


@shared_task(name=WEBHOOK_SWEEP_TASK, queue=TASK_QUEUES[WEBHOOK_SWEEP_TASK], ignore_result=True)
def sweep_webhooks() -> None:
    """Resend lost deliveries, emit queue.backlog where it is due, prune the delivery log."""
    resend_late()
    check_backlog()
    prune_log()
