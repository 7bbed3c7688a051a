"""Admin privacy endpoints: export and erase what is stored about an email (see issue 6)."""

from flask_smorest import Blueprint

blp = Blueprint("privacy", __name__, url_prefix="/v1/admin/privacy")
