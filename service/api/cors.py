"""CORS for the reader-facing API: a site's own origins may call it from their pages."""

from flask import g, request

from service.api.common import normalize_origin, origin_allowed, site_key_from_request
from service.auth import find_key
from service.extensions import db
from service.models import Role, Site
from service.site_cache import site_cache


def cors_for_sites(response):
    """Let a site's own origins call the reader-facing API from the browser."""
    origin = request.headers.get("Origin")
    if not origin or not request.path.startswith(("/v1/articles/", "/v1/comments/")):
        return response
    site = g.get("site")
    if site is None and response.status_code == 429:
        site = _site_of_key()  # so that the reader's page can read why it was refused
    allowed = (
        origin_allowed(site, origin)
        if site is not None
        else (request.method == "OPTIONS" and _any_site_allows(origin))
    )
    if allowed:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Content-Type, X-Site-Key, X-Status-Token"
        )
        response.headers["Access-Control-Max-Age"] = "600"
        response.headers["Access-Control-Expose-Headers"] = "Retry-After, Location"
    response.vary.add("Origin")
    return response


def _any_site_allows(origin: str) -> bool:
    wanted = normalize_origin(origin)
    return any(
        wanted in {normalize_origin(o) for o in origins or []}
        for origins in db.session.scalars(db.select(Site.origins))
    )


def _site_of_key() -> Site | None:
    """Return the site of the request's key: the rate limiter answers before any view finds it."""
    plaintext = site_key_from_request()
    if not plaintext:
        return None
    site = site_cache().get(plaintext)
    if site is None:
        key = find_key(plaintext, with_site=True)
        site = key.site if key is not None and key.role == Role.SITE else None
    return site
