"""Secret server keys: the only credential the Akismet and Perspective endpoints take.

The public site key is in every article page, so a stranger holds it: it must never train a
site's model, store feedback, pump velocity counters or call the scoring API.
"""

import hashlib
import re
import uuid

import pytest
from sqlalchemy import func, select

from service.auth import find_server_key
from service.models import ApiKey, Role, SpamFeedback
from tests.test_security import every_stored_text

ORIGIN = "https://news.example"
COMMENT = {
    "blog": ORIGIN,
    "user_ip": "203.0.113.9",
    "comment_author": "Ann",
    "comment_author_email": "ann@gmail.example",
    "comment_content": "The council should publish the budget before the vote.",
}
AKISMET = ("/1.1/verify-key", "/1.1/comment-check", "/1.1/submit-spam", "/1.1/submit-ham")
PERSPECTIVE = {
    "/v1alpha1/comments:analyze": {
        "comment": {"text": "thanks"},
        "requestedAttributes": {"TOXICITY": {}},
    },
    "/v1alpha1/comments:suggestscore": {
        "comment": {"text": "thanks"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.9}}},
    },
}


@pytest.fixture
def site(make):
    site_row, site_key = make.site(origins=[ORIGIN])
    return site_row, site_key, make.server_key(site_row.id)


def akismet(client, path, key, **fields):
    return client.post(path, data={**COMMENT, "api_key": key, "key": key, **fields})


def feedback_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(SpamFeedback))


def test_a_server_key_has_akismets_format_and_works_as_wordpress_stores_it(client, site):
    _, _, server_key = site
    assert re.fullmatch(r"[0-9a-f]{12}", server_key)
    for sent in (server_key, f" {server_key.upper()} "):
        assert akismet(client, "/1.1/verify-key", sent).get_data(as_text=True) == "valid"


@pytest.mark.parametrize("path", AKISMET)
def test_the_public_site_key_is_refused_by_akismet_with_the_fix_named(client, db, site, path):
    _, site_key, _ = site
    answer = akismet(client, path, site_key)
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "invalid"
    assert "server key" in answer.headers["X-akismet-debug-help"]
    assert "modctl key create" in answer.headers["X-akismet-debug-help"]
    assert feedback_count(db) == 0


@pytest.mark.parametrize("path", PERSPECTIVE)
def test_the_public_site_key_is_refused_by_perspective_with_the_fix_named(client, site, path):
    _, site_key, _ = site
    answer = client.post(f"{path}?key={site_key}", json=PERSPECTIVE[path])
    error = answer.get_json()["error"]
    assert answer.status_code == 400 and error["status"] == "INVALID_ARGUMENT"
    assert "server key" in error["message"] and "modctl key create" in error["message"]
    garbage = client.post(f"{path}?key=0123456789ab", json=PERSPECTIVE[path]).get_json()
    assert garbage["error"]["message"] == "API key not valid. Please pass a valid API key."


def test_a_stranger_with_the_site_key_cannot_train_the_sites_model(client, db, site):
    site_row, site_key, server_key = site
    for _ in range(3):
        akismet(client, "/1.1/submit-spam", site_key)
    assert feedback_count(db) == 0
    assert (
        akismet(client, "/1.1/submit-spam", server_key).get_data(as_text=True).startswith("Thanks")
    )
    stored = db.session.scalars(select(SpamFeedback)).all()
    key_id = find_server_key(server_key).id  # the source names the key, whose weight is capped
    assert [(f.site_id, f.is_spam, f.source) for f in stored] == [
        (site_row.id, True, f"akismet:{key_id}")
    ]


def test_a_revoked_server_key_is_refused(client, make, db, site):
    site_row, _, server_key = site
    admin = make.token("admin")
    key = find_server_key(server_key)
    revoked = client.delete(
        f"/v1/admin/keys/{key.id}", headers={"Authorization": f"Bearer {admin}"}
    )
    assert revoked.status_code == 200 and revoked.get_json()["role"] == "server"
    assert akismet(client, "/1.1/verify-key", server_key).get_data(as_text=True) == "invalid"
    assert (
        client.post(
            f"/v1alpha1/comments:suggestscore?key={server_key}",
            json=PERSPECTIVE["/v1alpha1/comments:suggestscore"],
        ).status_code
        == 400
    )


def test_a_database_dump_alone_does_not_reveal_or_test_a_server_key(client, app, db, site):
    _, _, server_key = site
    stored = every_stored_text(db)
    assert server_key not in stored
    assert hashlib.sha256(server_key.encode()).hexdigest() not in stored
    # The digest is keyed with the service's secret: another secret finds nothing.
    key_id = find_server_key(server_key).id
    original = app.config["SECRET_KEY"]
    app.config["SECRET_KEY"] = "another-secret"
    try:
        assert find_server_key(server_key) is None
    finally:
        app.config["SECRET_KEY"] = original
    assert find_server_key(server_key).id == key_id


def test_server_keys_are_compared_in_constant_time(client, site, monkeypatch):
    import service.auth

    _, _, server_key = site
    compared = []
    real = service.auth.hmac.compare_digest
    monkeypatch.setattr(
        service.auth.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b)
    )
    assert akismet(client, "/1.1/verify-key", server_key).get_data(as_text=True) == "valid"
    assert len(compared) == 1


def test_admins_create_server_keys_for_their_own_site_only(client, make, site):
    site_row, _, _ = site
    other, _ = make.site(name="Other", origins=["https://other.example"])
    scoped = make.token("admin", site_id=site_row.id)
    made = client.post(
        f"/v1/admin/sites/{site_row.id}/server-keys",
        json={"name": "wordpress"},
        headers={"Authorization": f"Bearer {scoped}"},
    )
    assert made.status_code == 201
    body = made.get_json()
    assert body["role"] == "server" and body["name"] == "wordpress"
    assert re.fullmatch(r"[0-9a-f]{12}", body["key"])
    assert akismet(client, "/1.1/verify-key", body["key"]).get_data(as_text=True) == "valid"
    listed = client.get(
        f"/v1/admin/sites/{site_row.id}/keys", headers={"Authorization": f"Bearer {scoped}"}
    ).get_data(as_text=True)
    assert body["key"] not in listed and '"server"' in listed
    refused = client.post(
        f"/v1/admin/sites/{other.id}/server-keys",
        json={},
        headers={"Authorization": f"Bearer {scoped}"},
    )
    assert refused.status_code == 403


def test_a_random_site_key_header_does_not_dodge_the_compat_limit(app, client, site, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_COMPAT_PER_KEY", "2/minute")
    _, _, server_key = site

    def call(n):
        return client.post(
            "/1.1/verify-key",
            data={"key": server_key, "blog": ORIGIN},
            headers={"X-Site-Key": f"pk_{uuid.uuid4().hex}"},
            environ_base={"REMOTE_ADDR": f"10.8.9.{n}"},
        )

    assert [call(n).status_code for n in range(1, 4)] == [200, 200, 429]


def test_a_server_key_is_never_a_site_key_or_a_token(client, db, site):
    _, _, server_key = site
    assert (
        client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": server_key}).status_code
        == 401
    )
    assert (
        client.get(
            "/v1/moderation/queue", headers={"Authorization": f"Bearer {server_key}"}
        ).status_code
        == 401
    )
    assert db.session.scalar(select(ApiKey.role).where(ApiKey.role == Role.SERVER)) == "server"
