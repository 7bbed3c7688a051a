"""Score texts on demand for the Perspective-compatible API, whose callers wait for the answer.

One message per text on its own "score" queue, never behind a backlog of comments. The task is
a batch task: every request that arrived while the model ran goes into the next model run
together (one run serves several waiting callers), and each caller gets its own result.
The text is the only thing that makes it secret: the sender replaces its repr in the message
(argsrepr), so Celery's "received" log line never shows it, and each result holds scores,
offsets and the language only. A doNotStore text is not in the message at all (Redis may
write messages to disk): text_ref names the pub/sub channel the API hands it over on
(service.private_text).
"""

import copy
import logging
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from celery import shared_task
from flask import current_app

from service import private_text
from service.queue import SCORE_TASK, TASK_QUEUES
from workers.classifiers import describe, toxicity_model
from workers.classifiers import language as lang
from workers.classifiers.toxicity.model import PRIMARY_LANGUAGE
from workers.tasks import FlaskBatches

log = logging.getLogger(__name__)

# The caller gives up after SCORE_TIMEOUT_S (seconds); a stuck model must not hold the slot.
SOFT_TIME_LIMIT_S = 20
TIME_LIMIT_S = 30
# Requests one model run takes at most, and how long a first request waits for company: a
# few milliseconds, as callers arriving during a model run are batched anyway.
MAX_BATCH = 32
FLUSH_INTERVAL_S = 0.005


@dataclass
class ScoreRequest:
    """One caller's text and the languages it named (none: detect)."""

    text: str
    languages: list[str]
    spans: bool = True  # score its sentences too (the caller asked for spanScores)


@shared_task(
    base=FlaskBatches,
    name=SCORE_TASK,
    queue=TASK_QUEUES[SCORE_TASK],
    ignore_result=False,
    acks_late=False,
    flush_every=MAX_BATCH,
    flush_interval=FLUSH_INTERVAL_S,
    soft_time_limit=SOFT_TIME_LIMIT_S,
    time_limit=TIME_LIMIT_S,
)
def score_texts(requests) -> None:
    """Score the waiting requests' texts in one model run; store each caller's answer."""
    # Not acks_late: nobody waits for a redelivered score, the HTTP caller has answered 503.
    model = toxicity_model()
    waiting, answers = [], {}
    for request in requests:
        # Celery's own "received" line, which a batch task does not get: the task id and its
        # args as the sender chose to show them (the API's argsrepr hides the text).
        log.info(
            "Task %s[%s] received: %s",
            SCORE_TASK,
            request.id,
            (request.request_dict or {}).get("argsrepr"),
        )
        if expired(request):  # its caller has answered 503 already: scoring it helps nobody
            continue
        text, languages = request.args[0], (request.args[1] if len(request.args) > 1 else None)
        text_ref = request.kwargs.get("text_ref")
        if text_ref:
            text = receive_private_text(text_ref)
            if text is None:
                answers[request.id] = {"error": "TextNotReceived", "model": describe(model)}
                continue
        waiting.append(
            (request, ScoreRequest(text, languages or [], request.kwargs.get("spans", True)))
        )
    log.info(
        "score.batch",
        extra={"size": len(waiting), "expired": len(requests) - len(waiting) - len(answers)},
    )
    scored = score_batch(model, [item for _, item in waiting])
    answers.update(
        (request.id, answer) for (request, _), answer in zip(waiting, scored, strict=True)
    )
    by_id = {request.id: request for request in requests}
    for request_id, result in answers.items():
        score_texts.backend.mark_as_done(request_id, result, request=by_id[request_id])
        log.info("Task %s[%s] succeeded: %r", SCORE_TASK, request_id, result)


def score_batch(model, items: list[ScoreRequest]) -> list[dict]:
    """Score items with model: one run per kind of request (naming languages or not, with
    sentences or not)."""
    answers: list[dict | None] = [None] * len(items)
    kinds: dict[tuple[bool, bool], list[int]] = {}
    for i, item in enumerate(items):
        kinds.setdefault((bool(item.languages), item.spans), []).append(i)
    for (named_languages, with_spans), indexes in kinds.items():
        scorer = copy.copy(model)  # shares the loaded weights; only this call's options differ
        # Sentences when the caller asked for spanScores, whatever TOXICITY_SPANS says for
        # comments (one span for the whole text would be wrong); none otherwise.
        scorer.spans = "all" if with_spans else "off"
        # A caller naming the language (Perspective's `languages`) has the text scored as
        # that language, as Google does, instead of refused when detection disagrees.
        scorer.lang_detect = model.lang_detect and not named_languages
        texts = [items[i].text for i in indexes]
        try:
            results = scorer.score(texts)
        except Exception as exc:  # noqa: BLE001 (SoftTimeLimitExceeded included)
            # Only the type: a message or traceback could quote the text back.
            log.error("score.failed", extra={"error": type(exc).__name__, "model": model.name})
            for i in indexes:
                answers[i] = {"error": type(exc).__name__, "model": describe(model)}
            continue
        for i, text, result in zip(indexes, texts, results, strict=True):
            if named_languages:
                # The API checked the named languages against the model's languages.
                language, supported = detect(model, text), True
            else:
                language, supported = result.language, result.language_supported
            answers[i] = answer(model, result, language, supported)
    return answers  # type: ignore[return-value]  (every index was filled above)


def answer(model, result, language: str, supported: bool) -> dict:
    """Return a result as JSON primitives, never the text."""
    return {
        "model": describe(model),
        "scores": {label: round(float(value), 6) for label, value in result.scores.items()},
        "spans": [
            {
                "begin": span.begin,
                "end": span.end,
                "scores": {label: round(float(v), 6) for label, v in span.scores.items()},
            }
            for span in result.spans
        ],
        "language": language,
        "language_supported": supported,
    }


def expired(request) -> bool:
    """Whether the request's message has expired (the API sends each with its timeout)."""
    expires = (request.request_dict or {}).get("expires")
    if not expires:
        return False
    when = datetime.fromisoformat(expires) if isinstance(expires, str) else expires
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when <= datetime.now(UTC)


def receive_private_text(ref: str) -> str | None:
    """Take a doNotStore text from the API over pub/sub; None when it does not come."""
    config = current_app.config
    client = redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=5)
    try:
        return private_text.receive(client, ref, float(config["SCORE_TIMEOUT_S"]))
    except redis.RedisError as exc:
        log.warning("score.text_not_received", extra={"error": type(exc).__name__})
        return None
    finally:
        client.close()


def detect(model, text: str) -> str:
    """Return the language the model's own detector sees in text (its primary one when off)."""
    if not model.lang_detect:
        return PRIMARY_LANGUAGE
    return lang.detect_language(text, model.languages, PRIMARY_LANGUAGE)[0]
