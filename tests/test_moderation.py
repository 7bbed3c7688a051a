"""The review API: queues, decisions with optimistic locking, claims, history, stats."""

import pytest

from service.models import ApiKey, Comment, ModerationEvent, SpamFeedback, Status


@pytest.fixture
def site(make):
    site, key = make.site()
    return site, key


def post_unsent(make, key, **fields):
    """Post a comment the broker never gets, so no worker decides it behind the test's back."""
    from service.queue import breaker

    breaker.open_until = float("inf")
    try:
        return make.post_comment(key, **fields).get_json()["id"]
    finally:
        breaker.open_until = 0


def held(
    make,
    db,
    key,
    body="Held for review.",
    scores=None,
    reasons=("TOXIC:insult",),
    status=Status.HELD,
    **fields,
):
    """Post a comment and give it a decision, as the worker would."""
    comment = db.session.get(Comment, post_unsent(make, key, body=body, **fields))
    comment.status, comment.reasons = status, list(reasons)
    comment.scores = scores or {"toxicity": 0.6, "insult": 0.7}
    comment.version = 2
    comment.refresh_priority()
    db.session.commit()
    return comment


def still_pending(make, db, key):
    """A pending comment nobody picks up during the test: never sent, just marked enqueued."""
    from service.models import utcnow

    comment_id = post_unsent(make, key, body="still pending")
    db.session.get(Comment, comment_id).enqueued_at = utcnow()  # the sweeper waits a while
    db.session.commit()
    return comment_id


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_the_held_queue_lists_items_by_priority_with_what_moderators_need(make, db, client, site):
    _, key = site
    low = held(make, db, key, body="Mildly rude.", scores={"toxicity": 0.55})
    high = held(make, db, key, body="Very rude.", scores={"toxicity": 0.85, "insult": 0.8})
    response = client.get("/v1/moderation/queue?queue=held", headers=bearer(make.token()))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["id"] for i in items] == [high.id, low.id]
    item = items[0]
    assert item["scores"]["toxicity"] == 0.85 and item["reasons"] == ["TOXIC:insult"]
    assert item["author"]["email"] == high.author_email and item["version"] == 2
    assert item["author_history"]["held"] == 1 and item["article"]["external_id"] == "a-1"


def test_queue_sorts_and_pages_with_a_cursor(make, db, client, site):
    _, key = site
    ids = [held(make, db, key, body=f"Comment {n}").id for n in range(5)]
    token = make.token()
    seen, cursor = [], None
    while True:
        url = "/v1/moderation/queue?queue=held&sort=oldest&limit=2" + (
            f"&cursor={cursor}" if cursor else ""
        )
        page = client.get(url, headers=bearer(token)).get_json()
        seen += [i["id"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids
    newest = client.get("/v1/moderation/queue?queue=held&sort=newest", headers=bearer(token))
    assert [i["id"] for i in newest.get_json()["items"]] == ids[::-1]


def test_queue_filters_by_label_and_reason(make, db, client, site):
    _, key = site
    insult = held(make, db, key, body="Insulting.", reasons=["TOXIC:insult"])
    held(make, db, key, body="Too many links.", reasons=["LINKS"])
    token = make.token()
    by_label = client.get("/v1/moderation/queue?label=insult", headers=bearer(token)).get_json()
    assert [i["id"] for i in by_label["items"]] == [insult.id]
    by_reason = client.get("/v1/moderation/queue?reason=LINKS", headers=bearer(token)).get_json()
    assert [i["body"] for i in by_reason["items"]] == ["Too many links."]


def test_a_reason_filter_means_its_underscores_literally(make, db, client, site):
    _, key = site
    suspect = held(make, db, key, body="A suspect word.", reasons=["SUSPECT_WORD"])
    held(make, db, key, body="Look-alike code.", reasons=["SUSPECTXWORD"])
    token = make.token()
    found = client.get("/v1/moderation/queue?reason=SUSPECT_WORD", headers=bearer(token))
    assert [i["id"] for i in found.get_json()["items"]] == [suspect.id]


@pytest.mark.parametrize("query", ["queue=nonsense", "sort=sideways", "limit=0"])
def test_bad_queue_arguments_are_422(make, client, query):
    response = client.get(f"/v1/moderation/queue?{query}", headers=bearer(make.token()))
    assert response.status_code == 422 and response.get_json()["errors"]


def test_review_endpoints_need_a_token(client):
    for path in ("/v1/moderation/queue", "/v1/moderation/stats"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=bearer("mod_bad_token")).status_code == 401


def test_approving_publishes_and_audits(make, db, client, site):
    _, key = site
    comment = held(make, db, key)
    token = make.token(name="alice")
    response = client.post(
        f"/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve", "reason": "fair point", "version": 2},
        headers=bearer(token),
    )
    assert response.status_code == 200
    assert response.get_json() == {"id": comment.id, "status": "approved", "version": 3}
    history = client.get(
        f"/v1/moderation/comments/{comment.id}/history", headers=bearer(token)
    ).get_json()
    alice = db.session.scalar(db.select(ApiKey.id).where(ApiKey.name == "alice"))
    assert [
        (e["actor"], e["actor_id"], e["action"], e["from_status"], e["to_status"], e["reason"])
        for e in history
    ] == [("alice", alice, "approve", "held", "approved", "fair point")]
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": key}).get_json()
    assert [c["id"] for c in thread["items"]] == [comment.id]


def test_a_stale_version_is_409_and_changes_nothing(make, db, client, site):
    _, key = site
    comment = held(make, db, key)
    first, second = make.token(name="first"), make.token(name="second")
    assert (
        client.post(
            f"/v1/moderation/comments/{comment.id}/decision",
            json={"action": "reject", "version": 2},
            headers=bearer(first),
        ).status_code
        == 200
    )
    late = client.post(
        f"/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve", "version": 2},
        headers=bearer(second),
    )
    assert late.status_code == 409
    assert late.get_json()["errors"]["current"] == {"status": "rejected", "version": 3}
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == Status.REJECTED
    assert (
        db.session.scalar(
            db.select(db.func.count(ModerationEvent.id)).where(
                ModerationEvent.comment_id == comment.id
            )
        )
        == 1
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": "maybe", "version": 1}, "action"),
        ({"action": "approve"}, "version"),
        ({"action": "approve", "version": 0}, "version"),
    ],
)
def test_bad_decisions_are_422(make, db, client, site, body, field):
    comment = held(make, db, site[1])
    response = client.post(
        f"/v1/moderation/comments/{comment.id}/decision", json=body, headers=bearer(make.token())
    )
    assert response.status_code == 422 and field in response.get_json()["errors"]["json"]


