"""The Perspective-compatible API: Google's request, response and error JSON, scored by workers.

The client-library tests drive the real `perspective` PyPI client against the app served on
loopback; scoring goes through the session's real Celery worker and its tiny Detoxify model
(the six "original" labels, English only).
"""

import base64
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import threading
import urllib.error
import urllib.request
import uuid
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import pytest
import redis
from perspective import PerspectiveAPI
from sqlalchemy import select

from service import queue, score_waits
from service.api.common import encode_cursor
from service.api.perspective import capabilities, scoring, views
from service.api.perspective.attributes import ATTRIBUTES
from service.auth import find_server_key
from service.cli import server_command
from service.extensions import celery
from service.models import ScoreFeedback
from service.queue import SCORE_TASK
from service.worker_status import publish
from tests.conftest import REDIS_URL, wait_until
from tests.support import die_with_parent
from tests.support.live_server import live_server

ROOT = Path(__file__).resolve().parent.parent
ANALYZE = "/v1alpha1/comments:analyze"
SUGGEST = "/v1alpha1/comments:suggestscore"
ORIGINAL = ["TOXICITY", "SEVERE_TOXICITY", "IDENTITY_ATTACK", "INSULT", "PROFANITY", "THREAT"]
TOXIC = "You are an idiot and a moron, this is stupid crap."
FRIENDLY = "Thanks for the article, I agree with the point about the city council vote."


@pytest.fixture(scope="module")
def server(app):
    with live_server(app) as url:
        yield url


@pytest.fixture(autouse=True)
def fresh_capabilities():
    """Forget what workers published: each test decides what the API may know beforehand."""
    capabilities._published.update(url=None, value=None)
    yield
    capabilities._published.update(url=None, value=None)


@pytest.fixture
def key(make):
    """A site's secret server key, the Perspective API key."""
    site_row, _ = make.site(origins=("https://news.example",))
    return make.server_key(site_row.id)


@pytest.fixture
def perspective(server, key):
    client = PerspectiveAPI(key)
    client.api_client.url = f"{server}/v1alpha1/{{endpoint}}"  # the one setting to change
    return client


def raw_scores(text: str, languages=()) -> dict:
    """Score text with the worker's task directly, bypassing the API's mapping."""
    return celery.send_task(SCORE_TASK, args=[text, list(languages)], queue="score").get(timeout=30)


def google_error(exc: urllib.error.HTTPError) -> dict:
    assert exc.headers["Content-Type"].startswith("application/json")
    return json.loads(exc.read())["error"]


def analyze(client, key, body, **headers):
    return client.post(f"{ANALYZE}?key={key}", json=body, headers=headers)


def test_the_perspective_client_gets_each_attribute_from_its_detoxify_label(perspective, worker):
    result = perspective.analyze_comment(
        TOXIC, requested_attributes={name: {} for name in ORIGINAL}, client_token="req-1"
    )
    raw = raw_scores(TOXIC)
    scores = result["attributeScores"]
    assert set(scores) == set(ORIGINAL)
    for name in ORIGINAL:
        label = ATTRIBUTES[name]
        assert scores[name]["summaryScore"] == {
            "value": raw["scores"][label],
            "type": "PROBABILITY",
        }
        assert "spanScores" not in scores[name]
    assert scores["PROFANITY"]["summaryScore"]["value"] == raw["scores"]["obscene"]
    assert result["languages"] == ["en"] and result["detectedLanguages"] == ["en"]
    assert result["clientToken"] == "req-1"
    # The scores come from a model, not a constant: the insult outscores the thanks.
    friendly = perspective.score(FRIENDLY, tests=["INSULT"])
    assert friendly["INSULT"] < scores["INSULT"]["summaryScore"]["value"]


def test_span_annotations_give_each_sentence_in_utf16_offsets(perspective, worker):
    text = "Great read 😀 thanks for it. You are an idiot and a moron!"
    result = perspective.analyze_comment(
        text, requested_attributes={"INSULT": {}}, span_annotations=True, languages=["en"]
    )
    raw = raw_scores(text, ["en"])
    assert len(raw["spans"]) == 2  # two sentences, the second after a non-BMP character
    spans = result["attributeScores"]["INSULT"]["spanScores"]
    utf16 = text.encode("utf-16-le")
    for span, expected in zip(spans, raw["spans"], strict=True):
        # JavaScript clients slice with UTF-16 offsets: they must land on the same sentence.
        assert (
            utf16[2 * span["begin"] : 2 * span["end"]].decode("utf-16-le")
            == text[expected["begin"] : expected["end"]]
        )
        assert span["score"] == {"value": expected["scores"]["insult"], "type": "PROBABILITY"}
    assert spans[1]["begin"] == raw["spans"][1]["begin"] + 1  # the emoji is two UTF-16 units

    one = perspective.analyze_comment(
        TOXIC, requested_attributes={"INSULT": {}}, span_annotations=True
    )
    summary = one["attributeScores"]["INSULT"]["summaryScore"]["value"]
    assert one["attributeScores"]["INSULT"]["spanScores"] == [
        {"begin": 0, "end": len(TOXIC), "score": {"value": summary, "type": "PROBABILITY"}}
    ]


