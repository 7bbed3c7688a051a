"""docker-compose.yml and the Dockerfile, checked against the code (no Docker engine runs here)."""

import shlex
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from service.cli import main
from service.config import DEFAULTS
from service.queue import SCORE_TASK, TASK_QUEUES

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]


def command_words(service: dict) -> list[str]:
    command = service["command"]
    if command[:2] == ["sh", "-c"]:
        return shlex.split(command[2])
    return command


def test_compose_has_every_part_of_the_service():
    assert {"api", "worker", "score-worker", "beat", "flower", "redis", "postgres"} <= set(SERVICES)


def consumed_queues(name: str) -> set[str]:
    words = command_words(SERVICES[name])
    return set(words[words.index("--queues") + 1].split(","))


def test_perspective_scores_have_a_worker_of_their_own():
    # A burst of scores must not wait behind, or hold up, a backlog of comments.
    assert consumed_queues("score-worker") == {TASK_QUEUES[SCORE_TASK]}
    assert TASK_QUEUES[SCORE_TASK] not in consumed_queues("worker")
    assert consumed_queues("worker") | consumed_queues("score-worker") | consumed_queues(
        "webhooks"
    ) == set(TASK_QUEUES.values())


@pytest.mark.parametrize("name", ["api", "worker", "score-worker", "redis", "postgres"])
def test_long_running_parts_have_health_checks(name):
    assert SERVICES[name]["healthcheck"]["test"]


def test_the_api_migrates_before_serving():
    words = command_words(SERVICES["api"])
    assert words.index("migrate") < words.index("serve") and "&&" in words


@pytest.mark.parametrize("name", ["api", "worker", "score-worker", "beat"])
def test_modctl_commands_in_compose_exist_with_those_options(name):
    words = command_words(SERVICES[name])
    for start in [i for i, w in enumerate(words) if w == "modctl"]:
        end = words.index("&&", start) if "&&" in words[start:] else len(words)
        args = words[start + 1 : end]
        result = CliRunner().invoke(main, [*args, "--help"])
        assert result.exit_code == 0, f"`modctl {' '.join(args)}` is not a command: {result.output}"
        for option in [a for a in args if a.startswith("--")]:
            assert option in result.output, f"modctl {args[0]} has no {option}"


def test_celery_commands_point_at_the_worker_app():
    import workers.celery_app  # noqa: F401  (the -A target must import)

    for name in ("flower", "worker", "score-worker"):
        text = " ".join(command_words(SERVICES[name])) + str(SERVICES[name].get("healthcheck"))
        assert "workers.celery_app" in text


def test_app_environment_names_real_settings():
    env = SERVICES["api"]["environment"]
    extra = {"PROMETHEUS_MULTIPROC_DIR"}  # read by prometheus-client, not by the settings
    assert set(env) - extra <= set(DEFAULTS), set(env) - extra - set(DEFAULTS)
    assert env["DATABASE_URL"].startswith("postgresql://") and "@postgres:" in env["DATABASE_URL"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    for name in ("worker", "score-worker", "beat"):
        assert SERVICES[name]["environment"] == env
    flower_env = dict(SERVICES["flower"]["environment"])
    flower_env.pop("FLOWER_BASIC_AUTH")
    assert flower_env == env


def test_database_credentials_match_postgres():
    pg = SERVICES["postgres"]["environment"]
    url = SERVICES["api"]["environment"]["DATABASE_URL"]
    assert f"{pg['POSTGRES_USER']}:{pg['POSTGRES_PASSWORD']}@" in url
    assert url.endswith(f"/{pg['POSTGRES_DB']}")


def test_dependencies_wait_for_health():
    for name in ("api", "worker", "score-worker", "beat"):
        for dependency, rule in SERVICES[name]["depends_on"].items():
            assert dependency in SERVICES and rule["condition"] == "service_healthy"


def test_dockerfile_installs_the_project_with_the_cpu_torch_pin():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "torch==2.13.0" in dockerfile and "download.pytorch.org/whl/cpu" in dockerfile
    assert 'pip install ".[ops]"' in dockerfile
    for path in ("service", "workers", "pyproject.toml"):
        assert f"COPY {path}" in dockerfile or f" {path} " in dockerfile


def required(value: str, name: str) -> bool:
    """Whether a compose value is `${NAME:?...}`: compose refuses to start without NAME."""
    return value.startswith(f"${{{name}:?") and value.endswith("}")


def test_flower_asks_for_a_login_that_compose_requires():
    flower = SERVICES["flower"]
    assert required(flower["environment"]["FLOWER_BASIC_AUTH"], "FLOWER_BASIC_AUTH")
    # No command-line option may switch the login off or bypass it.
    assert not any("auth" in word for word in command_words(flower))


def test_metrics_are_behind_a_token_that_compose_requires():
    env = SERVICES["api"]["environment"]
    assert required(env["METRICS_TOKEN"], "METRICS_TOKEN")
    for name in ("worker", "beat", "flower"):
        assert SERVICES[name]["environment"]["METRICS_TOKEN"] == env["METRICS_TOKEN"]