def test_a_decision_on_a_missing_comment_is_404(make, client):
    response = client.post(
        "/v1/moderation/comments/999999/decision",
        json={"action": "approve", "version": 1},
        headers=bearer(make.token()),
    )
    assert response.status_code == 404


def test_a_site_scoped_moderator_cannot_touch_another_site(make, db, client, site):
    comment = held(make, db, site[1])
    other_site, _ = make.site(name="Other", origins=["https://other.example"])
    scoped = make.token(site_id=other_site.id)
    response = client.post(
        f"/v1/moderation/comments/{comment.id}/decision",
        json={"action": "approve", "version": 2},
        headers=bearer(scoped),
    )
    assert response.status_code == 403
    queue = client.get("/v1/moderation/queue", headers=bearer(scoped)).get_json()
    assert queue["items"] == []
    assert (
        client.get(f"/v1/moderation/queue?site_id={site[0].id}", headers=bearer(scoped)).status_code
        == 403
    )


def test_a_batch_naming_another_sites_comment_is_refused_whole(make, db, client, site):
    theirs = held(make, db, site[1], body="Theirs")
    other_site, other_key = make.site(name="Other", origins=["https://other.example"])
    ours = held(make, db, other_key, body="Ours")
    scoped = make.token(site_id=other_site.id)
    response = client.post(
        "/v1/moderation/decisions",
        headers=bearer(scoped),
        json={
            "action": "reject",
            "items": [{"id": ours.id, "version": 2}, {"id": theirs.id, "version": 2}],
        },
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Comment, ours.id).status == Status.HELD


