"""The API's blueprints, one module per resource."""

from flask import Flask
from flask_smorest import Api


def register_blueprints(app: Flask, api: Api) -> None:
    from service.api import admin, comments, health, moderation

    for module in (comments, moderation, admin, health):
        api.register_blueprint(module.blp)
