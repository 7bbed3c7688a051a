"""The data model: sites, articles, comments, their audit trail, flags and keys."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.extensions import db


def utcnow() -> datetime:
    # Naive UTC everywhere: SQLite has no time zones and PostgreSQL columns are "without time zone".
    return datetime.now(UTC).replace(tzinfo=None)


def utc_iso(value: datetime) -> str:
    """A stored (naive UTC) time as RFC 3339 with its offset: the service's one timestamp format."""
    return value.replace(tzinfo=UTC).isoformat()


class Status(enum.StrEnum):
    PENDING = "pending"  # received, not yet decided
    APPROVED = "approved"
    HELD = "held"
    SPAM = "spam"
    REJECTED = "rejected"
    DELETED = "deleted"


class Action(enum.StrEnum):
    """What an audit event (ModerationEvent.action) records."""

    CLASSIFY = "classify"  # the pipeline's decision
    APPROVE = "approve"  # a moderator's decisions (the review API's actions)
    REJECT = "reject"
    SPAM = "spam"
    DELETE = "delete"
    HOLD = "hold"  # a decision undone, back to Held
    CLAIM = "claim"
    FLAG = "flag"  # a reader's report
    DISMISS_REPORTS = "dismiss-reports"
    REOPEN_REPORTS = "reopen-reports"
    SPAM_FEEDBACK = "spam-feedback"
    APPEAL = "appeal"
    APPEAL_UPHELD = "appeal-upheld"
    APPEAL_OVERTURNED = "appeal-overturned"
    STANDING = "standing"  # the author's standing changed (trust, hold, ban)
    NOTE = "note"  # a moderator's note on the author
    ERASE = "erase"


class ModerationMode(enum.StrEnum):
    PRE = "pre"  # hold every comment for a moderator
    POST = "post"  # publish unless flagged by a classifier
    AUTO = "auto"  # decide by scores: approve, hold or reject


class Role(enum.StrEnum):
    SITE = "site"  # public key a site's widget or form sends
    SERVER = "server"  # secret key of a site's server: Akismet and Perspective calls
    MODERATOR = "moderator"
    ADMIN = "admin"


class Site(db.Model):
    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    origins: Mapped[list[str]] = mapped_column(JSON, default=list)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    articles: Mapped[list[Article]] = relationship(back_populates="site")


class Article(db.Model):
    __tablename__ = "articles"
    __table_args__ = (UniqueConstraint("site_id", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))  # the site's own id for the page
    permalink: Mapped[str] = mapped_column(String(2000), default="")
    title: Mapped[str] = mapped_column(String(500), default="")
    is_open: Mapped[bool] = mapped_column(default=True)
    moderation_mode: Mapped[str | None] = mapped_column(String(10))  # None: the site's
    settings: Mapped[dict] = mapped_column(JSON, default=dict)  # overrides of the site's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    site: Mapped[Site] = relationship(back_populates="articles")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        Index("ix_comments_site_status_created", "site_id", "status", "created_at"),
        Index("ix_comments_article_status", "article_id", "status"),
        Index("ix_comments_site_ip_created", "site_id", "ip", "created_at"),
        Index("ix_comments_site_email_created", "site_id", "author_email", "created_at"),
        Index("ix_comments_status_enqueued", "status", "enqueued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    author_name: Mapped[str] = mapped_column(String(245), default="")
    author_email: Mapped[str] = mapped_column(String(100), default="")
    author_url: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(500), default="")
    referrer: Mapped[str] = mapped_column(String(2000), default="")
    # What the bot checks need from the request; the worker reads them.
    signals: Mapped[dict] = mapped_column(JSON, default=dict)

    status: Mapped[str] = mapped_column(String(10), default=Status.PENDING)
    version: Mapped[int] = mapped_column(default=1)  # optimistic locking for moderators
    scores: Mapped[dict] = mapped_column(JSON, default=dict)  # label -> probability
    spans: Mapped[list] = mapped_column(JSON, default=list)  # per-sentence scores
    spam_score: Mapped[float | None] = mapped_column()
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(8), default="")
    model_name: Mapped[str] = mapped_column(String(100), default="")
    model_version: Mapped[str] = mapped_column(String(100), default="")
    discarded: Mapped[bool] = mapped_column(default=False)  # blatant spam, kept out of the queue
    priority: Mapped[float] = mapped_column(default=0.0)
    reported: Mapped[bool] = mapped_column(default=False)  # open reader flags
    flag_count: Mapped[int] = mapped_column(default=0)
    status_token_hash: Mapped[str] = mapped_column(String(64), default="")

    claimed_by: Mapped[str | None] = mapped_column(String(200))
    claimed_until: Mapped[datetime | None] = mapped_column()

    attempts: Mapped[int] = mapped_column(default=0)
    enqueued_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()

    article: Mapped[Article] = relationship()
    site: Mapped[Site] = relationship()
    flags: Mapped[list[Flag]] = relationship(back_populates="comment", order_by="Flag.id")

    def author_fields(self) -> dict[str, str]:
        """The author and request fields the spam stage reads, by SpamInput's names."""
        return {
            "author_name": self.author_name,
            "author_email": self.author_email,
            "author_url": self.author_url,
            "ip": self.ip,
            "user_agent": self.user_agent,
            "referrer": self.referrer,
        }

    def refresh_priority(self) -> None:
        """Rank for the review queue: the highest score, raised by each reader flag."""
        top = max([*(self.scores or {}).values(), self.spam_score or 0.0, 0.0])
        self.priority = round(top + 0.25 * self.flag_count, 4)


