"""The learn task fits a site's model on its feedback, and no one source can swamp it."""

import math
from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from service.models import SpamFeedback
from workers.classifiers.spam import SPAM_DEFAULTS, SpamInput, SpamModel, combine
from workers.classifiers.spam.signals import comment_evidence
from workers.tasks import BURST_FLOOR, feedback_weights, train_site_model

SPAM = "Cheap replica watches and pills, order {n} today at my shop"
HAM = "The council vote on the library budget {n} was delayed again"
HOUR = datetime(2026, 11, 2, 9, 0)


def taught(site_id: int, source: str, n: int, at: datetime = HOUR) -> list[SpamFeedback]:
    """n spam and n not-spam decisions of one source, as moderators make them."""
    return [
        SpamFeedback(
            site_id=site_id,
            is_spam=is_spam,
            source=source,
            created_at=at,
            text=(SPAM if is_spam else HAM).format(n=i),
        )
        for i in range(n)
        for is_spam in (True, False)
    ]


def poison(site_id: int, source: str, n: int, at: datetime = HOUR) -> list[SpamFeedback]:
    """2n submissions that call spam not spam and the reverse, as a leaked key could send."""
    return [
        SpamFeedback(
            site_id=site_id,
            is_spam=not is_spam,
            source=source,
            created_at=at,
            text=(SPAM if is_spam else HAM).format(n=1000 + i),
        )
        for i in range(n)
        for is_spam in (True, False)
    ]


def test_one_flooding_key_cannot_undo_what_the_moderators_taught(db, make):
    site, _ = make.site()
    db.session.add_all(taught(site.id, "moderator:1", 60) + poison(site.id, "akismet:7", 1500))
    db.session.commit()
    model, _ = train_site_model(site.id)
    probe = SPAM.format(n="x")
    assert model.spam_logit(probe) > 0 > model.spam_logit(HAM.format(n="x"))
    # Without the cap the flood wins: the same feedback, every decision weighing one.
    rows = db.session.scalars(db.select(SpamFeedback)).all()
    uncapped = SpamModel.fit([r.text for r in rows], [r.is_spam for r in rows])
    assert uncapped.spam_logit(probe) < 0


def test_a_burst_weighs_no_more_than_the_rest_of_its_own_source():
    steady = [SimpleNamespace(source="akismet:7", created_at=HOUR + timedelta(hours=h))
              for h in range(400)]  # fmt: skip
    burst = [SimpleNamespace(source="akismet:7", created_at=HOUR - timedelta(hours=1))] * 5000
    weights = feedback_weights(steady + burst)
    steady_weight, burst_weight = sum(weights[:400]), sum(weights[400:])
    assert burst_weight == pytest.approx(steady_weight)  # capped at the rest: 400 decisions


@pytest.mark.parametrize("sizes", [(10, 10), (BURST_FLOOR, 3), (BURST_FLOOR, 50, 7)])
def test_sources_within_their_caps_all_weigh_one(sizes):
    feedback = [SimpleNamespace(source=f"moderator:{i}", created_at=HOUR)
                for i, size in enumerate(sizes) for _ in range(size)]  # fmt: skip
    assert feedback_weights(feedback) == pytest.approx([1.0] * len(feedback))


def test_the_learn_task_refits_only_when_new_feedback_came(db, make):
    site, _ = make.site()
    assert train_site_model(site.id) is None  # no feedback at all
    rows = taught(site.id, "moderator:1", 5)
    db.session.add_all(rows)
    db.session.commit()
    model, last_id = train_site_model(site.id)
    assert (model.examples, last_id) == (10, rows[-1].id)
    for row in rows:
        row.learned = True
    db.session.commit()
    assert train_site_model(site.id) is None


def test_a_signal_the_model_learned_gives_way_to_it_and_an_unseen_one_keeps_its_weight():
    evidence = {"SHOUTING": 0.6, "LINK_RATIO": 1.0}
    found = combine.contributions(
        evidence, model_logit=-1.0, model_examples=1000, learned=frozenset({"SHOUTING"})
    )
    assert (found["SHOUTING"], found["LINK_RATIO"]) == (0.0, 1.0)
    # Half ramped up, the model has half the say over what it learned.
    half = combine.contributions(
        evidence, model_logit=-1.0, model_examples=15, learned=frozenset({"SHOUTING"})
    )
    assert half["SHOUTING"] == pytest.approx(0.3)


def test_a_model_knows_which_signals_its_feedback_showed_it():
    shouting = SpamInput(site_id=1, article_id=None, body="BUY CHEAP WATCHES NOW AT MY SHOP TODAY")
    quiet = [SpamInput(site_id=1, article_id=None, body=HAM.format(n=i)) for i in range(5)]
    model = SpamModel.fit([shouting, *quiet], [True] + [False] * 5)
    evidence = comment_evidence(shouting, min_submit_s=3)
    assert "SHOUTING" in evidence
    assert model.learned_signals({**evidence, "HONEYPOT": 9.0}) == frozenset(evidence)


@pytest.mark.parametrize("model_logit", [0.2, 2.0, 50.0])
def test_the_model_alone_moves_a_comment_to_hold_but_discards_only_when_sure(model_logit):
    found = combine.contributions({}, model_logit=model_logit, model_examples=1000)
    probability = combine.probability(found)
    assert probability > 0.5  # the hold point does not move
    discards = probability >= SPAM_DEFAULTS["spam_discard"]
    assert discards == (model_logit * combine.MODEL_SPAM_SCALE >= math.log(0.9 / 0.1))


def test_a_decision_never_weighs_more_than_one_however_others_are_capped():
    # A flood capped to a sliver must not lend its weight to the moderators' own rare n-grams:
    # the same moderators' decisions, with and without a capped flood of unrelated texts, give
    # the moderators' probe the same sign and nearly the same log-odds.
    ours = taught(1, "moderator:1", 60)
    flood = [
        SpamFeedback(
            site_id=1,
            is_spam=i % 2 == 0,
            source="akismet:7",
            created_at=HOUR,
            text=f"unrelated words {i} of a flood",
        )
        for i in range(3000)
    ]
    rows = ours + flood
    weights = feedback_weights(rows)
    alone = SpamModel.fit([r.text for r in ours], [r.is_spam for r in ours])
    beside = SpamModel.fit([r.text for r in rows], [r.is_spam for r in rows], weights)
    probe = SPAM.format(n="x")
    assert beside.spam_logit(probe) == pytest.approx(alone.spam_logit(probe), rel=0.25)
