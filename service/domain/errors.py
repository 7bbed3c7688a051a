"""Why a state change was refused: the domain's errors, which service/errors.py maps to HTTP."""


class DomainError(Exception):
    """A refused state change; message is what the caller is told, errors any details."""

    def __init__(self, message: str, errors: dict | None = None):
        super().__init__(message)
        self.message, self.errors = message, errors


class NotFound(DomainError):
    """No such comment (or none the caller may act on)."""


class StaleVersion(DomainError):
    """The comment changed since the caller read it: the optimistic lock refused the change."""


class ClaimedByOther(DomainError):
    """Another moderator holds an unexpired claim on the comment."""


class NotClaimant(DomainError):
    """Only the claimant (or an admin) may release a claim."""


class InvalidTransition(DomainError):
    """The change makes no sense from the comment's current state (e.g. flagged twice)."""


class NotAllowed(DomainError):
    """The caller may not make this change (e.g. decide the appeal of their own decision)."""


class LimitReached(DomainError):
    """Too many of these at once (e.g. open appeals of one author); retry_after in seconds."""

    def __init__(self, message: str, retry_after: int = 3600):
        super().__init__(message)
        self.retry_after = retry_after
