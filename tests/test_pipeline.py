"""The whole pipeline with a real Celery worker, the real Redis and a tiny Detoxify checkpoint."""

import json

from sqlalchemy import func

from service.models import Comment, ModerationEvent, Status
from service.queue import CLASSIFY_TASK, send
from service.site_settings import effective_settings
from tests.conftest import wait_until
from workers.policy import Evidence, decide


def decided(db, comment_id):
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    return comment if comment.status != Status.PENDING else None


def events(db, comment_id):
    return db.session.scalars(
        db.select(ModerationEvent).where(ModerationEvent.comment_id == comment_id)
    ).all()


def test_a_posted_comment_is_scored_decided_and_audited(worker, make, db):
    _, key = make.site()
    comment_id = make.post_comment(
        key, body="Thanks for the clear report. I learned a lot."
    ).get_json()["id"]
    comment = wait_until(lambda: decided(db, comment_id))
    # The status the policy gives the stored scores: a new author's clean, supported comment.
    expected = decide(Evidence(scores=comment.scores), effective_settings(comment.site))
    assert (comment.status, comment.reasons) == (expected.status, expected.reasons)
    assert set(comment.scores) == {
        "toxicity",
        "severe_toxicity",
        "obscene",
        "threat",
        "insult",
        "identity_attack",
    }
    assert all(0.0 <= v <= 1.0 for v in comment.scores.values())
    assert comment.model_name and comment.model_version and comment.language == "en"
    # TOXICITY_SPANS=flagged (the default): a comment under every hold has no sentence scores.
    assert comment.status == Status.APPROVED and comment.spans == []
    [event] = events(db, comment_id)
    assert (event.actor, event.from_status, event.to_status) == (
        "system",
        "pending",
        comment.status,
    )


def test_the_policy_uses_the_sites_thresholds(worker, make, db):
    never = {
        label: {"hold": 1.0, "reject": 1.0}
        for label in (
            "toxicity",
            "severe_toxicity",
            "obscene",
            "threat",
            "insult",
            "identity_attack",
        )
    }
    always = {label: {"hold": 0.0, "reject": 1.0} for label in never}
    _, lenient_key = make.site(name="Lenient", settings={"thresholds": never})
    _, strict_key = make.site(
        name="Strict",
        origins=["https://strict.example"],
        settings={"thresholds": always, "moderation_mode": "post"},
    )
    lenient = make.post_comment(lenient_key, body="An ordinary remark.").get_json()["id"]
    strict = make.post_comment(strict_key, body="An ordinary remark.").get_json()["id"]
    assert wait_until(lambda: decided(db, lenient)).status == Status.APPROVED
    held = wait_until(lambda: decided(db, strict))
    assert held.status == Status.HELD and "TOXIC:toxicity" in held.reasons


def test_premoderated_articles_hold_everything(worker, make, db):
    from service.admin_ops import upsert_article

    site, key = make.site()
    upsert_article(site, "premod", moderation_mode="pre")
    comment_id = make.post_comment(key, article="premod", body="Hello.").get_json()["id"]
    comment = wait_until(lambda: decided(db, comment_id))
    assert (comment.status, comment.reasons) == (Status.HELD, ["PREMOD_ARTICLE"])


def test_spam_is_decided_by_the_spam_stage_without_a_toxicity_score(worker, make, db):
    _, key = make.site(settings={"disallowed_keys": ["cheap-pills.example"]})
    comment_id = make.post_comment(
        key, body="Buy now at http://cheap-pills.example today"
    ).get_json()["id"]
    comment = wait_until(lambda: decided(db, comment_id))
    assert comment.status == Status.SPAM and "DISALLOWED_KEY" in comment.reasons
    assert comment.scores == {}


def test_a_redelivered_message_changes_nothing(worker, make, db):
    _, key = make.site()
    comment_id = make.post_comment(key, body="Only decided once.").get_json()["id"]
    first = wait_until(lambda: decided(db, comment_id))
    assert send(CLASSIFY_TASK, [comment_id])
    marker = make.post_comment(key, body="A later comment.").get_json()["id"]
    wait_until(lambda: decided(db, marker))  # the worker has handled the duplicate by now
    assert len(events(db, comment_id)) == 1
    assert decided(db, comment_id).version == first.version


def test_the_sweeper_sends_comments_the_broker_never_got(worker, make, db):
    from service.queue import breaker

    _, key = make.site()
    breaker.open_until = float("inf")  # intake sees the broker as down and skips it
    try:
        comment_id = make.post_comment(key, body="Lost on the way to the broker.").get_json()["id"]
    finally:
        breaker.open_until = 0
    assert db.session.get(Comment, comment_id).enqueued_at is None
    comment = wait_until(lambda: decided(db, comment_id), timeout=30)
    assert comment.attempts == 1  # sent once, by the sweeper
    assert len(events(db, comment_id)) == 1


