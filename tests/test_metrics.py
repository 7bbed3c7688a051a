"""Prometheus metrics: what intake and the pipeline count, and the state read at scrape time."""

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.models import Article, Comment, Status, utcnow
from service.testing.stack import Stack, wait_for
from service.worker_status import forget, publish


def samples(text: str) -> dict[tuple, float]:
    """Map (sample name, sorted labels) to value for every sample of an exposition."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def value(text: str, name: str, /, **labels) -> float:
    """Sum the samples called name whose labels include labels (0 when there are none)."""
    wanted = set(labels.items())
    return sum(v for (n, ls), v in samples(text).items() if n == name and wanted <= set(ls))


def scrape(client) -> str:
    response = client.get("/metrics")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return response.get_data(as_text=True)


def test_metrics_name_every_family_ops_watch(client):
    names = {family.name for family in text_string_to_metric_families(scrape(client))}
    assert {
        "moderation_comments_received",
        "moderation_comments_decided",
        "moderation_decision_reasons",
        "moderation_decision_seconds",
        "moderation_classify_batch_size",
        "moderation_classify_batch_seconds",
        "moderation_toxicity_batch_size",
        "moderation_toxicity_seconds",
        "moderation_celery_queue_length",
        "moderation_review_queue_comments",
        "moderation_oldest_comment_age_seconds",
        "moderation_toxicity_model_info",
        "moderation_dependency_up",
        "moderation_http_requests",
    } <= names


def test_an_accepted_comment_is_counted_once_and_a_refused_one_not_at_all(client, make):
    _, key = make.site()
    before = scrape(client)
    assert make.post_comment(key).status_code == 202
    assert make.post_comment(key, body="").status_code == 422
    after = scrape(client)
    received = "moderation_comments_received_total"
    assert value(after, received) - value(before, received) == 1
    route = "/v1/articles/<string:article_id>/comments"
    for status, count in (("202", 1), ("422", 1)):
        assert (
            value(after, "moderation_http_requests_total", route=route, status=status)
            - value(before, "moderation_http_requests_total", route=route, status=status)
            == count
        )


def test_queue_sizes_and_oldest_ages_are_read_from_the_database(client, make, db):
    site, _ = make.site()
    article = Article(site_id=site.id, external_id="a-1")
    db.session.add(article)
    db.session.flush()
    now = utcnow()
    for status, age_s, reported in [
        (Status.HELD, 600, False),
        (Status.HELD, 30, False),
        (Status.PENDING, 90, False),
        (Status.APPROVED, 5, True),
        (Status.SPAM, 5, False),
        (Status.APPROVED, 5, False),
    ]:
        db.session.add(
            Comment(
                site_id=site.id,
                article_id=article.id,
                body="x",
                status=status,
                reported=reported,
                created_at=now - timedelta(seconds=age_s),
                enqueued_at=now,
            )
        )  # keeps a running sweeper away
    db.session.commit()
    text = scrape(client)
    queues = {
        q: value(text, "moderation_review_queue_comments", queue=q)
        for q in ("held", "pending", "reported", "spam")
    }
    assert queues == {"held": 2, "pending": 1, "reported": 1, "spam": 1}
    held_age = value(text, "moderation_oldest_comment_age_seconds", status="held")
    pending_age = value(text, "moderation_oldest_comment_age_seconds", status="pending")
    assert 600 <= held_age < 3600 and 90 <= pending_age < 600
    assert value(text, "moderation_dependency_up", dependency="database") == 1


def test_the_workers_models_are_labels_of_an_info_metric(app, client):
    model = {"name": "offline-profanity-check", "version": "1.9.1", "offline_fallback": True}
    publish(app.config["REDIS_URL"], "metrics-host:7", model, ttl_s=60)
    try:
        text = scrape(client)
    finally:
        forget(app.config["REDIS_URL"], "metrics-host:7")
    assert (
        value(
            text,
            "moderation_toxicity_model_info",
            worker="metrics-host:7",
            name="offline-profanity-check",
            version="1.9.1",
            offline_fallback="true",
        )
        == 1
    )
    assert value(text, "moderation_toxicity_offline_fallback_workers") >= 1


def test_metrics_can_require_a_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "scrape-secret")
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and wrong.get_json()["code"] == 401
    good = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert good.status_code == 200


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("metrics-stack"), api_workers=2) as running:
        yield running


def test_api_and_worker_processes_add_up_in_one_scrape(stack):
    """Two gunicorn processes and a Celery worker share PROMETHEUS_MULTIPROC_DIR."""
    key = stack.setup["sites"][0]["key"]
    stack.pause_worker()
    try:
        ids = [stack.post_comment(key, n).json()["id"] for n in range(1, 13)]
        waiting = stack.metrics()
    finally:
        stack.resume_worker()
    # A stopped worker's BRPOP, issued before SIGSTOP, may still take one message off the list.
    depth = value(waiting, "moderation_celery_queue_length", queue="classify")
    assert len(ids) - 1 <= depth <= len(ids)
    assert value(waiting, "moderation_review_queue_comments", queue="pending") == len(ids)
    stack.wait_decided(ids, timeout=60)

    # The worker writes its samples after committing; the scrape reads them from its files.
    def scraped():
        text = stack.metrics()
        return text if value(text, "moderation_classify_batch_size_sum") >= len(ids) else None

    text = wait_for(scraped, 30, interval=0.2, what="the worker's samples")
    route = "/v1/articles/<string:article_id>/comments"
    assert value(text, "moderation_http_requests_total", route=route, status="202") == len(ids)
    assert value(text, "moderation_comments_received_total", enqueued="true") == len(ids)
    assert value(text, "moderation_comments_decided_total") == len(ids)
    assert value(text, "moderation_decision_seconds_count") == len(ids)
    assert value(text, "moderation_classify_batch_size_sum") == len(ids)
    scored = value(text, "moderation_toxicity_batch_size_sum", model="offline-profanity-check")
    assert 0 < scored <= len(ids)
    assert (
        value(
            text,
            "moderation_toxicity_model_info",
            name="offline-profanity-check",
            offline_fallback="true",
        )
        == 1
    )
    assert value(text, "moderation_review_queue_comments", queue="pending") == 0
