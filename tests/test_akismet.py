"""The Akismet-compatible API, driven by the real `akismet` client library over loopback.

The client posts to https://rest.akismet.com; an httpx request hook (the one
the README gives users) sends its requests to the app served on a loopback port.
"""

import akismet
import httpx
import pytest
from sqlalchemy import select

from service import spam_stage
from service.auth import find_server_key
from service.models import SpamFeedback, SpamModelState
from tests.conftest import wait_until
from tests.support.live_server import live_server
from workers.classifiers.spam import SpamModel

BLOG = "https://news.example"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
COMMENT = {
    "user_agent": USER_AGENT,
    "referrer": f"{BLOG}/2026/11/council-vote/",
    "permalink": f"{BLOG}/2026/11/council-vote/",
    "comment_type": "comment",
    "comment_author": "Ann Reader",
    "comment_author_email": "ann@mail.example",
    "comment_content": "The council should publish the budget before the vote, not after.",
}
FORM_ENDPOINTS = ("comment-check", "submit-spam", "submit-ham")


@pytest.fixture(scope="module")
def server(app):
    with live_server(app) as url:
        yield url


@pytest.fixture(autouse=True)
def no_cached_spam_models(monkeypatch):
    # Site ids restart after each test's cleanup: a model cached by id must not leak across.
    monkeypatch.setattr(spam_stage, "_spam_models", {})


@pytest.fixture
def site(make):
    """A site and its secret server key, the Akismet API key."""
    site_row, _ = make.site(origins=(BLOG,))
    return site_row, make.server_key(site_row.id)


def self_hosted(service_url: str, key: str = "") -> httpx.Client:
    """An httpx client for akismet.SyncClient that reaches service_url (the README's hook)."""
    service = httpx.URL(service_url)

    def to_service(request: httpx.Request) -> None:
        request.url = request.url.copy_with(
            scheme=service.scheme,
            host=service.host,
            port=service.port,
            path=service.path.rstrip("/") + request.url.path,
        )
        if key and "api_key" not in request.url.params:  # key_sites() sends none
            request.url = request.url.copy_add_param("api_key", key)
        request.headers["Host"] = service.netloc.decode()

    return httpx.Client(
        headers={"User-Agent": akismet.USER_AGENT},
        timeout=10.0,
        event_hooks={"request": [to_service]},
    )


def client_for(server: str, key: str, blog: str = BLOG) -> akismet.SyncClient:
    return akismet.SyncClient(
        config=akismet.Config(key=key, url=blog), http_client=self_hosted(server, key)
    )


def set_settings(db, site, **settings):
    site.settings = {**(site.settings or {}), **settings}
    db.session.commit()


def test_the_real_client_verifies_a_site_key_for_one_of_its_origins(server, site, make):
    _, key = site
    checked = akismet.SyncClient.validated_client(
        config=akismet.Config(key=key, url=BLOG), http_client=self_hosted(server)
    )
    assert checked.verify_key(key, f"{BLOG}/") is True
    assert checked.verify_key(key, "https://elsewhere.example") is False
    assert checked.verify_key("pk_000000000000_nope", BLOG) is False
    assert checked.verify_key(make.token(), BLOG) is False  # a moderator token is no site key
    with pytest.raises(akismet.APIKeyError):
        akismet.SyncClient.validated_client(
            config=akismet.Config(key="wrong", url=BLOG), http_client=self_hosted(server)
        )


def test_an_ordinary_comment_is_ham_and_below_the_discard_threshold_it_is_discarded(
    server, site, db
):
    site_row, key = site
    client = client_for(server, key)
    assert client.comment_check("203.0.113.7", **COMMENT) == akismet.CheckResponse.HAM
    # The same comment, on a site that discards from a spam probability it already reaches.
    set_settings(db, site_row, spam_hold=0.01, spam_discard=0.02)
    assert client.comment_check("203.0.113.7", **COMMENT) == akismet.CheckResponse.DISCARD


def test_a_held_looking_comment_is_spam_without_the_discard_tip(server, site, db):
    site_row, key = site
    client = client_for(server, key)
    set_settings(db, site_row, spam_hold=0.01)
    assert client.comment_check("203.0.113.8", **COMMENT) == akismet.CheckResponse.SPAM


