"""modctl: run the service and administer sites and tokens from the command line."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import click
from flask.cli import FlaskGroup

from service import create_app
from service.models import Role, utc_iso
from service.queue import Queue
from service.webhooks import Event, Format

# What `modctl worker` consumes by default.
WORKER_QUEUES = ",".join((Queue.CLASSIFY, Queue.SCORE, Queue.MAINTENANCE))
# Webhook deliveries wait on other people's servers: a worker of their own, threads not processes.
WEBHOOK_QUEUES, WEBHOOK_THREADS = Queue.WEBHOOKS.value, 4


def emit(data: dict) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


@click.group(cls=FlaskGroup, create_app=create_app, add_default_commands=False)
def main():
    """Self-hosted comment moderation service."""


def worker_command(
    pool: str = "solo",
    beat: bool = False,
    queues: str = WORKER_QUEUES,
    concurrency: int | None = None,
    name: str | None = None,
    schedule: str | None = None,
) -> list[str]:
    """Return the command of a worker (with the beat scheduler when beat; its schedule file
    defaults to the data directory's)."""
    # solo: one process whose intra-op threads use every core; the model loads once at start.
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "workers.celery_app",
        "worker",
        f"--pool={pool}",
        "-Q",
        queues,
        "--loglevel=INFO",
    ]
    if concurrency:
        cmd.append(f"--concurrency={concurrency}")
    if name:
        cmd += ["-n", name]
    return cmd + ["-B", "-s", schedule or beat_schedule_file()] if beat else cmd


def beat_schedule_file() -> str:
    from flask import current_app

    return os.path.join(current_app.config["DATA_DIR"], "celerybeat-schedule")


def server_command(host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "service.wsgi:app",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        "--graceful-timeout",
        "10",
        "--config",
        "python:service.gunicorn_conf",
    ]


@main.command("migrate")
def migrate_command():
    """Apply the database migrations."""
    from flask_migrate import upgrade

    upgrade()
    click.echo("database is up to date")


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve(host, port, workers):
    """Serve the API with gunicorn."""
    os.execv(sys.executable, server_command(host, port, workers))


@main.command("worker")
@click.option("--pool", default="solo", show_default=True)
@click.option(
    "--queues",
    default=WORKER_QUEUES,
    show_default=True,
    help=f"Webhook deliveries: a worker of their own with --queues {WEBHOOK_QUEUES} "
    f"--pool threads --concurrency {WEBHOOK_THREADS}.",
)
@click.option("--concurrency", type=int, default=None, help="Threads or processes of the pool.")
@click.option("--beat/--no-beat", default=False, help="Also run the sweeper schedule.")
def worker(pool, queues, concurrency, beat):
    """Run a Celery worker (classify, score and maintenance queues)."""
    os.execv(sys.executable, worker_command(pool, beat, queues, concurrency))


@main.command("beat")
def beat():
    """Run the periodic sweeper schedule (Celery beat)."""
    os.execv(
        sys.executable,
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers.celery_app",
            "beat",
            "--loglevel=INFO",
            "-s",
            beat_schedule_file(),
        ],
    )


