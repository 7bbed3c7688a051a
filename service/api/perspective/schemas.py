"""Schemas: Google's messages, camelCase on the wire."""

from marshmallow import RAISE, Schema, fields, validate

from service.api.perspective.attributes import ATTRIBUTES

MAX_TEXT_BYTES = 20480  # Google's limit on comment.text, in UTF-8 bytes
SCORE_TYPES = ("SCORE_TYPE_UNSPECIFIED", "PROBABILITY", "STD_DEV_SCORE", "PERCENTILE", "RAW")
TEXT_TYPES = ("TEXT_TYPE_UNSPECIFIED", "PLAIN_TEXT", "HTML")
PROBABILITY = "PROBABILITY"


class StrictBoolean(fields.Boolean):
    """What protobuf's JSON parser accepts for a bool: true/false, or the strings "true" and
    "false" (Coral Talk 4 sends `"doNotStore": "true"`); not "yes", not 1."""

    PROTO_WORDS = {"true": True, "false": False}

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and value in self.PROTO_WORDS:
            return self.PROTO_WORDS[value]
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class GoogleSchema(Schema):
    class Meta:
        unknown = RAISE  # Google refuses unknown field names


class TextEntrySchema(GoogleSchema):
    text = fields.String(
        required=True,
        allow_none=True,
        metadata={"description": f"UTF-8 text, at most {MAX_TEXT_BYTES} bytes."},
    )
    type = fields.String(
        allow_none=True,
        validate=validate.OneOf(TEXT_TYPES),
        metadata={"description": "Only PLAIN_TEXT is supported."},
    )


class ArticleAndParentCommentSchema(GoogleSchema):
    article = fields.Nested(TextEntrySchema, allow_none=True)
    parent_comment = fields.Nested(TextEntrySchema, data_key="parentComment", allow_none=True)


class ContextSchema(GoogleSchema):
    entries = fields.List(fields.Nested(TextEntrySchema), allow_none=True)
    article_and_parent_comment = fields.Nested(
        ArticleAndParentCommentSchema, data_key="articleAndParentComment", allow_none=True
    )


class AttributeParametersSchema(GoogleSchema):
    score_type = fields.String(
        data_key="scoreType",
        allow_none=True,
        validate=validate.OneOf(SCORE_TYPES),
        metadata={"description": "Only PROBABILITY is supported."},
    )
    score_threshold = fields.Float(
        data_key="scoreThreshold",
        allow_none=True,
        metadata={"description": "Scores below it are left out."},
    )


class AnalyzeCommentRequestSchema(GoogleSchema):
    comment = fields.Nested(TextEntrySchema, required=True)
    context = fields.Nested(
        ContextSchema,
        allow_none=True,
        metadata={"description": "Accepted and ignored, as by Google."},
    )
    requested_attributes = fields.Dict(
        data_key="requestedAttributes",
        required=True,
        keys=fields.String(),
        values=fields.Nested(AttributeParametersSchema),
        metadata={"description": "Attribute name -> parameters: " + ", ".join(ATTRIBUTES)},
    )
    languages = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "ISO 639-1 codes; detected when absent."},
    )
    do_not_store = StrictBoolean(data_key="doNotStore", allow_none=True)
    span_annotations = StrictBoolean(data_key="spanAnnotations", allow_none=True)
    client_token = fields.String(data_key="clientToken", allow_none=True)
    session_id = fields.String(data_key="sessionId", allow_none=True)
    community_id = fields.String(data_key="communityId", allow_none=True)
    drop_unsupported_attributes = StrictBoolean(
        data_key="dropUnsupportedAttributes", allow_none=True
    )


class ScoreSchema(GoogleSchema):
    value = fields.Float(allow_none=True)
    type = fields.String(allow_none=True, validate=validate.OneOf(SCORE_TYPES))


class SpanScoreSchema(GoogleSchema):
    begin = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={"description": "UTF-16 code unit offset, inclusive."},
    )
    end = fields.Integer(
        strict=True,
        allow_none=True,
        metadata={"description": "UTF-16 code unit offset, exclusive."},
    )
    score = fields.Nested(ScoreSchema, allow_none=True)


class AttributeScoresSchema(GoogleSchema):
    summary_score = fields.Nested(ScoreSchema, data_key="summaryScore", allow_none=True)
    span_scores = fields.List(
        fields.Nested(SpanScoreSchema), data_key="spanScores", allow_none=True
    )


class AnalyzeCommentResponseSchema(Schema):
    attribute_scores = fields.Dict(
        data_key="attributeScores",
        keys=fields.String(),
        values=fields.Nested(AttributeScoresSchema),
    )
    languages = fields.List(fields.String())
    detected_languages = fields.List(fields.String(), data_key="detectedLanguages")
    client_token = fields.String(data_key="clientToken")


class SuggestCommentScoreRequestSchema(GoogleSchema):
    comment = fields.Nested(TextEntrySchema, required=True)
    context = fields.Nested(ContextSchema, allow_none=True)
    attribute_scores = fields.Dict(
        data_key="attributeScores",
        required=True,
        keys=fields.String(),
        values=fields.Nested(AttributeScoresSchema),
    )
    languages = fields.List(fields.String(), allow_none=True)
    community_id = fields.String(data_key="communityId", allow_none=True)
    client_token = fields.String(data_key="clientToken", allow_none=True)
    session_id = fields.String(data_key="sessionId", allow_none=True)
    do_not_store = StrictBoolean(
        data_key="doNotStore",
        allow_none=True,
        metadata={
            "description": "Not in Google's API: when true the suggestion is checked and "
            "answered but nothing is stored."
        },
    )


class SuggestCommentScoreResponseSchema(Schema):
    client_token = fields.String(data_key="clientToken")
    detected_languages = fields.List(fields.String(), data_key="detectedLanguages")
    requested_languages = fields.List(fields.String(), data_key="requestedLanguages")


class GoogleStatusSchema(Schema):
    code = fields.Integer()
    message = fields.String()
    status = fields.String()
    details = fields.List(fields.Dict())


class GoogleErrorSchema(Schema):
    error = fields.Nested(GoogleStatusSchema)


ANALYZE_REQUEST, SUGGEST_REQUEST = AnalyzeCommentRequestSchema(), SuggestCommentScoreRequestSchema()
