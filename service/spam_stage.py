"""What the spam stage needs from the service, for intake's pipeline and the Akismet API alike:
a Redis client that fails fast and each site's learned model, cached per process."""

import logging
from functools import cache
from typing import TYPE_CHECKING

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry
from sqlalchemy import select

from service.extensions import db
from service.models import SpamModelState

if TYPE_CHECKING:
    from workers.classifiers.spam import SpamModel

log = logging.getLogger(__name__)

# site_id -> ((version, updated_at), model): reloaded when feedback saves a new version.
_spam_models: dict[int, tuple[tuple, "SpamModel"]] = {}


@cache
def redis_client(url: str) -> redis.Redis:
    # No retries: when Redis is down the spam stage carries on without its Redis signals,
    # and redis-py's default retries would cost seconds per comment.
    return redis.Redis.from_url(
        url, socket_connect_timeout=1, socket_timeout=2, retry=Retry(NoBackoff(), 0)
    )


def spam_models(site_ids: set[int]) -> dict[int, "SpamModel"]:
    """Return the learned spam model of each site that has one, reloading changed ones."""
    # Imported on first use: scikit-learn would add seconds to every API process's start.
    from workers.classifiers.spam import SpamModel

    rows = db.session.execute(
        select(SpamModelState.site_id, SpamModelState.version, SpamModelState.updated_at).where(
            SpamModelState.site_id.in_(site_ids)
        )
    ).all()
    versions = {site_id: (version, updated_at) for site_id, version, updated_at in rows}
    for site_id, version in versions.items():
        cached = _spam_models.get(site_id)
        if cached is None or cached[0] != version:
            state = db.session.get(SpamModelState, site_id)
            try:
                _spam_models[site_id] = (version, SpamModel.from_bytes(state.state))
            except ValueError:  # stored by an older release: the next feedback refits it
                log.warning("spam.model_outdated", extra={"site_id": site_id})
                _spam_models[site_id] = (version, SpamModel())
    return {site_id: _spam_models[site_id][1] for site_id in versions}