def test_score_threshold_leaves_out_the_attributes_below_it(perspective, worker):
    everything = perspective.analyze_comment(TOXIC, requested_attributes={n: {} for n in ORIGINAL})
    values = {n: s["summaryScore"]["value"] for n, s in everything["attributeScores"].items()}
    top = max(values, key=values.get)
    low = min(values, key=values.get)
    assert values[low] < values[top]
    result = perspective.analyze_comment(
        TOXIC,
        requested_attributes={
            top: {"scoreThreshold": float(values[top])},  # at the threshold: kept
            low: {"scoreThreshold": float(values[top])},  # below it: left out
        },
    )
    assert set(result["attributeScores"]) == {top}
    nothing = perspective.analyze_comment(
        TOXIC, requested_attributes={low: {"scoreThreshold": float(values[top])}}
    )
    assert "attributeScores" not in nothing and nothing["languages"] == ["en"]


def test_an_attribute_the_models_labels_lack_is_a_google_400(perspective, worker, monkeypatch):
    # the worker's answer decides
    monkeypatch.setattr(views, "published_capabilities", lambda: None)
    with pytest.raises(urllib.error.HTTPError) as raised:
        perspective.analyze_comment(TOXIC, requested_attributes={"SEXUALLY_EXPLICIT": {}})
    assert raised.value.code == 400
    error = google_error(raised.value)
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"].startswith(
        "Attribute SEXUALLY_EXPLICIT is not supported by the active model (detoxify-checkpoint)"
    )
    assert "TOXICITY" in error["message"]


def test_drop_unsupported_attributes_scores_the_rest(client, key, worker):
    response = analyze(
        client,
        key,
        {
            "comment": {"text": TOXIC},
            "dropUnsupportedAttributes": True,
            "requestedAttributes": {"TOXICITY": {}, "SEXUALLY_EXPLICIT": {}},
        },
    )
    assert response.status_code == 200
    assert set(response.get_json()["attributeScores"]) == {"TOXICITY"}


def test_a_language_the_model_does_not_support_is_a_google_400(perspective, worker):
    with pytest.raises(urllib.error.HTTPError) as raised:
        perspective.analyze_comment(FRIENDLY, languages=["tr"])
    error = google_error(raised.value)
    assert raised.value.code == 400 and error["status"] == "INVALID_ARGUMENT"
    assert error["message"] == "Attribute TOXICITY does not support request languages: tr"


def test_a_detected_language_is_checked_unless_the_client_names_one(perspective, worker):
    french = (
        "Bonjour à tous, je pense que cet article est vraiment intéressant et très bien "
        "écrit, merci beaucoup pour votre travail."
    )
    with pytest.raises(urllib.error.HTTPError) as raised:
        perspective.analyze_comment(french)
    assert (
        google_error(raised.value)["message"]
        == "Attribute TOXICITY does not support request languages: fr"
    )
    # The client vouches for the language, as Google lets it: scored, detection still reported.
    vouched = perspective.analyze_comment(french, languages=["en"])
    assert vouched["languages"] == ["en"] and vouched["detectedLanguages"] == ["fr"]
    assert 0.0 <= vouched["attributeScores"]["TOXICITY"]["summaryScore"]["value"] <= 1.0


