"""Crafted worst-case input for every function that walks request text: right answers at the
largest size the API accepts (bench/adversarial.py times the same shapes), and a fuzz test."""

import json
import unicodedata
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.api import akismet
from service.api.perspective.errors import GoogleError
from service.api.perspective.requests import comment_text, load_google
from service.api.perspective.schemas import ANALYZE_REQUEST, MAX_TEXT_BYTES
from service.api.perspective.scoring import attribute_scores, utf16_offsets
from workers.classifiers.language import MAX_CHARS as MAX_SAMPLE
from workers.classifiers.language import MULTILINGUAL, detect_language
from workers.classifiers.sentences import split_sentences
from workers.classifiers.spam import SpamInput, check_spam, neardup, signals
from workers.classifiers.spam.normalize import fold, normalize
from workers.classifiers.spam.rules import find_keys, find_links, find_words

MAX_CONTENT = 65525  # intake and Akismet comment content
MAX_PERSPECTIVE = MAX_TEXT_BYTES


def repeat(unit: str, size: int = MAX_CONTENT) -> str:
    return (unit * (size // len(unit) + 1))[:size]


# --- Sentences --------------------------------------------------------------------------------


def test_many_sentence_ends_give_one_span_each():
    count = MAX_CONTENT // 4
    assert split_sentences("ab. " * count) == [(4 * i, 4 * i + 3) for i in range(count)]


def test_periods_after_initials_end_no_sentence_at_any_length():
    count = MAX_CONTENT // 3
    assert split_sentences("a. " * count) == [(0, 3 * count - 1)]


@pytest.mark.parametrize("marks", ["!", "?", ".", "\u2026", "?!"])
def test_a_run_of_end_marks_without_space_is_one_sentence(marks):
    text = repeat(marks)
    assert split_sentences(text) == [(0, len(text))]


def test_a_long_run_of_end_marks_still_ends_a_sentence():
    text = "Hi" + "!" * (MAX_CONTENT - 10) + " there."
    assert split_sentences(text) == [(0, MAX_CONTENT - 8), (MAX_CONTENT - 7, MAX_CONTENT - 1)]


def test_emoticons_after_each_sentence_stay_with_it():
    count = MAX_CONTENT // 7
    assert split_sentences("ok. :) " * count) == [(7 * i, 7 * i + 6) for i in range(count)]


@pytest.mark.parametrize("text", ["\n" * MAX_CONTENT, " " * MAX_CONTENT, repeat(" \n\t")])
def test_only_whitespace_has_no_sentences(text):
    assert split_sentences(text) == []


def test_a_long_word_before_a_period_is_no_abbreviation():
    word = "a" * (MAX_CONTENT - 20)
    text = f"See {word}. Next one."
    assert split_sentences(text) == [(0, len(word) + 5), (len(word) + 6, len(text))]


@pytest.mark.parametrize("text, spans", [
    ("Mr. Smith came. He left.", [(0, 15), (16, 24)]),
    ("It was e.g. this. And that.", [(0, 17), (18, 27)]),
    ("Great!!! :) Thanks.", [(0, 11), (12, 19)]),
    ("J. R. R. Tolkien wrote it. Yes.", [(0, 26), (27, 31)]),
    ("Signed, Mr.\nSmith", [(0, 11), (12, 17)]),  # a line break ends it all the same
    ("One\n \n\t\n  Two. \n Three", [(0, 3), (10, 14), (17, 22)]),
])  # fmt: skip
def test_abbreviations_and_initials_still_join_sentences(text, spans):
    assert split_sentences(text) == spans


# --- Domains, links and hosts -------------------------------------------------------------


def www_chain(tail: str, size: int = MAX_CONTENT) -> str:
    return "www." * ((size - len(tail)) // 4) + tail


def test_a_www_chain_is_not_a_listed_domain():
    links = find_links("see " + www_chain("example.com", MAX_CONTENT - 4))
    assert signals.link_signals(links, "", 100).get("SHORTENER") is None


def test_a_shortener_at_the_end_of_a_www_chain_is_found():
    body = "see http://" + www_chain("bit.ly/x", MAX_CONTENT - 11)
    assert signals.link_signals(find_links(body), body, 100)["SHORTENER"] == signals.SHORTENER


@pytest.mark.parametrize("domain, disposable", [
    (www_chain("mailinator.com", 20000), True),
    (www_chain("example.org", 20000), False),
    ("mailinator.com." + "x" * 20000, False),
])  # fmt: skip
def test_a_long_email_domain_is_checked_on_its_last_labels(domain, disposable):
    found = signals.author_signals("Jane", "jane@" + domain)
    assert ("DISPOSABLE_EMAIL" in found) is disposable


def test_many_urls_are_each_counted():
    count = MAX_CONTENT // 16
    links = find_links("http://bit.ly/x " * count)
    assert links.urls == ["http://bit.ly/x"] * count


@pytest.mark.parametrize("body, urls", [
    ("<a href=x>" * (MAX_CONTENT // 10), ["x"]),  # unclosed anchors: the rest is its text
    ('<a href="http://a.io">t</a> ' * (MAX_CONTENT // 28), ["http://a.io"] * (MAX_CONTENT // 28)),
    (repeat("[(<{"), []),
    (repeat("<a "), []),
])  # fmt: skip
def test_links_in_nested_and_unclosed_markup(body, urls):
    assert find_links(body).urls == urls


def test_hosts_in_a_long_dotted_text_are_bounded_names():
    text = repeat("ab.cd ")
    hosts = signals.hosts_of(find_links(""), text)
    assert len(hosts) == len(text.split()) and set(hosts) == {"ab.cd"}


# --- Normalisation, rules, signals ----------------------------------------------------------


@pytest.mark.parametrize("text, folded", [
    # 5040 whole units of 13 characters, then "c\u200ba\u200bs".
    (repeat("c\u200ba\u200bs\u200bi\u200bn\u200bo\u200b "), "casino " * 5040 + "cas"),
    ("\u200b" * MAX_CONTENT, ""),
    (repeat("e\u0301\u0301"), "e" * (MAX_CONTENT // 3 + 1)),
    (repeat("Pаypаl "), repeat("paypal ", MAX_CONTENT).strip()),  # Cyrillic а
    (repeat(" \t\n\u00a0"), ""),
])  # fmt: skip
def test_fold_at_the_largest_size(text, folded):
    assert fold(text) == folded


def test_leetspeak_and_spaced_letters_fold_at_the_largest_size():
    assert normalize(repeat("v1agr4 ")) == repeat("viagra ").strip()
    assert normalize("c " * (MAX_CONTENT // 2)) == "c" * (MAX_CONTENT // 2)


def test_a_repeated_banned_word_is_listed_once():
    found = find_words(["casino"], [normalize(repeat("casino ")), "casino"])
    assert found == ["casino"]


def test_keys_match_in_long_fields_once_each():
    fields = [normalize(repeat("www.")), normalize(repeat("ab."))]
    assert find_keys(["www.www", "WWW.WWW", "b.ab", "zzz"], fields) == ["www.www", "b.ab"]


@pytest.mark.parametrize("body, present, absent", [
    (repeat("online casino free spins "), {"SPAM_PATTERN:casino"}, {"SPAM_PATTERN:earn"}),
    (repeat("whatsapp +1 555 123 4567 earn $500 per day "),
     {"SPAM_PATTERN:contact", "SPAM_PATTERN:earn", "SCAM_CONTACT"}, {"SPAM_PATTERN:casino"}),
    (repeat("a.b@c.io "), set(), {"SPAM_PATTERN:contact"}),  # an address alone is too weak
    ("earn $1" + "1" * (MAX_CONTENT - 7), set(), {"SPAM_PATTERN:earn"}),
])  # fmt: skip
def test_spam_patterns_at_the_largest_size(body, present, absent):
    found = signals.content_signals(body, normalize(body), find_links(body), False)
    assert present <= set(found) and not absent & set(found)


def test_the_spam_stage_rejects_a_banned_word_at_the_end_of_the_largest_comment():
    body = repeat("www.", MAX_CONTENT - 10) + " v1agra!!"
    item = SpamInput(site_id=1, article_id=1, body=body)
    verdict = check_spam(item, {"banned_words": ["viagra"]})
    assert verdict.action == "reject" and verdict.reasons[0] == "BANNED_WORD"


def test_shingling_a_repetitive_comment_gives_the_signature_of_its_unit():
    # Same 5-gram set, so the same MinHash as a short comment of the same words.
    signature = neardup.signature(normalize(repeat("ab ")))
    assert signature is not None and len(signature) == neardup.NUM_PERM
    assert (signature == neardup.signature("ab " * 10)).all()


def test_a_long_comment_is_shingled_from_its_first_pages():
    words = " ".join(f"word{i}" for i in range(neardup.MAX_SHINGLED // 4))
    assert len(words) > neardup.MAX_SHINGLED
    head = neardup.signature(words + " one ending")
    assert (head == neardup.signature(words + " " + repeat("another ending "))).all()
    # A text with other first pages and the same end is another text.
    other = " ".join(f"term{i}" for i in range(neardup.MAX_SHINGLED // 4)) + " one ending"
    assert (neardup.signature(other) != head).mean() > 0.5


@pytest.mark.parametrize(
    "unit",
    [
        "The council voted today and people are not happy. ",
        "Привет мир это тест. ",
        "a",
        "😀 ",
        "www.",
    ],
)
def test_language_detection_reads_a_bounded_sample(unit):
    text = repeat(unit)
    assert detect_language(text, MULTILINGUAL) == detect_language(text[:MAX_SAMPLE], MULTILINGUAL)


def test_language_detection_of_the_largest_english_comment():
    text = repeat("The council voted today and people are not happy. ")
    assert detect_language(text, MULTILINGUAL) == ("en", True)


# --- Span offsets and the Perspective / Akismet parsers ------------------------------------


def test_span_offsets_count_utf16_units_on_the_largest_text():
    text = "ab😀cd. " * (MAX_PERSPECTIVE // 10)  # 10 UTF-8 bytes a unit: the largest text
    spans = split_sentences(text)[:50]
    answer = {
        "scores": {"toxicity": 0.1},
        "spans": [{"begin": b, "end": e, "scores": {"toxicity": 0.1}} for b, e in spans],
    }
    scored = attribute_scores({"TOXICITY": {}}, answer, text, True)
    offsets = [(s["begin"], s["end"]) for s in scored["TOXICITY"]["span_scores"]]
    # Each "ab😀cd. " is 7 characters and 8 UTF-16 code units (the emoji is a surrogate pair).
    assert offsets == [(8 * i, 8 * i + 7) for i in range(50)]


def analyze_body(text: str) -> str:
    return json.dumps({"comment": {"text": text}, "requestedAttributes": {"TOXICITY": {}}})


@pytest.mark.parametrize("text", [repeat("a. ", MAX_PERSPECTIVE), repeat("\u200b", 6826)])
def test_perspective_parses_the_largest_text(app, text):
    with app.test_request_context(
        method="POST", data=analyze_body(text), content_type="application/json"
    ):
        data = load_google(ANALYZE_REQUEST)
        assert comment_text(data) == text


def test_perspective_refuses_one_byte_more(app):
    with app.test_request_context(
        method="POST",
        data=analyze_body("a" * (MAX_PERSPECTIVE + 1)),
        content_type="application/json",
    ):
        data = load_google(ANALYZE_REQUEST)
        with pytest.raises(GoogleError, match="too many bytes"):
            comment_text(data)


@pytest.mark.parametrize("extra", [
    {"context": {"entries": [{}] * 1000}},
    {"languages": ["en"] * 1000},
    {"requestedAttributes": {f"A{i}": {} for i in range(1000)}},
])  # fmt: skip
def test_perspective_refuses_a_body_of_too_many_values_before_validating_them(app, extra):
    body = json.dumps({"comment": {"text": "hi"}, "requestedAttributes": {"TOXICITY": {}}, **extra})
    with app.test_request_context(method="POST", data=body, content_type="application/json"):
        with pytest.raises(GoogleError, match="More than 1000 fields and list items"):
            load_google(ANALYZE_REQUEST)


def test_perspective_accepts_a_body_of_many_values_under_the_cap(app):
    body = json.dumps(
        {
            "comment": {"text": "hi"},
            "requestedAttributes": {"TOXICITY": {}},
            "languages": ["en"] * 900,
        }
    )
    with app.test_request_context(method="POST", data=body, content_type="application/json"):
        assert load_google(ANALYZE_REQUEST)["languages"] == ["en"] * 900


@pytest.mark.parametrize("fields, status", [(1000, 200), (1001, 413), (300_000, 413)])
def test_akismet_refuses_a_form_of_too_many_fields(client, fields, status):
    response = client.post(
        "/1.1/comment-check",
        data="a=&" * (fields - 1) + "a=",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == status
    if status == 413:
        assert response.mimetype == "text/plain" and "form fields" in response.text


@pytest.mark.parametrize("text", [repeat("\u200b"), repeat("%&=+"), repeat("www.")])
def test_akismet_parses_the_largest_comment(app, text):
    body = urlencode({"comment_content": text, "user_ip": "203.0.113.9"})
    with app.test_request_context(
        method="POST", data=body, content_type="application/x-www-form-urlencoded"
    ):
        assert akismet.load_form(akismet.COMMENT_FORM)["comment_content"] == text


# --- Fuzz ----------------------------------------------------------------------------------

PIECES = ["a", "b", "ab", "Mr", "e.g", "www", ".", "!", "?", "\u2026", " ", "  ", "\n", "\t",
          "'", ")", "]", ":)", "<a href=x>", "</a>", "<", ">", "[url", "http://", "bit.ly",
          "@", "$", "1", "0", "-", "_", "*", "\u200b", "\u00ad", "\u0301", "р", "ο", "日",
          "😀", "ﬁ", "İ", "ß", "casino", "v1agra", "c a s i n o", "mailinator.com"]  # fmt: skip
crafted = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
texts = st.one_of(crafted, st.text(max_size=200))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(texts)
def test_fuzz_sentence_spans_are_ordered_trimmed_and_inside_the_text(text):
    end = 0
    for begin, stop in split_sentences(text):
        assert end <= begin < stop <= len(text)
        assert not text[begin].isspace() and not text[stop - 1].isspace()
        end = stop


@FUZZ
@given(texts)
def test_fuzz_fold_is_idempotent_and_leaves_no_invisible_characters(text):
    folded = fold(text)
    assert fold(folded) == folded
    assert folded == folded.strip() and "  " not in folded
    assert not any(unicodedata.category(ch) == "Cf" or unicodedata.combining(ch) for ch in folded)
    assert not any(unicodedata.category(ch) == "Cf" for ch in normalize(text))


@FUZZ
@given(texts, texts)
def test_fuzz_links_hosts_and_domain_lists(body, author_url):
    links = find_links(body, author_url)
    assert all(url and url in body for url in links.urls)
    for host in signals.hosts_of(links, body):
        assert host and host == host.lower()
    signals.link_signals(links, body, len(body.split()))


labels = st.sampled_from(["www", "bit", "ly", "mailinator", "com", "x", "", "co", "uk"])


@FUZZ
@given(st.lists(labels, max_size=12).map(".".join))
def test_fuzz_domain_lists_match_every_suffix_of_two_labels_or_more(host):
    for name in ("shorteners.txt", "disposable_domains.txt"):
        parts = host.split(".")
        naive = any(".".join(parts[i:]) in signals._listed(name) for i in range(len(parts) - 1))
        assert signals._in_domain_list(host, name) is naive


@FUZZ
@given(texts, st.text(max_size=50), st.text(max_size=50))
def test_fuzz_the_spam_stage_always_answers(body, name, url):
    item = SpamInput(
        site_id=1,
        article_id=1,
        body=body,
        author_name=name,
        author_url=url,
        author_email=f"{name}@{url}",
        user_agent=name,
    )
    verdict = check_spam(item, {"banned_words": ["casino"], "moderation_keys": ["www"]})
    assert 0.0 <= verdict.probability <= 1.0
    assert verdict.action in ("pass", "hold", "spam", "discard", "reject")
    signature = neardup.signature(normalize(body))
    assert signature is None or len(signature) == neardup.NUM_PERM


@FUZZ
@given(texts)
def test_fuzz_utf16_offsets_are_monotonic_and_end_at_the_utf16_length(text):
    to_utf16 = utf16_offsets(text)
    offsets = [to_utf16(i) for i in range(len(text) + 1)]
    assert offsets == sorted(offsets)
    assert offsets[-1] == len(text.encode("utf-16-le")) // 2


@FUZZ
@given(texts)
def test_fuzz_perspective_and_akismet_parsers_return_the_text(app, text):
    with app.test_request_context(
        method="POST", data=analyze_body(text), content_type="application/json"
    ):
        data = load_google(ANALYZE_REQUEST)
        assert data["comment"]["text"] == text
    with app.test_request_context(
        method="POST",
        data=urlencode({"comment_content": text}),
        content_type="application/x-www-form-urlencoded",
    ):
        assert akismet.load_form(akismet.COMMENT_FORM)["comment_content"] == text
