"""An author's standing on a site: moderators trust, always hold or ban an email, reversibly and
audited; the policy applies it to new comments through the real worker, and a ban is named in
the statement of reasons, in French too."""

import pytest

from service.models import AuthorEvent, Comment, Status
from service.site_settings import DEFAULTS
from tests.conftest import wait_until
from tests.test_moderation import bearer, held
from tests.test_statements import decided, post, status_of
from workers.policy import Evidence, decide

EMAIL = "pat@mail.example"


def settings(**overrides):
    return {**DEFAULTS, **overrides}


@pytest.mark.parametrize(
    "standing, mode, scores, status, reasons",
    [
        ("banned", "auto", {"toxicity": 0.1}, Status.REJECTED, ["BANNED_AUTHOR"]),
        ("held", "auto", {"toxicity": 0.1}, Status.HELD, ["HELD_AUTHOR"]),
        ("held", "auto", {"toxicity": 0.6}, Status.HELD, ["TOXIC:toxicity", "HELD_AUTHOR"]),
        ("trusted", "pre", {"toxicity": 0.1}, Status.APPROVED, ["TRUSTED_AUTHOR"]),
        (
            "trusted",
            "auto",
            {"toxicity": 0.6},
            Status.HELD,
            ["TOXIC:toxicity"],
        ),  # scores still count
        ("none", "pre", {"toxicity": 0.1}, Status.HELD, ["PREMOD_SITE"]),
    ],
)
def test_the_policy_applies_the_authors_standing(standing, mode, scores, status, reasons):
    decision = decide(
        Evidence(scores=scores, standing=standing),
        settings(moderation_mode=mode, hold_new_authors=True),
    )
    assert (decision.status, decision.reasons) == (status, reasons)


def test_a_trusted_author_skips_the_new_author_hold():
    decision = decide(Evidence(scores={}, standing="trusted"), settings(hold_new_authors=True))
    assert decision.status == Status.APPROVED


def set_standing(client, token, comment_id, standing, note=""):
    return client.post(
        f"/v1/moderation/comments/{comment_id}/author/standing",
        headers=bearer(token),
        json={"standing": standing, "note": note},
    )


def test_standing_changes_and_notes_are_audited_and_shown_in_the_author_panel(make, db, client):
    _, key = make.site()
    comment = held(make, db, key)
    comment.author_email = "Pat@Mail.example"
    db.session.commit()
    token = make.token(name="desk-ann")
    answer = set_standing(client, token, comment.id, "banned", "spam links, third time")
    assert answer.status_code == 200
    assert answer.get_json() == {"email": EMAIL, "standing": "banned"}
    again = set_standing(client, token, comment.id, "banned")
    assert again.status_code == 409 and "banned already" in again.get_json()["message"]
    note = client.post(
        f"/v1/moderation/comments/{comment.id}/author/notes",
        headers=bearer(token),
        json={"note": "Writes from a shared library PC."},
    )
    assert note.status_code == 201
    assert set_standing(client, token, comment.id, "none").status_code == 200
    panel = client.get(
        f"/v1/moderation/comments/{comment.id}/author", headers=bearer(token)
    ).get_json()
    assert panel["standing"] == "none"
    assert [
        (e["action"], e["from_standing"], e["to_standing"], e["note"]) for e in panel["events"]
    ] == [
        ("standing", "banned", "none", ""),
        ("note", "banned", "banned", "Writes from a shared library PC."),
        ("standing", "none", "banned", "spam links, third time"),
    ]
    assert {e.actor for e in db.session.scalars(db.select(AuthorEvent))} == {"desk-ann"}


@pytest.mark.parametrize(
    "body, status",
    [({"standing": "exiled"}, 422), ({}, 422), ({"standing": "held", "note": "x" * 1001}, 422)],
)
def test_bad_standings_are_refused_clearly(make, db, client, body, status):
    _, key = make.site()
    comment = held(make, db, key)
    answer = client.post(
        f"/v1/moderation/comments/{comment.id}/author/standing",
        headers=bearer(make.token()),
        json=body,
    )
    assert answer.status_code == status and answer.get_json()["errors"]


def test_an_author_without_email_gets_no_standing(make, db, client):
    _, key = make.site()
    comment = held(make, db, key)
    comment.author_email = ""
    db.session.commit()
    answer = set_standing(client, make.token(), comment.id, "trusted")
    assert answer.status_code == 409 and "no email" in answer.get_json()["message"]


def test_another_sites_token_cannot_set_a_standing(make, db, client):
    site, key = make.site()
    other, _ = make.site(name="Other", origins=["https://other.example"])
    comment = held(make, db, key)
    answer = set_standing(client, make.token(site_id=other.id), comment.id, "banned")
    assert answer.status_code == 403


def test_a_banned_authors_new_comment_is_rejected_and_the_statement_says_why(
    worker, make, db, client
):
    _, key = make.site(settings={"language": "fr", "flood_seconds": 0})
    first = held(make, db, key)
    first.author_email = EMAIL
    db.session.commit()
    assert set_standing(client, make.token(), first.id, "banned").status_code == 200
    comment_id, status_token = post(make, key, author_email=EMAIL, body="Back again, hello.")
    comment = wait_until(lambda: decided(db, comment_id))
    assert (comment.status, comment.reasons) == (Status.REJECTED, ["BANNED_AUTHOR"])
    statement = status_of(client, comment_id, status_token)["statement"]
    assert [f["code"] for f in statement["facts"]] == ["BANNED_AUTHOR"]
    assert statement["facts"][0]["text"].startswith("Les modérateurs de ce site vous ont interdit")

    # Lifted: the next comment is decided by the site's ordinary rules.
    assert set_standing(client, make.token(), first.id, "none").status_code == 200
    later_id, _ = post(make, key, author_email=EMAIL, body="A calm remark on the bridge.")
    later = wait_until(lambda: decided(db, later_id))
    assert later.status == Status.APPROVED and db.session.get(Comment, later_id).reasons == []