def test_what_workers_published_answers_400_before_anything_is_queued(
    client, key, app, monkeypatch
):
    publish(
        REDIS_URL,
        "test-worker",
        {
            "name": "detoxify-original",
            "version": "1",
            "labels": ["toxicity", "insult"],
            "languages": ["en"],
            "offline_fallback": False,
        },
    )
    sent = []
    monkeypatch.setattr(queue, "send", lambda *args, **kwargs: sent.append(args) or False)
    threat = analyze(
        client, key, {"comment": {"text": TOXIC}, "requestedAttributes": {"THREAT": {}}}
    )
    german = analyze(
        client,
        key,
        {"comment": {"text": TOXIC}, "languages": ["de"], "requestedAttributes": {"TOXICITY": {}}},
    )
    assert threat.status_code == 400 and german.status_code == 400
    assert (
        "THREAT is not supported by the active model (detoxify-original)"
        in threat.get_json()["error"]["message"]
    )
    assert (
        german.get_json()["error"]["message"]
        == "Attribute TOXICITY does not support request languages: de"
    )
    assert sent == []  # refused without costing a model run
    # What the published model can score goes on to the queue (here: "down", so 503).
    queued = analyze(
        client,
        key,
        {"comment": {"text": TOXIC}, "languages": ["en-US"], "requestedAttributes": {"INSULT": {}}},
    )
    assert queued.status_code == 503 and len(sent) == 1


@pytest.mark.timeout(10)  # a hang fails here, not at the suite's 300 s
def test_no_worker_answering_is_a_503_with_retry_after_never_a_hang(perspective, app, monkeypatch):
    # A queue no worker consumes: the session worker (if running) cannot answer it.
    monkeypatch.setitem(queue.TASK_QUEUES, SCORE_TASK, f"score-unconsumed-{uuid.uuid4().hex[:8]}")
    monkeypatch.setitem(app.config, "SCORE_TIMEOUT_S", 0.3)
    with pytest.raises(urllib.error.HTTPError) as raised:
        perspective.analyze_comment(TOXIC)
    assert raised.value.code == 503 and raised.value.headers["Retry-After"] == "1"
    error = google_error(raised.value)
    assert error["status"] == "UNAVAILABLE" and "0.3 s" in error["message"]


def test_a_task_that_fails_on_the_worker_is_a_google_500(client, key, worker, monkeypatch):
    # A worker that lacks the task (say, an older version) answers with NotRegistered.
    missing = "workers.score_text_from_the_future"
    monkeypatch.setattr(scoring, "SCORE_TASK", missing)
    monkeypatch.setitem(queue.TASK_QUEUES, missing, "score")
    response = analyze(
        client,
        key,
        {"comment": {"text": "Hello there, all."}, "requestedAttributes": {"TOXICITY": {}}},
    )
    assert response.status_code == 500
    assert response.get_json()["error"] == {
        "code": 500,
        "status": "INTERNAL",
        "message": "Internal error encountered.",
    }


def test_a_broker_that_is_down_is_a_503_with_retry_after(client, key, monkeypatch):
    down = queue.BrokerBreaker(pause_s=5)
    down.failed()
    monkeypatch.setattr(queue, "breaker", down)
    response = analyze(
        client, key, {"comment": {"text": TOXIC}, "requestedAttributes": {"TOXICITY": {}}}
    )
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == {
        "code": 503,
        "status": "UNAVAILABLE",
        "message": "The scoring queue is unavailable; try again shortly.",
    }


def everything_in_redis(client: redis.Redis) -> str:
    """Every key and value in the Redis database, as one string to search."""
    parts = []
    read = {
        "string": client.get,
        "hash": client.hgetall,
        "set": client.smembers,
        "list": lambda name: client.lrange(name, 0, -1),
        "zset": lambda name: client.zrange(name, 0, -1),
    }
    for name in client.scan_iter(count=1000):
        kind = client.type(name).decode()
        parts.append(f"{name!r}={read[kind](name) if kind in read else b''!r}")
    return "\n".join(parts)


def everything_in_the_database(db) -> str:
    with db.engine.connect() as connection:
        return "\n".join(
            repr(connection.execute(select(table)).all()) for table in db.metadata.sorted_tables
        )