@main.command("up")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True)
@click.option("--workers", default=2, show_default=True, help="API processes.")
def up(host, port, workers):
    """Run everything on embedded defaults: migrations, Redis, API, worker and sweeper."""
    from flask import current_app
    from flask_migrate import upgrade

    from service.embedded import ensure_redis

    config = current_app.config
    redis_url, redis_server = ensure_redis(config["REDIS_URL"], config["DATA_DIR"])
    if redis_server is not None:
        click.echo(
            f"Redis at {config['REDIS_URL']} did not answer: started an embedded "
            f"redis-server at {redis_url}"
        )
    upgrade()
    base = f"http://{host}:{port}"
    demo = ensure_demo_site(base)

    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DATABASE_URL": config["DATABASE_URL"],
        "DATA_DIR": config["DATA_DIR"],
        "SECRET_KEY": config["SECRET_KEY"],
        "PROMETHEUS_MULTIPROC_DIR": fresh_metrics_dir(config["DATA_DIR"]),
    }
    children = [
        subprocess.Popen(server_command(host, port, workers), env=env),
        subprocess.Popen(worker_command(beat=True), env=env),
        subprocess.Popen(
            worker_command("threads", False, WEBHOOK_QUEUES, WEBHOOK_THREADS), env=env
        ),
    ]
    click.echo(f"\nAPI listening on {base}  (OpenAPI: {base}/openapi.json)")
    click.echo(f"Database: {config['DATABASE_URL']}   Redis: {redis_url}")
    click.echo(f"Demo article page: {base}/demo/article")
    click.echo(f"Review page:       {base}/moderate")
    if demo:
        click.echo("First run: a demo site was created. Keep these, they are shown once:")
        emit(demo)
    else:
        click.echo(
            "Keys are shown once at creation. New ones: `modctl token create --role "
            "moderator`, `modctl site create --name N --origin URL` and `modctl key "
            "create --site ID` (a server key for Akismet and Perspective calls)."
        )
    click.echo("Ctrl-C stops everything.")

    stopping = []

    def stop(*_):
        stopping.append(True)

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
        if redis_server is not None:
            redis_server.shutdown()
    failed = [c.args[2] for c in children if c.returncode not in (0, -15, None)]
    if failed and not stopping:
        raise SystemExit(f"stopped because a process exited: {failed}")


