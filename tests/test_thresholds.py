"""Thresholds suggested from a site's moderators: computed, explained, applied and audited."""

import pytest

from service.models import Comment, SettingsChange, Site, Status
from tests.conftest import wait_until

N = 80
# Distinct texts: copies of one would make a near-duplicate wave, which the spam stage holds.
TOPICS = [
    "The bus lanes",
    "Library hours",
    "The stadium deal",
    "School meals",
    "Park repairs",
    "The water bill",
    "Night trains",
    "Bike parking",
    "The new bridge",
    "Street lights",
]
SIDES = [
    "need a vote soon.",
    "were never costed.",
    "help my street.",
    "came far too late.",
    "deserve more money.",
    "are a waste of time.",
    "should go to the voters.",
    "look fine to me.",
]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def moderated_site(make, db, client, count: int, reject_over: float):
    """A site whose moderators reject every comment with toxicity over reject_over.

    The comments go through intake and a real worker (pre-moderation holds them all); their
    toxicity is then spread over 0..1, as a real model's would be (the test model scores
    0.05 or 0.9 only), and the moderators decide on the review API.
    """
    site, key = make.site(settings={"moderation_mode": "pre", "flood_seconds": 0})
    ids = [
        make.post_comment(
            key, body=f"{TOPICS[n % len(TOPICS)]} {SIDES[n // len(TOPICS)]}"
        ).get_json()["id"]
        for n in range(count)
    ]

    def all_decided():
        db.session.expire_all()
        rows = db.session.scalars(db.select(Comment).where(Comment.id.in_(ids))).all()
        return rows if all(c.status != Status.PENDING for c in rows) else None

    comments = wait_until(all_decided, timeout=120)
    moderator = bearer(make.token(site_id=site.id))
    for n, comment in enumerate(sorted(comments, key=lambda c: c.id)):
        toxicity = round(n / count, 4)
        comment.scores = {**comment.scores, "toxicity": toxicity}
        db.session.commit()
        response = client.post(
            f"/v1/moderation/comments/{comment.id}/decision",
            headers=moderator,
            json={
                "action": "reject" if toxicity > reject_over else "approve",
                "version": comment.version,
            },
        )
        assert response.status_code == 200, response.get_json()
    return site


def test_moderators_who_reject_over_0_6_get_a_suggestion_near_0_6_and_can_apply_it(
    worker, make, db, client
):
    site = moderated_site(make, db, client, N, reject_over=0.6)
    admin = bearer(make.token("admin", name="Ada Admin"))

    response = client.get(f"/v1/admin/sites/{site.id}/threshold-suggestion?days=7", headers=admin)
    assert response.status_code == 200, response.get_json()
    suggestion = response.get_json()
    assert (suggestion["decisions"], suggestion["rejected"]) == (N, 31)
    toxicity = suggestion["thresholds"]["toxicity"]
    assert toxicity["reject"] == pytest.approx(0.6, abs=0.05)
    assert 0.55 <= toxicity["hold"] <= toxicity["reject"]
    assert suggestion["labels"]["toxicity"]["agreement"] >= 0.95
    # The period's comments: under the defaults (hold 0.5, reject 0.9) the ones from 0.9 were
    # rejected and 0.5-0.9 held; the suggestion rejects from about 0.6.
    effect = suggestion["effect"]
    assert effect["comments"] == N
    assert effect["changes"]["held->rejected"] > 0
    assert sum(effect["totals"]["suggested"].values()) == N
    # Labels the decisions do not follow keep their thresholds.
    assert suggestion["labels"]["threat"]["suggested"] is False
    assert suggestion["thresholds"]["threat"] == suggestion["current"]["threat"]

    applied = client.post(
        f"/v1/admin/sites/{site.id}/threshold-suggestion", json={"days": 7}, headers=admin
    )
    assert applied.status_code == 201, applied.get_json()
    db.session.expire_all()
    assert db.session.get(Site, site.id).settings["thresholds"] == suggestion["thresholds"]
    change = db.session.scalars(db.select(SettingsChange)).one()
    assert (change.actor, change.kind, change.basis["decisions"]) == (
        "Ada Admin",
        "threshold-suggestion",
        N,
    )
    assert change.before == {"thresholds": None}  # the site ran on the defaults
    listed = client.get(f"/v1/admin/sites/{site.id}/settings-changes", headers=admin).get_json()
    assert [item["id"] for item in listed] == [change.id]


def test_too_few_decisions_are_refused_saying_how_many_there_are(worker, make, db, client):
    site = moderated_site(make, db, client, 12, reject_over=0.6)
    admin = bearer(make.token("admin"))
    for method in ("get", "post"):
        response = getattr(client, method)(
            f"/v1/admin/sites/{site.id}/threshold-suggestion",
            headers=admin,
            json={} if method == "post" else None,
        )
        assert response.status_code == 409
        body = response.get_json()
        assert body["errors"] == {"decisions": 12, "rejected": 4}
        assert "at least 50" in body["message"]
    assert db.session.scalars(db.select(SettingsChange)).all() == []


@pytest.mark.parametrize("days", ["0", "366", "x", "-1"])
def test_a_bad_period_is_refused(make, client, days):
    site, _ = make.site()
    response = client.get(
        f"/v1/admin/sites/{site.id}/threshold-suggestion?days={days}",
        headers=bearer(make.token("admin")),
    )
    assert response.status_code == 422
    assert "days" in response.get_json()["errors"]["query"]


def test_a_moderator_token_cannot_see_or_apply_suggestions(make, client):
    site, _ = make.site()
    moderator = bearer(make.token(site_id=site.id))
    assert (
        client.get(f"/v1/admin/sites/{site.id}/threshold-suggestion", headers=moderator).status_code
        == 403
    )
    assert (
        client.post(
            f"/v1/admin/sites/{site.id}/threshold-suggestion", json={}, headers=moderator
        ).status_code
        == 403
    )
