"""The widget shows its author the statement of reasons, in real headless Chromium.

Run with `pytest -m browser`. Skipped only where Debian's chromium is not installed.
"""

from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By

from service.admin_ops import create_site, upsert_article
from service.models import Comment, Status
from tests.conftest import wait_until
from tests.support.browser import (
    chromium_missing,
    page_errors,
    screenshot,
    wait_for,
)
from tests.support.live_server import live_server
from tests.test_statements import INSULT_REJECTS, decided

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]

XSS = '<img src=x onerror="window.__xss = 1">'


def page(widget_src, site_key):
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour bridge reopens</title></head>
<body><main>
  <h1>Harbour bridge reopens after repairs</h1>
  <div id="comments"></div>
  <script src="{widget_src}" data-site-key="{site_key}" data-article-id="bridge-1"
          data-target="#comments" data-poll-seconds="30"></script>
</main></body></html>"""


@pytest.fixture
def news_site(app, db):
    def serve_page(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [news.page.encode()]

    with live_server(app) as api, live_server(serve_page) as site_url:
        site, key = create_site(
            "Harbour News",
            [site_url],
            {
                "thresholds": INSULT_REJECTS,
                "min_submit_seconds": 0,
                "appeal_url": f"{site_url}/appeals",
            },
        )
        upsert_article(site, "bridge-1", permalink=f"{site_url}/bridge", title="Bridge")
        news = SimpleNamespace(api=api, url=site_url, page=page(f"{api}/static/widget.js", key))
        yield news


def text_of(driver, selector):
    return driver.find_element(By.CSS_SELECTOR, selector).get_property("textContent")


def test_the_author_reads_why_the_comment_was_not_published(worker, db, news_site, browser):
    browser.get(news_site.url)
    wait_for(browser, lambda d: text_of(d, ".mw-heading") == "No comments yet", 20, "widget")
    body = f"The repairs took too long. You are all fools {XSS} at the council."
    browser.find_element(By.CSS_SELECTOR, "textarea[name=body]").send_keys(body)
    browser.find_element(By.CSS_SELECTOR, "[name=author_name]").send_keys("Riley")
    browser.find_element(By.CSS_SELECTOR, "[name=author_email]").send_keys("riley@mail.example")
    browser.find_element(By.CSS_SELECTOR, ".mw-submit").click()

    comment_id = wait_until(lambda: db.session.scalar(db.select(Comment.id)))
    assert wait_until(lambda: decided(db, comment_id)).status == Status.REJECTED
    wait_for(
        browser, lambda d: d.find_elements(By.CSS_SELECTOR, ".mw-statement"), 30, "the statement"
    )
    statement = text_of(browser, ".mw-statement")
    assert text_of(browser, ".mw-statement-summary") == (
        "Your comment was not published because of the reasons below."
    )
    assert "an insult" in statement and "threshold for rejecting" in statement
    quoted = [
        q.get_property("textContent")
        for q in browser.find_elements(By.CSS_SELECTOR, ".mw-statement .mw-sentence")
    ]
    assert quoted and set(quoted) <= {
        "The repairs took too long.",
        f"You are all fools {XSS} at the council.",
    }
    assert "without a person taking part" in text_of(browser, ".mw-process")
    assert "The results of this site's automated spam checks." in statement
    link = browser.find_element(By.CSS_SELECTOR, ".mw-appeal a")
    assert link.get_attribute("href") == f"{news_site.url}/appeals"
    assert link.get_property("textContent") == "Ask for a review"
    # Text, never markup: the quoted sentence's tag stays a string.
    assert browser.find_elements(By.CSS_SELECTOR, ".mw-comments img") == []
    assert browser.execute_script("return window.__xss === undefined")
    assert body not in text_of(browser, ".mw-thread")  # not in the public thread
    assert page_errors(browser) == []
    browser.execute_script(
        "document.querySelector('.mw-statement').scrollIntoView();window.scrollBy(0, -60);"
    )
    screenshot(browser, "statement")
