"""Every endpoint of the OpenAPI document x every kind of caller -> the expected answer.

Endpoints come from /openapi.json, so a new one is covered as soon as it is documented (and
this test fails until it has an example body, if it takes one). Each call acts on site A's
objects, from site A's origin. Callers: nobody, site A's public key, site B's, site A's secret
server key, site B's, a moderator of site B, an admin scoped to site B, a moderator of site A,
an admin. Each credential goes where the endpoint expects one: X-Site-Key, a Bearer token, or
(Perspective/Akismet-compatible) the `key`/`api_key` parameter; those answer refusals in their
own shapes and are judged as a class.
Calls guarded by a site key or a Bearer token are made again with invalid input: a caller who
may not make them is refused the same way (the refusal comes before validation), one who may
hears it is invalid.
"""

import uuid

import pytest
from sqlalchemy import update

from service.api.comments import hash_token
from service.auth import create_key, create_server_key
from service.models import (
    ApiKey,
    Appeal,
    Article,
    Comment,
    Role,
    ShadowPolicy,
    Status,
    WebhookDelivery,
    WebhookSubscription,
)
from tests.conftest import wait_until

ORIGIN_A, ORIGIN_B = "https://a.example", "https://b.example"
CALLERS = (
    "nobody",
    "site_key",
    "other_site_key",
    "server_key",
    "other_site_server_key",
    "other_site_moderator",
    "other_site_admin",
    "moderator",
    "admin",
)

OK, UNAUTHENTICATED, FORBIDDEN, REFUSED, PUBLIC = "ok", "401", "403", "refused", "public"
INVALID = "invalid"  # 400 or 422
# What each kind of endpoint answers each caller.
EXPECTED = {
    "site": {
        "nobody": UNAUTHENTICATED,
        "site_key": OK,
        "other_site_key": FORBIDDEN,
        "server_key": UNAUTHENTICATED,
        "other_site_server_key": UNAUTHENTICATED,
        "other_site_moderator": UNAUTHENTICATED,
        "other_site_admin": UNAUTHENTICATED,
        "moderator": UNAUTHENTICATED,
        "admin": UNAUTHENTICATED,
    },
    "moderation": {
        "nobody": UNAUTHENTICATED,
        "site_key": UNAUTHENTICATED,
        "other_site_key": UNAUTHENTICATED,
        "server_key": UNAUTHENTICATED,
        "other_site_server_key": UNAUTHENTICATED,
        "other_site_moderator": FORBIDDEN,
        "other_site_admin": FORBIDDEN,
        "moderator": OK,
        "admin": OK,
    },
    "admin": {
        "nobody": UNAUTHENTICATED,
        "site_key": UNAUTHENTICATED,
        "other_site_key": UNAUTHENTICATED,
        "server_key": UNAUTHENTICATED,
        "other_site_server_key": UNAUTHENTICATED,
        "other_site_moderator": FORBIDDEN,
        "other_site_admin": FORBIDDEN,
        "moderator": FORBIDDEN,
        "admin": OK,
    },
    # Server-to-server: the public site key, in every article page, is refused.
    "compatible": {
        "nobody": REFUSED,
        "site_key": REFUSED,
        "other_site_key": REFUSED,
        "server_key": OK,
        "other_site_server_key": REFUSED,
        "other_site_moderator": REFUSED,
        "other_site_admin": REFUSED,
        "moderator": REFUSED,
        "admin": REFUSED,
    },
    "public": dict.fromkeys(CALLERS, PUBLIC),
}


def akismet_form(world):
    return {
        "blog": ORIGIN_A,
        "user_ip": "10.9.9.9",
        "comment_content": "A kind word.",
        "comment_author": "Reader",
        "is_test": "1",
    }


def reported_comment(world):
    """Dismiss the reports of the call's comment, which a reader has reported."""
    from service.extensions import db

    world["comment"].reported = True
    db.session.commit()
    return {"action": "dismiss", "version": world["comment"].version}