def test_do_not_store_leaves_no_trace_in_database_logs_or_redis(
    perspective, app, db, worker, caplog, monkeypatch
):
    monkeypatch.setitem(app.config, "LOG_TEXT", True)  # even with text logging on for debugging
    caplog.set_level(logging.DEBUG)
    stored, logged, sent_plain, secret = (
        f"Marker{uuid.uuid4().hex} said hi. You idiot!" for _ in range(4)
    )
    worker_log = worker.log_path
    scored_before = worker_log.read_text().count("workers.score_text[")

    # Controls: the same searches do find a text that is stored, or logged.
    perspective.suggest_score(stored, {"TOXICITY": {"summaryScore": {"value": 0.9}}})
    perspective.analyze_comment(logged)
    raw_scores(sent_plain)  # sent without the API's argsrepr: Celery logs the text
    assert stored.split()[0] in everything_in_the_database(db)
    assert any(logged.split()[0] in repr(vars(record)) for record in caplog.records)
    assert sent_plain.split()[0] in worker_log.read_text()

    result = perspective.analyze_comment(
        secret, requested_attributes={"INSULT": {}}, span_annotations=True, do_not_store=True
    )
    assert result["attributeScores"]["INSULT"]["spanScores"]
    marker = secret.split()[0]
    assert marker not in everything_in_the_database(db)
    assert marker not in caplog.text
    assert all(marker not in repr(vars(record)) for record in caplog.records)
    analyzed = [r for r in caplog.records if r.getMessage() == "perspective.analyzed"]
    assert analyzed[-1].do_not_store is True and analyzed[-1].text_chars == len(secret)
    # The worker logs each task it receives and its result, at INFO: wait for both lines.
    wait_until(lambda: worker_log.read_text().count("workers.score_text[") >= scored_before + 6)
    assert marker not in worker_log.read_text()
    assert marker not in everything_in_redis(redis.Redis.from_url(REDIS_URL))


def test_suggested_scores_are_stored_and_answered_as_google_does(perspective, db):
    text = "I guess it comes down to a simple choice: get busy living or get busy dying."
    answer = perspective.suggest_score(
        text,
        {
            "TOXICITY": {"summaryScore": {"value": 0.0}},
            "INSULT": {"spanScores": [{"begin": 0, "end": 8, "score": {"value": 0.1}}]},
        },
        languages=["en"],
        client_token="comment-53922",
        community_id="/forum/movies",
    )
    assert answer == {
        "clientToken": "comment-53922",
        "detectedLanguages": ["en"],
        "requestedLanguages": ["en"],
    }
    feedback = db.session.scalars(select(ScoreFeedback)).one()
    assert feedback.text == text and feedback.languages == ["en"]
    assert feedback.client_token == "comment-53922" and feedback.community_id == "/forum/movies"
    assert feedback.attribute_scores == {
        "TOXICITY": {"summaryScore": {"value": 0.0, "type": "PROBABILITY"}},
        "INSULT": {
            "spanScores": [{"begin": 0, "end": 8, "score": {"value": 0.1, "type": "PROBABILITY"}}]
        },
    }


def test_an_admin_pages_through_the_suggestions_newest_first(client, key, make):
    for decision in ("APPROVED", "REJECTED", "APPROVED"):
        assert (
            client.post(
                f"{SUGGEST}?key={key}",
                json={
                    "comment": {"text": f"A comment Coral's moderators {decision.lower()}."},
                    "attributeScores": {decision: {"summaryScore": {"value": 1}}},
                    "communityId": "Coral:https://news.example",
                },
            ).status_code
            == 200
        )
    site_id = find_server_key(key).site_id
    admin = {"Authorization": f"Bearer {make.token('admin')}"}
    url = f"/v1/admin/sites/{site_id}/score-suggestions"
    first = client.get(f"{url}?limit=2", headers=admin).get_json()
    assert [list(i["attribute_scores"]) for i in first["items"]] == [["APPROVED"], ["REJECTED"]]
    assert first["items"][0]["text"] == "A comment Coral's moderators approved."
    rest = client.get(f"{url}?limit=2&cursor={first['next_cursor']}", headers=admin).get_json()
    assert [i["id"] for i in rest["items"]] == [first["items"][-1]["id"] - 1]
    assert rest["next_cursor"] is None
    # Another endpoint's cursor is refused, as every cursor the service makes.
    thread_cursor = encode_cursor([first["items"][0]["id"]])
    assert client.get(f"{url}?cursor={thread_cursor}", headers=admin).status_code == 400
    # Another site's admin sees none of them.
    other, _ = make.site(name="Other", origins=("https://other.example",))
    scoped = {"Authorization": f"Bearer {make.token('admin', site_id=other.id)}"}
    assert client.get(url, headers=scoped).status_code == 403


def test_a_coral_style_suggestion_with_context_is_stored(client, key, db):
    response = client.post(
        f"{SUGGEST}?key={key}",
        json={
            "comment": {"text": "A comment a moderator approved."},
            "context": {"entries": [{"text": json.dumps({"Coral_comment_id": "c-1"})}]},
            "attributeScores": {"APPROVED": {"summaryScore": {"value": 1}}},
            "languages": ["en"],
            "communityId": "Coral:https://news.example",
            "clientToken": "comment:c-1",
        },
    )
    assert response.status_code == 200 and response.get_json()["clientToken"] == "comment:c-1"
    assert db.session.scalars(select(ScoreFeedback)).one().attribute_scores == {
        "APPROVED": {"summaryScore": {"value": 1.0, "type": "PROBABILITY"}}
    }


