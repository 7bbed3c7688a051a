"""Evidence on a review card: the site's listed words and keys a comment matched, where they
stand in its text, and what its priority is made of."""

import re
from typing import Any

from service.models import Comment
from workers.classifiers.reasons import Reason
from workers.classifiers.spam.normalize import normalize
from workers.classifiers.spam.rules import apply_rules, as_list, find_links

# The reason codes whose grounds are entries of the site's lists, and those lists.
LISTED = {
    Reason.BANNED_WORD: "banned_words",
    Reason.SUSPECT_WORD: "suspect_words",
    Reason.DISALLOWED_KEY: "disallowed_keys",
    Reason.MODERATION_KEY: "moderation_keys",
}
WORD_LISTS = ("banned_words", "suspect_words")
MAX_TERMS = 20  # entries shown per comment
MAX_PLACES = 20  # places in the text marked per entry
FLAG_WEIGHT = 0.25  # Comment.refresh_priority's weight of one reader flag


def matched_terms(comment: Comment, settings: dict[str, Any]) -> list[dict]:
    """Return the list entries behind the comment's reasons, as the operator wrote them, with
    their places in the text; never the lists' other entries."""
    codes = [code for code in LISTED if code in (comment.reasons or [])]
    if not codes:
        return []
    hits = apply_rules(
        body=comment.body,
        author_name=comment.author_name,
        author_email=comment.author_email,
        author_url=comment.author_url,
        ip=comment.ip,
        user_agent=comment.user_agent,
        links=find_links(comment.body, comment.author_url),
        settings=settings,
    )
    terms = []
    for code in codes:
        setting = LISTED[code]
        found = set(getattr(hits, setting))
        for entry in as_list(settings.get(setting)):
            if normalize(entry) in found and len(terms) < MAX_TERMS:
                found.discard(normalize(entry))
                terms.append(
                    {
                        "code": code,
                        "term": entry,
                        "places": places(comment.body, entry, setting in WORD_LISTS),
                    }
                )
    return terms


def places(body: str, entry: str, whole_word: bool) -> list[list[int]]:
    """Return [begin, end] of the entry as written in the body (case aside), in code points.

    A match the rules found only after folding look-alikes or leetspeak has no place here; the
    card lists it all the same.
    """
    pattern = re.escape(entry)
    if whole_word:
        pattern = rf"(?<!\w){pattern}(?!\w)"
    found = []
    for match in re.finditer(pattern, body, re.IGNORECASE):  # one pass per matched entry
        found.append([match.start(), match.end()])
        if len(found) == MAX_PLACES:
            break
    return found


def priority_basis(comment: Comment) -> dict[str, Any]:
    """Say what raised the comment's priority: its highest score and each reader flag."""
    scores = {**(comment.scores or {})}
    if comment.spam_score:
        scores["spam"] = comment.spam_score
    top = max(scores.items(), key=lambda item: item[1], default=(None, 0.0))
    return {
        "priority": comment.priority,
        "top_label": top[0],
        "top_score": round(top[1], 4),
        "flags": comment.flag_count,
        "flag_weight": FLAG_WEIGHT,
    }