def test_the_sites_disallowed_keys_make_spam_but_never_an_administrators(server, site, db):
    site_row, key = site
    client = client_for(server, key)
    comment = {**COMMENT, "comment_content": "Great casino-bonus offers at my site."}
    assert client.comment_check("203.0.113.9", **comment) == akismet.CheckResponse.HAM
    set_settings(db, site_row, disallowed_keys=["casino-bonus"])
    assert client.comment_check("203.0.113.9", **comment) == akismet.CheckResponse.SPAM
    assert (
        client.comment_check("203.0.113.9", user_role="administrator", **comment)
        == akismet.CheckResponse.HAM
    )


def test_a_filled_honeypot_named_by_the_caller_is_spam(server, site):
    _, key = site
    form = {
        "api_key": key,
        "blog": BLOG,
        "user_ip": "203.0.113.10",
        **COMMENT,
        "honeypot_field_name": "hidden_url",
    }
    with self_hosted(server) as http:
        empty = http.post(
            "https://rest.akismet.com/1.1/comment-check", data={**form, "hidden_url": ""}
        )
        filled = http.post(
            "https://rest.akismet.com/1.1/comment-check",
            data={**form, "hidden_url": "http://spam.example"},
        )
    assert (empty.text, filled.text) == ("false", "true")
    assert filled.headers["Content-Type"] == "text/plain; charset=utf-8"


def test_comment_check_uses_the_sites_learned_model(server, site, db):
    site_row, key = site
    client = client_for(server, key)
    pitch = {**COMMENT, "comment_content": "Cheap replica watches and pills, order today now"}
    assert client.comment_check("203.0.113.11", **pitch) == akismet.CheckResponse.HAM
    spam = [f"cheap replica watches and pills order {n} today" for n in range(20)]
    ham = [f"the council budget vote {n} was discussed at length" for n in range(20)]
    model = SpamModel.fit(spam + ham, [True] * 20 + [False] * 20)
    db.session.add(
        SpamModelState(site_id=site_row.id, state=model.to_bytes(), examples=model.examples)
    )
    db.session.commit()
    assert client.comment_check("203.0.113.11", **pitch) in (
        akismet.CheckResponse.SPAM,
        akismet.CheckResponse.DISCARD,
    )
    assert client.comment_check("203.0.113.12", **COMMENT) == akismet.CheckResponse.HAM


def test_submissions_are_thanked_stored_and_learned_by_a_worker(server, site, db, worker):
    site_row, key = site
    client = client_for(server, key)
    assert client.submit_spam("203.0.113.13", **{**COMMENT, "comment_content": "Buy pills"})
    assert client.submit_ham("203.0.113.14", **COMMENT)
    rows = db.session.scalars(select(SpamFeedback).order_by(SpamFeedback.id)).all()
    key_id = find_server_key(key).id  # the key is the source the learn task caps
    assert [(r.is_spam, r.source, r.text, r.site_id) for r in rows] == [
        (True, f"akismet:{key_id}", "Buy pills", site_row.id),
        (False, f"akismet:{key_id}", COMMENT["comment_content"], site_row.id),
    ]

    def learned():
        db.session.expire_all()
        state = db.session.get(SpamModelState, site_row.id)
        return state is not None and state.examples == 2

    wait_until(learned)


def test_a_test_submission_or_an_empty_one_teaches_nothing(server, site, db):
    _, key = site
    client = client_for(server, key)
    assert client.submit_spam("203.0.113.15", is_test=True, **COMMENT)
    # An empty one is refused, so the caller knows nothing was learned.
    with pytest.raises(akismet.ProtocolError, match="comment_content"):
        client.submit_spam("203.0.113.15", **{**COMMENT, "comment_content": "  "})
    assert db.session.scalars(select(SpamFeedback)).all() == []


def test_the_real_client_reports_refusals_as_akismet_does(server, site):
    _, key = site
    with pytest.raises(akismet.APIKeyError):
        client_for(server, "pk_000000000000_nope").comment_check("203.0.113.16", **COMMENT)
    with pytest.raises(akismet.APIKeyError):
        client_for(server, key, blog="https://elsewhere.example").submit_ham("203.0.113.16")
    with pytest.raises(akismet.ProtocolError, match="Missing required field: user_ip."):
        client_for(server, key).comment_check("", **COMMENT)


