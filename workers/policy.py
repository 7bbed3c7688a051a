"""The decision rules: scores, spam verdict and settings in, a status with reasons out."""

from dataclasses import dataclass, field
from typing import Any

from service.models import ModerationMode, Status


@dataclass
class Decision:
    status: Status
    reasons: list[str] = field(default_factory=list)
    discard: bool = False  # blatant spam: kept for audit, not shown in the review queue


@dataclass
class Evidence:
    """What the classifiers found about one comment."""

    scores: dict[str, float]
    spam_action: str = "pass"  # pass | hold | spam | discard | reject
    spam_reasons: list[str] = field(default_factory=list)
    language_supported: bool = True
    approved_before: int = 0  # the author's approved comments on this site
    reported: bool = False


def decide(evidence: Evidence, settings: dict[str, Any]) -> Decision:
    """Decide one comment: reject, spam, hold or approve, with the reasons why."""
    if evidence.spam_action == "reject":
        return Decision(Status.REJECTED, evidence.spam_reasons)
    if evidence.spam_action in ("spam", "discard"):
        return Decision(Status.SPAM, evidence.spam_reasons,
                        discard=evidence.spam_action == "discard")

    trusted = evidence.approved_before >= settings["trust_after"] > 0
    mode = settings["moderation_mode"]
    reasons: list[str] = []
    reject = False
    for label, limits in settings["thresholds"].items():
        score = evidence.scores.get(label)
        if score is None:
            continue
        if score >= limits["reject"]:
            reasons.append(f"TOXIC:{label}")
            reject = True
        elif score >= limits["hold"]:
            reasons.append(f"TOXIC:{label}")
    # Post-moderation publishes unless flagged, and leaves every flagged comment to a human.
    if reject and mode == ModerationMode.AUTO:
        return Decision(Status.REJECTED, reasons)

    if not evidence.language_supported:
        reasons.append("LANG_UNSUPPORTED")
    if evidence.spam_action == "hold" and not trusted:
        reasons.extend(evidence.spam_reasons)
    if evidence.reported:
        reasons.append("REPORTED")
    if reasons:
        return Decision(Status.HELD, reasons)

    if mode == ModerationMode.PRE:
        return Decision(Status.HELD, ["PREMOD_ARTICLE"])
    if settings["hold_new_authors"] and evidence.approved_before == 0:
        return Decision(Status.HELD, ["NEW_AUTHOR"])
    return Decision(Status.APPROVED, ["TRUSTED_AUTHOR"] if trusted else [])
