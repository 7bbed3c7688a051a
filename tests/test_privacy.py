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
        # Written directly, not posted, and none pending: a running worker (and its sweeper,
        # which re-sends pending comments) must not race the fixture's statuses.
        row = Comment(site_id=site.id, article_id=article.id, **fields)
        db.session.add(row)
        db.session.flush()
        return row

    ann = [
        comment(
            author_name="Ann",
            author_email=PERSON.lower(),
            ip="10.0.0.7",
            author_url="https://ann.example",
            user_agent="AnnBrowser/1.0",
            referrer="https://news.example/a-1",
            signals={"honeypot": "x"},
            body=f"Ann's opinion number {i}.",
            status=status,
        )
        for i, status in ((1, Status.APPROVED), (2, Status.HELD))
    ]
    reply = comment(
        author_name="Bob",
        author_email="bob@mail.example",
        ip="10.0.0.8",
        body="I disagree with Ann.",
        parent_id=ann[0].id,
        status=Status.APPROVED,
    )
    db.session.add(
        Flag(comment_id=ann[0].id, reason="abuse", note="She wrote: Ann's opinion", reporter="r1")
    )
    db.session.add(
        SpamFeedback(
            site_id=site.id,
            comment_id=ann[1].id,
            is_spam=True,
            source="moderator",
            text="Ann's opinion number 2.",
        )
    )
    db.session.add(
        SpamFeedback(
            site_id=site.id, is_spam=True, source="akismet", text="Ann's opinion number 2."
        )
    )  # sent without a comment id
    db.session.add(
        ModerationEvent(
            comment_id=ann[0].id,
            actor="system",
            action="classify",
            from_status="pending",
            to_status="approved",
        )
    )
    db.session.commit()
    return {
        "site": site,
        "key": key,
        "ann": [c.id for c in ann],
        "reply": reply.id,
        "admin": make.token("admin"),
        "moderator": make.token("moderator"),
    }


def call(client, token, action, **body):
    return client.post(
        f"/v1/admin/privacy/{action}", json=body, headers={"Authorization": f"Bearer {token}"}
    )


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
        assert (
            comment.author_name,
            comment.author_email,
            comment.author_url,
            comment.ip,
            comment.user_agent,
            comment.referrer,
            comment.body,
            comment.status,
        ) == ("", "", "", "", "", "", "[erased]", Status.DELETED)
        assert comment.signals == {} and comment.spans == []
        events = db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.comment_id == comment_id)
            .order_by(ModerationEvent.id)
        ).all()
        erase = events[-1]
        assert erase.action == "erase" and erase.to_status == Status.DELETED
        # The trail stays a chain: the erasure starts where the previous event left the comment.
        assert erase.from_status == (events[-2].to_status if len(events) > 1 else Status.HELD)
    assert db.session.scalar(db.select(Flag.note)) == ""
    assert set(db.session.scalars(db.select(SpamFeedback.text))) == {"[erased]"}
    assert all(db.session.scalars(db.select(SpamFeedback.learned)))  # never trained on it
    reply = db.session.get(Comment, world["reply"])
    # Another reader's reply stays, lifted to where Ann's comment was (as WordPress does).
    assert reply.body == "I disagree with Ann." and reply.parent_id is None

    export = call(client, world["admin"], "export", email=PERSON).get_json()
    assert export["comments"] == [] and export["spam_feedback"] == []
    again = call(client, world["admin"], "erase", email=PERSON).get_json()
    assert again["comments_erased"] == 0


def test_an_erased_comment_leaves_the_public_thread(client, db, world):
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": world["key"]})
    assert "Ann's opinion number 1." in thread.get_data(as_text=True)
    call(client, world["admin"], "erase", email=PERSON)
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": world["key"]})
    assert "Ann's opinion" not in thread.get_data(as_text=True)
    # Only another reader's approved reply is left, now at the top of the thread.
    assert [c["id"] for c in thread.get_json()["items"]] == [world["reply"]]


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


AKISMET_FIELDS = {
    "author_name": "Ann",
    "author_email": PERSON.lower(),
    "author_url": "https://ann.example",
    "ip": "10.0.0.9",
    "user_agent": "AnnBrowser/2.0",
    "referrer": "https://news.example/b",
}


def test_akismet_feedback_with_her_email_is_exported_and_blanked(client, db, world):
    # Sent by a site's Akismet plugin: no comment id, a text she never posted here.
    db.session.add(
        SpamFeedback(
            site_id=world["site"].id,
            is_spam=False,
            source="akismet",
            text="A comment held by the plugin.",
            fields=AKISMET_FIELDS,
        )
    )
    db.session.add(
        SpamFeedback(
            site_id=world["site"].id,
            is_spam=True,
            source="akismet",
            text="Someone else's.",
            fields={"author_email": "x@mail.example"},
        )
    )
    db.session.commit()
    export = call(client, world["admin"], "export", email=PERSON).get_json()
    by_text = {f["text"]: f for f in export["spam_feedback"]}
    assert set(by_text) == {"Ann's opinion number 2.", "A comment held by the plugin."}
    assert by_text["A comment held by the plugin."]["fields"] == AKISMET_FIELDS

    report = call(client, world["admin"], "erase", email=PERSON).get_json()
    assert report["spam_feedback_erased"] == 3
    db.session.expire_all()
    rows = db.session.scalars(db.select(SpamFeedback).order_by(SpamFeedback.id)).all()
    assert [(f.text, f.fields) for f in rows if f.text == "[erased]"] == [("[erased]", {})] * 3
    assert [f.fields for f in rows if f.text != "[erased]"] == [{"author_email": "x@mail.example"}]


