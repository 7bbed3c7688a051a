"""Reason codes and spam actions: the words the classifiers, the policy and the service share."""

# Here, in the classifiers package, because the classifiers emit them and must import no Flask,
# Celery or database; the policy, the domain and the web tier read them from here.
import enum


class SpamAction(enum.StrEnum):
    """What the spam stage would do with a comment."""

    PASS = "pass"
    HOLD = "hold"  # a moderator looks
    SPAM = "spam"
    DISCARD = "discard"  # blatant spam: stored as spam, kept out of the review queue
    REJECT = "reject"  # a banned word


# Spam decided already, with no need of a moderator or a toxicity score.
SPAM_VERDICTS = frozenset({SpamAction.SPAM, SpamAction.DISCARD, SpamAction.REJECT})
# Safe to drop unseen (Akismet's "discard" pro tip).
BLATANT = frozenset({SpamAction.DISCARD, SpamAction.REJECT})


class Reason(enum.StrEnum):
    """Why a comment got its status; TOXIC:<label> codes are built by toxic()."""

    # The spam stage's rules (the spam signals' names, TOO_FAST..., are codes as well).
    BANNED_WORD = "BANNED_WORD"
    DISALLOWED_KEY = "DISALLOWED_KEY"
    HONEYPOT = "HONEYPOT"
    MODERATION_KEY = "MODERATION_KEY"
    SUSPECT_WORD = "SUSPECT_WORD"
    LINKS = "LINKS"
    SPAM_WAVE = "SPAM_WAVE"
    # The policy.
    LANG_UNSUPPORTED = "LANG_UNSUPPORTED"
    PREMOD_ARTICLE = "PREMOD_ARTICLE"  # the article is pre-moderated
    PREMOD_SITE = "PREMOD_SITE"  # the whole site is (older comments say PREMOD_ARTICLE)
    NEW_AUTHOR = "NEW_AUTHOR"
    TRUSTED_AUTHOR = "TRUSTED_AUTHOR"
    HELD_AUTHOR = "HELD_AUTHOR"  # moderators hold every comment of this author
    BANNED_AUTHOR = "BANNED_AUTHOR"  # moderators banned this author from the site
    # The service: readers' flags, failed classification, erasure.
    REPORTED = "REPORTED"
    CLASSIFY_FAILED = "CLASSIFY_FAILED"
    ERASED = "ERASED"


TOXIC_PREFIX = "TOXIC:"


def toxic(label: str) -> str:
    """The reason code of a toxicity label's score over its threshold."""
    return f"{TOXIC_PREFIX}{label}"
