"""Structured logs: JSON records with request and comment ids, and no text or email in them."""

import io
import json
import logging
import re
import uuid

import pytest

from service.logs import json_handler
from service.models import Comment, Status
from tests.conftest import wait_until


@pytest.fixture
def captured():
    """Capture the root logger's records through the service's own JSON handler."""
    stream = io.StringIO()
    handler = json_handler(stream)
    root = logging.getLogger()
    # Running the migrations in this process (the app fixture) let alembic's logging config
    # raise the root level to WARNING; a served API process logs at LOG_LEVEL (INFO).
    level = root.level
    root.setLevel(logging.INFO)
    root.addHandler(handler)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def records(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_intake_and_classification_log_ids_but_never_text_or_email(make, db, worker, captured):
    secret_text = f"My private thoughts {uuid.uuid4().hex} about the council."
    secret_email = f"{uuid.uuid4().hex[:10]}@private.example"
    secret_name = f"Name{uuid.uuid4().hex[:8]}"
    worker_log_start = worker.log_path.stat().st_size
    _, key = make.site()
    response = make.post_comment(
        key,
        body=secret_text,
        author_email=secret_email,
        author_name=secret_name,
        headers={"X-Request-Id": "req-42"},
    )
    assert response.status_code == 202 and response.headers["X-Request-Id"] == "req-42"
    comment_id = response.get_json()["id"]
    wait_until(
        lambda: (
            db.session.get(Comment, comment_id, populate_existing=True).status != Status.PENDING
        ),
        timeout=60,
    )
    wait_until(lambda: f'"comment_id": {comment_id}' in worker_log_since(worker, worker_log_start))

    api_log = captured.getvalue()
    worker_log = worker_log_since(worker, worker_log_start)
    received = [r for r in records(api_log) if r["message"] == "comment.received"]
    assert received == [{**received[0], "comment_id": comment_id, "request_id": "req-42"}]
    classified = [r for r in records(worker_log) if r.get("comment_id") == comment_id]
    assert [r["message"] for r in classified] == ["comment.classified"]
    assert classified[0]["request_id"] == "req-42"  # carried to the worker in the message
    for log in (api_log, worker_log):
        for secret in (secret_text, secret_email, secret_name, secret_email.split("@")[0]):
            assert secret not in log


def worker_log_since(worker, offset: int) -> str:
    with open(worker.log_path, errors="replace") as log:
        log.seek(offset)
        return log.read()


def test_every_response_carries_a_request_id_and_keeps_a_callers(client):
    generated = client.get("/healthz").headers["X-Request-Id"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert (
        client.get("/healthz", headers={"X-Request-Id": "edge-7"}).headers["X-Request-Id"]
        == "edge-7"
    )

    # A header that could forge log lines or carry markup is replaced, not echoed.
    for sent in ("a\tb", "bad id with spaces<script>", "x" * 65, ""):
        echoed = client.get("/healthz", headers={"X-Request-Id": sent}).headers["X-Request-Id"]
        assert echoed != sent and re.fullmatch(r"[0-9a-f]{32}", echoed)


def test_a_database_error_in_the_logs_hides_the_statement_parameters(app):
    from sqlalchemy import text

    from service.extensions import db

    secret = f"{uuid.uuid4().hex}@private.example"
    with app.app_context():
        with pytest.raises(Exception) as error:
            db.session.execute(
                text("SELECT * FROM no_such_table WHERE email = :email"), {"email": secret}
            )
        db.session.rollback()
    assert secret not in str(error.value)
