"""The review page's read-only context: conversation, author record, last decisions, queue
news and the live model's labels, each scoped to the moderator's sites."""

import pytest

from service.models import Flag, Status
from service.worker_status import forget, publish
from tests.test_moderation import bearer, held


@pytest.fixture
def site(make):
    return make.site()


def test_the_conversation_shows_the_parent_and_the_whole_thread_in_every_status(
    make, db, client, site
):
    _, key = site
    top = held(make, db, key, body="Top comment.", status=Status.APPROVED)
    reply = held(make, db, key, body="A reply.", parent_id=top.id, status=Status.APPROVED)
    rude = held(make, db, key, body="A rude reply.", parent_id=reply.id)
    aside = held(make, db, key, body="Another reply.", parent_id=top.id, status=Status.REJECTED)
    held(make, db, key, body="Another thread.")
    answer = client.get(
        f"/v1/moderation/comments/{rude.id}/conversation", headers=bearer(make.token())
    )
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["parent"]["id"] == reply.id and body["parent"]["body"] == "A reply."
    assert [(c["id"], c["parent_id"], c["status"]) for c in body["thread"]] == [
        (top.id, None, "approved"),
        (reply.id, top.id, "approved"),
        (rude.id, reply.id, "held"),
        (aside.id, top.id, "rejected"),
    ]
    assert body["truncated"] is False


def test_the_author_panel_counts_their_comments_on_the_site_and_the_reports_against_them(
    make, db, client, site
):
    _, key = site
    email = "pat@mail.example"
    first = held(make, db, key, body="One.", status=Status.APPROVED)
    second = held(make, db, key, body="Two.")
    held(make, db, key, body="Someone else.")
    other_site, other_key = make.site(name="Other", origins=["https://other.example"])
    elsewhere = held(make, db, other_key, body="Elsewhere.")
    # Set afterwards: intake would refuse one author's comments in quick succession (flood).
    for comment in (first, second, elsewhere):
        comment.author_email = email
    db.session.add(Flag(comment_id=first.id, reason="abuse", note="rude", reporter="r1"))
    db.session.commit()
    body = client.get(
        f"/v1/moderation/comments/{second.id}/author", headers=bearer(make.token())
    ).get_json()
    assert body["email"] == email
    assert (body["counts"]["approved"], body["counts"]["held"]) == (1, 1)
    assert [c["id"] for c in body["comments"]] == [second.id, first.id]
    assert [(r["comment_id"], r["reason"], r["note"]) for r in body["reports"]] == [
        (first.id, "abuse", "rude")
    ]
    assert body["report_count"] == 1


def test_last_decisions_say_who_decided_how_and_why(make, db, client, site):
    _, key = site
    token = make.token()
    comment = held(make, db, key)
    untouched = held(make, db, key)
    assert (
        client.post(
            f"/v1/moderation/comments/{comment.id}/decision",
            headers=bearer(token),
            json={"action": "reject", "reason": "Threat", "version": 2},
        ).status_code
        == 200
    )
    body = client.get(
        f"/v1/moderation/last-decisions?ids={comment.id}&ids={untouched.id}", headers=bearer(token)
    ).get_json()
    assert [(d["comment_id"], d["action"], d["reason"]) for d in body] == [
        (comment.id, "reject", "Threat")
    ]
    assert body[0]["actor"]


def test_queue_news_counts_comments_that_arrived_after_the_last_one_shown(make, db, client, site):
    _, key = site
    token = make.token()
    shown = held(make, db, key)
    held(make, db, key, reasons=("TOXIC:threat",))
    newest = held(make, db, key)
    answer = client.get(
        f"/v1/moderation/queue-news?queue=held&after_id={shown.id}", headers=bearer(token)
    ).get_json()
    assert (answer["new"], answer["newest_id"]) == (2, newest.id)
    answer = client.get(
        f"/v1/moderation/queue-news?after_id={shown.id}&label=threat", headers=bearer(token)
    ).get_json()
    assert answer["new"] == 1


def test_models_name_the_labels_every_live_worker_scores_and_the_fallback(app, client, make):
    url = app.config["REDIS_URL"]
    publish(
        url,
        "w-full",
        {"name": "detoxify-original", "version": "1", "labels": ["toxicity", "insult", "threat"]},
    )
    publish(
        url,
        "w-fallback",
        {"name": "offline", "version": "1", "labels": ["toxicity"], "offline_fallback": True},
    )
    try:
        body = client.get("/v1/moderation/models", headers=bearer(make.token())).get_json()
    finally:
        forget(url, "w-full")
        forget(url, "w-fallback")
    assert body["labels"] == ["toxicity"] and body["offline_fallback"] is True


@pytest.mark.parametrize(
    "path",
    [
        "comments/{id}/conversation",
        "comments/{id}/author",
        "last-decisions?ids={id}",
        "parents?ids={id}",
        "queue-news?site_id={site}",
    ],
)
def test_a_site_scoped_moderator_sees_no_context_of_another_site(make, db, client, site, path):
    theirs = held(make, db, site[1])
    other_site, _ = make.site(name="Other", origins=["https://other.example"])
    scoped = make.token(site_id=other_site.id)
    answer = client.get(
        "/v1/moderation/" + path.format(id=theirs.id, site=site[0].id), headers=bearer(scoped)
    )
    assert answer.status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "comments/1/conversation",
        "comments/1/author",
        "last-decisions?ids=1",
        "parents?ids=1",
        "queue-news",
        "models",
    ],
)
def test_context_needs_a_moderator_token(client, path):
    assert client.get("/v1/moderation/" + path).status_code == 401


def test_parents_name_what_each_reply_answers_with_its_opening_words(make, db, client, site):
    _, key = site
    top = held(make, db, key, body="Long opening. " * 30, status=Status.APPROVED)
    reply = held(make, db, key, body="A reply.", parent_id=top.id)
    alone = held(make, db, key, body="No parent.")
    body = client.get(
        f"/v1/moderation/parents?ids={reply.id}&ids={alone.id}", headers=bearer(make.token())
    ).get_json()
    assert [(p["comment_id"], p["parent_id"], p["status"]) for p in body] == [
        (reply.id, top.id, "approved")
    ]
    assert body[0]["excerpt"] == top.body[:200] and body[0]["truncated"] is True
