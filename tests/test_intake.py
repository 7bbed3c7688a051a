"""Comment intake: what a site's form or API client sends, and every way it can be wrong."""

import io
import json

import pytest

from service.models import Comment, Status


def test_a_json_comment_is_stored_pending_and_answered_202(make, db):
    _, key = make.site()
    response = make.post_comment(key, body="Great reporting, thank you.")
    assert response.status_code == 202
    data = response.get_json()
    assert data["status"] == "pending" and data["status_token"]
    assert response.headers["Location"].endswith(f"/v1/comments/{data['id']}/status")
    comment = db.session.get(Comment, data["id"])
    assert comment.body == "Great reporting, thank you." and comment.status == Status.PENDING


def test_the_author_polls_status_with_the_token_in_a_header(make, client):
    _, key = make.site()
    data = make.post_comment(key).get_json()
    url = f"/v1/comments/{data['id']}/status"
    assert data["status_url"].endswith(url)  # the URL alone carries no secret
    ok = client.get(url, headers={"X-Status-Token": data["status_token"]})
    assert ok.status_code == 200 and ok.get_json()["status"] == "pending"
    assert client.get(url, headers={"X-Status-Token": "wrong"}).status_code == 404
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("token", ["right", "wrong", ""])
def test_a_status_token_in_the_url_is_refused_naming_the_header(make, client, token):
    _, key = make.site()
    data = make.post_comment(key).get_json()
    token = data["status_token"] if token == "right" else token
    response = client.get(f"/v1/comments/{data['id']}/status?token={token}")
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "Send the status token in the X-Status-Token header, not in the URL."
    )


@pytest.mark.parametrize(
    "permalink, referer, expected",
    [
        (None, "https://news.example/p/9?x=1#reply", "https://news.example/p/9?x=1#comment-{id}"),
        (None, None, "/comment-received"),
        (None, "https://elsewhere.example/p/9", "/comment-received"),
        (
            "https://news.example/story",
            "https://news.example/p/9",
            "https://news.example/story#comment-{id}",
        ),
    ],
)
def test_a_browser_form_post_never_carries_the_status_token_in_its_redirect(
    make, client, db, permalink, referer, expected
):
    _, key = make.site()
    form = {
        "author": "Ann",
        "email": "ann@mail.example",
        "comment": "Posted from a form.",
        "site_key": key,
    }
    if permalink:
        client.post(
            "/v1/articles/post-9/comments",
            headers={"X-Site-Key": key},
            json={
                "author_name": "Bo",
                "author_email": "bo@mail.example",
                "body": "First one here.",
                "article": {"permalink": permalink},
            },
            environ_base={"REMOTE_ADDR": "10.9.9.9"},
        )
    headers = {"Accept": "text/html", **({"Referer": referer} if referer else {})}
    response = client.post("/v1/articles/post-9/comments", data=form, headers=headers)
    assert response.status_code == 303
    comment = db.session.scalar(db.select(Comment).where(Comment.author_name == "Ann"))
    location = response.headers["Location"]
    assert location.removeprefix("http://localhost") == expected.format(id=comment.id)
    assert "token" not in location and "status" not in location
    if expected == "/comment-received":
        page = client.get(location)
        assert page.status_code == 200 and "awaiting moderation" in page.get_data(as_text=True)


def test_a_wordpress_form_post_from_a_browser_is_redirected_to_the_comment(make, client, db):
    _, key = make.site()
    form = {
        "comment_post_ID": "post-7",
        "author": "Ann",
        "email": "ann@mail.example",
        "url": "ann.example",
        "comment": "Posted from the old form.",
        "comment_parent": "0",
        "submit": "Post Comment",
        "site_key": key,
    }
    response = client.post(
        "/v1/articles/post-7/comments",
        data=form,
        headers={"Accept": "text/html", "Referer": "https://news.example/p/7"},
    )
    assert response.status_code == 303
    comment = db.session.scalar(db.select(Comment))
    assert response.headers["Location"] == f"https://news.example/p/7#comment-{comment.id}"
    assert comment.author_url == "http://ann.example" and comment.parent_id is None


