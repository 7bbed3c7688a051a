"""API keys: creation (shown once), hashed storage, constant-time checks, role guards."""

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import g, request
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


def create_key(role: Role, site_id: int | None = None, name: str = "", *,
               suffix_if_taken: bool = False) -> tuple[ApiKey, str]:
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
        name = f"{name[:200 - len(lookup) - 1]} {lookup}"
    key = ApiKey(role=role, site_id=site_id, name=name, lookup=lookup,
                 secret_hash=_hash(plaintext))
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


def revoke(key: ApiKey) -> None:
    key.revoked_at = utcnow()


@dataclass
class Principal:
    """Who is calling: a moderator or admin token."""

    key_id: int
    name: str
    role: str
    site_id: int | None  # None: every site

    def can_access_site(self, site_id: int) -> bool:
        return self.site_id is None or self.site_id == site_id


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
            if key is None or key.role == Role.SITE:
                abort(401, message="A moderator or admin token is required "
                                   "(Authorization: Bearer ...).")
            if key.role not in roles:
                abort(403, message=f"This needs the {' or '.join(roles)} role.")
            g.principal = Principal(key.id, key.name, key.role, key.site_id)
            if sites is not None and key.site_id is not None:
                for site_id in sites(**kwargs):
                    check_site_access(site_id)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def check_site_access(site_id: int) -> None:
    """Refuse a site-scoped token acting on another site."""
    if not g.principal.can_access_site(site_id):
        abort(403, message="This token is scoped to another site.")
