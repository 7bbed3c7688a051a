"""The decision rules as a pure function: evidence and settings in, status and reasons out."""

import pytest

from service.models import Status
from service.site_settings import DEFAULTS
from workers.policy import Evidence, decide


def settings(**overrides):
    return {**DEFAULTS, **overrides}


def test_a_clean_comment_is_approved_in_auto_mode():
    assert decide(Evidence(scores={"toxicity": 0.1}), settings()).status == Status.APPROVED


@pytest.mark.parametrize(
    "score, status",
    [(0.49, Status.APPROVED), (0.5, Status.HELD), (0.89, Status.HELD), (0.9, Status.REJECTED)],
)
def test_toxicity_thresholds_hold_then_reject(score, status):
    decision = decide(Evidence(scores={"toxicity": score}), settings())
    assert decision.status == status
    assert decision.reasons == ([] if status == Status.APPROVED else ["TOXIC:toxicity"])


def test_every_label_over_its_threshold_is_a_reason():
    decision = decide(Evidence(scores={"toxicity": 0.6, "insult": 0.7, "threat": 0.1}), settings())
    assert decision.status == Status.HELD
    assert decision.reasons == ["TOXIC:toxicity", "TOXIC:insult"]


def test_per_label_thresholds_come_from_settings():
    strict = settings(thresholds={"threat": {"hold": 0.05, "reject": 0.2}})
    assert decide(Evidence(scores={"threat": 0.1}), strict).status == Status.HELD
    assert decide(Evidence(scores={"threat": 0.1}), settings()).status == Status.APPROVED


def test_pre_moderation_holds_everything_clean_and_says_who_asked_for_it():
    decision = decide(Evidence(scores={"toxicity": 0.0}), settings(moderation_mode="pre"))
    assert (decision.status, decision.reasons) == (Status.HELD, ["PREMOD_SITE"])
    by_article = decide(
        Evidence(scores={"toxicity": 0.0}), settings(moderation_mode="pre"), article_mode="pre"
    )
    assert (by_article.status, by_article.reasons) == (Status.HELD, ["PREMOD_ARTICLE"])


def test_post_moderation_publishes_clean_and_holds_what_auto_would_reject():
    post = settings(moderation_mode="post")
    assert decide(Evidence(scores={"toxicity": 0.1}), post).status == Status.APPROVED
    assert decide(Evidence(scores={"toxicity": 0.95}), post).status == Status.HELD


@pytest.mark.parametrize(
    "action, status, discard",
    [
        ("reject", Status.REJECTED, False),
        ("spam", Status.SPAM, False),
        ("discard", Status.SPAM, True),
    ],
)
def test_spam_verdicts_decide_before_toxicity(action, status, discard):
    decision = decide(
        Evidence(scores={"toxicity": 0.0}, spam_action=action, spam_reasons=["SPAM"]), settings()
    )
    assert (decision.status, decision.discard, decision.reasons) == (status, discard, ["SPAM"])


def test_a_spam_hold_is_held_with_the_spam_reasons():
    decision = decide(Evidence(scores={}, spam_action="hold", spam_reasons=["LINKS"]), settings())
    assert (decision.status, decision.reasons) == (Status.HELD, ["LINKS"])


def test_trusted_authors_skip_soft_spam_holds_but_not_toxicity():
    trusted = dict(approved_before=3)
    soft = Evidence(scores={}, spam_action="hold", spam_reasons=["LINKS"], **trusted)
    decision = decide(soft, settings())
    assert (decision.status, decision.reasons) == (Status.APPROVED, ["TRUSTED_AUTHOR"])
    assert decide(Evidence(scores={"toxicity": 0.95}, **trusted), settings()).status == (
        Status.REJECTED
    )
    assert decide(Evidence(scores={}, spam_action="spam", **trusted), settings()).status == (
        Status.SPAM
    )


def test_new_authors_are_held_when_the_site_asks():
    asks = settings(hold_new_authors=True)
    assert decide(Evidence(scores={}), asks).reasons == ["NEW_AUTHOR"]
    assert decide(Evidence(scores={}, approved_before=1), asks).status == Status.APPROVED


def test_an_unsupported_language_goes_to_a_human():
    decision = decide(Evidence(scores={}, language_supported=False), settings())
    assert (decision.status, decision.reasons) == (Status.HELD, ["LANG_UNSUPPORTED"])
