"""The review API: queues, decisions with optimistic locking, claims, audit history, stats."""

from datetime import timedelta
from typing import NoReturn

from flask import current_app, g, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import String, case, cast, func, update

from service import webhooks
from service.api.common import (
    JsonBoolean,
    UTCDateTime,
    decode_cursor,
    encode_cursor,
)
from service.api.thread import lift_replies
from service.auth import Principal, check_site_access, require_role
from service.extensions import db
from service.models import (
    Article,
    Comment,
    Flag,
    ModerationEvent,
    Role,
    SpamFeedback,
    Status,
    utc_iso,
    utcnow,
)
from service.queue import LEARN_TASK, send
from service.site_settings import effective_settings

blp = Blueprint("moderation", __name__, url_prefix="/v1/moderation",
                description="Review API for moderators.")

QUEUES = ("held", "reported", "pending", "approved", "rejected", "spam")
ACTIONS = {"approve": Status.APPROVED, "reject": Status.REJECTED, "spam": Status.SPAM,
           "delete": Status.DELETED}
MAX_BULK_ITEMS = 200
moderators = require_role(Role.MODERATOR, Role.ADMIN)


class QueueArgsSchema(Schema):
    queue = fields.String(load_default="held", validate=validate.OneOf(QUEUES))
    site_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    article_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))
    label = fields.String(validate=validate.Length(1, 40),
                          metadata={"description": "Only comments with reason TOXIC:<label>."})
    reason = fields.String(validate=validate.Length(1, 60))
    sort = fields.String(load_default="priority",
                         validate=validate.OneOf(["priority", "oldest", "newest"]))
    limit = fields.Integer(validate=validate.Range(1, 200))
    cursor = fields.String()
    include_claimed = fields.Boolean(load_default=False)
    include_discarded = fields.Boolean(load_default=False)


class SpanSchema(Schema):
    begin = fields.Integer()
    end = fields.Integer()
    score = fields.Float()
    text = fields.String()


class ReviewItemSchema(Schema):
    id = fields.Integer()
    site_id = fields.Integer()
    article = fields.Dict()
    parent_id = fields.Integer(allow_none=True)
    author = fields.Dict()
    author_history = fields.Dict(keys=fields.String(), values=fields.Integer())
    body = fields.String()
    status = fields.String()
    version = fields.Integer()
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    spam_score = fields.Float(allow_none=True)
    reasons = fields.List(fields.String())
    explanations = fields.Dict(keys=fields.String(), values=fields.List(fields.Nested(SpanSchema)))
    language = fields.String()
    model = fields.Dict()
    discarded = fields.Boolean()
    priority = fields.Float()
    flag_count = fields.Integer()
    flags = fields.List(fields.Dict())
    claimed_by = fields.String(allow_none=True)
    claimed_until = UTCDateTime(allow_none=True)
    created_at = UTCDateTime()
    decided_at = UTCDateTime(allow_none=True)


class QueuePageSchema(Schema):
    queue = fields.String()
    items = fields.List(fields.Nested(ReviewItemSchema))
    next_cursor = fields.String(allow_none=True)


class DecisionInSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(list(ACTIONS)))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


class DecisionOutSchema(Schema):
    id = fields.Integer()
    status = fields.String()
    version = fields.Integer()


class BulkItemSchema(Schema):
    id = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))
    version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 2**31 - 1))


class BulkDecisionInSchema(Schema):
    action = fields.String(required=True, validate=validate.OneOf(list(ACTIONS)))
    reason = fields.String(load_default="", validate=validate.Length(max=500))
    items = fields.List(fields.Nested(BulkItemSchema), required=True,
                        validate=validate.Length(1, MAX_BULK_ITEMS))


class BulkResultSchema(Schema):
    id = fields.Integer()
    ok = fields.Boolean()
    status = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    code = fields.Integer()
    message = fields.String()


class BulkOutSchema(Schema):
    results = fields.List(fields.Nested(BulkResultSchema))


class ClaimSchema(Schema):
    id = fields.Integer()
    claimed_by = fields.String(allow_none=True)
    claimed_until = UTCDateTime(allow_none=True)


class EventSchema(Schema):
    id = fields.Integer()
    actor = fields.String()
    actor_id = fields.Integer(allow_none=True, metadata={
        "description": "The token that acted; null for the service itself and readers."})
    action = fields.String()
    from_status = fields.String()
    to_status = fields.String()
    reason = fields.String()
    reasons = fields.List(fields.String())
    created_at = UTCDateTime()


