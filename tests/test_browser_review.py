"""The review page in real headless Chromium: its modules, keyboard safety, undo, evidence,
context and live queues (the scenarios of a busy news site's moderators)."""

from datetime import UTC, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from service.admin_ops import create_site, create_token, upsert_article
from service.models import Comment, Flag, ModerationEvent, Role, Status, utcnow
from service.worker_status import forget, publish
from tests.support.browser import chromium_missing, screenshot, wait_for
from tests.support.live_server import live_server
from tests.test_browser import (
    assert_no_script_errors_or_foreign_requests,
    css,
    held,
    item_ids,
    press,
    sign_in,
    span,
    text_of,
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
        article = upsert_article(
            site, "bridge-1", permalink=f"{server}/news/bridge", title="Harbour bridge reopens"
        )
        _, token = create_token(Role.MODERATOR, None, "mod-desk")
        _, other_token = create_token(Role.MODERATOR, None, "other-moderator")
        comments = []
        for n in range(8):
            body = f"Comment number {n}. You are an idiot {n}."
            comments.append(
                held(
                    db,
                    site,
                    article,
                    body,
                    name=f"Reader {n}",
                    scores={"toxicity": 0.9 - n / 100},
                    spans=[span(body, f"You are an idiot {n}.", toxicity=0.9 - n / 100)],
                )
            )
        yield SimpleNamespace(
            server=server,
            site=site,
            key=key,
            article=article,
            token=token,
            other_token=other_token,
            comments=comments,
        )


def open_review(driver, desk, query=""):
    driver.get(f"{desk.server}/moderate{query}")
    sign_in(driver, desk.token)
    wait_for(driver, lambda d: len(item_ids(d)) > 0, message="the queue")


def test_the_review_page_is_built_from_es_modules_of_its_own_origin(newsroom, browser):
    open_review(browser, newsroom)
    scripts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
        ".filter(name => name.endsWith('.js'))"
    )
    modules = {url.rsplit("/static/", 1)[1] for url in scripts}
    assert {
        "moderate.js",
        "review/api.js",
        "review/card.js",
        "review/keyboard.js",
        "review/decisions.js",
        "review/queue.js",
    } <= modules
    assert css(browser, "script[src$='moderate.js']").get_attribute("type") == "module"
    assert browser.find_elements(By.CSS_SELECTOR, "script:not([src])") == []
    assert item_ids(browser) == [c.id for c in newsroom.comments]
    assert_no_script_errors_or_foreign_requests(browser, newsroom.server)


def current_id(driver):
    return int(css(driver, "#items > .item.current").get_attribute("data-id"))


def on_screen(driver, comment_id):
    return driver.execute_script(
        """
        const box = document.querySelector(`#items > .item[data-id="${arguments[0]}"]`)
          .getBoundingClientRect();
        const top = document.querySelector("#review-header")?.getBoundingClientRect().bottom || 0;
        return box.top >= top - 1 && box.top < innerHeight;""",
        comment_id,
    )


def status_of(db, comment_id):
    db.session.expire_all()
    return db.session.get(Comment, comment_id).status


