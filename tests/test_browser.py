"""The widget and the review page in real headless Chromium, and the whole stack end to end.

Run with `pytest -m browser`. Skipped only where Debian's chromium is not installed.
"""

import threading
import time
import uuid
from datetime import timedelta
from types import SimpleNamespace

import httpx
import pytest
import redis
from selenium.common.exceptions import NoSuchElementException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select
from sqlalchemy import update

from service.admin_ops import create_site, create_token, upsert_article
from service.models import Article, Comment, Flag, ModerationEvent, Role, Status, utcnow
from service.web.pages import REVIEW_REASONS
from tests.conftest import wait_until
from tests.support.browser import (
    ModctlUp,
    chromium_missing,
    page_errors,
    requested_urls,
    screenshot,
    wait_for,
)
from tests.support.live_server import live_server

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

XSS = '<script>window.__xss = 1</script><img src=x onerror="window.__xss = 2">'
E2E_REDIS_URL = "redis://127.0.0.1:6379/14"  # not the suite's db 15: its worker must not steal


def css(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector)


def text_of(driver, selector):
    """The element's text exactly as stored (textContent), not as laid out."""
    return css(driver, selector).get_property("textContent")


def press(driver, keys):
    ActionChains(driver).send_keys(keys).perform()


def reload_comment(db, comment_id):
    db.session.expire_all()
    return db.session.get(Comment, comment_id)


def assert_no_script_errors_or_foreign_requests(driver, *origins):
    assert page_errors(driver) == []
    foreign = [url for url in requested_urls(driver) if not url.startswith(origins)]
    assert foreign == [], f"requests to other hosts: {foreign}"


# ---------------------------------------------------------------- the widget on a foreign site


def news_site_page(widget_src, site_key, article_id, order="oldest"):
    """A third-party news page that embeds the widget from the service's origin."""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour bridge reopens</title></head>
<body><main>
  <h1>Harbour bridge reopens after repairs</h1>
  <p>The bridge reopened to traffic on Monday.</p>
  <div id="comments"></div>
  <script src="{widget_src}" data-site-key="{site_key}" data-article-id="{article_id}"
          data-target="#comments" data-poll-seconds="2" data-order="{order}"></script>
