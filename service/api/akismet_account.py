"""Akismet's account calls, answered from this service's own figures.

WordPress's Akismet plugin builds its settings page from get-subscription, get-stats and
`GET /1.1/test`, calls verify-wpcom-key (Jetpack sites) and deactivate; the `akismet` PyPI
client and `@cedx/akismet` read `/1.2/key-sites` and `/1.2/usage-limit`. The account is the
site: always "active", no plan and no monthly limit; the figures are what this service's
Akismet endpoints answered for the site (service.akismet_usage).
"""

import csv
import io
from collections import Counter

from flask import current_app, request
from flask.views import MethodView

from service import akismet_usage
from service.api.akismet import (
    AKISMET_FORM,
    PLAIN_ERRORS,
    AkismetAnswer,
    blp,
    form_body,
    load_form,
    plain,
    request_key,
    site_for,
)
from service.auth import find_server_key
from service.models import Site

JSON = "application/json"
ACCOUNT_TYPE = "self-hosted"
STATS_MONTHS = {"6-months": 6, "all": 13}  # "all": every month the figures are kept
KEY_SITES_COLUMNS = (
    ("site", "Site"),
    ("api_calls", "Total API Calls"),
    ("spam", "Spam"),
    ("ham", "Ham"),
    ("missed_spam", "Missed Spam"),
    ("false_positives", "False Positives"),
    ("is_revoked", "Is Revoked"),
)