class ModerationEvent(db.Model):
    """The audit trail: one row per decision or moderator action on a comment."""

    __tablename__ = "moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))  # "system" or the moderator's token name
    # The token that acted: its name alone is ambiguous once a token is revoked and its name
    # reused. None for the service itself ("system") and readers.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # classify, approve, reject, spam, delete, claim, flag...
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(500), default="")
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Flag(db.Model):
    """A reader's report of a comment."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("comment_id", "reporter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    reason: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(500), default="")
    reporter: Mapped[str] = mapped_column(String(64))  # hash of the reporter's IP: one flag each
    resolved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="flags")


class ApiKey(db.Model):
    """A site key, a server key or a moderator/admin token; only a digest of it is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    role: Mapped[str] = mapped_column(String(10))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="", unique=True, index=True)
    lookup: Mapped[str] = mapped_column(String(16), unique=True)  # public prefix of the key
    secret_hash: Mapped[str] = mapped_column(String(64))
    # A server key usable from browsers (Perspective calls with CORS) from these origins only,
    # as Google's keys could be restricted by referrer; None: server to server only.
    browser_origins: Mapped[list[str] | None] = mapped_column(JSON, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()

    site: Mapped[Site | None] = relationship()


class SpamModelState(db.Model):
    """A site's learned spam model, trained online from moderator decisions."""

    __tablename__ = "spam_models"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), primary_key=True)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    examples: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class SpamFeedback(db.Model):
    """A spam / not-spam label from a moderator or a compatible API client."""

    __tablename__ = "spam_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("comments.id"), index=True)
    is_spam: Mapped[bool] = mapped_column()
    source: Mapped[str] = mapped_column(String(20))  # moderator, akismet, api
    text: Mapped[str] = mapped_column(Text, default="")
    # Author fields the learned model also learns from (author_name, author_email, ...).
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    learned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ScoreFeedback(db.Model):
    """Scores a Perspective-compatible client suggested for a text (comments:suggestscore)."""

    __tablename__ = "score_feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    attribute_scores: Mapped[dict] = mapped_column(JSON, default=dict)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    client_token: Mapped[str] = mapped_column(String(200), default="")
    community_id: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookSubscription(db.Model):
    """A site's subscriber: where its events go and the secret their signatures use."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(JSON, default=list)
    format: Mapped[str] = mapped_column(String(10), default="json")  # json or slack
    description: Mapped[str] = mapped_column(String(200), default="")
    # The signing secret is derived from this and the service secret, so it is not stored.
    secret_salt: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    failures: Mapped[int] = mapped_column(default=0)  # consecutive failed deliveries
    disabled_at: Mapped[datetime | None] = mapped_column()
    disabled_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(db.Model):
    """One event sent (or to be sent) to one subscription: the delivery log."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (Index("ix_webhook_deliveries_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[str] = mapped_column(String(40))
    event_id: Mapped[str] = mapped_column(String(40))  # the payload's id: the same on redelivery
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    response_code: Mapped[int | None] = mapped_column()
    error: Mapped[str] = mapped_column(String(500), default="")
    next_attempt_at: Mapped[datetime | None] = mapped_column()
    last_attempt_at: Mapped[datetime | None] = mapped_column()
    delivered_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    subscription: Mapped[WebhookSubscription] = relationship()


