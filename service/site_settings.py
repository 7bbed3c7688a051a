"""Per-site moderation settings with per-article overrides, validated by one schema."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from service.i18n import LANGUAGES
from service.models import Article, ModerationMode, Site
from service.statements import DISCLOSED_CODES
from workers.classifiers.spam_settings import SPAM_DEFAULTS

LABELS = (
    "toxicity",
    "severe_toxicity",
    "obscene",
    "threat",
    "insult",
    "identity_attack",
    "sexual_explicit",
)

# Hold at / reject at, per toxicity label.
DEFAULT_THRESHOLDS = {
    "toxicity": {"hold": 0.5, "reject": 0.9},
    "severe_toxicity": {"hold": 0.3, "reject": 0.7},
    "obscene": {"hold": 0.6, "reject": 0.95},
    "threat": {"hold": 0.3, "reject": 0.8},
    "insult": {"hold": 0.5, "reject": 0.9},
    "identity_attack": {"hold": 0.3, "reject": 0.8},
    "sexual_explicit": {"hold": 0.5, "reject": 0.9},
}

DEFAULTS: dict[str, Any] = {
    "moderation_mode": ModerationMode.AUTO.value,
    "thresholds": DEFAULT_THRESHOLDS,
    # WordPress: "comment author must have a previously approved comment"
    "hold_new_authors": False,
    "auto_create_articles": True,  # sites embed the widget on pages the service has not seen
    "require_name_email": True,
    "flood_seconds": None,  # None: the FLOOD_SECONDS setting
    "require_render_token": False,
    # WordPress's thread_comments_depth: a reply to a comment this deep goes beside it
    "thread_comments_depth": 5,
    # The spam stage's (trust_after, lists, levels, velocity and wave windows)
    **SPAM_DEFAULTS,
    # Statement of reasons (service/statements.py)
    "language": "en",
    "appeal_url": None,  # None: the statement asks the author to contact the site
    "reason_texts": {},  # reason code -> the operator's wording
}


class ThresholdSchema(Schema):
    hold = fields.Float(required=True, validate=validate.Range(0, 1))
    reject = fields.Float(required=True, validate=validate.Range(0, 1))

    @validates_schema
    def hold_below_reject(self, data, **_):
        if data["hold"] > data["reject"]:
            raise ValidationError("hold must not exceed reject", "hold")


class SiteSettingsSchema(Schema):
    """Settings a site or an article may set; every key is optional."""

    moderation_mode = fields.String(validate=validate.OneOf([m.value for m in ModerationMode]))
    thresholds = fields.Dict(
        keys=fields.String(validate=validate.OneOf(LABELS)), values=fields.Nested(ThresholdSchema)
    )
    trust_after = fields.Integer(validate=validate.Range(0, 1000))
    hold_new_authors = fields.Boolean()
    auto_create_articles = fields.Boolean()
    require_name_email = fields.Boolean()
    flood_seconds = fields.Integer(allow_none=True, validate=validate.Range(0, 86400))
    require_render_token = fields.Boolean()
    thread_comments_depth = fields.Integer(validate=validate.Range(1, 10))
    max_links = fields.Integer(validate=validate.Range(0, 1000))
    moderation_keys = fields.List(fields.String(validate=validate.Length(1, 200)))
    disallowed_keys = fields.List(fields.String(validate=validate.Length(1, 200)))
    banned_words = fields.List(fields.String(validate=validate.Length(1, 100)))
    suspect_words = fields.List(fields.String(validate=validate.Length(1, 100)))
    min_submit_seconds = fields.Float(validate=validate.Range(0, 3600))
    spam_hold = fields.Float(validate=validate.Range(0, 1))
    spam_discard = fields.Float(validate=validate.Range(0, 1))
    velocity_window_s = fields.Integer(validate=validate.Range(1, 86400))
    velocity_max = fields.Integer(validate=validate.Range(1, 10000))
    wave_window_s = fields.Integer(validate=validate.Range(1, 7 * 86400))
    # One context is the comment itself: a "wave" of one would hold every comment.
    wave_min_count = fields.Integer(validate=validate.Range(2, 1000))
    language = fields.String(validate=validate.OneOf(LANGUAGES))
    appeal_url = fields.Url(
        schemes={"http", "https"}, allow_none=True, validate=validate.Length(max=2000)
    )
    reason_texts = fields.Dict(
        keys=fields.String(validate=validate.OneOf(DISCLOSED_CODES)),
        values=fields.String(validate=validate.Length(1, 1000)),
    )

    @validates_schema
    def hold_below_discard(self, data, **_):
        if "spam_hold" in data and "spam_discard" in data:
            check_spam_levels(data)


def check_spam_levels(settings: dict) -> None:
    """Refuse a spam hold level above the discard level, as the toxicity thresholds do."""
    if float(settings["spam_hold"]) > float(settings["spam_discard"]):
        raise ValidationError("spam_hold must not exceed spam_discard", "spam_hold")


def check_effective(site: Site, article: Article | None = None) -> None:
    """Refuse settings that are consistent alone but not once merged with what is stored."""
    check_spam_levels(effective_settings(site, article))


def _merge(base: dict, override: dict) -> dict:
    """Return base updated by override, recursing into nested dicts; neither is changed."""
    merged = dict(base)
    for key, value in (override or {}).items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def effective_settings(site: Site, article: Article | None = None) -> dict[str, Any]:
    """Return defaults, overridden by the site's settings, then the article's (read-only)."""
    settings = _merge(DEFAULTS, site.settings or {})
    if article is not None:
        settings = _merge(settings, article.settings or {})
        if article.moderation_mode:
            settings["moderation_mode"] = article.moderation_mode
    return settings
