"""Remember, for a few seconds per API process, which site a site key belongs to.

Every intake request names its site by key; looking the key up (and loading its site) was the
largest single query of a request. A remembered entry lives SITE_CACHE_SECONDS (0 turns this
off): a revoked key, a new origin or a changed setting takes effect at once in the process that
made the change, and in every other process within that time.
"""

import copy
import hashlib
import threading
import time

from flask import current_app
from sqlalchemy.orm import make_transient_to_detached

from service.extensions import db
from service.models import Site

# Only valid keys are remembered, so this bounds memory against many sites, not attackers.
MAX_ENTRIES = 1024


class SiteCache:
    """Site key (hashed) -> a detached copy of its site, with an expiry time."""

    def __init__(self, ttl_s: float):
        self.ttl_s = ttl_s
        self.entries: dict[bytes, tuple[float, Site]] = {}
        self.lock = threading.Lock()

    def get(self, plaintext: str) -> Site | None:
        """Return the remembered site, attached to this request's session, or None."""
        entry = self.entries.get(_digest(plaintext))
        if entry is None or entry[0] < time.monotonic():
            return None
        # load=False: attach a copy without asking the database again.
        return db.session.merge(entry[1], load=False)

    def put(self, plaintext: str, site: Site) -> None:
        if self.ttl_s <= 0:
            return
        snapshot = Site(
            id=site.id,
            name=site.name,
            origins=list(site.origins or []),
            settings=copy.deepcopy(site.settings or {}),
            created_at=site.created_at,
        )
        make_transient_to_detached(snapshot)
        with self.lock:
            if len(self.entries) >= MAX_ENTRIES:
                self.entries.clear()
            self.entries[_digest(plaintext)] = (time.monotonic() + self.ttl_s, snapshot)

    def clear(self) -> None:
        with self.lock:
            self.entries.clear()


def _digest(plaintext: str) -> bytes:
    # The process never keeps a key in clear longer than the request that carried it.
    return hashlib.sha256(plaintext.encode()).digest()


def init_app(app) -> None:
    app.extensions["site_cache"] = SiteCache(float(app.config["SITE_CACHE_SECONDS"]))


def site_cache() -> SiteCache:
    return current_app.extensions["site_cache"]
