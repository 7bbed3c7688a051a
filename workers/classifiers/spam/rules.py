"""WordPress-style discussion rules: word lists, moderation and disallowed keys, link limits."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from .normalize import normalize

# WordPress counts `<a ... href` after make_clickable() has turned bare URLs into anchors,
# so both count here; the text of an anchor is not counted again.
_A_TAG = re.compile(r"<a\s([^<>]{0,2000})>", re.I)  # no "<" inside: scanning stays linear
_HREF = re.compile(r"""href\s*=\s*['"]?([^'"\s>]+)""", re.I)
BARE_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'\[\]()]+", re.I)
_BBCODE_URL = re.compile(r"\[url", re.I)
_TAG = re.compile(r"<[^<>]{0,2000}>")


@dataclass
class Links:
    """Links found in a comment."""

    urls: list[str]  # links in the content, in order
    author_url: str
    markup: bool  # the content carries HTML anchors or BBCode links

    @property
    def total(self) -> int:
        """Return the number that counts against max_links: content links plus the author URL."""
        return len(self.urls) + (1 if self.author_url.strip() else 0)


def find_links(body: str, author_url: str = "") -> Links:
    """Return the links in a comment body, the way WordPress counts them."""
    urls: list[str] = []
    outside_anchors: list[str] = []
    position = 0
    lowered = body.lower()
    for tag in _A_TAG.finditer(body):
        href = _HREF.search(tag.group(1))
        if tag.start() < position or not href:
            continue  # inside the previous anchor's text, or an anchor without a link
        urls.append(href.group(1))
        outside_anchors.append(body[position : tag.start()])
        close = lowered.find("</a>", tag.end())
        position = len(body) if close < 0 else close + len("</a>")
    outside_anchors.append(body[position:])
    markup = bool(urls) or bool(_BBCODE_URL.search(body))
    bare = BARE_URL.findall(" ".join(outside_anchors))
    urls += [url.rstrip(".,;:!?") for url in bare]
    return Links(urls=urls, author_url=author_url, markup=markup)


def strip_tags(body: str) -> str:
    """Return the comment body without HTML tags."""
    return _TAG.sub(" ", body)


def as_list(value: Any) -> list[str]:
    """Return a settings list given as a list or, WordPress-style, as one entry per line."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    return [str(entry).strip() for entry in value if str(entry).strip()]


@lru_cache(maxsize=256)
def _word_pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """Return one regex matching any of the words on word boundaries, after normalisation."""
    normalized = sorted({normalize(word) for word in words} - {""}, key=len, reverse=True)
    if not normalized:
        return None
    alternatives = "|".join(re.escape(word) for word in normalized)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def find_words(words: Sequence[str], texts: Iterable[str]) -> list[str]:
    """Return the list words found as whole words in any of the (already normalised) texts."""
    pattern = _word_pattern(tuple(words))
    if pattern is None:
        return []
    # A dict keeps first-seen order and makes each repeat cost O(1), however often a word recurs.
    found: dict[str, None] = {}
    for text in dict.fromkeys(texts):  # a body without tags is the same text twice
        found.update(dict.fromkeys(pattern.findall(text)))
    return list(found)


def find_keys(keys: Sequence[str], fields: Iterable[str]) -> list[str]:
    """Return the keys found as substrings of any (already normalised) field, like WordPress."""
    fields = list(dict.fromkeys(fields))
    found = []
    for needle in _normalized_keys(tuple(keys)):
        if any(needle in value for value in fields):
            found.append(needle)
    return found


@lru_cache(maxsize=256)
def _normalized_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """Return the distinct non-empty normalised keys, in list order."""
    return tuple(dict.fromkeys(needle for needle in map(normalize, keys) if needle))


@dataclass
class RuleHits:
    """What the site's discussion rules found in a comment."""

    banned_words: list[str] = field(default_factory=list)
    suspect_words: list[str] = field(default_factory=list)
    moderation_keys: list[str] = field(default_factory=list)
    disallowed_keys: list[str] = field(default_factory=list)
    too_many_links: bool = False


def apply_rules(
    *,
    body: str,
    author_name: str,
    author_email: str,
    author_url: str,
    ip: str,
    user_agent: str,
    links: Links,
    settings: Any,
) -> RuleHits:
    """Match the site's word lists and keys against a comment and check its link count."""
    content = normalize(body)
    # WordPress checks the content both as written and without tags, so markup can't split a key.
    fields = [
        normalize(author_name),
        normalize(author_email),
        normalize(author_url),
        content,
        normalize(strip_tags(body)),
        normalize(ip),
        normalize(user_agent),
    ]
    words_in = [content, normalize(strip_tags(body)), normalize(author_name)]
    # Deliberately "more than max_links": the stated contract. WordPress core holds at
    # ">= comment_max_links" but counts only content links; here the author URL counts too.
    max_links = int(settings["max_links"])
    return RuleHits(
        banned_words=find_words(as_list(settings["banned_words"]), words_in),
        suspect_words=find_words(as_list(settings["suspect_words"]), words_in),
        moderation_keys=find_keys(as_list(settings["moderation_keys"]), fields),
        disallowed_keys=find_keys(as_list(settings["disallowed_keys"]), fields),
        too_many_links=max_links > 0 and links.total > max_links,
    )