REFUSALS = [
    ({"api_key": ""}, "invalid", 'Empty "api_key" value'),
    ({"api_key": "pk_000000000000_nope"}, "invalid", "Invalid key"),
    ({"api_key": "MODERATOR"}, "invalid", "Invalid key"),
    ({"blog": ""}, "invalid", 'Empty "blog" value'),
    ({"blog": "news.example"}, "invalid", "We were unable to parse your blog URI"),
    (
        {"blog": "https://elsewhere.example"},
        "invalid",
        "The blog https://elsewhere.example is not one of this key's site origins",
    ),
]


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
@pytest.mark.parametrize("change, body, debug_help", REFUSALS)
def test_refused_calls_answer_like_akismet(
    client, make, site, db, endpoint, change, body, debug_help
):
    _, key = site
    form = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.17", **COMMENT, **change}
    if form["api_key"] == "MODERATOR":
        form["api_key"] = make.token()
    response = client.post(f"/1.1/{endpoint}", data=form)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == body
    assert response.headers["X-akismet-debug-help"] == debug_help
    assert db.session.scalars(select(SpamFeedback)).all() == []


def test_comment_check_without_user_ip_is_refused_as_akismet_does(client, site):
    _, key = site
    response = client.post(
        "/1.1/comment-check", data={"api_key": key, "blog": BLOG, **COMMENT, "user_ip": ""}
    )
    assert response.get_data(as_text=True) == "Missing required field: user_ip."
    assert response.headers["X-akismet-debug-help"] == 'Empty "user_ip" value'
    assert "X-akismet-guid" not in response.headers


@pytest.mark.parametrize(
    "change, debug_help", [(change, debug_help) for change, _, debug_help in REFUSALS]
)
def test_verify_key_refuses_with_a_reason_but_a_wrong_key_gets_a_bare_invalid(
    client, make, site, change, debug_help
):
    _, key = site
    form = {"key": key, "blog": BLOG}
    if "api_key" in change:
        form["key"] = make.token() if change["api_key"] == "MODERATOR" else change["api_key"]
    form.update({k: v for k, v in change.items() if k != "api_key"})
    response = client.post("/1.1/verify-key", data=form)
    assert response.get_data(as_text=True) == "invalid"
    if debug_help == "Invalid key":  # as Akismet: no header (@cedx/akismet throws on one)
        assert "X-akismet-debug-help" not in response.headers
    else:
        assert response.headers["X-akismet-debug-help"] == debug_help


def test_a_wordpress_sized_comment_is_checked_and_an_oversized_form_is_413(client, site):
    _, key = site
    # WordPress allows 65525 characters; percent-encoded UTF-8 that is ~590 KB of form.
    longest = {
        "api_key": key,
        "blog": BLOG,
        "user_ip": "203.0.113.18",
        "comment_content": "é" * 65525,
    }
    checked = client.post("/1.1/comment-check", data=longest)
    assert checked.status_code == 200 and checked.get_data(as_text=True) in ("true", "false")
    too_big = client.post("/1.1/comment-check", data={**longest, "comment_content": "x" * 2**20})
    assert too_big.status_code == 413 and too_big.mimetype == "text/plain"


