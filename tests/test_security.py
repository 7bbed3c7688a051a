"""Security properties a hostile reader, a careless site or a leaked database must not break."""

import hashlib

import pytest
from sqlalchemy import text

from service.models import Comment, Status

ORIGIN = "https://news.example"
PAYLOAD = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def every_stored_text(db) -> str:
    """Dump every column of every table as text: what a leaked database would show."""
    rows = []
    for table in db.metadata.sorted_tables:
        rows += [repr(tuple(r)) for r in db.session.execute(text(f"SELECT * FROM {table.name}"))]
    return "\n".join(rows)


def test_keys_tokens_and_status_tokens_are_stored_only_as_hashes(client, make, db):
    admin = make.token("admin")
    created = client.post(
        "/v1/admin/sites",
        json={"name": "S", "origins": [ORIGIN]},
        headers={"Authorization": f"Bearer {admin}"},
    ).get_json()
    moderator = client.post(
        "/v1/admin/tokens", json={"role": "moderator"}, headers={"Authorization": f"Bearer {admin}"}
    ).get_json()["key"]
    accepted = make.post_comment(created["site_key"]).get_json()
    stored = every_stored_text(db)
    for secret in (admin, created["site_key"], moderator, accepted["status_token"]):
        # Nor its random part alone (the longest piece: the random part may itself hold "_").
        assert secret not in stored and max(secret.split("_"), key=len) not in stored
    assert hashlib.sha256(created["site_key"].encode()).hexdigest() in stored
    # Shown once: listing the site's keys never shows a secret again.
    listed = client.get(
        f"/v1/admin/sites/{created['id']}/keys", headers={"Authorization": f"Bearer {admin}"}
    ).get_data(as_text=True)
    assert created["site_key"] not in listed and '"key"' not in listed


def test_keys_are_compared_in_constant_time(client, make, monkeypatch):
    import service.auth

    _, key = make.site()
    compared = []
    real = service.auth.hmac.compare_digest
    monkeypatch.setattr(
        service.auth.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b)
    )
    forged = key[:-4] + "AAAA"  # right lookup prefix, wrong secret
    assert (
        client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": forged}).status_code == 401
    )
    assert compared and compared[0][1] == hashlib.sha256(forged.encode()).hexdigest()


