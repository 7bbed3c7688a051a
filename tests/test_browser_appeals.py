"""Appeals in real headless Chromium: the author's form in the widget, the review page's queue.

Run with `pytest -m browser`. Skipped only where Debian's chromium is not installed.
"""

from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By

from service import domain
from service.admin_ops import create_site, create_token, upsert_article
from service.models import Appeal, Comment, Role, Status
from tests.conftest import wait_until
from tests.support.browser import chromium_missing, page_errors, screenshot, wait_for
from tests.support.live_server import live_server
from tests.test_browser import (
    assert_no_script_errors_or_foreign_requests,
    css,
    held,
    press,
    sign_in,
)
from tests.test_browser_statements import news_site, text_of  # noqa: F401  (a fixture)
from tests.test_statements import decided

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


def test_the_author_appeals_a_rejection_from_the_widget(worker, db, news_site, browser):  # noqa: F811
    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "No comments yet", 20, "widget")
    browser.find_element(By.CSS_SELECTOR, "textarea[name=body]").send_keys(
        "The council are fools to close the bridge again."
    )
    browser.find_element(By.CSS_SELECTOR, "[name=author_name]").send_keys("Riley")
    browser.find_element(By.CSS_SELECTOR, "[name=author_email]").send_keys("riley@mail.example")
    browser.find_element(By.CSS_SELECTOR, ".mw-submit").click()
    comment_id = wait_until(lambda: db.session.scalar(db.select(Comment.id)))
    assert wait_until(lambda: decided(db, comment_id)).status == Status.REJECTED

    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".mw-appeal-form"), 30, "form")
    # The statement and its appeal are the author's until dismissed: a reload keeps them.
    browser.refresh()
    form = wait_for(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, ".mw-appeal-form"), 30, "the appeal form"
    )
    assert "you can appeal it once" in text_of(browser, ".mw-appeal-how")
    form.find_element(By.CSS_SELECTOR, "textarea[name=note]").send_keys(
        "I quoted what a councillor said at the meeting."
    )
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", form)
    screenshot(browser, "appeal-widget")
    form.find_element(By.CSS_SELECTOR, ".mw-appeal-submit").click()

    wait_for(
        browser,
        lambda d: d.find_elements(By.CSS_SELECTOR, ".mw-appeal-outcome"),
        20,
        "the appeal filed",
    )
    assert text_of(browser, ".mw-appeal-outcome") == (
        "You appealed this decision; a moderator who did not make it will review your appeal."
    )
    assert browser.find_elements(By.CSS_SELECTOR, ".mw-appeal-form") == []  # once only
    browser.refresh()
    outcome = wait_for(
        browser, lambda d: d.find_element(By.CSS_SELECTOR, ".mw-appeal-outcome"), 30, "outcome"
    )
    assert outcome.text.startswith("You appealed this decision")
    assert browser.find_elements(By.CSS_SELECTOR, ".mw-appeal-form") == []
    filed = db.session.scalar(db.select(Appeal).where(Appeal.comment_id == comment_id))
    assert filed.note == "I quoted what a councillor said at the meeting."
    assert filed.status == "open" and filed.appealed_status == Status.REJECTED
    # Dismissed, the statement is gone, after a reload too.
    stored = "return Object.keys(localStorage).map((k) => localStorage.getItem(k)).join()"
    assert f'"id":{comment_id},' in browser.execute_script(stored)
    browser.find_element(By.CSS_SELECTOR, ".mw-statement-dismiss").click()
    assert browser.find_elements(By.CSS_SELECTOR, ".mw-statement") == []
    assert f'"id":{comment_id},' not in browser.execute_script(stored)
    assert page_errors(browser) == []


@pytest.fixture
def appeals_desk(app, db):
    """The review page, two moderators, and two rejected comments appealed: one rejected by
    each moderator."""
    with live_server(app) as server:
        site, _ = create_site("Daily News", [server])
        article = upsert_article(site, "bridge-1", title="Harbour bridge reopens")
        desk_id, desk_token = create_token(Role.MODERATOR, None, "mod-desk")
        other_id, _ = create_token(Role.MODERATOR, None, "night-editor")
        appeals = []
        for n, (rejecter, note) in enumerate(
            [
                (domain.Actor("night-editor", other_id), "I was quoting the mayor."),
                (domain.Actor("mod-desk", desk_id), "Please look again."),
            ]
        ):
            comment = held(
                db,
                site,
                article,
                f"The mayor said the bridge is a disgrace {n}.",
                scores={"insult": 0.6},
                name=f"Reader {n}",
            )
            domain.moderate(comment, "reject", "Abusive or insulting", comment.version, rejecter)
            appeals.append(domain.appeal(comment, note, f"requester-{n}", domain.AppealLimits()))
        yield SimpleNamespace(server=server, token=desk_token, appeals=appeals)


def test_the_review_page_appeals_queue_overturns_another_moderators_rejection(
    appeals_desk, db, browser
):
    desk = appeals_desk
    browser.get(f"{desk.server}/moderate")
    sign_in(browser, desk.token)
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".queue"), message="the queues")
    press(browser, "g")  # the appeals queue's key
    wait_for(
        browser,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, "#appeals-items .appeal")) == 2,
        message="the appeals queue",
    )
    assert css(browser, "main.review").is_displayed() is False
    cards = browser.find_elements(By.CSS_SELECTOR, "#appeals-items .appeal")
    first, second = cards
    assert first.get_attribute("data-id") == str(desk.appeals[0].id)
    decision = first.find_element(By.CSS_SELECTOR, ".appeal-decision").text
    assert decision.startswith("rejected by night-editor") and "Abusive or insulting" in decision
    assert first.find_element(By.CSS_SELECTOR, ".appeal-note").text == "I was quoting the mayor."
    assert text_of(browser, "#appeals-count") == "2"
    screenshot(browser, "review-appeals")

    # The moderator's own rejection: the API refuses, the card says why.
    second.find_element(By.CSS_SELECTOR, "[data-outcome=upheld]").click()
    wait_for(
        browser,
        lambda d: second.find_element(By.CSS_SELECTOR, ".item-error").text,
        message="the refusal",
    )
    assert second.find_element(By.CSS_SELECTOR, ".item-error").text == (
        "mod-desk made the decision this appeal contests; another moderator must decide the appeal."
    )

    first.find_element(By.CSS_SELECTOR, ".appeal-reason").send_keys(
        "A quotation of the mayor, in context: it stays."
    )
    first.find_element(By.CSS_SELECTOR, "[data-outcome=overturned]").click()
    wait_for(browser, lambda d: "overturned" in text_of(d, "#announce"), message="overturned")
    db.session.expire_all()
    comment = db.session.get(Comment, desk.appeals[0].comment_id)
    assert comment.status == Status.APPROVED
    decided = db.session.get(Appeal, desk.appeals[0].id)
    assert decided.reviewer == "mod-desk"
    assert decided.reason == "A quotation of the mayor, in context: it stays."
    assert db.session.get(Appeal, desk.appeals[1].id).status == "open"
    assert [
        a.get_attribute("data-id")
        for a in browser.find_elements(By.CSS_SELECTOR, "#appeals-items .appeal")
    ] == [str(desk.appeals[1].id)]
    wait_for(browser, lambda d: text_of(d, "#appeals-count") == "1", message="count")

    # Back to a comment queue: the appeals view gives way.
    css(browser, ".queue[data-queue=held]").click()
    wait_for(browser, lambda d: css(d, "main.review").is_displayed(), message="held queue")
    assert not css(browser, "#appeals").is_displayed()
    assert_no_script_errors_or_foreign_requests(browser, desk.server)
