"""Perspective compatible API (see issue 5)."""

from flask_smorest import Blueprint

blp = Blueprint("perspective", __name__, url_prefix="/")
