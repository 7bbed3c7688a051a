"""One settings source: defaults, then the environment (read at app creation), then a site's
overrides, which reach the spam stage in the worker like every other site setting."""

import uuid

from service import create_app
from service.config import DEFAULTS, load_settings
from service.models import Comment, Status
from tests.conftest import wait_until


def decided(db, comment_id):
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    return comment if comment.status != Status.PENDING else None


def post(client, key, ip, body):
    return client.post(
        "/v1/articles/a-1/comments",
        json={
            "author_name": "Reader",
            "author_email": f"{uuid.uuid4().hex[:8]}@mail.example",
            "body": body,
        },
        headers={"X-Site-Key": key},
        environ_base={"REMOTE_ADDR": ip},
    )


def test_a_site_override_beats_the_environment_which_beats_the_default(
    make, base_config, monkeypatch
):
    assert load_settings({})["FLOOD_SECONDS"] == DEFAULTS["FLOOD_SECONDS"] == 15
    monkeypatch.setenv("FLOOD_SECONDS", "3600")
    env_app = create_app(base_config)  # the environment is read now, not at import
    assert env_app.config["FLOOD_SECONDS"] == 3600
    _, plain_key = make.site(name="Plain")
    _, open_key = make.site(name="Open", settings={"flood_seconds": 0})
    client = env_app.test_client()

    ip = f"198.18.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    assert post(client, plain_key, ip, "First.").status_code == 202
    flooded = post(client, plain_key, ip, "Second, straight away.")
    assert flooded.status_code == 429
    assert 15 < int(flooded.headers["Retry-After"]) <= 3600  # the environment's interval
    for n in range(3):  # the site's own interval: none
        assert post(client, open_key, ip, f"Comment {n}").status_code == 202


def random_text() -> str:
    # Unique words: the Redis windows of a reused site id must not hold these from before.
    return " ".join(uuid.uuid4().hex for _ in range(8))


def test_a_sites_velocity_limit_reaches_the_spam_stage_in_the_worker(worker, make, db):
    # spam_hold 0: every comment is held with its spam evidence, so the reasons show VELOCITY.
    base = {"flood_seconds": 0, "spam_hold": 0.0}
    _, strict = make.site(name="Strict", settings={**base, "velocity_max": 1})
    _, default = make.site(name="Default", settings=base)
    reasons = {}
    for name, key in (("strict", strict), ("default", default)):
        ip = f"198.19.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
        ids = [make.post_comment(key, ip=ip, body=random_text()).get_json()["id"] for _ in range(2)]
        reasons[name] = [wait_until(lambda i=i: decided(db, i)).reasons for i in ids]
    assert any("VELOCITY" in r for r in reasons["strict"]), reasons
    assert not any("VELOCITY" in r for r in reasons["default"]), reasons


def test_a_sites_wave_size_reaches_the_spam_stage_in_the_worker(worker, make, db):
    _, strict = make.site(name="Strict", settings={"flood_seconds": 0, "wave_min_count": 2})
    _, default = make.site(name="Default", settings={"flood_seconds": 0})
    reasons = {}
    for name, key in (("strict", strict), ("default", default)):
        text = random_text()
        ids = [
            make.post_comment(key, article=article, body=text).get_json()["id"]
            for article in ("wave-1", "wave-2")
        ]
        reasons[name] = [wait_until(lambda i=i: decided(db, i)).reasons for i in ids]
    assert any("SPAM_WAVE" in r for r in reasons["strict"]), reasons
    assert not any("SPAM_WAVE" in r for r in reasons["default"]), reasons


def test_velocity_and_wave_settings_are_checked_like_the_others(make, client):
    site, _ = make.site()
    admin = make.token("admin")
    for bad in ({"velocity_max": 0}, {"wave_min_count": 1}, {"wave_window_s": "soon"}):
        response = client.patch(
            f"/v1/admin/sites/{site.id}",
            json={"settings": bad},
            headers={"Authorization": f"Bearer {admin}"},
        )
        assert response.status_code == 422, bad
        assert set(bad) <= set(response.get_json()["errors"]["json"]["settings"])
    ok = client.patch(
        f"/v1/admin/sites/{site.id}",
        json={"settings": {"velocity_max": 9}},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert ok.status_code == 200 and ok.get_json()["effective_settings"]["velocity_max"] == 9
