"""What the README and the OpenAPI document promise holds: each case was once broken."""

import re

import pytest

from service.models import Article, Comment, SpamFeedback, Status
from tests.test_moderation import held

ORIGIN = "https://news.example"
RFC3339_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00")


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def site(make):
    return make.site(origins=[ORIGIN])


@pytest.fixture
def admin(make):
    return bearer(make.token("admin"))


@pytest.fixture
def moderator(make):
    return bearer(make.token("moderator"))


# --- Admin API consistency ------------------------------------------------------------------


def test_an_articles_settings_merge_on_patch_as_a_sites_do(client, site, admin):
    site_row, _ = site
    path = f"/v1/admin/sites/{site_row.id}/articles"
    client.post(
        path, headers=admin, json={"external_id": "a-1", "settings": {"hold_new_authors": True}}
    )
    patched = client.patch(
        f"{path}/a-1",
        headers=admin,
        json={"settings": {"thresholds": {"toxicity": {"hold": 0.4, "reject": 0.8}}}},
    )
    assert patched.status_code == 200
    assert patched.get_json()["settings"] == {
        "hold_new_authors": True,
        "thresholds": {"toxicity": {"hold": 0.4, "reject": 0.8}},
    }


def test_registering_an_existing_article_is_a_conflict_that_changes_nothing(
    client, db, site, admin
):
    site_row, _ = site
    path = f"/v1/admin/sites/{site_row.id}/articles"
    first = client.post(
        path,
        headers=admin,
        json={"external_id": "a-1", "moderation_mode": "pre", "permalink": f"{ORIGIN}/a-1"},
    )
    assert first.status_code == 201
    again = client.post(path, headers=admin, json={"external_id": "a-1"})
    assert again.status_code == 409 and "PATCH" in again.get_json()["message"]
    article = db.session.scalar(db.select(Article).where(Article.external_id == "a-1"))
    db.session.refresh(article)
    assert (article.moderation_mode, article.permalink) == ("pre", f"{ORIGIN}/a-1")


@pytest.mark.parametrize("method", ["post", "patch"])
def test_a_permalink_outside_the_sites_origins_is_refused(client, site, admin, method):
    site_row, _ = site
    path = f"/v1/admin/sites/{site_row.id}/articles"
    client.post(path, headers=admin, json={"external_id": "a-1"})
    body = {"permalink": "https://elsewhere.example/a-1"}
    response = (
        client.post(path, headers=admin, json={"external_id": "a-2", **body})
        if method == "post"
        else client.patch(f"{path}/a-1", headers=admin, json=body)
    )
    assert response.status_code == 422
    assert "permalink" in response.get_json()["errors"]["json"]


@pytest.mark.parametrize("call", ["new site", "site patch", "article"])
def test_spam_hold_above_spam_discard_is_refused(client, db, site, admin, call):
    site_row, _ = site
    if call == "new site":
        response = client.post(
            "/v1/admin/sites",
            headers=admin,
            json={
                "name": "S",
                "origins": [ORIGIN],
                "settings": {"spam_hold": 0.95, "spam_discard": 0.6},
            },
        )
    elif call == "site patch":  # alone it looks fine; against the stored discard level it is not
        response = client.patch(
            f"/v1/admin/sites/{site_row.id}", headers=admin, json={"settings": {"spam_hold": 0.95}}
        )
    else:
        response = client.post(
            f"/v1/admin/sites/{site_row.id}/articles",
            headers=admin,
            json={"external_id": "a-9", "settings": {"spam_discard": 0.2}},
        )
    assert response.status_code == 422, response.get_json()
    assert "spam_hold must not exceed spam_discard" in str(response.get_json()["errors"])
    db.session.refresh(site_row)
    assert "spam_hold" not in (site_row.settings or {})


def test_a_scoped_admin_asking_for_an_unscoped_token_is_told_its_scope(client, make, site):
    site_row, _ = site
    scoped = bearer(make.token("admin", site_id=site_row.id))
    refused = client.post("/v1/admin/tokens", headers=scoped, json={"role": "moderator"})
    assert refused.status_code == 403
    assert f"scoped to site {site_row.id}" in refused.get_json()["message"]


# --- Review API: strict types, exact filters, cursors, one timestamp format ------------------


@pytest.mark.parametrize("version", ["2", 2.5, True])
def test_a_version_must_be_a_json_integer(client, make, db, site, moderator, version):
    _, key = site
    comment = held(make, db, key)
    response = client.post(
        f"/v1/moderation/comments/{comment.id}/decision",
        headers=moderator,
        json={"action": "approve", "version": version},
    )
    assert response.status_code == 422
    assert db.session.get(Comment, comment.id).status == Status.HELD


