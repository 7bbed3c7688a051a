"""The decision rules: scores, spam verdict and settings in, a status with reasons out."""

from dataclasses import dataclass, field
from typing import Any

from service.models import ModerationMode, Status
from workers.classifiers.reasons import Reason, SpamAction, toxic


@dataclass
class Decision:
    """The policy's decision on one comment (a moderator's is service.domain.moderate)."""

    status: Status
    reasons: list[str] = field(default_factory=list)
    discard: bool = False  # blatant spam: kept for audit, not shown in the review queue


@dataclass
class Evidence:
    """What the classifiers found about one comment."""

    scores: dict[str, float]
    spam_action: SpamAction = SpamAction.PASS
    spam_reasons: list[str] = field(default_factory=list)
    language_supported: bool = True
    approved_before: int = 0  # the author's approved comments on this site
    standing: str = "none"  # the moderators' standing of the author: service.domain.Standing


def decide(
    evidence: Evidence, settings: dict[str, Any], article_mode: str | None = None
) -> Decision:
    """Decide one comment: reject, spam, hold or approve, with the reasons why.

    article_mode: the article's own moderation mode, if it sets one (settings hold the result).
    """
    # A ban is the site's own decision on the person, whatever the comment says.
    if evidence.standing == "banned":
        return Decision(Status.REJECTED, [Reason.BANNED_AUTHOR])
    if evidence.spam_action == SpamAction.REJECT:
        return Decision(Status.REJECTED, evidence.spam_reasons)
    if evidence.spam_action in (SpamAction.SPAM, SpamAction.DISCARD):
        return Decision(
            Status.SPAM, evidence.spam_reasons, discard=evidence.spam_action == SpamAction.DISCARD
        )

    vouched = evidence.standing == "trusted"  # by a moderator: no pre-moderation either
    trusted = vouched or evidence.approved_before >= settings["trust_after"] > 0
    mode = settings["moderation_mode"]
    reasons: list[str] = []
    reject = False
    for label, limits in settings["thresholds"].items():
        score = evidence.scores.get(label)
        if score is None:
            continue
        if score >= limits["reject"]:
            reasons.append(toxic(label))
            reject = True
        elif score >= limits["hold"]:
            reasons.append(toxic(label))
    # Post-moderation publishes unless flagged, and leaves every flagged comment to a human.
    if reject and mode == ModerationMode.AUTO:
        return Decision(Status.REJECTED, reasons)

    if not evidence.language_supported:
        reasons.append(Reason.LANG_UNSUPPORTED)
    if evidence.spam_action == SpamAction.HOLD and not trusted:
        reasons.extend(evidence.spam_reasons)
    if evidence.standing == "held":
        reasons.append(Reason.HELD_AUTHOR)
    if reasons:
        return Decision(Status.HELD, reasons)

    if vouched:
        return Decision(Status.APPROVED, [Reason.TRUSTED_AUTHOR])
    if mode == ModerationMode.PRE:
        premod = Reason.PREMOD_ARTICLE if article_mode == ModerationMode.PRE else Reason.PREMOD_SITE
        return Decision(Status.HELD, [premod])
    if settings["hold_new_authors"] and evidence.approved_before == 0:
        return Decision(Status.HELD, [Reason.NEW_AUTHOR])
    return Decision(Status.APPROVED, [Reason.TRUSTED_AUTHOR] if trusted else [])