</main></body></html>"""


@pytest.fixture
def news_site(app, db):
    """The service on one origin, a news site embedding its widget on another."""

    def serve_page(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [news.page.encode()]

    with live_server(app) as api, live_server(serve_page) as site_url:
        site, key = create_site("Harbour News", [site_url])
        article = upsert_article(
            site, "bridge-1", permalink=f"{site_url}/bridge", title="Harbour bridge reopens"
        )
        news = SimpleNamespace(
            api=api,
            url=site_url,
            site=site,
            article=article,
            key=key,
            page=news_site_page(f"{api}/static/widget.js", key, "bridge-1"),
        )
        yield news


def test_the_widget_on_another_origin_shows_the_thread_as_text_and_every_outcome(
    db, news_site, browser, monkeypatch
):
    # No worker: comments stay pending, so every outcome below is the API's answer alone.
    monkeypatch.setattr("service.api.comments.enqueue_classify", lambda ids: ids)
    site, article = news_site.site, news_site.article
    parent = Comment(
        site_id=site.id,
        article_id=article.id,
        author_name="Ann",
        author_url="javascript:alert(3)",
        body=f"Nice {XSS} article",
        status=Status.APPROVED,
    )
    db.session.add(parent)
    db.session.flush()
    reply = Comment(
        site_id=site.id,
        article_id=article.id,
        parent_id=parent.id,
        author_name="Ben",
        author_url="https://ben.example/",
        body="Agreed.\nFully.",
        status=Status.APPROVED,
    )
    db.session.add(reply)
    db.session.commit()

    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "2 Comments", message="thread")

    # The thread: threaded, and strangers' text shown as text.
    assert text_of(browser, f"#comment-{parent.id} > article > .mw-body") == f"Nice {XSS} article"
    assert browser.find_elements(By.CSS_SELECTOR, ".mw-comments img") == []
    assert browser.execute_script("return window.__xss === undefined")
    parent_author = f"#comment-{parent.id} > article .mw-author"
    assert browser.find_elements(By.CSS_SELECTOR, f"{parent_author} a") == []  # javascript: URL
    assert (
        css(browser, f"#comment-{reply.id} .mw-author a").get_attribute("href")
        == "https://ben.example/"
    )
    assert browser.find_elements(
        By.CSS_SELECTOR, f"#comment-{parent.id} > .mw-children > #comment-{reply.id}"
    )

    # Replying moves the labelled form under the comment and puts the cursor in it.
    css(browser, f"#comment-{parent.id} > article > .mw-reply").click()
    assert (
        browser.execute_script("return document.querySelector('.mw-respond').parentElement.id")
        == f"comment-{parent.id}"
    )
    assert text_of(browser, ".mw-reply-title") == "Reply to Ann"
    assert browser.switch_to.active_element == css(browser, "textarea[name=body]")
    for name, label in [
        ("body", "Comment *"),
        ("author_name", "Name *"),
        ("author_email", "Email *"),
        ("author_url", "Website"),
    ]:
        field = css(browser, f"[name={name}]")
        assert text_of(browser, f"label[for={field.get_attribute('id')}]") == label

    # Validation errors appear next to their field, and focus goes there.
    css(browser, ".mw-submit").click()
    wait_for(
        browser,
        lambda d: text_of(d, "#mw0-body-error") == "Please type your comment text.",
        message="422 body",
    )
    assert css(browser, "#mw0-body-error").is_displayed()
    assert css(browser, "textarea[name=body]").get_attribute("aria-invalid") == "true"
    assert "mw0-body-error" in css(browser, "textarea[name=body]").get_attribute("aria-describedby")
    css(browser, "textarea[name=body]").send_keys("Glad it is open again.")
    css(browser, "[name=author_name]").send_keys("Cara")
    css(browser, "[name=author_email]").send_keys("cara@")
    css(browser, ".mw-submit").click()
    wait_for(
        browser,
        lambda d: text_of(d, "#mw0-author_email-error") == "Not a valid email address.",
        message="422 email",
    )
    assert css(browser, "#mw0-author_email-error").is_displayed()
    assert not css(browser, "#mw0-body-error").is_displayed()
    email = browser.switch_to.active_element
    assert email == css(browser, "[name=author_email]")

    # Fixed with the keyboard alone: Enter in a field submits the form.
    email.send_keys("mail.example", Keys.ENTER)
    wait_for(
        browser,
        lambda d: text_of(d, ".mw-status") == "Your comment is awaiting moderation.",
        message="held message",
    )
    posted = db.session.scalar(db.select(Comment).order_by(Comment.id.desc()))
    assert (posted.body, posted.parent_id, posted.author_email) == (
        "Glad it is open again.",
        parent.id,
        "cara@mail.example",
    )
    assert "render_elapsed_s" in posted.signals  # the widget fetched and sent the render token
    assert "honeypot" not in posted.signals

    def alert_says(text):
        wait_for(browser, lambda d: text in text_of(d, ".mw-alert"), message=text)

    # The held reply stays in place for its author, marked; the form is a fresh one again.
    pending = f"#comment-{parent.id} > .mw-children > #comment-{posted.id}.mw-pending"
    assert text_of(browser, f"{pending} .mw-awaiting") == "Your comment is awaiting moderation."
    assert text_of(browser, f"{pending} .mw-body") == "Glad it is open again."
    assert text_of(browser, ".mw-reply-title") == "Leave a Reply"
    assert not css(browser, ".mw-replying").is_displayed()

    css(browser, f"#comment-{parent.id} > article > .mw-reply").click()
    css(browser, "textarea[name=body]").send_keys("Glad it is open again.")
    css(browser, ".mw-submit").click()
    alert_says("Duplicate comment detected")

    css(browser, "textarea[name=body]").clear()
    css(browser, "textarea[name=body]").send_keys("And the new lights look good.")
    css(browser, ".mw-submit").click()
    alert_says("You are posting comments too quickly.")
    assert "try again" in text_of(browser, ".mw-alert")

    article = db.session.get(Article, article.id)
    article.is_open = False
    db.session.commit()
    css(browser, ".mw-submit").click()
    alert_says("Comments are closed for this article.")
    wait_for(browser, lambda d: not css(d, ".mw-respond").is_displayed(), message="form hidden")
    assert text_of(browser, ".mw-notice") == "Comments are closed."

    assert_no_script_errors_or_foreign_requests(browser, news_site.url, news_site.api)


@pytest.fixture
def worker_approves(app, db, monkeypatch):
    """Stand in for the worker: each posted comment is approved while the widget polls."""
    verdicts = []

    def approve_soon(ids):
        def approve():
            with app.app_context():
                db.session.execute(
                    update(Comment).where(Comment.id.in_(ids)).values(status=Status.APPROVED)
                )
                db.session.commit()

        verdicts.append(threading.Timer(0.3, approve))
        verdicts[-1].start()
        return ids

    monkeypatch.setattr("service.api.comments.enqueue_classify", approve_soon)
    yield
    for timer in verdicts:
        timer.join(timeout=5)


def wait_for_verdict(driver):
    """Wait until the widget has posted and polled, and return what it tells the reader."""
    waiting = {"", "Posting your comment…", "Thanks! Checking your comment…"}
    return wait_for(
        driver,
        lambda d: text_of(d, ".mw-status") not in waiting and text_of(d, ".mw-status"),
        message="verdict",
    )


def test_the_widget_on_another_origin_shows_an_approved_comment_at_once(
    news_site, browser, worker_approves
):
    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "No comments yet", message="widget")
    post_from_widget(browser, "Cara", "cara@mail.example", "Glad it is open again.")
    assert wait_for_verdict(browser) == "Your comment is published."
    assert "Glad it is open again." in text_of(browser, ".mw-thread")


def thread_ids(driver):
    """The ids of the comments the widget shows, in page order, replies after their parent."""
    return [
        int(e.get_attribute("id").removeprefix("comment-"))
        for e in driver.find_elements(By.CSS_SELECTOR, ".mw-thread .mw-comment")
    ]


@pytest.mark.parametrize("order", ["oldest", "newest"])
def test_the_widget_shows_a_long_thread_page_by_page_each_comment_once(
    db, news_site, browser, order
):
    site, article = news_site.site, news_site.article
    top = []
    for n in range(107):  # the widget asks for 50 at a time: two full pages and a short one
        top.append(
            Comment(
                site_id=site.id,
                article_id=article.id,
                author_name=f"Reader {n}",
                body=f"Comment number {n}",
                status=Status.APPROVED,
            )
        )
    db.session.add_all(top)
    db.session.flush()
    # Replies to comments on the first and the last page, and one not yet published.
    replies = {
        parent.id: Comment(
            site_id=site.id,
            article_id=article.id,
            parent_id=parent.id,
            author_name="Replier",
            body=f"Reply to {parent.id}",
            status=Status.APPROVED,
        )
        for parent in (top[3], top[104])
    }
    db.session.add_all(replies.values())
    db.session.add(
        Comment(
            site_id=site.id,
            article_id=article.id,
            parent_id=top[4].id,
            author_name="Held",
            body="Not published",
            status=Status.HELD,
        )
    )
    db.session.commit()
    expected = []
    for parent in top if order == "oldest" else reversed(top):
        expected.append(parent.id)
        if parent.id in replies:
            expected.append(replies[parent.id].id)

    news_site.page = news_site_page(
        f"{news_site.api}/static/widget.js", news_site.key, "bridge-1", order
    )
    # Opened from a link to one comment: the widget scrolls to it once, not after every page.
    browser.get(f"{news_site.url}#comment-{expected[1]}")
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "109 Comments", message="thread")
    more = css(browser, ".mw-more")
    shown = thread_ids(browser)
    assert more.is_displayed() and 0 < len(shown) < len(expected)

    def top_level(d):
        return d.find_elements(By.CSS_SELECTOR, ".mw-thread > .mw-comment")

    clicks = 0
    while more.is_displayed():
        clicks += 1
        before = len(top_level(browser))
        # Twice at once, as an impatient reader does: the second click must not fetch again.
        browser.execute_script("arguments[0].click(); arguments[0].click();", more)
        wait_for(
            browser, lambda d, shown=before: len(top_level(d)) > shown, message=f"page {clicks + 1}"
        )
        time.sleep(0.3)  # a duplicate answer, if one were coming, arrives meanwhile
        # Keyboard users keep their place (the button may be gone): focus is on the first
        # comment just shown.
        first_new = top_level(browser)[before].find_element(By.TAG_NAME, "article")
        assert browser.switch_to.active_element == first_new
        assert browser.execute_script(
            "const box = arguments[0].getBoundingClientRect();"
            "return box.top >= 0 && box.top < window.innerHeight;",
            first_new,
        )
    assert clicks == 2
    shown = thread_ids(browser)
    assert shown == expected  # every published comment once, in order, replies under parents
    assert browser.find_elements(
        By.CSS_SELECTOR,
        f"#comment-{top[104].id} > .mw-children > #comment-{replies[top[104].id].id}",
    )
    assert "Not published" not in text_of(browser, ".mw-thread")
    assert not more.is_displayed()
    assert_no_script_errors_or_foreign_requests(browser, news_site.url, news_site.api)


def test_the_widget_shows_every_reply_of_a_busy_comment_through_show_more_replies(
    db, news_site, browser
):
    site, article = news_site.site, news_site.article
    parent = Comment(
        site_id=site.id,
        article_id=article.id,
        author_name="Ann",
        body="A popular comment",
        status=Status.APPROVED,
    )
    db.session.add(parent)
    db.session.flush()
    replies = [
        Comment(
            site_id=site.id,
            article_id=article.id,
            parent_id=parent.id,
            author_name=f"Replier {n}",
            body=f"Reply {n}",
            status=Status.APPROVED,
        )
        for n in range(75)
    ]  # the thread shows 20; each click brings up to 50 more
    db.session.add_all(replies)
    db.session.flush()
    nested = Comment(
        site_id=site.id,
        article_id=article.id,
        parent_id=replies[60].id,
        author_name="Ben",
        body="Reply to reply 60",
        status=Status.APPROVED,
    )
    db.session.add(nested)
    db.session.commit()

    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "77 Comments", message="thread")

    def shown_replies(d):
        return d.find_elements(By.CSS_SELECTOR, f"#comment-{parent.id} > .mw-children > li")

    assert len(shown_replies(browser)) == 20
    for expected in (70, 75):
        button = css(browser, f"#comment-{parent.id} > .mw-more-replies")
        # Twice at once, as an impatient reader does: the second click must not fetch again.
        browser.execute_script("arguments[0].click(); arguments[0].click();", button)
        wait_for(browser, lambda d, n=expected: len(shown_replies(d)) >= n, message="replies")
        time.sleep(0.3)  # a duplicate answer, if one were coming, arrives meanwhile
    assert thread_ids(browser) == [
        parent.id,
        *[r.id for r in replies[:61]],
        nested.id,
        *[r.id for r in replies[61:]],
    ]
    assert not browser.find_elements(By.CSS_SELECTOR, ".mw-more-replies")
    assert_no_script_errors_or_foreign_requests(browser, news_site.url, news_site.api)


@pytest.mark.parametrize(
    "order, reply",
    [("oldest", False), ("newest", True)],
    ids=["oldest-first", "newest-first-reply-on-page-2"],
)
def test_the_widget_shows_the_readers_published_comment_wherever_it_falls_once(
    db, news_site, browser, worker_approves, order, reply
):
    site, article = news_site.site, news_site.article
    top = [
        Comment(
            site_id=site.id,
            article_id=article.id,
            author_name=f"Reader {n}",
            body=f"Comment number {n}",
            status=Status.APPROVED,
        )
        for n in range(60)
    ]  # more than the widget's page of 50
    db.session.add_all(top)
    db.session.commit()
    news_site.page = news_site_page(
        f"{news_site.api}/static/widget.js", news_site.key, "bridge-1", order
    )
    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "60 Comments", message="thread")
    parent = None
    if reply:
        # The reader reads on to the second page and answers the oldest comment, shown there.
        css(browser, ".mw-more").click()
        wait_for(browser, lambda d: len(thread_ids(d)) == 60, message="page 2")
        parent = top[0]
        css(browser, f"#comment-{parent.id} > article > .mw-reply").click()
    else:
        # An oldest-first thread: the new comment belongs on a page the reader has not opened.
        assert len(thread_ids(browser)) == 50

    post_from_widget(browser, "Cara", "cara@mail.example", "Glad it is open again.")
    assert wait_for_verdict(browser) == "Your comment is published."
    mine = db.session.scalar(db.select(Comment).where(Comment.author_name == "Cara"))
    assert mine.parent_id == (parent.id if parent else None)
    expected = [c.id for c in (top if order == "oldest" else reversed(top))]
    expected.insert(expected.index(parent.id) + 1 if parent else len(expected), mine.id)
    assert thread_ids(browser) == expected  # shown once, in its place, nothing lost
    assert text_of(browser, ".mw-heading") == "61 Comments"
    own = css(browser, f"#comment-{mine.id}")
    assert "mw-new" in own.get_attribute("class")
    assert browser.execute_script(
        "const box = arguments[0].getBoundingClientRect();"
        "return box.top >= 0 && box.bottom <= window.innerHeight;",
        own,
    )
    if parent:
        assert browser.find_elements(
            By.CSS_SELECTOR, f"#comment-{parent.id} > .mw-children > #comment-{mine.id}"
        )
    assert not css(browser, ".mw-more").is_displayed()
    assert_no_script_errors_or_foreign_requests(browser, news_site.url, news_site.api)


# ---------------------------------------------------------------- the review page


def held(db, site, article, body, scores, spans=(), email=None, name="Reader", **fields):
    fields.setdefault("flag_count", 0)  # column defaults only apply on insert
    comment = Comment(
        site_id=site.id,
        article_id=article.id,
        author_name=name,
        author_email=email or f"{uuid.uuid4().hex[:8]}@mail.example",
        body=body,
        status=Status.HELD,
        scores=scores,
        spans=list(spans),
        reasons=[f"TOXIC:{label}" for label, s in scores.items() if s >= 0.5],
        model_name="test-model",
        model_version="1",
        ip="10.0.0.7",
        **fields,
    )
    comment.refresh_priority()
    db.session.add(comment)
    db.session.commit()
    return comment


def span(body, text, **scores):
    begin = body.index(text)
    return {"begin": begin, "end": begin + len(text), "scores": scores}


def test_a_moderator_reviews_decides_claims_and_sees_conflicts(app, db, client, browser):
    with live_server(app) as server:
        site, _ = create_site("Daily News", [server])
        article = upsert_article(
            site, "bridge-1", permalink=f"{server}/news/bridge", title="Harbour bridge reopens"
        )
        _, token = create_token(Role.MODERATOR, None, "mod-browser")
        _, other_token = create_token(Role.MODERATOR, None, "other-moderator")
        for body in ("First!", "Good piece."):
            db.session.add(
                Comment(
                    site_id=site.id,
                    article_id=article.id,
                    author_name="Pat",
                    author_email="pat@mail.example",
                    body=body,
                    status=Status.APPROVED,
                )
            )

        insult_body = "Thanks for the update. You are a complete idiot though."
        insult = held(
            db,
            site,
            article,
            insult_body,
            name="Pat",
            email="pat@mail.example",
            scores={"toxicity": 0.93, "insult": 0.88, "threat": 0.02},
            spans=[
                span(insult_body, "Thanks for the update.", toxicity=0.02, insult=0.01),
                span(insult_body, "You are a complete idiot though.", toxicity=0.93, insult=0.88),
            ],
            reported=True,
            flag_count=1,
        )
        db.session.add(Flag(comment_id=insult.id, reason="abuse", note="rude", reporter="r1"))
        insult.refresh_priority()
        db.session.commit()
        # An emoji before the highlight: the API counts code points, JavaScript UTF-16 units.
        xss_body = f"🙄 Go away {XSS} you idiots"
        xss = held(
            db,
            site,
            article,
            xss_body,
            name="Troll",
            scores={"toxicity": 0.9},
            spans=[span(xss_body, "you idiots", toxicity=0.9)],
        )
        claimed = held(
            db,
            site,
            article,
            "Typical politicians, all talk.",
            name="Sam",
            scores={"toxicity": 0.7},
            claimed_by="other-moderator",
            claimed_until=utcnow() + timedelta(minutes=10),
        )
        fourth = held(db, site, article, "Whatever, this is dumb.", scores={"toxicity": 0.6})
        fifth = held(db, site, article, "Not sure about this plan.", scores={"toxicity": 0.55})

        browser.get(f"{server}/moderate")
        wait_for(browser, lambda d: css(d, "#token").is_displayed(), message="sign-in form")
        css(browser, "#token").send_keys("mod_wrong_token", Keys.ENTER)
        wait_for(
            browser,
            lambda d: text_of(d, "#sign-in-error") == "That token was not accepted.",
            message="refused token",
        )
        css(browser, "#token").clear()
        css(browser, "#token").send_keys(token, Keys.ENTER)
        wait_for(
            browser,
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#items > .item")) == 5,
            message="held queue",
        )
        assert browser.execute_script("return sessionStorage.getItem('moderation.token')") == token
        counts = {
            queue: text_of(browser, f'[data-count="{queue}"]')
            for queue in ("held", "reported", "approved")
        }
        assert counts == {"held": "5", "reported": "1", "approved": "2"}

        cards = browser.find_elements(By.CSS_SELECTOR, "#items > .item")
        assert [int(c.get_attribute("data-id")) for c in cards] == [
            insult.id,
            xss.id,
            claimed.id,
            fourth.id,
            fifth.id,
        ]  # by priority

        card = f'.item[data-id="{insult.id}"]'
        marks = browser.find_elements(By.CSS_SELECTOR, f"{card} .body mark")
        assert [m.get_property("textContent") for m in marks] == [
            "You are a complete idiot though."
        ]
        assert "insult 0.88" in marks[0].get_attribute("title")
        assert [
            e.get_property("textContent")
            for e in browser.find_elements(By.CSS_SELECTOR, f"{card} .reason")
        ] == ["TOXIC:toxicity", "TOXIC:insult"]
        assert [
            m.get_attribute("value")
            for m in browser.find_elements(By.CSS_SELECTOR, f"{card} meter")
        ] == ["0.93", "0.88", "0.02"]
        assert "2 approved" in text_of(browser, f'{card} [data-field="history"]')
        assert "abuse “rude”" in text_of(browser, f'{card} [data-field="flags"]')
        assert text_of(browser, f"{card} .item-title a") == "Harbour bridge reopens"

        card = f'.item[data-id="{xss.id}"]'
        assert text_of(browser, f"{card} .body") == xss_body
        assert [
            m.get_property("textContent")
            for m in browser.find_elements(By.CSS_SELECTOR, f"{card} .body mark")
        ] == ["you idiots"]
        assert browser.find_elements(By.CSS_SELECTOR, "#items img") == []
        assert browser.execute_script("return window.__xss === undefined")
        claim_badge = text_of(browser, f'.item[data-id="{claimed.id}"] [data-field="claim"]')
        assert claim_badge.startswith("Claimed by other-moderator until ")
        assert claim_badge.endswith(" (10 min left)") and "T" not in claim_badge.split()[4]
        screenshot(browser, "review")

        # Keyboard: j/k move, a approves the current comment.
        press(browser, "j")
        assert "current" in css(browser, f'.item[data-id="{xss.id}"]').get_attribute("class")
        press(browser, "k")
        press(browser, "a")
        wait_for(
            browser,
            lambda d: not d.find_elements(By.CSS_SELECTOR, f'.item[data-id="{insult.id}"]'),
            message="approved card leaves the queue",
        )
        assert reload_comment(db, insult.id).status == Status.APPROVED
        wait_for(browser, lambda d: text_of(d, '[data-count="held"]') == "4", message="count")
        assert text_of(browser, "#announce") == f"Approved: comment {insult.id} by Pat."

        # c claims: everyone sees who holds it and for how long.
        press(browser, "c")
        wait_for(
            browser,
            lambda d: (
                text_of(d, f'.item[data-id="{xss.id}"] [data-field="claim"]')
                == "Claimed by you · 10 min left"
            ),
            message="claimed by me",
        )
        assert text_of(browser, "#who-text") == "Signed in as mod-browser"
        assert reload_comment(db, xss.id).claimed_by == "mod-browser"

        # r asks for a reason, which goes into the audit trail.
        press(browser, "r")
        wait_for(browser, lambda d: css(d, "#reason-dialog").is_displayed(), message="dialog")
        Select(css(browser, "#reason-choice")).select_by_visible_text("Hate or harassment")
        css(browser, "#reason-note").send_keys("slur", Keys.ENTER)
        wait_until(lambda: reload_comment(db, xss.id).status == Status.REJECTED, timeout=10)
        event = db.session.scalar(
            db.select(ModerationEvent).where(
                ModerationEvent.comment_id == xss.id, ModerationEvent.action == "reject"
            )
        )
        assert (event.actor, event.reason) == ("mod-browser", "Hate or harassment: slur")

        # Someone else's claim: the 409 is shown on the card, and nothing changes.
        wait_for(
            browser,
            lambda d: "current" in css(d, f'.item[data-id="{claimed.id}"]').get_attribute("class"),
            message="next card",
        )
        press(browser, "a")
        claimed_card = f'.item[data-id="{claimed.id}"]'
        wait_for(
            browser,
            lambda d: (
                "Claimed by other-moderator until"
                in text_of(d, f'{claimed_card} [data-field="error"]')
            ),
            message="claim conflict",
        )
        assert reload_comment(db, claimed.id).status == Status.HELD

        # Another moderator decides first: the bulk decision reports that item, does the rest.
        assert (
            client.post(
                f"/v1/moderation/comments/{fourth.id}/decision",
                headers={"Authorization": f"Bearer {other_token}"},
                json={"action": "reject", "reason": "", "version": 1},
            ).status_code
            == 200
        )
        press(browser, "j")
        press(browser, "x")
        press(browser, "j")
        press(browser, "x")
        assert text_of(browser, "#selected-count") == "2 selected"
        press(browser, "A")
        fourth_card = f'.item[data-id="{fourth.id}"]'
        wait_for(
            browser,
            lambda d: (
                d.find_elements(By.CSS_SELECTOR, fourth_card)
                and "changed since version 1" in text_of(d, f'{fourth_card} [data-field="error"]')
            ),
            message="bulk conflict",
        )
        assert text_of(browser, f'{fourth_card} [data-field="status"]') == "rejected"
        assert (
            text_of(browser, "#page-error") == "1 of 2 were not changed: see the marked comments."
        )
        assert not browser.find_elements(By.CSS_SELECTOR, f'.item[data-id="{fifth.id}"]')
        assert reload_comment(db, fifth.id).status == Status.APPROVED
        assert reload_comment(db, fourth.id).status == Status.REJECTED

        assert_no_script_errors_or_foreign_requests(browser, server)


def item_ids(driver):
    return [
        int(card.get_attribute("data-id"))
        for card in driver.find_elements(By.CSS_SELECTOR, "#items > .item")
    ]


def option_texts(driver, selector):
    return [
        option.get_property("textContent")
        for option in driver.find_elements(By.CSS_SELECTOR, f"{selector} option")
    ]


def test_a_moderator_narrows_the_queue_by_label_and_reason(app, db, browser):
    with live_server(app) as server:
        site, _ = create_site("Daily News", [server])
        article = upsert_article(
            site, "bridge-1", permalink=f"{server}/news/bridge", title="Harbour bridge reopens"
        )
        _, token = create_token(Role.MODERATOR, None, "mod-filter")
        insult_body = "Thanks for the update. You are a complete idiot though."
        insult = held(
            db,
            site,
            article,
            insult_body,
            scores={"toxicity": 0.9, "insult": 0.85},
            spans=[
                span(insult_body, "You are a complete idiot though.", toxicity=0.9, insult=0.85)
            ],
        )
        threat = held(db, site, article, "Watch your back.", scores={"threat": 0.6})
        reported = held(
            db,
            site,
            article,
            "Typical politicians.",
            scores={"toxicity": 0.2},
            reported=True,
            flag_count=1,
        )
        reported.reasons = ["REPORTED"]
        # A spam signal's code, which the page does not list until a comment carries it, and a
        # hostile one: codes are shown as text like everything else.
        hostile = "<img src=x onerror=window.__xss=3>"
        linked = held(db, site, article, "Cheap loans at loans.example", scores={})
        linked.reasons = ["LINKS", "TOO_FAST", hostile]
        for comment in (reported, linked):
            comment.refresh_priority()
        db.session.commit()
        everyone = [insult.id, threat.id, linked.id, reported.id]

        browser.get(f"{server}/moderate")
        wait_for(browser, lambda d: css(d, "#token").is_displayed(), message="sign-in form")
        css(browser, "#token").send_keys(token, Keys.ENTER)
        wait_for(browser, lambda d: sorted(item_ids(d)) == sorted(everyone), message="held queue")
        assert option_texts(browser, "#filter-label") == [
            "Any label",
            "toxicity",
            "severe toxicity",
            "obscene",
            "threat",
            "insult",
            "identity attack",
            "sexual explicit",
        ]
        reasons = option_texts(browser, "#filter-reason")
        assert reasons[0] == "Any reason" and reasons[1:] == sorted(reasons[1:])
        assert {"REPORTED", "LINKS", "NEW_AUTHOR", "TOO_FAST", hostile} <= set(reasons)
        assert browser.find_elements(By.CSS_SELECTOR, "img") == []
        assert not css(browser, "#filter-clear").is_displayed()
        assert [
            css(browser, f"#filter-{name}").accessible_name for name in ("label", "reason")
        ] == ["Label", "Reason"]

        # With the keyboard: typing an option's name chooses it; the queue's shortcut keys
        # (s, u, ...) do nothing while the filter has focus.
        css(browser, "#filter-label").send_keys("insult")
        wait_for(browser, lambda d: item_ids(d) == [insult.id], message="label filter")
        assert text_of(browser, "#announce") == "Showing 1 held comment with label insult."
        assert css(browser, "#filter-clear").is_displayed()
        assert reload_comment(db, insult.id).status == Status.HELD
        browser.execute_script("document.activeElement.blur()")
        screenshot(browser, "review-filter")

        Select(css(browser, "#filter-reason")).select_by_visible_text("REPORTED")
        wait_for(browser, lambda d: css(d, "#empty").is_displayed(), message="nothing matches both")
        assert text_of(browser, "#empty") == "Nothing in this queue matches the filter."
        Select(css(browser, "#filter-label")).select_by_visible_text("Any label")
        wait_for(browser, lambda d: item_ids(d) == [reported.id], message="reason filter")

        Select(css(browser, "#filter-reason")).select_by_visible_text("TOO_FAST")
        wait_for(browser, lambda d: item_ids(d) == [linked.id], message="a code seen on a comment")
        Select(css(browser, "#filter-label")).select_by_visible_text("threat")
        Select(css(browser, "#filter-reason")).select_by_visible_text("Any reason")
        wait_for(browser, lambda d: item_ids(d) == [threat.id], message="another label")

        # Arrow keys change the filter faster than the server answers: the list shows the
        # filter chosen last even when an earlier choice's answer arrives after it.
        browser.execute_script("""
            const realFetch = window.fetch;
            window.fetch = (url, options) => realFetch(url, options).then((response) =>
              String(url).includes("label=insult")
                ? new Promise((resolve) => setTimeout(() => resolve(response), 800)) : response);
        """)
        Select(css(browser, "#filter-label")).select_by_visible_text("insult")
        Select(css(browser, "#filter-label")).select_by_visible_text("threat")
        time.sleep(1.2)
        assert item_ids(browser) == [threat.id]
        assert text_of(browser, "#announce") == "Showing 1 held comment with label threat."

        # The filter stays while the moderator moves between queues, as the sort does.
        Select(css(browser, "#filter-label")).select_by_visible_text("Any label")
        Select(css(browser, "#filter-reason")).select_by_visible_text("REPORTED")
        wait_for(browser, lambda d: item_ids(d) == [reported.id], message="reported in held")
        css(browser, '.queue[data-queue="approved"]').click()
        wait_for(
            browser,
            lambda d: text_of(d, "#queue-title") == "Approved" and css(d, "#empty").is_displayed(),
            message="approved queue, filtered",
        )
        assert Select(css(browser, "#filter-reason")).first_selected_option.text == "REPORTED"

        css(browser, "#filter-clear").click()
        wait_for(
            browser,
            lambda d: text_of(d, "#announce") == "Showing 0 approved comments.",
            message="filter cleared",
        )
        assert text_of(browser, "#empty") == "Nothing in this queue."
        assert browser.switch_to.active_element == css(browser, "#filter-label")
        assert not css(browser, "#filter-clear").is_displayed()
        css(browser, '.queue[data-queue="held"]').click()
        wait_for(browser, lambda d: sorted(item_ids(d)) == sorted(everyone), message="all again")
        assert browser.execute_script("return window.__xss === undefined")
        assert_no_script_errors_or_foreign_requests(browser, server)


def sign_in(driver, token):
    wait_for(driver, lambda d: css(d, "#token").is_displayed(), message="sign-in form")
    css(driver, "#token").send_keys(token, Keys.ENTER)
    wait_for(driver, lambda d: css(d, "#app").is_displayed(), message="signed in")


def selected_texts(driver):
    return [
        Select(css(driver, f"#{name}")).first_selected_option.text
        for name in ("sort", "filter-label", "filter-reason")
    ]


@pytest.fixture
def review_desk(app, db):
    """The review page on a live server, a moderator and held comments to narrow down."""
    with live_server(app) as server:
        site, _ = create_site("Daily News", [server])
        article = upsert_article(
            site, "bridge-1", permalink=f"{server}/news/bridge", title="Harbour bridge reopens"
        )
        _, token = create_token(Role.MODERATOR, None, "mod-view")
        # Two insults, the older one milder: oldest first and by priority differ.
        mild = held(db, site, article, "You are a bit of an idiot.", scores={"insult": 0.6})
        harsh = held(
            db,
            site,
            article,
            "You are a complete idiot.",
            scores={"toxicity": 0.95, "insult": 0.95},
        )
        threat = held(db, site, article, "Watch your back.", scores={"threat": 0.6})
        reported = held(
            db,
            site,
            article,
            "Typical idiot politicians.",
            scores={"insult": 0.55},
            reported=True,
            flag_count=1,
        )
        reported.reasons = ["TOXIC:insult", "REPORTED"]
        fast = held(db, site, article, "Cheap loans at loans.example", scores={})
        fast.reasons = ["TOO_FAST"]  # a spam signal's code: not offered until a comment has it
        for comment in (reported, fast):
            comment.refresh_priority()
        db.session.commit()
        yield SimpleNamespace(
            server=server,
            token=token,
            mild=mild,
            harsh=harsh,
            threat=threat,
            reported=reported,
            fast=fast,
        )


def test_the_review_page_keeps_queue_sort_and_filter_in_its_url(review_desk, browser):
    desk = review_desk
    # A shared link "held, oldest first, label insult", opened before signing in.
    browser.get(f"{desk.server}/moderate?sort=oldest&label=insult")
    sign_in(browser, desk.token)
    wait_for(
        browser,
        lambda d: item_ids(d) == [desk.mild.id, desk.harsh.id, desk.reported.id],
        message="the shared view",
    )
    assert text_of(browser, "#queue-title") == "Held"
    assert selected_texts(browser) == ["Oldest first", "insult", "Any reason"]
    assert css(browser, "#filter-clear").is_displayed()
    assert text_of(browser, "#announce") == "Showing 3 held comments with label insult."

    # Each choice is written to the URL in place: no reload, no new history entry.
    browser.execute_script("window.__samePage = true")
    entries = browser.execute_script("return history.length")
    css(browser, '.queue[data-queue="reported"]').click()
    Select(css(browser, "#filter-reason")).select_by_visible_text("REPORTED")
    wait_for(
        browser,
        lambda d: item_ids(d) == [desk.reported.id] and text_of(d, "#queue-title") == "Reported",
        message="reported, filtered",
    )
    assert (
        browser.current_url
        == f"{desk.server}/moderate?queue=reported&sort=oldest&label=insult&reason=REPORTED"
    )
    assert browser.execute_script("return window.__samePage && history.length") == entries

    browser.refresh()
    wait_for(
        browser,
        lambda d: text_of(d, "#queue-title") == "Reported" and item_ids(d) == [desk.reported.id],
        message="the view after a reload",
    )
    assert selected_texts(browser) == ["Oldest first", "insult", "REPORTED"]
    assert css(browser, '.queue[data-queue="reported"]').get_attribute("aria-current") == "page"
    assert css(browser, '.queue[data-queue="held"]').get_attribute("aria-current") is None

    # Back to the defaults, the URL is bare again.
    css(browser, '.queue[data-queue="held"]').click()
    Select(css(browser, "#sort")).select_by_visible_text("Priority")
    css(browser, "#filter-clear").click()
    wait_for(browser, lambda d: len(item_ids(d)) == 5, message="everything held")
    assert browser.current_url == f"{desk.server}/moderate"
    shown = item_ids(browser)
    assert shown.index(desk.harsh.id) < shown.index(desk.mild.id)  # priority, not age

    # A spam signal's code the page has not seen yet is kept, and shown as an option.
    browser.get(f"{desk.server}/moderate?reason=TOO_FAST")
    wait_for(browser, lambda d: item_ids(d) == [desk.fast.id], message="a spam signal's code")
    assert selected_texts(browser) == ["Priority", "Any label", "TOO_FAST"]
    assert desk.token not in browser.current_url
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


@pytest.mark.parametrize(
    "query, kept",
    [
        ("queue=archive&sort=score&label=spam&reason=NOT%20A%20CODE", ""),
        ("queue=__proto__&sort=constructor&label=toString&reason=__proto__", ""),
        ("queue=HELD&sort=Oldest&label=TOXIC%3Ainsult&reason=TOXIC%3Ainsult", ""),
        (f"queue=&sort=&label=&reason={'A' * 61}", ""),
        (
            "queue=%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D4%3E"
            "&label=%3Cscript%3Ewindow.__xss%3D5%3C%2Fscript%3E"
            "&reason=%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D6%3E",
            "",
        ),
        ("sort=oldest&label=nonsense&reason=REPORTED&queue=held", "?sort=oldest&reason=REPORTED"),
    ],
    ids=["unknown", "prototype-names", "wrong-shape", "empty-and-too-long", "markup", "mixed"],
)
def test_a_review_url_with_bad_values_falls_back_to_the_defaults(review_desk, browser, query, kept):
    desk = review_desk
    browser.get(f"{desk.server}/moderate?{query}")
    sign_in(browser, desk.token)
    expected = (
        [desk.reported.id]
        if kept
        else [desk.harsh.id, desk.mild.id, desk.threat.id, desk.reported.id, desk.fast.id]
    )
    wait_for(browser, lambda d: sorted(item_ids(d)) == sorted(expected), message="the queue")
    assert browser.current_url == f"{desk.server}/moderate{kept}"
    assert text_of(browser, "#queue-title") == "Held"
    assert selected_texts(browser) == (
        ["Oldest first", "Any label", "REPORTED"]
        if kept
        else ["Priority", "Any label", "Any reason"]
    )
    assert set(option_texts(browser, "#filter-reason")) <= set(REVIEW_REASONS) | {
        "Any reason",
        "TOO_FAST",
    }
    assert text_of(browser, "#page-error") == ""
    assert browser.find_elements(By.CSS_SELECTOR, "img, #items script") == []
    assert browser.execute_script("return window.__xss === undefined")
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


# ---------------------------------------------------------------- the whole stack


CLEAN = "Great news for commuters. The Elm Street lane will make my ride to work much safer."
HARSH = "Honestly this council is full of idiots. What a stupid waste of money."
ABUSE = f"Shut up, you worthless idiot. {XSS} Nobody cares, you moron."


def post_from_widget(driver, name, email, body, website=""):
    for field, value in (
        ("author_name", name),
        ("author_email", email),
        ("author_url", website),
        ("body", body),
    ):
        css(driver, f"[name={field}]").clear()
        css(driver, f"[name={field}]").send_keys(value)
    css(driver, ".mw-submit").click()


def test_end_to_end_a_toxic_comment_is_held_and_the_approved_one_shows(tmp_path, browser):
    """modctl up, a reader on the demo article, the real model, a moderator, the reader again."""
    redis.Redis.from_url(E2E_REDIS_URL).flushdb()
    stack = ModctlUp(
        tmp_path,
        E2E_REDIS_URL,
        {
            "TOXICITY_MODEL": "offline",
            "TOXICITY_FAST_PATH": "off",
            "SWEEP_INTERVAL_S": "5",
            "SWEEP_PENDING_AFTER_S": "10",
        },
    )
    try:
        printed = stack.start()
        stack.wait_ready()
        base = stack.base
        assert printed["article_url"] == f"{base}/demo/article"
        assert printed["review_url"] == f"{base}/moderate"

        # Post-moderation: publish unless the model flags it, and leave every flagged comment
        # to a person (auto mode would reject a clearly toxic one outright).
        admin = {"Authorization": f"Bearer {printed['admin_token']}"}
        settings = {"moderation_mode": "post", "flood_seconds": 0}
        response = httpx.patch(
            f"{base}/v1/admin/sites/{printed['site_id']}",
            headers=admin,
            json={"settings": settings},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        warm_up_model(base, printed["site_key"], printed["moderator_token"])

        # A reader on the demo article.
        browser.get(printed["article_url"])
        assert not browser.find_elements(By.CSS_SELECTOR, ".setup-note"), (
            "the demo page has no site key: `modctl up` must call "
            "service.web.pages.save_demo_site_key when it creates the demo site"
        )
        wait_for(browser, lambda d: text_of(d, ".mw-heading") == "No comments yet", 20, "widget")
        opened = time.monotonic()
        assert text_of(browser, "h1") == "City council approves new bike lanes"
        screenshot(browser, "article")

        # A person reads before writing; the spam stage holds forms sent within 3 s of rendering.
        time.sleep(max(0.0, opened + 3.5 - time.monotonic()))
        post_from_widget(
            browser, "Jordan Lee", "jordan@mail.example", CLEAN, "https://jordan.example"
        )
        wait_for(
            browser,
            lambda d: text_of(d, ".mw-status") == "Your comment is published.",
            20,
            "the clean comment is published at once",
        )
        assert CLEAN in text_of(browser, ".mw-thread")

        post_from_widget(browser, "Riley", "riley@mail.example", HARSH)
        wait_for(
            browser,
            lambda d: text_of(d, ".mw-status") == "Your comment is awaiting moderation.",
            20,
            "harsh comment held",
        )
        post_from_widget(browser, "Anon", "anon@mail.example", ABUSE)
        wait_for(
            browser,
            lambda d: text_of(d, ".mw-status") == "Your comment is awaiting moderation.",
            20,
            "abusive comment held",
        )
        # Held: not published, but shown in place to their author (this browser), marked.
        published = browser.execute_script(
            "return [...document.querySelectorAll('.mw-thread > .mw-comment:not(.mw-pending)')]"
            ".map((comment) => comment.textContent).join(' ')"
        )
        assert CLEAN in published and HARSH not in published and "worthless" not in published
        pending = [
            e.get_property("textContent")
            for e in browser.find_elements(By.CSS_SELECTOR, ".mw-pending .mw-body")
        ]
        assert sorted(pending) == sorted([HARSH, ABUSE])
        assert_no_script_errors_or_foreign_requests(browser, base)

        # A moderator signs in and finds both held comments, shown as text.
        browser.get(printed["review_url"])
        css(browser, "#token").send_keys(printed["moderator_token"], Keys.ENTER)
        wait_for(
            browser,
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#items > .item")) == 2,
            20,
            "two held comments",
        )
        assert text_of(browser, '[data-count="held"]') == "2"
        assert text_of(browser, '[data-count="approved"]') == "1"
        bodies = [
            e.get_property("textContent")
            for e in browser.find_elements(By.CSS_SELECTOR, "#items .body")
        ]
        assert sorted(bodies) == sorted([HARSH, ABUSE])  # the markup shown as text
        assert browser.find_elements(By.CSS_SELECTOR, "#items img") == []
        assert browser.execute_script("return window.__xss === undefined")
        assert browser.find_elements(By.CSS_SELECTOR, "#items .body mark")  # spans highlighted
        assert "TOXIC:toxicity" in text_of(browser, "#items .reasons")

        click_action(browser, "council is full of idiots", "approve")
        wait_for(
            browser,
            lambda d: len(d.find_elements(By.CSS_SELECTOR, "#items > .item")) == 1,
            10,
            "the approved card left the queue",
        )
        click_action(browser, "worthless idiot", "reject")
        wait_for(browser, lambda d: css(d, "#reason-dialog").is_displayed(), message="dialog")
        css(browser, "#reason-confirm").click()
        wait_for(
            browser,
            lambda d: not d.find_elements(By.CSS_SELECTOR, "#items > .item"),
            10,
            "both decided",
        )
        wait_for(browser, lambda d: text_of(d, '[data-count="held"]') == "0", 10, "held count")
        assert text_of(browser, '[data-count="approved"]') == "2"
        assert text_of(browser, '[data-count="rejected"]') == "1"
        assert_no_script_errors_or_foreign_requests(browser, base)

        # Back on the article: the approved comment is there, the rejected one is not.
        browser.get(printed["article_url"])
        wait_for(browser, lambda d: text_of(d, ".mw-heading") == "2 Comments", 20, "thread")
        thread = text_of(browser, ".mw-thread")
        assert CLEAN in thread and HARSH in thread and "worthless" not in thread
        browser.execute_script(
            "window.scrollTo(0, document.querySelector('.comments-area')"
            ".getBoundingClientRect().top + window.scrollY - 40)"
        )
        screenshot(browser, "article-comments")
    finally:
        stopped = stack.stop()
        redis.Redis.from_url(E2E_REDIS_URL).flushdb()
    # Ctrl-C stops everything it started, cleanly.
    assert stopped == {"returncode": 0, "outlived": []}, stack.tail()


def card_with_text(driver, text):
    for card in driver.find_elements(By.CSS_SELECTOR, "#items > .item"):
        if text in card.find_element(By.CSS_SELECTOR, ".body").get_property("textContent"):
            return card
    raise NoSuchElementException(f"no card with {text!r}")


def click_action(driver, text, action):
    """Click a card's action button, finding the card again if the list re-rendered meanwhile."""

    def attempt(d):
        card_with_text(d, text).find_element(By.CSS_SELECTOR, f'[data-action="{action}"]').click()
        return True

    wait_for(driver, attempt, 10, f"{action} on {text!r}")


def warm_up_model(base, site_key, moderator_token, timeout=90):
    """Classify one comment on another article, so the model is loaded before the reader posts;
    then delete it, so the queues hold only the reader's comments."""
    response = httpx.post(
        f"{base}/v1/articles/warm-up/comments",
        headers={"X-Site-Key": site_key},
        json={
            "author_name": "Warm Up",
            "author_email": "warm@mail.example",
            "body": "Checking that the service works.",
        },
        timeout=10,
    )
    assert response.status_code == 202, response.text
    data = response.json()

    def decided():
        status = httpx.get(
            f"{base}/v1/comments/{data['id']}/status",
            headers={"X-Status-Token": data["status_token"]},
            timeout=5,
        ).json()["status"]
        return status != "pending"

    wait_until(decided, timeout=timeout, interval=0.5)
    moderator = {"Authorization": f"Bearer {moderator_token}"}
    item = httpx.get(
        f"{base}/v1/moderation/comments/{data['id']}", headers=moderator, timeout=5
    ).json()
    response = httpx.post(
        f"{base}/v1/moderation/comments/{data['id']}/decision",
        headers=moderator,
        timeout=5,
        json={"action": "delete", "reason": "warm-up", "version": item["version"]},
    )
    assert response.status_code == 200, response.text
