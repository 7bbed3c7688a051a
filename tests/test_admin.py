"""Admin API: sites and their settings, articles, keys and tokens."""

import time

import pytest

from service.models import ApiKey, utcnow


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def admin(make):
    return bearer(make.token("admin"))


def test_an_admin_creates_a_site_whose_key_works_once_shown(client, admin):
    response = client.post(
        "/v1/admin/sites",
        headers=admin,
        json={
            "name": "Courier",
            "origins": ["https://courier.example"],
            "settings": {"moderation_mode": "pre", "banned_words": ["slur"]},
        },
    )
    assert response.status_code == 201
    site = response.get_json()
    assert site["effective_settings"]["moderation_mode"] == "pre"
    assert site["effective_settings"]["max_links"] == 2  # defaults fill the rest
    post = client.post(
        "/v1/articles/x/comments",
        headers={"X-Site-Key": site["site_key"]},
        json={"author_name": "A", "author_email": "a@mail.example", "body": "Hi"},
    )
    assert post.status_code == 202
    listed = client.get("/v1/admin/sites", headers=admin).get_json()
    assert [s["name"] for s in listed] == ["Courier"] and "site_key" not in listed[0]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"origins": ["https://a.example"]}, "name"),
        ({"name": "A", "origins": ["nonsense"]}, "origins"),
        ({"name": "A", "origins": []}, "origins"),
        (
            {
                "name": "A",
                "origins": ["https://a.example"],
                "settings": {"moderation_mode": "never"},
            },
            "settings",
        ),
        (
            {
                "name": "A",
                "origins": ["https://a.example"],
                "settings": {"thresholds": {"toxicity": {"hold": 0.9, "reject": 0.5}}},
            },
            "settings",
        ),
        (
            {
                "name": "A",
                "origins": ["https://a.example"],
                "settings": {"thresholds": {"rudeness": {"hold": 0.1, "reject": 0.5}}},
            },
            "settings",
        ),
        # WordPress's thread_comments_depth runs from 1 to 10.
        (
            {
                "name": "A",
                "origins": ["https://a.example"],
                "settings": {"thread_comments_depth": 0},
            },
            "settings",
        ),
        (
            {
                "name": "A",
                "origins": ["https://a.example"],
                "settings": {"thread_comments_depth": 11},
            },
            "settings",
        ),
    ],
)
def test_bad_site_input_is_422(client, admin, body, field):
    response = client.post("/v1/admin/sites", headers=admin, json=body)
    assert response.status_code == 422 and field in response.get_json()["errors"]["json"]


def test_settings_patches_merge_and_articles_override(make, client, admin):
    site, _ = make.site(settings={"max_links": 5})
    patched = client.patch(
        f"/v1/admin/sites/{site.id}",
        headers=admin,
        json={"settings": {"suspect_words": ["refund"]}},
    ).get_json()
    assert patched["settings"] == {"max_links": 5, "suspect_words": ["refund"]}
    article = client.post(
        f"/v1/admin/sites/{site.id}/articles",
        headers=admin,
        json={"external_id": "story-1", "title": "Story", "moderation_mode": "post"},
    )
    assert article.status_code == 201 and article.get_json()["moderation_mode"] == "post"
    closed = client.patch(
        f"/v1/admin/sites/{site.id}/articles/story-1", headers=admin, json={"is_open": False}
    )
    assert closed.get_json()["is_open"] is False
    assert (
        client.patch(
            f"/v1/admin/sites/{site.id}/articles/nope", headers=admin, json={"is_open": False}
        ).status_code
        == 404
    )
    listed = client.get(f"/v1/admin/sites/{site.id}/articles", headers=admin).get_json()
    assert [a["external_id"] for a in listed] == ["story-1"]


def test_tokens_are_shown_once_and_stored_hashed(make, client, admin, db):
    site, _ = make.site()
    created = client.post(
        "/v1/admin/tokens",
        headers=admin,
        json={"role": "moderator", "site_id": site.id, "name": "night shift"},
    ).get_json()
    token = created["key"]
    assert token.startswith("mod_") and created["site_id"] == site.id
    stored = db.session.get(ApiKey, created["id"])
    assert token not in (stored.secret_hash, stored.lookup) and len(stored.secret_hash) == 64
    keys = client.get(f"/v1/admin/sites/{site.id}/keys", headers=admin).get_json()
    assert all("key" not in k for k in keys)
    assert client.get("/v1/moderation/queue", headers=bearer(token)).status_code == 200


def test_a_revoked_key_stops_working(make, client, admin):
    site, _ = make.site()
    created = client.post(f"/v1/admin/sites/{site.id}/keys", headers=admin).get_json()
    headers = {"X-Site-Key": created["key"]}
    assert client.get("/v1/articles/a/comments", headers=headers).status_code == 200
    assert client.delete(f"/v1/admin/keys/{created['id']}", headers=admin).status_code == 200
    assert client.get("/v1/articles/a/comments", headers=headers).status_code == 401


