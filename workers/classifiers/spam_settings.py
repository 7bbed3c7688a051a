"""The spam stage's settings a site may override, with their defaults.

The one definition: service/site_settings.py layers a site's overrides on these, and the stage
fills in what a caller leaves out. Outside the spam package so that reading them does not load
scikit-learn.
"""

from collections.abc import Mapping
from typing import Any

SPAM_DEFAULTS: dict[str, Any] = {
    "max_links": 2,  # more links than this (content + author URL) -> hold; 0 = no limit
    "moderation_keys": [],  # substrings of author, email, URL, content, IP, user agent -> hold
    "disallowed_keys": [],  # same fields -> spam
    "banned_words": [],  # whole words in content or author name -> reject
    "suspect_words": [],  # whole words in content or author name -> hold
    "min_submit_seconds": 3,  # form submitted faster than this after rendering -> bot signal
    "spam_hold": 0.5,  # spam probability from which a comment is held for a moderator
    "spam_discard": 0.9,  # spam probability from which it is stored as spam and never shown
    "trust_after": 3,  # approved comments after which an author's soft signals are damped
    "velocity_window_s": 60,
    "velocity_max": 5,  # posts per window from one IP or email before VELOCITY
    "wave_window_s": 3600,
    "wave_min_count": 3,  # near-copies from this many article/author contexts -> SPAM_WAVE
}


def with_defaults(settings: Mapping[str, Any]) -> dict[str, Any]:
    """Return the defaults overridden by settings; unset (None) values keep the default."""
    return {**SPAM_DEFAULTS, **{k: v for k, v in settings.items() if v is not None}}
