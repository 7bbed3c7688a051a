"""The review API's actions beyond a decision: hold (undo back to a queue), dismissing and
reopening readers' reports, with their audit events."""

import pytest

from service.models import Comment, Flag, ModerationEvent, SpamFeedback, SpamModelState, Status
from tests.conftest import wait_until
from tests.test_moderation import bearer, held


@pytest.fixture
def site(make):
    return make.site()


def decide(client, token, comment_id, action, version, reason=""):
    return client.post(
        f"/v1/moderation/comments/{comment_id}/decision",
        headers=bearer(token),
        json={"action": action, "reason": reason, "version": version},
    )


def actions_of(db, comment_id):
    db.session.expire_all()
    return [
        (e.action, e.from_status, e.to_status)
        for e in db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.comment_id == comment_id)
            .order_by(ModerationEvent.id)
        )
    ]


def test_a_decision_on_a_held_comment_is_undone_by_holding_it_again(make, db, client, site):
    _, key = site
    comment = held(make, db, key)
    token = make.token()
    approved = decide(client, token, comment.id, "approve", 2).get_json()
    answer = decide(client, token, comment.id, "hold", approved["version"], "Undo")
    assert answer.status_code == 200
    assert answer.get_json()["status"] == "held"
    assert actions_of(db, comment.id)[-2:] == [
        ("approve", "held", "approved"),
        ("hold", "approved", "held"),
    ]
    listed = client.get("/v1/moderation/queue?queue=held", headers=bearer(token)).get_json()
    assert [i["id"] for i in listed["items"]] == [comment.id]


def report(db, comment, reporter, reason="abuse"):
    db.session.add(Flag(comment_id=comment.id, reason=reason, reporter=reporter))
    comment.reported, comment.flag_count = True, comment.flag_count + 1
    db.session.commit()


def test_dismissing_reports_keeps_the_status_and_undo_reopens_just_those(make, db, client, site):
    _, key = site
    comment = held(make, db, key, status=Status.APPROVED)
    token = make.token()
    report(db, comment, "r1")
    first = client.post(
        f"/v1/moderation/comments/{comment.id}/reports",
        headers=bearer(token),
        json={"action": "dismiss", "version": comment.version},
    ).get_json()
    report(db, comment, "r2")
    dismissed = client.post(
        f"/v1/moderation/comments/{comment.id}/reports",
        headers=bearer(token),
        json={"action": "dismiss", "version": first["version"]},
    )
    assert dismissed.status_code == 200 and dismissed.get_json()["status"] == "approved"
    queue = client.get("/v1/moderation/queue?queue=reported", headers=bearer(token)).get_json()
    assert queue["items"] == []

    again = client.post(
        f"/v1/moderation/comments/{comment.id}/reports",
        headers=bearer(token),
        json={"action": "dismiss", "version": dismissed.get_json()["version"]},
    )
    assert again.status_code == 409 and "no open reports" in again.get_json()["message"]

    reopened = client.post(
        f"/v1/moderation/comments/{comment.id}/reports",
        headers=bearer(token),
        json={"action": "reopen", "version": dismissed.get_json()["version"]},
    )
    assert reopened.status_code == 200
    db.session.expire_all()
    flags = {f.reporter: f.resolved for f in db.session.get(Comment, comment.id).flags}
    assert flags == {"r1": True, "r2": False}  # the earlier dismissal stands
    queue = client.get("/v1/moderation/queue?queue=reported", headers=bearer(token)).get_json()
    assert [i["id"] for i in queue["items"]] == [comment.id]
    assert [a for a, _, _ in actions_of(db, comment.id)] == [
        "dismiss-reports",
        "dismiss-reports",
        "reopen-reports",
    ]


@pytest.mark.parametrize(
    "body, status",
    [
        ({"action": "dismiss", "version": 1}, 409),  # stale
        ({"action": "ignore", "version": 2}, 422),
        ({"action": "dismiss"}, 422),
        ({"action": "reopen", "version": 2}, 409),  # nothing dismissed yet
    ],
)
def test_bad_report_actions_are_refused_clearly(make, db, client, site, body, status):
    _, key = site
    comment = held(make, db, key, status=Status.APPROVED)
    report(db, comment, "r1")
    answer = client.post(
        f"/v1/moderation/comments/{comment.id}/reports", headers=bearer(make.token()), json=body
    )
    assert answer.status_code == status
    assert {"code", "status", "message"} <= set(answer.get_json())