def test_a_key_revoked_by_another_process_stops_working_within_the_site_cache_time(
    make, client, db, monkeypatch
):
    # Another process (modctl, another API worker) revokes the key: this process's memory of
    # it lasts SITE_CACHE_SECONDS at most.
    monkeypatch.setattr(client.application.extensions["site_cache"], "ttl_s", 0.5)
    site, key = make.site()
    headers = {"X-Site-Key": key}
    assert client.get("/v1/articles/a/comments", headers=headers).status_code == 200
    db.session.execute(
        db.update(ApiKey).where(ApiKey.site_id == site.id).values(revoked_at=utcnow())
    )
    db.session.commit()
    assert client.get("/v1/articles/a/comments", headers=headers).status_code == 200  # cached
    time.sleep(0.6)
    assert client.get("/v1/articles/a/comments", headers=headers).status_code == 401


def test_site_changes_through_the_api_apply_at_once(make, client, admin):
    site, key = make.site()
    foreign = {"X-Site-Key": key, "Origin": "https://blog.example"}
    assert client.get("/v1/articles/a/comments", headers=foreign).status_code == 403
    client.patch(
        f"/v1/admin/sites/{site.id}",
        headers=admin,
        json={"origins": ["https://news.example", "https://blog.example"]},
    )
    assert client.get("/v1/articles/a/comments", headers=foreign).status_code == 200


def test_moderators_cannot_administer(make, client):
    moderator = bearer(make.token("moderator"))
    assert client.get("/v1/admin/sites", headers=moderator).status_code == 403
    assert (
        client.post("/v1/admin/tokens", headers=moderator, json={"role": "admin"}).status_code
        == 403
    )
    assert client.get("/v1/admin/sites").status_code == 401


def test_unknown_sites_are_404(client, admin):
    assert client.get("/v1/admin/sites/999999", headers=admin).status_code == 404
    assert (
        client.post(
            "/v1/admin/tokens", headers=admin, json={"role": "moderator", "site_id": 999999}
        ).status_code
        == 404
    )


def test_a_site_scoped_admin_administers_only_its_site(make, client, admin):
    site_a, _ = make.site(name="A", origins=["https://a.example"])
    site_b, _ = make.site(name="B", origins=["https://b.example"])
    scoped = bearer(make.token("admin", site_id=site_a.id))
    listed = client.get("/v1/admin/sites", headers=scoped).get_json()
    assert [s["id"] for s in listed] == [site_a.id]
    assert (
        client.post(
            "/v1/admin/sites", headers=scoped, json={"name": "C", "origins": ["https://c.example"]}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/v1/admin/sites/{site_b.id}", headers=scoped, json={"name": "Taken"}
        ).status_code
        == 403
    )
    assert (
        client.patch(
            f"/v1/admin/sites/{site_a.id}", headers=scoped, json={"name": "A2"}
        ).status_code
        == 200
    )
    assert client.get(f"/v1/admin/sites/{site_b.id}/keys", headers=scoped).status_code == 403
    # No way out of the scope through new tokens: not unscoped, not for another site.
    for site_id in (None, site_b.id):
        answer = client.post(
            "/v1/admin/tokens", headers=scoped, json={"role": "admin", "site_id": site_id}
        )
        assert answer.status_code == 403, site_id
    created = client.post(
        "/v1/admin/tokens", headers=scoped, json={"role": "moderator", "site_id": site_a.id}
    )
    assert created.status_code == 201 and created.get_json()["site_id"] == site_a.id
    # Keys of other sites and unscoped tokens are out of reach; its own site's are not.
    global_token = client.post(
        "/v1/admin/tokens", headers=admin, json={"role": "moderator"}
    ).get_json()
    assert client.delete(f"/v1/admin/keys/{global_token['id']}", headers=scoped).status_code == 403
    b_key = client.post(f"/v1/admin/sites/{site_b.id}/keys", headers=admin).get_json()
    assert client.delete(f"/v1/admin/keys/{b_key['id']}", headers=scoped).status_code == 403
    assert (
        client.delete(f"/v1/admin/keys/{created.get_json()['id']}", headers=scoped).status_code
        == 200
    )


@pytest.mark.parametrize("taken", ["night-shift", "Daily News widget"])
def test_a_token_name_in_use_is_a_409_that_says_so(make, client, admin, taken):
    make.site()  # its public key is named "Daily News widget"
    make.token(name="night-shift")
    response = client.post(
        "/v1/admin/tokens", headers=admin, json={"role": "moderator", "name": taken}
    )
    assert response.status_code == 409
    body = response.get_json()
    assert taken in body["message"] and "choose another name" in body["message"]
    assert body["errors"] == {"json": {"name": ["Already in use."]}}


def test_keys_the_service_names_stay_unique_for_sites_of_the_same_name(db, make, client, admin):
    first, _ = make.site(name="Courier")
    make.site(name="Courier")
    client.post(f"/v1/admin/sites/{first.id}/keys", headers=admin)
    names = db.session.scalars(db.select(ApiKey.name).where(ApiKey.role == "site")).all()
    assert len(names) == 3 and len(set(names)) == 3 and "Courier widget" in names
