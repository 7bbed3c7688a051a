"""Toxicity thresholds that fit a site: suggested from its moderators' decisions."""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from service.extensions import db
from service.models import Action, Comment, ModerationEvent, SettingsChange, Site, Status, utcnow
from service.site_settings import LABELS, effective_settings

# Auto-rejections moderators would have agreed with at least this often.
REJECT_AGREEMENT = 0.95
# A hold threshold sends moderators at least this share of the comments they rejected.
HOLD_RECALL = 0.98
# Fewer decisions than these say too little about a site's taste to move its thresholds.
MIN_DECISIONS = 50
MIN_REJECTED = 10
MIN_AUTO_REJECTED = 5  # a reject threshold must rest on at least this many decisions over it
GRID = [round(i / 100, 2) for i in range(5, 100)]  # thresholds tried: 0.05 .. 0.99
# The decisions that teach thresholds (spam decisions are the spam stage's lesson). An appeal's
# outcome is the comment's final decision: overturned is approved; upheld counts as rejected
# where the comment stays rejected (upholding a hold or a spam verdict decides nothing about
# toxicity). A hold undoes a decision: no decision on that comment for now.
TEACHING = (Action.APPROVE, Action.REJECT, Action.APPEAL_OVERTURNED, Action.HOLD)
REJECTING = (Action.REJECT, Action.APPEAL_UPHELD)


class TooFewDecisions(Exception):
    """The site's moderators have not decided enough scored comments to suggest from."""

    def __init__(self, decisions: int, rejected: int):
        self.decisions, self.rejected = decisions, rejected
        super().__init__(
            f"A suggestion needs at least {MIN_DECISIONS} moderator decisions on scored comments, "
            f"{MIN_REJECTED} of them rejections; this site has {decisions} ({rejected} rejected) "
            "in the period."
        )


@dataclass
class Decision:
    scores: dict[str, float]
    rejected: bool


def moderator_decisions(site_id: int, days: int) -> list[Decision]:
    """Return the latest approve/reject of a moderator on each scored comment of the last days."""
    since = utcnow() - timedelta(days=days)
    latest = (
        select(func.max(ModerationEvent.id))
        .join(Comment, Comment.id == ModerationEvent.comment_id)
        .where(
            Comment.site_id == site_id,
            ModerationEvent.created_at >= since,
            ModerationEvent.action.in_(TEACHING)
            | (
                (ModerationEvent.action == Action.APPEAL_UPHELD)
                & (ModerationEvent.to_status == Status.REJECTED)
            ),
        )
        .group_by(ModerationEvent.comment_id)
    )
    rows = db.session.execute(
        select(Comment.scores, ModerationEvent.action)
        .join(ModerationEvent, ModerationEvent.comment_id == Comment.id)
        .where(ModerationEvent.id.in_(latest), ModerationEvent.action != Action.HOLD)
    ).all()
    return [
        Decision({k: float(v) for k, v in scores.items()}, action in REJECTING)
        for scores, action in rows
        if scores
    ]


def reject_threshold(label: str, decisions: list[Decision]) -> tuple[float, int, float] | None:
    """Return the lowest threshold whose auto-rejections moderators agreed with enough, with
    how many decisions lie over it and the agreement; None if no threshold qualifies."""
    scored = [(d.scores[label], d.rejected) for d in decisions if label in d.scores]
    for threshold in GRID:
        over = [rejected for score, rejected in scored if score >= threshold]
        if len(over) >= MIN_AUTO_REJECTED and sum(over) / len(over) >= REJECT_AGREEMENT:
            return threshold, len(over), sum(over) / len(over)
    return None


def hold_threshold(label: str, decisions: list[Decision], ceiling: float) -> float | None:
    """Return the highest threshold (at most ceiling) that holds HOLD_RECALL of the rejected
    comments this label explains best (their highest score is on this label)."""
    explained = sorted(
        d.scores[label]
        for d in decisions
        if d.rejected and d.scores and max(d.scores, key=d.scores.get) == label
    )
    if len(explained) < MIN_AUTO_REJECTED:
        return None
    missed = int(len(explained) * (1 - HOLD_RECALL))  # rejected comments allowed below the hold
    return min(ceiling, next((t for t in reversed(GRID) if t <= explained[missed]), GRID[0]))


