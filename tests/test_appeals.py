"""Appeals, with a real worker: an author contests a decision once, another moderator decides."""

import uuid

import pytest

from service.models import (
    Appeal,
    Comment,
    ModerationEvent,
    SpamFeedback,
    Status,
    WebhookDelivery,
    WebhookSubscription,
)
from service.site_settings import LABELS
from service.thresholds import moderator_decisions
from tests.conftest import wait_until

INSULT_REJECTS = {label: {"hold": 1.0, "reject": 1.0} for label in LABELS} | {
    "insult": {"hold": 0.0, "reject": 0.0}
}


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def post(make, key, **fields):
    response = make.post_comment(key, **fields)
    assert response.status_code == 202, response.get_json()
    return response.get_json()["id"], response.get_json()["status_token"]


def decided(db, comment_id):
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    return comment if comment.status != Status.PENDING else None


def appeal(client, comment_id, token, note="I was quoting the article, not insulting anyone."):
    return client.post(
        f"/v1/comments/{comment_id}/appeal", json={"note": note}, headers={"X-Status-Token": token}
    )


def status_of(client, comment_id, token):
    return client.get(
        f"/v1/comments/{comment_id}/status", headers={"X-Status-Token": token}
    ).get_json()


def open_appeal_id(client, moderator, site_id):
    queue = client.get(
        "/v1/moderation/appeals", query_string={"site_id": site_id}, headers=bearer(moderator)
    ).get_json()
    return queue, [item["id"] for item in queue["items"]]


def rejected_by(client, db, make, key, moderator, **fields):
    """A comment held by premoderation, then rejected by moderator; return (id, token)."""
    comment_id, token = post(make, key, article="premod", **fields)
    comment = wait_until(lambda: decided(db, comment_id))
    answer = client.post(
        f"/v1/moderation/comments/{comment_id}/decision",
        json={"action": "reject", "reason": "Off topic", "version": comment.version},
        headers=bearer(moderator),
    )
    assert answer.status_code == 200, answer.get_json()
    return comment_id, token


@pytest.fixture
def premod_site(make):
    from service.admin_ops import upsert_article

    site, key = make.site(settings={"flood_seconds": 0})  # one author posts several here
    upsert_article(site, "premod", moderation_mode="pre")
    return site, key


def test_another_moderator_overturns_a_rejection_and_the_comment_is_published(
    worker, make, db, client, premod_site
):
    site, key = premod_site
    hook = WebhookSubscription(
        site_id=site.id,
        url="http://127.0.0.1:9/hook",
        secret_salt="s",
        events=["appeal.created", "appeal.decided"],
    )
    db.session.add(hook)
    db.session.commit()
    rejecter = make.token(site_id=site.id, name=f"rejecter-{site.id}")
    reviewer = make.token(site_id=site.id, name=f"reviewer-{site.id}")
    comment_id, token = rejected_by(
        client, db, make, key, rejecter, body="The bridge budget doubled; see page 4."
    )

    filed = appeal(client, comment_id, token)
    assert filed.status_code == 201, filed.get_json()
    shown = filed.get_json()["statement"]["appeal"]
    assert (shown["status"], shown["can_appeal"]) == ("open", False)
    assert "will review your appeal" in shown["outcome"]

    queue, ids = open_appeal_id(client, reviewer, site.id)
    assert queue["counts"]["open"] == 1 and queue["oldest_open_age_s"] is not None
    [item] = queue["items"]
    assert item["note"] == "I was quoting the article, not insulting anyone."
    assert item["decision"] == {
        "status": "rejected",
        "by": f"rejecter-{site.id}",
        "automated": False,
        "reason": "Off topic",
        "at": item["decision"]["at"],
    }
    assert item["comment"]["body"] == "The bridge budget doubled; see page 4."

    refused = client.post(
        f"/v1/moderation/appeals/{ids[0]}/decision",
        json={"outcome": "overturned"},
        headers=bearer(rejecter),
    )
    assert refused.status_code == 403
    assert refused.get_json()["message"] == (
        f"rejecter-{site.id} made the decision this appeal contests; another moderator must "
        "decide the appeal."
    )

    overturned = client.post(
        f"/v1/moderation/appeals/{ids[0]}/decision",
        json={"outcome": "overturned", "reason": "A fair quote."},
        headers=bearer(reviewer),
    )
    assert overturned.status_code == 200, overturned.get_json()
    assert overturned.get_json()["status"] == "overturned"
    assert overturned.get_json()["reviewer"] == f"reviewer-{site.id}"

    thread = client.get("/v1/articles/premod/comments", headers={"X-Site-Key": key}).get_json()
    assert [c["id"] for c in thread["items"]] == [comment_id]
    answer = status_of(client, comment_id, token)
    assert answer["status"] == "approved"
    assert answer["statement"]["summary"] == "Your comment is published: your appeal succeeded."
    assert answer["statement"]["appeal"]["status"] == "overturned"
    assert answer["statement"]["appeal"]["reason"] == "A fair quote."  # the reviewer's words
    assert answer["statement"]["human_review"] is True

    actions = db.session.scalars(
        db.select(ModerationEvent.action)
        .where(ModerationEvent.comment_id == comment_id)
        .order_by(ModerationEvent.id)
    ).all()
    assert actions[-3:] == ["reject", "appeal", "appeal-overturned"]
    deliveries = db.session.scalars(
        db.select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == hook.id)
        .order_by(WebhookDelivery.id)
    ).all()
    assert [
        (d.event, d.payload["appeal"]["status"], d.payload["comment"]["status"]) for d in deliveries
    ] == [("appeal.created", "open", "rejected"), ("appeal.decided", "overturned", "approved")]
    assert "quoting the article" not in str([d.payload for d in deliveries])  # never the note
    again = client.post(
        f"/v1/moderation/appeals/{ids[0]}/decision",
        json={"outcome": "upheld"},
        headers=bearer(reviewer),
    )
    assert again.status_code == 409
    # The overturn is the comment's last moderator decision: an approval, for the thresholds.
    assert [d.rejected for d in moderator_decisions(site.id, 1)] == [False]