def test_spam_feedback_takes_a_json_boolean_and_is_stored_once(client, make, db, site, moderator):
    _, key = site
    comment = held(make, db, key)
    path = f"/v1/moderation/comments/{comment.id}/spam-feedback"
    assert client.post(path, headers=moderator, json={"is_spam": "yes"}).status_code == 422
    for _ in range(2):
        assert client.post(path, headers=moderator, json={"is_spam": True}).status_code == 202
    assert client.post(path, headers=moderator, json={"is_spam": False}).status_code == 202
    labels = db.session.scalars(
        db.select(SpamFeedback.is_spam)
        .where(SpamFeedback.comment_id == comment.id)
        .order_by(SpamFeedback.id)
    ).all()
    assert labels == [True, False]


def test_a_reason_filter_matches_whole_codes_and_families(client, make, db, site, moderator):
    _, key = site
    held(make, db, key, body="Links.", reasons=["LINKS"])
    held(make, db, key, body="Insult.", reasons=["TOXIC:insult"])

    def bodies(reason):
        queue = client.get(
            "/v1/moderation/queue", headers=moderator, query_string={"reason": reason}
        ).get_json()
        return sorted(i["body"] for i in queue["items"])

    assert bodies("LINK") == [] and bodies("LINKS") == ["Links."]
    assert bodies("TOXIC") == ["Insult."] and bodies("TOXIC:insult") == ["Insult."]
    assert bodies("TOXIC:insul") == []


def test_a_cursor_works_only_with_the_sort_it_was_made_for(client, make, db, site, moderator):
    _, key = site
    for n in range(3):
        held(make, db, key, body=f"Held {n}.")
    page = client.get(
        "/v1/moderation/queue", headers=moderator, query_string={"sort": "newest", "limit": 1}
    ).get_json()
    cursor = page["next_cursor"]
    same = client.get(
        "/v1/moderation/queue",
        headers=moderator,
        query_string={"sort": "newest", "limit": 1, "cursor": cursor},
    )
    assert same.status_code == 200 and same.get_json()["items"][0]["body"] == "Held 1."
    for other in ("oldest", "priority"):
        reused = client.get(
            "/v1/moderation/queue",
            headers=moderator,
            query_string={"sort": other, "cursor": cursor},
        )
        assert reused.status_code == 400, other


def test_timestamps_have_one_format_everywhere(client, make, db, site, moderator):
    _, key = site
    comment = held(make, db, key, status=Status.APPROVED, reasons=[])
    client.post(
        f"/v1/comments/{comment.id}/flags", json={"reason": "spam"}, headers={"X-Site-Key": key}
    )
    item = client.get(f"/v1/moderation/comments/{comment.id}", headers=moderator).get_json()
    assert RFC3339_UTC.fullmatch(item["flags"][0]["created_at"])
    assert RFC3339_UTC.fullmatch(item["created_at"])
    claim = client.post(f"/v1/moderation/comments/{comment.id}/claim", headers=moderator)
    assert RFC3339_UTC.fullmatch(claim.get_json()["claimed_until"])
    other = bearer(make.token("moderator"))
    refused = client.post(f"/v1/moderation/comments/{comment.id}/claim", headers=other)
    assert refused.status_code == 409
    stamp = re.search(r"until (\S+)\.$", refused.get_json()["message"]).group(1)
    assert RFC3339_UTC.fullmatch(stamp)


def test_a_conflict_in_a_bulk_decision_says_where_the_comment_is_now(
    client, make, db, site, moderator
):
    _, key = site
    comment = held(make, db, key)
    stale = client.post(
        "/v1/moderation/decisions",
        headers=moderator,
        json={"action": "approve", "items": [{"id": comment.id, "version": 1}]},
    ).get_json()
    single = client.post(
        f"/v1/moderation/comments/{comment.id}/decision",
        headers=moderator,
        json={"action": "approve", "version": 1},
    ).get_json()
    result = stale["results"][0]
    assert (result["code"], result["status"], result["version"]) == (409, "held", 2)
    assert single["errors"]["current"] == {"status": "held", "version": 2}


# --- Intake ------------------------------------------------------------------------------------


def form_token(client, key, article):
    return client.get(f"/v1/articles/{article}/form-token", headers={"X-Site-Key": key}).get_json()[
        "render_token"
    ]


@pytest.mark.parametrize("token", ["abc.def.ghi", "another article's", None])
def test_a_required_render_token_must_be_a_real_one_for_this_article(client, make, db, token):
    _, key = make.site(settings={"require_render_token": True})
    if token == "another article's":
        token = form_token(client, key, "a-2")
    fields = {"render_token": token} if token else {}
    refused = make.post_comment(key, article="a-1", **fields)
    assert refused.status_code == 422
    assert "render_token" in refused.get_json()["errors"]["json"]
    assert db.session.scalar(db.select(Comment.id)) is None
    genuine = make.post_comment(key, article="a-1", render_token=form_token(client, key, "a-1"))
    assert genuine.status_code == 202


