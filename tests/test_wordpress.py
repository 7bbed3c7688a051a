"""WordPress with its own Akismet plugin, end to end against the service.

Debian's `wordpress` package (Akismet plugin 5.0.2) on MariaDB, served by `php -S`, with the
README's must-use plugin sending the plugin's calls to the service on a loopback port. The key
goes in through the plugin's settings page; comments come in through wp-comments-post.php;
what the test checks is WordPress's own database and wp-admin's pages.

Run with `pytest -m wordpress`; skipped where the packages are missing
(tests/support/install_clients.sh installs them).
"""

import html
import re
from contextlib import contextmanager

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from service import spam_stage
from service.models import Comment, SpamFeedback
from tests.conftest import wait_until
from tests.support.wordpress import WordPress, form_fields, free_port, wordpress_missing

pytestmark = [
    pytest.mark.wordpress,
    pytest.mark.skipif(wordpress_missing() is not None, reason=wordpress_missing() or ""),
]

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
HAM = "The council should publish the budget before the vote, not after."
SPAM = "Great casino-bonus offers at my site, come and see."
BLATANT = "Cheap viagra-now pills, no prescription."
HONEYPOT = "A harmless-looking remark typed by a bot."
OUTAGE = "Posted while the moderation service was down."
MISSED = "A polite comment that was spam after all, as a moderator saw."
SETTINGS = "options-general.php?page=akismet-key-config"


@pytest.fixture(autouse=True)
def no_cached_spam_models(monkeypatch):
    monkeypatch.setattr(spam_stage, "_spam_models", {})


class Service:
    """The app on a fixed loopback port, stopped and started again to make an outage."""

    def __init__(self, app):
        self.app, self.port, self.server = app, free_port(), None
        self.url = f"http://127.0.0.1:{self.port}"

    def start(self):
        import threading

        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    @contextmanager
    def down(self):
        self.stop()
        try:
            yield
        finally:
            self.start()


@pytest.fixture
def service(app):
    running = Service(app)
    running.start()
    yield running
    running.stop()


@pytest.fixture
def wordpress(tmp_path, service):
    site = WordPress(tmp_path / "wordpress")
    try:
        site.install(service.url)
        # A reader's first comment goes out at once (WordPress's default holds it until the
        # author has an approved one), so each verdict shows in comment_approved.
        site.option("comment_previously_approved", "0")
        site.option("comments_notify", "0")
        site.option("moderation_notify", "0")
        site.serve()
        yield site
    finally:
        site.close()


def post_comment(wordpress: WordPress, content: str, author: str = "Ann Reader", **extra):
    """Post WordPress's comment form to wp-comments-post.php, as a reader's browser does."""
    import httpx

    form = {
        "comment": content,
        "author": author,
        "email": f"{author.split()[0].lower()}@mail.example",
        "url": "",
        "submit": "Post Comment",
        "comment_post_ID": "1",
        "comment_parent": "0",
        "ak_js": "1764640000000",
        **extra,
    }
    return httpx.post(
        f"{wordpress.url}/wp-comments-post.php",
        data=form,
        timeout=60,
        headers={"User-Agent": BROWSER, "Referer": f"{wordpress.url}/?p=1"},
    )