@pytest.mark.parametrize(
    "body, message",
    [
        (
            {
                "comment": {"text": "Hi there."},
                "doNotStore": "yes",
                "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
            },
            "Invalid value at 'do_not_store' (TYPE_BOOL)",
        ),
        (
            {"comment": {"text": "Hi there."}, "attributeScores": {}},
            "attribute_scores must not be empty.",
        ),
        ({"comment": {"text": "Hi there."}}, "Missing attribute_scores"),
        (
            {"comment": {"text": "Hi there."}, "attributeScores": {"TOXICITY": {}}},
            "attribute_scores[TOXICITY] must have a summary_score or span_scores.",
        ),
        (
            {
                "comment": {"text": "Hi there."},
                "attributeScores": {"TOXICITY": {"summaryScore": {}}},
            },
            "All Score objects must be explicitly set",
        ),
        (
            {
                "comment": {"text": "Hi there."},
                "attributeScores": {"TOXICITY": {"summaryScore": {"value": 1.5}}},
            },
            "a probability is between 0 and 1",
        ),
        (
            {
                "comment": {"text": "Hi there."},
                "attributeScores": {
                    "TOXICITY": {"spanScores": [{"end": 2, "score": {"value": 0.5}}]}
                },
            },
            "All SpanScore objects must have begin and end fields set",
        ),
        (
            {
                "comment": {"text": "Hi there."},
                "attributeScores": {
                    "TOXICITY": {"spanScores": [{"begin": 0, "end": 99, "score": {"value": 0.5}}]}
                },
            },
            "begin and end must satisfy 0 <= begin <= end <= 9",
        ),
        (
            {
                "comment": {"text": ""},
                "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0}}},
            },
            "Comment must be non-empty.",
        ),
    ],
)
def test_bad_suggestions_are_google_400s_and_store_nothing(client, key, db, body, message):
    response = client.post(f"{SUGGEST}?key={key}", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["status"] == "INVALID_ARGUMENT" and message in error["message"]
    assert db.session.scalars(select(ScoreFeedback)).all() == []


GOOD = {"comment": {"text": "A fine comment."}, "requestedAttributes": {"TOXICITY": {}}}


def changed(**fields):
    body = json.loads(json.dumps(GOOD))
    for path, value in fields.items():
        target, *parts = path.split("__")
        holder = body
        for part in [target, *parts][:-1]:
            holder = holder[part]
        holder[([target, *parts])[-1]] = value
    return body


@pytest.mark.parametrize(
    "body, message",
    [
        ("{not json", "Invalid JSON payload received."),
        ("[1, 2]", "Invalid JSON payload received. Expected an object"),
        ({"requestedAttributes": {"TOXICITY": {}}}, "Comment must be non-empty."),
        (changed(comment={}), "Comment must be non-empty."),
        (changed(comment__text=""), "Comment must be non-empty."),
        (changed(comment__text=5), "Invalid value at 'comment.text' (TYPE_STRING), 5"),
        (changed(comment="text"), "Invalid value at 'comment' ("),
        (
            changed(comment__text="x" * 20481),
            "Comment text was too many bytes. Value (20481) exceeded limit (20480).",
        ),
        (
            changed(comment__text="€" * 6827),  # 6827 characters, but 20481 bytes of UTF-8
            "Comment text was too many bytes. Value (20481) exceeded limit (20480).",
        ),
        (changed(comment__type="HTML"), "Currently, only 'PLAIN_TEXT' comments are supported"),
        (changed(comment__type="XML"), "Invalid value at 'comment.type' (TYPE_ENUM), \"XML\""),
        ({"comment": {"text": "A fine comment."}}, "Missing requested_attributes"),
        (changed(requestedAttributes={}), "Missing requested_attributes"),
        (changed(requestedAttributes=["TOXICITY"]), "Invalid value at 'requested_attributes'"),
        (
            changed(requestedAttributes={"FLIRTATION": {}}),
            "Unknown requested attribute: FLIRTATION",
        ),
        (
            changed(requestedAttributes={"TOXICITY": {"scoreType": "RAW"}}),
            "Requested score type RAW is not supported by attribute TOXICITY",
        ),
        (
            changed(requestedAttributes={"TOXICITY": {"scoreThreshold": "high"}}),
            "Invalid value at 'requested_attributes[TOXICITY].score_threshold' "
            '(TYPE_FLOAT), "high"',
        ),
        (
            changed(requestedAttributes={"TOXICITY": {"scoreThreshold": 1.5}}),
            "a probability threshold is between 0 and 1",
        ),
        (
            changed(requestedAttributes={"TOXICITY": {"threshold": 0.5}}),
            "Unknown name \"threshold\" at 'requested_attributes[TOXICITY]': Cannot find field.",
        ),
        (changed(languages="en"), "Invalid value at 'languages' (TYPE_STRING), \"en\""),
        (changed(languages=["en", 7]), "Invalid value at 'languages[1]' (TYPE_STRING), 7"),
        (changed(languages=[""]), "a language code is empty"),
        (changed(doNotStore="yes"), "Invalid value at 'do_not_store' (TYPE_BOOL), \"yes\""),
        (changed(spanAnnotations=1), "Invalid value at 'span_annotations' (TYPE_BOOL), 1"),
        (changed(clientToken=42), "Invalid value at 'client_token' (TYPE_STRING), 42"),
        (changed(surprise=True), 'Unknown name "surprise": Cannot find field.'),
        (
            changed(context={"entries": [{"text": "a"}], "articleAndParentComment": {}}),
            "Context can have either entries or article_and_parent_comment",
        ),
    ],
)
def test_bad_analyze_requests_are_google_400s(client, key, body, message):
    data = body if isinstance(body, str) else json.dumps(body)
    response = client.post(f"{ANALYZE}?key={key}", data=data, content_type="application/json")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == 400 and error["status"] == "INVALID_ARGUMENT"
    assert message in error["message"]


def test_an_oversized_body_is_a_google_400(client, key):
    body = json.dumps({**GOOD, "context": {"entries": [{"text": "x" * (1024 * 1024)}]}})
    response = client.post(f"{ANALYZE}?key={key}", data=body, content_type="application/json")
    assert response.status_code == 400
    assert "Request payload size exceeds the limit" in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "who, headers, code, status, message",
    [
        ("nobody", {}, 403, "PERMISSION_DENIED", "The request is missing a valid API key."),
        (
            "a wrong key",
            {},
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
        ),
        (
            "a moderator token",
            {},
            400,
            "INVALID_ARGUMENT",
            "API key not valid. Please pass a valid API key.",
        ),
        (
            "the site key",
            {"Origin": "https://elsewhere.example"},
            403,
            "PERMISSION_DENIED",
            "Requests from referer https://elsewhere.example are blocked.",
        ),
        # A sandboxed frame or a file: page is no site's origin.
        (
            "the site key",
            {"Origin": "null"},
            403,
            "PERMISSION_DENIED",
            "Requests from referer null are blocked.",
        ),
    ],
)
def test_keys_are_checked_as_google_checks_them(
    client, make, key, who, headers, code, status, message
):
    plaintext = {
        "nobody": "",
        "a wrong key": "pk_000000000000_nope",
        "a moderator token": make.token(),
        "the site key": key,
    }[who]
    for path in (ANALYZE, SUGGEST):
        response = client.post(f"{path}?key={plaintext}", json=GOOD, headers=headers)
        assert response.status_code == code
        error = response.get_json()["error"]
        assert error == {**error, "code": code, "status": status, "message": message}


