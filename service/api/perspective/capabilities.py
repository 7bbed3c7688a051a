"""What the workers can score: the labels and languages their published models cover."""

import math
import time

from flask import current_app

from service.api.perspective.attributes import ATTRIBUTES
from service.api.perspective.errors import invalid
from service.api.perspective.requests import base_language
from service.worker_status import active_models

CAPABILITIES_TTL_S = 5.0
_published: dict = {"url": None, "at": -math.inf, "value": None}


def published_capabilities() -> dict | None:
    """Return the labels and languages the workers' published models cover, or None if none."""
    url = current_app.config["REDIS_URL"]
    now = time.monotonic()
    if _published["url"] == url and now - _published["at"] < CAPABILITIES_TTL_S:
        return _published["value"]
    models = active_models(url)["models"]
    value = None
    if models:
        value = {
            "labels": set().union(*(m.get("labels") or () for m in models)),
            "languages": set().union(*(m.get("languages") or () for m in models)),
            "name": ", ".join(sorted({m.get("name", "?") for m in models})),
        }
    _published.update(url=url, at=now, value=value)
    return value


def supported_attributes(
    attributes: dict[str, dict], languages: list[str], model: dict, drop: bool
) -> dict[str, dict]:
    """Keep the attributes model can score in languages; 400 (or drop them) for the others.

    model holds the "labels", "languages" and "name" of what scores (or will score) the text.
    """
    unsupported = [code for code in languages if base_language(code) not in set(model["languages"])]
    kept = {}
    for name, params in attributes.items():
        if unsupported:  # Google's wording, which clients written for it may look for
            problem = "Attribute {} does not support request languages: {}".format(
                name, ", ".join(unsupported)
            )
        elif ATTRIBUTES[name] not in set(model["labels"]):
            available = [a for a, label in ATTRIBUTES.items() if label in set(model["labels"])]
            problem = (
                f"Attribute {name} is not supported by the active model ({model['name']});"
                f" available attributes: {', '.join(available)}"
            )
        else:
            kept[name] = params
            continue
        if not drop:
            raise invalid(problem, [(f"requested_attributes[{name}]", problem)])
    return kept
