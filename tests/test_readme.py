"""The README's examples, read from the README itself and run against a live service.

Each `curl` command of the block runs with real curl; `# -> STATUS {json}` after a command
says what it must answer. The README's example values (`$API`, keys, comment id 1, the status
token) are swapped for this test's own, so the README cannot drift from the code.
"""

import json
import os
import re
import shutil
import subprocess

import pytest

from service.models import Comment, Status
from tests.conftest import wait_until
from tests.support.live_server import live_server
from tests.support.readme import README, readme_block, run_readme_block

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")


def walkthrough() -> list[tuple[str, tuple[int, dict] | None]]:
    """Return the walk-through's curl commands, each with its expected answer (or None)."""
    text = README.read_text()
    section = text[text.index("## A walk-through with curl") :]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = block.replace("\\\n", " ").splitlines()
    commands: list[tuple[str, tuple[int, dict] | None]] = []
    for line in lines:
        expected = re.match(r"# -> (\d{3}) (\{.*\})$", line.strip())
        if expected and commands:
            commands[-1] = (
                commands[-1][0],
                (int(expected.group(1)), json.loads(expected.group(2))),
            )
        elif line.startswith("curl "):
            commands.append((line, None))
    return commands


def test_the_readme_walkthrough_has_its_steps():
    steps = walkthrough()
    assert len(steps) == 5 and steps[0][1] is not None and steps[0][1][0] == 202


def test_the_readme_walkthrough_works_as_written(app, db, make, worker):
    site, site_key = make.site(origins=["http://127.0.0.1"])
    moderator = make.token("moderator")
    with live_server(app) as api:
        env = {**os.environ, "API": api, "SITE_KEY": site_key, "MOD": moderator}
        seen: dict = {}
        for command, expected in walkthrough():
            if "id" in seen:  # the README's comment is id 1; ours is whatever the database gave
                command = command.replace("/comments/1/", f"/comments/{seen['id']}/")
                command = command.replace("<status_token>", seen["status_token"])
            if "/decision" in command:
                wait_until(
                    lambda: (
                        db.session.get(Comment, seen["id"]).status != Status.PENDING
                        or db.session.expire_all()
                    )
                )
            result = subprocess.run(
                ["bash", "-c", command.replace("curl -s ", "curl -s -w '\\n%{http_code}' ", 1)],
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
            )
            body, _, status = result.stdout.rpartition("\n")
            answer = json.loads(body)
            if expected is None:
                assert 200 <= int(status) < 300, (command, status, body)
                continue
            code, shown = expected
            assert int(status) == code, (command, status, body)
            # Every key the README shows is in the answer; literal values match where given.
            assert set(shown) <= set(answer), (command, answer)
            for key, value in shown.items():
                if key != "id" and not str(value).startswith("..."):  # ids and "..." vary
                    assert answer[key] == value, (command, key, answer[key])
            seen.update(answer)
    thread = answer
    assert [c["body"] for c in thread["items"]] == ["Great piece, thanks."]


def test_the_readme_akismet_client_example_runs_against_the_service(app, make):
    site, _ = make.site(origins=["https://news.example"])
    key = make.server_key(site.id)
    with live_server(app) as url:
        names = run_readme_block(
            "python",
            "akismet.SyncClient",
            {"https://moderation.example.org": url, "3f9a0c7e21b4": key},
        )
        client = names["client"]
        assert (
            client.comment_check(
                user_ip="203.0.113.7", comment_content="Thanks, useful.", comment_type="comment"
            )
            == names["akismet"].CheckResponse.HAM
        )
        assert client.usage_limit()["limit"] is None


def test_the_readme_perspective_client_example_runs_against_the_service(app, client, make, worker):
    site, _ = make.site(origins=["https://news.example"])
    key = make.server_key(site.id)
    wait_until(lambda: client.get("/readyz").status_code == 200, timeout=60)
    with live_server(app) as url:
        names = run_readme_block(
            "python", "PerspectiveAPI", {"https://moderation.example.org": url, "3f9a0c7e21b4": key}
        )
        scores = names["client"].score("You are an idiot", tests=["TOXICITY"])
    assert 0.0 <= scores["TOXICITY"] <= 1.0


def test_the_readme_perspective_curl_example_runs_against_the_service(app, client, make, worker):
    site, _ = make.site(origins=["https://news.example"])
    key = make.server_key(site.id)
    wait_until(lambda: client.get("/readyz").status_code == 200, timeout=60)
    command = readme_block("sh", "comments:analyze?key=")
    with live_server(app) as url:
        command = command.replace("https://moderation.example.org", url).replace(
            "3f9a0c7e21b4", key
        )
        result = subprocess.run(["bash", "-c", command], capture_output=True, text=True, timeout=60)
    answer = json.loads(result.stdout)
    # INSULT asks for scoreThreshold 0.5: Google leaves an attribute out below its threshold.
    insult = answer["attributeScores"].get("INSULT")
    assert "TOXICITY" in answer["attributeScores"], answer
    assert insult is None or insult["summaryScore"]["value"] >= 0.5, answer
    toxicity = answer["attributeScores"]["TOXICITY"]
    assert 0.0 <= toxicity["summaryScore"]["value"] <= 1.0
    assert toxicity["spanScores"], "spanAnnotations asks for sentence spans"
    assert answer["languages"] == ["en"]


def test_every_path_the_code_map_names_exists():
    text = README.read_text()
    section = text[text.index("## Code map") : text.index("## Benchmarks")]
    paths = set(re.findall(r"`((?:service|workers|tests|bench|deploy)/[\w./-]*)`", section))
    assert len(paths) > 30, "the Code map lost its paths"
    root = README.parent
    missing = sorted(p for p in paths if not (root / p).exists())
    assert not missing, f"the Code map names paths that are not in the tree: {missing}"