# Request bodies by operation; an operation that takes a body and has none here fails the test.
BODIES = {
    ("post", "/v1/articles/{article_id}/comments"): lambda w: {
        "author_name": "Reader",
        "author_email": f"{uuid.uuid4().hex[:8]}@mail.example",
        "body": f"A comment {uuid.uuid4().hex}.",
    },
    ("post", "/v1/comments/{comment_id}/flags"): lambda w: {"reason": "spam"},
    ("post", "/v1/moderation/comments/{comment_id}/decision"): lambda w: {
        "action": "approve",
        "version": w["comment"].version,
    },
    ("post", "/v1/moderation/decisions"): lambda w: {
        "action": "approve",
        "items": [{"id": w["comment"].id, "version": w["comment"].version}],
    },
    ("post", "/v1/moderation/comments/{comment_id}/spam-feedback"): lambda w: {"is_spam": False},
    ("post", "/v1/moderation/appeals/{appeal_id}/decision"): lambda w: {"outcome": "upheld"},
    ("post", "/v1/comments/{comment_id}/appeal"): lambda w: {"note": "Please look again."},
    ("post", "/v1/moderation/comments/{comment_id}/reports"): reported_comment,
    ("post", "/v1/moderation/comments/{comment_id}/author/standing"): lambda w: {
        "standing": "trusted"
    },
    ("post", "/v1/moderation/comments/{comment_id}/author/notes"): lambda w: {"note": "n"},
    ("post", "/v1/admin/sites"): lambda w: {"name": "New", "origins": ["https://new.example"]},
    ("patch", "/v1/admin/sites/{site_id}"): lambda w: {"name": "Renamed"},
    ("post", "/v1/admin/sites/{site_id}/articles"): lambda w: {"external_id": "a-2"},
    ("patch", "/v1/admin/sites/{site_id}/articles/{external_id}"): lambda w: {"title": "T"},
    ("post", "/v1/admin/tokens"): lambda w: {"role": "moderator"},
    ("post", "/v1/admin/sites/{site_id}/server-keys"): lambda w: {"name": f"s-{uuid.uuid4().hex}"},
    ("post", "/v1/admin/sites/{site_id}/webhooks"): lambda w: {
        "url": "http://127.0.0.1:9/hook",
        "events": ["comment.held"],
    },
    ("patch", "/v1/admin/sites/{site_id}/webhooks/{webhook_id}"): lambda w: {"description": "d"},
    ("post", "/v1/admin/sites/{site_id}/threshold-suggestion"): lambda w: {"days": 30},
    ("post", "/v1/admin/sites/{site_id}/shadow-policies"): lambda w: {
        "settings": {"trust_after": 5}
    },
    ("post", "/v1/admin/privacy/export"): lambda w: {"email": "someone@mail.example"},
    ("post", "/v1/admin/privacy/erase"): lambda w: {
        "email": "someone@mail.example",
        "dry_run": True,
    },
    ("post", "/v1alpha1/comments:analyze"): lambda w: {
        "comment": {"text": "thanks for the article"},
        "requestedAttributes": {"TOXICITY": {}},
    },
    ("post", "/v1alpha1/comments:suggestscore"): lambda w: {
        "comment": {"text": "thanks"},
        "attributeScores": {"TOXICITY": {"summaryScore": {"value": 0.1}}},
    },
    ("post", "/1.1/verify-key"): akismet_form,
    ("post", "/1.1/comment-check"): akismet_form,
    ("post", "/1.1/submit-spam"): akismet_form,
    ("post", "/1.1/submit-ham"): akismet_form,
    ("post", "/1.1/get-subscription"): akismet_form,
    ("post", "/1.1/get-stats"): akismet_form,
    ("post", "/1.1/verify-wpcom-key"): akismet_form,
    ("post", "/1.1/deactivate"): akismet_form,
    ("patch", "/v1/admin/keys/{key_id}"): lambda w: {"browser_origins": [ORIGIN_A]},
}


@pytest.fixture
def world(make, db):
    site_a, key_a = make.site(name="A", origins=[ORIGIN_A])
    site_b, key_b = make.site(name="B", origins=[ORIGIN_B])
    db.session.add(Article(site_id=site_a.id, external_id="a-1"))
    server_key = make.server_key(site_a.id)
    # Every call here sends Origin (a browser's): site A's server key lists it, B's does not.
    db.session.execute(
        update(ApiKey)
        .where(ApiKey.site_id == site_a.id, ApiKey.role == Role.SERVER)
        .values(browser_origins=[ORIGIN_A])
    )
    db.session.commit()
    return {
        "site": site_a,
        "nobody": "",
        "site_key": key_a,
        "other_site_key": key_b,
        "server_key": server_key,
        "other_site_server_key": make.server_key(site_b.id),
        "other_site_moderator": make.token("moderator", site_id=site_b.id),
        "other_site_admin": make.token("admin", site_id=site_b.id),
        "moderator": make.token("moderator", site_id=site_a.id),
        "admin": make.token("admin"),
    }