def outcome(scores: dict[str, float], thresholds: dict[str, dict]) -> str:
    """Return what the thresholds alone would do with a comment's scores."""
    if any(scores.get(label, 0.0) >= limits["reject"] for label, limits in thresholds.items()):
        return "rejected"
    if any(scores.get(label, 0.0) >= limits["hold"] for label, limits in thresholds.items()):
        return "held"
    return "approved"


def expected_effect(site_id: int, days: int, current: dict, suggested: dict) -> dict[str, Any]:
    """Count how the site's scored comments of the last days would have gone differently."""
    since = utcnow() - timedelta(days=days)
    scores = db.session.scalars(
        select(Comment.scores).where(Comment.site_id == site_id, Comment.created_at >= since)
    ).all()
    changes: dict[str, int] = {}
    totals = {
        "current": dict.fromkeys(("approved", "held", "rejected"), 0),
        "suggested": dict.fromkeys(("approved", "held", "rejected"), 0),
    }
    for row in scores:
        if not row:
            continue
        before, after = outcome(row, current), outcome(row, suggested)
        totals["current"][before] += 1
        totals["suggested"][after] += 1
        if before != after:
            changes[f"{before}->{after}"] = changes.get(f"{before}->{after}", 0) + 1
    return {
        "days": days,
        "comments": sum(totals["current"].values()),
        "totals": totals,
        "changes": changes,
        "changed": sum(changes.values()),
    }


def suggest(site: Site, days: int) -> dict[str, Any]:
    """Return the thresholds that would have matched the site's moderators over the last days."""
    decisions = moderator_decisions(site.id, days)
    rejected = sum(d.rejected for d in decisions)
    if len(decisions) < MIN_DECISIONS or rejected < MIN_REJECTED:
        raise TooFewDecisions(len(decisions), rejected)
    current = effective_settings(site)["thresholds"]
    thresholds, labels = {}, {}
    for label in LABELS:
        limits = dict(current.get(label) or {"hold": 1.0, "reject": 1.0})
        found = reject_threshold(label, decisions)
        if found is None:
            labels[label] = {
                "suggested": False,
                "reason": "no threshold whose auto-rejections "
                f"moderators agreed with {REJECT_AGREEMENT:.0%} of the time",
            }
        else:
            reject, over, agreement = found
            hold = hold_threshold(label, decisions, reject)
            limits = {
                "hold": hold if hold is not None else min(limits["hold"], reject),
                "reject": reject,
            }
            labels[label] = {
                "suggested": True,
                "decisions_over_reject": over,
                "agreement": round(agreement, 4),
                "hold_from_rejections": hold is not None,
            }
        thresholds[label] = limits
    return {
        "site_id": site.id,
        "days": days,
        "decisions": len(decisions),
        "rejected": rejected,
        "current": current,
        "thresholds": thresholds,
        "labels": labels,
        "effect": expected_effect(site.id, days, current, thresholds),
    }


def apply_suggestion(site: Site, days: int, actor: str) -> SettingsChange:
    """Set the site's thresholds to the suggestion and record who did it and what it rested on."""
    suggestion = suggest(site, days)
    before = {"thresholds": (site.settings or {}).get("thresholds")}
    site.settings = {**(site.settings or {}), "thresholds": suggestion["thresholds"]}
    change = SettingsChange(
        site_id=site.id,
        actor=actor,
        kind="threshold-suggestion",
        before=before,
        after={"thresholds": suggestion["thresholds"]},
        basis={key: suggestion[key] for key in ("days", "decisions", "rejected", "effect")},
    )
    db.session.add(change)
    db.session.commit()
    return change
