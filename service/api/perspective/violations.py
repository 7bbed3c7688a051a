"""Marshmallow's validation errors worded as Google's field violations."""

import json
import re

from marshmallow import Schema, fields

MESSAGE_TYPE = "type.googleapis.com/google.commentanalyzer.v1alpha1."


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def proto_path(path: list) -> str:
    """Render a path as Google's messages do: requested_attributes[TOXICITY].score_threshold."""
    out = ""
    for part in path:
        if isinstance(part, tuple):  # a map key or a list index
            out += f"[{part[0]}]"
        else:
            out += ("." if out else "") + snake(part)
    return out


def type_name(field) -> str:
    if isinstance(field, fields.List):
        return type_name(field.inner)
    if isinstance(field, fields.Nested):
        return MESSAGE_TYPE + type(field.schema).__name__.removesuffix("Schema")
    if isinstance(field, fields.Dict):
        return f"map<string, {type_name(field.value_field)}>"
    if isinstance(field, fields.Boolean):
        return "TYPE_BOOL"
    if isinstance(field, fields.Integer):
        return "TYPE_INT32"
    if isinstance(field, fields.Float):
        return "TYPE_FLOAT"
    if isinstance(field, fields.String) and field.validate:
        return "TYPE_ENUM"
    return "TYPE_STRING"


def violations(messages, schema: Schema, data, path: list):
    """Yield (path, field, value, message) for each marshmallow error, walking the schema."""
    by_key = {(f.data_key or name): f for name, f in schema.fields.items()}
    for key, sub in messages.items():
        value = data.get(key) if isinstance(data, dict) else None
        if key == "_schema":
            yield path, None, data, sub[0]
        elif key not in by_key:
            yield [*path, key], None, value, "Unknown field."
        else:
            yield from field_violations(sub, by_key[key], value, [*path, key])


def field_violations(messages, field, value, path: list):
    if isinstance(messages, list) or (
        isinstance(field, fields.Nested) and not isinstance(value, dict)
    ):
        yield path, field, value, messages[0] if isinstance(messages, list) else "Invalid."
    elif isinstance(field, fields.Nested):
        yield from violations(messages, field.schema, value, path)
    elif isinstance(field, fields.List):
        for index, sub in messages.items():
            yield from field_violations(sub, field.inner, value[index], [*path, (index,)])
    elif isinstance(field, fields.Dict):
        for map_key, sub in messages.items():
            if "key" in sub:
                yield [*path, (map_key,)], field.key_field, map_key, sub["key"][0]
            if "value" in sub:
                yield from field_violations(
                    sub["value"], field.value_field, value[map_key], [*path, (map_key,)]
                )


REQUIRED_MESSAGES = {
    "comment": "Comment must be non-empty.",
    "comment.text": "Comment must be non-empty.",
    "requested_attributes": "Missing requested_attributes",
    "attribute_scores": "Missing attribute_scores",
}


def google_message(path: list, field, value, message: str) -> str:
    where = proto_path(path)
    if message == "Unknown field.":
        parent = proto_path(path[:-1])
        at = f" at '{parent}'" if parent else ""
        return f'Invalid JSON payload received. Unknown name "{path[-1]}"{at}: Cannot find field.'
    if message == "Missing data for required field.":
        return REQUIRED_MESSAGES.get(where, f"Missing {where}")
    if field is None:
        return f"Invalid value at '{where}': {message}"
    return f"Invalid value at '{where}' ({type_name(field)}), {json.dumps(value)}"
