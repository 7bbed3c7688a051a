"""The API's blueprints, one module per resource."""

from flask import Flask
from flask_smorest import Api


def register_blueprints(app: Flask, api: Api) -> None:
    from service.api import (
        admin,
        akismet,
        akismet_account,  # noqa: F401  (its routes join akismet's blueprint)
        appeals,  # noqa: F401  (its route joins the comments blueprint)
        comments,
        health,
        moderation,
        perspective,
        privacy,
        review_context,
        shadow,
        thresholds,
        webhooks,
    )
    from service.api.cors import cors_for_sites
    from service.web import pages

    app.after_request(cors_for_sites)  # app-wide: a preflight (OPTIONS) reaches no blueprint
    for module in (
        comments,
        moderation,
        admin,
        thresholds,
        shadow,
        webhooks,
        privacy,
        health,
        perspective,
        akismet,
        review_context,
    ):
        api.register_blueprint(module.blp)
    # Browser pages (review page, widget, demo article) are not part of the OpenAPI document.
    app.register_blueprint(pages.bp)