def dump_tables(db) -> str:
    """Every value of every row of every table the models define, as one lower-case text."""
    values = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(db.select(table)).all():
            values += [str(value) for value in row]
    return "\n".join(values).lower()


def dump_redis(client) -> str:
    """Every key and value in the test Redis database, as one lower-case text."""
    values = []
    for key in client.scan_iter(count=1000):
        values.append(key)
        kind = client.type(key).decode()
        if kind == "string":
            values.append(client.get(key))
        elif kind == "hash":
            values += [v for pair in client.hgetall(key).items() for v in pair]
        elif kind == "list":
            values += client.lrange(key, 0, -1)
        elif kind == "set":
            values += list(client.smembers(key))
        elif kind == "zset":
            values += client.zrange(key, 0, -1)
        elif kind == "stream":
            values += [str(entry) for entry in client.xrange(key)]
    return "\n".join(
        v.decode(errors="replace") if isinstance(v, bytes) else str(v) for v in values
    ).lower()


def test_erase_leaves_her_data_in_no_table_and_no_redis_key(worker, app, client, db, make):
    """Through the real pipeline: intake, a worker's spam stage (Redis), flags, feedback."""
    import redis

    from tests.conftest import REDIS_URL, wait_until
    from workers.classifiers.spam.pseudonym import pseudonym

    site, key = make.site(settings={"flood_seconds": 0})
    ips, agent, name = ["203.0.113.77", "198.51.100.78"], "QuistBrowser/7.1", "Annabel Quist"
    bodies = [
        "Annabel's distinctive remark about the tramway budget overrun, in full detail.",
        "Annabel's second distinctive remark about the tramway budget overrun, again.",
    ]
    # Two addresses, both hers: the erasure purges the counters of each.
    ids = [
        make.post_comment(
            key,
            article=f"tram-{n}",
            ip=ips[n],
            author_email=PERSON,
            author_name=name,
            body=body,
            author_url="https://quist.example",
            headers={"User-Agent": agent},
        ).get_json()["id"]
        for n, body in enumerate(bodies)
    ]
    wait_until(
        lambda: all(
            db.session.get(Comment, i, populate_existing=True).status != Status.PENDING for i in ids
        ),
        timeout=60,
    )
    db.session.add(
        Flag(comment_id=ids[0], reason="abuse", note=f"Quoting: {bodies[0]}", reporter="r9")
    )
    db.session.add(
        SpamFeedback(
            site_id=site.id,
            comment_id=ids[1],
            is_spam=True,
            source="moderator",
            text=bodies[1],
            fields=db.session.get(Comment, ids[1]).author_fields(),
        )
    )
    db.session.add(
        SpamFeedback(
            site_id=site.id,
            is_spam=False,
            source="akismet",
            text="Held by the plugin, from Annabel.",
            fields={**AKISMET_FIELDS, "author_name": name, "ip": ips[0]},
        )
    )
    db.session.commit()
    # What moderators recorded about her: a standing and a note naming her.
    from service import domain

    moderator = domain.Actor("mod-1", None)
    domain.set_standing(site.id, PERSON, domain.Standing.BANNED, "spam run", moderator)
    domain.add_note(site.id, PERSON, f"{name} posts the same remark everywhere", moderator)

    secret = app.config["SECRET_KEY"]
    personal = [
        PERSON.lower(),
        *ips,
        agent.lower(),
        name.lower(),
        "quist.example",
        *(body.lower() for body in bodies),
        "held by the plugin, from annabel",
        pseudonym(secret, PERSON),
        *(pseudonym(secret, ip) for ip in ips),
    ]
    store = redis.Redis.from_url(REDIS_URL)
    before = dump_tables(db) + dump_redis(store)
    # The spam stage did record her (hashed) in Redis: the check below is not vacuous.
    assert all(pseudonym(secret, value) in before for value in [PERSON, *ips])
    assert not any(value in dump_redis(store) for value in [PERSON.lower(), *ips])

    admin = make.token("admin")
    report = call(client, admin, "erase", email=PERSON).get_json()
    assert report["comment_ids"] == ids and report["redis_entries_erased"] >= 4
    assert report["author_records_erased"] == 3  # the standing, its event, the note
    db.session.expire_all()
    after_tables, after_redis = dump_tables(db), dump_redis(store)
    for value in personal:
        assert value not in after_tables, value
        assert value not in after_redis, value


def test_erase_also_purges_near_duplicate_entries_indexed_before_contexts_were_hashed(
    client, world
):
    import redis

    from tests.conftest import REDIS_URL
    from workers.classifiers.spam.neardup import NearDuplicateIndex

    store = redis.Redis.from_url(REDIS_URL)
    index = NearDuplicateIndex(store, world["site"].id, window_s=3600)
    words = "an older entry from before the upgrade with enough words to index"
    index.record(words, f"1|{PERSON.lower()}", 1_800_000_000.0)
    index.record(words, "2|someone-else-hashed", 1_800_000_001.0)
    report = call(client, world["admin"], "erase", email=PERSON).get_json()
    assert report["redis_entries_erased"] == 1
    assert PERSON.lower() not in dump_redis(store)
    assert "someone-else-hashed" in dump_redis(store)


def test_export_holds_what_moderators_recorded_about_her(client, world):
    from service import domain

    moderator = domain.Actor("mod-1", None)
    domain.set_standing(world["site"].id, PERSON, domain.Standing.HELD, "", moderator)
    domain.add_note(world["site"].id, PERSON, "Asked twice to stay on topic.", moderator)
    export = call(client, world["admin"], "export", email=PERSON).get_json()
    assert [(s["site_id"], s["standing"]) for s in export["author_standings"]] == [
        (world["site"].id, "held")
    ]
    assert [e["note"] for e in export["author_events"]][-1] == "Asked twice to stay on topic."
