"""Fixtures: the app on a migrated database, a real Redis, a real Celery worker, factories.

The suite runs on SQLite by default and on PostgreSQL when DATABASE_URL points at one.
"""

import os
import subprocess
import time
import uuid
from pathlib import Path

import pytest
import redis
from sqlalchemy import create_engine, text

from service import create_app
from service.cli import worker_command
from service.extensions import db as _db
from service.models import Role
from tests.support import die_with_parent, stop

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# An app built in-process by a test (CLI runner, create_app) binds the shared Celery app to
# REDIS_URL: keep it the test Redis, or later sends would miss the test worker.
os.environ["REDIS_URL"] = REDIS_URL
HINT_REDIS = (
    "start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 "
    "--save '' --appendonly no"
)
HINT_PG = "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def pytest_sessionfinish(session, exitstatus):
    """Fail the run when a response the suite saw is not in the OpenAPI document."""
    from tests.support.openapi_seen import undocumented

    missing = undocumented(SEEN_RESPONSES, DOCUMENT) if DOCUMENT else []
    if missing:
        print("\nResponses the suite saw that the OpenAPI document does not list:")
        for line in missing:
            print(f"  {line}")
        if exitstatus == 0:
            session.exitstatus = 1


def pytest_collection_modifyitems(items):
    """Tests marked `before_worker` run first, before any test starts the session's worker."""
    items.sort(key=lambda item: item.get_closest_marker("before_worker") is None)


WORKER_STARTED: list[str] = []  # the session worker's name, once a test has started it


def pytest_sessionstart(session):
    """Say clearly, once, when a service the tests need is missing."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        pytest.exit(f"Redis is not reachable at {REDIS_URL} ({exc}); {HINT_REDIS}", returncode=3)
    if DATABASE_URL.startswith("postgres"):
        try:
            with create_engine(DATABASE_URL).connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:
            pytest.exit(
                f"PostgreSQL is not reachable at {DATABASE_URL} ({exc}); {HINT_PG}", returncode=3
            )


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    """A tiny Detoxify-format checkpoint and its HF config directory, built here."""
    from service.testing.tiny_detoxify import build_tiny_checkpoint

    return build_tiny_checkpoint(tmp_path_factory.mktemp("tiny-detoxify"))


@pytest.fixture(scope="session")
def base_config(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("data")
    return {
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": DATABASE_URL or f"sqlite:///{data_dir / 'test.db'}",
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": "test-secret-key",
        "TOXICITY_FAST_PATH": "off",
        "TOXICITY_FAST_CACHE_DIR": str(data_dir / "fast"),
        "CLASSIFY_FLUSH_INTERVAL_S": 0.1,
        "SWEEP_INTERVAL_S": 2,
        "SWEEP_PENDING_AFTER_S": 3,
        # The default (0.7 s, for Coral) is a production figure; on a loaded test machine the
        # first score calls would time out. Timeout tests set their own.
        "SCORE_TIMEOUT_S": 30,
        # Webhook subscribers in tests are servers on loopback; retries are quick.
        "WEBHOOK_ALLOW_PRIVATE": True,
        "WEBHOOK_RETRY_BASE_S": 0.05,
        "WEBHOOK_MAX_ATTEMPTS": 3,
        "WEBHOOK_DISABLE_AFTER": 2,
        # Longer than any wait in the tests: a hung subscriber stays hung, so work sharing a
        # process with its delivery would visibly stall.
        "WEBHOOK_TIMEOUT_S": 120,
    }


def _drop_everything(engine) -> None:
    """Empty the database, alembic's table included, so migrations run from scratch."""
    from sqlalchemy import MetaData

    metadata = MetaData()
    metadata.reflect(bind=engine)
    metadata.drop_all(bind=engine)


# Every (method, route, status) the suite's requests got from the session's app: each must be in
# the OpenAPI document (tests/support/openapi_seen.py checks them when the session ends).
SEEN_RESPONSES: set[tuple[str, str, int]] = set()
DOCUMENT: dict = {}