def test_the_openapi_document_describes_forms_in_and_text_out(client):
    paths = client.get("/openapi.json").get_json()["paths"]
    for endpoint in ("verify-key", *FORM_ENDPOINTS):
        operation = paths[f"/1.1/{endpoint}"]["post"]
        assert list(operation["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]
        for response in operation["responses"].values():
            assert list(response["content"]) == ["text/plain"]
    headers = paths["/1.1/comment-check"]["post"]["responses"]["200"]["headers"]
    assert {"X-akismet-pro-tip", "X-akismet-debug-help"} <= set(headers)


@pytest.mark.parametrize(
    "field, cap",
    [
        ("comment_author", 245),
        ("comment_author_email", 100),
        ("comment_author_url", 200),
        ("comment_content", 65525),
    ],
)
@pytest.mark.parametrize("path", FORM_ENDPOINTS)
def test_fields_get_wordpresss_caps_and_a_clear_answer_beyond(client, db, site, path, field, cap):
    _, key = site
    form = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.10", **COMMENT}
    at_cap = client.post(f"/1.1/{path}", data={**form, field: "x" * cap})
    assert at_cap.get_data(as_text=True) in (
        "true",
        "false",
        "Thanks for making the web a better place.",
    )
    over = client.post(f"/1.1/{path}", data={**form, field: "x" * (cap + 1)})
    assert over.status_code == 200 and over.get_data(as_text=True) == f"Field too long: {field}."
    assert f"at most {cap}" in over.headers["X-akismet-debug-help"]
    stored = db.session.scalars(select(SpamFeedback)).all()
    assert all(len(f.text) <= 65525 for f in stored)
    assert len(stored) == (1 if path != "comment-check" else 0)


def test_checks_carry_a_guid_and_only_refusals_a_debug_help(client, site, db):
    site_row, key = site
    form = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.30", **COMMENT}
    ham = client.post("/1.1/comment-check", data=form)
    set_settings(db, site_row, spam_hold=0.01, spam_discard=0.02)
    blatant = client.post("/1.1/comment-check", data=form)
    admin = client.post("/1.1/comment-check", data={**form, "user_role": "administrator"})
    guids = [r.headers["X-akismet-guid"] for r in (ham, blatant, admin)]
    assert len(set(guids)) == 3 and all(len(g) == 32 for g in guids)
    assert (ham.text, blatant.text, admin.text) == ("false", "true", "false")
    assert blatant.headers["X-akismet-pro-tip"] == "discard"
    assert "X-akismet-pro-tip" not in ham.headers
    assert not any("X-akismet-debug-help" in r.headers for r in (ham, blatant, admin))


@pytest.mark.parametrize("endpoint, is_spam", [("submit-spam", True), ("submit-ham", False)])
def test_a_submission_without_user_ip_is_learned_as_wordpress_sends_old_ones(
    client, site, db, endpoint, is_spam
):
    site_row, key = site
    response = client.post(f"/1.1/{endpoint}", data={"api_key": key, "blog": BLOG, **COMMENT})
    assert response.text == "Thanks for making the web a better place."
    assert "X-akismet-debug-help" not in response.headers
    rows = db.session.scalars(select(SpamFeedback)).all()
    assert [(r.is_spam, r.site_id, r.fields["ip"]) for r in rows] == [(is_spam, site_row.id, "")]


@pytest.mark.parametrize("hp_value, answer", [("", "false"), ("http://spam.example", "true")])
def test_wordpresss_ak_hp_honeypot_is_read_without_a_field_name(client, site, hp_value, answer):
    _, key = site
    # WordPress's plugin forwards every posted field as POST_<name>, its honeypot included.
    form = {
        "api_key": key,
        "blog": BLOG,
        "user_ip": "203.0.113.31",
        **COMMENT,
        "POST_ak_js": "1764640000000",
        "POST_ak_hp_textarea": hp_value,
    }
    assert client.post("/1.1/comment-check", data=form).text == answer


@pytest.mark.parametrize(
    "host", ["{key}.akismet.test", "{key}.localhost:8080", "{KEY}.rest.moderation.example.org"]
)
def test_the_key_is_read_from_the_hosts_leftmost_label(client, site, db, host):
    site_row, key = site
    name = host.format(key=key, KEY=key.upper())
    form = {"blog": BLOG, "user_ip": "203.0.113.32", **COMMENT}
    assert client.post("/1.1/comment-check", data=form, headers={"Host": name}).text == "false"
    assert (
        client.post("/1.1/submit-spam", data=form, headers={"Host": name}).text
        == "Thanks for making the web a better place."
    )
    assert db.session.scalars(select(SpamFeedback.site_id)).all() == [site_row.id]


@pytest.mark.parametrize(
    "host",
    [
        "akismet.test",
        "000000000000.akismet.test",
        "localhost",
        "0123456789ab",
        "zzzzzzzzzzzz.akismet.test",
    ],
)
def test_a_host_without_a_live_key_is_refused(client, site, host):
    response = client.post(
        "/1.1/comment-check",
        data={"blog": BLOG, "user_ip": "203.0.113.33", **COMMENT},
        headers={"Host": host},
    )
    assert response.text == "invalid"
    assert response.headers["X-akismet-debug-help"] in ('Empty "api_key" value', "Invalid key")


def test_wordpresss_settings_page_calls_describe_a_healthy_account(client, site):
    site_row, key = site
    form = {"key": key, "blog": BLOG}
    for _ in range(3):
        client.post(
            "/1.1/comment-check",
            data={"api_key": key, "blog": BLOG, "user_ip": "203.0.113.34", **COMMENT},
        )
    client.post(
        "/1.1/comment-check",
        data={
            "api_key": key,
            "blog": BLOG,
            **COMMENT,
            "user_ip": "203.0.113.35",
            "POST_ak_hp_textarea": "x",
        },
    )
    client.post("/1.1/submit-ham", data={"api_key": key, "blog": BLOG, **COMMENT})
    subscription = client.post("/1.1/get-subscription", data=form)
    assert subscription.get_json() | {"account_name": None} == {
        "account_id": site_row.id,
        "account_name": None,
        "account_type": "self-hosted",
        "status": "active",
        "next_billing_date": None,
        "limit_reached": False,
    }
    for span in ("6-months", "all"):
        stats = client.post("/1.1/get-stats", data={**form, "from": span}).get_json()
        assert stats == {
            "spam": 1,
            "ham": 3,
            "missed_spam": 0,
            "false_positives": 1,
            "accuracy": 75.0,
            "time_saved": 6,
        }
    wpcom = client.post(
        "/1.1/verify-wpcom-key", data={"api_key": key, "user_id": "7", "get_account_type": "true"}
    ).get_json()
    assert (wpcom["status"], wpcom["api_key"]) == ("active", key)
    assert client.post("/1.1/deactivate", data=form).text == "deactivated"
    assert client.get("/1.1/test").text == "connected"
    assert client.post("/1.1/verify-key", data=form).text == "valid"  # deactivate revokes nothing


@pytest.mark.parametrize(
    "path", ["get-subscription", "get-stats", "deactivate", "verify-wpcom-key"]
)
def test_account_calls_with_a_wrong_key_answer_invalid(client, site, path):
    response = client.post(
        f"/1.1/{path}", data={"key": "000000000000", "blog": BLOG, "api_key": "000000000000"}
    )
    assert response.text == "invalid"


def test_the_python_client_reads_key_sites_and_usage_limit_from_the_services_figures(server, site):
    _, key = site
    client = client_for(server, key)
    assert client.comment_check("203.0.113.36", **COMMENT) == akismet.CheckResponse.HAM
    assert client.submit_spam("203.0.113.36", **COMMENT)
    usage = client.usage_limit()
    assert usage == {"limit": None, "usage": 2, "percentage": "0.00", "throttled": False}
    sites = client.key_sites()
    month = next(k for k in sites if k not in ("limit", "offset", "total"))
    assert sites[month] == [
        {
            "site": "news.example",
            "api_calls": "2",
            "spam": "0",
            "ham": "1",
            "missed_spam": "1",
            "false_positives": "0",
            "is_revoked": False,
        }
    ]
    assert (sites["limit"], sites["offset"], sites["total"]) == (500, 0, 1)
    csv_text = client.key_sites(result_format="csv")
    assert csv_text.splitlines()[1:] == [
        "Site,Total API Calls,Spam,Ham,Missed Spam,False Positives,Is Revoked",
        "news.example,2,0,1,1,0,false",
    ]
    assert client.key_sites(url_filter="elsewhere")[month] == []


@pytest.mark.parametrize(
    "fields",
    [
        {"comment_author": "viagra-test-123"},
        {"comment_author_email": "akismet-guaranteed-spam@example.com"},
    ],
)
def test_akismets_documented_test_values_are_spam(client, site, fields):
    _, key = site
    form = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.10", **COMMENT, **fields}
    answer = client.post("/1.1/comment-check", data=form)
    assert answer.get_data(as_text=True) == "true" and answer.headers["X-akismet-guid"]


@pytest.mark.parametrize("path", FORM_ENDPOINTS)
def test_a_user_ip_that_is_no_address_is_refused(client, db, site, path):
    _, key = site
    form = {"api_key": key, "blog": BLOG, **COMMENT, "user_ip": "not-an-ip"}
    answer = client.post(f"/1.1/{path}", data=form)
    assert answer.get_data(as_text=True) == "Invalid field: user_ip."
    assert "not an IP address" in answer.headers["X-akismet-debug-help"]
    assert db.session.scalar(select(SpamFeedback.id)) is None


@pytest.mark.parametrize("path", ["submit-spam", "submit-ham"])
def test_a_submission_without_content_says_so_and_stores_nothing(client, db, site, path):
    _, key = site
    form = {
        "api_key": key,
        "blog": BLOG,
        "user_ip": "203.0.113.10",
        **COMMENT,
        "comment_content": "  ",
    }
    answer = client.post(f"/1.1/{path}", data=form)
    assert answer.get_data(as_text=True) == "Missing required field: comment_content."
    assert db.session.scalar(select(SpamFeedback.id)) is None
