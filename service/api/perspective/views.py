"""Views: comments:analyze and comments:suggestscore."""

import time

from flask import current_app, g
from flask.views import MethodView

from service.api.perspective.blueprint import blp
from service.api.perspective.capabilities import published_capabilities, supported_attributes
from service.api.perspective.errors import invalid
from service.api.perspective.requests import (
    comment_text,
    load_google,
    request_languages,
    requested_attributes,
    site_from_key,
)
from service.api.perspective.schemas import (
    ANALYZE_REQUEST,
    PROBABILITY,
    SUGGEST_REQUEST,
    AnalyzeCommentRequestSchema,
    AnalyzeCommentResponseSchema,
    GoogleErrorSchema,
    SuggestCommentScoreRequestSchema,
    SuggestCommentScoreResponseSchema,
)
from service.api.perspective.scoring import attribute_scores, score_with_a_slot
from service.extensions import db
from service.logs import redact
from service.models import ScoreFeedback

KEY_PARAMETERS = [
    {
        "in": "query",
        "name": "key",
        "schema": {"type": "string"},
        "description": "The site's server key, in place of a Google API key.",
    },
    {
        "in": "header",
        "name": "X-Goog-Api-Key",
        "schema": {"type": "string"},
        "description": "The server key, as a header instead of ?key=.",
    },
]
GOOGLE_DEFAULT_ERROR = {
    "default": {
        "description": "Error, in Google's JSON shape.",
        "content": {"application/json": {"schema": GoogleErrorSchema}},
    }
}


def json_body(schema) -> dict:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


@blp.route("/v1alpha1/comments:analyze")
class AnalyzeComment(MethodView):
    @blp.doc(
        parameters=KEY_PARAMETERS,
        requestBody=json_body(AnalyzeCommentRequestSchema),
        responses=GOOGLE_DEFAULT_ERROR,
        operationId="commentanalyzer.comments.analyze",
    )
    @blp.response(200, AnalyzeCommentResponseSchema)
    @blp.alt_response(
        400,
        schema=GoogleErrorSchema,
        description="Invalid request, invalid key, or an attribute or language "
        "the active model cannot score.",
    )
    @blp.alt_response(
        403,
        schema=GoogleErrorSchema,
        description="Missing key, or an Origin the site does not allow.",
    )
    @blp.alt_response(500, schema=GoogleErrorSchema, description="The model failed.")
    @blp.alt_response(
        429,
        schema=GoogleErrorSchema,
        headers={"Retry-After": {"schema": {"type": "integer"}}},
        description="SCORE_MAX_WAITS_PER_KEY calls with this key already wait.",
    )
    @blp.alt_response(
        503,
        schema=GoogleErrorSchema,
        headers={"Retry-After": {"schema": {"type": "integer"}}},
        description="No worker answered within SCORE_TIMEOUT_S, the broker is "
        "down, or SCORE_MAX_WAITS calls already wait.",
    )
    def post(self):
        """Score a comment's attributes (Perspective AnalyzeComment)."""
        started = time.monotonic()
        site = site_from_key()
        data = load_google(ANALYZE_REQUEST)
        text = comment_text(data)
        attributes = requested_attributes(data)
        languages = request_languages(data)
        drop = bool(data.get("drop_unsupported_attributes"))
        published = published_capabilities()
        if published is not None:  # answer what no worker can score before queueing it
            attributes = supported_attributes(attributes, languages, published, drop)
        # Sentences cost a model row each: scored only when the caller asks for spans (Google's
        # default is none; Coral asks for none and gives the call 800 ms).
        with_spans = bool(data.get("span_annotations"))
        answer = score_with_a_slot(
            g.api_key_id, text, languages, bool(data.get("do_not_store")), with_spans
        )
        detected = answer["language"] or "und"
        # Google scores in the request's languages, else in the detected one.
        attributes = supported_attributes(
            attributes, languages or [detected], answer["model"], drop
        )

        response = {"languages": languages or [detected], "detected_languages": [detected]}
        scores = attribute_scores(attributes, answer, text, with_spans)
        if scores:
            response["attribute_scores"] = scores
        if data.get("client_token"):
            response["client_token"] = data["client_token"]
        fields_logged = {
            "site_id": site.id,
            "attributes": list(attributes),
            "text_chars": len(text),
            "language": detected,
            "model": answer["model"]["name"],
            "do_not_store": bool(data.get("do_not_store")),
            "elapsed_ms": round((time.monotonic() - started) * 1000, 1),
        }
        if not data.get("do_not_store"):
            fields_logged["text"] = redact(current_app.config, text)
        current_app.logger.info("perspective.analyzed", extra=fields_logged)
        return response


