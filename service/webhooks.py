"""Signed webhooks: subscriptions, the events they receive, payloads, signatures, URL policy.

Emitting an event only writes one delivery row per subscription inside the caller's
transaction; the delivery task is sent once that transaction commits, to the `webhooks`
queue, which a worker of its own consumes (workers/webhooks.py). A slow or dead subscriber
therefore never holds up intake or classification.

Payloads carry ids, statuses, reason codes and links, never author emails, IPs or text.
Each state change emits with one call, e.g. `decided(comment, status)` or
`emit(site_id, Event.APPEAL_CREATED, comment, appeal={"id": ..., "status": ...})`.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
import uuid
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.extensions import db
from service.models import Comment, WebhookDelivery, WebhookSubscription, utc_iso, utcnow
from service.queue import DELIVER_TASK, send


class Event(enum.StrEnum):
    COMMENT_HELD = "comment.held"  # the pipeline left a comment to a moderator
    COMMENT_DECIDED = "comment.decided"  # approved, rejected, spam or deleted (person or system)
    COMMENT_REPORTED = "comment.reported"  # a reader flagged a published comment
    APPEAL_CREATED = "appeal.created"
    APPEAL_DECIDED = "appeal.decided"
    QUEUE_BACKLOG = "queue.backlog"  # the oldest held comment waits longer than the setting


class Format(enum.StrEnum):
    JSON = "json"
    SLACK = "slack"  # a Slack/Mattermost incoming webhook body: {"text": ...}


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for its next attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # every attempt failed, or the address was refused
    CANCELLED = "cancelled"  # its subscription was disabled or deleted first


SIGNATURE_HEADER = "X-Moderation-Signature"
MAX_SUBSCRIPTIONS_PER_SITE = 20


# --- Secrets and signatures ------------------------------------------------------------------


def new_salt() -> str:
    return secrets.token_hex(16)


def signing_secret(subscription: WebhookSubscription) -> str:
    """Derive a subscription's secret from the service secret, so a database dump has none."""
    key = str(current_app.config["SECRET_KEY"]).encode()
    digest = hmac.new(key, f"webhook:{subscription.secret_salt}".encode(), hashlib.sha256)
    return "whsec_" + digest.hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """Sign body as `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>." + body>`."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


# --- Subscriber URLs -------------------------------------------------------------------------


class RefusedURL(ValueError):
    """A subscriber URL the service will not call."""


def public_address(address: str) -> bool:
    """Tell whether an IP address is on the public internet (not loopback, private, ...)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        # ::ffff:127.0.0.1 and 2002:7f00:1::/48 reach IPv4 hosts: judge the IPv4 address.
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> tuple[str, int]:
    """Refuse what is not an http(s) URL with a host; return (host, port)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise RefusedURL(f"Not a valid URL: {exc}.") from None
    if parts.scheme not in ("http", "https"):
        raise RefusedURL("Only http and https URLs are accepted.")
    if not parts.hostname:
        raise RefusedURL("The URL has no host.")
    if parts.username is not None or parts.password is not None:
        raise RefusedURL(
            "Credentials in the URL are not accepted; authenticate with the signature instead."
        )
    return parts.hostname, port or (443 if parts.scheme == "https" else 80)


def resolve(url: str) -> tuple[str, int, list[str]]:
    """Check url and resolve its host; refuse non-public addresses unless the settings allow.

    Every address the name resolves to is checked, and delivery connects to one of the checked
    addresses, so a name that later resolves elsewhere (DNS rebinding) gains nothing.
    """
    host, port = check_url(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise RefusedURL(f"The host {host!r} does not resolve ({exc}).") from None
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    if not current_app.config["WEBHOOK_ALLOW_PRIVATE"]:
        private = [a for a in addresses if not public_address(a)]
        if private:
            raise RefusedURL(
                f"The host {host!r} resolves to {private[0]}, a loopback, private, link-local or "
                "reserved address; subscribers must be on the public internet "
                "(WEBHOOK_ALLOW_PRIVATE=true allows them)."
            )
    return host, port, addresses


# --- Subscriptions ---------------------------------------------------------------------------


def create_subscription(
    site_id: int, url: str, events: list[str], format: str = Format.JSON, description: str = ""
) -> tuple[WebhookSubscription, str]:
    """Create a subscription; return it with its signing secret (shown once)."""
    resolve(url)
    count = db.session.scalar(
        select(db.func.count())
        .select_from(WebhookSubscription)
        .where(WebhookSubscription.site_id == site_id)
    )
    if count >= MAX_SUBSCRIPTIONS_PER_SITE:
        raise RefusedURL(f"A site has at most {MAX_SUBSCRIPTIONS_PER_SITE} subscriptions.")
    subscription = WebhookSubscription(
        site_id=site_id,
        url=url,
        events=sorted({Event(e).value for e in events}),
        format=Format(format).value,
        description=description,
        secret_salt=new_salt(),
    )
    db.session.add(subscription)
    db.session.commit()
    return subscription, signing_secret(subscription)


def delete_subscription(subscription: WebhookSubscription) -> None:
    db.session.execute(
        db.delete(WebhookDelivery).where(WebhookDelivery.subscription_id == subscription.id)
    )
    db.session.delete(subscription)
    db.session.commit()


def enable(subscription: WebhookSubscription) -> None:
    subscription.active, subscription.failures = True, 0
    subscription.disabled_at, subscription.disabled_reason = None, ""
    db.session.commit()


def disable(subscription: WebhookSubscription, reason: str) -> None:
    if subscription.active:
        subscription.active, subscription.disabled_at = False, utcnow()
        subscription.disabled_reason = reason[:500]
    db.session.commit()


# --- Emitting events -------------------------------------------------------------------------

_SENT_ON_COMMIT = "webhooks.deliveries"
_SUBSCRIBERS = "webhooks.subscribers"


def review_url(comment_id: int | None = None, queue: str = "held") -> str:
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    return f"{base}/moderate?queue={queue}" + (f"#comment-{comment_id}" if comment_id else "")


def comment_fields(comment: Comment) -> dict:
    """Describe a comment for subscribers: ids, state and links, no personal data."""
    base = str(current_app.config["PUBLIC_URL"]).rstrip("/")
    article = comment.article
    return {
        "id": comment.id,
        "article_id": article.external_id,
        "parent_id": comment.parent_id,
        "status": comment.status,
        "reasons": list(comment.reasons or []),
        "language": comment.language,
        "flag_count": comment.flag_count,
        "created_at": utc_iso(comment.created_at),
        "permalink": article.permalink,
        "review_url": review_url(comment.id),
        "api_url": f"{base}/v1/moderation/comments/{comment.id}",
    }


def _subscribers(site_id: int) -> list[tuple[int, frozenset[str]]]:
    # Read once per transaction: a classify batch emits for many comments of the same site.
    cache = db.session().info.setdefault(_SUBSCRIBERS, {})
    if site_id not in cache:
        rows = db.session.execute(
            select(WebhookSubscription.id, WebhookSubscription.events).where(
                WebhookSubscription.site_id == site_id, WebhookSubscription.active.is_(True)
            )
        ).all()
        cache[site_id] = [(sub_id, frozenset(events or [])) for sub_id, events in rows]
    return cache[site_id]


def emit(site_id: int, event: Event | str, comment: Comment | None = None, **fields) -> int:
    """Record event for every subscriber of the site; the deliveries go out on commit.

    fields are added to the payload (and to its "comment" part when they are status or
    reasons, which the caller may know before the comment row says so). They must not carry
    personal data. Return how many deliveries were recorded.
    """
    event = Event(event)
    targets = [sub_id for sub_id, events in _subscribers(site_id) if event in events]
    if not targets:
        return 0
    payload = {
        "id": f"evt_{uuid.uuid4().hex}",
        "event": event.value,
        "created_at": utc_iso(utcnow()),
        "site_id": site_id,
    }
    if comment is not None:
        described = comment_fields(comment)
        for name in ("status", "reasons"):
            if name in fields:
                described[name] = fields.pop(name)
        payload["comment"] = described
    payload |= json.loads(json.dumps(fields, default=str))  # JSON primitives only
    now = utcnow()
    deliveries = [
        WebhookDelivery(
            subscription_id=sub_id,
            event=event.value,
            event_id=payload["id"],
            payload=payload,
            next_attempt_at=now,
        )
        for sub_id in targets
    ]
    db.session.add_all(deliveries)
    db.session.flush()
    db.session().info.setdefault(_SENT_ON_COMMIT, []).extend(d.id for d in deliveries)
    return len(deliveries)


def decided(
    comment: Comment,
    status: str,
    reasons: list[str] | None = None,
    by: str = "system",
    discarded: bool = False,
) -> int:
    """Emit comment.held or comment.decided for a comment's new status (by: system, moderator)."""
    if status == "pending" or discarded:
        return 0  # discarded spam never reaches a person: telling subscribers would be noise
    event = Event.COMMENT_HELD if status == "held" else Event.COMMENT_DECIDED
    return emit(
        comment.site_id,
        event,
        comment,
        status=str(status),
        reasons=list(reasons if reasons is not None else comment.reasons or []),
        decided_by=by,
    )


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a logged delivery's payload again, as a new delivery with the same event id."""
    again = WebhookDelivery(
        subscription_id=delivery.subscription_id,
        event=delivery.event,
        event_id=delivery.event_id,
        payload=delivery.payload,
        next_attempt_at=utcnow(),
    )
    db.session.add(again)
    db.session.flush()
    db.session().info.setdefault(_SENT_ON_COMMIT, []).append(again.id)
    db.session.commit()
    return again


@sa_event.listens_for(Session, "after_commit")
def _send_committed(session: Session) -> None:
    session.info.pop(_SUBSCRIBERS, None)
    # A delivery the broker does not take now stays pending; the sweeper sends it later.
    for delivery_id in session.info.pop(_SENT_ON_COMMIT, []):
        if not send(DELIVER_TASK, [delivery_id]):
            break


@sa_event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_SUBSCRIBERS, None)
    session.info.pop(_SENT_ON_COMMIT, None)
