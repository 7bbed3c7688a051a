"""Bot and content signals: each fires on its evidence and stays quiet on ordinary comments."""

import pytest

from workers.classifiers.spam import SpamInput, check_spam
from workers.classifiers.spam.normalize import normalize
from workers.classifiers.spam.signals import comment_evidence, is_own_site, praise_phrases

BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36"
ORDINARY = "The council should fund the library before another consultant study."


def evidence(body=ORDINARY, **fields) -> dict[str, float]:
    fields = {"user_agent": BROWSER, "render_elapsed_s": 75.0, **fields}
    item = SpamInput(site_id=1, article_id=1, body=body, **fields)
    return comment_evidence(item, min_submit_s=3)


def test_an_ordinary_comment_carries_no_evidence():
    assert evidence() == {}


def test_a_filled_honeypot_is_spam_whatever_else_the_comment_says():
    item = SpamInput(
        site_id=1,
        article_id=1,
        body=ORDINARY,
        honeypot="http://bot.example",
        user_agent=BROWSER,
        render_elapsed_s=75.0,
        approved_before=99,
    )
    verdict = check_spam(item, {})
    assert verdict.action == "spam"
    assert verdict.reasons[0] == "HONEYPOT"
    assert verdict.probability > 0.9


@pytest.mark.parametrize("honeypot", [None, ""])
def test_an_empty_honeypot_is_not_evidence(honeypot):
    assert "HONEYPOT" not in evidence(honeypot=honeypot)


@pytest.mark.parametrize(
    ("elapsed", "fires"),
    [(0.4, True), (2.9, True), (-1.0, True), (3.0, False), (40.0, False), (None, False)],
)
def test_submitting_faster_than_min_submit_seconds_is_too_fast(elapsed, fires):
    assert (evidence(render_elapsed_s=elapsed).get("TOO_FAST", 0) > 0) is fires


def test_an_ordinary_comment_posted_by_a_script_in_half_a_second_is_held():
    def verdict(elapsed):
        return check_spam(
            SpamInput(
                site_id=1, article_id=1, body=ORDINARY, user_agent=BROWSER, render_elapsed_s=elapsed
            ),
            {},
        )

    assert verdict(60.0).action == "pass"
    assert verdict(0.5).action == "hold"
    assert "TOO_FAST" in verdict(0.5).reasons


def test_min_submit_seconds_is_a_site_setting():
    item = SpamInput(
        site_id=1, article_id=1, body=ORDINARY, user_agent=BROWSER, render_elapsed_s=8.0
    )
    assert "TOO_FAST" not in check_spam(item, {"min_submit_seconds": 3}).signals
    assert "TOO_FAST" in check_spam(item, {"min_submit_seconds": 10}).signals


@pytest.mark.parametrize(
    ("agent", "signal"),
    [
        ("", "NO_USER_AGENT"),
        ("   ", "NO_USER_AGENT"),
        ("python-requests/2.32.3", "SCRIPT_USER_AGENT"),
        ("curl/8.5.0", "SCRIPT_USER_AGENT"),
        ("Go-http-client/1.1", "SCRIPT_USER_AGENT"),
    ],
)
def test_missing_or_scripted_user_agents_are_evidence(agent, signal):
    assert evidence(user_agent=agent).get(signal, 0) > 0


@pytest.mark.parametrize(
    ("body", "signal"),
    [
        ("Deals: https://a.example/1 https://b.example/2 https://c.example/3", "LINK_COUNT"),
        ("https://a.example/offer", "LINK_RATIO"),
        (
            'Read <a href="https://a.example">this</a> now, it explains the whole budget story.',
            "LINK_MARKUP",
        ),
        (
            "[url=https://a.example]cheap[/url] and more words to keep the ratio of words high",
            "LINK_MARKUP",
        ),
        (
            "The full story is at https://bit.ly/3xYz and it is worth reading before the vote.",
            "SHORTENER",
        ),
        (
            "The full story is at tinyurl.com/abc123 and it is worth reading before the vote.",
            "SHORTENER",
        ),
        (
            "The full story is at https://best-deals.xyz/now and worth reading before the vote.",
            "SPAM_TLD",
        ),
        (
            "Cheapest prices on earth at cheap-meds.top for everyone reading the council story.",
            "SPAM_TLD",
        ),
    ],
)
def test_link_signals(body, signal):
    assert evidence(body).get(signal, 0) > 0


def test_one_source_link_in_a_real_comment_is_not_link_evidence():
    body = (
        "The adopted budget shows the library cut on page 12: "
        "https://www.springfieldcity.gov/finance/budget.pdf so the mayor is wrong about this."
    )
    assert evidence(body) == {}


