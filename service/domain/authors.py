"""An author's standing on a site (an email): trusted, always held or banned, set and lifted by
moderators, every change and note on the author's audit trail; the policy reads it."""

import enum

from sqlalchemy.exc import IntegrityError

from service.domain.actors import Actor
from service.domain.errors import InvalidTransition
from service.extensions import db
from service.models import Action, AuthorEvent, AuthorStanding, utcnow


class Standing(enum.StrEnum):
    NONE = "none"  # the site's ordinary rules
    TRUSTED = "trusted"  # skips pre-moderation and the new-author hold
    HELD = "held"  # every new comment waits for a moderator
    BANNED = "banned"  # every new comment is rejected, saying why


def author_key(email: str) -> str:
    return email.strip().lower()


def standing_of(site_id: int, email: str) -> Standing:
    row = db.session.scalar(
        db.select(AuthorStanding.standing).where(
            AuthorStanding.site_id == site_id, AuthorStanding.email == author_key(email)
        )
    )
    return Standing(row) if row else Standing.NONE


def standings(pairs: set[tuple[int, str]]) -> dict[tuple[int, str], Standing]:
    """Return the standing of each (site_id, email) that has one, in one query."""
    emails = {author_key(email) for _, email in pairs if email}
    if not emails:
        return {}
    rows = db.session.execute(
        db.select(AuthorStanding.site_id, AuthorStanding.email, AuthorStanding.standing).where(
            AuthorStanding.email.in_(emails)
        )
    ).all()
    return {(site_id, email): Standing(standing) for site_id, email, standing in rows}


def _known_author(email: str) -> str:
    if not author_key(email):
        raise InvalidTransition(
            "This comment gives no email: its author cannot be told from "
            "others, so no standing can be set for them."
        )
    return author_key(email)


def set_standing(site_id: int, email: str, standing: Standing, note: str, actor: Actor) -> Standing:
    """Trust, always hold, ban or return an author to the site's ordinary rules, audited."""
    email = _known_author(email)
    row = db.session.scalar(
        db.select(AuthorStanding)
        .where(AuthorStanding.site_id == site_id, AuthorStanding.email == email)
        .with_for_update()
    )
    before = Standing(row.standing) if row else Standing.NONE
    if before == standing:
        raise InvalidTransition(f"This author's standing is {standing} already.")
    if standing == Standing.NONE:
        db.session.delete(row)
    elif row is None:
        db.session.add(
            AuthorStanding(site_id=site_id, email=email, standing=standing, updated_by=actor.name)
        )
    else:
        row.standing, row.updated_by, row.updated_at = standing, actor.name, utcnow()
    db.session.add(
        AuthorEvent(
            site_id=site_id,
            email=email,
            actor=actor.name,
            actor_id=actor.key_id,
            action=Action.STANDING,
            from_standing=before,
            to_standing=standing,
            note=note,
        )
    )
    try:
        db.session.commit()
    except IntegrityError:  # another moderator set a first standing for them at the same time
        db.session.rollback()
        raise InvalidTransition(
            "Another moderator changed this author's standing just now; reload the author panel."
        ) from None
    return standing


def add_note(site_id: int, email: str, note: str, actor: Actor) -> AuthorEvent:
    """Add a moderator's note on an author, for the other moderators."""
    email = _known_author(email)
    standing = standing_of(site_id, email)
    event = AuthorEvent(
        site_id=site_id,
        email=email,
        actor=actor.name,
        actor_id=actor.key_id,
        action=Action.NOTE,
        from_standing=standing,
        to_standing=standing,
        note=note,
    )
    db.session.add(event)
    db.session.commit()
    return event


def author_records(
    email: str, site_id: int | None
) -> tuple[list[AuthorStanding], list[AuthorEvent]]:
    """Return what moderators recorded about an author: standings and their trail with notes
    (on one site, or every site when site_id is None), for export and erasure."""
    key = author_key(email)
    standing_rows = db.select(AuthorStanding).where(AuthorStanding.email == key)
    event_rows = db.select(AuthorEvent).where(AuthorEvent.email == key)
    if site_id is not None:
        standing_rows = standing_rows.where(AuthorStanding.site_id == site_id)
        event_rows = event_rows.where(AuthorEvent.site_id == site_id)
    return (
        list(db.session.scalars(standing_rows.order_by(AuthorStanding.id))),
        list(db.session.scalars(event_rows.order_by(AuthorEvent.id))),
    )
