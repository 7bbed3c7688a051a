"""Faults on a real, isolated stack (gunicorn, a Celery worker, its own Redis and SQLite file):
whatever breaks, a comment that got a 202 is stored, and ends decided exactly once."""

import http.client
import os
import signal
import sqlite3
import threading
import time

import pytest
from celery import Celery

from service.testing.stack import LOOPBACK, Stack, free_port, wait_for


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("chaos-stack")) as running:
        yield running


@pytest.fixture
def site_key(stack):
    return stack.setup["sites"][0]["key"]


class Counter:
    """Hands out comment numbers unique within the module (so readers never collide)."""

    value = 0
    lock = threading.Lock()

    @classmethod
    def next(cls) -> int:
        with cls.lock:
            cls.value += 1
            return cls.value


def post_many(stack, key, count):
    ids = []
    for _ in range(count):
        response = stack.post_comment(key, Counter.next())
        assert response.status == 202, (response.status, response.body)
        ids.append(response.json()["id"])
    return ids


def assert_error_shape(response, code):
    body = response.json()
    assert response.status == code and body["code"] == code and body["message"]


def test_a_worker_killed_mid_batch_loses_nothing_and_decides_each_comment_once(stack, site_key):
    stack.pause_worker()
    ids = post_many(stack, site_key, 40)  # queued while the worker is stopped
    batches_before = stack.tail("worker", 10**7).count('"classify.batch"')
    # Holding SQLite's write lock, the worker can read and score a batch but never commit it.
    lock = sqlite3.connect(stack.db_path, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        stack.resume_worker()
        wait_for(
            lambda: stack.tail("worker", 10**7).count('"classify.batch"') > batches_before,
            30,
            what="the worker starting a batch",
        )
        stack.kill_worker()
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert set(stack.statuses(ids).values()) == {"pending"}  # the kill came before any decision

    stack.start_worker()  # its sweeper re-sends what the dead worker held
    statuses = stack.wait_decided(ids, timeout=120)
    assert len(statuses) == len(ids) and "pending" not in statuses.values()
    assert set(stack.classify_events(ids).values()) == {1}

    # The dead worker's messages come back one day (visibility timeout): they change nothing.
    broker = Celery("redelivery", broker=stack.env["REDIS_URL"])
    for comment_id in ids:
        broker.send_task("workers.classify_comment", args=[comment_id], queue="classify")
    wait_for(
        lambda: stack.redis_command("LLEN", "classify") == b":0\r\n",
        60,
        what="the redelivered messages consumed",
    )
    marker = post_many(stack, site_key, 1)  # queued behind them: decided once they are done
    stack.wait_decided(marker, timeout=60)
    assert set(stack.classify_events(ids).values()) == {1}
    assert stack.statuses(ids) == statuses


def test_intake_keeps_accepting_while_redis_is_down_and_the_backlog_drains(stack, site_key):
    accepted = post_many(stack, site_key, 5)
    stack.stop_redis()
    try:
        answers = [stack.post_comment(site_key, Counter.next()) for _ in range(30)]
    finally:
        stack.start_redis()
    assert all(a.status in (202, 503) for a in answers), [a.status for a in answers]
    assert all("Retry-After" in a.headers for a in answers if a.status == 503)
    accepted += [a.json()["id"] for a in answers if a.status == 202]
    accepted += post_many(stack, site_key, 5)

    assert len(accepted) >= 10 and len(stack.statuses(accepted)) == len(accepted)
    statuses = stack.wait_decided(accepted, timeout=120)  # the sweeper re-sends the lost ones
    assert "pending" not in statuses.values()
    assert set(stack.classify_events(accepted).values()) == {1}


def test_a_locked_database_answers_503_with_retry_after_and_writes_nothing(stack, site_key):
    article, number = "article-during-the-outage", Counter.next()
    lock = sqlite3.connect(stack.db_path, timeout=30, isolation_level=None)
    lock.execute("BEGIN IMMEDIATE")
    try:
        response = stack.post_comment(site_key, number, article=article, timeout=60)
    finally:
        lock.execute("ROLLBACK")
        lock.close()
    assert_error_shape(response, 503)
    assert int(response.headers["Retry-After"]) > 0
    # The intake would have created the article and the comment: neither half is there,
    assert stack.query("SELECT count(*) FROM articles WHERE external_id = ?", article) == [(0,)]
    assert stack.query(
        "SELECT count(*) FROM comments WHERE author_email = ?", f"reader{number}@mail.example"
    ) == [(0,)]
    # so the same comment sent again is accepted, not refused as a duplicate.
    assert stack.post_comment(site_key, number, article=article).status == 202


def test_an_unreachable_database_answers_503_and_readiness_says_why(stack, site_key):
    port = free_port()
    closed = free_port()  # nothing listens there
    api = stack.spawn_api(
        port, 1, "api-no-db", DATABASE_URL=f"postgresql://postgres@{LOOPBACK}:{closed}/gone"
    )
    try:
        wait_for(lambda: _answers(stack, port), 60, what="the API without a database starting")
        intake = stack.request(
            "POST",
            "/v1/articles/a-1/comments",
            port=port,
            body={"author_name": "A", "author_email": "a@mail.example", "body": "Hello"},
            headers={"X-Site-Key": site_key},
        )
        assert_error_shape(intake, 503)
        assert int(intake.headers["Retry-After"]) > 0
        thread = stack.request(
            "GET", "/v1/articles/a-1/comments", port=port, headers={"X-Site-Key": site_key}
        )
        assert_error_shape(thread, 503)
        assert stack.request("GET", "/healthz", port=port).status == 200
        ready = stack.request("GET", "/readyz", port=port)
        assert ready.status == 503 and ready.json()["checks"]["database"]["ok"] is False
    finally:
        api.send_signal(signal.SIGTERM)
        api.wait(timeout=30)


def _answers(stack, port) -> bool:
    try:
        return stack.request("GET", "/healthz", port=port, timeout=1).status == 200
    except OSError:
        return False


def test_every_accepted_comment_survives_api_restarts_under_load(stack, site_key):
    results: list[tuple[int, int, int | None]] = []  # (number, status, id)
    stop = threading.Event()

    def client():
        for _ in range(2000):  # bounded; the test stops the clients long before
            if stop.is_set():
                return
            number = Counter.next()
            try:
                response = stack.post_comment(site_key, number, timeout=20)
                comment_id = response.json()["id"] if response.status == 202 else None
                results.append((number, response.status, comment_id))
            # The API is restarting: refused, reset or cut mid-answer; not known to be accepted.
            except (OSError, http.client.HTTPException):
                results.append((number, 0, None))
                time.sleep(0.05)

    clients = [threading.Thread(target=client) for _ in range(4)]
    for thread in clients:
        thread.start()
    try:
        time.sleep(1)
        stack.api.send_signal(signal.SIGHUP)  # graceful reload: new API processes
        time.sleep(2)
        victims = stack.api_worker_pids()
        if victims:
            signal_process(victims[0], signal.SIGKILL)  # one API process dies mid-request
        time.sleep(1)
        stack.stop_api()  # and a full restart
        stack.start_api()
        time.sleep(1)
    finally:
        stop.set()
        for thread in clients:
            thread.join(timeout=60)

    statuses = {status for _, status, _ in results}
    assert statuses <= {0, 202, 503}, statuses
    accepted = {comment_id: number for number, status, comment_id in results if status == 202}
    assert len(accepted) > 20
    marks = ",".join("?" * len(accepted))
    stored = dict(
        stack.query(f"SELECT id, author_email FROM comments WHERE id IN ({marks})", *accepted)
    )
    assert stored == {cid: f"reader{n}@mail.example" for cid, n in accepted.items()}
    assert "pending" not in stack.wait_decided(list(accepted), timeout=120).values()


def signal_process(pid: int, sig: int) -> None:
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass
