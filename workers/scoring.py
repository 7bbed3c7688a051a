"""Score one text on demand for the Perspective-compatible API, which waits for the answer.

Unlike classify, this task's caller blocks on the result (ignore_result=False), so it is one
text per message on its own "score" queue, never batched behind a backlog of comments.
The text is the only thing that makes it secret: the sender replaces its repr in the message
(argsrepr), so Celery's "received" and "succeeded" log lines never show it, and the return
value, which Celery logs at INFO, holds scores, offsets and the language only. A doNotStore
text is not in the message at all (Redis may write messages to disk): text_ref names the
pub/sub channel the API hands it over on (service.private_text).
"""

import copy
import logging

import redis
from celery import shared_task
from flask import current_app

from service import private_text
from service.queue import QUEUES, SCORE_TASK
from workers.classifiers import describe, toxicity_model
from workers.classifiers import language as lang
from workers.classifiers.toxicity import PRIMARY_LANGUAGE

log = logging.getLogger(__name__)

# The caller gives up after SCORE_TIMEOUT_S (seconds); a stuck model must not hold the slot.
SOFT_TIME_LIMIT_S = 20
TIME_LIMIT_S = 30


@shared_task(name=SCORE_TASK, queue=QUEUES[SCORE_TASK], ignore_result=False, acks_late=False,
             soft_time_limit=SOFT_TIME_LIMIT_S, time_limit=TIME_LIMIT_S)
def score_text(text: str, languages: list[str] | None = None, text_ref: str | None = None) -> dict:
    """Score text with this worker's toxicity model; return JSON primitives, never the text."""
    # Not acks_late: nobody waits for a redelivered score, the HTTP caller has answered 503.
    model = toxicity_model()
    if text_ref:
        text = receive_private_text(text_ref)
        if text is None:
            return {"error": "TextNotReceived", "model": describe(model)}
    try:
        scorer = copy.copy(model)  # shares the loaded weights; only this call's options differ
        # The API always scores the sentences it is asked about, whatever TOXICITY_SPANS says
        # for comments (it answers spanScores; one span for the whole text would be wrong).
        scorer.spans = "all"
        if languages:
            # The caller names the language (Perspective's `languages`): score the text as
            # that language, as Google does, instead of refusing it when detection disagrees.
            scorer.lang_detect = False
            result = scorer.score([text])[0]
            language = detect(model, text)
            supported = True  # the API checked the named languages against model["languages"]
        else:
            result = scorer.score([text])[0]
            language, supported = result.language, result.language_supported
    except Exception as exc:  # noqa: BLE001 (SoftTimeLimitExceeded included)
        # Only the type: a message or traceback could quote the text back.
        log.error("score.failed", extra={"error": type(exc).__name__, "model": model.name})
        return {"error": type(exc).__name__, "model": describe(model)}
    return {
        "model": describe(model),
        "scores": {label: round(float(value), 6) for label, value in result.scores.items()},
        "spans": [{"begin": span.begin, "end": span.end,
                   "scores": {label: round(float(v), 6) for label, v in span.scores.items()}}
                  for span in result.spans],
        "language": language,
        "language_supported": supported,
    }


def receive_private_text(ref: str) -> str | None:
    """Take a doNotStore text from the API over pub/sub; None when it does not come."""
    config = current_app.config
    client = redis.Redis.from_url(config["REDIS_URL"], socket_connect_timeout=1,
                                  socket_timeout=5)
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