def test_keys_act_only_on_a_card_on_screen_and_work_after_a_control(newsroom, db, browser):
    desk = newsroom
    open_review(browser, desk)
    fifth = desk.comments[4]
    for _ in range(4):
        press(browser, "j")
    assert current_id(browser) == fifth.id and on_screen(browser, fifth.id)

    # A reload keeps the moderator on the same comment, where the page is scrolled.
    browser.execute_script("document.querySelector('#items > .item').dataset.before = 'u'")
    press(browser, "u")
    wait_for(
        browser,
        lambda d: (
            not d.find_elements(By.CSS_SELECTOR, "[data-before]")
            and d.find_elements(By.CSS_SELECTOR, "#items > .item.current")
        ),
        message="reloaded",
    )
    assert current_id(browser) == fifth.id and on_screen(browser, fifth.id)

    # Scrolled back to the top: the mark follows to a card on screen, and `a` acts on that one.
    browser.execute_script("window.scrollTo(0, 0)")
    wait_for(browser, lambda d: current_id(d) != fifth.id, message="the mark follows scrolling")
    target = current_id(browser)
    assert on_screen(browser, target)
    press(browser, "a")
    wait_for(browser, lambda d: status_of(db, target) == Status.APPROVED, message="approved")
    assert status_of(db, fifth.id) == Status.HELD

    # An action asked for a card scrolled out of view an instant ago is not carried out.
    browser.execute_script("""
        const card = document.querySelector('#items > .item.current');
        card.classList.remove('current');
        document.querySelector('#items > .item:last-child').classList.add('current');
        window.scrollTo(0, 0);""")
    last = current_id(browser)
    assert not on_screen(browser, last)
    browser.execute_script(
        "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: 'a', bubbles: true}))"
    )
    wait_for(browser, lambda d: "off screen" in text_of(d, "#announce"), message="refused")
    assert status_of(db, last) == Status.HELD
    assert on_screen(browser, current_id(browser))

    # After choosing a sort with the keyboard, Escape gives the keys back to the queue.
    css(browser, "#sort").send_keys("Oldest")
    wait_for(browser, lambda d: "sort=oldest" in d.current_url, message="sorted")
    press(browser, "r")
    assert not css(browser, "#reason-dialog").is_displayed()  # typed into the select
    press(browser, Keys.ESCAPE)
    press(browser, "r")
    wait_for(browser, lambda d: css(d, "#reason-dialog").is_displayed(), message="reason dialog")
    press(browser, Keys.ESCAPE)

    # `?` lists the keys, the same list the README shows; 1-6 switch queues.
    press(browser, "?")
    wait_for(browser, lambda d: css(d, "#keys-dialog").is_displayed(), message="key map")
    shown = [
        (dt.get_property("textContent").strip(), dd.get_property("textContent").strip())
        for dt, dd in zip(
            browser.find_elements(By.CSS_SELECTOR, "#keys-dialog dt"),
            browser.find_elements(By.CSS_SELECTOR, "#keys-dialog dd"),
            strict=True,
        )
    ]
    assert [(" ".join(keys.split()), does) for keys, does in shown] == readme_keys()
    press(browser, Keys.ESCAPE)
    press(browser, "2")
    wait_for(browser, lambda d: text_of(d, "#queue-title") == "Reported", message="queue 2")
    press(browser, "5")
    wait_for(
        browser,
        lambda d: text_of(d, "#queue-title") == "Approved" and item_ids(d) == [target],
        message="queue 5",
    )
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def readme_keys():
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    table = readme.split("### Review page keys", 1)[1].split("| --- | --- |\n", 1)[1]
    rows = []
    for line in table.splitlines():
        if not line.startswith("|"):
            break
        keys, does = (cell.strip() for cell in line.strip("|").split("|"))
        rows.append((keys, does))
    return rows