class FeedbackInSchema(Schema):
    is_spam = JsonBoolean(required=True)


class MeSchema(Schema):
    name = fields.String()
    role = fields.String()
    site_id = fields.Integer(allow_none=True)


class StatsArgsSchema(Schema):
    site_id = fields.Integer(validate=validate.Range(1, 2**31 - 1))


class StatsSchema(Schema):
    queues = fields.Dict(keys=fields.String(), values=fields.Integer())
    oldest_held_age_s = fields.Float(allow_none=True)
    oldest_pending_age_s = fields.Float(allow_none=True)


def queue_filter(queue: str, include_discarded: bool):
    if queue == "reported":
        return Comment.reported.is_(True) & Comment.status.in_([Status.APPROVED, Status.HELD])
    condition = Comment.status == queue
    if queue == "spam" and not include_discarded:
        condition = condition & Comment.discarded.is_(False)
    return condition


def scope_to_principal(query, principal: Principal, site_id: int | None):
    if site_id is not None:
        check_site_access(site_id)
        return query.where(Comment.site_id == site_id)
    if principal.site_id is not None:
        return query.where(Comment.site_id == principal.site_id)
    return query


def has_reason(code: str):
    """Match a whole reason code (LINK is not LINKS); a code without `:` also names its family
    (TOXIC matches TOXIC:insult)."""
    # Reasons are a JSON list; matching its text works the same on SQLite and PostgreSQL.
    # LIKE's wildcards in a code are meant literally: SUSPECT_WORD must not match SUSPECTXWORD.
    literal = code.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    text = cast(Comment.reasons, String)
    whole = text.like(f'%"{literal}"%', escape="\\")
    if ":" in code:
        return whole
    return whole | text.like(f'%"{literal}:%', escape="\\")


def explanations(comment: Comment, settings: dict) -> dict:
    """Return, per label, the sentences whose score reached the label's hold threshold."""
    out: dict[str, list] = {}
    for label, limits in settings["thresholds"].items():
        hits = [
            {"begin": s["begin"], "end": s["end"], "score": s["scores"][label],
             "text": comment.body[s["begin"]:s["end"]]}
            for s in comment.spans or []
            if s.get("scores", {}).get(label, 0.0) >= limits["hold"]
        ]
        if hits:
            out[label] = sorted(hits, key=lambda h: -h["score"])
    return out


def author_histories(comments: list[Comment]) -> dict[tuple, dict]:
    """Count each author's comments by status on their site, in one query."""
    emails = {c.author_email for c in comments if c.author_email}
    if not emails:
        return {}
    rows = db.session.execute(
        db.select(Comment.site_id, Comment.author_email, Comment.status, func.count())
        .where(Comment.author_email.in_(emails))
        .group_by(Comment.site_id, Comment.author_email, Comment.status)
    ).all()
    histories: dict[tuple, dict] = {}
    for site_id, email, status, count in rows:
        histories.setdefault((site_id, email), {})[status] = count
    return histories


def review_item(comment: Comment, history: dict | None = None) -> dict:
    article: Article = comment.article
    settings = effective_settings(comment.site, article)
    return {
        **{k: getattr(comment, k) for k in (
            "id", "site_id", "parent_id", "body", "status", "version", "scores", "spam_score",
            "reasons", "language", "discarded", "priority", "flag_count", "claimed_by",
            "claimed_until", "created_at", "decided_at")},
        "article": {"id": article.id, "external_id": article.external_id,
                    "title": article.title, "permalink": article.permalink},
        "author": {"name": comment.author_name, "email": comment.author_email,
                   "url": comment.author_url, "ip": comment.ip},
        "author_history": {s.value: (history or {}).get(s.value, 0) for s in Status},
        "explanations": explanations(comment, settings),
        "model": {"name": comment.model_name, "version": comment.model_version},
        "flags": [{"reason": f.reason, "note": f.note, "resolved": f.resolved,
                   "created_at": utc_iso(f.created_at)} for f in comment.flags],
    }


def load_comment(comment_id: int) -> Comment:
    comment = db.session.get(Comment, comment_id)
    scoped_to = g.principal.site_id
    if scoped_to is not None and (comment is None or comment.site_id != scoped_to):
        not_on_the_tokens_site([comment_id])
    if comment is None:
        abort(404, message=f"No comment {comment_id}.")
    return comment


def not_on_the_tokens_site(comment_ids: list[int]) -> NoReturn:
    """Refuse a site-scoped token comments that are not on its site, missing ones included.

    Another site's comment and a comment that does not exist get the same 403, so the token
    cannot learn which ids exist on other sites.
    """
    listed = ", ".join(map(str, comment_ids[:10])) + (", ..." if len(comment_ids) > 10 else "")
    abort(403, message=f"This token's site has no comment {listed}.")


