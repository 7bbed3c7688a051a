"""Signed webhooks: delivered and verifiable, retried then disabled, redelivered, SSRF-safe.

Deliveries run in a worker of their own (the `webhooks` queue, a threads pool) beside the
classify worker, as in production; subscribers are HTTP servers on loopback in this process.
"""

import json
import os
import subprocess
import sys
import threading
import uuid
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from service.models import (
    Article,
    Comment,
    Status,
    WebhookDelivery,
    WebhookSubscription,
    utcnow,
)
from service.webhooks import public_address
from tests.conftest import wait_until
from tests.support import die_with_parent, stop
from tests.support.readme import run_readme_block

ROOT = Path(__file__).resolve().parent.parent
MODCTL = str(Path(sys.executable).parent / "modctl")


# The README's verification snippet, run as a subscriber would run it (read from the README).
verify_signature = run_readme_block("python", "def verify(", {})["verify"]


class Subscriber:
    """An HTTP server on loopback that records each request and answers `status`."""

    def __init__(self, status: int = 200, headers: dict | None = None):
        self.status, self.headers, self.requests, self.answered = status, headers or {}, [], 0
        self.release = threading.Event()
        self.release.set()  # cleared: every request waits until it is set again
        subscriber = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                subscriber.requests.append((dict(self.headers), body))
                subscriber.release.wait(120)
                self.send_response(subscriber.status)
                for name, value in subscriber.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()
                subscriber.answered += 1

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/moderation"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def payloads(self) -> list[dict]:
        return [json.loads(body) for _, body in self.requests]

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def subscriber():
    made = []

    def make(status: int = 200, headers: dict | None = None) -> Subscriber:
        made.append(Subscriber(status, headers))
        return made[-1]

    yield make
    for server in made:
        server.close()


