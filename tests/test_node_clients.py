"""The npm Akismet clients (`akismet-api`, key in the host name; `@cedx/akismet`, base URL)
against the service on a loopback port: tests/node/clients.mjs makes the calls.

Run with `pytest -m node`; skipped where node or tests/node/node_modules (`npm ci`) is missing.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from service.models import SpamFeedback
from tests.support.live_server import live_server

NODE_PROJECT = Path(__file__).parent / "node"
BLOG = "https://news.example"
THANKS = "Thanks for making the web a better place."


def node_missing() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed (Node 20 or later)"
    if (
        not (NODE_PROJECT / "node_modules" / "@cedx" / "akismet").is_dir()
        or not (NODE_PROJECT / "node_modules" / "akismet-api").is_dir()
    ):
        return f"the npm clients are not installed: run `npm ci` in {NODE_PROJECT}"
    return None


pytestmark = [
    pytest.mark.node,
    pytest.mark.skipif(node_missing() is not None, reason=node_missing() or ""),
]


def test_the_npm_clients_verify_check_and_submit_as_against_akismet(app, make, db):
    site, _ = make.site(origins=(BLOG,), settings={"disallowed_keys": ["casino-bonus"]})
    key = make.server_key(site.id)
    with live_server(app) as url:
        port = url.rsplit(":", 1)[1]
        ran = subprocess.run(
            ["node", "clients.mjs"],
            cwd=NODE_PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
            env={
                **os.environ,
                "SERVICE_PORT": port,
                "SERVER_KEY": key,
                "WRONG_KEY": "0123456789ab",
                "BLOG": BLOG,
            },
        )
    assert ran.returncode == 0, ran.stderr
    results = json.loads(ran.stdout)
    assert results["akismet-api"] == {
        "verify": {"value": True},
        "verify_wrong_key": {"value": False},
        "check_ham": {"value": False},
        "check_spam": {"value": True},
        "check_honeypot": {"value": True},
        "submit_spam": {"value": THANKS},
        "submit_ham": {"value": THANKS},
        "check_wrong_key": {"error": "Invalid API key"},
    }
    assert results["@cedx/akismet"] == {
        "verify": {"value": True},
        "verify_wrong_key": {"value": False},
        "check_ham": {"value": "ham"},
        "check_spam": {"value": "spam"},
        "submit_spam": {"value": "submitted"},
        "submit_ham": {"value": "submitted"},
        # Akismet explains a refused check in X-akismet-debug-help, which this client raises.
        "check_wrong_key": {"error": "Invalid key"},
    }
    learned = db.session.execute(
        select(SpamFeedback.is_spam, SpamFeedback.text)
        .where(SpamFeedback.site_id == site.id)
        .order_by(SpamFeedback.id)
    ).all()
    assert [tuple(row) for row in learned] == [
        (True, "Buy pills from akismet-api"),
        (False, "The council should publish the budget before the vote, not after. (akismet-api)"),
        (True, "Buy pills from @cedx/akismet"),
        (
            False,
            "The council should publish the budget before the vote, not after. (@cedx/akismet)",
        ),
    ]