def test_a_form_post_from_a_script_gets_json(make, client):
    _, key = make.site()
    response = client.post(
        "/v1/articles/a/comments",
        headers={"X-Site-Key": key},
        data={"author": "Al", "email": "al@mail.example", "comment": "Hi all"},
    )
    assert response.status_code == 202 and response.get_json()["status"] == "pending"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"body": ""}, "body", "Please type your comment text."),
        ({"body": "   \n "}, "body", "Please type your comment text."),
        ({"author_email": "not-an-email"}, "author_email", "Not a valid email address."),
        ({"author_name": "x" * 246}, "author_name", "Longer than maximum length 245."),
        ({"author_email": "a" * 95 + "@b.com"}, "author_email", "Longer than maximum length 100."),
        (
            {"author_url": "https://e.com/" + "x" * 190},
            "author_url",
            "Longer than maximum length 200.",
        ),
        ({"author_url": "javascript:alert(1)"}, "author_url", "Not a valid URL."),
        ({"parent_id": "x"}, "parent_id", "Not a valid integer."),
        ({"surprise": 1}, "surprise", "Unknown field."),
    ],
)
def test_invalid_fields_get_422_with_field_messages(make, fields, field, message):
    _, key = make.site()
    response = make.post_comment(key, **fields)
    assert response.status_code == 422
    body = response.get_json()
    assert body["code"] == 422 and body["status"] == "Unprocessable Entity"
    assert message in body["errors"]["json"][field]


@pytest.mark.parametrize("char", ["y", "é", "\U0001f600"])
def test_a_wordpress_sized_comment_fits_the_default_body_limit(make, char):
    # JSON may escape every character (an emoji as two \\u escapes): 65,525 of them still fit.
    _, key = make.site()
    response = make.post_comment(key, body=char * 65526)
    assert response.status_code == 422
    assert "Longer than maximum length 65525." in response.get_json()["errors"]["json"]["body"]
    assert make.post_comment(key, body=char * 65525).status_code == 202


def test_name_and_email_are_required_by_default(make):
    _, key = make.site()
    response = make.post_comment(key, author_name="", author_email="")
    assert response.status_code == 422
    assert set(response.get_json()["errors"]["json"]) == {"author_name", "author_email"}