def test_a_decision_can_be_undone_from_a_toast_beside_the_card_and_history_shows_it(
    newsroom, db, browser
):
    desk = newsroom
    published = desk.comments[:3]
    for comment in published:
        comment.status = Status.APPROVED
    db.session.commit()
    open_review(browser, desk, "?queue=approved")
    press(browser, "j")
    target = current_id(browser)
    press(browser, "r")
    wait_for(browser, lambda d: css(d, "#reason-dialog").is_displayed(), message="reason dialog")
    css(browser, "#reason-note").send_keys("rude", Keys.ENTER)
    wait_for(browser, lambda d: status_of(db, target) == Status.REJECTED, message="rejected")

    # The toast stands where the card was, on screen, under the sticky header.
    toast = wait_for(browser, lambda d: css(d, "#items > .toast"), message="toast")
    assert toast.get_property("textContent").startswith(f"Rejected: comment {target} by")
    neighbours = browser.execute_script("""
        const toast = document.querySelector('#items > .toast');
        return [toast.previousElementSibling?.dataset.id, toast.nextElementSibling?.dataset.id];""")
    assert neighbours == [str(published[0].id), str(published[2].id)]
    screenshot(browser, "review-undo")
    press(browser, "z")
    wait_for(browser, lambda d: status_of(db, target) == Status.APPROVED, message="undone")
    wait_for(browser, lambda d: target in item_ids(d), message="the card is back")
    events = db.session.scalars(
        db.select(ModerationEvent)
        .where(ModerationEvent.comment_id == target)
        .order_by(ModerationEvent.id)
    ).all()
    assert [(e.action, e.to_status, e.reason) for e in events] == [
        ("reject", Status.REJECTED, "Abusive or insulting: rude"),
        ("approve", Status.APPROVED, "Undo"),
    ]
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_several_decisions_leave_a_stack_of_toasts_that_z_undoes_newest_first(
    newsroom, db, browser
):
    desk = newsroom
    open_review(browser, desk)
    first = current_id(browser)
    press(browser, "a")
    wait_for(browser, lambda d: status_of(db, first) == Status.APPROVED, message="first")
    wait_for(browser, lambda d: first not in item_ids(d), message="first card gone")
    second = current_id(browser)
    press(browser, "a")
    wait_for(browser, lambda d: status_of(db, second) == Status.APPROVED, message="second")
    wait_for(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, ".toast .undo")) == 2,
             message="two toasts")  # fmt: skip
    press(browser, "z")
    wait_for(browser, lambda d: status_of(db, second) == Status.HELD, message="second undone")
    assert status_of(db, first) == Status.APPROVED  # the newest decision only
    press(browser, "z")
    wait_for(browser, lambda d: status_of(db, first) == Status.HELD, message="first undone")
    wait_for(browser, lambda d: {first, second} <= set(item_ids(d)), message="both back")
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_the_counts_filters_and_selection_stay_in_view_while_the_queue_scrolls(newsroom, browser):
    open_review(browser, newsroom)
    press(browser, "x")
    browser.execute_script("window.scrollTo(0, document.body.scrollHeight)")
    for selector in (
        "#review-header",
        "#selected-count",
        "#filter-label",
        "#queue-count",
        '[data-count="held"]',
    ):
        top = browser.execute_script(
            "return document.querySelector(arguments[0]).getBoundingClientRect().top", selector
        )
        assert 0 <= top < 200, selector
    assert text_of(browser, "#selected-count") == "1 selected"
    assert text_of(browser, "#queue-count") == "8"


def shown_actions(driver, comment_id):
    # Each button's name, without the key shown after it.
    return [
        button.text.rsplit(" ", 1)[0]
        for button in driver.find_elements(
            By.CSS_SELECTOR, f'.item[data-id="{comment_id}"] .actions [data-action]'
        )
        if button.is_displayed()
    ]