def fresh_metrics_dir(data_dir: str) -> str:
    """Return the directory the API and worker processes share their metrics in, emptied."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return os.environ["PROMETHEUS_MULTIPROC_DIR"]  # the operator's: theirs to manage
    directory = os.path.join(data_dir, "metrics")
    shutil.rmtree(directory, ignore_errors=True)  # counts from a previous run would add up
    os.makedirs(directory)
    return directory


def ensure_demo_site(base: str) -> dict | None:
    """On the first run, make a demo site, article and tokens so the service can be tried."""
    from service.admin_ops import create_site, create_token, issue_server_key, upsert_article
    from service.extensions import db
    from service.models import Site

    if db.session.scalar(db.select(Site.id).limit(1)) is not None:
        return None
    from service.web.pages import save_demo_site_key

    origins = [base, base.replace("://127.0.0.1:", "://localhost:")]
    site, site_key = create_site("Demo News", sorted(set(origins)), {})
    save_demo_site_key(site_key)  # the demo article page embeds it; keys are stored hashed
    upsert_article(
        site,
        "demo-1",
        permalink=f"{base}/demo/article",
        title="City council approves new bike lanes",
    )
    _, server_key = issue_server_key(site.id, "demo-server")
    _, moderator = create_token(Role.MODERATOR, None, "demo-moderator")
    _, admin = create_token(Role.ADMIN, None, "demo-admin")
    return {
        "site_id": site.id,
        "site_key": site_key,
        "server_key": server_key,
        "moderator_token": moderator,
        "admin_token": admin,
    }


@main.group("site")
def site_group():
    """Manage sites."""


@site_group.command("create")
@click.option("--name", required=True)
@click.option(
    "--origin",
    "origins",
    multiple=True,
    required=True,
    help="An allowed origin, e.g. https://news.example (repeatable).",
)
@click.option("--mode", type=click.Choice(["pre", "post", "auto"]), default=None)
def site_create(name, origins, mode):
    """Create a site and its public site key; print them as JSON."""
    from service.admin_ops import create_site
    from service.api.common import normalize_origin

    bad = [o for o in origins if not normalize_origin(o)]
    if bad:
        raise click.BadParameter(f"not an origin (scheme://host[:port]): {', '.join(bad)}")
    site, key = create_site(name, list(origins), {"moderation_mode": mode} if mode else {})
    emit({"site_id": site.id, "name": site.name, "origins": site.origins, "site_key": key})


@site_group.command("list")
def site_list():
    """List sites as JSON."""
    from service.extensions import db
    from service.models import Site

    emit(
        {
            "sites": [
                {"site_id": s.id, "name": s.name, "origins": s.origins}
                for s in db.session.scalars(db.select(Site).order_by(Site.id))
            ]
        }
    )


@main.group("settings")
def settings_group():
    """Show or change a site's (or an article's) moderation settings."""


def _settings_target(site_id: int, external_id: str | None):
    from service.extensions import db
    from service.models import Article, Site

    site = db.session.get(Site, site_id)
    if site is None:
        raise click.BadParameter(f"no site {site_id}", param_hint="--site")
    if external_id is None:
        return site, None
    article = db.session.scalar(
        db.select(Article).where(Article.site_id == site_id, Article.external_id == external_id)
    )
    if article is None:
        raise click.BadParameter(
            f"no article {external_id!r} on site {site_id}", param_hint="--article"
        )
    return site, article


@settings_group.command("show")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--article", "external_id", default=None, help="An article's overrides.")
def settings_show(site_id, external_id):
    """Print the stored settings and the effective ones (defaults filled in) as JSON."""
    from service.site_settings import effective_settings

    site, article = _settings_target(site_id, external_id)
    stored = (article or site).settings or {}
    emit(
        {
            "site_id": site.id,
            "article": external_id,
            "settings": stored,
            "effective_settings": effective_settings(site, article),
        }
    )


@settings_group.command("set")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--article", "external_id", default=None, help="Set an article's overrides.")
@click.argument("pairs", nargs=-1, required=True, metavar="NAME=VALUE...")
def settings_set(site_id, external_id, pairs):
    """Merge NAME=VALUE settings (VALUE as JSON, else text), checked as the admin API does."""
    from marshmallow import ValidationError

    from service.extensions import db
    from service.site_cache import site_cache
    from service.site_settings import SiteSettingsSchema, check_effective, effective_settings

    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="NAME=VALUE")
        try:
            changes[name] = json.loads(value)
        except ValueError:
            changes[name] = value  # plain text, e.g. moderation_mode=pre
    site, article = _settings_target(site_id, external_id)
    target = article or site
    try:
        changes = SiteSettingsSchema().load(changes)
        target.settings = {**(target.settings or {}), **changes}
        check_effective(site, article)
    except ValidationError as err:
        db.session.rollback()
        raise click.BadParameter(json.dumps(err.messages), param_hint="NAME=VALUE") from None
    db.session.commit()
    site_cache().clear()
    emit(
        {
            "site_id": site.id,
            "article": external_id,
            "settings": target.settings,
            "effective_settings": effective_settings(site, article),
        }
    )


@main.group("token")
def token_group():
    """Manage moderator and admin tokens."""


@token_group.command("create")
@click.option("--role", type=click.Choice(["moderator", "admin"]), required=True)
@click.option("--site", "site_id", type=int, default=None, help="Scope the token to one site.")
@click.option("--name", default="")
def token_create(role, site_id, name):
    """Create a token; print it as JSON (it is shown only once)."""
    from service.admin_ops import create_token
    from service.auth import NameTaken
    from service.extensions import db
    from service.models import Site

    if site_id is not None and db.session.get(Site, site_id) is None:
        raise click.BadParameter(f"no site {site_id}", param_hint="--site")
    try:
        key_id, token = create_token(Role(role), site_id, name)
    except NameTaken as exc:
        raise click.BadParameter(str(exc), param_hint="--name") from None
    emit({"token_id": key_id, "role": role, "site_id": site_id, "token": token})


@main.group("key")
def key_group():
    """Manage a site's secret server keys (Akismet and Perspective calls)."""