def test_a_spam_tld_in_the_author_url_counts():
    assert evidence(author_url="https://seo-agency.top").get("SPAM_TLD", 0) > 0


@pytest.mark.parametrize(
    "email", ["x@mailinator.com", "x@yopmail.com", "x@sub.guerrillamail.com", "X@MAILINATOR.COM"]
)
def test_disposable_email_domains_are_evidence(email):
    assert evidence(author_email=email).get("DISPOSABLE_EMAIL", 0) > 0


@pytest.mark.parametrize("email", ["x@gmail.com", "x@mailinator.com.example.org", ""])
def test_ordinary_email_domains_are_not(email):
    assert "DISPOSABLE_EMAIL" not in evidence(author_email=email)


@pytest.mark.parametrize(
    ("name", "fires"),
    [
        ("Best Plumber Austin", True),
        ("Cheap VPN Deals", True),
        ("seo-services.com", True),
        ("www.example.net", True),
        ("Mike R.", False),
        ("concerned_parent", False),
        ("Dr. Alan Brooks", False),
        ("Maria Garcia", False),
    ],
)
def test_advert_like_author_names_are_evidence(name, fires):
    assert (evidence(author_name=name).get("AUTHOR_KEYWORDS", 0) > 0) is fires


def test_generic_praise_is_strong_with_an_author_url_and_weak_without():
    praise = "Great post! Very informative. I have bookmarked your blog. Keep up the good work!"
    with_url = evidence(praise, author_url="https://roofing-pros.example")["GENERIC_PRAISE"]
    without_url = evidence(praise)["GENERIC_PRAISE"]
    assert with_url >= 2.5 > 1.2 >= without_url > 0


@pytest.mark.parametrize(
    "body",
    [
        "Hi there, just became aware of your blog through Google and it is truly informative.",
        "I'm extremely impressed with your writing skills, and with the layout of your weblog.",
        "Your overview of the zoning rules is the most helpful one I have read.",
        "You make some really valid points in this write-up.",
        "Hello webmaster, which theme are you using? I subscribed to your newsletter.",
        "I never read an article as useful as this, I will definitely come back.",
        "Looking forward to your upcoming posts, keep writing!",
        "You are such a talented writer.",
        "This piece of writing has been a pleasure to read, it helped me a lot.",
    ],
)
def test_generic_praise_is_recognised_however_it_is_worded(body):
    assert praise_phrases(normalize(body)) >= 1
    shop = evidence(body, author_name="Sam Reed", author_url="https://cheap-flights-deals.example")
    assert shop["GENERIC_PRAISE"] >= 2.5


@pytest.mark.parametrize(
    "body",
    [
        ORDINARY,
        "The best news I've read all week: the levy failed.",
        "Thanks for reporting on this, the council never explains anything.",
        "The design of the new bridge is great, but nobody asked the neighbours.",
        "You make a fair point about the buses, but the rail plan is worse.",
        "You're a lazy writer and this is a hit piece.",
        "I'm not impressed with the council's plan, or with this mayor.",
        "My neighbour's site is down again, who is the host?",
        "Is there a recording of the meeting? I couldn't make it.",
    ],
)
def test_readers_comments_are_not_taken_for_generic_praise(body):
    assert praise_phrases(normalize(body)) == 0


@pytest.mark.parametrize(
    ("name", "email", "url", "own"),
    [
        ("Jane Doe", "jane@example.org", "https://janedoe.substack.com", True),
        ("Tom R.", "rodriguezt@mail.example", "https://github.com/trodriguez", True),
        ("priya77", "", "https://medium.com/@priyanair", True),
        ("hoopsfan88", "jsmith@example.net", "https://www.j-smith.example/about", True),
        (
            "Jessica Walsh",
            "jessica.walsh12@gmail.com",
            "https://best-gold-ira.example/?ref=12",
            False,
        ),
        (
            "Best Plumber Austin",
            "office@plumber-austin.example",
            "https://plumber-austin.example",
            False,
        ),
        ("cbdoil.com", "cbd@cbdoil.com", "https://cbdoil.com", False),
        ("Guest", "", "https://guest-posting-seo.example", False),
        ("Jane Doe", "jane@example.org", "", False),
    ],
)
def test_an_author_url_that_carries_the_authors_name_is_their_own_site(name, email, url, own):
    assert is_own_site(name, email, url) is own


def test_praise_linking_the_readers_own_blog_is_weak_and_linking_a_shop_is_strong():
    praise = "Great article, thanks for sharing."
    reader = {"author_name": "Omar Foster", "author_email": "omar.foster@example.org"}
    own = evidence(praise, **reader, author_url="https://omarfoster.blogspot.com")
    shop = evidence(praise, **reader, author_url="https://www.best-cheap-flights.example/offer")
    assert own["GENERIC_PRAISE"] <= 1.2 < 2.5 <= shop["GENERIC_PRAISE"]


