"""The review page's actions beyond a decision, in real headless Chromium: undo back to Held,
dismissing reports, the author's standing, discarded spam, matched words, search, and the
admin's threshold and shadow policy panels."""

import pytest

from service.models import Comment, Flag, ModerationEvent, Status
from tests.support.browser import chromium_missing, wait_for
from tests.test_browser import (
    assert_no_script_errors_or_foreign_requests,
    css,
    item_ids,
    press,
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
    return [e.action for e in db.session.scalars(
        db.select(ModerationEvent).where(ModerationEvent.comment_id == comment_id)
        .order_by(ModerationEvent.id))]


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


def test_dismiss_reports_keeps_the_comment_published_and_undo_reopens_them(
        desk, db, browser):
    comment = desk.comments[0]
    comment.status, comment.reported, comment.flag_count = Status.APPROVED, True, 1
    db.session.add(Flag(comment_id=comment.id, reason="abuse", reporter="r1"))
    db.session.commit()
    open_review(browser, desk, "?queue=reported")
    assert shown_actions(browser, comment.id)[:4] == ["Reject…", "Spam", "Delete…",
                                                      "Dismiss reports"]
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