def test_the_queue_filters_by_author_and_by_text(make, db, client, site):
    _, key = site
    pat = held(make, db, key, body="The bridge toll is 100% too high.")
    other = held(make, db, key, body="The BRIDGE is fine.")
    held(make, db, key, body="Nothing to see.")
    pat.author_email, pat.author_name, other.author_name = "pat@mail.example", "Pat", "Sam"
    db.session.commit()
    token = make.token()

    def listed(**query):
        answer = client.get(
            "/v1/moderation/queue",
            headers=bearer(token),
            query_string={"queue": "held", "sort": "oldest", **query},
        )
        assert answer.status_code == 200, answer.get_json()
        return [i["id"] for i in answer.get_json()["items"]]

    assert listed(author="Pat@Mail.example") == [pat.id]
    assert listed(author="Sam") == [other.id]
    assert listed(q="bridge") == [pat.id, other.id]
    assert listed(q="100%") == [pat.id]  # wildcards are meant literally
    assert listed(q="0% too", author="Sam") == []
    news = client.get(
        "/v1/moderation/queue-news",
        headers=bearer(token),
        query_string={"queue": "held", "q": "bridge"},
    ).get_json()
    assert news["new"] == 2
    too_long = client.get(
        "/v1/moderation/queue", headers=bearer(token), query_string={"q": "x" * 101}
    )
    assert too_long.status_code == 422 and "q" in too_long.get_json()["errors"]["query"]


def test_the_card_names_the_listed_words_it_matched_and_where_but_no_other_entries(
    make, db, client, site
):
    row, key = site
    row.settings = {
        "banned_words": "idiot\nmoron\nfool",
        "suspect_words": ["Cheap"],
        "disallowed_keys": ["spam.example"],
    }
    body = "Cheap deal, you idiot! See spam.example. IDIOT."
    comment = held(
        make, db, key, body=body, reasons=("BANNED_WORD", "SUSPECT_WORD", "DISALLOWED_KEY")
    )
    comment.flag_count = 2
    comment.refresh_priority()
    db.session.commit()
    item = client.get(
        f"/v1/moderation/comments/{comment.id}", headers=bearer(make.token())
    ).get_json()
    assert item["matched_terms"] == [
        {
            "code": "BANNED_WORD",
            "term": "idiot",
            "places": [
                [body.index("idiot"), body.index("idiot") + 5],
                [body.index("IDIOT"), body.index("IDIOT") + 5],
            ],
        },
        {"code": "SUSPECT_WORD", "term": "Cheap", "places": [[0, 5]]},
        {
            "code": "DISALLOWED_KEY",
            "term": "spam.example",
            "places": [[body.index("spam."), body.index("spam.") + len("spam.example")]],
        },
    ]
    assert "moron" not in str(item) and "fool" not in str(item)
    assert item["priority_basis"] == {
        "priority": 1.2,
        "top_label": "insult",
        "top_score": 0.7,
        "flags": 2,
        "flag_weight": 0.25,
    }


def test_an_undone_rejection_no_longer_counts_as_the_moderators_decision(make, db, client, site):
    from service.shadow import final_decisions
    from service.thresholds import moderator_decisions

    row, key = site
    kept, undone = held(make, db, key), held(make, db, key)
    token = make.token()
    decide(client, token, kept.id, "reject", 2)
    rejected = decide(client, token, undone.id, "reject", 2).get_json()
    decide(client, token, undone.id, "hold", rejected["version"], "Undo")
    assert final_decisions([kept.id, undone.id]) == {kept.id: "rejected"}
    assert [d.rejected for d in moderator_decisions(row.id, days=1)] == [True]


def labels_of(db, comment_id):
    db.session.expire_all()
    return [
        f.is_spam
        for f in db.session.scalars(
            db.select(SpamFeedback).where(SpamFeedback.comment_id == comment_id)
        )
    ]


def test_an_undone_spam_decision_withdraws_the_label_it_gave_and_the_model_relearns(
    worker, make, db, client, site
):
    row, key = site
    kept, undone = held(make, db, key, body="Buy pills"), held(make, db, key, body="Cheap pills")
    token = make.token()
    decide(client, token, kept.id, "spam", 2)
    marked = decide(client, token, undone.id, "spam", 2).get_json()
    assert labels_of(db, undone.id) == [True]
    wait_until(lambda: model_examples(db, row.id) == 2)  # both learned
    decide(client, token, undone.id, "hold", marked["version"], "Misclick")
    assert labels_of(db, undone.id) == [] and labels_of(db, kept.id) == [True]
    wait_until(lambda: model_examples(db, row.id) == 1)  # relearned without it


def test_undoing_an_approval_withdraws_only_a_label_that_approval_gave(make, db, client, site):
    _, key = site
    scored = held(make, db, key, body="Maybe spam")
    scored.spam_score = 0.7
    plain = held(make, db, key, body="Plainly rude")
    db.session.commit()
    token = make.token()
    # A moderator's earlier not-spam feedback on the plain one stays: its approval taught nothing.
    assert (
        client.post(
            f"/v1/moderation/comments/{plain.id}/spam-feedback",
            headers=bearer(token),
            json={"is_spam": False},
        ).status_code
        == 202
    )
    for comment in (scored, plain):
        approved = decide(client, token, comment.id, "approve", 2).get_json()
        decide(client, token, comment.id, "hold", approved["version"], "Undo")
    assert labels_of(db, scored.id) == [] and labels_of(db, plain.id) == [False]


def model_examples(db, site_id):
    db.session.expire_all()
    state = db.session.get(SpamModelState, site_id)
    return state.examples if state else None
