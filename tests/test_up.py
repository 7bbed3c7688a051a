"""`modctl up` on embedded defaults: its own Redis when none answers, migrations, API, worker."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method, url, body=None, headers=None):
    request = urllib.request.Request(
        url, method=method, headers=headers or {}, data=json.dumps(body).encode() if body else None
    )
    if body:
        request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, json.loads(response.read())


def test_modctl_up_runs_everything_with_no_redis_and_no_configuration(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DATA_DIR": str(tmp_path),
        "DATABASE_URL": "",
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there: the embedded one starts
        "TOXICITY_MODEL": "offline",
        "SWEEP_INTERVAL_S": "2",
        "PYTHONUNBUFFERED": "1",
    }
    log = open(tmp_path / "up.log", "w+")
    modctl = str(Path(sys.executable).parent / "modctl")
    proc = subprocess.Popen(
        [modctl, "up", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 120
        output = ""
        while "Ctrl-C stops everything." not in output:
            assert proc.poll() is None and time.monotonic() < deadline, output[-3000:]
            time.sleep(0.5)
            output = (tmp_path / "up.log").read_text()
        assert "started an embedded redis-server" in output
        assert f"Demo article page: http://127.0.0.1:{port}/demo/article" in output
        assert f"Review page:       http://127.0.0.1:{port}/moderate" in output
        keys = json.loads(
            output[
                output.index("{", output.index("shown once")) : output.index(
                    "}", output.index("shown once")
                )
                + 1
            ]
        )
        base = f"http://127.0.0.1:{port}"
        while True:  # gunicorn and the worker are still starting
            try:
                status, ready = http("GET", f"{base}/readyz")
                if ready["checks"]["workers"]["ok"]:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "up.log").read_text()[-3000:]
            time.sleep(0.5)
        status, accepted = http(
            "POST",
            f"{base}/v1/articles/demo-1/comments",
            {
                "author_name": "Ann",
                "author_email": "ann@mail.example",
                "body": "Thank you for this article.",
            },
            {"X-Site-Key": keys["site_key"]},
        )
        assert status == 202
        url = f"{base}/v1/comments/{accepted['id']}/status"
        token = {"X-Status-Token": accepted["status_token"]}
        while http("GET", url, headers=token)[1]["status"] == "pending":
            assert time.monotonic() < deadline
            time.sleep(0.3)
        assert http("GET", url, headers=token)[1]["status"] in ("approved", "held")
        # The printed server key is the demo site's Akismet key, as WordPress would store it.
        assert re.fullmatch(r"[0-9a-f]{12}", keys["server_key"])
        verify = urllib.request.Request(
            f"{base}/1.1/verify-key",
            method="POST",
            data=urlencode({"key": keys["server_key"], "blog": base}).encode(),
        )
        with urllib.request.urlopen(verify, timeout=10) as response:
            assert response.read() == b"valid"
        assert (tmp_path / "moderation.db").exists()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=40)
        except subprocess.TimeoutExpired:
            proc.kill()
    assert proc.returncode == 0, (tmp_path / "up.log").read_text()[-3000:]