def test_cors_preflight_and_requests_follow_each_sites_allowlist(client, make):
    _, key = make.site(origins=[ORIGIN])
    preflight = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, x-site-key",
    }
    allowed = client.options("/v1/articles/a-1/comments", headers={"Origin": ORIGIN, **preflight})
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Site-Key" in allowed.headers["Access-Control-Allow-Headers"]
    assert "POST" in allowed.headers["Access-Control-Allow-Methods"]
    foreign = client.options(
        "/v1/articles/a-1/comments", headers={"Origin": "https://evil.example", **preflight}
    )
    assert "Access-Control-Allow-Origin" not in foreign.headers

    posted = make.post_comment(key, headers={"Origin": ORIGIN})
    assert posted.status_code == 202 and posted.headers["Access-Control-Allow-Origin"] == ORIGIN
    refused = make.post_comment(key, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403 and "Access-Control-Allow-Origin" not in refused.headers
    assert "Origin" in refused.headers["Vary"]


def test_a_body_over_the_limit_is_413_in_the_error_shape(client, make):
    _, key = make.site()
    response = client.post(
        "/v1/articles/a-1/comments",
        data="x" * (1024 * 1024 + 1),
        headers={"X-Site-Key": key, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.get_json()["code"] == 413 and response.get_json()["status"]


def test_intake_is_rate_limited_per_reader_address(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_INTAKE_PER_IP", "3/minute")
    _, key = make.site(settings={"flood_seconds": 0})
    answers = [
        make.post_comment(key, ip="10.5.5.5", body=f"Comment {i}").status_code for i in range(4)
    ]
    assert answers == [202, 202, 202, 429]
    limited = make.post_comment(key, ip="10.5.5.5", body="Once more")
    body = limited.get_json()
    assert body["code"] == 429 and body["status"] == "Too Many Requests" and body["message"]
    assert 1 <= int(limited.headers["Retry-After"]) <= 61  # the minute window, rounded up
    assert make.post_comment(key, ip="10.5.5.6", body="Another reader").status_code == 202


def test_ipv6_readers_are_rate_limited_per_64_prefix(app, make, monkeypatch):
    # One subscriber usually holds a whole /64: counting each address would let them rotate.
    monkeypatch.setitem(app.config, "RATE_LIMIT_INTAKE_PER_IP", "2/minute")
    _, key = make.site(settings={"flood_seconds": 0})
    answers = [
        make.post_comment(key, ip=f"2001:db8:1:2::{n}", body=f"Comment {n}").status_code
        for n in range(1, 4)
    ]
    assert answers == [202, 202, 429]
    assert make.post_comment(key, ip="2001:db8:1:3::1", body="Next door").status_code == 202


def test_intake_is_rate_limited_per_site_key(app, make, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_INTAKE_PER_KEY", "2/minute")
    _, key = make.site()
    _, other_key = make.site(name="Other", origins=["https://other.example"])
    assert [make.post_comment(key).status_code for _ in range(3)] == [202, 202, 429]
    assert make.post_comment(other_key).status_code == 202


def test_reading_a_thread_is_not_rate_limited_like_posting(app, make, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_INTAKE_PER_IP", "1/minute")
    _, key = make.site()
    reads = [
        client.get(
            "/v1/articles/a-1/comments",
            headers={"X-Site-Key": key},
            environ_base={"REMOTE_ADDR": "10.6.6.6"},
        ).status_code
        for _ in range(5)
    ]
    assert reads == [200] * 5


@pytest.mark.parametrize(
    "path, form",
    [
        ("/1.1/verify-key", True),
        ("/v1alpha1/comments:suggestscore", False),
        ("/1.1/verify-key", "host"),
    ],
)
def test_the_compatible_apis_are_rate_limited_per_key(app, client, make, monkeypatch, path, form):
    monkeypatch.setitem(app.config, "RATE_LIMIT_COMPAT_PER_KEY", "2/minute")
    site, _ = make.site(origins=[ORIGIN])
    key = make.server_key(site.id)

    def call(n):
        environ = {"REMOTE_ADDR": f"10.8.8.{n}"}  # a different address each time: the key counts
        if form == "host":  # the key in the host name only, as akismet-api sends it
            return client.post(
                path,
                data={"blog": ORIGIN},
                environ_base=environ,
                headers={"Host": f"{key}.akismet.example"},
            )
        if form:
            return client.post(path, data={"api_key": key, "blog": ORIGIN}, environ_base=environ)
        return client.post(
            f"{path}?key={key}",
            environ_base=environ,
            json={
                "comment": {"text": "hi"},
                "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.2}}},
            },
        )

    statuses = [call(n).status_code for n in range(1, 4)]
    assert statuses[:2] == [200, 200] and statuses[2] == 429
    assert int(call(9).headers["Retry-After"]) >= 1


def test_comment_text_is_data_in_json_never_markup(client, make, db):
    _, key = make.site()
    comment_id = make.post_comment(key, body=PAYLOAD, author_name=PAYLOAD).get_json()["id"]
    db.session.get(Comment, comment_id).status = Status.APPROVED
    db.session.commit()
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": key})
    assert thread.mimetype == "application/json"
    assert thread.get_json()["items"][0]["body"] == PAYLOAD  # the exact text, as data
    # No page of the service shows the comment as markup (pages fetch the JSON and set text).
    for rule in client.application.url_map.iter_rules():
        if "GET" not in rule.methods or rule.arguments or rule.endpoint == "static":
            continue
        page = client.get(
            rule.rule,
            query_string={"site_key": key},
            headers={"X-Site-Key": key, "Accept": "text/html"},
        )
        if page.mimetype == "text/html":
            assert "<script>alert" not in page.get_data(as_text=True), rule.rule


def test_public_answers_never_show_an_email_an_address_or_a_user_agent(client, make, db):
    site, key = make.site(settings={"flood_seconds": 15})
    email, ip, agent = "private.person@mail.example", "10.44.55.66", "PrivateAgent/9.9"
    headers = {"User-Agent": agent}
    first = make.post_comment(key, ip=ip, author_email=email, body="First.", headers=headers)
    accepted = first.get_json()
    db.session.get(Comment, accepted["id"]).status = Status.APPROVED
    db.session.commit()
    answers = [
        first,
        make.post_comment(key, ip=ip, author_email=email, body="Too soon.", headers=headers),
        make.post_comment(key, ip="10.1.1.1", author_email=email, body="First."),  # duplicate
        client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": key}),
        client.get(
            f"/v1/comments/{accepted['id']}/status",
            headers={"X-Status-Token": accepted["status_token"]},
        ),
        client.post(
            f"/v1/comments/{accepted['id']}/flags",
            json={"reason": "spam"},
            headers={"X-Site-Key": key},
            environ_base={"REMOTE_ADDR": ip},
        ),
        client.get("/v1/articles/a-1/form-token", headers={"X-Site-Key": key}),
    ]
    assert [a.status_code for a in answers] == [202, 429, 409, 200, 200, 201, 200]
    for answer in answers:
        shown = answer.get_data(as_text=True) + str(dict(answer.headers))
        for private in (email, ip, agent):
            assert private not in shown


@pytest.mark.parametrize("field", ["body", "author_name", "author_email", "author_url"])
def test_a_nul_byte_in_a_comment_is_never_a_server_error(make, field):
    # PostgreSQL text cannot hold NUL: such input must be refused (4xx) or stored, never a 500.
    _, key = make.site()
    fields = {"body": "Hello there.", field: "hello\x00world"}
    assert make.post_comment(key, **fields).status_code < 500
