"""Admin operations shared by the admin API and the modctl CLI."""

from sqlalchemy.exc import IntegrityError

from service.auth import NameTaken, create_key, create_server_key
from service.extensions import db
from service.models import ApiKey, Article, Role, Site


def create_site(name: str, origins: list[str], settings: dict | None = None) -> tuple[Site, str]:
    """Create a site with its first public site key; return both (the key is shown once)."""
    site = Site(name=name, origins=origins, settings=settings or {})
    db.session.add(site)
    db.session.flush()
    _, site_key = create_key(Role.SITE, site.id, name=f"{name} widget", suffix_if_taken=True)
    db.session.commit()
    return site, site_key


def create_token(role: Role, site_id: int | None = None, name: str = "") -> tuple[int, str]:
    """Create a moderator/admin token (site-scoped when site_id is given); return (id, token).

    Raise NameTaken when a key or token has that name already.
    """
    key, token = create_key(role, site_id, name=name)
    return commit_named(key), token


def issue_server_key(
    site_id: int, name: str = "", browser_origins: list[str] | None = None
) -> tuple[int, str]:
    """Create a secret server key for a site; return (id, key), the key shown once.

    Raise NameTaken when a key or token has that name already.
    """
    key, plaintext = create_server_key(site_id, name)
    key.browser_origins = browser_origins or None
    return commit_named(key), plaintext


def commit_named(key: ApiKey) -> int:
    """Commit a new key; return its id."""
    try:
        db.session.commit()
    except IntegrityError:  # the same name created concurrently: the unique index decides
        db.session.rollback()
        raise NameTaken(key.name) from None
    return key.id


def checked_browser_origins(site: Site, origins: list[str]) -> tuple[list[str], list[str]]:
    """Return (the origins normalised, the problems): each must be one of the site's origins."""
    from service.api.common import normalize_origin, origin_allowed

    kept, problems = [], []
    for origin in origins:
        if not normalize_origin(origin):
            problems.append(f"{origin!r} is not an origin (scheme://host[:port]).")
        elif not origin_allowed(site, origin):
            problems.append(f"{normalize_origin(origin)} is not one of the site's origins.")
        else:
            kept.append(normalize_origin(origin))
    return sorted(set(kept)), problems


def upsert_article(site: Site, external_id: str, **fields) -> Article:
    article = db.session.scalar(
        db.select(Article).where(Article.site_id == site.id, Article.external_id == external_id)
    )
    if article is None:
        article = Article(site_id=site.id, external_id=external_id)
        db.session.add(article)
    for name, value in fields.items():
        setattr(article, name, value)
    db.session.commit()
    return article