BROWSER_ORIGIN = click.option(
    "--browser-origin",
    "browser_origins",
    multiple=True,
    help="A site origin whose pages may call the Perspective endpoints with this key from the "
    "browser (CORS); repeat for more. None: server to server only.",
)


def checked_origins(site, origins) -> list[str]:
    from service.admin_ops import checked_browser_origins

    kept, problems = checked_browser_origins(site, list(origins))
    if problems:
        raise click.BadParameter(" ".join(problems), param_hint="--browser-origin")
    return kept


@key_group.command("create")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--name", default="")
@BROWSER_ORIGIN
def key_create(site_id, name, browser_origins):
    """Create a server key for a site; print it as JSON (it is shown only once)."""
    from service.admin_ops import issue_server_key
    from service.auth import NameTaken
    from service.extensions import db
    from service.models import Site

    site = db.session.get(Site, site_id)
    if site is None:
        raise click.BadParameter(f"no site {site_id}", param_hint="--site")
    origins = checked_origins(site, browser_origins)
    try:
        key_id, key = issue_server_key(site_id, name, origins)
    except NameTaken as exc:
        raise click.BadParameter(str(exc), param_hint="--name") from None
    emit(
        {
            "key_id": key_id,
            "site_id": site_id,
            "server_key": key,
            "browser_origins": origins or None,
        }
    )


@key_group.command("browser")
@click.argument("key_id", type=int)
@BROWSER_ORIGIN
def key_browser(key_id, browser_origins):
    """Set the origins whose pages may use a server key from the browser (none: server only)."""
    from service.extensions import db
    from service.models import ApiKey, Role

    key = db.session.get(ApiKey, key_id)
    if key is None or key.role != Role.SERVER:
        raise click.BadParameter(f"no server key {key_id}", param_hint="KEY_ID")
    key.browser_origins = checked_origins(key.site, browser_origins) or None
    db.session.commit()
    emit({"key_id": key.id, "site_id": key.site_id, "browser_origins": key.browser_origins})


@key_group.command("list")
@click.option("--site", "site_id", type=int, required=True)
def key_list(site_id):
    """List a site's keys and tokens as JSON (never their secrets)."""
    from service.extensions import db
    from service.models import ApiKey

    keys = db.session.scalars(
        db.select(ApiKey).where(ApiKey.site_id == site_id).order_by(ApiKey.id)
    )
    emit(
        {
            "keys": [
                {
                    "key_id": k.id,
                    "role": k.role,
                    "name": k.name,
                    "created_at": utc_iso(k.created_at),
                    "revoked": k.revoked_at is not None,
                }
                for k in keys
            ]
        }
    )


@key_group.command("revoke")
@click.argument("key_id", type=int)
def key_revoke(key_id):
    """Revoke a key or token by its id."""
    from service.auth import revoke
    from service.extensions import db
    from service.models import ApiKey

    key = db.session.get(ApiKey, key_id)
    if key is None:
        raise click.BadParameter(f"no key {key_id}", param_hint="KEY_ID")
    revoke(key)
    db.session.commit()
    emit({"key_id": key.id, "role": key.role, "revoked": True})


@main.group("webhook")
def webhook_group():
    """Manage a site's signed webhooks."""


@webhook_group.command("create")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--url", required=True, help="The subscriber's http(s) URL.")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    type=click.Choice([e.value for e in Event]),
    help="An event to send (repeatable).",
)
@click.option(
    "--format",
    "body_format",
    type=click.Choice([f.value for f in Format]),
    default="json",
    show_default=True,
    help="slack: a Slack/Mattermost incoming webhook body.",
)
@click.option("--description", default="")
def webhook_create(site_id, url, events, body_format, description):
    """Subscribe a URL to a site's events; print it and its secret as JSON (shown once)."""
    from service.extensions import db
    from service.models import Site
    from service.webhooks import RefusedURL, create_subscription

    if db.session.get(Site, site_id) is None:
        raise click.BadParameter(f"no site {site_id}", param_hint="--site")
    try:
        subscription, secret = create_subscription(
            site_id, url, list(events), body_format, description
        )
    except RefusedURL as exc:
        raise click.BadParameter(str(exc), param_hint="--url") from None
    emit(
        {
            "webhook_id": subscription.id,
            "site_id": site_id,
            "url": subscription.url,
            "events": subscription.events,
            "format": subscription.format,
            "secret": secret,
        }
    )


