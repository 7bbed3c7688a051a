"""modctl: the admin commands print JSON with what they made; bad arguments are refused."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODCTL = str(Path(sys.executable).parent / "modctl")


@pytest.fixture
def cli_env(tmp_path):
    """A fresh data directory and SQLite file, migrated."""
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/cli.db",
        "REDIS_URL": "redis://127.0.0.1:6379/15",
        "LOG_LEVEL": "WARNING",
    }
    run(env, "migrate")
    return env


def run(env, *args, check=True):
    result = subprocess.run(
        [MODCTL, *args], env=env, capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    if check:
        assert result.returncode == 0, result.stderr[-2000:]
    return result


def json_out(result):
    return json.loads(result.stdout[result.stdout.index("{") :])


def test_site_and_token_creation_print_working_keys(cli_env):
    site = json_out(
        run(
            cli_env,
            "site",
            "create",
            "--name",
            "Gazette",
            "--origin",
            "https://gazette.example",
            "--origin",
            "https://m.gazette.example",
        )
    )
    assert site["site_key"].startswith("pk_") and site["origins"] == [
        "https://gazette.example",
        "https://m.gazette.example",
    ]
    token = json_out(
        run(
            cli_env,
            "token",
            "create",
            "--role",
            "moderator",
            "--site",
            str(site["site_id"]),
            "--name",
            "ed",
        )
    )
    assert token["token"].startswith("mod_") and token["site_id"] == site["site_id"]
    # The printed key works against the app using the same database.
    from service import create_app
    from service.auth import find_key

    app = create_app({"DATA_DIR": cli_env["DATA_DIR"], "DATABASE_URL": cli_env["DATABASE_URL"]})
    with app.app_context():
        assert find_key(site["site_key"]).site_id == site["site_id"]
        assert find_key(token["token"]).role == "moderator"
    listed = json_out(run(cli_env, "site", "list"))
    assert [s["name"] for s in listed["sites"]] == ["Gazette"]


def test_a_token_name_in_use_is_refused_clearly(cli_env):
    run(cli_env, "token", "create", "--role", "moderator", "--name", "ed")
    result = run(cli_env, "token", "create", "--role", "admin", "--name", "ed", check=False)
    assert result.returncode == 2
    assert "A key or token named 'ed' exists already; choose another name." in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["site", "create", "--name", "X", "--origin", "not a url"], "not an origin"),
        (["token", "create", "--role", "moderator", "--site", "999"], "no site 999"),
        (["token", "create", "--role", "king"], "'king' is not one of"),
    ],
)
def test_bad_arguments_are_refused_clearly(cli_env, args, message):
    result = run(cli_env, *args, check=False)
    assert result.returncode == 2 and message in result.stderr


def test_article_create_registers_a_closed_premoderated_article(cli_env):
    site = json_out(run(cli_env, "site", "create", "--name", "G", "--origin", "https://g.example"))
    article = json_out(
        run(
            cli_env,
            "article",
            "create",
            "--site",
            str(site["site_id"]),
            "--id",
            "42",
            "--mode",
            "pre",
            "--closed",
        )
    )
    assert (article["external_id"], article["moderation_mode"], article["is_open"]) == (
        "42",
        "pre",
        False,
    )


def test_modctl_creates_lists_and_revokes_server_keys(cli_env):
    site = json_out(
        run(cli_env, "site", "create", "--name", "Gazette", "--origin", "https://gazette.example")
    )
    made = json_out(
        run(cli_env, "key", "create", "--site", str(site["site_id"]), "--name", "wordpress")
    )
    assert re.fullmatch(r"[0-9a-f]{12}", made["server_key"])
    listed = json_out(run(cli_env, "key", "list", "--site", str(site["site_id"])))
    assert made["server_key"] not in json.dumps(listed)
    assert {(k["role"], k["name"], k["revoked"]) for k in listed["keys"]} == {
        ("site", "Gazette widget", False),
        ("server", "wordpress", False),
    }
    run(cli_env, "key", "revoke", str(made["key_id"]))
    listed = json_out(run(cli_env, "key", "list", "--site", str(site["site_id"])))
    assert ("server", True) in {(k["role"], k["revoked"]) for k in listed["keys"]}
    missing = run(cli_env, "key", "create", "--site", "999", check=False)
    assert missing.returncode != 0 and "no site 999" in missing.stderr


def test_settings_are_shown_and_merged_and_checked_from_the_command_line(cli_env):
    site = json_out(
        run(cli_env, "site", "create", "--name", "Gazette", "--origin", "https://gazette.example")
    )
    site_id = str(site["site_id"])
    changed = json_out(
        run(
            cli_env,
            "settings",
            "set",
            "--site",
            site_id,
            "moderation_mode=pre",
            'banned_words=["slur"]',
            "max_links=0",
        )
    )
    assert changed["settings"] == {
        "moderation_mode": "pre",
        "banned_words": ["slur"],
        "max_links": 0,
    }
    merged = json_out(run(cli_env, "settings", "set", "--site", site_id, "trust_after=5"))
    assert merged["settings"]["moderation_mode"] == "pre" and merged["settings"]["trust_after"] == 5
    shown = json_out(run(cli_env, "settings", "show", "--site", site_id))
    assert shown["effective_settings"]["trust_after"] == 5
    assert shown["effective_settings"]["spam_hold"] == 0.5  # defaults fill the rest
    for bad, message in (
        (["spam_hold=0.95"], "spam_hold must not exceed spam_discard"),
        (["moderation_mode=sometimes"], "moderation_mode"),
        (["nonsense"], "is not NAME=VALUE"),
    ):
        refused = run(cli_env, "settings", "set", "--site", site_id, *bad, check=False)
        assert refused.returncode != 0 and message in refused.stderr, refused.stderr
    assert (
        json_out(run(cli_env, "settings", "show", "--site", site_id))["settings"]
        == merged["settings"]
    )
