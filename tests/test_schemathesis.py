"""Hostile and random input from the OpenAPI document itself (schemathesis), bounded in time:
no 5xx, and every answer matches what the document says about it. One test fuzzes each
operation alone; the stateful one follows the document's links (submit -> status, thread,
flag, review -> decide, claim, history, feedback, erase; site -> keys, webhooks) with every
kind of credential."""

import pytest
import redis
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings, strategies
from hypothesis.stateful import Bundle, initialize
from schemathesis.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.generation.stateful.state_machine import StepInput

from tests.conftest import REDIS_URL, WORKER_STARTED, empty_tables

ORIGIN = "https://fuzz.example"
EXAMPLES_PER_OPERATION = 30


@schemathesis.check
def no_server_error(ctx, response, case):
    """Fail on any 5xx, except a documented 503 with Retry-After (a dependency is down)."""
    documented = case.operation.definition.raw.get("responses", {})
    if response.status_code == 503 and "503" in documented and "Retry-After" in response.headers:
        return None
    if response.status_code >= 500:
        raise AssertionError(
            f"{response.status_code} from {case.method} {case.formatted_path}: "
            f"{response.text[:300]}"
        )
    return None


@pytest.fixture
def credentials(app, make, monkeypatch):
    """Every kind of credential for one site, and rate limits out of the fuzzer's way."""
    for name in (
        "RATE_LIMIT_INTAKE_PER_IP",
        "RATE_LIMIT_INTAKE_PER_KEY",
        "RATE_LIMIT_COMPAT_PER_IP",
        "RATE_LIMIT_COMPAT_PER_KEY",
    ):
        monkeypatch.setitem(app.config, name, "100000/second")
    return new_credentials(make)


def new_credentials(make) -> dict:
    site, key = make.site(origins=[ORIGIN])
    return {
        "site_key": key,
        "server_key": make.server_key(site.id),
        "moderator": make.token("moderator"),
        "admin": make.token("admin"),
    }


def authenticate(case, credentials) -> dict:
    """Put the credential each operation is for where it expects it; return the headers.

    The public site key for intake and the thread, the secret server key for the Akismet and
    Perspective APIs, a moderator token for the review API and an admin token for the rest."""
    schemes = {name for req in case.operation.definition.raw.get("security") or [] for name in req}
    headers = {}
    if "siteKey" in schemes:
        headers["X-Site-Key"] = credentials["site_key"]
    if "bearer" in schemes:
        role = "moderator" if case.operation.path.startswith("/v1/moderation/") else "admin"
        headers["Authorization"] = f"Bearer {credentials[role]}"
    if case.query is not None and "key" in case.query:  # Perspective-compatible
        case.query["key"] = credentials["server_key"]
    if isinstance(case.body, dict) and "api_key" in case.body:  # Akismet-compatible
        case.body.update(api_key=credentials["server_key"], blog=ORIGIN)
    return headers


