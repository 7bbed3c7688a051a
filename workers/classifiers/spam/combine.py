"""Combine signals and the learned model into one spam probability, then an action."""

import math
from collections.abc import Mapping
from typing import Any

from ..reasons import Reason, SpamAction
from .rules import RuleHits

# Most comments are not spam: with no evidence at all a comment scores ~5 %.
PRIOR = -3.0
# The learned model's log-odds, capped: it can tip a comment either way and clear a comment of
# a few weak content signals, but not outvote bot or flood evidence (a new spam campaign's text
# can look like nothing the model has seen, hence like ordinary comments).
MODEL_MAX = 6.0
MODEL_MIN = -2.0
# The model's case for spam counts at this share. Its log-odds come from the site's past
# comments, and on new content (a new video, a new article) it is surer than it is right: this
# share puts the default discard point (0.9) where, on inner splits of real comments (one
# video's decisions learned, another's judged), at most 1% of not-spam was discarded (0.6%
# at 0.6; 1.6% unscaled), against 0.42 of spam. What it no longer discards it still holds:
# the hold point (0.5, log-odds 0) does not move. See bench/spam_real.py.
MODEL_SPAM_SCALE = 0.6
# A model trained on a handful of decisions is mostly noise: ramp its weight up to full.
MODEL_RAMP_EXAMPLES = 30
# Trusted authors (enough approved comments) keep a quarter of each soft signal.
TRUST_DAMPING = 0.25
# Proof of a bot, not a judgement call: trust does not soften it.
UNDAMPED = frozenset({Reason.HONEYPOT})
# Evidence below this is listed in signals but is not worth a moderator's attention.
REASON_MIN = 0.5


def _sigmoid(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))


def contributions(
    evidence: Mapping[str, float],
    *,
    model_logit: float | None = None,
    model_examples: int = 0,
    trusted: bool = False,
    learned: frozenset[str] = frozenset(),
) -> dict[str, float]:
    """Return each signal's contribution to the spam log-odds, the prior and the model included.

    learned names the signals the model has seen in the site's feedback: it weighs them as the
    site's moderators did, so as it ramps up their fixed weights give way (counted twice, a
    signal that means little on a site, SHOUTING on a music video, flagged its comments).
    """
    ramp = min(1.0, model_examples / MODEL_RAMP_EXAMPLES) if model_logit is not None else 0.0
    found = {"PRIOR": PRIOR}
    for name, weight in evidence.items():
        soft = weight > 0 and name not in UNDAMPED
        if name in learned and soft:
            weight *= 1.0 - ramp
        found[name] = weight * TRUST_DAMPING if trusted and soft else weight
    if model_logit is not None:
        weight = ramp
        # The model learned from this site's spam and not-spam weighed alike: its log-odds
        # already say how likely spam is here, so as it ramps up it takes the prior's place.
        found["PRIOR"] = PRIOR * (1.0 - weight)
        logit = max(MODEL_MIN, min(MODEL_MAX, model_logit)) * weight
        logit = logit * MODEL_SPAM_SCALE if logit > 0 else logit
        found["LEARNED_MODEL"] = logit * TRUST_DAMPING if trusted and logit > 0 else logit
    return found


def probability(found: Mapping[str, float]) -> float:
    """Return the spam probability that the contributions add up to."""
    return _sigmoid(sum(found.values()))


def choose_action(
    rules: RuleHits,
    found: Mapping[str, float],
    spam_probability: float,
    settings: Mapping[str, Any],
) -> tuple[SpamAction, list[str]]:
    """Return the action for a comment and the reasons, most decisive first."""
    reasons = []
    if rules.banned_words:
        reasons.append(Reason.BANNED_WORD)
    if rules.disallowed_keys:
        reasons.append(Reason.DISALLOWED_KEY)
    if Reason.HONEYPOT in found:
        reasons.append(Reason.HONEYPOT)
    if rules.moderation_keys:
        reasons.append(Reason.MODERATION_KEY)
    if rules.suspect_words:
        reasons.append(Reason.SUSPECT_WORD)
    if rules.too_many_links:
        reasons.append(Reason.LINKS)
    evidence = sorted(
        (
            (weight, name)
            for name, weight in found.items()
            if name not in ("PRIOR", Reason.HONEYPOT)
        ),
        reverse=True,
    )
    reasons += [name for weight, name in evidence if weight >= REASON_MIN and name not in reasons]

    if rules.banned_words:
        action = SpamAction.REJECT
    elif rules.disallowed_keys or Reason.HONEYPOT in found:
        action = SpamAction.SPAM
    elif spam_probability >= float(settings["spam_discard"]):
        action = SpamAction.DISCARD
    elif (
        spam_probability >= float(settings["spam_hold"])
        or rules.too_many_links
        or Reason.SPAM_WAVE in found  # a flood goes to a moderator even when each copy looks fine
        or rules.moderation_keys
        or rules.suspect_words
    ):
        action = SpamAction.HOLD
    else:
        action = SpamAction.PASS
    return action, reasons
