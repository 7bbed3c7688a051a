"""Who changes a comment: a moderator's token, a reader, or the service itself."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    name: str  # as the audit trail records it: the token's name, "reader" or "system"
    key_id: int | None = None  # the token that acted; None for the service and readers
    is_admin: bool = False


SYSTEM = Actor("system")
READER = Actor("reader")
AUTHOR = Actor("author")  # the comment's author, holding its status token
