"""The widget as its readers use it, in real headless Chromium: their comments awaiting
moderation kept in place across reloads, and reports on published comments."""

import pytest
from selenium.webdriver.common.by import By

from service.admin_ops import create_token
from service.api.comments import FLAG_REASONS
from service.models import Comment, Flag, Role, Status
from tests.support.browser import chromium_missing, screenshot, wait_for
from tests.test_browser import (  # noqa: F401 (news_site is a fixture)
    assert_no_script_errors_or_foreign_requests,
    css,
    news_site,
    reload_comment,
    text_of,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


def published(db, news, body, name):
    comment = Comment(
        site_id=news.site.id,
        article_id=news.article.id,
        author_name=name,
        author_email=f"{name.lower()}@mail.example",
        body=body,
        status=Status.APPROVED,
        flag_count=0,
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def post(driver, body, name="Cara", email="cara@mail.example"):
    css(driver, "textarea[name=body]").send_keys(body)
    for field, value in (("author_name", name), ("author_email", email)):
        if not css(driver, f"[name={field}]").get_property("value"):
            css(driver, f"[name={field}]").send_keys(value)
    css(driver, ".mw-submit").click()


def latest(db):
    db.session.expire_all()
    return db.session.scalar(db.select(Comment).order_by(Comment.id.desc()))


def stored(driver):
    return driver.execute_script(
        "return Object.entries(localStorage).filter(([k]) => k.startsWith('mw.own.'))"
        ".flatMap(([, v]) => JSON.parse(v).map((e) => e.id))"
    )


def test_a_readers_comments_awaiting_moderation_stay_in_place_until_decided(
    app,
    db,
    client,
    news_site,
    browser,
    monkeypatch,  # noqa: F811
):
    # No worker: comments stay pending; no flood interval, so the reader can post twice.
    monkeypatch.setattr("service.api.comments.enqueue_classify", lambda ids: ids)
    monkeypatch.setitem(app.config, "FLOOD_SECONDS", 0)
    parent = published(db, news_site, "The bridge looks great again.", "Ann")
    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "1 Comment", message="thread")

    css(browser, f"#comment-{parent.id} > article > .mw-reply").click()
    post(browser, "Agreed, and the lights are new.")
    wait_for(
        browser,
        lambda d: text_of(d, ".mw-status") == "Your comment is awaiting moderation.",
        message="awaiting",
    )
    reply = latest(db)
    in_place = f"#comment-{parent.id} > .mw-children > #comment-{reply.id}.mw-pending"
    assert text_of(browser, f"{in_place} .mw-awaiting") == "Your comment is awaiting moderation."
    assert text_of(browser, f"{in_place} .mw-body") == "Agreed, and the lights are new."
    # The form is a fresh "Leave a Reply" again, back below the thread.
    assert text_of(browser, ".mw-reply-title") == "Leave a Reply"
    assert not css(browser, ".mw-replying").is_displayed()
    assert browser.execute_script(
        "return document.querySelector('.mw-respond').parentElement.matches('.mw-comments')"
    )

    post(browser, "A second thought on the tolls.")
    wait_for(browser, lambda d: latest(db).id != reply.id, message="second comment")
    top = latest(db)
    top_in_place = f".mw-thread > #comment-{top.id}.mw-pending"
    wait_for(browser, lambda d: css(d, top_in_place).is_displayed(), message="top level")
    assert stored(browser) == [reply.id, top.id]
    screenshot(browser, "widget-pending")

    # Kept across a reload in this browser.
    browser.refresh()
    wait_for(
        browser,
        lambda d: css(d, in_place).is_displayed() and css(d, top_in_place).is_displayed(),
        message="restored",
    )
    assert text_of(browser, ".mw-heading") == "1 Comment"

    # A moderator rejects the reply and publishes the other: the reader sees the statement
    # of reasons until they dismiss it, and the published comment as everyone does.
    _, token = create_token(Role.MODERATOR, None, "mod-desk")
    for comment, action in ((reply, "reject"), (top, "approve")):
        version = reload_comment(db, comment.id).version
        assert (
            client.post(
                f"/v1/moderation/comments/{comment.id}/decision",
                headers={"Authorization": f"Bearer {token}"},
                json={"action": action, "reason": "Off topic", "version": version},
            ).status_code
            == 200
        )
    browser.refresh()
    wait_for(
        browser, lambda d: css(d, f"#mw0-statement-{reply.id}").is_displayed(), message="statement"
    )
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "2 Comments", message="published")
    assert browser.find_elements(By.CSS_SELECTOR, ".mw-pending") == []
    assert (
        css(browser, f".mw-thread > #comment-{top.id} .mw-body").text
        == "A second thought on the tolls."
    )
    assert stored(browser) == [reply.id]  # the statement's comment only
    browser.refresh()
    wait_for(browser, lambda d: css(d, f"#mw0-statement-{reply.id}").is_displayed(), message="kept")
    css(browser, f"#mw0-statement-{reply.id} .mw-statement-dismiss").click()
    assert stored(browser) == []
    browser.refresh()
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "2 Comments", message="reloaded")
    assert browser.find_elements(By.CSS_SELECTOR, ".mw-statement, .mw-pending") == []
    assert_no_script_errors_or_foreign_requests(browser, news_site.url, news_site.api)


