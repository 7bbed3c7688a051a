"""The statement of reasons an author reads over the status endpoint, with a real worker."""

import json
import re

import pytest
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po

from service.i18n import LANGUAGES, LOCALE_DIR
from service.models import Comment, Status
from service.site_settings import LABELS
from service.statements import LABEL_NAMES
from tests.conftest import wait_until

# Every label scores at least 0 and at most 1: "insult" always rejects, nothing else fires.
INSULT_REJECTS = {label: {"hold": 1.0, "reject": 1.0} for label in LABELS} | {
    "insult": {"hold": 0.0, "reject": 0.0}
}
BODY = "You are wrong about the bridge. Your article is a disgrace."


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def post(make, key, **fields):
    response = make.post_comment(key, **fields)
    assert response.status_code == 202, response.get_json()
    accepted = response.get_json()
    return accepted["id"], accepted["status_token"]


def status_of(client, comment_id, token):
    response = client.get(f"/v1/comments/{comment_id}/status", headers={"X-Status-Token": token})
    assert response.status_code == 200
    return response.get_json()


def decided(db, comment_id):
    db.session.expire_all()
    comment = db.session.get(Comment, comment_id)
    return comment if comment.status != Status.PENDING else None


def test_a_toxicity_rejection_names_label_model_threshold_and_sentence(worker, make, db, client):
    _, key = make.site(settings={"thresholds": INSULT_REJECTS})
    comment_id, token = post(make, key, body=BODY)
    comment = wait_until(lambda: decided(db, comment_id))
    assert comment.status == Status.REJECTED

    answer = status_of(client, comment_id, token)
    statement = answer["statement"]
    assert answer["status"] == "rejected" and statement["decision"] == "rejected"
    assert statement["decided_at"] and statement["language"] == "en"
    assert statement["summary"] == "Your comment was not published because of the reasons below."
    [fact] = statement["facts"]
    assert (fact["code"], fact["label"], fact["threshold"]) == ("TOXIC:insult", "insult", 0.0)
    assert "an insult" in fact["text"] and "0.0" in fact["text"]
    assert fact["sentences"] and set(fact["sentences"]) <= {
        "You are wrong about the bridge.",
        "Your article is a disgrace.",
    }
    assert statement["automated"] is True and statement["human_review"] is False
    assert statement["model"] == {"name": comment.model_name, "version": comment.model_version}
    assert comment.model_name in statement["process"]
    assert [w["fact"] for w in statement["withheld"]] == ["spam_checks"]
    assert statement["appeal"]["url"] is None and str(comment_id) in statement["appeal"]["text"]


def test_a_published_comment_has_no_statement(worker, make, db, client):
    _, key = make.site(
        settings={"thresholds": {label: {"hold": 1.0, "reject": 1.0} for label in LABELS}}
    )
    comment_id, token = post(make, key, body="Thanks for the clear report.")
    assert status_of(client, comment_id, token)["statement"] is None  # still pending
    assert wait_until(lambda: decided(db, comment_id)).status == Status.APPROVED
    assert status_of(client, comment_id, token)["statement"] is None


def test_a_moderators_rejection_says_a_person_took_part_but_not_who(worker, make, db, client):
    from service.admin_ops import upsert_article

    site, key = make.site(settings={"appeal_url": "https://news.example/appeals"})
    upsert_article(site, "premod", moderation_mode="pre")
    comment_id, token = post(make, key, article="premod", body="Hello there.")
    comment = wait_until(lambda: decided(db, comment_id))
    held = status_of(client, comment_id, token)["statement"]
    assert held["summary"] == "Your comment is waiting for a moderator."
    assert [f["code"] for f in held["facts"]] == ["PREMOD_ARTICLE"]
    assert held["automated"] is True and held["human_review"] is False

    moderator = make.token(name="desk-editor-marguerite")
    decision = client.post(
        f"/v1/moderation/comments/{comment_id}/decision",
        json={
            "action": "reject",
            "reason": "desk-editor-marguerite says no",
            "version": comment.version,
        },
        headers=bearer(moderator),
    )
    assert decision.status_code == 200
    answer = status_of(client, comment_id, token)
    statement = answer["statement"]
    assert statement["decision"] == "rejected"
    # Premoderation explained the wait, not the rejection: the moderator's note stays internal.
    assert statement["facts"] == [] and statement["summary"] == "Your comment was not published."
    assert statement["automated"] is False and statement["human_review"] is True
    assert statement["process"] == "A moderator made this decision."
    assert statement["model"] is None
    assert statement["appeal"]["url"] == "https://news.example/appeals"
    assert "https://news.example/appeals" in statement["appeal"]["text"]
    assert "marguerite" not in json.dumps(answer)


def test_a_banned_word_rejection_names_only_the_entry_that_matched(worker, make, db, client):
    _, key = make.site(settings={"banned_words": ["swindle", "Scam"]})
    comment_id, token = post(make, key, body="This offer is a scam, everyone.")
    assert wait_until(lambda: decided(db, comment_id)).status == Status.REJECTED
    answer = status_of(client, comment_id, token)
    [fact] = answer["statement"]["facts"]
    assert fact["code"] == "BANNED_WORD" and fact["words"] == ["Scam"]
    assert answer["statement"]["process"].endswith(
        "(this site's rules), without a person taking part."
    )
    assert "swindle" not in json.dumps(answer)


