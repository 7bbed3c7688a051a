"""Hand a text from the API to a scoring worker over Redis pub/sub, so it is never persisted.

A Celery message is a list push, which Redis writes to its append-only file and snapshots; a
PUBLISH goes to neither. So for a doNotStore text the task message carries only a reference:
the worker subscribes to that reference's text channel and says so on its ready channel, and
the API, subscribed there first, then publishes the text to the one listening worker.
"""

import time
from contextlib import contextmanager

import redis

READY = "moderation:private-text:ready:"
TEXT = "moderation:private-text:text:"


def _next_message(pubsub, deadline: float, kind: str = "message"):
    while (left := deadline - time.monotonic()) > 0:
        message = pubsub.get_message(timeout=min(left, 1.0))
        if message is not None and message["type"] == kind:
            return message
    return None


def _subscribe(pubsub, channel: str, timeout_s: float = 5.0) -> None:
    # Wait for Redis to confirm: a PUBLISH sent on another connection could otherwise overtake it.
    pubsub.subscribe(channel)
    if _next_message(pubsub, time.monotonic() + timeout_s, "subscribe") is None:
        raise redis.TimeoutError(f"no confirmation of the subscription to {channel}")


@contextmanager
def handoff(client: redis.Redis, ref: str):
    """Listen for the worker that will take ref's text; subscribe before the task is sent."""
    pubsub = client.pubsub()
    try:
        _subscribe(pubsub, READY + ref)
        yield pubsub
    finally:
        pubsub.close()


def hand_over(client: redis.Redis, pubsub, ref: str, text: str, deadline: float) -> bool:
    """Wait for ref's worker to listen, then publish text to it; False when none did in time."""
    if _next_message(pubsub, deadline) is None:
        return False
    return client.publish(TEXT + ref, text) > 0


def receive(client: redis.Redis, ref: str, timeout_s: float) -> str | None:
    """Take ref's text as the worker: None when the API has given up or sends nothing in time."""
    pubsub = client.pubsub()
    try:
        _subscribe(pubsub, TEXT + ref)
        if client.publish(READY + ref, "1") == 0:
            return None  # the API stopped waiting
        message = _next_message(pubsub, time.monotonic() + timeout_s)
        return message["data"].decode() if message else None
    finally:
        pubsub.close()