def test_buttons_follow_the_comments_state_and_claims_show_local_times(
    newsroom, db, client, browser
):
    desk = newsroom
    claimed, published, reported, refused = desk.comments[:4]
    claimed.claimed_by, claimed.claimed_until = "other-moderator", utcnow() + timedelta(minutes=10)
    published.status = Status.APPROVED
    reported.status, reported.reported = Status.APPROVED, True
    db.session.commit()
    assert (
        client.post(
            f"/v1/moderation/comments/{refused.id}/decision",
            headers={"Authorization": f"Bearer {desk.other_token}"},
            json={"action": "reject", "reason": "Threat", "version": 1},
        ).status_code
        == 200
    )
    open_review(browser, desk)

    # Someone else's claim: who and until when (local time), and nothing to decide with.
    card = f'.item[data-id="{claimed.id}"]'
    local = claimed.claimed_until.replace(tzinfo=UTC).astimezone().strftime("%I:%M %p")
    assert (
        text_of(browser, f'{card} [data-field="claim"]')
        == f"Claimed by other-moderator until {local} (10 min left)"
    )
    assert shown_actions(browser, claimed.id) == ["History", "Conversation", "Author"]
    assert current_id(browser) == claimed.id
    press(browser, "a")
    wait_for(
        browser,
        lambda d: "no decisions until" in text_of(d, f'{card} [data-field="error"]'),
        message="refused on the page",
    )
    assert status_of(db, claimed.id) == Status.HELD

    press(browser, "5")
    wait_for(browser, lambda d: set(item_ids(d)) == {published.id, reported.id}, message="approved")
    assert shown_actions(browser, published.id) == [
        "Reject…",
        "Spam",
        "Delete…",
        "Claim",
        "History",
        "Conversation",
        "Author",
    ]
    press(browser, "2")
    wait_for(browser, lambda d: item_ids(d) == [reported.id], message="reported")
    assert shown_actions(browser, reported.id) == [
        "Reject…",
        "Spam",
        "Delete…",
        "Dismiss reports",
        "Claim",
        "History",
        "Conversation",
        "Author",
    ]

    press(browser, "6")
    wait_for(browser, lambda d: item_ids(d) == [refused.id], message="rejected")
    assert shown_actions(browser, refused.id) == [
        "Approve",
        "Spam",
        "Delete…",
        "Claim",
        "History",
        "Conversation",
        "Author",
    ]
    decided = f'.item[data-id="{refused.id}"] [data-field="decided"]'
    wait_for(browser, lambda d: css(d, decided).is_displayed(), message="who decided")
    assert text_of(browser, decided).startswith("Rejected by other-moderator ")
    assert text_of(browser, decided).endswith(": Threat")
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_the_card_shows_its_evidence_and_the_filter_only_labels_the_live_model_scores(
    app, newsroom, db, browser
):
    desk = newsroom
    linked, foreign, insult = desk.comments[:3]
    linked.body = "Cheap loans at https://loans.example/apply and www.pills.example today."
    linked.reasons = ["LINKS"]
    foreign.language, foreign.reasons = "fi", ["LANG_UNSUPPORTED"]
    db.session.commit()
    url = app.config["REDIS_URL"]
    publish(
        url,
        "w-fallback",
        {
            "name": "offline-fallback",
            "version": "1",
            "labels": ["toxicity"],
            "offline_fallback": True,
        },
    )
    try:
        open_review(browser, desk)
        wait_for(browser, lambda d: css(d, "#model-banner").is_displayed(), message="banner")
        assert "offline fallback model" in text_of(browser, "#model-banner")
        offered = [
            option.get_property("value")
            for option in browser.find_elements(By.CSS_SELECTOR, "#filter-label option")
            if not option.get_property("hidden")
        ]
        assert offered == ["", "toxicity"]
    finally:
        forget(url, "w-fallback")
    links = browser.find_elements(
        By.CSS_SELECTOR, f'.item[data-id="{linked.id}"] [data-field="links"] li'
    )
    assert [link.get_property("textContent") for link in links] == [
        "loans.example https://loans.example/apply",
        "www.pills.example www.pills.example",
    ]
    assert text_of(browser, f'.item[data-id="{foreign.id}"] [data-field="language"]') == "fi"
    assert (
        text_of(browser, f'.item[data-id="{insult.id}"] [data-field="sentences"]')
        == "toxicity: You are an idiot 2."
    )
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_new_comments_are_offered_and_counts_and_times_update_without_a_reload(
    newsroom, db, browser
):
    desk = newsroom
    first = desk.comments[0]
    first.created_at = utcnow() - timedelta(seconds=30)
    db.session.commit()
    open_review(browser, desk)
    received = f'.item[data-id="{first.id}"] [data-field="received"]'
    shown = text_of(browser, received)
    assert shown.endswith(" s ago")
    wait_for(browser, lambda d: text_of(d, received) not in ("", shown), message="the time ticks")

    # Two comments arrive; the moderator comes back to the tab: a prompt, not a redrawn list.
    browser.execute_script("document.querySelector('#items > .item').dataset.before = 'news'")
    fresh = [
        held(
            db,
            desk.site,
            desk.article,
            f"Fresh comment {n}.",
            name="Newcomer",
            scores={"toxicity": 0.95},
        )
        for n in range(2)
    ]
    browser.execute_script("document.dispatchEvent(new Event('visibilitychange'))")
    wait_for(
        browser,
        lambda d: css(d, "#news").is_displayed() and text_of(d, "#news-text") == "2 new comments",
        message="the prompt",
    )
    wait_for(browser, lambda d: text_of(d, '[data-count="held"]') == "10", message="counts")
    assert text_of(browser, "#queue-count") == "10"
    assert browser.find_elements(By.CSS_SELECTOR, "[data-before]")
    assert item_ids(browser) == [c.id for c in desk.comments]

    press(browser, "u")
    wait_for(browser, lambda d: set(item_ids(d)) >= {c.id for c in fresh}, message="loaded")
    assert not css(browser, "#news").is_displayed()
    assert_no_script_errors_or_foreign_requests(browser, desk.server)