def test_the_key_may_come_in_googles_header(client, key, monkeypatch):
    down = queue.BrokerBreaker()
    down.failed()
    monkeypatch.setattr(queue, "breaker", down)
    response = client.post(ANALYZE, json=GOOD, headers={"X-Goog-Api-Key": key})
    assert response.status_code == 503  # past the key check, on to the (down) queue


def test_the_perspective_client_sees_a_bad_key_as_googles_error(server):
    client = PerspectiveAPI("AIza-not-a-site-key")
    client.api_client.url = f"{server}/v1alpha1/{{endpoint}}"
    with pytest.raises(urllib.error.HTTPError) as raised:
        client.score("Hello")
    error = google_error(raised.value)
    assert raised.value.code == 400 and error["details"][0]["reason"] == "API_KEY_INVALID"


def test_the_openapi_document_describes_the_google_routes(client):
    spec = client.get("/openapi.json").get_json()
    analyze_doc = spec["paths"][ANALYZE]["post"]
    assert analyze_doc["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/AnalyzeCommentRequest"
    }
    for code in ("400", "403", "503", "default"):
        assert analyze_doc["responses"][code]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/GoogleError"
        }
    assert {p["name"] for p in analyze_doc["parameters"]} == {"key", "X-Goog-Api-Key"}
    assert SUGGEST in spec["paths"]


