"""Shadow policies: a candidate decides every new comment beside the live one, changing nothing."""

import pytest

from service.models import Comment, SettingsChange, ShadowDecision, Site, Status
from tests.conftest import wait_until


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def post_and_wait(make, db, key, bodies: list[str]) -> list[Comment]:
    ids = [make.post_comment(key, body=body).get_json()["id"] for body in bodies]

    def decided():
        db.session.expire_all()
        rows = db.session.scalars(
            db.select(Comment).where(Comment.id.in_(ids)).order_by(Comment.id)
        ).all()
        return rows if all(c.status != Status.PENDING for c in rows) else None

    return wait_until(decided, timeout=60)


CLEAN = [
    "The bus lanes need a vote soon.",
    "Library hours were never costed.",
    "School meals came far too late.",
]


def test_a_candidate_is_recorded_reported_and_promoted_without_changing_live_decisions(
    worker, make, db, client
):
    site, key = make.site(settings={"flood_seconds": 0})  # auto moderation: clean text passes
    admin = bearer(make.token("admin", name="Ada Admin"))
    started = client.post(
        f"/v1/admin/sites/{site.id}/shadow-policies",
        headers=admin,
        json={"settings": {"moderation_mode": "pre"}},
    )
    assert started.status_code == 201, started.get_json()
    policy_id = started.get_json()["id"]

    comments = post_and_wait(make, db, key, CLEAN)
    assert [c.status for c in comments] == [Status.APPROVED] * 3  # the live policy decided
    # A moderator takes one back: the report sets the candidate against that final decision.
    moderator = bearer(make.token(site_id=site.id))
    assert (
        client.post(
            f"/v1/moderation/comments/{comments[0].id}/decision",
            headers=moderator,
            json={"action": "reject", "version": comments[0].version},
        ).status_code
        == 200
    )

    report = client.get(
        f"/v1/admin/sites/{site.id}/shadow-policies/{policy_id}/report", headers=admin
    ).get_json()
    assert report["comments"] == 3
    assert report["agreement_with_live"] == 0.0
    assert report["live_vs_shadow"] == {"approved": {"held": 3}}
    assert (report["moderated"], report["left_to_moderators"]) == (1, 1)
    assert report["moderators_vs_shadow"] == {"rejected": {"held": 1}}
    assert report["live_agreement_with_moderators"] == 0.0
    examples = report["examples"]["approved->held"]
    assert [e["body"] for e in examples] == CLEAN
    assert examples[0]["final"] == "rejected" and examples[0]["shadow_reasons"] == ["PREMOD_SITE"]

    assert (
        client.post(
            f"/v1/admin/sites/{site.id}/shadow-policies",
            headers=admin,
            json={"settings": {"trust_after": 5}},
        ).status_code
        == 409
    )  # one at a time

    promoted = client.post(
        f"/v1/admin/sites/{site.id}/shadow-policies/{policy_id}/promote", headers=admin
    )
    assert promoted.status_code == 200
    assert (promoted.get_json()["status"], promoted.get_json()["ended_by"]) == (
        "promoted",
        "Ada Admin",
    )
    db.session.expire_all()
    assert db.session.get(Site, site.id).settings["moderation_mode"] == "pre"
    change = db.session.scalars(db.select(SettingsChange)).one()
    assert (change.kind, change.actor, change.before, change.after) == (
        "shadow-promotion",
        "Ada Admin",
        {"moderation_mode": None},
        {"moderation_mode": "pre"},
    )
    assert change.basis["report"]["comments"] == 3
    assert (
        client.post(
            f"/v1/admin/sites/{site.id}/shadow-policies/{policy_id}/stop", headers=admin
        ).status_code
        == 409
    )  # already ended

    # Promoted: the setting is live, and nothing is shadowed any more.
    later = post_and_wait(make, db, key, ["Night trains deserve more money."])
    assert later[0].status == Status.HELD
    assert db.session.scalar(db.select(db.func.count(ShadowDecision.id))) == 3


def test_a_stopped_candidate_records_nothing_more_and_changes_no_setting(worker, make, db, client):
    site, key = make.site(settings={"flood_seconds": 0})
    admin = bearer(make.token("admin"))
    policy_id = client.post(
        f"/v1/admin/sites/{site.id}/shadow-policies",
        headers=admin,
        json={"settings": {"moderation_mode": "pre"}},
    ).get_json()["id"]
    stopped = client.post(
        f"/v1/admin/sites/{site.id}/shadow-policies/{policy_id}/stop", headers=admin
    )
    assert stopped.get_json()["status"] == "stopped"
    post_and_wait(make, db, key, CLEAN[:1])
    db.session.expire_all()
    assert "moderation_mode" not in (db.session.get(Site, site.id).settings or {})
    assert db.session.scalars(db.select(ShadowDecision)).all() == []
    assert db.session.scalars(db.select(SettingsChange)).all() == []


@pytest.mark.parametrize("body", [
    {}, {"settings": {}}, {"settings": {"moderation_mode": "sometimes"}},
    {"settings": {"thresholds": {"toxicity": {"hold": 0.9, "reject": 0.5}}}},
], ids=["missing", "empty", "bad-mode", "hold-over-reject"])  # fmt: skip
def test_a_bad_candidate_is_refused(make, client, body):
    site, _ = make.site()
    response = client.post(
        f"/v1/admin/sites/{site.id}/shadow-policies", json=body, headers=bearer(make.token("admin"))
    )
    assert response.status_code == 422
    assert "settings" in response.get_json()["errors"]["json"]


def test_another_sites_policy_is_not_found(make, client):
    site, _ = make.site()
    other, _ = make.site(name="Other")
    admin = bearer(make.token("admin"))
    policy_id = client.post(
        f"/v1/admin/sites/{other.id}/shadow-policies",
        headers=admin,
        json={"settings": {"trust_after": 5}},
    ).get_json()["id"]
    response = client.get(
        f"/v1/admin/sites/{site.id}/shadow-policies/{policy_id}/report", headers=admin
    )
    assert response.status_code == 404
