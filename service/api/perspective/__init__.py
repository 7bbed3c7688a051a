"""Perspective API compatible endpoints: comments:analyze and comments:suggestscore.

Tools that speak Google's Perspective API (Coral Talk, the `perspective` PyPI client, ...)
switch to this service by changing the endpoint URL and using a site's server key as the API key.
Requests, responses and errors follow Google's commentanalyzer v1alpha1, errors included:
`{"error": {"code", "message", "status"}}` on these routes, not the service's usual shape.

The API process loads no model: analyze sends the text to the workers' "score" queue and
waits SCORE_TIMEOUT_S; a timeout or a broker outage answers 503 with Retry-After.

Which attributes and languages can be scored? Workers publish their model in Redis
(service.worker_status). analyze checks a request against that first (cached a few seconds),
so a request no worker can answer gets its 400 without costing a model run. That view can
be stale or empty (no worker published yet, a rolling upgrade), so the answer is checked
again against the worker's reply, which names the labels and languages of the model that
actually scored: that second check is the authoritative one.
"""

from service.api.perspective import cors, errors, views  # noqa: F401  (they register on blp)
from service.api.perspective.blueprint import blp

__all__ = ["blp"]