def test_a_decision_is_appealed_once(worker, make, db, client, premod_site):
    site, key = premod_site
    comment_id, token = rejected_by(client, db, make, key, make.token(site_id=site.id))
    assert appeal(client, comment_id, token).status_code == 201
    second = appeal(client, comment_id, token, note="Please, again.")
    assert second.status_code == 409
    assert "appealed once" in second.get_json()["message"]
    assert (
        db.session.scalar(
            db.select(db.func.count(Appeal.id)).where(Appeal.comment_id == comment_id)
        )
        == 1
    )


def test_an_appeal_needs_the_status_token_and_a_decision(worker, make, db, client):
    _, key = make.site()
    comment_id, token = post(make, key, body="Thanks for the clear report.")
    assert appeal(client, comment_id, "not-the-token").status_code == 404
    assert wait_until(lambda: decided(db, comment_id)).status == Status.APPROVED
    published = appeal(client, comment_id, token)
    assert published.status_code == 409 and "published" in published.get_json()["message"]
    too_long = appeal(client, comment_id, token, note="x" * 1001)
    assert too_long.status_code == 422 and "note" in too_long.get_json()["errors"]["json"]


def test_an_upheld_automated_rejection_stays_and_the_statement_says_so(worker, make, db, client):
    site, key = make.site(settings={"thresholds": INSULT_REJECTS})
    comment_id, token = post(make, key, body="Your article is a disgrace.")
    assert wait_until(lambda: decided(db, comment_id)).status == Status.REJECTED
    assert appeal(client, comment_id, token).status_code == 201
    moderator = make.token(site_id=site.id)
    _, [appeal_id] = open_appeal_id(client, moderator, site.id)
    upheld = client.post(
        f"/v1/moderation/appeals/{appeal_id}/decision",
        json={"outcome": "upheld", "reason": "Insulting."},
        headers=bearer(moderator),
    )
    assert upheld.status_code == 200 and upheld.get_json()["comment"]["status"] == "rejected"
    statement = status_of(client, comment_id, token)["statement"]
    assert statement["decision"] == "rejected" and statement["appeal"]["status"] == "upheld"
    assert statement["appeal"]["outcome"] == (
        "You appealed this decision; a moderator reviewed it and upheld it."
    )
    assert statement["appeal"]["reason"] == "Insulting."
    assert statement["automated"] is True and statement["human_review"] is True
    # Upholding a rejection is a moderator's rejection, for the threshold suggestions.
    assert [d.rejected for d in moderator_decisions(site.id, 1)] == [True]


def test_an_author_with_too_many_open_appeals_waits(
    worker, make, db, client, premod_site, monkeypatch, app
):
    monkeypatch.setitem(app.config, "APPEALS_OPEN_PER_AUTHOR", 2)
    site, key = premod_site
    moderator = make.token(site_id=site.id)
    comments = [
        rejected_by(
            client,
            db,
            make,
            key,
            moderator,
            author_email="loud@mail.example",
            body=f"Comment number {n}.",
        )
        for n in range(3)
    ]
    answers = [appeal(client, comment_id, token) for comment_id, token in comments]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert "2 appeals waiting" in answers[2].get_json()["message"]
    assert int(answers[2].headers["Retry-After"]) > 0


