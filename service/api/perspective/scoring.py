"""Scoring by the workers: a capped wait for a worker's answer, turned into attributeScores."""

import math
import time
import uuid
from contextlib import ExitStack, suppress

import redis
from celery.exceptions import TaskRevokedError
from celery.exceptions import TimeoutError as ResultTimeout
from flask import current_app
from kombu.exceptions import OperationalError as BrokerError

from service import private_text, queue, score_timeouts
from service.api.perspective.attributes import ATTRIBUTES
from service.api.perspective.errors import GoogleError
from service.api.perspective.schemas import PROBABILITY
from service.extensions import celery
from service.queue import SCORE_TASK
from service.score_waits import TooManyWaits, score_wait


def unavailable(message: str, retry_after: float) -> GoogleError:
    return GoogleError(503, message, retry_after=max(1, math.ceil(retry_after)))


_redis: dict = {}
RATE_LIMITED = {
    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
    "reason": "RATE_LIMIT_EXCEEDED",
    "domain": "googleapis.com",
    "metadata": {"service": "commentanalyzer.googleapis.com"},
}


def redis_client() -> redis.Redis:
    """Return this process's client for the score-wait slots and private texts."""
    url = current_app.config["REDIS_URL"]
    if _redis.get("url") != url:
        timeout = max(2.0, float(current_app.config["SCORE_TIMEOUT_S"]))
        _redis.update(
            url=url,
            client=redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=timeout),
        )
    return _redis["client"]


def score_with_a_slot(
    key_id: int, text: str, languages: list[str], private: bool, spans: bool = True
) -> dict:
    """Score text while holding one of the capped waiting slots (per key and in total)."""
    config = current_app.config
    timeout = float(config["SCORE_TIMEOUT_S"])
    retry_after = max(1, math.ceil(timeout))
    try:
        with score_wait(
            redis_client(),
            key_id,
            timeout + 5,
            int(config["SCORE_MAX_WAITS"]),
            int(config["SCORE_MAX_WAITS_PER_KEY"]),
        ):
            return score_remotely(text, languages, private, spans)
    except TooManyWaits as full:
        current_app.logger.warning("perspective.too_many_waits", extra={"scope": full.scope})
        if full.scope == "key":
            raise GoogleError(
                429,
                "Too many requests with this API key are waiting for a score; retry shortly.",
                [RATE_LIMITED],
                retry_after=retry_after,
            ) from None
        raise unavailable(
            "Too many requests are waiting for a score; retry shortly.", retry_after
        ) from None
    except redis.RedisError as exc:
        current_app.logger.warning(
            "perspective.score_unavailable", extra={"error": type(exc).__name__}
        )
        raise unavailable(
            "The scoring queue is unavailable; try again shortly.", queue.breaker.pause_s
        ) from None


def score_remotely(
    text: str, languages: list[str], private: bool = False, spans: bool = True
) -> dict:
    """Have a worker score text (and its sentences, with spans); 503 when the broker is down or
    no answer comes in time.

    A private (doNotStore) text never rides in the task message, which Redis may persist: it
    goes to the worker over pub/sub once the worker listens (service.private_text).
    """
    timeout = float(current_app.config["SCORE_TIMEOUT_S"])
    deadline = time.monotonic() + timeout
    task_id = str(uuid.uuid4())
    with ExitStack() as stack:
        if private:
            client, ref = redis_client(), uuid.uuid4().hex
            pubsub = stack.enter_context(private_text.handoff(client, ref))
            args, kwargs = ["", languages], {"text_ref": ref, "spans": spans}
        else:
            args, kwargs = [text, languages], {"spans": spans}
        # argsrepr: Celery logs and publishes a task's args repr; the text must not be in it.
        sent = queue.send(
            SCORE_TASK,
            args,
            kwargs=kwargs,
            task_id=task_id,
            expires=timeout,
            argsrepr=f"('<{len(text)} chars>', {languages!r})",
            kwargsrepr=f"{{'spans': {spans!r}}}",
        )
        if not sent:
            raise unavailable(
                "The scoring queue is unavailable; try again shortly.", queue.breaker.pause_s
            )
        if private and not private_text.hand_over(client, pubsub, ref, text, deadline):
            raise score_timeout(timeout)
    result = celery.AsyncResult(task_id)
    try:
        answer = result.get(timeout=max(0.1, deadline - time.monotonic()))
    except (ResultTimeout, TaskRevokedError):
        raise score_timeout(timeout) from None
    except (redis.RedisError, BrokerError, OSError) as exc:
        current_app.logger.warning(
            "perspective.score_unavailable", extra={"error": type(exc).__name__}
        )
        raise unavailable(
            "The scoring queue is unavailable; try again shortly.", queue.breaker.pause_s
        ) from None
    except Exception as exc:  # the task raised on the worker (e.g. an older worker lacks it)
        current_app.logger.error("perspective.score_failed", extra={"error": type(exc).__name__})
        raise GoogleError(500, "Internal error encountered.") from None
    finally:
        with suppress(Exception):  # the answer holds no text; this only tidies Redis
            result.forget()
    if "error" in answer:
        raise GoogleError(500, "Internal error encountered.")
    return answer


def score_timeout(timeout: float) -> GoogleError:
    current_app.logger.warning("perspective.score_timeout", extra={"timeout_s": timeout})
    score_timeouts.record()
    return unavailable(
        f"No scoring worker answered within {timeout:g} s; try again shortly.", timeout
    )


def utf16_offsets(text: str):
    """Return a function mapping a character offset of text to a UTF-16 code unit offset."""
    if text.isascii():
        return lambda offset: offset
    return lambda offset: len(text[:offset].encode("utf-16-le")) // 2


def attribute_scores(
    attributes: dict[str, dict], answer: dict, text: str, with_spans: bool
) -> dict:
    """Build attributeScores: thresholds applied, spans in UTF-16 offsets as Google's."""
    to_utf16 = utf16_offsets(text)
    # A one-sentence comment has no sentence spans: its one span is the whole text.
    spans = answer["spans"] or [{"begin": 0, "end": len(text), "scores": answer["scores"]}]
    scores = {}
    for name, params in attributes.items():
        label = ATTRIBUTES[name]
        value = answer["scores"].get(label)
        threshold = params.get("score_threshold")
        if value is None or (threshold is not None and value < threshold):
            continue
        entry = {"summary_score": {"value": value, "type": PROBABILITY}}
        if with_spans:
            entry["span_scores"] = [
                {
                    "begin": to_utf16(span["begin"]),
                    "end": to_utf16(span["end"]),
                    "score": {"value": span["scores"][label], "type": PROBABILITY},
                }
                for span in spans
                if label in span["scores"]
            ]
        scores[name] = entry
    return scores
