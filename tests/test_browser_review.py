"""The review page in real headless Chromium: its modules, keyboard safety, undo, evidence,
context and live queues (the scenarios of a busy news site's moderators)."""

from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By

from service.admin_ops import create_site, create_token, upsert_article
from service.models import Role
from tests.support.browser import chromium_missing, wait_for
from tests.support.live_server import live_server
from tests.test_browser import (
    assert_no_script_errors_or_foreign_requests,
    css,
    held,
    item_ids,
    sign_in,
    span,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(chromium_missing() is not None, reason=chromium_missing() or ""),
]


@pytest.fixture
def newsroom(app, db):
    """The review page on a live server, two moderators and eight held comments."""
    with live_server(app) as server:
        site, key = create_site("Daily News", [server])
        article = upsert_article(site, "bridge-1", permalink=f"{server}/news/bridge",
                                 title="Harbour bridge reopens")
        _, token = create_token(Role.MODERATOR, None, "mod-desk")
        _, other_token = create_token(Role.MODERATOR, None, "other-moderator")
        comments = []
        for n in range(8):
            body = f"Comment number {n}. You are an idiot {n}."
            comments.append(held(db, site, article, body, name=f"Reader {n}",
                                 scores={"toxicity": 0.9 - n / 100},
                                 spans=[span(body, f"You are an idiot {n}.",
                                             toxicity=0.9 - n / 100)]))
        yield SimpleNamespace(server=server, site=site, key=key, article=article, token=token,
                              other_token=other_token, comments=comments)


def open_review(driver, desk, query=""):
    driver.get(f"{desk.server}/moderate{query}")
    sign_in(driver, desk.token)
    wait_for(driver, lambda d: len(item_ids(d)) > 0, message="the queue")


def test_the_review_page_is_built_from_es_modules_of_its_own_origin(newsroom, browser):
    open_review(browser, newsroom)
    scripts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(name => name.endsWith('.js'))")
    modules = {url.rsplit("/static/", 1)[1] for url in scripts}
    assert {"moderate.js", "review/api.js", "review/card.js", "review/keyboard.js",
            "review/decisions.js", "review/queue.js"} <= modules
    assert css(browser, "script[src$='moderate.js']").get_attribute("type") == "module"
    assert browser.find_elements(By.CSS_SELECTOR, "script:not([src])") == []
    assert item_ids(browser) == [c.id for c in newsroom.comments]
    assert_no_script_errors_or_foreign_requests(browser, newsroom.server)