class SettingsChange(db.Model):
    """The audit trail of a site's settings changes made from a suggestion or a candidate policy."""

    __tablename__ = "settings_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    actor: Mapped[str] = mapped_column(String(200))  # the admin token's name
    kind: Mapped[str] = mapped_column(String(40))  # e.g. "threshold-suggestion"
    before: Mapped[dict] = mapped_column(JSON, default=dict)  # the changed keys' old values
    after: Mapped[dict] = mapped_column(JSON, default=dict)
    basis: Mapped[dict] = mapped_column(JSON, default=dict)  # what the change rests on
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShadowPolicy(db.Model):
    """A candidate settings diff that decides every new comment too, changing nothing."""

    __tablename__ = "shadow_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)  # merged over the live settings
    status: Mapped[str] = mapped_column(String(10), default="running")  # running/promoted/stopped
    started_by: Mapped[str] = mapped_column(String(200))
    ended_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column()


class ShadowDecision(db.Model):
    """What a candidate policy would have done with one comment, beside what the live one did."""

    __tablename__ = "shadow_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("shadow_policies.id"), index=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), index=True)
    live_status: Mapped[str] = mapped_column(String(10))
    shadow_status: Mapped[str] = mapped_column(String(10))
    shadow_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class AppealStatus(enum.StrEnum):
    OPEN = "open"
    UPHELD = "upheld"  # the decision stands
    OVERTURNED = "overturned"  # the comment is published


class Appeal(db.Model):
    """An author's appeal of the decision that keeps their comment from the public (one each)."""

    __tablename__ = "appeals"
    __table_args__ = (Index("ix_appeals_site_status_created", "site_id", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id"), unique=True)
    note: Mapped[str] = mapped_column(String(1000), default="")
    requester: Mapped[str] = mapped_column(String(64), default="")  # hash of the appellant's IP
    status: Mapped[str] = mapped_column(String(12), default=AppealStatus.OPEN)
    appealed_status: Mapped[str] = mapped_column(String(10))  # the comment's status appealed
    # Who made the decision appealed: a moderator's token name and id, or "system".
    decided_by: Mapped[str] = mapped_column(String(200), default="system")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    # Spam verdicts (discarded or not) queue after every other appeal.
    spam_flagged: Mapped[bool] = mapped_column(default=False)
    reviewer: Mapped[str | None] = mapped_column(String(200))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    reason: Mapped[str] = mapped_column(String(500), default="")  # the reviewer's
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column()

    comment: Mapped[Comment] = relationship()


class AuthorStanding(db.Model):
    """A site's moderators' standing decision on one author (an email): trusted, held, banned."""

    __tablename__ = "author_standings"
    __table_args__ = (UniqueConstraint("site_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    email: Mapped[str] = mapped_column(String(100))  # lower case
    standing: Mapped[str] = mapped_column(String(10))  # service.domain.authors.Standing
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuthorEvent(db.Model):
    """The audit trail of an author's standing, and moderators' notes on them."""

    __tablename__ = "author_events"
    __table_args__ = (Index("ix_author_events_site_email", "site_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    email: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"))
    action: Mapped[str] = mapped_column(String(20))  # standing, note
    from_standing: Mapped[str] = mapped_column(String(10), default="")
    to_standing: Mapped[str] = mapped_column(String(10), default="")
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