@pytest.fixture(scope="session")
def webhook_worker(app, base_config, tmp_path_factory):
    """A worker for the webhooks queue only: a threads pool, no toxicity model."""
    from service.extensions import celery

    name = f"test-webhooks-{uuid.uuid4().hex[:8]}@localhost"
    log_path = Path(tmp_path_factory.mktemp("webhook-worker")) / "worker.log"
    env = {**os.environ, **{k: str(v) for k, v in base_config.items()}, "PYTHONUNBUFFERED": "1"}
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.celery_app",
                "worker",
                "--pool=threads",
                "--concurrency=4",
                "-Q",
                "webhooks",
                "-n",
                name,
                "--loglevel=INFO",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    try:
        wait_until(
            lambda: proc.poll() is not None or celery.control.ping(destination=[name], timeout=0.5),
            timeout=60,
        )
        assert proc.poll() is None, log_path.read_text()[-3000:]
    except BaseException:
        proc.kill()
        raise
    yield proc
    stop(proc)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def subscribe(client, admin, site_id, url, events, **extra):
    response = client.post(
        f"/v1/admin/sites/{site_id}/webhooks",
        headers=bearer(admin),
        json={"url": url, "events": events, **extra},
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def deliveries(client, admin, site_id, webhook_id):
    response = client.get(
        f"/v1/admin/sites/{site_id}/webhooks/{webhook_id}/deliveries", headers=bearer(admin)
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def decided(db, comment_id):
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    return comment if comment.status != Status.PENDING else None


def premoderated_site(make):
    site, key = make.site(settings={"moderation_mode": "pre"})
    return site.id, key, make.token("admin", site_id=site.id)


def test_a_held_comment_reaches_the_subscriber_signed(
    worker, webhook_worker, make, client, db, subscriber
):
    site_id, key, admin = premoderated_site(make)
    receiver = subscriber()
    hook = subscribe(client, admin, site_id, receiver.url, ["comment.held"])
    assert hook["secret"].startswith("whsec_") and hook["active"] is True
    # The secret is shown once: the list never carries it.
    listed = client.get(f"/v1/admin/sites/{site_id}/webhooks", headers=bearer(admin)).get_json()
    assert [h["id"] for h in listed] == [hook["id"]] and "secret" not in listed[0]

    comment_id = make.post_comment(key, body="Worth a moderator's look.").get_json()["id"]
    wait_until(lambda: receiver.answered)

    [(headers, body)] = receiver.requests
    assert verify_signature(hook["secret"], headers["X-Moderation-Signature"], body)
    assert not verify_signature(
        hook["secret"], headers["X-Moderation-Signature"], body.replace(b"held", b"approved")
    )
    assert not verify_signature("whsec_" + "0" * 64, headers["X-Moderation-Signature"], body)
    payload = json.loads(body)
    assert headers["X-Moderation-Event"] == payload["event"] == "comment.held"
    assert payload["site_id"] == site_id and payload["id"].startswith("evt_")
    assert payload["comment"]["id"] == comment_id and payload["comment"]["status"] == "held"
    assert payload["comment"]["reasons"] == decided(db, comment_id).reasons
    assert payload["comment"]["review_url"].endswith(f"/moderate?queue=held#comment-{comment_id}")
    assert payload["decided_by"] == "system"

    [logged] = wait_until(
        lambda: [
            d for d in deliveries(client, admin, site_id, hook["id"]) if d["status"] == "delivered"
        ]
    )
    assert (logged["attempts"], logged["response_code"], logged["error"]) == (1, 200, "")
    assert logged["event_id"] == payload["id"]
    assert headers["X-Moderation-Delivery"] == str(logged["id"])


def test_a_failing_subscriber_is_retried_then_disabled_without_delaying_classification(
    worker, webhook_worker, make, client, db, subscriber, app
):
    site_id, key, admin = premoderated_site(make)
    down = subscriber(status=503)
    down.release.clear()  # hangs on every request until released
    hook = subscribe(client, admin, site_id, down.url, ["comment.held"])

    first = make.post_comment(key, body="The first comment.").get_json()["id"]
    wait_until(lambda: down.requests)
    # The subscriber holds the first delivery; a comment posted now is still classified.
    second = make.post_comment(key, body="The second comment.").get_json()["id"]
    assert wait_until(lambda: decided(db, second)).status == Status.HELD
    assert down.answered == 0 and not down.release.is_set()

    down.release.set()
    attempts = app.config["WEBHOOK_MAX_ATTEMPTS"]
    disabled = wait_until(
        lambda: (lambda h: h if not h["active"] else None)(
            client.get(
                f"/v1/admin/sites/{site_id}/webhooks/{hook['id']}", headers=bearer(admin)
            ).get_json()
        )
    )
    assert disabled["failures"] == app.config["WEBHOOK_DISABLE_AFTER"] == 2
    assert "HTTP 503" in disabled["disabled_reason"] and disabled["disabled_at"]
    logged = deliveries(client, admin, site_id, hook["id"])
    assert sorted(d["payload"]["comment"]["id"] for d in logged) == [first, second]
    assert all(
        (d["status"], d["attempts"], d["response_code"]) == ("failed", attempts, 503)
        for d in logged
    )
    assert len(down.requests) == 2 * attempts

    # A disabled subscription gets nothing more, says so in the metrics, and is not redelivered.
    third = make.post_comment(key, body="The third comment.").get_json()["id"]
    assert wait_until(lambda: decided(db, third)).status == Status.HELD
    assert len(deliveries(client, admin, site_id, hook["id"])) == 2
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'moderation_webhook_subscriptions{state="disabled"} 1.0' in metrics
    redeliver = client.post(
        f"/v1/admin/sites/{site_id}/webhooks/{hook['id']}/deliveries/{logged[0]['id']}/redeliver",
        headers=bearer(admin),
    )
    assert redeliver.status_code == 409 and "re-enable" in redeliver.get_json()["message"]


def test_a_failed_delivery_is_redelivered_from_the_log(
    worker, webhook_worker, make, client, db, subscriber, app
):
    site_id, key, admin = premoderated_site(make)
    flaky = subscriber(status=500)
    hook = subscribe(client, admin, site_id, flaky.url, ["comment.held"])
    make.post_comment(key, body="Held, and its webhook fails.")
    [failed] = wait_until(
        lambda: [
            d for d in deliveries(client, admin, site_id, hook["id"]) if d["status"] == "failed"
        ]
    )
    assert failed["attempts"] == app.config["WEBHOOK_MAX_ATTEMPTS"]

    flaky.status = 200
    response = client.post(
        f"/v1/admin/sites/{site_id}/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver",
        headers=bearer(admin),
    )
    assert response.status_code == 202
    again = response.get_json()
    assert again["id"] != failed["id"] and again["event_id"] == failed["event_id"]
    done = wait_until(
        lambda: [
            d
            for d in deliveries(client, admin, site_id, hook["id"])
            if d["id"] == again["id"] and d["status"] == "delivered"
        ]
    )
    assert done[0]["response_code"] == 200
    headers, body = flaky.requests[-1]
    assert json.loads(body)["id"] == failed["event_id"]  # subscribers can drop the duplicate
    assert headers["X-Moderation-Delivery"] == str(again["id"])
    assert verify_signature(hook["secret"], headers["X-Moderation-Signature"], body)


def test_payloads_carry_no_email_or_ip(worker, webhook_worker, make, client, db, subscriber):
    site_id, key, admin = premoderated_site(make)
    receiver, chat = subscriber(), subscriber()
    subscribe(
        client,
        admin,
        site_id,
        receiver.url,
        ["comment.held", "comment.decided", "comment.reported"],
    )
    subscribe(client, admin, site_id, chat.url, ["comment.held"], format="slack")
    email, ip = "private.person@mail.example", "203.0.113.77"
    comment_id = make.post_comment(
        key,
        ip=ip,
        author_email=email,
        author_name="Private Person",
        body="Hello <!channel> & see <https://spam.example|this>",
    ).get_json()["id"]
    comment = wait_until(lambda: decided(db, comment_id))

    moderator = make.token("moderator", site_id=site_id)
    decision = client.post(
        f"/v1/moderation/comments/{comment_id}/decision",
        headers=bearer(moderator),
        json={"action": "approve", "version": comment.version, "reason": ""},
    )
    assert decision.status_code == 200, decision.get_json()
    flag = client.post(
        f"/v1/comments/{comment_id}/flags",
        headers={"X-Site-Key": key},
        json={"reason": "abuse", "note": f"I know them: {email}"},
        environ_base={"REMOTE_ADDR": "198.51.100.9"},
    )
    assert flag.status_code == 201, flag.get_json()

    wait_until(lambda: receiver.answered == 3 and chat.answered == 1)
    events = {p["event"]: p for p in receiver.payloads()}
    assert set(events) == {"comment.held", "comment.decided", "comment.reported"}
    assert events["comment.decided"]["comment"]["status"] == "approved"
    assert events["comment.decided"]["decided_by"] == "moderator"
    assert events["comment.reported"]["flag_reason"] == "abuse"
    for _, body in receiver.requests + chat.requests:
        for secret in (email, ip, "198.51.100.9", "Private Person", "I know them"):
            assert secret.encode() not in body
    stored = db.session.scalars(db.select(WebhookDelivery.payload)).all()
    assert len(stored) == 4 and all(
        email not in json.dumps(p) and ip not in json.dumps(p) for p in stored
    )

    # The chat message shows the comment escaped (no @channel, no forged link) and a link.
    text = json.loads(chat.requests[0][1])["text"]
    assert "&lt;!channel&gt; &amp; see &lt;https://spam.example|this&gt;" in text
    assert "<!channel>" not in text and "is held for review" in text
    assert "|Review it>" in text and f"#comment-{comment_id}" in text


PRIVATE_URLS = [
    "http://127.0.0.1:8000/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/",
    "http://172.16.0.1/",
    "http://100.64.0.1/",
    "http://0.0.0.0:6379/",
    "http://2130706433/",
    "http://0x7f.1/",
    "http://[::ffff:127.0.0.1]/",
    "http://[fe80::1]/",
    "https://[fd00::1]/",
]
NOT_HTTP = [
    "ftp://example.com/hook",
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_PING",
    "javascript:alert(1)",
    "http://user:pass@example.com/",
    "http:///nohost",
    "http://example.com:99999/",
    "not a url",
]


@pytest.mark.parametrize("url", PRIVATE_URLS)
def test_subscribers_on_private_addresses_are_refused(make, client, app, monkeypatch, url):
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    site, _ = make.site()
    response = client.post(
        f"/v1/admin/sites/{site.id}/webhooks",
        headers=bearer(make.token("admin", site_id=site.id)),
        json={"url": url, "events": ["comment.held"]},
    )
    assert response.status_code == 422
    assert "address" in response.get_json()["errors"]["json"]["url"][0]


@pytest.mark.parametrize("url", NOT_HTTP)
def test_subscriber_urls_must_be_http(make, client, url):
    site, _ = make.site()
    response = client.post(
        f"/v1/admin/sites/{site.id}/webhooks",
        headers=bearer(make.token("admin", site_id=site.id)),
        json={"url": url, "events": ["comment.held"]},
    )
    assert response.status_code == 422 and response.get_json()["errors"]["json"]["url"]


@pytest.mark.parametrize(
    "body",
    [
        {"url": "http://127.0.0.1/h", "events": []},
        {"url": "http://127.0.0.1/h", "events": ["comment.created"]},
        {"url": "http://127.0.0.1/h", "events": ["comment.held"], "format": "xml"},
        {"events": ["comment.held"]},
    ],
)
def test_bad_subscriptions_are_refused_with_the_field_named(make, client, body):
    site, _ = make.site()
    response = client.post(
        f"/v1/admin/sites/{site.id}/webhooks",
        headers=bearer(make.token("admin", site_id=site.id)),
        json=body,
    )
    assert response.status_code == 422 and response.get_json()["errors"]["json"]


@pytest.mark.parametrize(
    "address, public",
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("::1", False),
        ("::ffff:10.0.0.1", False),
        ("2002:7f00:1::1", False),
        ("224.0.0.1", False),
        ("100.64.1.1", False),
        ("fe80::1%eth0", False),
    ],
)
def test_public_address(address, public):
    assert public_address(address) is public


def test_an_address_that_turned_private_is_refused_at_delivery(make, db, app, monkeypatch):
    from workers.webhooks import deliver

    site, _ = make.site()
    # Created while allowed; the name (here, the address) is checked again at each attempt.
    hook = WebhookSubscription(
        site_id=site.id,
        url="http://127.0.0.1:9/hook",
        events=["comment.held"],
        secret_salt="00" * 16,
    )
    db.session.add(hook)
    db.session.flush()
    delivery = WebhookDelivery(
        subscription_id=hook.id,
        event="comment.held",
        event_id="evt_1",
        payload={"event": "comment.held"},
        next_attempt_at=utcnow(),
    )
    db.session.add(delivery)
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_ALLOW_PRIVATE", False)
    assert deliver(delivery.id) == "failed"
    db.session.refresh(delivery)
    assert delivery.attempts == 1 and delivery.response_code is None  # not retried
    assert delivery.error.startswith("refused:") and "127.0.0.1" in delivery.error


def test_redirects_are_not_followed(make, db, app, monkeypatch, subscriber):
    from workers.webhooks import deliver

    inside = subscriber()
    outside = subscriber(status=302, headers={"Location": inside.url})
    site, _ = make.site()
    hook = WebhookSubscription(
        site_id=site.id, url=outside.url, events=["comment.held"], secret_salt="00" * 16
    )
    db.session.add(hook)
    db.session.flush()
    delivery = WebhookDelivery(
        subscription_id=hook.id,
        event="comment.held",
        event_id="evt_2",
        payload={"event": "comment.held"},
        next_attempt_at=utcnow(),
    )
    db.session.add(delivery)
    db.session.commit()
    monkeypatch.setitem(app.config, "WEBHOOK_MAX_ATTEMPTS", 1)
    assert deliver(delivery.id) == "failed"
    db.session.refresh(delivery)
    assert delivery.response_code == 302 and "redirects are not followed" in delivery.error
    assert len(outside.requests) == 1 and inside.requests == []


def test_an_admin_disables_and_re_enables_a_subscription(make, client, subscriber):
    site_id, _, admin = premoderated_site(make)
    hook = subscribe(client, admin, site_id, subscriber().url, ["comment.held"])
    path = f"/v1/admin/sites/{site_id}/webhooks/{hook['id']}"
    off = client.patch(path, headers=bearer(admin), json={"active": False}).get_json()
    assert off["active"] is False and off["disabled_reason"] == "disabled by an admin"
    on = client.patch(
        path,
        headers=bearer(admin),
        json={"active": True, "events": ["queue.backlog", "comment.held"]},
    )
    assert on.status_code == 200
    assert (
        on.get_json()["active"],
        on.get_json()["failures"],
        on.get_json()["disabled_at"],
        on.get_json()["events"],
    ) == (True, 0, None, ["comment.held", "queue.backlog"])
    assert client.delete(path, headers=bearer(admin)).status_code == 204
    assert client.get(path, headers=bearer(admin)).status_code == 404


def test_a_site_admin_cannot_reach_another_sites_webhooks(make, client, subscriber):
    own, _ = make.site(name="Own")
    other, _ = make.site(name="Other", origins=["https://other.example"])
    hook = subscribe(
        client, make.token("admin", site_id=other.id), other.id, subscriber().url, ["comment.held"]
    )
    admin = make.token("admin", site_id=own.id)
    base = f"/v1/admin/sites/{other.id}/webhooks"
    for method, path in [
        ("get", base),
        ("post", base),
        ("get", f"{base}/{hook['id']}"),
        ("delete", f"{base}/{hook['id']}"),
        ("get", f"{base}/{hook['id']}/deliveries"),
    ]:
        response = getattr(client, method)(
            path, headers=bearer(admin), json={"url": "http://127.0.0.1/", "events": []}
        )
        assert response.status_code == 403, (method, path)
    # Nor through its own site's URL with the other site's webhook id.
    response = client.get(
        f"/v1/admin/sites/{own.id}/webhooks/{hook['id']}/deliveries", headers=bearer(admin)
    )
    assert response.status_code == 404


def test_backlog_is_announced_once_per_period(make, db, app, client, subscriber):
    from workers.webhooks import check_backlog

    site_id, key, admin = premoderated_site(make)
    hook = subscribe(client, admin, site_id, subscriber().url, ["queue.backlog"])
    comment_id = make.post_comment(key, body="Waiting.").get_json()["id"]
    assert check_backlog() == 0  # nothing held yet
    comment = db.session.get(Comment, comment_id)
    comment.status = Status.HELD
    comment.created_at = utcnow() - timedelta(minutes=app.config["WEBHOOK_BACKLOG_MINUTES"] + 1)
    db.session.commit()
    assert check_backlog() == 1
    assert check_backlog() == 0  # already announced in this period
    [logged] = deliveries(client, admin, site_id, hook["id"])
    assert logged["event"] == "queue.backlog"
    queue = logged["payload"]["queue"]
    assert queue["held"] == 1 and queue["oldest_held_age_s"] >= 60 * queue["threshold_minutes"]
    assert logged["payload"]["review_url"].endswith("/moderate?queue=held")


def test_modctl_creates_lists_and_deletes_webhooks(tmp_path, subscriber):
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "WEBHOOK_ALLOW_PRIVATE": "true",
    }

    def modctl(*args, check=True):
        result = subprocess.run(
            [MODCTL, *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert (result.returncode == 0) is check, result.stderr[-2000:]
        return json.loads(result.stdout[result.stdout.find("{") :]) if check else result

    subprocess.run(
        [MODCTL, "migrate"], env=env, check=True, capture_output=True, cwd=ROOT, timeout=120
    )
    site = modctl("site", "create", "--name", "Gazette", "--origin", "https://gazette.example")
    url = subscriber().url
    made = modctl(
        "webhook",
        "create",
        "--site",
        str(site["site_id"]),
        "--url",
        url,
        "--event",
        "comment.held",
        "--event",
        "queue.backlog",
        "--format",
        "slack",
    )
    assert made["secret"].startswith("whsec_") and made["events"] == [
        "comment.held",
        "queue.backlog",
    ]
    [listed] = modctl("webhook", "list", "--site", str(site["site_id"]))["webhooks"]
    assert listed["webhook_id"] == made["webhook_id"] and listed["active"] is True
    assert "secret" not in listed and listed["url"].endswith("…tion")  # the path is masked
    assert modctl("webhook", "delete", str(made["webhook_id"]))["deleted"] is True
    assert modctl("webhook", "list", "--site", str(site["site_id"]))["webhooks"] == []

    env["WEBHOOK_ALLOW_PRIVATE"] = "false"
    refused = modctl(
        "webhook",
        "create",
        "--site",
        str(site["site_id"]),
        "--url",
        url,
        "--event",
        "comment.held",
        check=False,
    )
    assert refused.returncode == 2 and "127.0.0.1" in refused.stderr


@pytest.mark.parametrize(
    "status, discarded, event",
    [
        ("held", False, "comment.held"),
        ("approved", False, "comment.decided"),
        ("rejected", False, "comment.decided"),
        ("spam", True, None),
        ("pending", False, None),
    ],
)
def test_pipeline_decisions_choose_their_event(make, db, status, discarded, event):
    from service import webhooks

    site, _ = make.site()
    other, _ = make.site(name="Other", origins=["https://other.example"])
    for site_id, events in (
        (site.id, ["comment.held", "comment.decided"]),
        (other.id, ["comment.held", "comment.decided"]),
    ):
        db.session.add(
            WebhookSubscription(
                site_id=site_id, url="http://127.0.0.1:9/", events=events, secret_salt="00" * 16
            )
        )
    db.session.add(
        WebhookSubscription(
            site_id=site.id,
            url="http://127.0.0.1:9/",
            events=["comment.reported"],
            secret_salt="00" * 16,
        )
    )
    # Made here, not posted, and not pending: a running classify worker (or its sweeper, which
    # re-sends pending comments) would decide (and emit for) it too.
    article = Article(site_id=site.id, external_id="a-1")
    db.session.add(article)
    db.session.flush()
    comment = Comment(
        site_id=site.id,
        article_id=article.id,
        body="Hi.",
        author_email="a@mail.example",
        status=Status.HELD,
    )
    db.session.add(comment)
    db.session.commit()

    recorded = webhooks.decided(comment, status, ["SPAM_RULES"], discarded=discarded)
    db.session.rollback()  # nothing is sent for a transaction that does not commit
    assert recorded == (1 if event else 0)  # the site's subscriber to the event only
    assert db.session.scalar(db.select(db.func.count()).select_from(WebhookDelivery)) == 0
    if event:
        webhooks.decided(comment, status, ["SPAM_RULES"])
        db.session.commit()
        [delivery] = db.session.scalars(db.select(WebhookDelivery)).all()
        assert delivery.event == event and delivery.payload["comment"]["status"] == status
        assert delivery.payload["comment"]["reasons"] == ["SPAM_RULES"]
        assert delivery.payload["decided_by"] == "system"