def test_a_scoped_moderator_cannot_tell_other_sites_comments_from_missing_ones(
    make, db, client, site
):
    theirs = held(make, db, site[1], body="Theirs")
    other_site, other_key = make.site(name="Other", origins=["https://other.example"])
    ours = held(make, db, other_key, body="Ours")
    scoped = make.token(site_id=other_site.id)
    missing = theirs.id + ours.id + 1000

    def decide_one(comment_id):
        response = client.post(
            f"/v1/moderation/comments/{comment_id}/decision",
            json={"action": "approve", "version": 2},
            headers=bearer(scoped),
        )
        return response.status_code, response.get_json()["message"].replace(str(comment_id), "N")

    def decide_bulk(comment_id):
        response = client.post(
            "/v1/moderation/decisions",
            headers=bearer(scoped),
            json={
                "action": "reject",
                "items": [{"id": ours.id, "version": 2}, {"id": comment_id, "version": 2}],
            },
        )
        return response.status_code, response.get_json()["message"].replace(str(comment_id), "N")

    assert (
        decide_one(theirs.id) == decide_one(missing) == (403, "This token's site has no comment N.")
    )
    assert (
        decide_bulk(theirs.id)
        == decide_bulk(missing)
        == (403, "This token's site has no comment N.")
    )
    assert (
        client.get(f"/v1/moderation/comments/{missing}", headers=bearer(scoped)).status_code == 403
    )
    # Its own comments it still sees, and an unscoped token still gets 404 for a missing one.
    assert (
        client.get(f"/v1/moderation/comments/{ours.id}", headers=bearer(scoped)).status_code == 200
    )
    assert (
        client.get(f"/v1/moderation/comments/{missing}", headers=bearer(make.token())).status_code
        == 404
    )
    db.session.expire_all()
    assert db.session.get(Comment, ours.id).status == Status.HELD


def test_bulk_decisions_report_each_item(make, db, client, site):
    _, key = site
    a, b = held(make, db, key, body="One"), held(make, db, key, body="Two")
    response = client.post(
        "/v1/moderation/decisions",
        headers=bearer(make.token()),
        json={
            "action": "spam",
            "items": [
                {"id": a.id, "version": 2},
                {"id": b.id, "version": 1},
                {"id": 999999, "version": 1},
            ],
        },
    )
    assert response.status_code == 200
    results = {r["id"]: (r["ok"], r["code"]) for r in response.get_json()["results"]}
    assert results == {a.id: (True, 200), b.id: (False, 409), 999999: (False, 404)}
    feedback = db.session.scalars(db.select(SpamFeedback)).all()
    token_id = db.session.scalar(db.select(ApiKey.id).where(ApiKey.role == "moderator"))
    # The token is the source: the learn task caps how much one source can move the model.
    assert [(f.comment_id, f.is_spam, f.source) for f in feedback] == [
        (a.id, True, f"moderator:{token_id}")
    ]


def test_a_claimed_item_is_not_handed_to_another_moderator(make, db, client, site):
    comment = held(make, db, site[1])
    alice, bob = make.token(name="alice"), make.token(name="bob")
    claim = client.post(f"/v1/moderation/comments/{comment.id}/claim", headers=bearer(alice))
    assert claim.status_code == 200 and claim.get_json()["claimed_by"] == "alice"
    assert client.get("/v1/moderation/queue", headers=bearer(bob)).get_json()["items"] == []
    assert [
        i["id"]
        for i in client.get("/v1/moderation/queue", headers=bearer(alice)).get_json()["items"]
    ] == [comment.id]
    assert (
        client.post(f"/v1/moderation/comments/{comment.id}/claim", headers=bearer(bob)).status_code
        == 409
    )
    assert (
        client.post(
            f"/v1/moderation/comments/{comment.id}/decision",
            headers=bearer(bob),
            json={"action": "approve", "version": 2},
        ).status_code
        == 409
    )
    assert (
        client.delete(
            f"/v1/moderation/comments/{comment.id}/claim", headers=bearer(alice)
        ).status_code
        == 200
    )
    assert (
        client.post(f"/v1/moderation/comments/{comment.id}/claim", headers=bearer(bob)).status_code
        == 200
    )


def test_an_expired_claim_frees_the_item(app, make, db, client, site):
    comment = held(make, db, site[1])
    app.config["CLAIM_TTL_S"] = -1  # claims that have already expired
    try:
        client.post(
            f"/v1/moderation/comments/{comment.id}/claim", headers=bearer(make.token(name="alice"))
        )
    finally:
        app.config["CLAIM_TTL_S"] = 600
    bob = make.token(name="bob")
    assert [
        i["id"] for i in client.get("/v1/moderation/queue", headers=bearer(bob)).get_json()["items"]
    ] == [comment.id]