def test_a_reader_reports_a_published_comment_with_a_reason_and_sees_the_rate_limit(
    app,
    db,
    news_site,
    browser,
    monkeypatch,  # noqa: F811
):
    # Two reader POSTs a day from one address, so that the third is refused (429).
    monkeypatch.setitem(app.config, "RATE_LIMIT_INTAKE_PER_IP", "2/day")
    rude, spam, third = (
        published(db, news_site, body, name)
        for body, name in (
            ("You lot are clueless.", "Dan"),
            ("Cheap tickets at tickets.example", "Eve"),
            ("Fine by me.", "Fay"),
        )
    )
    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "3 Comments", message="thread")

    def open_report(comment):
        css(browser, f"#comment-{comment.id} > article > .mw-report").click()
        return f"#comment-{comment.id} > .mw-report-form"

    form = open_report(rude)
    assert [
        radio.get_property("value")
        for radio in browser.find_elements(By.CSS_SELECTOR, f"{form} input[type=radio]")
    ] == list(FLAG_REASONS)
    assert browser.switch_to.active_element == css(browser, f"{form} input[type=radio]")
    css(browser, f"{form} input[value=abuse]").click()
    css(browser, f"{form} textarea").send_keys("Insults other readers")
    screenshot(browser, "widget-report")
    css(browser, f"{form} .mw-report-send").click()
    wait_for(
        browser,
        lambda d: (
            text_of(d, f"{form} .mw-report-done")
            == "Thank you: the moderators will look at this comment."
        ),
        message="reported",
    )
    button = css(browser, f"#comment-{rude.id} > article > .mw-report")
    assert (button.text, button.is_enabled()) == ("Reported", False)
    flag = db.session.scalar(db.select(Flag).where(Flag.comment_id == rude.id))
    assert (flag.reason, flag.note) == ("abuse", "Insults other readers")
    assert reload_comment(db, rude.id).reported

    form = open_report(spam)
    css(browser, f"{form} .mw-report-send").click()
    assert text_of(browser, f"{form} .mw-report-alert") == "Please choose a reason."
    css(browser, f"{form} input[value=spam]").click()
    css(browser, f"{form} .mw-report-send").click()
    wait_for(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, f"{form} .mw-report-done"),
        message="second report",
    )

    form = open_report(third)
    css(browser, f"{form} input[value=other]").click()
    css(browser, f"{form} .mw-report-send").click()
    wait_for(browser, lambda d: text_of(d, f"{form} .mw-report-alert"), message="refused")
    refused = text_of(browser, f"{form} .mw-report-alert")
    assert refused.startswith("Your report was not sent. Too many requests")
    assert "Please wait" in refused and "try again" in refused
    assert db.session.scalar(db.select(Flag).where(Flag.comment_id == third.id)) is None
    assert_no_script_errors_or_foreign_requests(browser, news_site.url, news_site.api)