def scoped_to_own_comments(comment_ids) -> None:
    """Refuse a site-scoped token the request if any of comment_ids is not on its site."""
    if not comment_ids:
        return
    found = dict(db.session.execute(db.select(Comment.id, Comment.site_id)
                                    .where(Comment.id.in_(comment_ids))).all())
    foreign = sorted(i for i in comment_ids if found.get(i) != g.principal.site_id)
    if foreign:
        not_on_the_tokens_site(foreign)


# The guards below run for site-scoped tokens only (an unscoped token may act on any site).
def comment_site(comment_id: int) -> list[int]:
    """Name the site of the URL's comment, once it is known to be the token's own."""
    scoped_to_own_comments([comment_id])
    return [g.principal.site_id]


def site_argument() -> list[int]:
    """Name the site_id query argument if it is a number; the view's schema checks the rest."""
    site_id = request.args.get("site_id", type=int)
    return [] if site_id is None else [site_id]


ITEM_ID = BulkItemSchema(only=("id",), unknown=EXCLUDE)


def item_sites() -> list[int]:
    """Name the site of the comments a bulk body lists, once they are known to be the token's
    own; the view's schema checks the rest of the body."""
    body = request.get_json(silent=True)
    items = body.get("items") if isinstance(body, dict) else None
    ids = set()
    # A longer list than the schema allows is refused anyway: its tail need not be read.
    for item in items[:MAX_BULK_ITEMS] if isinstance(items, list) else []:
        try:
            ids.add(ITEM_ID.load(item)["id"])
        except ValidationError:
            continue
    scoped_to_own_comments(ids)
    return [g.principal.site_id] if ids else []


# Views that read input name the sites it acts on, so that a token scoped to another site is
# refused before the input is validated; the views check the validated input again.
moderators_of_comment = require_role(Role.MODERATOR, Role.ADMIN, sites=comment_site)
moderators_of_site_argument = require_role(Role.MODERATOR, Role.ADMIN, sites=site_argument)
moderators_of_items = require_role(Role.MODERATOR, Role.ADMIN, sites=item_sites)


def claimed_by_other(comment: Comment, principal: Principal) -> bool:
    return bool(comment.claimed_by and comment.claimed_by != principal.name
                and comment.claimed_until and comment.claimed_until > utcnow())


