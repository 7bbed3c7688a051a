"""The review page's actions beyond a decision, in real headless Chromium: undo back to Held,
dismissing reports, the author's standing, discarded spam, matched words, search, and the
admin's threshold and shadow policy panels."""

import pytest
from selenium.webdriver.common.by import By

from service.admin_ops import create_token
from service.domain.authors import standing_of
from service.models import (
    Comment,
    Flag,
    ModerationEvent,
    Role,
    SettingsChange,
    ShadowDecision,
    ShadowPolicy,
    SpamFeedback,
    Status,
)
from tests.support.browser import chromium_missing, screenshot, wait_for
from tests.test_browser import (
    assert_no_script_errors_or_foreign_requests,
    css,
    item_ids,
    press,
    sign_in,
    text_of,
)
from tests.test_browser_review import (  # noqa: F401  (newsroom is a fixture)
    current_id,
    newsroom,
    open_review,
    shown_actions,
    status_of,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


@pytest.fixture
def desk(request):
    """The newsroom of tests/test_browser_review.py: eight held comments, two moderators."""
    return request.getfixturevalue("newsroom")


def actions_of(db, comment_id):
    db.session.expire_all()
    return [
        e.action
        for e in db.session.scalars(
            db.select(ModerationEvent)
            .where(ModerationEvent.comment_id == comment_id)
            .order_by(ModerationEvent.id)
        )
    ]


def test_a_decision_in_the_held_queue_is_undone_back_to_held(desk, db, browser):
    open_review(browser, desk)
    target = current_id(browser)
    press(browser, "a")
    wait_for(browser, lambda d: status_of(db, target) == Status.APPROVED, message="approved")
    wait_for(browser, lambda d: css(d, "#items > .toast .undo"), message="toast")
    press(browser, "z")
    wait_for(browser, lambda d: status_of(db, target) == Status.HELD, message="held again")
    wait_for(browser, lambda d: target in item_ids(d), message="the card is back")
    assert text_of(browser, "#items > .toast") == "Undone."
    assert actions_of(db, target) == ["approve", "hold"]
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_dismiss_reports_keeps_the_comment_published_and_undo_reopens_them(desk, db, browser):
    comment = desk.comments[0]
    comment.status, comment.reported, comment.flag_count = Status.APPROVED, True, 1
    db.session.add(Flag(comment_id=comment.id, reason="abuse", reporter="r1"))
    db.session.commit()
    open_review(browser, desk, "?queue=reported")
    assert shown_actions(browser, comment.id)[:4] == [
        "Reject…",
        "Spam",
        "Delete…",
        "Dismiss reports",
    ]
    css(browser, f'.item[data-id="{comment.id}"] [data-action="dismiss"]').click()
    wait_for(browser, lambda d: comment.id not in item_ids(d), message="left Reported")
    db.session.expire_all()
    assert db.session.get(Comment, comment.id).status == Status.APPROVED
    assert [f.resolved for f in db.session.get(Comment, comment.id).flags] == [True]
    assert "Reports dismissed" in text_of(browser, "#items > .toast")
    press(browser, "z")
    wait_for(browser, lambda d: comment.id in item_ids(d), message="reopened")
    db.session.expire_all()
    assert [f.resolved for f in db.session.get(Comment, comment.id).flags] == [False]
    assert actions_of(db, comment.id) == ["dismiss-reports", "reopen-reports"]
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_the_card_marks_the_listed_words_it_matched_and_explains_its_priority(desk, db, browser):
    desk.site.settings = {"banned_words": ["idiot", "moron"]}
    comment = desk.comments[0]
    comment.reasons = ["BANNED_WORD"]
    comment.flag_count = 1
    comment.refresh_priority()
    db.session.commit()
    open_review(browser, desk)
    card = f'.item[data-id="{comment.id}"]'
    mark = css(browser, f"{card} .body mark.term")
    assert mark.text == "idiot" and "BANNED_WORD: idiot" in mark.get_attribute("title")
    assert css(browser, f'{card} [data-field="terms"]').is_displayed()
    assert text_of(browser, f'{card} [data-field="terms"]') == "BANNED_WORD idiot"
    assert "moron" not in browser.page_source
    assert (
        text_of(browser, f'{card} [data-field="priority"]')
        == "1.15 = toxicity 0.90 + 1 report × 0.25"
    )
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_the_queue_filters_by_author_and_text_and_the_url_keeps_them(desk, browser):
    open_review(browser, desk)
    css(browser, "#filter-author").send_keys("Reader 3\n")
    wait_for(browser, lambda d: item_ids(d) == [desk.comments[3].id], message="by author")
    assert "author=Reader+3" in browser.current_url
    css(browser, "#filter-clear").click()
    wait_for(browser, lambda d: len(item_ids(d)) == 8, message="cleared")
    css(browser, "#filter-q").send_keys("idiot 5\n")
    wait_for(browser, lambda d: item_ids(d) == [desk.comments[5].id], message="by text")
    browser.refresh()
    wait_for(browser, lambda d: item_ids(d) == [desk.comments[5].id], message="kept")
    assert css(browser, "#filter-q").get_property("value") == "idiot 5"
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_discarded_spam_can_be_reviewed_and_not_spam_publishes_it_and_teaches_the_model(
    desk, db, browser
):
    comment = desk.comments[0]
    comment.body = "Nice post, very informative, I will come back again!"
    comment.status, comment.discarded, comment.spam_score = Status.SPAM, True, 0.97
    comment.reasons, comment.spans = ["SPAM_WAVE"], []
    comment.refresh_priority()
    db.session.commit()
    browser.get(f"{desk.server}/moderate?queue=spam")
    sign_in(browser, desk.token)
    wait_for(browser, lambda d: css(d, "#empty").is_displayed(), message="empty without them")
    css(browser, "#filter-discarded").click()
    wait_for(browser, lambda d: item_ids(d) == [comment.id], message="discarded shown")
    card = f'.item[data-id="{comment.id}"]'
    assert text_of(browser, f'{card} [data-field="status"]') == "spam · discarded"
    assert shown_actions(browser, comment.id)[0] == "Not spam"
    screenshot(browser, "review-discarded")
    css(browser, f'{card} [data-action="approve"]').click()
    wait_for(browser, lambda d: status_of(db, comment.id) == Status.APPROVED, message="published")
    labels = db.session.scalars(
        db.select(SpamFeedback).where(SpamFeedback.comment_id == comment.id)
    ).all()
    assert [label.is_spam for label in labels] == [False]
    assert not db.session.get(Comment, comment.id).discarded
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_the_author_panel_trusts_holds_and_bans_the_author_reversibly_with_notes(desk, db, browser):
    comment = desk.comments[0]
    open_review(browser, desk)
    press(browser, "p")
    panel = f'.item[data-id="{comment.id}"] [data-field="author-panel"]'
    wait_for(browser, lambda d: css(d, f"{panel} .standing").is_displayed(), message="panel")
    assert text_of(browser, f"{panel} .standing") == "The site's ordinary rules apply."
    css(browser, f"{panel} .author-note").send_keys("Third spam link this week")
    css(browser, f'{panel} [data-standing="banned"]').click()
    wait_for(
        browser, lambda d: text_of(d, f"{panel} .standing").startswith("Banned"), message="banned"
    )
    assert standing_of(comment.site_id, comment.author_email) == "banned"
    assert text_of(browser, f"{panel} .author-events li").startswith(
        "mod-desk none → banned: Third spam link this week"
    )
    css(browser, f"{panel} .author-note").send_keys("Asked by email to stop")
    css(browser, f'{panel} [data-note="add"]').click()
    wait_for(
        browser,
        lambda d: len(d.find_elements(By.CSS_SELECTOR, f"{panel} .author-events li")) == 2,
        message="note",
    )
    screenshot(browser, "review-author-actions")
    css(browser, f'{panel} [data-standing="none"]').click()
    wait_for(
        browser,
        lambda d: text_of(d, f"{panel} .standing").startswith("The site's"),
        message="lifted",
    )
    db.session.expire_all()
    assert standing_of(comment.site_id, comment.author_email) == "none"
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def scroll_under_header(driver, selector):
    driver.execute_script(
        """
        const top = document.querySelector(arguments[0]).getBoundingClientRect().top;
        const header = document.querySelector("#review-header").getBoundingClientRect().bottom;
        window.scrollBy(0, top - header - 8);""",
        selector,
    )


def moderators_reject_over(db, desk, reject_over, count=60):
    """Decided comments of the newsroom: moderators rejected each with toxicity over the mark."""
    decided = []
    for n in range(count):
        toxicity = round(n / count, 4)
        status = Status.REJECTED if toxicity > reject_over else Status.APPROVED
        comment = Comment(
            site_id=desk.site.id,
            article_id=desk.article.id,
            body=f"Remark {n}.",
            author_name=f"Writer {n}",
            status=status,
            flag_count=0,
            scores={"toxicity": toxicity},
        )
        db.session.add(comment)
        db.session.flush()
        db.session.add(
            ModerationEvent(
                comment_id=comment.id,
                actor="mod-desk",
                action="reject" if status == Status.REJECTED else "approve",
                from_status="held",
                to_status=status,
            )
        )
        decided.append(comment)
    db.session.commit()
    return decided


def test_an_admin_sees_the_threshold_suggestion_and_applies_it_audited(desk, db, browser):
    moderators_reject_over(db, desk, 0.6)
    _, admin = create_token(Role.ADMIN, desk.site.id, "ada-admin")
    browser.get(f"{desk.server}/moderate")
    sign_in(browser, admin)
    opener = wait_for(
        browser,
        lambda d: css(d, "#policy-open").is_displayed() and css(d, "#policy-open"),
        message="offered to an admin",
    )
    opener.click()
    row = '#policy tr[data-label="toxicity"]'
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, row), message="suggestion")
    cells = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, f"{row} td")]
    hold, reject = (float(x) for x in cells[1].split(" / "))
    assert 0.55 <= reject <= 0.65 and hold <= reject
    assert cells[2].endswith("% of them rejected by moderators")
    assert text_of(browser, "#policy .basis").startswith(
        "Rests on 60 moderator decisions (23 rejections)"
    )
    assert "would have gone differently" in text_of(browser, "#policy .effect")
    scroll_under_header(browser, "#policy .thresholds")
    screenshot(browser, "review-thresholds")
    css(browser, "#thresholds-apply").click()
    wait_for(
        browser,
        lambda d: "Applied: settings change" in text_of(d, "#policy-body"),
        message="applied",
    )
    change = db.session.scalars(db.select(SettingsChange)).one()
    assert (change.actor, change.kind) == ("ada-admin", "threshold-suggestion")
    db.session.expire_all()
    assert desk.site.settings["thresholds"]["toxicity"]["reject"] == reject
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_a_moderator_is_not_offered_the_policy_panels(desk, browser):
    open_review(browser, desk)
    wait_for(browser, lambda d: "mod-desk" in text_of(d, "#who-text"), message="who")
    assert not css(browser, "#policy-open").is_displayed()


