"""Browser pages: the moderator review page, the embeddable widget and a demo article."""

from pathlib import Path

from flask import Blueprint, current_app, render_template, request, url_for

from service.site_settings import LABELS
from workers.classifiers.reasons import Reason

bp = Blueprint(
    "pages",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)


# `modctl up` writes the demo site's public key here when it creates the demo site, because
# keys are stored hashed and the demo page cannot recover it otherwise.
DEMO_SITE_KEY_FILE = "demo_site_key"
DEMO_ARTICLE = {
    "external_id": "demo-1",
    "title": "City council approves new bike lanes",
}

# The review page's reason filter offers the pipeline's codes before any comment shows them;
# the codes of spam signals (TOO_FAST, ...) join the list as comments carrying them appear.
# TOXIC:<label> codes are the label filter; erased comments are in no queue.
REVIEW_REASONS = tuple(sorted(code.value for code in Reason if code != Reason.ERASED))

# Our pages load only their own scripts and styles and talk only to this service: the review
# page shows untrusted comment text to privileged users, so an injection must have nowhere to go.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)


def page(template: str, **context):
    """Render one of our HTML pages with the security headers every page gets."""
    response = current_app.make_response(render_template(template, **context))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def save_demo_site_key(key: str) -> None:
    """Keep the demo site's public key where the demo page finds it (`modctl up` calls this)."""
    (Path(current_app.config["DATA_DIR"]) / DEMO_SITE_KEY_FILE).write_text(key + "\n")


def demo_site_key() -> str:
    """Return the demo site's public key: `?site_key=`, else the one `modctl up` saved."""
    key = request.args.get("site_key", "").strip()
    if key:
        return key
    try:
        return (Path(current_app.config["DATA_DIR"]) / DEMO_SITE_KEY_FILE).read_text().strip()
    except OSError:
        return ""


@bp.get("/moderate")
def moderate():
    """The review page: a shell that moderate.js fills from the review API."""
    response = page("moderate.html", labels=LABELS, reasons=REVIEW_REASONS)
    # The page itself holds no data, but a signed-in tab should not be served from a shared cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/demo/article")
def demo_article():
    """A news article with the comment widget embedded, as a site would embed it."""
    return page(
        "demo_article.html",
        site_key=demo_site_key(),
        article=DEMO_ARTICLE,
        permalink=url_for("pages.demo_article", _external=True),
    )


@bp.get("/comment-received")
def comment_received():
    """Tell a reader whose form post has no article page to return to that it awaits moderation."""
    return page("comment_received.html")
