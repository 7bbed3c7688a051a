"""The review API for moderators: queues, decisions, appeals, claims, audit history, spam
feedback, stats.

One blueprint (access.py) whose routes live in the modules below, one per resource.
"""

from service.api.moderation import (  # noqa: F401  (their routes join the blueprint)
    appeals,
    authors,
    claims,
    decisions,
    history,
    reports,
    review_queue,
    spam_feedback,
    stats,
)
from service.api.moderation.access import blp

__all__ = ["blp"]