CHECKS = [
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


def operations(app) -> list:
    """Every documented operation, except readyz (503 by design when a dependency is missing;
    tests/test_health.py covers it)."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    return [
        op for op in (result.ok() for result in schema.get_all_operations()) if op.path != "/readyz"
    ]


def test_the_api_survives_its_own_document(app, db, credentials):
    # One hypothesis run per operation, so one failing operation does not hide the others.
    # (schemathesis' pytest plugin does not run under pytest 9 yet, hence the plain loop.)
    failures = []
    for operation in operations(app):

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            phases=[Phase.explicit, Phase.generate],
            database=None,
        )
        def fuzz(case):
            try:
                case.call_and_validate(
                    headers=authenticate(case, credentials), checks=[no_server_error, *CHECKS]
                )
            finally:
                # Requests share the test's app context (and session): a request that failed
                # must not leave an aborted transaction to the next one.
                db.session.rollback()

        try:
            fuzz()
        except (Exception, FailureGroup) as exc:  # collect every operation's failures
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:800])
    assert not failures, "\n\n".join(failures)


@pytest.mark.before_worker
def test_the_api_holds_its_document_along_its_links(app, db, make, credentials, monkeypatch):
    # A replayed walk must get the same answers: no worker may classify its comments meanwhile
    # (the session worker's sweeper would, at a time of its own).
    assert not WORKER_STARTED, "the walk ran after the session worker started"
    # The operations the links join (the test above fuzzes every operation alone).
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app).include(
        path_regex=r"^/v1/(articles/\{article_id\}/comments|comments/|moderation/comments/"
        r"|admin/privacy/erase|admin/sites(/\{site_id\}(/articles|/server-keys|/webhooks)?)?$"
        r"|admin/keys/)"
    )
    assert schema.statistic.transitions.total >= 15, "the document lost its links"
    # Replays must draw the same way (Hypothesis refuses a walk whose draws change on replay):
    # valid input only (the test above sends the invalid), no link calibration across walks.
    schema.config.generation.modes = [GenerationMode.POSITIVE]
    schema.config.phases.stateful.link_calibration = False
    # schemathesis decides whether a step uses a link's value with a random coin Hypothesis does
    # not record (for APIs whose state survives a walk); each walk here starts from an empty
    # service, so the coin can be Hypothesis' own and replays stay the same.
    own_randoms = strategies.randoms
    monkeypatch.setattr(
        strategies, "randoms", lambda **kwargs: own_randoms(**{**kwargs, "use_true_random": False})
    )
    followed: set[str] = set()

    intake = schema["/v1/articles/{article_id}/comments"]["POST"]

    class Walk(schema.as_state_machine()):
        # Random intake bodies are almost all refused (and schemathesis does not start a walk
        # from an operation taking a parent id nothing produces): each walk starts with one
        # comment a reader could send, and the links go on from its answer.
        @initialize(target=Bundle("catch_all"))
        def a_reader_comments(self):
            first = StepInput.initial(
                intake.Case(
                    path_parameters={"article_id": "a-1"},
                    media_type="application/json",
                    body={
                        "author_name": "Reader",
                        "author_email": "reader@mail.example",
                        "body": "A reader's first comment.",
                    },
                )
            )
            self.recorder.record_case(case=first.case)  # as schemathesis' own steps do
            self.control.record_step(first, self.recorder)
            return self.step(first)

        def setup(self):
            # Each walk starts from an empty service, so that the same steps get the same
            # answers when Hypothesis replays them (a repeated comment would be a 409 duplicate).
            db.session.rollback()
            db.session.expunge_all()  # the rows are about to go: forget the objects too
            empty_tables()
            redis.Redis.from_url(REDIS_URL).flushdb()
            credentials.update(new_credentials(make))

        def before_call(self, case):
            # Over any credential the generator drew for the operation.
            case.headers = {**(case.headers or {}), **authenticate(case, credentials)}

        def validate_response(self, response, case, **kwargs):
            followed.add(f"{case.method} {case.path} {response.status_code}")
            try:
                case.validate_response(response, checks=[no_server_error, *CHECKS])
            finally:
                db.session.rollback()  # as above: no aborted transaction left to the next call

    Walk.run(
        settings=settings(
            max_examples=60,
            stateful_step_count=10,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
            # No shrinking: a failing walk is reported as found. Shrinking replays walks,
            # each from an emptied database, which on PostgreSQL outlasts the test's timeout.
            phases=[Phase.explicit, Phase.generate],
        )
    )
    # The walk went beyond the first calls: submitted comments were read back by their
    # author, reviewed, claimed and decided.
    assert {
        "GET /v1/comments/{comment_id}/status 200",
        "GET /v1/moderation/comments/{comment_id} 200",
        "POST /v1/moderation/comments/{comment_id}/claim 200",
        "POST /v1/moderation/comments/{comment_id}/decision 200",
    } <= followed, sorted(followed)
