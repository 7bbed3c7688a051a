"""The one blueprint the Perspective compatible routes, error handlers and hooks register on."""

from flask_smorest import Blueprint

blp = Blueprint(
    "perspective",
    __name__,
    url_prefix="/",
    description="Google Perspective API compatible endpoints (commentanalyzer v1alpha1). "
    "Errors on these routes use Google's JSON error shape.",
)