def operations(client) -> list[tuple[str, str, dict]]:
    """Return (method, path, operation) for every operation, with its path's parameters."""
    document = client.get("/openapi.json").get_json()
    return [
        (method, path, {**op, "parameters": item.get("parameters", []) + op.get("parameters", [])})
        for path, item in document["paths"].items()
        for method, op in item.items()
        if method in ("get", "post", "put", "patch", "delete")
    ]


def parameters(op: dict) -> dict[str, str]:
    return {p["name"]: p["in"] for p in op.get("parameters", [])}


def kind(path: str, op: dict) -> str:
    params = parameters(op)
    form = op.get("requestBody", {}).get("content", {}).get("application/x-www-form-urlencoded")
    if "key" in params or (form and "/1.1/" in path):
        return "compatible"
    if {} in (op.get("security") or []):
        return "public"  # the credential is optional (/metrics while METRICS_TOKEN is unset)
    schemes = {name for requirement in op.get("security") or [] for name in requirement}
    if "siteKey" in schemes:
        return "site"
    if "bearer" in schemes:
        return "admin" if path.startswith("/v1/admin/") else "moderation"
    return "public"


def acts_on_a_site(path: str, op: dict) -> bool:
    """Whether the call names site A's objects (a comment, the site, comment ids, bulk items)."""
    return bool(
        {"comment_id", "site_id", "ids", "appeal_id"} & set(parameters(op))
    ) or path.endswith("/decisions")


def bad_query(op: dict) -> dict[str, str]:
    """Return invalid values for the typed query parameters a call leaves out."""
    bad = {}
    for p in op.get("parameters", []):
        schema = p.get("schema", {})
        typed = "enum" in schema or schema.get("type") in ("integer", "number", "boolean")
        if p["in"] == "query" and typed and p["name"] not in ("site_id", "token"):
            bad[p["name"]] = "nonsense"
    return bad


def fresh_comment(db, world, status=Status.HELD) -> Comment:
    """A comment of site A for one call (calls change comments, so each gets its own)."""
    site = world["site"]
    article = db.session.scalar(db.select(Article).where(Article.site_id == site.id))
    token = uuid.uuid4().hex
    comment = Comment(
        site_id=site.id,
        article_id=article.id,
        body="Something to review.",
        author_name="Reader",
        author_email="reader@mail.example",
        status=status,
        status_token_hash=hash_token(token),
    )
    db.session.add(comment)
    db.session.commit()
    world["comment"], world["status_token"] = comment, token
    return comment


def fresh_webhook(db, world) -> tuple[int, int]:
    """A webhook subscription of site A with one logged delivery; return their ids."""
    hook = WebhookSubscription(
        site_id=world["site"].id,
        url="http://127.0.0.1:9/hook",
        events=["comment.held"],
        secret_salt=uuid.uuid4().hex,
    )
    db.session.add(hook)
    db.session.flush()
    delivery = WebhookDelivery(
        subscription_id=hook.id, event="comment.held", event_id="evt_1", payload={}, status="failed"
    )
    db.session.add(delivery)
    db.session.commit()
    return hook.id, delivery.id


def fresh_appeal(db, comment: Comment) -> int:
    """An open appeal of comment (an automated hold, so any moderator may decide it)."""
    appeal = Appeal(
        site_id=comment.site_id,
        comment_id=comment.id,
        note="Please look again.",
        appealed_status=comment.status,
    )
    db.session.add(appeal)
    db.session.commit()
    return appeal.id