def decide(comment: Comment, action: str, reason: str, version: int) -> Comment:
    """Apply a moderator's decision if nobody changed the comment since `version` was read."""
    principal: Principal = g.principal
    if claimed_by_other(comment, principal):
        abort(409, message=f"Claimed by {comment.claimed_by} until "
                           f"{utc_iso(comment.claimed_until)}.")
    to_status = ACTIONS[action]
    from_status = comment.status
    now = utcnow()
    # The version check and the update are one statement, so two moderators cannot both win.
    result = db.session.execute(
        update(Comment)
        .where(Comment.id == comment.id, Comment.version == version)
        .values(status=to_status, version=Comment.version + 1, decided_at=now, updated_at=now,
                reported=False, claimed_by=None, claimed_until=None, discarded=False)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        current = db.session.get(Comment, comment.id)
        db.session.refresh(current)
        abort(409, message=f"Comment {comment.id} changed since version {version} was read: it is "
                           f"now {current.status} at version {current.version}.",
              errors={"current": {"status": current.status, "version": current.version}})
    db.session.execute(update(Flag).where(Flag.comment_id == comment.id).values(resolved=True))
    if from_status == Status.APPROVED and to_status != Status.APPROVED:
        lift_replies(comment.id)
    db.session.add(ModerationEvent(comment_id=comment.id, actor=principal.name,
                                   actor_id=principal.key_id, action=action,
                                   from_status=from_status, to_status=to_status, reason=reason))
    learn = to_status == Status.SPAM or (to_status == Status.APPROVED and
                                         (from_status == Status.SPAM or comment.spam_score))
    if learn:
        db.session.add(SpamFeedback(site_id=comment.site_id, comment_id=comment.id,
                                    is_spam=to_status == Status.SPAM,
                                    source=f"moderator:{principal.key_id}",
                                    text=comment.body, fields=comment.author_fields()))
    webhooks.decided(comment, to_status, by="moderator")
    db.session.commit()
    if learn:
        send(LEARN_TASK, [comment.site_id])
    db.session.refresh(comment)
    return comment


@blp.route("/queue")
class Queue(MethodView):
    @moderators_of_site_argument
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(QueueArgsSchema, location="query")
    @blp.response(200, QueuePageSchema)
    def get(self, args):
        """List a moderation queue, highest priority (or oldest, newest) first."""
        query = db.select(Comment).where(queue_filter(args["queue"], args["include_discarded"]))
        query = scope_to_principal(query, g.principal, args.get("site_id"))
        if "article_id" in args:
            query = query.where(Comment.article_id == args["article_id"])
        if "label" in args:
            query = query.where(has_reason(f"TOXIC:{args['label']}"))
        if "reason" in args:
            query = query.where(has_reason(args["reason"]))
        if not args["include_claimed"]:
            # A claimed item is not handed to another moderator until its claim expires.
            query = query.where(
                Comment.claimed_by.is_(None) | (Comment.claimed_by == g.principal.name)
                | (Comment.claimed_until < utcnow())
            )
        key = {"priority": (Comment.priority.desc(), Comment.id.desc()),
               "newest": (Comment.id.desc(),), "oldest": (Comment.id.asc(),)}[args["sort"]]
        if "cursor" in args:
            values = decode_cursor(args["cursor"], kind=args["sort"],
                                   lengths=(2,) if args["sort"] == "priority" else (1,))
            if len(values) == 2:
                priority, last_id = values
                query = query.where((Comment.priority < priority) |
                                    ((Comment.priority == priority) & (Comment.id < last_id)))
            else:
                last_id = values[0]
                query = query.where(Comment.id > last_id if args["sort"] == "oldest"
                                    else Comment.id < last_id)
        limit = args.get("limit") or current_app.config["QUEUE_PAGE_SIZE"]
        comments = db.session.scalars(query.order_by(*key).limit(limit + 1)).all()
        more = len(comments) > limit
        comments = comments[:limit]
        histories = author_histories(comments)
        next_cursor = None
        if more:
            last = comments[-1]
            next_cursor = encode_cursor(
                [last.priority, last.id] if args["sort"] == "priority" else [last.id],
                kind=args["sort"])
        return {"queue": args["queue"], "next_cursor": next_cursor,
                "items": [review_item(c, histories.get((c.site_id, c.author_email)))
                          for c in comments]}


@blp.route("/comments/<int:comment_id>")
class ReviewItem(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ReviewItemSchema)
    def get(self, comment_id: int):
        """Show one comment as moderators see it."""
        comment = load_comment(comment_id)
        return review_item(comment, author_histories([comment]).get(
            (comment.site_id, comment.author_email)))


@blp.route("/comments/<int:comment_id>/decision")
class Decision(MethodView):
    @moderators_of_comment
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(DecisionInSchema)
    @blp.response(200, DecisionOutSchema)
    @blp.alt_response(409, description="Stale version, or claimed by another moderator.")
    def post(self, data, comment_id: int):
        """Approve, reject, mark as spam or delete a comment."""
        comment = load_comment(comment_id)
        return decide(comment, data["action"], data["reason"], data["version"])


@blp.route("/decisions")
class BulkDecision(MethodView):
    @moderators_of_items
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(BulkDecisionInSchema)
    @blp.response(200, BulkOutSchema)
    def post(self, data):
        """Apply one decision to many comments; each item succeeds or fails on its own."""
        # Except another site's comment: the guard refuses the whole batch for it (403).
        from werkzeug.exceptions import HTTPException

        results = []
        for item in data["items"]:
            try:
                comment = load_comment(item["id"])
                comment = decide(comment, data["action"], data["reason"], item["version"])
                results.append({"id": comment.id, "ok": True, "status": comment.status,
                                "version": comment.version, "code": 200, "message": "ok"})
            except HTTPException as exc:
                db.session.rollback()
                details = getattr(exc, "data", None) or {}
                message = details.get("message") or exc.description
                # A conflict says where the comment is now, as the single decision does.
                current = (details.get("errors") or {}).get("current") or {}
                results.append({"id": item["id"], "ok": False, "status": current.get("status"),
                                "version": current.get("version"), "code": exc.code,
                                "message": str(message)})
        return {"results": results}


@blp.route("/comments/<int:comment_id>/claim")
class Claim(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ClaimSchema)
    @blp.alt_response(409, description="Claimed by another moderator.")
    def post(self, comment_id: int):
        """Claim a comment for review; others skip it until the claim expires."""
        comment = load_comment(comment_id)
        principal: Principal = g.principal
        now = utcnow()
        until = now + timedelta(seconds=current_app.config["CLAIM_TTL_S"])
        result = db.session.execute(
            update(Comment)
            .where(Comment.id == comment.id,
                   Comment.claimed_by.is_(None) | (Comment.claimed_by == principal.name)
                   | (Comment.claimed_until < now))
            .values(claimed_by=principal.name, claimed_until=until)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:
            db.session.rollback()
            db.session.refresh(comment)
            abort(409, message=f"Claimed by {comment.claimed_by} until "
                               f"{utc_iso(comment.claimed_until)}.")
        db.session.add(ModerationEvent(comment_id=comment.id, actor=principal.name,
                                       actor_id=principal.key_id, action="claim",
                                       from_status=comment.status, to_status=comment.status))
        db.session.commit()
        db.session.refresh(comment)
        return comment

    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, ClaimSchema)
    def delete(self, comment_id: int):
        """Release a claim (yours, or anyone's if you are an admin)."""
        comment = load_comment(comment_id)
        principal: Principal = g.principal
        if claimed_by_other(comment, principal) and principal.role != Role.ADMIN:
            abort(403, message=f"Only {comment.claimed_by} or an admin can release this claim.")
        comment.claimed_by = None
        comment.claimed_until = None
        db.session.commit()
        return comment


@blp.route("/comments/<int:comment_id>/history")
class History(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, EventSchema(many=True))
    def get(self, comment_id: int):
        """Show a comment's audit trail, oldest first."""
        comment = load_comment(comment_id)
        return db.session.scalars(db.select(ModerationEvent)
                                  .where(ModerationEvent.comment_id == comment.id)
                                  .order_by(ModerationEvent.id)).all()


@blp.route("/comments/<int:comment_id>/spam-feedback")
class Feedback(MethodView):
    @moderators_of_comment
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(FeedbackInSchema)
    @blp.response(202, DecisionOutSchema)
    def post(self, data, comment_id: int):
        """Resubmit a comment as spam or not spam, to train the site's spam filter."""
        comment = load_comment(comment_id)
        latest = db.session.scalar(db.select(SpamFeedback.is_spam)
                                   .where(SpamFeedback.comment_id == comment.id)
                                   .order_by(SpamFeedback.id.desc()).limit(1))
        if latest is data["is_spam"]:
            return comment  # said already: the model must not learn the same label twice
        db.session.add(SpamFeedback(site_id=comment.site_id, comment_id=comment.id,
                                    is_spam=data["is_spam"],
                                    source=f"moderator:{g.principal.key_id}",
                                    text=comment.body, fields=comment.author_fields()))
        db.session.add(ModerationEvent(comment_id=comment.id, actor=g.principal.name,
                                       actor_id=g.principal.key_id,
                                       action="spam-feedback", from_status=comment.status,
                                       to_status=comment.status,
                                       reason="spam" if data["is_spam"] else "not spam"))
        db.session.commit()
        send(LEARN_TASK, [comment.site_id])
        return comment


@blp.route("/me")
class Me(MethodView):
    @moderators
    @blp.doc(security=[{"bearer": []}])
    @blp.response(200, MeSchema)
    def get(self):
        """Say who the token belongs to: name, role and site scope."""
        principal: Principal = g.principal
        return {"name": principal.name, "role": principal.role, "site_id": principal.site_id}


@blp.route("/stats")
class Stats(MethodView):
    @moderators_of_site_argument
    @blp.doc(security=[{"bearer": []}])
    @blp.arguments(StatsArgsSchema, location="query")
    @blp.response(200, StatsSchema)
    def get(self, args):
        """Count comments per queue; age of the oldest held and pending comment."""
        site_id = args.get("site_id", g.principal.site_id)
        if site_id is not None:
            check_site_access(site_id)
        scope = Comment.site_id == site_id if site_id is not None else True
        counts = db.session.execute(
            db.select(
                *[func.sum(case((queue_filter(q, False), 1), else_=0)) for q in QUEUES],
                func.min(case((Comment.status == Status.HELD, Comment.created_at))),
                func.min(case((Comment.status == Status.PENDING, Comment.created_at))),
            ).where(scope)
        ).one()
        now = utcnow()

        def age(oldest):
            return round((now - oldest).total_seconds(), 1) if oldest else None

        per_queue = zip(QUEUES, counts[:len(QUEUES)], strict=True)
        return {"queues": {q: int(n or 0) for q, n in per_queue},
                "oldest_held_age_s": age(counts[-2]), "oldest_pending_age_s": age(counts[-1])}