def spam_comment(db, site, article_id, n):
    """A comment the spam stage discarded (made directly: the tiny model never says spam)."""
    comment = Comment(
        site_id=site.id,
        article_id=article_id,
        body=f"Cheap pills {n}",
        author_email=f"bot{n}@spam.example",
        ip=f"10.200.0.{n}",
        status=Status.SPAM,
        discarded=True,
        spam_score=0.99,
        status_token_hash="",
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def test_spam_verdict_appeals_are_capped_per_site_and_queue_last(
    worker, make, db, client, premod_site, monkeypatch, app
):
    from service.api.comments import hash_token

    monkeypatch.setitem(app.config, "APPEALS_SPAM_PER_SITE_HOUR", 2)
    site, key = premod_site
    moderator = make.token(site_id=site.id)
    human = rejected_by(client, db, make, key, moderator)
    article_id = db.session.get(Comment, human[0]).article_id
    answers = []
    for n in range(3):
        comment = spam_comment(db, site, article_id, n)
        comment.status_token_hash = hash_token(f"token-{n}")
        db.session.commit()
        answers.append(
            client.post(
                f"/v1/comments/{comment.id}/appeal",
                json={"note": "ham!"},
                headers={"X-Status-Token": f"token-{n}"},
                environ_base={"REMOTE_ADDR": f"10.201.0.{n}"},
            )
        )
    assert [a.status_code for a in answers] == [201, 201, 429]
    # The author of a spam verdict is told "held", as the status poll says.
    assert answers[0].get_json()["status"] == "held"
    assert appeal(client, *human).status_code == 201  # other authors still appeal
    queue, _ = open_appeal_id(client, moderator, site.id)
    assert [item["spam_flagged"] for item in queue["items"]] == [False, True, True]


def test_an_overturned_spam_verdict_teaches_the_spam_model(worker, make, db, client, premod_site):
    from service.api.comments import hash_token

    site, key = premod_site
    human = rejected_by(client, db, make, key, make.token(site_id=site.id))
    comment = spam_comment(db, site, db.session.get(Comment, human[0]).article_id, 7)
    comment.status_token_hash = hash_token("spam-token")
    db.session.commit()
    assert appeal(client, comment.id, "spam-token").status_code == 201
    moderator = make.token(site_id=site.id)
    appeal_id = db.session.scalar(db.select(Appeal.id).where(Appeal.comment_id == comment.id))
    answer = client.post(
        f"/v1/moderation/appeals/{appeal_id}/decision",
        json={"outcome": "overturned"},
        headers=bearer(moderator),
    )
    assert answer.status_code == 200
    label = db.session.scalar(db.select(SpamFeedback).where(SpamFeedback.comment_id == comment.id))
    assert label.is_spam is False

    def learned():
        db.session.expire_all()
        return db.session.get(SpamFeedback, label.id).learned

    assert wait_until(learned)  # the worker's learn task trained on it


def test_the_appeals_queue_is_in_the_metrics(worker, make, db, client, premod_site):
    site, key = premod_site
    comment_id, token = rejected_by(client, db, make, key, make.token(site_id=site.id))
    assert appeal(client, comment_id, token).status_code == 201
    text = client.get("/metrics").get_data(as_text=True)
    open_line = next(
        line for line in text.splitlines() if line.startswith("moderation_appeals_open ")
    )
    assert float(open_line.split()[1]) >= 1
    assert "moderation_appeals_oldest_age_seconds " in text
    assert 'moderation_appeals_total{event="created"}' in text


def test_appeals_share_the_reader_apis_rate_limit_per_address(make, client, monkeypatch, app):
    monkeypatch.setitem(app.config, "RATE_LIMIT_INTAKE_PER_IP", "3/minute")
    address = f"10.202.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    answers = [
        client.post(
            f"/v1/comments/{n + 1}/appeal",
            json={"note": "again"},
            headers={"X-Status-Token": "guessed"},
            environ_base={"REMOTE_ADDR": address},
        )
        for n in range(4)
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 429]
    assert int(answers[3].headers["Retry-After"]) > 0


def test_an_authors_appeal_is_exported_and_erased_with_their_comments(
    worker, make, db, client, premod_site
):
    site, key = premod_site
    comment_id, token = rejected_by(
        client, db, make, key, make.token(site_id=site.id), author_email="ada@mail.example"
    )
    assert (
        appeal(client, comment_id, token, note="My neighbour Ada Byron said so.").status_code == 201
    )
    admin = bearer(make.token("admin"))
    export = client.post(
        "/v1/admin/privacy/export", json={"email": "ada@mail.example"}, headers=admin
    ).get_json()
    assert export["comments"][0]["appeal"]["note"] == "My neighbour Ada Byron said so."
    erased = client.post(
        "/v1/admin/privacy/erase", json={"email": "ada@mail.example"}, headers=admin
    )
    assert erased.status_code == 200, erased.get_json()
    db.session.expire_all()
    assert (
        db.session.scalar(db.select(Appeal.note).where(Appeal.comment_id == comment_id))
        == "[erased]"
    )