def test_an_admin_reads_a_shadow_policys_report_and_promotes_it(desk, db, browser):
    decided = moderators_reject_over(db, desk, 0.6, count=10)
    policy = ShadowPolicy(
        site_id=desk.site.id, settings={"moderation_mode": "pre"}, started_by="ada-admin"
    )
    db.session.add(policy)
    db.session.flush()
    for comment in decided:
        db.session.add(
            ShadowDecision(
                policy_id=policy.id,
                comment_id=comment.id,
                live_status=Status.APPROVED,
                shadow_status=Status.HELD,
                shadow_reasons=["PREMOD_SITE"],
            )
        )
    db.session.commit()
    _, admin = create_token(Role.ADMIN, None, "ada-admin")
    browser.get(f"{desk.server}/moderate")
    sign_in(browser, admin)
    wait_for(browser, lambda d: css(d, "#policy-open").is_displayed(), message="offered")
    css(browser, "#policy-open").click()
    card = f'#policy [data-policy="{policy.id}"]'
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, card), message="report")
    assert text_of(browser, f"{card} .agreement") == (
        "10 new comments decided; the candidate agrees with the live policy on 0%, and with "
        "moderators' final decisions on 0% of the 10 they decided (live policy: 70%)."
    )
    first_table = [
        cell.text
        for cell in browser.find_elements(
            By.CSS_SELECTOR, f"{card} table.confusion:first-of-type tbody td"
        )
    ]
    assert first_table == ["10"]
    assert len(browser.find_elements(By.CSS_SELECTOR, f"{card} .examples li")) >= 1
    assert text_of(browser, f"{card} .examples li").startswith("approved → held comment")
    scroll_under_header(browser, card)
    screenshot(browser, "review-shadow")
    css(browser, f'{card} [data-shadow="promote"]').click()
    wait_for(
        browser,
        lambda d: not d.find_elements(By.CSS_SELECTOR, f'{card} [data-shadow="promote"]'),
        message="promoted",
    )
    db.session.expire_all()
    assert db.session.get(ShadowPolicy, policy.id).status == "promoted"
    assert desk.site.settings["moderation_mode"] == "pre"
    assert_no_script_errors_or_foreign_requests(browser, desk.server)
