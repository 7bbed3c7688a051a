"""The public thread: pages of top-level comments, replies nested and paged, and reply depth.

A page is bounded however a thread grows: each comment shows at most `replies` replies (the
rest behind its `replies_cursor`) and a page holds at most MAX_NODES comments in all.
"""

from sqlalchemy import func

from service.api.common import decode_cursor, encode_cursor
from service.extensions import db
from service.models import Article, Comment, Status

MAX_NODES = 500  # comments on one page, replies included
MAX_ANCESTORS = 100  # a chain longer than any depth setting allows (older data included)


def attach_within_depth(parent_id: int | None, max_depth: int) -> int | None:
    """Return the parent a new reply hangs under, so no comment nests deeper than max_depth.

    As WordPress shows a reply to a comment at the deepest level (thread_comments_depth): beside
    that comment, under the same parent; with a depth of 1 every reply is a top-level comment.
    """
    chain = []  # the parent, its parent, ... up to a top-level comment
    while parent_id is not None and len(chain) < MAX_ANCESTORS:
        chain.append(parent_id)
        parent_id = db.session.scalar(db.select(Comment.parent_id).where(Comment.id == parent_id))
    if len(chain) < max_depth:  # the reply's depth is len(chain) + 1
        return chain[0] if chain else None
    # chain[i] sits at depth len(chain) - i: take the ancestor at depth max_depth - 1.
    index = len(chain) - max_depth + 1
    return chain[index] if index < len(chain) else None


def thread(article: Article, args: dict) -> dict:
    """Answer one page: top-level comments, or (a two-part cursor) more replies of one comment."""
    approved = (Comment.article_id == article.id) & (Comment.status == Status.APPROVED)
    after = decode_cursor(args["cursor"], lengths=(1, 2)) if "cursor" in args else []
    if len(after) == 2:  # [parent id, last reply shown]: replies are always oldest first
        parent_id, after_id = after
        query = (
            db.select(Comment)
            .where(approved, Comment.parent_id == parent_id, Comment.id > after_id)
            .order_by(Comment.id)
        )
        cursor_prefix = [parent_id]
    else:
        newest = args["order"] == "newest"
        query = db.select(Comment).where(approved, Comment.parent_id.is_(None))
        if after:
            query = query.where(Comment.id < after[0] if newest else Comment.id > after[0])
        query = query.order_by(Comment.id.desc() if newest else Comment.id.asc())
        cursor_prefix = []
    top = db.session.scalars(query.limit(args["limit"] + 1)).all()
    more = len(top) > args["limit"]
    top = top[: args["limit"]]
    children, cursors = replies_of(top, approved, args["replies"])

    def node(comment: Comment) -> dict:
        return {
            "id": comment.id,
            "parent_id": comment.parent_id,
            "author_name": comment.author_name,
            "author_url": comment.author_url,
            "body": comment.body,
            "created_at": comment.created_at,
            "replies": [node(child) for child in children.get(comment.id, [])],
            "replies_cursor": cursors.get(comment.id),
        }

    total = db.session.scalar(db.select(db.func.count()).where(approved))
    return {
        "article_id": article.external_id,
        "title": article.title,
        "is_open": article.is_open,
        "total": total,
        "items": [node(c) for c in top],
        "next_cursor": encode_cursor([*cursor_prefix, top[-1].id]) if more else None,
    }


def replies_of(top: list[Comment], approved, per_comment: int):
    """Load the replies under top, one tree level per query, at most per_comment per comment.

    Return (parent id -> replies shown, parent id -> cursor of the replies not shown).
    """
    children: dict[int, list[Comment]] = {}
    cursors: dict[int, str] = {}
    parents, shown = [c.id for c in top], len(top)
    while parents:
        if shown >= MAX_NODES:  # the page is full: these comments' replies are one click away
            has_replies = db.session.scalars(
                db.select(Comment.parent_id)
                .where(approved, Comment.parent_id.in_(parents))
                .distinct()
            ).all()
            cursors.update({p: encode_cursor([p, 0]) for p in has_replies})
            break
        rank = func.row_number().over(partition_by=Comment.parent_id, order_by=Comment.id)
        ranked = (
            db.select(Comment.id, rank.label("rank"))
            .where(approved, Comment.parent_id.in_(parents))
            .subquery()
        )
        replies = db.session.scalars(
            db.select(Comment)
            .join(ranked, ranked.c.id == Comment.id)
            .where(ranked.c.rank <= per_comment + 1)
            .order_by(Comment.id)
        ).all()
        parents = []
        for reply in replies:
            siblings = children.setdefault(reply.parent_id, [])
            if len(siblings) == per_comment or shown >= MAX_NODES:
                if reply.parent_id not in cursors:
                    cursors[reply.parent_id] = encode_cursor(
                        [reply.parent_id, siblings[-1].id if siblings else 0]
                    )
                continue
            siblings.append(reply)
            parents.append(reply.id)
            shown += 1
    return children, cursors