def test_reader_flags_fill_the_reported_queue_and_raise_priority(make, db, client, site):
    _, key = site
    comment = held(make, db, key, status=Status.APPROVED, reasons=[], scores={"toxicity": 0.1})
    flag = client.post(
        f"/v1/comments/{comment.id}/flags",
        json={"reason": "abuse"},
        headers={"X-Site-Key": key},
        environ_base={"REMOTE_ADDR": "198.51.100.1"},
    )
    assert flag.status_code == 201
    again = client.post(
        f"/v1/comments/{comment.id}/flags",
        json={"reason": "spam"},
        headers={"X-Site-Key": key},
        environ_base={"REMOTE_ADDR": "198.51.100.1"},
    )
    assert again.status_code == 409
    bad = client.post(
        f"/v1/comments/{comment.id}/flags", json={"reason": "meh"}, headers={"X-Site-Key": key}
    )
    assert bad.status_code == 422
    items = client.get(
        "/v1/moderation/queue?queue=reported", headers=bearer(make.token())
    ).get_json()["items"]
    assert [(i["id"], i["flag_count"], i["flags"][0]["reason"]) for i in items] == [
        (comment.id, 1, "abuse")
    ]
    assert items[0]["priority"] > 0.1


def test_stats_count_queues_and_oldest_ages(make, db, client, site):
    _, key = site
    from datetime import timedelta

    from service.models import utcnow

    older, newer = held(make, db, key, body="h1"), held(make, db, key, body="h2")
    pending = db.session.get(Comment, still_pending(make, db, key))
    for comment, age_s in ((older, 600), (newer, 300), (pending, 120)):
        comment.created_at = utcnow() - timedelta(seconds=age_s)
    db.session.commit()
    stats = client.get("/v1/moderation/stats", headers=bearer(make.token())).get_json()
    assert stats["queues"]["held"] == 2 and stats["queues"]["pending"] == 1
    assert stats["queues"]["approved"] == 0
    # The oldest of each queue, as old as it was made (give or take the test's own run time).
    assert 600 <= stats["oldest_held_age_s"] < 660
    assert 120 <= stats["oldest_pending_age_s"] < 180


def test_explanations_return_the_sentences_over_threshold(make, db, client, site):
    comment = held(make, db, site[1], body="Nice photo. You are a fool.")
    comment.spans = [
        {"begin": 0, "end": 11, "scores": {"insult": 0.05}},
        {"begin": 12, "end": 27, "scores": {"insult": 0.8}},
    ]
    db.session.commit()
    item = client.get(
        f"/v1/moderation/comments/{comment.id}", headers=bearer(make.token())
    ).get_json()
    assert item["explanations"] == {
        "insult": [{"begin": 12, "end": 27, "score": 0.8, "text": "You are a fool."}]
    }


def test_public_thread_is_approved_only_threaded_and_private_fields_hidden(make, db, client, site):
    _, key = site
    parent = held(make, db, key, body="Parent", status=Status.APPROVED, reasons=[])
    reply = held(
        make, db, key, body="Reply", status=Status.APPROVED, reasons=[], parent_id=parent.id
    )
    held(make, db, key, body="Hidden")
    thread = client.get(
        "/v1/articles/a-1/comments?order=oldest", headers={"X-Site-Key": key}
    ).get_json()
    assert thread["total"] == 2
    assert [(c["id"], [r["id"] for r in c["replies"]]) for c in thread["items"]] == [
        (parent.id, [reply.id])
    ]
    text = str(thread)
    assert parent.author_email not in text and "ip" not in thread["items"][0]


def test_each_thread_page_carries_its_comments_whole_reply_tree(make, db, client, site):
    _, key = site

    def published(body, parent=None):
        return held(
            make,
            db,
            key,
            body=body,
            status=Status.APPROVED,
            reasons=[],
            parent_id=parent.id if parent else None,
        )

    first = published("First")
    reply = published("Reply to first", first)
    nested = published("Reply to the reply", reply)
    second = published("Second")
    other = published("Reply to second", second)
    page = client.get(
        "/v1/articles/a-1/comments?order=oldest&limit=1", headers={"X-Site-Key": key}
    ).get_json()

    def tree(node):
        return (node["id"], [tree(r) for r in node["replies"]])

    assert [tree(c) for c in page["items"]] == [(first.id, [(reply.id, [(nested.id, [])])])]
    page = client.get(
        f"/v1/articles/a-1/comments?order=oldest&limit=1&cursor={page['next_cursor']}",
        headers={"X-Site-Key": key},
    ).get_json()
    assert [tree(c) for c in page["items"]] == [(second.id, [(other.id, [])])]
    assert page["next_cursor"] is None and page["total"] == 5


def test_me_names_the_token_holder_and_scope(make, client, site):
    token = make.token(site_id=site[0].id, name="night editor")
    me = client.get("/v1/moderation/me", headers=bearer(token)).get_json()
    assert me == {"name": "night editor", "role": "moderator", "site_id": site[0].id}
