"""Form bodies go through ada's WHATWG parser (service/form_parser.py): the same fields as the
standard library's parser on every UTF-8 form, and a clear 400 for one that is not UTF-8."""

import io
from urllib.parse import parse_qsl, quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import BadRequest

from service.form_parser import NOT_UTF8, FormParser

# Bodies as clients send them, and as they should not: separators, escapes valid and broken,
# plus signs, question marks, semicolons, raw non-ASCII.
PIECES = st.sampled_from(
    [
        "a",
        "b",
        "=",
        "&",
        "+",
        "%",
        "%2",
        "%20",
        "%2B",
        "%26",
        "%3D",
        "%E2%80%8B",
        "%zz",
        "?",
        ";",
        "é",
        "\u200b",
        "\x00",
        "%00",
    ]
)


def parse(body: bytes) -> list[tuple[str, str]]:
    _, form, _ = FormParser(cls=MultiDict)._parse_urlencoded(io.BytesIO(body), "", None, {})
    return [(name, value) for name in form for value in form.getlist(name)]


def stdlib(body: bytes) -> list[tuple[str, str]]:
    by_name: dict[str, list[str]] = {}
    for name, value in parse_qsl(body.decode(), keep_blank_values=True, errors="strict"):
        by_name.setdefault(name, []).append(value)
    return [(name, value) for name, values in by_name.items() for value in values]


@settings(max_examples=500)
@given(st.lists(PIECES, max_size=40).map("".join))
def test_a_form_gives_the_standard_librarys_fields_or_is_refused_when_it_is_not_utf8(body):
    try:
        expected = stdlib(body.encode())
    except UnicodeDecodeError:  # "%b" "b" makes the escape %bb: not UTF-8
        with pytest.raises(BadRequest):
            parse(body.encode())
    else:
        assert parse(body.encode()) == expected


@given(st.dictionaries(st.text(min_size=1), st.text(), max_size=5))
def test_fields_encoded_as_a_browser_does_come_back_unchanged(fields):
    body = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in fields.items())
    assert dict(parse(body.encode())) == fields


def test_an_escape_that_is_not_utf8_is_refused_by_name():
    for body in (b"comment_content=%C3%28", b"comment_content=\xff"):
        try:
            parse(body)
        except BadRequest as refused:
            assert refused.description == NOT_UTF8
        else:
            raise AssertionError(f"{body!r} was accepted")


def test_akismet_answers_a_form_that_is_not_utf8_with_a_plain_400(client, make):
    site, _ = make.site(origins=("https://news.example",))
    key = make.server_key(site.id)
    response = client.post(
        "/1.1/comment-check",
        data=f"api_key={key}&blog=https://news.example&comment_content=%C3%28",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == NOT_UTF8