def test_wordpress_and_its_akismet_plugin_work_against_the_service(
    app, make, db, worker, service, wordpress
):
    site, _ = make.site(
        origins=(wordpress.url,),
        settings={"disallowed_keys": ["casino-bonus"], "banned_words": ["viagra-now"]},
    )
    key = make.server_key(site.id)
    admin = wordpress.admin()

    # The key goes in through the settings page's own form (which keeps only [a-f0-9]).
    start = admin.get(f"/wp-admin/{SETTINGS}&view=start")
    entry = form_fields(start.text, 'value="enter-key"')
    page = admin.post(
        f"/wp-admin/{SETTINGS}",
        data={**entry, "key": f" {key.upper()} ", "akismet_strictness": "1"},
    )
    assert "no longer valid" not in page.text and "can&#8217;t connect" not in page.text
    config = admin.get(f"/wp-admin/{SETTINGS}")
    settings_form = form_fields(config.text, 'name="akismet_strictness"')
    assert settings_form["key"].lower() == key  # the form keeps [a-fA-F0-9]
    # Discard blatant spam: the plugin's "strictness" setting, saved through the same page.
    admin.post(f"/wp-admin/{SETTINGS}", data={**settings_form, "akismet_strictness": "1"})

    for content in (HAM, SPAM, BLATANT, MISSED):
        assert post_comment(wordpress, content).status_code in (302, 200)
    assert post_comment(wordpress, HONEYPOT, ak_hp_textarea="http://spam.example").status_code in (
        302,
        200,
    )
    with service.down():
        assert post_comment(wordpress, OUTAGE, author="Bo Reader").status_code == 302

    comments = wordpress.comments()
    assert comments[HAM]["approved"] == "1"
    assert comments[MISSED]["approved"] == "1"
    assert comments[SPAM]["approved"] == "spam"
    assert comments[HONEYPOT]["approved"] == "spam"
    assert BLATANT not in comments  # "discard": never stored
    assert comments[OUTAGE]["approved"] == "0" and "akismet_error" in comments[OUTAGE]["meta"]

    # The plugin's cron job rechecks what it held during the outage, now the service is back.
    wordpress.php("recheck")
    rechecked = wordpress.comments()[OUTAGE]
    assert rechecked["approved"] == "1" and "akismet_error" not in rechecked["meta"]
    assert rechecked["meta"]["akismet_result"] == "false"

    # A moderator marks a comment spam, and another not spam, with wp-admin's own links.
    def follow_link(status: str, comment_id: str, action: str) -> None:
        listing = admin.get(f"/wp-admin/edit-comments.php?comment_status={status}").text
        amp = "(?:&amp;|&#038;)"  # esc_url() writes & as &#038;
        link = re.search(
            rf'href="(comment\.php\?c={comment_id}{amp}action={action}'
            rf'{amp}_wpnonce=\w+)"',
            listing,
        )
        assert link, f"no {action} link for comment {comment_id}"
        admin.get(
            f"/wp-admin/{html.unescape(link.group(1))}",
            headers={"Referer": f"{wordpress.url}/wp-admin/edit-comments.php"},
        )

    follow_link("approved", comments[MISSED]["id"], "spamcomment")
    follow_link("spam", comments[SPAM]["id"], "unspamcomment")
    after = wordpress.comments()
    # "Not Spam" puts a comment back in the pending queue, as wp_unspam_comment() does.
    assert (after[MISSED]["approved"], after[SPAM]["approved"]) == ("spam", "0")
    learned = db.session.execute(
        select(SpamFeedback.is_spam, SpamFeedback.text)
        .where(SpamFeedback.site_id == site.id)
        .order_by(SpamFeedback.id)
    ).all()
    assert [tuple(row) for row in learned] == [(True, MISSED), (False, SPAM)]

    def learned_by_the_model():
        from service.models import SpamModelState

        db.session.expire_all()
        state = db.session.get(SpamModelState, site.id)
        return state is not None and state.examples == 2

    wait_until(learned_by_the_model)

    # The settings page shows a healthy account, with the service's figures.
    config = admin.get(f"/wp-admin/{SETTINGS}").text
    assert "Daily News (self-hosted)" in config and ">Active<" in config.replace("\t", "")
    assert "can&#8217;t connect to the Akismet servers" not in config
    assert "no longer valid" not in config and "Not Found" not in config
    blocked = re.search(r"<span>(\d+)</span>\s*Spam blocked", config)
    assert blocked and int(blocked.group(1)) == 3  # casino-bonus, viagra-now, the honeypot


def test_wordpresss_own_comment_form_posts_straight_to_the_service(
    app, make, db, service, wordpress
):
    import httpx

    site, site_key = make.site(origins=(wordpress.url,))
    html = wordpress.php("comment-form", "1")["html"]
    fields = form_fields(html, "comment_post_ID")
    assert {"author", "email", "url", "comment", "comment_post_ID", "comment_parent"} <= set(fields)
    fields.update(
        author="Ann Reader",
        email="ann@mail.example",
        url="ann.example",
        comment="Straight from WordPress's own form.",
    )
    # The form's action, pointed at the service's intake as the README says.
    response = httpx.post(
        f"{service.url}/v1/articles/{fields['comment_post_ID']}/comments?site_key={site_key}",
        data=fields,
        headers={"Accept": "text/html", "User-Agent": BROWSER, "Referer": f"{wordpress.url}/?p=1"},
    )
    assert response.status_code == 303
    comment = db.session.scalar(select(Comment))
    assert response.headers["Location"] == f"{wordpress.url}/?p=1#comment-{comment.id}"
    assert (comment.site_id, comment.author_name, comment.author_url, comment.body) == (
        site.id,
        "Ann Reader",
        "http://ann.example",
        "Straight from WordPress's own form.",
    )