def test_praise_inside_a_long_substantive_comment_is_not_generic():
    body = (
        "Great article. " + "The council has raised the levy three years running while the "
        "reserve fund shrank and the library lost its Sunday hours, and nobody on the finance "
        "committee has explained where the consultant money went or why the audit was delayed."
    )
    assert "GENERIC_PRAISE" not in evidence(body, author_url="https://janedoe.substack.com")


@pytest.mark.parametrize(
    ("body", "fires"),
    [
        ("Sooooooo tired of this!!!!!!", True),
        ("This is wrong!!", False),
        ("Call 555-0000", False),
    ],
)
def test_repeated_characters(body, fires):
    assert (evidence(body).get("REPEATED_CHARS", 0) > 0) is fires


@pytest.mark.parametrize(
    ("body", "fires"),
    [
        ("STOP RAISING OUR TAXES, WE CANNOT AFFORD IT ANYMORE", True),
        ("The NAACP and the ACLU filed a brief with the court today.", False),
        ("OK FINE", False),  # too short to call shouting
        ("READ THIS BEFORE THEY DELETE IT https://some-long-lowercase-domain.example/a/path", True),
    ],
)
def test_shouting(body, fires):
    assert (evidence(body).get("SHOUTING", 0) > 0) is fires


@pytest.mark.parametrize(
    ("family", "spam"),
    [
        ("casino", "Best online casino of the year, 200 free spins no deposit bonus!"),
        ("casino", "Best online ｃａｓ1ｎｏ with fr33 sp1ns"),
        ("crypto", "Lost your bitcoin? A recovery expert got my stolen funds back in 48 hours."),
        ("loan", "Urgent loan offer from a legit lender, no credit check, guaranteed approval."),
        ("pharma", "Buy Viagra online without prescription, next day delivery."),
        ("adult", "Hot singles in your area are waiting, meet local girls tonight."),
        ("seo", "We sell high quality backlinks and guest posts, first page of Google guaranteed."),
        ("earn", "I make $95 an hour working from home, my neighbor earns $14,000 a month."),
        ("earn", "My $2,000 became $26,000 with the right signals, 300% returns."),
        ("contact", "Contact her on WhatsApp +1 (555) 201-3345 for details."),
        ("spell", "Dr. Zuma, a powerful spell caster, brought back my ex lover."),
        ("promo", "Click here to claim your prize, limited time offer, free shipping."),
        ("streaming", "Lions vs Bears live stream free HD, full movie downloads too."),
    ],
)
def test_spam_pattern_families_fire_on_their_spam(family, spam):
    assert evidence(spam).get(f"SPAM_PATTERN:{family}", 0) >= 1.0


@pytest.mark.parametrize(
    "reader",
    [
        "The casino will bring traffic to a residential neighborhood.",
        "I bought some bitcoin in 2017 and lost half of it, lesson learned.",
        "A 36% cap on payday loans is still a lot of interest.",
        "My mother got a WhatsApp message asking for money, she called me first.",
        "Get your flu shot, it takes ten minutes at any pharmacy.",
        "The county takes comments at publiccomment@county.gov until Friday.",
        "The vote was 5-2 and the budget is $412 million, up 4% from 2025.",
        "If anyone needs help, the Red Cross line is 1-800-733-2767.",
    ],
)
def test_readers_talking_about_spammy_topics_get_at_most_one_weak_family(reader):
    families = [name for name in evidence(reader) if name.startswith("SPAM_PATTERN:")]
    assert len(families) <= 1
    assert all(evidence(reader)[name] <= 1.5 for name in families)


def test_a_money_promise_with_a_private_channel_is_a_scam():
    scam = "I earned $8,000 in 7 days trading bitcoin with Mrs. Anna. WhatsApp +1 555 201 3345"
    found = evidence(scam)
    assert {"SPAM_PATTERN:contact", "SPAM_PATTERN:earn", "SCAM_CONTACT"} <= found.keys()
    assert "SCAM_CONTACT" not in evidence("Call the county hotline on +1 555 201 3345 for help.")


def test_a_forged_or_foreign_render_token_is_a_bot_signal_that_holds_the_comment():
    item = SpamInput(
        site_id=1, article_id=1, body=ORDINARY, user_agent=BROWSER, render_token_invalid=True
    )
    verdict = check_spam(item, {})
    assert "BAD_RENDER_TOKEN" in verdict.reasons and verdict.action == "hold"
    assert "BAD_RENDER_TOKEN" not in evidence()
