"""Settings: documented defaults, overridden by environment variables of the same name."""

import os
from pathlib import Path

# Every setting the service reads, with its default. README.md's configuration table mirrors this.
DEFAULTS: dict[str, object] = {
    # Storage and broker
    "DATABASE_URL": "",  # empty: a SQLite file under DATA_DIR
    "DATA_DIR": "var",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SECRET_KEY": "",  # empty: generated once and kept in DATA_DIR/secret_key
    # Intake
    # Every endpoint: a 65,525-character comment (WordPress's limit) in JSON-escaped or
    # percent-encoded form, with room for the other fields.
    "MAX_REQUEST_BYTES": 1024 * 1024,
    "FLOOD_SECONDS": 15,
    "SITE_CACHE_SECONDS": 5,  # how long an API process remembers a site key's site (0: off)
    "TRUSTED_PROXIES": 0,  # how many reverse proxies set X-Forwarded-For in front of the API
    "RENDER_TOKEN_MAX_AGE_S": 24 * 3600,
    # Pipeline
    "CLASSIFY_BATCH_SIZE": 16,
    "CLASSIFY_FLUSH_INTERVAL_S": 0.2,
    "CLASSIFY_MAX_ATTEMPTS": 5,
    "CLASSIFY_TIME_LIMIT_S": 120,
    "SWEEP_INTERVAL_S": 30,
    "SWEEP_PENDING_AFTER_S": 60,
    # Perspective analyze waits this long for a worker: under Coral's 800 ms, so the service
    # answers (503) before Coral gives up and lets the comment through unscored.
    "SCORE_TIMEOUT_S": 0.7,
    # Perspective requests waiting for a score, across every API process: beyond the caps a
    # request is answered at once (429 for its key, 503 in total) instead of taking a thread.
    "SCORE_MAX_WAITS": 8,
    "SCORE_MAX_WAITS_PER_KEY": 4,
    # API processes (gunicorn gthread): each serves this many requests at once
    "API_THREADS": 8,
    "READY_CACHE_S": 3.0,  # how long /readyz answers from its last checks
    # Review
    "CLAIM_TTL_S": 600,
    "QUEUE_PAGE_SIZE": 50,
    # Appeals (service/domain/appeals.py): open ones per author (email or address) and site;
    # new ones per site and hour, and of those, appeals of spam verdicts.
    "APPEALS_OPEN_PER_AUTHOR": 3,
    "APPEALS_PER_SITE_HOUR": 60,
    "APPEALS_SPAM_PER_SITE_HOUR": 10,
    # Toxicity model (see workers/classifiers/toxicity/settings.py)
    "TOXICITY_MODEL": "original",
    "TOXICITY_CHECKPOINT": "",
    "TOXICITY_HF_CONFIG": "",
    "TOXICITY_CACHE_DIR": "",
    "TOXICITY_FALLBACK": True,
    "TOXICITY_MAX_TOKENS": 256,
    "TOXICITY_BATCH_SIZE": 16,
    "TOXICITY_FAST_PATH": "onnx",
    "TOXICITY_FAST_CACHE_DIR": "",
    "TOXICITY_THREADS": 0,  # 0: cores / worker processes
    "TOXICITY_LANG_DETECT": True,
    "TOXICITY_WORKER_PROCESSES": 1,  # worker processes sharing the cores (threads per process)
    "TOXICITY_LANGUAGES": "",  # e.g. "en,fr": what a local checkpoint supports (default: by arch)
    "TOXICITY_SPANS": "flagged",  # per-sentence scores: flagged (over a hold threshold), all, off
    # Rate limits (flask-limiter syntax; counters in Redis)
    "RATE_LIMIT_ENABLED": True,
    # One window: the flood check already spaces a reader's accepted comments 15 s apart, so
    # this only stops hammering, and each window costs a Redis round trip on every comment.
    "RATE_LIMIT_INTAKE_PER_IP": "60/minute",
    # Empty: off. Caps one site's intake (its key is public in its pages); set it above the
    # site's busiest minute. Off by default: each limit is a Redis round trip on every comment.
    "RATE_LIMIT_INTAKE_PER_KEY": "",
    "RATE_LIMIT_COMPAT_PER_IP": "100/second",
    "RATE_LIMIT_COMPAT_PER_KEY": "50/second;2000/minute",
    "RATE_LIMIT_STORAGE_URL": "",  # empty: REDIS_URL
    # Metrics
    "METRICS_TOKEN": "",  # when set, /metrics wants `Authorization: Bearer <token>`
    "WORKER_METRICS_PORT": 0,  # a worker serves its own /metrics on this port (0: off)
    # Webhooks (see service/webhooks.py)
    "PUBLIC_URL": "http://127.0.0.1:8000",  # the service's address in links sent to subscribers
    "WEBHOOK_ALLOW_PRIVATE": False,  # True: subscribers may be on loopback or private networks
    "WEBHOOK_TIMEOUT_S": 5.0,  # per HTTP attempt: a slow subscriber only holds a webhook worker
    "WEBHOOK_MAX_ATTEMPTS": 5,  # per delivery, the first included
    "WEBHOOK_RETRY_BASE_S": 10.0,  # backoff: base * 2**(attempt - 1), capped below
    "WEBHOOK_RETRY_MAX_S": 600.0,
    "WEBHOOK_DISABLE_AFTER": 5,  # consecutive failed deliveries before a subscription is disabled
    "WEBHOOK_BACKLOG_MINUTES": 30,  # queue.backlog: the oldest held comment is older than this
    "WEBHOOK_LOG_DAYS": 14,  # delivery log entries older than this are deleted
    # Logs
    "LOG_LEVEL": "INFO",
    "LOG_TEXT": False,  # comment text and emails appear in logs only when True (debugging)
}


def _coerce(raw: str, default: object) -> object:
    """Convert an environment string to the type of the setting's default."""
    if isinstance(default, bool):
        if raw.strip().lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.strip().lower() in {"0", "false", "no", "off", ""}:
            return False
        raise ValueError(f"expected a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def load_settings(environ: dict[str, str] | None = None) -> dict[str, object]:
    """Return the settings: defaults, then environment variables of the same name."""
    environ = os.environ if environ is None else environ
    settings = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        if key in environ:
            try:
                settings[key] = _coerce(environ[key], default)
            except ValueError as exc:
                raise SystemExit(f"setting {key}: {exc}") from None
    return settings


def finish_settings(settings: dict[str, object]) -> dict[str, object]:
    """Fill in the settings derived from others (database file, secret key)."""
    data_dir = Path(str(settings["DATA_DIR"])).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    settings["DATA_DIR"] = str(data_dir)
    if not settings["DATABASE_URL"]:
        settings["DATABASE_URL"] = f"sqlite:///{data_dir / 'moderation.db'}"
    if not settings["SECRET_KEY"]:
        secret_file = data_dir / "secret_key"
        try:
            # Created 0600 in one step: no moment where another user could read it.
            fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # kept from an earlier start (or written by a process starting alongside)
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(os.urandom(32).hex())
        settings["SECRET_KEY"] = secret_file.read_text().strip()
    # Accept the common "postgres://" spelling of PostgreSQL URLs.
    url = str(settings["DATABASE_URL"])
    if url.startswith("postgres://"):
        settings["DATABASE_URL"] = "postgresql://" + url[len("postgres://") :]
    return settings
