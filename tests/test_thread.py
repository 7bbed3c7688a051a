"""The public thread: replies paged per comment, every comment reachable once, bad cursors 400."""

import base64

import pytest

from service.api import thread as thread_module
from service.api.common import encode_cursor
from service.models import Article, Comment, Status


@pytest.fixture
def article(make, db):
    site, key = make.site(settings={"thread_comments_depth": 10})
    article = Article(site_id=site.id, external_id="a-1", title="An article")
    db.session.add(article)
    db.session.commit()
    article.key = key
    return article


def publish(db, article, parent=None, body="A comment.") -> int:
    comment = Comment(
        site_id=article.site_id,
        article_id=article.id,
        body=body,
        parent_id=parent,
        status=Status.APPROVED,
    )
    db.session.add(comment)
    db.session.commit()
    return comment.id


def page(client, article, **query) -> dict:
    response = client.get(
        "/v1/articles/a-1/comments", query_string=query, headers={"X-Site-Key": article.key}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def everything_shown(client, article, **query) -> list[tuple[int, int | None]]:
    """Read the whole thread as a reader clicking every "show more" would: (id, parent) each."""
    shown = []

    def walk(nodes):
        for node in nodes:
            shown.append((node["id"], node["parent_id"]))
            walk(node["replies"])
            cursor = node["replies_cursor"]
            while cursor:
                more = page(client, article, cursor=cursor, **query)
                walk(more["items"])
                cursor = more["next_cursor"]

    cursor = None
    while True:
        data = page(
            client, article, order="oldest", **query, **({"cursor": cursor} if cursor else {})
        )
        walk(data["items"])
        cursor = data["next_cursor"]
        if not cursor:
            return shown


def test_a_comment_shows_its_first_replies_and_a_cursor_for_the_rest(client, db, article):
    top = publish(db, article)
    replies = [publish(db, article, top, f"Reply {n}") for n in range(5)]
    nested = publish(db, article, replies[3], "Reply to reply 3")
    first = page(client, article, replies=2)
    [item] = first["items"]
    assert [r["id"] for r in item["replies"]] == replies[:2] and item["replies_cursor"]
    more = page(client, article, cursor=item["replies_cursor"], limit=2, replies=2)
    assert [r["id"] for r in more["items"]] == replies[2:4]
    assert [r["id"] for r in more["items"][1]["replies"]] == [nested]  # nested ones come along
    last = page(client, article, cursor=more["next_cursor"], limit=2, replies=2)
    assert [r["id"] for r in last["items"]] == replies[4:] and last["next_cursor"] is None


def test_every_comment_is_reachable_once_however_big_the_thread(client, db, article, monkeypatch):
    monkeypatch.setattr(thread_module, "MAX_NODES", 7)  # a page holds at most 7 comments
    expected = []
    for n in range(3):
        top = publish(db, article, body=f"Top {n}")
        expected.append((top, None))
        for m in range(4):
            reply = publish(db, article, top, f"Reply {n}.{m}")
            expected.append((reply, top))
            nested = publish(db, article, reply, f"Reply {n}.{m}.0")
            expected.append((nested, reply))
    first = page(client, article, limit=2, replies=3)

    def count(nodes):
        return sum(1 + count(node["replies"]) for node in nodes)

    assert count(first["items"]) <= 7
    shown = everything_shown(client, article, limit=2, replies=3)
    assert sorted(shown) == sorted(expected) and len(shown) == len(set(shown))


def raw_cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


BAD_CURSORS = [
    "%%%",
    "not-base64!",
    "é",
    raw_cursor("not json"),
    raw_cursor('{"a": 1}'),
    encode_cursor(["x"]),
    encode_cursor([{}]),
    encode_cursor([None]),
    encode_cursor([True]),
    encode_cursor([]),
    encode_cursor([1, 2, 3]),
    encode_cursor([2**70]),
    raw_cursor("[1e999]"),
    raw_cursor("[NaN]"),
]


@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_a_malformed_thread_cursor_is_a_400_that_says_so(client, db, article, cursor):
    publish(db, article)
    response = client.get(
        "/v1/articles/a-1/comments",
        query_string={"cursor": cursor},
        headers={"X-Site-Key": article.key},
    )
    assert response.status_code == 400
    body = response.get_json()
    assert body["message"].startswith("Invalid cursor") and body["errors"]["query"]["cursor"]


@pytest.mark.parametrize("sort", ["priority", "newest", "oldest"])
@pytest.mark.parametrize("cursor", BAD_CURSORS)
def test_a_malformed_review_queue_cursor_is_a_400_that_says_so(client, make, sort, cursor):
    token = make.token()
    response = client.get(
        "/v1/moderation/queue",
        query_string={"cursor": cursor, "sort": sort},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.get_json()["message"].startswith("Invalid cursor")


def thread_ids(client, article) -> dict[int, list[int]]:
    """Comment id -> ids of its replies, as the public thread shows them; plus the total."""
    page = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": article.key}).get_json()
    shown: dict = {}

    def walk(items, parent):
        for item in items:
            shown.setdefault(parent, []).append(item["id"])
            walk(item["replies"], item["id"])

    walk(page["items"], None)
    return {"tree": shown, "total": page["total"]}


@pytest.mark.parametrize("action", ["reject", "delete", "spam"])
def test_approved_replies_stay_in_the_thread_when_their_parent_leaves_it(
    client, db, make, article, action
):
    top = publish(db, article, body="Top.")
    middle = publish(db, article, parent=top, body="Middle.")
    reply = publish(db, article, parent=middle, body="Reply.")
    moderator = {"Authorization": f"Bearer {make.token()}"}
    decided = client.post(
        f"/v1/moderation/comments/{middle}/decision",
        headers=moderator,
        json={"action": action, "version": 1},
    )
    assert decided.status_code == 200
    # As WordPress re-parents the replies of a deleted comment: under the grandparent.
    assert thread_ids(client, article) == {"tree": {None: [top], top: [reply]}, "total": 2}


def test_approved_replies_stay_in_the_thread_when_their_authors_parent_is_erased(
    client, db, make, article
):
    top = Comment(
        site_id=article.site_id,
        article_id=article.id,
        body="Mine.",
        author_email="erase.me@mail.example",
        status=Status.APPROVED,
    )
    db.session.add(top)
    db.session.commit()
    reply = publish(db, article, parent=top.id, body="A reply to it.")
    admin = {"Authorization": f"Bearer {make.token('admin')}"}
    erased = client.post(
        "/v1/admin/privacy/erase", headers=admin, json={"email": "erase.me@mail.example"}
    )
    assert erased.status_code == 200
    assert thread_ids(client, article) == {"tree": {None: [reply]}, "total": 1}