def monitor_commands(stop_word: str, seen: list[str]) -> threading.Thread:
    """Record every command the Redis server receives (any client), until stop_word is echoed."""
    client = redis.Redis.from_url(REDIS_URL)
    ready = threading.Event()

    def record():
        with client.monitor() as monitor:
            ready.set()
            for command in monitor.listen():
                seen.append(command["command"])
                if stop_word in command["command"]:
                    return

    thread = threading.Thread(target=record, daemon=True, name="redis-monitor")
    thread.start()
    ready.wait(5)
    client.echo("monitor-started")  # MONITOR is on once this round trip is done
    return thread


def readable(command: str) -> str:
    """The command with its base64 runs decoded too (Celery encodes message bodies so)."""
    decoded = []
    for run in re.findall(r"[A-Za-z0-9+/]{24,}={0,2}", command):
        with suppress(ValueError):
            decoded.append(base64.b64decode(run + "=" * (-len(run) % 4)).decode("utf-8", "replace"))
    return "\n".join([command, *decoded])


def test_do_not_store_text_reaches_redis_only_in_a_publish_which_redis_never_persists(
    perspective, worker
):
    # Redis appends list pushes (a Celery message) to its AOF and snapshots; PUBLISH to neither.
    marker = f"Private{uuid.uuid4().hex}"
    stop, seen = f"stop-{uuid.uuid4().hex}", []
    thread = monitor_commands(stop, seen)
    result = perspective.analyze_comment(
        f"{marker} wrote this. You idiot!", do_not_store=True, requested_attributes={"INSULT": {}}
    )
    redis.Redis.from_url(REDIS_URL).echo(stop)
    thread.join(10)
    assert result["attributeScores"]["INSULT"]["summaryScore"]["value"] >= 0
    carrying = [command for command in seen if marker in readable(command)]
    assert carrying and all(command.split()[0] == "PUBLISH" for command in carrying), carrying


def test_text_sent_without_do_not_store_still_rides_in_the_task_message(perspective, worker):
    # The control: the same watch does see an ordinary text in the queued message.
    marker = f"Public{uuid.uuid4().hex}"
    stop, seen = f"stop-{uuid.uuid4().hex}", []
    thread = monitor_commands(stop, seen)
    perspective.analyze_comment(f"{marker} wrote this.", requested_attributes={"INSULT": {}})
    redis.Redis.from_url(REDIS_URL).echo(stop)
    thread.join(10)
    assert any(command.split()[0] == "LPUSH" for command in seen if marker in readable(command))


def test_redis_keeps_publishes_out_of_its_append_only_file(tmp_path):
    """The premise of the doNotStore hand-over, checked on a real redis-server with AOF on."""
    server = shutil.which("redis-server")
    if server is None:
        pytest.skip("no redis-server binary")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(tmp_path),
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--save",
            "",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(port=port)
        wait_until(lambda: _answers(client), 10)
        client.publish("channel", "published-marker")
        client.lpush("list", "pushed-marker")
        client.save()  # and a snapshot
        written = b"".join(path.read_bytes() for path in tmp_path.rglob("*") if path.is_file())
    finally:
        proc.terminate()
        proc.wait(10)
    assert b"pushed-marker" in written and b"published-marker" not in written


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def test_suggestscore_with_do_not_store_checks_answers_and_stores_nothing(client, key, db, caplog):
    caplog.set_level(logging.INFO)
    marker = f"Private{uuid.uuid4().hex}"
    response = client.post(
        f"{SUGGEST}?key={key}",
        json={
            "comment": {"text": f"{marker} said this."},
            "doNotStore": True,
            "clientToken": "c-9",
            "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
        },
    )
    assert response.status_code == 200 and response.get_json() == {
        "clientToken": "c-9",
        "detectedLanguages": ["und"],
    }
    assert db.session.scalars(select(ScoreFeedback)).all() == []
    assert marker not in everything_in_the_database(db) and marker not in caplog.text


# --- Waiting for a score holds a thread, never the API ----------------------------------------


def key_id(plaintext: str) -> int:
    return find_server_key(plaintext).id


@pytest.fixture
def slots(app):
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(*score_waits.keys(0))
    yield client
    for name in client.scan_iter(score_waits.PREFIX + "*"):
        client.delete(name)