def call(client, db, world, caller: str, method: str, path: str, op: dict, invalid: bool = False):
    """Make the request as caller, on site A's objects; return the response."""
    endpoint_kind = kind(path, op)
    credential = world[caller]
    comment = fresh_comment(
        db, world, Status.APPROVED if endpoint_kind in ("site", "public") else Status.HELD
    )
    key_id = None
    if "{key_id}" in path:
        # PATCH sets a server key's browser origins; DELETE revokes any key.
        key, _ = (
            create_server_key(world["site"].id)
            if method == "patch"
            else create_key(Role.SITE, world["site"].id)
        )
        db.session.commit()
        key_id = key.id
    webhook_id, delivery_id = fresh_webhook(db, world) if "{webhook_id}" in path else (None, None)
    appeal_id = fresh_appeal(db, comment) if "{appeal_id}" in path else None
    policy_id = None
    if "/shadow-policies" in path:
        # One candidate runs per site: end the last call's, start one for this call to act on.
        db.session.execute(
            db.update(ShadowPolicy)
            .where(ShadowPolicy.site_id == world["site"].id)
            .values(status="stopped")
        )
        if "{policy_id}" in path:
            policy = ShadowPolicy(
                site_id=world["site"].id, settings={"trust_after": 5}, started_by="matrix"
            )
            db.session.add(policy)
            db.session.flush()
            policy_id = policy.id
        db.session.commit()
    values = {
        "article_id": "a-1",
        "external_id": "a-1",
        "site_id": world["site"].id,
        "comment_id": comment.id,
        "key_id": key_id,
        "webhook_id": webhook_id,
        "delivery_id": delivery_id,
        "policy_id": policy_id,
        "appeal_id": appeal_id,
    }
    url = path.format(
        **{name: values[name] for name in parameters(op) if parameters(op)[name] == "path"}
    )
    query = {}
    if parameters(op).get("site_id") == "query":
        query["site_id"] = world["site"].id
    if parameters(op).get("token") == "query":
        query["token"] = world["status_token"]
    if parameters(op).get("ids") == "query":
        query["ids"] = comment.id
    headers = {"Origin": ORIGIN_A}
    body_factory = BODIES.get((method, path))
    if op.get("requestBody", {}).get("required") and body_factory is None:
        pytest.fail(f"add an example body for {method.upper()} {path} to BODIES")
    body = body_factory(world) if body_factory else None
    if invalid:  # an unknown field, nonsense query values; still naming site A's objects
        if not isinstance(body, dict) and not bad_query(op):
            return None
        body = {**body, "not_a_field": True} if isinstance(body, dict) else body
        query.update(bad_query(op))
    if endpoint_kind == "site" and credential:
        headers["X-Site-Key"] = credential
    elif endpoint_kind in ("moderation", "admin") and credential:
        headers["Authorization"] = f"Bearer {credential}"
    elif endpoint_kind == "compatible" and credential:
        if isinstance(body, dict) and "blog" in body:
            body = {**body, "api_key": credential}
        else:
            query["key"] = credential
    environ = {"REMOTE_ADDR": f"10.77.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250 + 1}"}
    form = "application/x-www-form-urlencoded" in op.get("requestBody", {}).get("content", {})
    send = {"data": body} if form and "/1.1/" in path else {"json": body}
    return getattr(client, method)(
        url,
        query_string=query,
        headers=headers,
        environ_base=environ,
        **(send if body is not None else {}),
    )


def outcome(path: str, op: dict, response) -> str:
    """Say what the answer means: ok, 401, 403, refused (compatible APIs) or its status."""
    status = response.status_code
    if kind(path, op) == "compatible":
        if status in (400, 401, 403) or response.get_data(as_text=True).strip() == "invalid":
            return REFUSED
        return OK if status == 200 else str(status)
    if status in (401, 403):
        return str(status)
    if status in (400, 422):
        return INVALID
    if path.endswith("/threshold-suggestion") and status == 409:
        return OK  # past the guards: the new site has too few decisions to suggest from
    if path == "/v1/moderation/decisions" and status == 200:
        # Bulk decisions answer 200 with a result per item.
        codes = {r["code"] for r in response.get_json()["results"]}
        return OK if codes == {200} else str(codes)
    return OK if status < 400 else str(status)


@pytest.mark.parametrize("caller", CALLERS)
def test_every_endpoint_answers_each_caller_as_expected(client, db, world, worker, caller):
    if caller == "server_key":  # the compatible scoring endpoint needs a worker's published model
        wait_until(lambda: client.get("/readyz").status_code == 200, timeout=30)
    wrong = []
    for method, path, op in operations(client):
        response = call(client, db, world, caller, method, path, op)
        expected = EXPECTED[kind(path, op)][caller]
        if (
            caller in ("other_site_moderator", "other_site_admin")
            and kind(path, op) == "moderation"
            and not acts_on_a_site(path, op)
        ):
            expected = OK  # e.g. "who am I": nothing of site A is involved
        if caller == "other_site_admin" and (
            (method, path) == ("get", "/v1/admin/sites") or path.startswith("/v1/admin/privacy/")
        ):
            expected = OK  # on its own site's data only (test_admin, test_privacy check that)
        got = outcome(path, op, response)
        if expected == PUBLIC:
            if got in (UNAUTHENTICATED, FORBIDDEN):
                wrong.append(f"{method.upper()} {path}: public, but {got}")
        elif got != expected:
            wrong.append(
                f"{method.upper()} {path}: expected {expected}, got {got} "
                f"({response.get_data(as_text=True)[:160]})"
            )
        if kind(path, op) not in ("site", "moderation", "admin"):
            continue
        response = call(client, db, world, caller, method, path, op, invalid=True)
        if response is None:
            continue
        expected = INVALID if expected == OK else expected
        got = outcome(path, op, response)
        if got != expected:
            wrong.append(
                f"{method.upper()} {path} with invalid input: expected {expected}, "
                f"got {got} ({response.get_data(as_text=True)[:160]})"
            )
    assert not wrong, "\n".join(wrong)


