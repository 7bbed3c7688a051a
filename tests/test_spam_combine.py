"""The combiner: evidence adds up in log-odds, trust damps it, thresholds pick the action."""

import math

import pytest

from workers.classifiers.spam import SpamInput, check_spam, combine
from workers.classifiers.spam.rules import RuleHits

SETTINGS = {"spam_hold": 0.5, "spam_discard": 0.9}


def logit(p: float) -> float:
    return math.log(p / (1 - p))


def test_contributions_sum_to_the_verdicts_log_odds():
    item = SpamInput(
        site_id=1,
        article_id=1,
        body="Cheap pills at https://bit.ly/x now",
        author_email="a@mailinator.com",
        render_elapsed_s=0.5,
    )
    verdict = check_spam(item, {})
    assert verdict.signals["PRIOR"] < 0
    assert sum(verdict.signals.values()) == pytest.approx(logit(verdict.probability), abs=1e-3)


@pytest.mark.parametrize(
    ("evidence", "action"),
    [
        ({}, "pass"),
        ({"X": 2.9}, "pass"),  # just under even odds after the prior
        ({"X": 3.0}, "hold"),  # p = 0.5
        ({"X": 5.1}, "hold"),
        ({"X": 5.3}, "discard"),  # p > 0.9
    ],
)
def test_probability_thresholds_pick_the_action(evidence, action):
    found = combine.contributions(evidence)
    verdict_action, _ = combine.choose_action(
        RuleHits(), found, combine.probability(found), SETTINGS
    )
    assert verdict_action == action


def test_a_site_can_move_its_thresholds():
    found = combine.contributions({"X": 4.0})
    probability = combine.probability(found)
    assert combine.choose_action(RuleHits(), found, probability, SETTINGS)[0] == "hold"
    assert (
        combine.choose_action(
            RuleHits(), found, probability, {"spam_hold": 0.5, "spam_discard": 0.7}
        )[0]
        == "discard"
    )


def test_a_spam_wave_is_held_even_when_its_probability_is_low():
    found = combine.contributions({"SPAM_WAVE": 1.0})
    assert combine.probability(found) < 0.5
    probability = combine.probability(found)
    assert combine.choose_action(RuleHits(), found, probability, SETTINGS)[0] == "hold"


def test_reasons_list_rules_first_then_evidence_by_weight_and_skip_trifles():
    found = combine.contributions({"SHOUTING": 0.4, "TOO_FAST": 4.0, "SPAM_TLD": 1.5})
    rules = RuleHits(moderation_keys=["x"], too_many_links=True)
    _, reasons = combine.choose_action(rules, found, combine.probability(found), SETTINGS)
    assert reasons == ["MODERATION_KEY", "LINKS", "TOO_FAST", "SPAM_TLD"]


def test_trust_damps_soft_evidence_but_not_evidence_for_the_author():
    evidence = {"TOO_FAST": 4.0, "SPAM_TLD": 1.5}
    plain = combine.contributions(evidence)
    trusted = combine.contributions(evidence, trusted=True)
    assert combine.probability(trusted) < combine.probability(plain)
    assert trusted["TOO_FAST"] == pytest.approx(4.0 * combine.TRUST_DAMPING)
    # Evidence that a comment is fine is kept whole.
    assert combine.contributions({"LEARNED": -2.0}, trusted=True)["LEARNED"] == -2.0


def test_trusted_authors_pass_where_new_authors_are_held():
    body = "GREAT POST!!!!!! Read the full report at https://bit.ly/3abc before the vote"
    item = dict(site_id=1, article_id=1, body=body, user_agent="Mozilla/5.0", render_elapsed_s=2.0)
    new = check_spam(SpamInput(**item), {"trust_after": 3})
    trusted = check_spam(SpamInput(**item, approved_before=3), {"trust_after": 3})
    assert new.action in ("hold", "discard")
    assert trusted.action == "pass"
    assert trusted.probability < new.probability


def test_pingbacks_never_earn_trust():
    body = "GREAT POST!!!!!! Read the full report at https://bit.ly/3abc before the vote"
    item = dict(site_id=1, article_id=1, body=body, render_elapsed_s=2.0, approved_before=10)
    ping = check_spam(SpamInput(**item, comment_type="pingback"), {})
    comment = check_spam(SpamInput(**item), {})
    assert ping.probability > comment.probability


@pytest.mark.parametrize(
    ("model_logit", "expected"),
    [
        (50.0, combine.MODEL_MAX * combine.MODEL_SPAM_SCALE),
        (-50.0, combine.MODEL_MIN),
        (1.5, 1.5 * combine.MODEL_SPAM_SCALE),
    ],
)
def test_the_model_is_capped_so_it_cannot_outvote_everything(model_logit, expected):
    found = combine.contributions({}, model_logit=model_logit, model_examples=1000)
    assert found["LEARNED_MODEL"] == pytest.approx(expected)


def test_a_barely_trained_model_has_little_say():
    few = combine.contributions({}, model_logit=4.0, model_examples=3)["LEARNED_MODEL"]
    many = combine.contributions({}, model_logit=4.0, model_examples=300)["LEARNED_MODEL"]
    assert 0 < few < many == pytest.approx(4.0 * combine.MODEL_SPAM_SCALE)