@contextmanager
def held(client, key_id, count=1):
    with ExitStack() as stack:
        for _ in range(count):
            stack.enter_context(score_waits.score_wait(client, key_id, 60, 100, 100))
        yield


def test_a_key_over_its_waiting_cap_gets_a_google_429_with_retry_after(
    client, key, make, app, slots, worker, monkeypatch
):
    monkeypatch.setitem(app.config, "SCORE_MAX_WAITS_PER_KEY", 2)
    monkeypatch.setitem(app.config, "SCORE_TIMEOUT_S", 5)  # Retry-After: one timeout
    body = {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {}}}
    with held(slots, key_id(key), count=2):
        refused = analyze(client, key, body)
        other_key = make.server_key(make.site(name="Other paper")[0].id)
        other = analyze(client, other_key, body)  # another key still gets its score
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "5"
    error = refused.get_json()["error"]
    assert (error["code"], error["status"]) == (429, "RESOURCE_EXHAUSTED")
    assert "waiting for a score" in error["message"]
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert other.status_code == 200, other.get_json()
    assert analyze(client, key, body).status_code == 200  # its slots are free again


def test_waits_over_the_total_cap_get_a_google_503_with_retry_after(
    client, key, app, slots, monkeypatch
):
    monkeypatch.setitem(app.config, "SCORE_MAX_WAITS", 3)
    monkeypatch.setitem(app.config, "SCORE_TIMEOUT_S", 5)  # Retry-After: one timeout
    with held(slots, key_id=-1, count=3):
        response = analyze(
            client, key, {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {}}}
        )
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"] == {
        "code": 503,
        "status": "UNAVAILABLE",
        "message": "Too many requests are waiting for a score; retry shortly.",
    }


def test_a_slot_is_given_back_when_the_wait_ends_in_an_error(client, key, app, slots, monkeypatch):
    monkeypatch.setitem(queue.TASK_QUEUES, SCORE_TASK, f"score-unconsumed-{uuid.uuid4().hex[:8]}")
    monkeypatch.setitem(app.config, "SCORE_TIMEOUT_S", 0.3)
    response = analyze(
        client, key, {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {}}}
    )
    assert response.status_code == 503
    assert score_waits.waiting(slots) == 0 and score_waits.waiting(slots, key_id(key)) == 0


def test_slots_of_a_process_that_died_mid_wait_expire(client, key, app, slots, worker, monkeypatch):
    monkeypatch.setitem(app.config, "SCORE_MAX_WAITS_PER_KEY", 1)
    slots.zadd(score_waits.keys(key_id(key))[1], {"left-by-a-killed-process": 0})
    response = analyze(
        client, key, {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {}}}
    )
    assert response.status_code == 200


def test_a_request_waiting_for_redis_does_not_stop_the_api_process_serving_others(
    make, base_config
):
    # One API process, started as `modctl serve` starts it, with a Redis that never answers:
    # the analyze request waits inside the process while /healthz must still be answered.
    site, _ = make.site(name="Threaded")
    key = make.server_key(site.id)
    silent = socket.create_server(("127.0.0.1", 0))
    silent.settimeout(30)  # a request that never reaches Redis fails the test, not hangs it
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        **{k: str(v) for k, v in base_config.items()},
        "REDIS_URL": f"redis://127.0.0.1:{silent.getsockname()[1]}/0",
        "RATE_LIMIT_ENABLED": "false",
        "SCORE_TIMEOUT_S": "60",
        "API_THREADS": "4",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        server_command("127.0.0.1", port, 1),
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=die_with_parent,
    )
    try:
        wait_until(lambda: _get(f"{base}/healthz", 1) == 200, 60)
        answers: list = []
        waiting = threading.Thread(
            target=lambda: answers.append(
                _post(
                    f"{base}{ANALYZE}?key={key}",
                    {"comment": {"text": FRIENDLY}, "requestedAttributes": {"TOXICITY": {}}},
                )
            )
        )
        waiting.start()
        connection, _ = silent.accept()
        connection.recv(1024)  # the request is now inside its wait on Redis
        assert _get(f"{base}/healthz", 30) == 200
        assert waiting.is_alive()  # answered while the other request still waited
        connection.close()
        silent.close()  # Redis "goes away": the waiting request gets its answer
        waiting.join(30)
        assert answers == [503]
    finally:
        silent.close()
        proc.terminate()
        proc.wait(20)


def _get(url: str, timeout: float) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status
    except OSError:
        return None


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        method="POST",
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=90) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
