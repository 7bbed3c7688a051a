"""Every change of a comment's state, one function per transition, for views and tasks alike.

Each transition applies its conditional update, adds its audit event (and spam feedback,
webhooks, metrics where they apply) and commits; a refused change raises a DomainError
(service/domain/errors.py), which service/errors.py maps to the API's error shape.
"""

from service.domain.actors import AUTHOR, READER, SYSTEM, Actor
from service.domain.appeals import AppealLimits, appeal, decide_appeal
from service.domain.audit import find_comment
from service.domain.authors import Standing, add_note, author_records, set_standing, standings
from service.domain.claims import claim, release
from service.domain.classification import Classification, hold_unclassifiable, record_classification
from service.domain.decisions import MODERATOR_ACTIONS, moderate
from service.domain.erasure import ERASED, erase
from service.domain.errors import (
    ClaimedByOther,
    DomainError,
    InvalidTransition,
    LimitReached,
    NotAllowed,
    NotClaimant,
    NotFound,
    StaleVersion,
)
from service.domain.feedback import record_spam_feedback, record_spam_submission
from service.domain.flags import flag
from service.domain.reports import dismiss_reports, reopen_reports

__all__ = [
    "AUTHOR",
    "AppealLimits",
    "LimitReached",
    "NotAllowed",
    "appeal",
    "decide_appeal",
    "ERASED",
    "MODERATOR_ACTIONS",
    "READER",
    "SYSTEM",
    "Actor",
    "ClaimedByOther",
    "Standing",
    "add_note",
    "author_records",
    "set_standing",
    "standings",
    "Classification",
    "DomainError",
    "InvalidTransition",
    "NotClaimant",
    "NotFound",
    "StaleVersion",
    "claim",
    "dismiss_reports",
    "erase",
    "find_comment",
    "flag",
    "hold_unclassifiable",
    "moderate",
    "record_classification",
    "record_spam_feedback",
    "record_spam_submission",
    "release",
    "reopen_reports",
]
