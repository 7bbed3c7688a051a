"""Akismet compatible API (see issue 5)."""

from flask_smorest import Blueprint

blp = Blueprint("akismet", __name__, url_prefix="/")
