"""GDPR: an admin exports, then erases, everything stored about one email address."""

import pytest

from service.models import Article, Comment, Flag, ModerationEvent, SpamFeedback, Status

PERSON = "Ann.Reader@Mail.Example"


@pytest.fixture
def world(make, db):
    """Two of Ann's comments (one flagged, one with spam feedback), a reply to her, and Bob's."""
    site, key = make.site()
    article = Article(site_id=site.id, external_id="a-1")
    db.session.add(article)
    db.session.flush()

    def comment(**fields):
        # Written directly, not posted: a running worker must not race the fixture's statuses.
        row = Comment(site_id=site.id, article_id=article.id, **fields)
        db.session.add(row)
        db.session.flush()
        return row

    ann = [comment(author_name="Ann", author_email=PERSON.lower(), ip="10.0.0.7",
                   author_url="https://ann.example", user_agent="AnnBrowser/1.0",
                   referrer="https://news.example/a-1", signals={"honeypot": "x"},
                   body=f"Ann's opinion number {i}.", status=status)
           for i, status in ((1, Status.APPROVED), (2, Status.PENDING))]
    reply = comment(author_name="Bob", author_email="bob@mail.example", ip="10.0.0.8",
                    body="I disagree with Ann.", parent_id=ann[0].id, status=Status.APPROVED)
    db.session.add(Flag(comment_id=ann[0].id, reason="abuse", note="She wrote: Ann's opinion",
                        reporter="r1"))
    db.session.add(SpamFeedback(site_id=site.id, comment_id=ann[1].id, is_spam=True,
                                source="moderator", text="Ann's opinion number 2."))
    db.session.add(SpamFeedback(site_id=site.id, is_spam=True, source="akismet",
                                text="Ann's opinion number 2."))  # sent without a comment id
    db.session.add(ModerationEvent(comment_id=ann[0].id, actor="system", action="classify",
                                   from_status="pending", to_status="approved"))
    db.session.commit()
    return {"site": site, "key": key, "ann": [c.id for c in ann], "reply": reply.id,
            "admin": make.token("admin"), "moderator": make.token("moderator")}


def call(client, token, action, **body):
    return client.post(f"/v1/admin/privacy/{action}", json=body,
                       headers={"Authorization": f"Bearer {token}"})


def test_export_holds_every_comment_with_its_trail_flags_and_feedback(client, world):
    response = call(client, world["admin"], "export", email=PERSON)
    assert response.status_code == 200
    data = response.get_json()
    assert data["email"] == PERSON.lower()
    assert [c["id"] for c in data["comments"]] == world["ann"]
    first, second = data["comments"]
    assert first["body"] == "Ann's opinion number 1." and first["ip"] == "10.0.0.7"
    assert first["author_url"] == "https://ann.example" and first["user_agent"] == "AnnBrowser/1.0"
    assert first["site"]["id"] == world["site"].id and first["article"]["external_id"] == "a-1"
    assert [e["action"] for e in first["events"]] == ["classify"]
    assert [f["reason"] for f in first["flags"]] == ["abuse"]
    assert [f["source"] for f in second["spam_feedback"]] == ["moderator"]
    assert [f["source"] for f in data["spam_feedback"]] == ["akismet"]
    assert "I disagree with Ann." not in response.get_data(as_text=True)  # Bob's, not hers


def test_erase_anonymises_her_comments_and_keeps_the_audit_trail(client, db, world):
    response = call(client, world["admin"], "erase", email=PERSON)
    assert response.status_code == 200
    report = response.get_json()
    assert report["comment_ids"] == world["ann"] and report["comments_erased"] == 2
    assert report["events_added"] == 2 and report["flag_notes_cleared"] == 1
    assert report["spam_feedback_erased"] == 2 and report["actions"] and report["retained"]

    db.session.expire_all()
    for comment_id in world["ann"]:
        comment = db.session.get(Comment, comment_id)
        assert (comment.author_name, comment.author_email, comment.author_url, comment.ip,
                comment.user_agent, comment.referrer, comment.body, comment.status) == (
            "", "", "", "", "", "", "[erased]", Status.DELETED)
        assert comment.signals == {} and comment.spans == []
        events = db.session.scalars(db.select(ModerationEvent).where(
            ModerationEvent.comment_id == comment_id).order_by(ModerationEvent.id)).all()
        erase = events[-1]
        assert erase.action == "erase" and erase.to_status == Status.DELETED
        # The trail stays a chain: the erasure starts where the previous event left the comment.
        assert erase.from_status == (events[-2].to_status if len(events) > 1 else Status.PENDING)
    assert db.session.scalar(db.select(Flag.note)) == ""
    assert set(db.session.scalars(db.select(SpamFeedback.text))) == {"[erased]"}
    assert all(db.session.scalars(db.select(SpamFeedback.learned)))  # never trained on it
    reply = db.session.get(Comment, world["reply"])
    assert reply.body == "I disagree with Ann." and reply.parent_id == world["ann"][0]

    export = call(client, world["admin"], "export", email=PERSON).get_json()
    assert export["comments"] == [] and export["spam_feedback"] == []
    again = call(client, world["admin"], "erase", email=PERSON).get_json()
    assert again["comments_erased"] == 0


def test_an_erased_comment_leaves_the_public_thread(client, db, world):
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": world["key"]})
    assert "Ann's opinion number 1." in thread.get_data(as_text=True)
    call(client, world["admin"], "erase", email=PERSON)
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": world["key"]})
    assert "Ann" not in thread.get_data(as_text=True) and thread.get_json()["items"] == []


def test_a_dry_run_reports_and_changes_nothing(client, db, world):
    report = call(client, world["admin"], "erase", email=PERSON, dry_run=True).get_json()
    assert report["dry_run"] is True and report["comments_erased"] == 2
    assert report["events_added"] == 0
    db.session.expire_all()
    assert db.session.get(Comment, world["ann"][0]).body == "Ann's opinion number 1."


def test_a_site_scoped_admin_erases_only_on_their_site(client, make, db, world):
    other_site, other_key = make.site(name="Other", origins=["https://other.example"])
    elsewhere = make.post_comment(other_key, author_email=PERSON, body="Ann elsewhere.")
    scoped_admin = make.token("admin", site_id=other_site.id)
    report = call(client, scoped_admin, "erase", email=PERSON).get_json()
    assert report["comment_ids"] == [elsewhere.get_json()["id"]]
    db.session.expire_all()
    assert db.session.get(Comment, world["ann"][0]).author_email == PERSON.lower()


@pytest.mark.parametrize("who, status", [("nobody", 401), ("moderator", 403), ("site", 401)])
def test_only_admins_may_export_or_erase(client, world, who, status):
    token = {"nobody": "", "moderator": world["moderator"], "site": world["key"]}[who]
    for action in ("export", "erase"):
        assert call(client, token, action, email=PERSON).status_code == status


def test_the_email_is_required(client, world):
    response = call(client, world["admin"], "erase")
    assert response.status_code == 422
    assert "email" in response.get_json()["errors"]["json"]
