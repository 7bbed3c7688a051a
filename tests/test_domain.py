"""The domain's transitions called directly: what each writes, and what each refuses."""

import pytest

from service import domain
from service.models import (
    Article,
    Comment,
    Flag,
    ModerationEvent,
    SpamFeedback,
    Status,
    utcnow,
)

ALICE = domain.Actor("alice", None)
BOB = domain.Actor("bob", None)
ADMIN = domain.Actor("root", None, is_admin=True)


@pytest.fixture
def site(make):
    return make.site()[0]


@pytest.fixture
def comment(db, site):
    return add_comment(db, site)


def add_comment(db, site, status=Status.HELD, **fields):
    article = db.session.scalar(db.select(Article).where(Article.site_id == site.id)) or Article(
        site_id=site.id, external_id="a-1"
    )
    comment = Comment(
        site_id=site.id,
        article=article,
        body="A remark.",
        status=status,
        author_email="reader@mail.example",
        ip="203.0.113.9",
        **fields,
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def trail(db, comment_id):
    return [
        (e.actor, e.action, e.from_status, e.to_status)
        for e in db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.comment_id == comment_id)
            .order_by(ModerationEvent.id)
        )
    ]


def test_a_decision_changes_status_and_version_and_is_audited(db, comment):
    decided = domain.moderate(comment, "approve", "fine", comment.version, ALICE)
    assert (decided.status, decided.version) == (Status.APPROVED, 2)
    assert trail(db, comment.id) == [("alice", "approve", "held", "approved")]


def test_a_stale_version_is_refused_and_says_where_the_comment_is(db, comment):
    with pytest.raises(domain.StaleVersion) as refused:
        domain.moderate(comment, "reject", "", comment.version + 1, ALICE)
    assert refused.value.errors == {"current": {"status": "held", "version": 1}}
    assert trail(db, comment.id) == []


def test_the_second_of_two_decisions_on_one_version_loses(db, comment):
    domain.moderate(comment, "reject", "", 1, ALICE)
    with pytest.raises(domain.StaleVersion, match="now rejected at version 2"):
        domain.moderate(comment, "approve", "", 1, BOB)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == Status.REJECTED
    assert [e[1] for e in trail(db, comment.id)] == ["reject"]


def test_a_spam_decision_records_a_label_for_the_sites_model(db, comment):
    domain.moderate(comment, "spam", "", 1, ALICE)
    [label] = db.session.scalars(db.select(SpamFeedback)).all()
    assert (label.comment_id, label.is_spam, label.text) == (comment.id, True, "A remark.")


def test_a_claim_keeps_other_moderators_from_deciding_until_released(db, comment):
    domain.claim(comment, ALICE, ttl_s=60)
    with pytest.raises(domain.ClaimedByOther, match="Claimed by alice until"):
        domain.moderate(comment, "approve", "", comment.version, BOB)
    with pytest.raises(domain.ClaimedByOther):
        domain.claim(comment, BOB, ttl_s=60)
    with pytest.raises(domain.NotClaimant, match="Only alice or an admin"):
        domain.release(comment, BOB)
    domain.release(comment, ADMIN)
    assert domain.moderate(comment, "approve", "", comment.version, BOB).status == Status.APPROVED
    assert [e[:2] for e in trail(db, comment.id)] == [("alice", "claim"), ("bob", "approve")]


def test_a_flag_reports_a_published_comment_once_per_reader(db, site):
    published = add_comment(db, site, status=Status.APPROVED)
    flag = domain.flag(site.id, published.id, "spam", "an advert", reporter="r1")
    assert (flag.comment_id, flag.reason) == (published.id, "spam")
    db.session.expire_all()
    reported = db.session.get(Comment, published.id)
    assert (reported.reported, reported.flag_count, reported.reasons) == (True, 1, ["REPORTED"])
    assert trail(db, published.id) == [("reader", "flag", "approved", "approved")]
    with pytest.raises(domain.InvalidTransition, match="already reported"):
        domain.flag(site.id, published.id, "abuse", "", reporter="r1")
    assert domain.flag(site.id, published.id, "abuse", "", reporter="r2").reason == "abuse"


@pytest.mark.parametrize("which", ["held", "other site", "missing"])
def test_only_published_comments_of_the_site_can_be_flagged(db, make, site, which):
    other = make.site(name="Other", origins=["https://other.example"])[0]
    target = {
        "held": lambda: add_comment(db, site).id,
        "other site": lambda: add_comment(db, other, status=Status.APPROVED).id,
        "missing": lambda: 10**6,
    }[which]()
    with pytest.raises(domain.NotFound):
        domain.flag(site.id, target, "spam", "", reporter="r1")
    assert db.session.scalars(db.select(Flag)).all() == []


def test_erasure_anonymises_and_audits_and_lifts_replies(db, site, comment):
    reply = add_comment(db, site, status=Status.APPROVED, parent_id=comment.id)
    note = Flag(comment_id=comment.id, reason="abuse", note="quotes the text", reporter="r1")
    db.session.add(note)
    db.session.commit()
    outside = domain.erase([comment], [note], [], [], ADMIN, before_commit=lambda: 7)
    assert outside == 7
    db.session.expire_all()
    erased = db.session.get(Comment, comment.id)
    assert (erased.body, erased.author_email, erased.ip, erased.status) == (
        domain.ERASED,
        "",
        "",
        Status.DELETED,
    )
    assert db.session.get(Comment, reply.id).parent_id is None
    assert db.session.get(Flag, note.id).note == ""
    assert trail(db, comment.id) == [("root", "erase", "held", "deleted")]


def test_an_erasure_that_fails_outside_the_database_erases_nothing(db, comment):
    def redis_down():
        raise RuntimeError("Redis is down")

    with pytest.raises(RuntimeError):
        domain.erase([comment], [], [], [], ADMIN, before_commit=redis_down)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "A remark."
    assert trail(db, comment.id) == []


def test_an_erasure_racing_a_decision_is_refused_whole(db, site, comment):
    second = add_comment(db, site)
    db.session.execute(
        db.update(Comment)
        .where(Comment.id == second.id)
        .values(version=Comment.version + 1)  # decided since it was read
        .execution_options(synchronize_session=False)
    )
    with pytest.raises(domain.StaleVersion, match=f"Comment {second.id} changed"):
        domain.erase([comment, second], [], [], [], ADMIN, before_commit=lambda: 0)
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).body == "A remark."


def test_spam_feedback_is_recorded_once_per_label(db, comment):
    domain.record_spam_feedback(comment, True, ALICE)
    domain.record_spam_feedback(comment, True, ALICE)
    domain.record_spam_feedback(comment, False, ALICE)
    labels = db.session.scalars(db.select(SpamFeedback.is_spam).order_by(SpamFeedback.id)).all()
    assert labels == [True, False]
    assert [e[1] for e in trail(db, comment.id)] == ["spam-feedback"] * 2


def test_a_classification_is_written_once_for_a_pending_comment(db, site):
    # enqueued_at keeps a running sweeper (which re-sends pending comments) away meanwhile.
    pending = add_comment(
        db, site, status=Status.PENDING, created_at=utcnow(), enqueued_at=utcnow()
    )
    result = domain.Classification(
        status=Status.HELD,
        reasons=["LINKS"],
        discarded=False,
        spam_probability=0.6,
        model_name="m",
        model_version="1",
    )
    assert domain.record_classification(pending, result) is True
    assert domain.record_classification(pending, result) is False  # redelivered: no change
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Comment, pending.id).status == Status.HELD
    assert trail(db, pending.id) == [("system", "classify", "pending", "held")]