MALFORMED = {"data": "{", "content_type": "application/json"}
# Invalid input that still names site A's objects: (method, path, request arguments).
BAD_INPUT = {
    "decision, malformed JSON": lambda w: (
        "post",
        f"/v1/moderation/comments/{w['comment'].id}/decision",
        MALFORMED,
    ),
    "decision, unknown action": lambda w: (
        "post",
        f"/v1/moderation/comments/{w['comment'].id}/decision",
        {"json": {"action": "nuke", "version": 0}},
    ),
    "bulk decision, unknown action": lambda w: (
        "post",
        "/v1/moderation/decisions",
        {"json": {"action": "nuke", "items": [{"id": w["comment"].id, "version": 1}]}},
    ),
    "bulk decision, item without a version": lambda w: (
        "post",
        "/v1/moderation/decisions",
        {"json": {"action": "approve", "items": [{"id": w["comment"].id}]}},
    ),
    "queue, unknown queue": lambda w: (
        "get",
        "/v1/moderation/queue",
        {"query_string": {"queue": "nonsense", "site_id": w["site"].id}},
    ),
    "spam feedback, not a boolean": lambda w: (
        "post",
        f"/v1/moderation/comments/{w['comment'].id}/spam-feedback",
        {"json": {"is_spam": "perhaps"}},
    ),
    "new site, malformed JSON": lambda w: ("post", "/v1/admin/sites", MALFORMED),
    "new site, no origins": lambda w: ("post", "/v1/admin/sites", {"json": {"name": ""}}),
    "new token, unknown role": lambda w: (
        "post",
        "/v1/admin/tokens",
        {"json": {"role": "owner", "site_id": w["site"].id}},
    ),
}


@pytest.mark.parametrize(
    "caller, statuses",
    [
        ("nobody", {401}),
        ("other_site_moderator", {403}),
        ("other_site_admin", {403}),
        ("allowed", {400, 422}),
    ],
)
@pytest.mark.parametrize("case", BAD_INPUT)
def test_a_caller_is_refused_before_their_input_is_validated(
    client, db, world, case, caller, statuses
):
    fresh_comment(db, world)
    method, path, arguments = BAD_INPUT[case](world)
    if caller == "allowed":
        caller = "admin" if path.startswith("/v1/admin/") else "moderator"
    headers = {"Authorization": f"Bearer {world[caller]}"} if world[caller] else {}
    response = getattr(client, method)(path, headers=headers, **arguments)
    assert response.status_code in statuses, response.get_json()


def test_the_matrix_covers_every_documented_operation(client):
    ops = operations(client)
    assert len(ops) >= 30
    assert {kind(path, op) for _, path, op in ops} == set(EXPECTED)


def test_another_sites_key_never_reads_this_sites_comments(client, db, make):
    site_a, key_a = make.site(name="A", origins=[ORIGIN_A])
    _, key_b = make.site(name="B", origins=[ORIGIN_B])
    world = {"site": site_a}
    db.session.add(Article(site_id=site_a.id, external_id="a-1"))
    db.session.commit()
    comment = fresh_comment(db, world, Status.APPROVED)
    # Without an Origin (a script, not a browser): site B's key sees site B's namespace only.
    thread = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": key_b})
    assert thread.status_code == 200 and "Something to review." not in thread.get_data(as_text=True)
    flag = client.post(
        f"/v1/comments/{comment.id}/flags", json={"reason": "spam"}, headers={"X-Site-Key": key_b}
    )
    assert flag.status_code == 404
    own = client.get("/v1/articles/a-1/comments", headers={"X-Site-Key": key_a})
    assert "Something to review." in own.get_data(as_text=True)