def test_malformed_json_is_400(make, client):
    _, key = make.site()
    response = client.post(
        "/v1/articles/a/comments",
        data="{not json",
        headers={"X-Site-Key": key, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.get_json() == {
        "code": 400,
        "status": "Bad Request",
        "message": "Malformed JSON body.",
    }


def test_other_content_types_are_415(make, client):
    _, key = make.site()
    response = client.post(
        "/v1/articles/a/comments",
        data="hello",
        headers={"X-Site-Key": key, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415 and "application/json" in response.get_json()["message"]


@pytest.mark.parametrize("chunked", [False, True])
def test_a_body_over_max_request_bytes_is_413_naming_the_limit(app, make, client, chunked):
    _, key = make.site()
    body = json.dumps(
        {
            "author_name": "A",
            "author_email": "a@mail.example",
            "body": "z" * (app.config["MAX_REQUEST_BYTES"] + 1),
        }
    ).encode()
    extra = (
        {
            "input_stream": io.BytesIO(body),
            "environ_base": {"wsgi.input_terminated": True},
            "headers": {
                "X-Site-Key": key,
                "Content-Type": "application/json",
                "Transfer-Encoding": "chunked",
            },
        }
        if chunked
        else {"data": body, "headers": {"X-Site-Key": key, "Content-Type": "application/json"}}
    )
    response = client.post("/v1/articles/a/comments", **extra)
    assert response.status_code == 413 and response.get_json()["code"] == 413
    assert "MAX_REQUEST_BYTES" in response.get_json()["message"]


@pytest.mark.parametrize("headers", [{}, {"X-Site-Key": "pk_nothing_here"}, {"X-Site-Key": "junk"}])
def test_missing_or_invalid_site_key_is_401(client, headers):
    response = client.post("/v1/articles/a/comments", json={"body": "hi"}, headers=headers)
    assert response.status_code == 401 and "site key" in response.get_json()["message"]


def test_a_moderator_token_is_not_a_site_key(make, client):
    response = client.post(
        "/v1/articles/a/comments",
        json={"body": "hi"},
        headers={"X-Site-Key": make.token("moderator")},
    )
    assert response.status_code == 401


def test_an_origin_not_on_the_allowlist_is_403(make):
    _, key = make.site(origins=["https://news.example"])
    response = make.post_comment(key, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and "evil.example" in response.get_json()["message"]
    assert make.post_comment(key, headers={"Origin": "https://news.example"}).status_code == 202


def test_unknown_article_is_404_when_the_site_does_not_create_articles(make):
    _, key = make.site(settings={"auto_create_articles": False})
    assert make.post_comment(key, article="never-seen").status_code == 404


def test_a_closed_article_refuses_comments(make):
    from service.admin_ops import upsert_article

    site, key = make.site()
    upsert_article(site, "closed-1", is_open=False)
    response = make.post_comment(key, article="closed-1")
    assert response.status_code == 403 and "closed" in response.get_json()["message"]


@pytest.mark.parametrize("email_again", ["dup@mail.example", "Dup@Mail.Example"])
def test_a_duplicate_comment_is_409_with_wordpress_message(make, email_again):
    _, key = make.site()
    first = make.post_comment(key, author_email="dup@mail.example", body="Same words.")
    assert first.status_code == 202
    # Emails are stored lower case, so a change of case is the same author.
    again = make.post_comment(key, author_email=email_again, body="Same words.")
    assert again.status_code == 409
    assert again.get_json()["message"] == (
        "Duplicate comment detected; it looks as though you've already said that!"
    )
    assert (
        make.post_comment(key, author_email="other@mail.example", body="Same words.").status_code
        == 202
    )


@pytest.mark.parametrize("same", ["ip", "email"])
def test_a_flood_from_one_ip_or_email_is_429_with_retry_after(make, same):
    _, key = make.site()
    ip, email = "203.0.113.9", "fast@mail.example"
    first = make.post_comment(key, ip=ip, author_email=email, body="First.")
    assert first.status_code == 202
    again = make.post_comment(
        key,
        ip=ip if same == "ip" else "203.0.113.10",
        author_email=email if same == "email" else "slow@mail.example",
        body="Second, straight away.",
    )
    assert again.status_code == 429
    assert 1 <= int(again.headers["Retry-After"]) <= 15


def test_the_flood_interval_is_a_site_setting(make):
    _, key = make.site(settings={"flood_seconds": 0})
    for n in range(3):
        assert make.post_comment(key, ip="203.0.113.1", body=f"Comment {n}").status_code == 202


@pytest.mark.parametrize("parent_problem", ["missing", "other_article", "not_approved"])
def test_a_reply_needs_an_approved_parent_on_the_same_article(make, db, parent_problem):
    _, key = make.site()
    parent_id = make.post_comment(key, article="a-1", body="Parent").get_json()["id"]
    parent = db.session.get(Comment, parent_id)
    if parent_problem == "missing":
        parent_id = 999999
    elif parent_problem == "other_article":
        parent.status = Status.APPROVED
        db.session.commit()
    reply = make.post_comment(
        key,
        article="a-2" if parent_problem == "other_article" else "a-1",
        parent_id=parent_id,
        body="A reply",
    )
    assert reply.status_code == 422
    assert "parent_id" in reply.get_json()["errors"]["json"]


def test_a_reply_to_an_approved_comment_is_accepted(make, db):
    _, key = make.site()
    parent_id = make.post_comment(key, body="Parent").get_json()["id"]
    db.session.get(Comment, parent_id).status = Status.APPROVED
    db.session.commit()
    assert make.post_comment(key, parent_id=parent_id, body="Reply").status_code == 202


def test_articles_are_created_on_first_comment_with_the_referrer_as_permalink(make, db):
    from service.models import Article

    _, key = make.site()
    make.post_comment(key, article="new-9", headers={"Referer": "https://news.example/n/9#top"})
    article = db.session.scalar(db.select(Article).where(Article.external_id == "new-9"))
    assert article.permalink == "https://news.example/n/9"


def test_accepted_comments_survive_a_broker_outage(app, make, db):
    # Nothing accepted is lost: with the broker down the comment is stored unsent for the sweeper.
    import kombu.pools

    from service.queue import breaker

    celery = app.extensions["celery"]
    _, key = make.site()
    broker_url = celery.conf.broker_url

    def fresh_connections():
        celery._pool = None
        celery.amqp._producer_pool = None
        kombu.pools.reset()

    celery.conf.broker_url = "redis://127.0.0.1:1/0"
    fresh_connections()
    try:
        response = make.post_comment(key, body="Posted while Redis is down.")
    finally:
        celery.conf.broker_url = broker_url
        fresh_connections()
        breaker.open_until = 0
    assert response.status_code == 202
    comment = db.session.get(Comment, response.get_json()["id"])
    # Stored, and not sent by intake: still unsent, or already sent by a running sweeper.
    assert comment is not None
    assert comment.enqueued_at is None or comment.attempts >= 1


def published_chain(make, db, key, length: int) -> list[int]:
    """Post and publish a chain of replies, each to the one before; return their ids."""
    chain: list[int] = []
    for level in range(length):
        fields = {"parent_id": chain[-1]} if chain else {}
        comment_id = make.post_comment(key, body=f"Level {level + 1}", **fields).get_json()["id"]
        db.session.get(Comment, comment_id).status = Status.APPROVED
        db.session.commit()
        chain.append(comment_id)
    return chain


@pytest.mark.parametrize("depth", [None, 1, 2, 10])
def test_a_reply_to_a_comment_at_the_depth_cap_goes_beside_it_as_in_wordpress(make, db, depth):
    # WordPress's thread_comments_depth (default 5): such a reply shows at the deepest level.
    settings = {"flood_seconds": 0} | ({"thread_comments_depth": depth} if depth else {})
    _, key = make.site(settings=settings)
    depth = depth or 5
    chain = published_chain(make, db, key, depth + 1)
    parents = [db.session.get(Comment, comment_id).parent_id for comment_id in chain]
    within = [None, *chain[: depth - 1]]  # each of the first `depth` comments under the one before
    assert parents[:depth] == within
    assert parents[depth] == (chain[depth - 2] if depth > 1 else None)


def test_a_wordpress_form_reply_past_the_cap_is_accepted_beside_its_parent(make, db, client):
    _, key = make.site(settings={"thread_comments_depth": 2, "flood_seconds": 0})
    top, reply = published_chain(make, db, key, 2)
    response = client.post(
        "/v1/articles/a-1/comments",
        data={
            "site_key": key,
            "comment": "Third level",
            "author": "Wyn",
            "email": "wyn@mail.example",
            "comment_parent": str(reply),
        },
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 202
    assert db.session.get(Comment, response.get_json()["id"]).parent_id == top


def test_origin_null_is_refused_on_writes_and_allowed_on_reads(make, client):
    _, key = make.site()
    refused = make.post_comment(key, headers={"Origin": "null"})
    assert refused.status_code == 403 and "Origin null" in refused.get_json()["message"]
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": key, "Origin": "null"})
    assert thread.status_code == 200


def test_origin_null_is_refused_on_reader_flags(make, db, client):
    _, key = make.site()
    comment_id = make.post_comment(key).get_json()["id"]
    db.session.get(Comment, comment_id).status = Status.APPROVED
    db.session.commit()
    response = client.post(
        f"/v1/comments/{comment_id}/flags",
        json={"reason": "spam"},
        headers={"X-Site-Key": key, "Origin": "null"},
    )
    assert response.status_code == 403
