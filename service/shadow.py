"""Shadow policies: a candidate settings diff decides every new comment too, changing nothing."""

from collections import Counter
from typing import Any

from sqlalchemy import func, select

from service.domain.decisions import FINAL_DECISIONS
from service.extensions import db
from service.models import (
    Action,
    Comment,
    ModerationEvent,
    SettingsChange,
    ShadowDecision,
    ShadowPolicy,
    Site,
    utcnow,
)
from service.site_settings import _merge

RUNNING, PROMOTED, STOPPED = "running", "promoted", "stopped"
EXAMPLES = 3  # example comments per kind of disagreement


class ShadowConflict(Exception):
    """The policy is not in a state that allows this (one running per site; end once)."""


def start(site: Site, settings: dict, actor: str) -> ShadowPolicy:
    """Start a candidate policy for a site; refuse a second one while one runs."""
    running = db.session.scalar(
        select(ShadowPolicy).where(ShadowPolicy.site_id == site.id, ShadowPolicy.status == RUNNING)
    )
    if running is not None:
        raise ShadowConflict(
            f"Shadow policy {running.id} is already running on this site: promote or stop it first."
        )
    policy = ShadowPolicy(site_id=site.id, settings=settings, status=RUNNING, started_by=actor)
    db.session.add(policy)
    db.session.commit()
    return policy


def running_policies(site_ids: set[int]) -> dict[int, ShadowPolicy]:
    """Return the running candidate policy of each site that has one."""
    if not site_ids:
        return {}
    rows = db.session.scalars(
        select(ShadowPolicy).where(
            ShadowPolicy.site_id.in_(site_ids), ShadowPolicy.status == RUNNING
        )
    ).all()
    return {policy.site_id: policy for policy in rows}


def candidate_settings(live: dict, policy: ShadowPolicy) -> dict:
    """Return the live settings with the candidate's diff merged over them."""
    return _merge(live, policy.settings)


def end(policy: ShadowPolicy, actor: str, *, promote: bool) -> ShadowPolicy:
    """Stop a running policy, or promote it: its diff becomes the site's settings, audited."""
    if policy.status != RUNNING:
        raise ShadowConflict(f"Shadow policy {policy.id} is already {policy.status}.")
    policy.status, policy.ended_by, policy.ended_at = (
        (PROMOTED if promote else STOPPED),
        actor,
        utcnow(),
    )
    if promote:
        site = db.session.get(Site, policy.site_id)
        before = {key: (site.settings or {}).get(key) for key in policy.settings}
        site.settings = _merge(site.settings or {}, policy.settings)
        db.session.add(
            SettingsChange(
                site_id=site.id,
                actor=actor,
                kind="shadow-promotion",
                before=before,
                after=dict(policy.settings),
                basis={"shadow_policy_id": policy.id, "report": report(policy, examples=0)},
            )
        )
    db.session.commit()
    return policy


def final_decisions(comment_ids: list[int]) -> dict[int, str]:
    """Return the status a moderator last set on each comment that a moderator decided."""
    if not comment_ids:
        return {}
    latest = (
        select(func.max(ModerationEvent.id))
        .where(
            ModerationEvent.comment_id.in_(comment_ids),
            # A hold undoes a decision (back to Held: not final any more).
            ModerationEvent.action.in_((*FINAL_DECISIONS, Action.HOLD)),
        )
        .group_by(ModerationEvent.comment_id)
    )
    rows = db.session.execute(
        select(ModerationEvent.comment_id, ModerationEvent.to_status).where(
            ModerationEvent.id.in_(latest), ModerationEvent.action != Action.HOLD
        )
    ).all()
    return {comment_id: str(status) for comment_id, status in rows}


def _share(moderated: list[tuple], agrees) -> float | None:
    if not moderated:
        return None
    return round(sum(agrees(final, d) for final, _, d in moderated) / len(moderated), 4)


def _confusion(pairs: list[tuple[str, str]]) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for (row, column), count in Counter(pairs).items():
        table.setdefault(row, {})[column] = count
    return table


def report(policy: ShadowPolicy, examples: int = EXAMPLES) -> dict[str, Any]:
    """Compare the candidate's decisions with the live policy's and the moderators' final ones."""
    decisions = db.session.scalars(
        select(ShadowDecision)
        .where(ShadowDecision.policy_id == policy.id)
        .order_by(ShadowDecision.id)
    ).all()
    finals = final_decisions([d.comment_id for d in decisions])
    live_pairs = [(d.live_status, d.shadow_status) for d in decisions]
    moderated = [
        (finals[d.comment_id], d.shadow_status, d) for d in decisions if d.comment_id in finals
    ]
    disagreements: dict[str, list[dict]] = {}
    if examples:
        wanted = [d for d in decisions if d.live_status != d.shadow_status]
        bodies = (
            dict(
                db.session.execute(
                    select(Comment.id, Comment.body).where(
                        Comment.id.in_([d.comment_id for d in wanted])
                    )
                ).all()
            )
            if wanted
            else {}
        )
        for d in wanted:
            group = disagreements.setdefault(f"{d.live_status}->{d.shadow_status}", [])
            if len(group) < examples:
                group.append(
                    {
                        "comment_id": d.comment_id,
                        "body": bodies.get(d.comment_id, "")[:300],
                        "final": finals.get(d.comment_id),
                        "shadow_reasons": d.shadow_reasons,
                    }
                )
    return {
        "policy_id": policy.id,
        "status": policy.status,
        "settings": policy.settings,
        "comments": len(decisions),
        "agreement_with_live": (
            round(sum(a == b for a, b in live_pairs) / len(decisions), 4) if decisions else None
        ),
        "live_vs_shadow": _confusion(live_pairs),
        "moderated": len(moderated),
        # Beside the live policy's own agreement, on the same comments: the case for promoting.
        "agreement_with_moderators": _share(moderated, lambda final, d: d.shadow_status == final),
        "live_agreement_with_moderators": _share(
            moderated, lambda final, d: d.live_status == final
        ),
        "left_to_moderators": sum(d.shadow_status == "held" for _, _, d in moderated),
        "moderators_vs_shadow": _confusion([(final, shadow) for final, shadow, _ in moderated]),
        "examples": disagreements,
    }
