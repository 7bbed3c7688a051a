"""API keys: creation (shown once), hashed storage, constant-time checks, role guards.

Three kinds of credential: public site keys (`pk_...`, in every article page: intake and the
public thread only), secret server keys (12 lowercase hex characters, Akismet's own format:
the Akismet and Perspective endpoints), and moderator/admin tokens (the review and admin APIs).
"""

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from service.extensions import db
from service.models import ApiKey, Role, utcnow

PREFIXES = {Role.SITE: "pk", Role.MODERATOR: "mod", Role.ADMIN: "adm"}


def _hash(secret: str) -> str:
    # Keys are 32 random bytes, so a plain SHA-256 is enough (no password stretching needed).
    return hashlib.sha256(secret.encode()).hexdigest()


class NameTaken(ValueError):
    """A key or token with that name exists already (names identify them in the audit trail)."""

    def __init__(self, name: str):
        super().__init__(f"A key or token named {name!r} exists already; choose another name.")
        self.name = name


def name_taken(name: str) -> bool:
    return db.session.scalar(select(ApiKey.id).where(ApiKey.name == name)) is not None


def create_key(
    role: Role, site_id: int | None = None, name: str = "", *, suffix_if_taken: bool = False
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored.

    A name the caller chose must be new (NameTaken otherwise); a name the service made up
    (suffix_if_taken) gets the key's lookup appended when it is in use.
    """
    if role is Role.SITE and site_id is None:
        raise ValueError("a site key belongs to a site")
    lookup = secrets.token_hex(6)
    plaintext = f"{PREFIXES[role]}_{lookup}_{secrets.token_urlsafe(32)}"
    name = name or f"{role}-{lookup}"
    if name_taken(name):
        if not suffix_if_taken:
            raise NameTaken(name)
        name = f"{name[: 200 - len(lookup) - 1]} {lookup}"
    key = ApiKey(role=role, site_id=site_id, name=name, lookup=lookup, secret_hash=_hash(plaintext))
    db.session.add(key)
    return key, plaintext


def find_key(plaintext: str | None, with_site: bool = False) -> ApiKey | None:
    """Return the live key matching plaintext, comparing hashes in constant time."""
    if not plaintext or plaintext.count("_") < 2:
        return None
    lookup = plaintext.split("_", 2)[1]
    query = select(ApiKey).where(ApiKey.lookup == lookup)
    if with_site:
        query = query.options(joinedload(ApiKey.site))
    key = db.session.scalar(query)
    if key is None or key.revoked_at is not None:
        return None
    if not hmac.compare_digest(key.secret_hash, _hash(plaintext)):
        return None
    return key


# WordPress's Akismet plugin refuses any key that is not 12 characters and keeps only [a-f0-9].
SERVER_KEY_FORMAT = re.compile(r"[0-9a-f]{12}")


def looks_like_server_key(plaintext: str | None) -> bool:
    return bool(plaintext) and SERVER_KEY_FORMAT.fullmatch(plaintext.strip().lower()) is not None


def server_key_in_host(host: str) -> str | None:
    """Return the server key in a Host's leftmost label (`{key}.akismet.example`), if it has one.

    Clients written for Akismet's key-in-hostname endpoints (the npm `akismet-api` package,
    Discourse) send the key there and nowhere else.
    """
    name = host.strip().lower()
    if name.startswith("["):  # an IPv6 literal has no labels
        return None
    label, dot, rest = name.partition(".")
    if dot and rest and SERVER_KEY_FORMAT.fullmatch(label):
        return label
    return None


def _server_digest(plaintext: str) -> str:
    # Keyed with the service's secret: a database dump alone cannot test 2**48 guesses offline.
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, plaintext.strip().lower().encode(), hashlib.sha256).hexdigest()


def create_server_key(site_id: int, name: str = "") -> tuple[ApiKey, str]:
    """Create a secret server key for a site; return it with its plaintext, never stored."""
    while True:
        plaintext = secrets.token_hex(6)
        digest = _server_digest(plaintext)
        if db.session.scalar(select(ApiKey.id).where(ApiKey.lookup == digest[:16])) is None:
            break  # a repeat of a live key's 48 bits is unlikely, but must not be shared
    if name and name_taken(name):
        raise NameTaken(name)
    key = ApiKey(
        role=Role.SERVER,
        site_id=site_id,
        name=name or f"server-{digest[:12]}",
        lookup=digest[:16],
        secret_hash=digest,
    )
    db.session.add(key)
    return key, plaintext


def find_server_key(plaintext: str | None) -> ApiKey | None:
    """Return the live server key matching plaintext, with its site, or None."""
    if not looks_like_server_key(plaintext):
        return None
    digest = _server_digest(plaintext)
    key = db.session.scalar(
        select(ApiKey).where(ApiKey.lookup == digest[:16]).options(joinedload(ApiKey.site))
    )
    if key is None or key.revoked_at is not None or key.role != Role.SERVER:
        return None
    if not hmac.compare_digest(key.secret_hash, digest):
        return None
    return key


def is_site_key(plaintext: str | None) -> bool:
    """Say whether plaintext is a live public site key (to name the fix when one is misused)."""
    key = find_key(plaintext)
    return key is not None and key.role == Role.SITE


SITE_KEY_MISUSED = (
    "This is the site's public key (it is in every article page). Server-to-"
    "server calls need the site's secret server key: `modctl key create --site "
    "<site id>` or POST /v1/admin/sites/<site id>/server-keys."
)


def revoke(key: ApiKey) -> None:
    key.revoked_at = key.revoked_at or utcnow()


@dataclass
class Principal:
    """Who is calling: a moderator or admin token."""

    key_id: int
    name: str
    role: str
    site_id: int | None  # None: every site

    def can_access_site(self, site_id: int) -> bool:
        return self.site_id is None or self.site_id == site_id


def has_ops_token() -> bool:
    """Whether the request carries the ops token (METRICS_TOKEN) as its Bearer token."""
    token = current_app.config["METRICS_TOKEN"]
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return None


def require_role(*roles: Role, sites: Callable[..., Iterable[int]] | None = None):
    """Guard a view: a valid Bearer token of one of roles, set as g.principal."""
    # Placed above flask-smorest's decorators, the guard refuses a caller (401, 403) before
    # the input is read (400, 422). sites(**view_args) names the sites the request acts on,
    # so a token scoped to another site is refused as early.

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            key = find_key(bearer_token())
            if key is None or key.role not in (Role.MODERATOR, Role.ADMIN):
                abort(
                    401,
                    message="A moderator or admin token is required (Authorization: Bearer ...).",
                )
            if key.role not in roles:
                abort(403, message=f"This needs the {' or '.join(roles)} role.")
            g.principal = Principal(key.id, key.name, key.role, key.site_id)
            if sites is not None and key.site_id is not None:
                for site_id in sites(**kwargs):
                    check_site_access(site_id)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def check_site_access(site_id: int | None) -> None:
    """Refuse a site-scoped token acting on another site, or on every site (site_id None)."""
    if site_id is None and g.principal.site_id is not None:
        abort(
            403,
            message=f"This token is scoped to site {g.principal.site_id}: it cannot act "
            f"on every site (name site_id {g.principal.site_id}).",
        )
    if site_id is not None and not g.principal.can_access_site(site_id):
        abort(403, message="This token is scoped to another site.")