@pytest.fixture(scope="session")
def app(base_config):
    os.environ.update({"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})
    app = create_app(base_config)

    @app.after_request
    def remember_response(response):
        from flask import request

        if request.url_rule is not None:
            SEEN_RESPONSES.add((request.method, request.url_rule.rule, response.status_code))
        return response

    DOCUMENT.update(app.test_client().get("/openapi.json").get_json())
    SEEN_RESPONSES.clear()
    with app.app_context():
        from flask_migrate import upgrade

        _drop_everything(_db.engine)
        upgrade()
    return app


@pytest.fixture
def ctx(app):
    """An app context for the test, with every table emptied afterwards."""
    with app.app_context():
        yield app
        _db.session.rollback()
        _db.session.remove()
        empty_tables()
    redis.Redis.from_url(REDIS_URL).flushdb()


def empty_tables(attempts: int = 5) -> None:
    """Delete every row; the test worker may still be writing a decision meanwhile."""
    from sqlalchemy.exc import OperationalError

    tables = list(reversed(_db.metadata.sorted_tables))
    for attempt in range(attempts):
        try:
            with _db.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    names = ", ".join(t.name for t in tables)
                    connection.execute(text(f"TRUNCATE {names} CASCADE"))
                else:  # SQLite: the transaction locks the worker out meanwhile
                    for table in tables:
                        connection.execute(table.delete())
            return
        except OperationalError:
            # PostgreSQL broke a deadlock with the worker by aborting us: try again.
            if attempt == attempts - 1:
                raise
            time.sleep(0.2)


@pytest.fixture
def client(ctx):
    return ctx.test_client()


@pytest.fixture
def db(ctx):
    return _db


class Factory:
    """Make sites, tokens and comments the way an admin or a reader would."""

    def __init__(self, app, client):
        self.app, self.client = app, client

    def site(self, name="Daily News", origins=("https://news.example",), settings=None):
        from service.admin_ops import create_site

        site, key = create_site(name, list(origins), settings or {})
        return site, key

    def server_key(self, site_id, name=""):
        from service.admin_ops import issue_server_key

        return issue_server_key(site_id, name)[1]

    def token(self, role="moderator", site_id=None, name=None):
        from service.admin_ops import create_token

        _, token = create_token(Role(role), site_id, name or f"{role}-{uuid.uuid4().hex[:6]}")
        return token

    def post_comment(self, site_key, article="a-1", ip=None, headers=None, **fields):
        body = {
            "author_name": "Reader",
            "author_email": f"{uuid.uuid4().hex[:8]}@mail.example",
            "body": "A thoughtful comment about the article.",
        } | fields
        environ = {"REMOTE_ADDR": ip or f"10.1.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"}
        return self.client.post(
            f"/v1/articles/{article}/comments",
            json=body,
            headers={"X-Site-Key": site_key, **(headers or {})},
            environ_base=environ,
        )


@pytest.fixture
def make(ctx, client):
    return Factory(ctx, client)


@pytest.fixture(scope="session")
def worker(app, base_config, tiny_model, tmp_path_factory):
    """A real Celery worker process on the test database, the real Redis and a tiny model."""
    from service.extensions import celery

    checkpoint, hf_dir = tiny_model
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    log_path = Path(tmp_path_factory.mktemp("worker")) / "worker.log"
    env = {
        **os.environ,
        **{k: str(v) for k, v in base_config.items()},
        "TOXICITY_CHECKPOINT": str(checkpoint),
        "TOXICITY_HF_CONFIG": str(hf_dir),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "PYTHONUNBUFFERED": "1",
    }
    with open(log_path, "w") as log:
        proc = subprocess.Popen(
            worker_command(
                queues="classify,score,maintenance",
                beat=True,
                name=name,
                schedule=str(log_path.parent / "beat-schedule"),
            ),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=die_with_parent,
        )
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(
                    f"the worker exited ({proc.returncode}):\n{log_path.read_text()[-3000:]}"
                )
            if celery.control.ping(destination=[name], timeout=0.5):
                break
        else:
            pytest.fail(f"the worker did not answer in 90 s:\n{log_path.read_text()[-3000:]}")
    except BaseException:
        proc.kill()  # never leave a worker taking the next run's messages
        raise
    proc.log_path = log_path
    WORKER_STARTED.append(name)
    yield proc
    stop(proc)


@pytest.fixture
def browser(tmp_path):
    """A headless Debian Chromium, closed after the test (browser tests only)."""
    from tests.support.browser import start_chromium

    driver = start_chromium(tmp_path / "profile")
    yield driver
    driver.quit()


def wait_until(predicate, timeout=30.0, interval=0.1):
    """Poll until predicate() is truthy; return its value or fail with the timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not met within {timeout} s")