def test_a_burst_is_classified_in_micro_batches_and_all_decided(worker, make, db):
    _, key = make.site(settings={"flood_seconds": 0})
    ids = [
        make.post_comment(key, body=f"Comment number {n} on the budget debate.").get_json()["id"]
        for n in range(40)
    ]
    wait_until(
        lambda: (
            db.session.scalar(
                db.select(func.count(Comment.id)).where(
                    Comment.id.in_(ids), Comment.status != Status.PENDING
                )
            )
            == len(ids)
        ),
        timeout=60,
    )
    assert db.session.scalar(
        db.select(func.count(ModerationEvent.id)).where(ModerationEvent.comment_id.in_(ids))
    ) == len(ids)
    sizes = [
        json.loads(line)["size"]
        for line in worker.log_path.read_text().splitlines()
        if '"classify.batch"' in line
    ]
    assert sum(sizes) >= len(ids) and max(sizes) > 1


def test_moderator_decisions_train_the_sites_spam_model(worker, make, db, client):
    from service.models import SpamModelState
    from workers.classifiers.spam import SpamModel

    site, key = make.site(settings={"moderation_mode": "pre", "flood_seconds": 0})
    texts = {
        True: "Cheap replica watches, best price, visit my shop now!!!",
        False: "The council should publish the cycling survey data.",
    }
    ids = {
        label: make.post_comment(key, body=text).get_json()["id"] for label, text in texts.items()
    }
    for comment_id in ids.values():
        wait_until(lambda cid=comment_id: decided(db, cid))
    moderator = {"Authorization": f"Bearer {make.token()}"}
    for is_spam, comment_id in ids.items():
        version = db.session.get(Comment, comment_id).version
        response = client.post(
            f"/v1/moderation/comments/{comment_id}/decision",
            headers=moderator,
            json={"action": "spam" if is_spam else "approve", "version": version},
        )
        assert response.status_code == 200

    def trained():
        db.session.expire_all()
        state = db.session.get(SpamModelState, site.id)
        return state if state and state.examples >= 2 else None

    state = wait_until(trained, timeout=30)
    model = SpamModel.from_bytes(state.state)
    spam_p, ham_p = model.predict_proba([texts[True], texts[False]])
    assert spam_p > ham_p


def classify_with_flagged_spans(db, tiny_model, site, bodies: dict) -> dict:
    """Classify pending comments ({article: {name: body}}) in-process with the tiny model
    under TOXICITY_SPANS=flagged; return each one, decided, by name."""
    from service.admin_ops import upsert_article
    from service.config import DEFAULTS
    from workers import pipeline
    from workers.classifiers import toxicity

    checkpoint, hf_dir = tiny_model
    settings = {
        **DEFAULTS,
        "TOXICITY_CHECKPOINT": str(checkpoint),
        "TOXICITY_HF_CONFIG": str(hf_dir),
        "TOXICITY_FAST_PATH": "off",
        "TOXICITY_SPANS": "flagged",
    }
    model = toxicity.load_toxicity_model(toxicity.ToxicitySettings.from_config(settings))
    ids = {}
    for external_id, named in bodies.items():
        article = (
            upsert_article(site, external_id)
            if external_id != "premoderated"
            else (upsert_article(site, external_id, moderation_mode="pre"))
        )
        for name, body in named.items():  # pending, as intake leaves them (no message sent)
            comment = Comment(
                site_id=site.id,
                article_id=article.id,
                author_name="Reader",
                author_email=f"{name}@mail.example",
                body=body,
                ip="10.0.0.9",
                status=Status.PENDING,
                flag_count=0,
            )
            db.session.add(comment)
            db.session.commit()
            ids[name] = comment.id
    toxicity.set_active_model(model)
    try:
        assert pipeline.classify_batch(list(ids.values())) == len(ids)
    finally:
        toxicity.set_active_model(None)
    return {name: decided(db, comment_id) for name, comment_id in ids.items()}


def test_flagged_spans_follow_the_sites_hold_thresholds(db, make, tiny_model):
    """TOXICITY_SPANS=flagged: the pipeline scores sentences only for comments over a hold."""
    site, _ = make.site()
    found = classify_with_flagged_spans(
        db,
        tiny_model,
        site,
        {
            "flagged-spans": {
                "rude": "Nice work. You are an idiot.",
                "polite": "I agree. We should talk.",
            }
        },
    )

    rude, polite = found["rude"], found["polite"]
    assert rude.status == Status.HELD and "TOXIC:insult" in rude.reasons
    assert [rude.body[s["begin"] : s["end"]] for s in rude.spans] == [
        "Nice work.",
        "You are an idiot.",
    ]
    assert polite.status == Status.APPROVED and polite.spans == []


def test_a_comment_held_for_another_reason_still_gets_its_sentence_scores(db, make, tiny_model):
    """TOXICITY_SPANS=flagged: held comments always carry sentence scores (review page and
    statement of reasons), even when no label reached a threshold."""
    site, _ = make.site()
    text = "I agree. We should talk."
    found = classify_with_flagged_spans(
        db, tiny_model, site, {"premoderated": {"held": text}, "open": {"published": text}}
    )

    held, published = found["held"], found["published"]
    assert held.status == Status.HELD and held.reasons == ["PREMOD_ARTICLE"]
    assert [held.body[s["begin"] : s["end"]] for s in held.spans] == ["I agree.", "We should talk."]
    assert published.status == Status.APPROVED and published.spans == []