@webhook_group.command("list")
@click.option("--site", "site_id", type=int, required=True)
def webhook_list(site_id):
    """List a site's webhooks as JSON (never their secrets)."""
    from service.api.webhooks import masked
    from service.extensions import db
    from service.models import WebhookSubscription

    subscriptions = db.session.scalars(
        db.select(WebhookSubscription)
        .where(WebhookSubscription.site_id == site_id)
        .order_by(WebhookSubscription.id)
    )
    emit(
        {
            "webhooks": [
                {
                    "webhook_id": s.id,
                    "url": masked(s.url),
                    "events": s.events,
                    "format": s.format,
                    "active": s.active,
                    "failures": s.failures,
                    "disabled_reason": s.disabled_reason,
                }
                for s in subscriptions
            ]
        }
    )


@webhook_group.command("delete")
@click.argument("webhook_id", type=int)
def webhook_delete(webhook_id):
    """Delete a webhook and its delivery log."""
    from service.extensions import db
    from service.models import WebhookSubscription
    from service.webhooks import delete_subscription

    subscription = db.session.get(WebhookSubscription, webhook_id)
    if subscription is None:
        raise click.BadParameter(f"no webhook {webhook_id}", param_hint="WEBHOOK_ID")
    delete_subscription(subscription)
    emit({"webhook_id": webhook_id, "deleted": True})


@main.group("article")
def article_group():
    """Manage articles."""


@article_group.command("create")
@click.option("--site", "site_id", type=int, required=True)
@click.option("--id", "external_id", required=True, help="The site's own id for the article.")
@click.option("--permalink", default="")
@click.option("--title", default="")
@click.option("--mode", type=click.Choice(["pre", "post", "auto"]), default=None)
@click.option("--closed", is_flag=True)
def article_create(site_id, external_id, permalink, title, mode, closed):
    """Register (or update) an article; print it as JSON."""
    from service.admin_ops import upsert_article
    from service.extensions import db
    from service.models import Site

    site = db.session.get(Site, site_id)
    if site is None:
        raise click.BadParameter(f"no site {site_id}", param_hint="--site")
    article = upsert_article(
        site,
        external_id,
        permalink=permalink,
        title=title,
        moderation_mode=mode,
        is_open=not closed,
    )
    emit(
        {
            "article_id": article.id,
            "external_id": article.external_id,
            "moderation_mode": article.moderation_mode,
            "is_open": article.is_open,
        }
    )


@main.group("models")
def models_group():
    """Toxicity model files for air-gapped deployments."""


@models_group.command("pull")
@click.argument("name")
@click.option("--dest", required=True, type=click.Path(file_okay=False))
@click.option(
    "--source", default=None, help="A local checkpoint file or an https:// URL to take it from."
)
@click.option(
    "--hf-config",
    default=None,
    type=click.Path(exists=True, file_okay=False),
    help="A directory with the Hugging Face config and tokenizer files.",
)
@click.option(
    "--sha256", default=None, help="The checkpoint's expected SHA-256; any other file is refused."
)
def models_pull(name, dest, source, hf_config, sha256):
    """Fetch a Detoxify model, or copy a Hugging Face model directory, into DEST, ready to load."""
    from workers.models_pull import PullError, pull_model

    try:
        emit(pull_model(name, dest, source=source, hf_config=hf_config, sha256=sha256))
    except PullError as exc:
        raise click.ClickException(str(exc)) from exc


if __name__ == "__main__":
    main()