def spam_statement(client, comment_id, token):
    answer = status_of(client, comment_id, token)
    assert answer["status"] == "held"  # a spam verdict reads as held, as before
    statement = answer["statement"]
    return {k: v for k, v in statement.items() if k not in ("decided_at", "appeal")}


def test_a_spam_verdict_withholds_the_spam_facts_and_says_why(worker, make, db, client):
    _, key = make.site(
        settings={"disallowed_keys": ["cheap-pills.example"], "suspect_words": ["refund"]}
    )
    spam_id, spam_token = post(make, key, body="Buy now at http://cheap-pills.example today")
    held_id, held_token = post(make, key, body="Ask me about your refund today.")
    assert wait_until(lambda: decided(db, spam_id)).status == Status.SPAM
    held = wait_until(lambda: decided(db, held_id))
    assert held.status == Status.HELD and held.reasons == ["SUSPECT_WORD"]

    statement = spam_statement(client, spam_id, spam_token)
    text = json.dumps(statement)
    for secret in ("DISALLOWED_KEY", "cheap-pills", "spam_score", "0.9", "0.5"):
        assert secret not in text
    assert statement["summary"].startswith("Your comment is waiting for a moderator.")
    assert statement["facts"] == [] and statement["model"] is None
    assert statement["automated"] is None and statement["human_review"] is None
    assert [w["fact"] for w in statement["withheld"]] == ["spam_checks", "decision_process"]
    assert all("spam" in w["reason"] for w in statement["withheld"])
    # A spam verdict and a comment the spam stage held read the same: neither can be told apart.
    assert spam_statement(client, held_id, held_token) == statement


def test_the_statement_is_in_the_sites_language(worker, make, db, client):
    _, key = make.site(settings={"thresholds": INSULT_REJECTS, "language": "fr"})
    comment_id, token = post(make, key, body=BODY)
    assert wait_until(lambda: decided(db, comment_id)).status == Status.REJECTED
    statement = status_of(client, comment_id, token)["statement"]
    assert statement["language"] == "fr"
    assert statement["summary"] == (
        "Votre commentaire n'a pas été publié, pour les raisons ci-dessous."
    )
    [fact] = statement["facts"]
    assert "une insulte" in fact["text"] and "seuil de rejet" in fact["text"]
    assert statement["process"].startswith("Cette décision a été prise par des moyens automatisés")
    assert statement["appeal"]["text"].startswith("Si vous contestez cette décision")
    assert statement["withheld"][0]["text"].startswith("Les résultats des vérifications")


def test_operators_word_the_reasons_for_their_site(worker, make, db, client):
    wording = "We keep this a polite place: insults are not published."
    _, key = make.site(
        settings={"thresholds": INSULT_REJECTS, "reason_texts": {"TOXIC:insult": wording}}
    )
    comment_id, token = post(make, key, body=BODY)
    assert wait_until(lambda: decided(db, comment_id)).status == Status.REJECTED
    [fact] = status_of(client, comment_id, token)["statement"]["facts"]
    assert fact["text"] == wording
    assert fact["threshold"] == 0.0 and fact["sentences"]  # the facts stay beside the wording


@pytest.fixture
def admin(make):
    return bearer(make.token("admin"))


@pytest.mark.parametrize(
    "settings",
    [
        {"language": "xx"},
        {"language": ""},
        {"appeal_url": "ftp://news.example/appeals"},
        {"appeal_url": "not a url"},
        {"reason_texts": {"DISALLOWED_KEY": "A spam code is never disclosed, so never worded."}},
        {"reason_texts": {"TOXIC:rudeness": "No such label."}},
        {"reason_texts": {"TOXIC:insult": ""}},
        {"reason_texts": {"TOXIC:insult": "x" * 1001}},
        {"reason_texts": ["TOXIC:insult"]},
    ],
)
def test_bad_statement_settings_are_422(client, admin, settings):
    response = client.post(
        "/v1/admin/sites",
        headers=admin,
        json={"name": "A", "origins": ["https://a.example"], "settings": settings},
    )
    assert response.status_code == 422
    [key] = settings
    assert key in response.get_json()["errors"]["json"]["settings"]


def test_good_statement_settings_are_kept(client, admin):
    settings = {
        "language": "fr",
        "appeal_url": "https://a.example/appeal",
        "reason_texts": {"PREMOD_ARTICLE": "Tout est relu."},
    }
    response = client.post(
        "/v1/admin/sites",
        headers=admin,
        json={"name": "A", "origins": ["https://a.example"], "settings": settings},
    )
    assert response.status_code == 201
    assert (
        response.get_json()["effective_settings"] | settings
        == response.get_json()["effective_settings"]
    )


def placeholders(text):
    return sorted(re.findall(r"\{(\w+)\}", text))


@pytest.mark.parametrize("language", [lang for lang in LANGUAGES if lang != "en"])
def test_every_message_has_a_translation_with_the_same_placeholders(language):
    from service import statements
    from service.i18n import translations

    messages = [message for _, message, *_ in extract_from_file("python", statements.__file__)]
    assert len(messages) >= 20
    catalogue = translations(language)
    for message in messages:
        translated = catalogue.gettext(message)
        assert translated != message, f"{language} lacks: {message}"
        assert placeholders(translated) == placeholders(message)
    with (LOCALE_DIR / "statements.pot").open("rb") as template:
        assert {m.id for m in read_po(template) if m.id} == set(messages)  # the .pot is current


def test_every_label_has_plain_words():
    assert set(LABEL_NAMES) == set(LABELS)
