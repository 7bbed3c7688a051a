"""Perspective calls as real clients make them: Coral's request, browser pages (CORS, keys
restricted to origins), Google's JSON booleans, detectedLanguages, and score timeouts counted.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest

from service import queue
from service.config import DEFAULTS
from service.models import ApiKey, ScoreFeedback
from service.queue import SCORE_TASK
from tests.conftest import REDIS_URL
from tests.support.live_server import live_server

MODCTL = str(Path(sys.executable).parent / "modctl")

ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
SITE = "https://news.example"
TOXIC = "You are an idiot and a moron, this is stupid crap."
# Coral gives the Perspective call 800 ms (Talk 4: 300 ms) and publishes on any error.
CORAL_TIMEOUT_S = 0.8


@pytest.fixture
def site_key(make):
    """A site, an admin token and a server key (id, plaintext)."""
    site, _ = make.site(origins=(SITE, "https://www.news.example"))
    key = make.server_key(site.id)
    return site, key


@pytest.fixture
def broker_down(monkeypatch):
    """Past parsing and the key check, every analyze call meets a down queue: 503."""
    down = queue.BrokerBreaker()
    down.failed()
    monkeypatch.setattr(queue, "breaker", down)


def coral_request(text: str, locale: str, do_not_store, model: str = "TOXICITY") -> dict:
    """The body Coral's toxic-comment phase sends (languages from the tenant's locale)."""
    return {
        "comment": {"text": text},
        "languages": [locale.split("-")[0]],
        "doNotStore": do_not_store,
        "requestedAttributes": {model: {}},
    }


@pytest.mark.parametrize("do_not_store", [True, "true"], ids=["coral-5", "talk-4-string"])
def test_coral_shaped_calls_are_scored_within_corals_timeout(
    app, make, worker, site_key, do_not_store
):
    _, key = site_key
    # The service gives up (503) before Coral does, so Coral never waits on a dead call.
    assert DEFAULTS["SCORE_TIMEOUT_S"] < CORAL_TIMEOUT_S
    with live_server(app) as url:
        response = httpx.post(
            f"{url}{ANALYZE}?key={key}",
            timeout=30,
            json=coral_request(TOXIC, "en-US", do_not_store),
            headers={"Content-Type": "application/json"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    # What Coral reads: attributeScores[model].summaryScore.value, against its threshold.
    score = body["attributeScores"]["TOXICITY"]["summaryScore"]["value"]
    assert 0.0 <= score <= 1.0 and body["languages"] == ["en"]


@pytest.mark.parametrize(
    "value, accepted",
    [
        (True, True),
        (False, True),
        ("true", True),
        ("false", True),
        (None, True),
        ("True", False),
        ("yes", False),
        (1, False),
        ("1", False),
        ([], False),
    ],
)
@pytest.mark.parametrize("field", ["doNotStore", "spanAnnotations", "dropUnsupportedAttributes"])
def test_booleans_are_read_as_googles_json_parser_reads_them(
    client, site_key, broker_down, field, value, accepted
):
    _, key = site_key
    body = {"comment": {"text": TOXIC}, "requestedAttributes": {"TOXICITY": {}}, field: value}
    response = client.post(f"{ANALYZE}?key={key}", json=body)
    if accepted:
        assert response.status_code == 503  # parsed, and on to the (down) queue
    else:
        assert response.status_code == 400
        error = response.get_json()["error"]
        assert error["status"] == "INVALID_ARGUMENT"
        assert error["message"].startswith("Invalid value at '")
        assert "(TYPE_BOOL)" in error["message"]


@pytest.mark.parametrize(
    "text, language",
    [
        ("Thanks for the article, I agree with the point about the city council vote.", "en"),
        ("Merci pour cet article, je suis d'accord avec le conseil municipal sur ce vote.", "fr"),
        ("ok", "und"),
    ],
)
def test_suggestscore_names_the_detected_language(client, site_key, db, text, language):
    _, key = site_key
    body = {
        "comment": {"text": text},
        "languages": ["en"],
        "clientToken": "t-1",
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
    }
    response = client.post(f"{SUGGEST}?key={key}", json=body)
    assert response.status_code == 200
    assert response.get_json() == {
        "clientToken": "t-1",
        "detectedLanguages": [language],
        "requestedLanguages": ["en"],
    }
    assert db.session.query(ScoreFeedback).count() == 1


def test_a_server_key_is_refused_from_the_browser_until_an_admin_lists_the_origin(
    client, make, db, site_key, broker_down
):
    site, key = site_key
    admin = make.token("admin")
    key_row = db.session.query(ApiKey).filter(ApiKey.role == "server").one()
    browser = {"Origin": SITE}
    body = {"comment": {"text": TOXIC}, "requestedAttributes": {"TOXICITY": {}}}

    refused = client.post(f"{ANALYZE}?key={key}", json=body, headers=browser)
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert error["message"] == f"Requests from referer {SITE} are blocked."
    assert error["details"][0]["reason"] == "API_KEY_HTTP_REFERRER_BLOCKED"
    assert refused.headers["Access-Control-Allow-Origin"] == SITE  # the page can read why

    patched = client.patch(
        f"/v1/admin/keys/{key_row.id}",
        json={"browser_origins": [SITE]},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert patched.status_code == 200 and patched.get_json()["browser_origins"] == [SITE]
    allowed = client.post(f"{ANALYZE}?key={key}", json=body, headers=browser)
    assert allowed.status_code == 503  # past the key check, on to the (down) queue
    assert allowed.headers["Access-Control-Allow-Origin"] == SITE
    assert "Origin" in allowed.headers["Vary"]
    # Another of the site's origins is still refused: the key lists origins one by one.
    other = client.post(
        f"{ANALYZE}?key={key}", json=body, headers={"Origin": "https://www.news.example"}
    )
    assert other.status_code == 403
    # Server-to-server calls send no Origin and are unaffected.
    assert client.post(f"{ANALYZE}?key={key}", json=body).status_code == 503


@pytest.mark.parametrize("path", [ANALYZE, SUGGEST])
def test_a_preflight_is_answered_for_the_browser(client, path):
    response = client.options(
        f"{path}?key=0123456789ab",
        headers={
            "Origin": SITE,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == SITE
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]


@pytest.mark.parametrize(
    "origins, problem",
    [
        (
            ["https://elsewhere.example"],
            "https://elsewhere.example is not one of the site's origins.",
        ),
        (["news.example"], "'news.example' is not an origin (scheme://host[:port])."),
    ],
)
def test_browser_origins_must_be_the_sites_own(client, make, site_key, origins, problem):
    site, _ = site_key
    admin = make.token("admin")
    response = client.post(
        f"/v1/admin/sites/{site.id}/server-keys",
        json={"name": "coral-browser", "browser_origins": origins},
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"]["json"]["browser_origins"] == [problem]


def test_modctl_creates_and_changes_a_browser_usable_key(tmp_path):
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "REDIS_URL": REDIS_URL,
    }

    def modctl(*args):
        return subprocess.run([MODCTL, *args], env=env, capture_output=True, text=True, timeout=120)

    assert modctl("migrate").returncode == 0
    site = json.loads(modctl("site", "create", "--name", "News", "--origin", SITE).stdout)
    created = modctl(
        "key", "create", "--site", str(site["site_id"]), "--browser-origin", f"{SITE}/path"
    )
    out = json.loads(created.stdout)
    assert out["browser_origins"] == [SITE] and len(out["server_key"]) == 12
    cleared = json.loads(modctl("key", "browser", str(out["key_id"])).stdout)
    assert cleared["browser_origins"] is None
    refused = modctl(
        "key", "browser", str(out["key_id"]), "--browser-origin", "https://elsewhere.example"
    )
    assert refused.returncode != 0 and "not one of the site's origins" in refused.stderr


def test_score_timeouts_are_counted_in_readyz_and_the_metrics(app, client, site_key, monkeypatch):
    _, key = site_key
    monkeypatch.setitem(queue.TASK_QUEUES, SCORE_TASK, f"score-unconsumed-{uuid.uuid4().hex[:8]}")
    monkeypatch.setitem(app.config, "SCORE_TIMEOUT_S", 0.2)
    monkeypatch.setitem(app.config, "READY_CACHE_S", 0)  # each answer from its own checks
    before = client.get("/readyz").get_json()["score_timeouts"]
    assert before == {"timeout_s": 0.2, "total": 0, "last_two_hours": 0}
    body = {"comment": {"text": TOXIC}, "requestedAttributes": {"TOXICITY": {}}}
    for _ in range(2):
        assert client.post(f"{ANALYZE}?key={key}", json=body).status_code == 503
    after = client.get("/readyz").get_json()["score_timeouts"]
    assert after == {"timeout_s": 0.2, "total": 2, "last_two_hours": 2}
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "moderation_perspective_score_timeouts_total" in metrics
