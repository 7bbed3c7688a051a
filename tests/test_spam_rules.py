"""WordPress-style discussion rules: word lists, keys, link limits, and the actions they force."""

import pytest

from workers.classifiers.spam import SPAM_DEFAULTS, SpamInput, check_spam
from workers.classifiers.spam.rules import RuleHits, apply_rules, find_links

HUMAN = {"user_agent": "Mozilla/5.0 (X11; Linux x86_64)", "render_elapsed_s": 60.0}


def comment(body="I disagree with the council on this one.", **fields) -> SpamInput:
    return SpamInput(site_id=1, article_id=10, body=body, **{**HUMAN, **fields})


def rule_hits(item: SpamInput, settings: dict) -> RuleHits:
    """The list entries the rules matched, as check_spam finds them."""
    return apply_rules(
        body=item.body,
        author_name=item.author_name,
        author_email=item.author_email,
        author_url=item.author_url,
        ip=item.ip,
        user_agent=item.user_agent,
        links=find_links(item.body, item.author_url),
        settings={**SPAM_DEFAULTS, **settings},
    )


def test_an_ordinary_comment_passes_with_no_reasons():
    verdict = check_spam(comment(), {})
    assert verdict.action == "pass"
    assert verdict.reasons == []


@pytest.mark.parametrize(
    "body",
    ["Buy v1agra here", "buy ｖｉａｇｒａ", "VIAGRA!!!", "cheap vi\u200bagra", "Viagra."],
)
def test_a_banned_word_rejects_even_disguised(body):
    verdict = check_spam(comment(body), {"banned_words": ["viagra"]})
    assert verdict.action == "reject"
    assert verdict.reasons[0] == "BANNED_WORD"
    assert rule_hits(comment(body), {"banned_words": ["viagra"]}).banned_words == ["viagra"]


@pytest.mark.parametrize("body", ["Scunthorpe council", "classic asset management", "viagrafalls"])
def test_words_match_on_word_boundaries_only(body):
    settings = {"banned_words": ["cunt", "ass", "viagra"], "suspect_words": ["sset"]}
    assert check_spam(comment(body), settings).action == "pass"


def test_a_banned_word_in_the_author_name_rejects():
    verdict = check_spam(comment(author_name="Cheap Viagra"), {"banned_words": ["viagra"]})
    assert verdict.action == "reject"


def test_a_suspect_word_holds_with_its_reason():
    verdict = check_spam(comment("The referendum is rigged."), {"suspect_words": ["rigged"]})
    assert (verdict.action, verdict.reasons[0]) == ("hold", "SUSPECT_WORD")


@pytest.mark.parametrize(
    "field",
    [
        {"author_name": "Bob of example-spam.net"},
        {"author_email": "bob@example-spam.net"},
        {"author_url": "https://example-spam.net/page"},
        {"body": "Visit example-spam.net today for the rest of the story"},
        {"body": 'Read <a href="https://example-spam.net">this</a>'},
        {"user_agent": "Mozilla/5.0 example-spam.net-crawler"},
    ],
)
def test_a_moderation_key_holds_when_found_in_any_field(field):
    verdict = check_spam(comment(**field), {"moderation_keys": ["example-spam.net"]})
    assert verdict.action == "hold"
    assert "MODERATION_KEY" in verdict.reasons


def test_a_moderation_key_matches_an_ip_prefix_as_a_substring():
    verdict = check_spam(comment(ip="203.0.113.77"), {"moderation_keys": "203.0.113."})
    assert verdict.action == "hold"


def test_a_disallowed_key_marks_spam_and_keys_may_be_one_per_line():
    settings = {"disallowed_keys": "\nfoo-pharmacy\n  ca$ino  \n"}
    verdict = check_spam(comment("Try the CASINO tonight"), settings)
    assert verdict.action == "spam"
    assert verdict.reasons[0] == "DISALLOWED_KEY"
    assert rule_hits(comment("Try the CASINO tonight"), settings).disallowed_keys == ["casino"]


def test_a_disallowed_key_split_by_markup_still_matches():
    body = "cheap <b>pills</b>online now"
    verdict = check_spam(comment(body), {"disallowed_keys": ["pills online"]})
    assert verdict.action == "spam"


@pytest.mark.parametrize("key", ["", "   ", "\n\n"])
def test_empty_keys_match_nothing(key):
    settings = {"moderation_keys": [key], "disallowed_keys": [key], "banned_words": [key]}
    assert check_spam(comment(), settings).action == "pass"


@pytest.mark.parametrize(
    ("body", "author_url", "expected"),
    [
        ("no links at all", "", 0),
        ("see https://a.example/x and www.b.example", "", 2),
        ('<a href="https://a.example">https://a.example</a>', "", 1),  # anchor text not twice
        ("<A HREF=https://a.example>a</A> and <a title='t' href='https://b.example'>b</a>", "", 2),
        ("[url=https://a.example]a[/url]", "", 1),
        ("one https://a.example", "https://me.example", 2),  # the author URL counts
        ('<a name="top">no link</a>', "", 0),
    ],
)
def test_links_are_counted_the_wordpress_way_plus_the_author_url(body, author_url, expected):
    assert find_links(body, author_url).total == expected


@pytest.mark.parametrize(("links", "action"), [(1, "pass"), (2, "pass"), (3, "hold")])
def test_more_links_than_max_links_holds(links, action):
    body = "Sources for the budget numbers: " + " ".join(
        f"https://data{n}.example.gov/report" for n in range(links)
    )
    verdict = check_spam(comment(body), {"max_links": 2})
    assert verdict.action == action
    assert ("LINKS" in verdict.reasons) == (action == "hold")


def test_the_author_url_tips_a_comment_over_max_links():
    body = "Both reports: https://a.example.gov/x https://b.example.gov/y"
    assert check_spam(comment(body), {"max_links": 2}).action == "pass"
    verdict = check_spam(comment(body, author_url="https://me.example.org"), {"max_links": 2})
    assert verdict.action == "hold"


def test_max_links_zero_means_no_limit():
    body = " ".join(f"https://data{n}.example.gov/report" for n in range(6))
    assert "LINKS" not in check_spam(comment(body), {"max_links": 0}).reasons


def test_unset_overrides_fall_back_to_defaults():
    settings = {key: None for key in SPAM_DEFAULTS}
    assert check_spam(comment(), settings).action == "pass"


@pytest.mark.parametrize(
    ("settings", "action"),
    [
        ({"banned_words": ["rigged"]}, "reject"),
        ({"disallowed_keys": ["rigged"]}, "spam"),
        ({"moderation_keys": ["rigged"]}, "hold"),
        ({"suspect_words": ["rigged"]}, "hold"),
    ],
)
def test_trust_never_overrides_the_sites_lists(settings, action):
    trusted = comment("The election was rigged, I say.", approved_before=50)
    assert check_spam(trusted, {**settings, "trust_after": 3}).action == action