def test_a_reply_shows_its_parent_its_conversation_and_its_authors_record(newsroom, db, browser):
    desk = newsroom
    reply, earlier = desk.comments[0], desk.comments[7]
    top = Comment(
        site_id=desk.site.id,
        article_id=desk.article.id,
        author_name="Ann",
        author_email="ann@mail.example",
        body="The bridge looks great again.",
        status=Status.APPROVED,
        flag_count=0,
    )
    db.session.add(top)
    db.session.flush()
    sibling = Comment(
        site_id=desk.site.id,
        article_id=desk.article.id,
        parent_id=top.id,
        author_name="Ben",
        author_email="ben@mail.example",
        body="Agreed.",
        status=Status.APPROVED,
        flag_count=0,
    )
    db.session.add(sibling)
    db.session.flush()
    answer = Comment(
        site_id=desk.site.id,
        article_id=desk.article.id,
        parent_id=reply.id,
        author_name="Ann",
        author_email="ann@mail.example",
        body="No need for that.",
        status=Status.APPROVED,
        flag_count=0,
    )
    reply.parent_id = top.id
    # The same reader wrote an earlier comment, published and then reported by a reader.
    earlier.author_email, earlier.status = reply.author_email, Status.APPROVED
    db.session.add_all(
        [answer, Flag(comment_id=earlier.id, reason="abuse", note="rude again", reporter="r1")]
    )
    db.session.commit()
    open_review(browser, desk)
    card = f'.item[data-id="{reply.id}"]'
    wait_for(
        browser,
        lambda d: css(d, f'{card} [data-field="in-reply"]').is_displayed(),
        message="in reply to",
    )
    assert (
        text_of(browser, f'{card} [data-field="in-reply"]')
        == "In reply to Ann: The bridge looks great again."
    )
    assert current_id(browser) == reply.id

    # `v`: the whole thread, indented by who answers whom, this comment marked.
    press(browser, "v")
    panel = f'{card} [data-field="conversation-panel"]'
    wait_for(browser, lambda d: css(d, panel).is_displayed(), message="conversation")
    entries = browser.find_elements(By.CSS_SELECTOR, f"{panel} .entry")
    assert [(int(e.get_attribute("data-id")), e.get_attribute("data-depth")) for e in entries] == [
        (top.id, "0"),
        (reply.id, "1"),
        (answer.id, "2"),
        (sibling.id, "1"),
    ]
    assert css(browser, f'{panel} [aria-current="true"]').get_attribute("data-id") == str(reply.id)
    assert "this comment" in text_of(browser, f"{panel} .entry.this")
    screenshot(browser, "review-conversation")
    press(browser, "v")
    assert not css(browser, panel).is_displayed()

    # `p`: the author's comments on this site by status and the reports against them.
    press(browser, "p")
    panel = f'{card} [data-field="author-panel"]'
    wait_for(browser, lambda d: css(d, panel).is_displayed(), message="author panel")
    assert (
        text_of(browser, f"{panel} .author-counts")
        == "On this site: 1 approved · 1 held; 1 report against them."
    )
    assert [
        int(e.get_attribute("data-id"))
        for e in browser.find_elements(By.CSS_SELECTOR, f"{panel} .author-comments > li")
    ] == [earlier.id, reply.id]
    assert text_of(browser, f"{panel} .reports li").startswith(
        f"abuse “rude again” on comment {earlier.id}"
    )
    screenshot(browser, "review-author")
    assert_no_script_errors_or_foreign_requests(browser, desk.server)