def json_or_text(description: str) -> dict:
    """Document a 200 that is JSON, or Akismet's text (`invalid`, CSV) when it is not."""
    return {
        **PLAIN_ERRORS,
        "200": {
            "description": description,
            "content": {
                JSON: {"schema": {"type": "object"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        },
    }


def json_answer(value, status: int = 200):
    response = current_app.json.response(value)
    response.status_code = status
    return response


def account(site: Site) -> dict:
    """Describe the site as Akismet describes a subscription (what the settings page reads)."""
    return {
        "account_id": site.id,
        "account_name": f"{site.name} (self-hosted)",
        "account_type": ACCOUNT_TYPE,
        "status": "active",
        "next_billing_date": None,
        "limit_reached": False,
    }


def key_site() -> tuple[Site, str]:
    """Return the site and server key of a call that sends no blog (the /1.2 calls)."""
    key = request_key("api_key", "key") or request.args.get("api_key", "").strip()
    if not key:
        raise AkismetAnswer("invalid", 'Empty "api_key" value')
    found = find_server_key(key)
    if found is None:
        raise AkismetAnswer("invalid", "Invalid key")
    return found.site, key.strip().lower()


def stats(site_id: int, months: list[str]) -> dict:
    """Return get-stats' figures summed over months."""
    total = akismet_usage.totals(site_id, months)
    checked = total["spam"] + total["ham"]
    wrong = total["missed_spam"] + total["false_positives"]
    accuracy = 100.0 if checked == 0 else round(100.0 * max(checked - wrong, 0) / checked, 2)
    return {
        "spam": total["spam"],
        "ham": total["ham"],
        "missed_spam": total["missed_spam"],
        "false_positives": total["false_positives"],
        "accuracy": accuracy,
        # Akismet reckons a human takes about 6 seconds to judge and clear one spam.
        "time_saved": total["spam"] * 6,
    }


@blp.route("/1.1/get-subscription")
class GetSubscription(MethodView):
    @blp.doc(
        requestBody=form_body(AKISMET_FORM),
        responses=json_or_text("The account (the site): status `active`; `invalid` as text."),
    )
    def post(self):
        """Describe the key's account, for WordPress's settings page (Akismet get-subscription)."""
        form = load_form(AKISMET_FORM)
        return json_answer(account(site_for(request_key("key", "api_key"), form["blog"])))


@blp.route("/1.1/verify-wpcom-key")
class VerifyWpcomKey(MethodView):
    @blp.doc(
        requestBody=form_body(AKISMET_FORM),
        responses=json_or_text("The account with its key; `invalid` as text."),
    )
    def post(self):
        """Describe the key's account, for WordPress with Jetpack (Akismet verify-wpcom-key)."""
        key = request_key("api_key", "key")
        blog = request.form.get("blog", "")
        if blog:  # the plugin sends none; a caller that names its blog gets it checked
            site = site_for(key, blog)
        else:
            found = find_server_key(key)
            if found is None:
                raise AkismetAnswer("invalid", "Invalid key")
            site = found.site
        return json_answer({**account(site), "api_key": key.strip().lower()})


@blp.route("/1.1/get-stats")
class GetStats(MethodView):
    @blp.doc(
        requestBody=form_body(AKISMET_FORM),
        responses=json_or_text(
            "spam, ham, missed_spam, false_positives, accuracy (percent), "
            "time_saved (seconds) over `from` (`6-months` or `all`)."
        ),
    )
    def post(self):
        """Sum the site's checks and submissions (Akismet get-stats)."""
        form = load_form(AKISMET_FORM)
        site = site_for(request_key("key", "api_key"), form["blog"])
        span = STATS_MONTHS.get(request.form.get("from", "all"), STATS_MONTHS["all"])
        return json_answer(stats(site.id, akismet_usage.last_months(span)))


@blp.route("/1.1/deactivate")
class Deactivate(MethodView):
    @blp.doc(requestBody=form_body(AKISMET_FORM), responses=PLAIN_ERRORS)
    @blp.response(
        200,
        {"type": "string", "example": "deactivated"},
        content_type="text/plain",
        description="`deactivated`; `invalid` with a debug-help header.",
    )
    def post(self):
        """Acknowledge that a blog stops using the key (Akismet deactivate); the key stays live."""
        form = load_form(AKISMET_FORM)
        site = site_for(request_key("key", "api_key"), form["blog"])
        current_app.logger.info(
            "akismet.deactivated",
            extra={"site_id": site.id, "blog": akismet_usage.blog_host(form["blog"])},
        )
        return plain("deactivated")


@blp.route("/1.1/test")
class ConnectionTest(MethodView):
    @blp.response(200, {"type": "string", "example": "connected"}, content_type="text/plain")
    def get(self):
        """Answer WordPress's connectivity test (`connected`)."""
        return plain("connected")


@blp.route("/1.2/usage-limit")
class UsageLimit(MethodView):
    @blp.doc(parameters=[{"in": "query", "name": "api_key", "schema": {"type": "string"}}])
    @blp.doc(
        responses=json_or_text(
            "limit (null: none), usage (calls this month), percentage, throttled."
        )
    )
    def get(self):
        """Say how many calls the key made this month (Akismet usage-limit)."""
        site, _ = key_site()
        usage = akismet_usage.totals(site.id, [akismet_usage.month()])["api_calls"]
        return json_answer(
            {"limit": None, "usage": usage, "percentage": "0.00", "throttled": False}
        )


@blp.route("/1.2/key-sites")
class KeySites(MethodView):
    @blp.doc(
        parameters=[
            {"in": "query", "name": name, "schema": {"type": "string"}}
            for name in ("api_key", "month", "filter", "format", "order", "limit", "offset")
        ]
    )
    @blp.doc(responses=json_or_text("Figures per blog for a month, as JSON or (`format=csv`) CSV."))
    def get(self):
        """List the key's blogs with their figures for a month (Akismet key-sites)."""
        site, key = key_site()
        args = request.values
        month = args.get("month") or akismet_usage.month()
        limit, offset = int_arg(args, "limit", 500), int_arg(args, "offset", 0)
        blogs = akismet_usage.by_blog(site.id, [month])[month]
        rows = [
            row(host, figures)
            for host, figures in blogs.items()
            if args.get("filter", "").lower() in host
        ]
        order = args.get("order") or "api_calls"
        if order not in {name for name, _ in KEY_SITES_COLUMNS}:
            raise AkismetAnswer("invalid", f"Unknown order column {order}")
        rows.sort(
            key=lambda r: (-int(r[order]) if order not in ("site", "is_revoked") else 0, r["site"])
        )
        page = rows[offset : offset + limit]
        if args.get("format") == "csv":
            return plain(key_sites_csv(key, month, page, limit, offset, len(rows)))
        return json_answer({month: page, "limit": limit, "offset": offset, "total": len(rows)})


def int_arg(args, name: str, default: int) -> int:
    value = args.get(name, "")
    if not value:
        return default
    if not value.isdigit():
        raise AkismetAnswer("invalid", f'"{name}" must be a whole number')
    return int(value)


def row(host: str, figures: Counter) -> dict:
    # Akismet sends the figures as strings.
    return {
        "site": host,
        **{f: str(figures[f]) for f in akismet_usage.FIGURES},
        "is_revoked": False,
    }


def key_sites_csv(
    key: str, month: str, rows: list[dict], limit: int, offset: int, total: int
) -> str:
    out = io.StringIO()
    out.write(
        f"Active sites for {key} during {month} (limit:{limit}, offset: {offset}, total: {total})\n"
    )
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([title for _, title in KEY_SITES_COLUMNS])
    for entry in rows:
        writer.writerow(
            [
                str(entry[name]).lower() if name == "is_revoked" else entry[name]
                for name, _ in KEY_SITES_COLUMNS
            ]
        )
    return out.getvalue().rstrip("\n")