@blp.route("/v1alpha1/comments:suggestscore")
class SuggestCommentScore(MethodView):
    @blp.doc(
        parameters=KEY_PARAMETERS,
        requestBody=json_body(SuggestCommentScoreRequestSchema),
        responses=GOOGLE_DEFAULT_ERROR,
        operationId="commentanalyzer.comments.suggestscore",
    )
    @blp.response(200, SuggestCommentScoreResponseSchema)
    @blp.alt_response(400, schema=GoogleErrorSchema, description="Invalid request or key.")
    @blp.alt_response(
        403,
        schema=GoogleErrorSchema,
        description="Missing key, or an Origin the site does not allow.",
    )
    @blp.alt_response(
        429,
        schema=GoogleErrorSchema,
        headers={"Retry-After": {"schema": {"type": "integer"}}},
        description="Too many requests with this key (RATE_LIMIT_COMPAT_PER_KEY).",
    )
    @blp.alt_response(
        503,
        schema=GoogleErrorSchema,
        headers={"Retry-After": {"schema": {"type": "integer"}}},
        description="The database is unavailable.",
    )
    def post(self):
        """Store the scores a client suggests for a text (Perspective SuggestCommentScore).

        Google stores every suggestion; here `doNotStore: true` (an extension) stores nothing.
        """
        site = site_from_key()
        data = load_google(SUGGEST_REQUEST)
        text = comment_text(data)
        suggested = suggested_scores(data, text)
        languages = request_languages(data)
        do_not_store = bool(data.get("do_not_store"))
        if not do_not_store:
            db.session.add(
                ScoreFeedback(
                    site_id=site.id,
                    text=text,
                    attribute_scores=suggested,
                    languages=languages,
                    client_token=(data.get("client_token") or "")[:200],
                    community_id=(data.get("community_id") or "")[:200],
                )
            )
            db.session.commit()
        current_app.logger.info(
            "perspective.score_suggested",
            extra={
                "site_id": site.id,
                "attributes": list(suggested),
                "text_chars": len(text),
                "do_not_store": do_not_store,
            },
        )
        response = {"detected_languages": [detected_language(text)]}
        if data.get("client_token"):
            response["client_token"] = data["client_token"]
        if languages:
            response["requested_languages"] = languages
        return response


def detected_language(text: str) -> str:
    """Name the text's language as Google's detectedLanguages does ("und" when unsure)."""
    # Imported on first use: the identifier's model would slow every API process's start.
    from workers.classifiers.language import identify_language

    return identify_language(text)


def suggested_scores(data: dict, text: str) -> dict:
    """Return attributeScores as the client sent them (camelCase), checked as Google checks them."""
    attribute_scores_in = data.get("attribute_scores") or {}
    if not attribute_scores_in:
        raise invalid(
            "attribute_scores must not be empty.",
            [("attribute_scores", "At least one attribute is required.")],
        )
    length = len(text.encode("utf-16-le")) // 2
    stored = {}
    for name, scores in attribute_scores_in.items():
        summary = scores.get("summary_score")
        spans = scores.get("span_scores") or []
        if summary is None and not spans:
            raise invalid(f"attribute_scores[{name}] must have a summary_score or span_scores.")
        entry = {}
        if summary is not None:
            entry["summaryScore"] = checked_score(
                summary, f"attribute_scores[{name}].summary_score"
            )
        for index, span in enumerate(spans):
            where = f"attribute_scores[{name}].span_scores[{index}]"
            begin, end = span.get("begin"), span.get("end")
            if begin is None or end is None:
                raise invalid(
                    f"All SpanScore objects must have begin and end fields set ({where})."
                )
            if not 0 <= begin <= end <= length:
                raise invalid(
                    f"{where}: begin and end must satisfy 0 <= begin <= end <= "
                    f"{length} (the text's length in UTF-16 code units)."
                )
            entry.setdefault("spanScores", []).append(
                {
                    "begin": begin,
                    "end": end,
                    "score": checked_score(span.get("score"), f"{where}.score"),
                }
            )
        stored[name] = entry
    return stored


def checked_score(score: dict | None, where: str) -> dict:
    if not score or score.get("value") is None:
        raise invalid(f"All Score objects must be explicitly set ({where}).")
    score_type = score.get("type") or PROBABILITY
    if score_type == PROBABILITY and not 0.0 <= score["value"] <= 1.0:
        raise invalid(
            f"Invalid value at '{where}.value' (TYPE_FLOAT), {score['value']}: a "
            "probability is between 0 and 1"
        )
    return {"value": score["value"], "type": score_type}
