"""The Akismet-compatible API, driven by the real `akismet` client library over loopback.

The client posts to https://rest.akismet.com; an httpx request hook (the one
docs/migrating.md gives users) sends its requests to the app served on a loopback port.
"""

import akismet
import httpx
import pytest
from sqlalchemy import select

from service.auth import find_server_key
from service.models import SpamFeedback, SpamModelState
from tests.conftest import wait_until
from tests.support.live_server import live_server
from workers import pipeline
from workers.classifiers.spam import SpamModel

BLOG = "https://news.example"
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
COMMENT = {
    "user_agent": USER_AGENT, "referrer": f"{BLOG}/2026/11/council-vote/",
    "permalink": f"{BLOG}/2026/11/council-vote/", "comment_type": "comment",
    "comment_author": "Ann Reader", "comment_author_email": "ann@mail.example",
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
    monkeypatch.setattr(pipeline, "_spam_models", {})


@pytest.fixture
def site(make):
    """A site and its secret server key, the Akismet API key."""
    site_row, _ = make.site(origins=(BLOG,))
    return site_row, make.server_key(site_row.id)


def self_hosted(service_url: str) -> httpx.Client:
    """An httpx client for akismet.SyncClient that reaches service_url (docs/migrating.md)."""
    service = httpx.URL(service_url)

    def to_service(request: httpx.Request) -> None:
        request.url = request.url.copy_with(
            scheme=service.scheme, host=service.host, port=service.port,
            path=service.path.rstrip("/") + request.url.path)
        request.headers["Host"] = service.netloc.decode()

    return httpx.Client(headers={"User-Agent": akismet.USER_AGENT}, timeout=10.0,
                        event_hooks={"request": [to_service]})


def client_for(server: str, key: str, blog: str = BLOG) -> akismet.SyncClient:
    return akismet.SyncClient(config=akismet.Config(key=key, url=blog),
                              http_client=self_hosted(server))


def set_settings(db, site, **settings):
    site.settings = {**(site.settings or {}), **settings}
    db.session.commit()


def test_the_real_client_verifies_a_site_key_for_one_of_its_origins(server, site, make):
    _, key = site
    checked = akismet.SyncClient.validated_client(
        config=akismet.Config(key=key, url=BLOG), http_client=self_hosted(server))
    assert checked.verify_key(key, f"{BLOG}/") is True
    assert checked.verify_key(key, "https://elsewhere.example") is False
    assert checked.verify_key("pk_000000000000_nope", BLOG) is False
    assert checked.verify_key(make.token(), BLOG) is False  # a moderator token is no site key
    with pytest.raises(akismet.APIKeyError):
        akismet.SyncClient.validated_client(config=akismet.Config(key="wrong", url=BLOG),
                                            http_client=self_hosted(server))


def test_an_ordinary_comment_is_ham_and_below_the_discard_threshold_it_is_discarded(
        server, site, db):
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
    assert client.comment_check("203.0.113.9", user_role="administrator",
                                **comment) == akismet.CheckResponse.HAM


def test_a_filled_honeypot_named_by_the_caller_is_spam(server, site):
    _, key = site
    form = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.10", **COMMENT,
            "honeypot_field_name": "hidden_url"}
    with self_hosted(server) as http:
        empty = http.post("https://rest.akismet.com/1.1/comment-check",
                          data={**form, "hidden_url": ""})
        filled = http.post("https://rest.akismet.com/1.1/comment-check",
                           data={**form, "hidden_url": "http://spam.example"})
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
    db.session.add(SpamModelState(site_id=site_row.id, state=model.to_bytes(),
                                  examples=model.examples))
    db.session.commit()
    assert client.comment_check("203.0.113.11", **pitch) in (akismet.CheckResponse.SPAM,
                                                             akismet.CheckResponse.DISCARD)
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
        (False, f"akismet:{key_id}", COMMENT["comment_content"], site_row.id)]

    def learned():
        db.session.expire_all()
        state = db.session.get(SpamModelState, site_row.id)
        return state is not None and state.examples == 2
    wait_until(learned)


def test_a_test_submission_or_an_empty_one_teaches_nothing(server, site, db):
    _, key = site
    client = client_for(server, key)
    assert client.submit_spam("203.0.113.15", is_test=True, **COMMENT)
    assert client.submit_spam("203.0.113.15", **{**COMMENT, "comment_content": "  "})
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
    ({"blog": "https://elsewhere.example"}, "invalid",
     "The blog https://elsewhere.example is not one of this key's site origins"),
    ({"user_ip": ""}, "Missing required field: user_ip.", 'Empty "user_ip" value'),
]


@pytest.mark.parametrize("endpoint", FORM_ENDPOINTS)
@pytest.mark.parametrize("change, body, debug_help", REFUSALS)
def test_refused_calls_answer_like_akismet(client, make, site, db, endpoint, change, body,
                                           debug_help):
    _, key = site
    form = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.17", **COMMENT, **change}
    if form["api_key"] == "MODERATOR":
        form["api_key"] = make.token()
    response = client.post(f"/1.1/{endpoint}", data=form)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == body
    assert response.headers["X-akismet-debug-help"] == debug_help
    assert db.session.scalars(select(SpamFeedback)).all() == []


@pytest.mark.parametrize("change, debug_help", [
    (change, debug_help) for change, _, debug_help in REFUSALS if "user_ip" not in change])
def test_verify_key_refuses_with_a_reason(client, make, site, change, debug_help):
    _, key = site
    form = {"key": key, "blog": BLOG}
    if "api_key" in change:
        form["key"] = make.token() if change["api_key"] == "MODERATOR" else change["api_key"]
    form.update({k: v for k, v in change.items() if k != "api_key"})
    response = client.post("/1.1/verify-key", data=form)
    assert response.get_data(as_text=True) == "invalid"
    assert response.headers["X-akismet-debug-help"] == debug_help


def test_a_wordpress_sized_comment_is_checked_and_an_oversized_form_is_413(client, site):
    _, key = site
    # WordPress allows 65525 characters; percent-encoded UTF-8 that is ~590 KB of form.
    longest = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.18",
               "comment_content": "é" * 65525}
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


@pytest.mark.parametrize("field, cap", [
    ("comment_author", 245), ("comment_author_email", 100), ("comment_author_url", 200),
    ("comment_content", 65525)])
@pytest.mark.parametrize("path", FORM_ENDPOINTS)
def test_fields_get_wordpresss_caps_and_a_clear_answer_beyond(client, db, site, path, field,
                                                              cap):
    _, key = site
    form = {"api_key": key, "blog": BLOG, "user_ip": "203.0.113.10", **COMMENT}
    at_cap = client.post(f"/1.1/{path}", data={**form, field: "x" * cap})
    assert at_cap.get_data(as_text=True) in ("true", "false", "Thanks for making the web a "
                                                              "better place.")
    over = client.post(f"/1.1/{path}", data={**form, field: "x" * (cap + 1)})
    assert over.status_code == 200 and over.get_data(as_text=True) == f"Field too long: {field}."
    assert f"at most {cap}" in over.headers["X-akismet-debug-help"]
    stored = db.session.scalars(select(SpamFeedback)).all()
    assert all(len(f.text) <= 65525 for f in stored)
    assert len(stored) == (1 if path != "comment-check" else 0)