def test_a_forged_render_token_holds_the_comment_where_none_is_required(make, db, worker):
    from tests.conftest import wait_until

    _, key = make.site()
    accepted = make.post_comment(
        key, render_token="abc.def.ghi", headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64)"}
    )
    assert accepted.status_code == 202
    comment_id = accepted.get_json()["id"]

    def decided():
        db.session.expire_all()
        comment = db.session.get(Comment, comment_id)
        return comment if comment.status != Status.PENDING else None

    comment = wait_until(decided)
    assert comment.status == Status.HELD and "BAD_RENDER_TOKEN" in comment.reasons


def test_a_reader_flag_makes_the_reported_reason_filter_find_the_comment(
    client, make, db, moderator
):
    _, key = make.site()
    comment = held(make, db, key, status=Status.APPROVED, reasons=["LINKS"])
    for ip in ("10.3.3.1", "10.3.3.2"):
        client.post(
            f"/v1/comments/{comment.id}/flags",
            json={"reason": "spam"},
            headers={"X-Site-Key": key},
            environ_base={"REMOTE_ADDR": ip},
        )
    queue = client.get(
        "/v1/moderation/queue",
        headers=moderator,
        query_string={"queue": "reported", "reason": "REPORTED"},
    ).get_json()
    assert [(i["id"], i["reasons"]) for i in queue["items"]] == [
        (comment.id, ["LINKS", "REPORTED"])
    ]


def test_intake_refuses_an_article_id_longer_than_an_article_can_have(make, db):
    _, key = make.site()
    refused = make.post_comment(key, article="x" * 201)
    assert refused.status_code == 422 and "article_id" in refused.get_json()["errors"]["path"]
    assert db.session.scalar(db.select(Article.id)) is None
    assert make.post_comment(key, article="x" * 200).status_code == 202


@pytest.mark.parametrize(
    "stored, shown",
    [
        (Status.SPAM, "held"),
        (Status.HELD, "held"),
        (Status.REJECTED, "rejected"),
        (Status.APPROVED, "approved"),
    ],
)
def test_the_author_is_never_told_the_spam_verdict(client, make, db, stored, shown):
    _, key = make.site()
    accepted = make.post_comment(key).get_json()
    comment = db.session.get(Comment, accepted["id"])
    comment.status = stored
    db.session.commit()
    status = client.get(
        f"/v1/comments/{accepted['id']}/status",
        headers={"X-Status-Token": accepted["status_token"]},
    ).get_json()
    assert status["status"] == shown and "spam" not in status["message"].lower()


def test_every_422_has_one_shape(client, make, db, moderator, admin):
    site_row, key = make.site()
    comment = held(make, db, key)
    answers = {
        "intake": make.post_comment(key, author_email="not an email"),
        "decision": client.post(
            f"/v1/moderation/comments/{comment.id}/decision",
            headers=moderator,
            json={"action": "nuke", "version": 2},
        ),
        "queue": client.get("/v1/moderation/queue?sort=sideways", headers=moderator),
        "site": client.post("/v1/admin/sites", headers=admin, json={"name": ""}),
        "settings": client.patch(
            f"/v1/admin/sites/{site_row.id}", headers=admin, json={"settings": {"spam_hold": 0.99}}
        ),
    }
    for name, answer in answers.items():
        body = answer.get_json()
        assert answer.status_code == 422, name
        assert (body["code"], body["status"], body["message"]) == (
            422,
            "Unprocessable Entity",
            "Invalid input.",
        ), name
        ((location, fields),) = body["errors"].items()
        assert location in ("json", "query", "form") and fields, name


def test_a_bulk_decision_goes_on_after_a_conflict(client, make, db, site, moderator):
    _, key = site
    stale, fresh = held(make, db, key, body="Stale."), held(make, db, key, body="Fresh.")
    results = client.post(
        "/v1/moderation/decisions",
        headers=moderator,
        json={
            "action": "approve",
            "items": [{"id": stale.id, "version": 1}, {"id": fresh.id, "version": 2}],
        },
    ).get_json()["results"]
    assert [(r["id"], r["code"], r["status"]) for r in results] == [
        (stale.id, 409, "held"),
        (fresh.id, 200, "approved"),
    ]


@pytest.mark.parametrize(
    "method, path, where",
    [
        ("post", "/v1/admin/sites/{site}/articles", "json"),
        ("get", "/v1/moderation/queue?q=a%00b", "query"),
    ],
)
def test_a_nul_character_anywhere_in_a_call_is_refused_clearly(client, make, method, path, where):
    """PostgreSQL text cannot hold NUL: refused with 422 before any query, on every database."""
    site, _ = make.site()
    admin = make.token("admin")
    body = {"external_id": "a\x00b"} if method == "post" else None
    answer = getattr(client, method)(
        path.format(site=site.id), json=body, headers={"Authorization": f"Bearer {admin}"}
    )
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["message"] == "Text may not contain NUL characters."
    assert list(answer.get_json()["errors"]) == [where]
