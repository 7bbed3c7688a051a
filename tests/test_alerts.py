"""The shipped Prometheus alert rules and Grafana dashboard: valid, and over exported metrics."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from prometheus_client import CollectorRegistry

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "deploy" / "prometheus" / "alerts.yml"
RULE_TESTS = ROOT / "deploy" / "prometheus" / "alerts_test.yml"
DASHBOARD = ROOT / "deploy" / "grafana" / "moderation.json"

# PromQL words that are not metric names (aggregations and functions are recognised by the
# parenthesis that follows them).
KEYWORDS = {
    "and",
    "or",
    "unless",
    "bool",
    "offset",
    "by",
    "without",
    "on",
    "ignoring",
    "group_left",
    "group_right",
    "inf",
    "nan",
}
SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created"),
    "info": ("_info",),
    "gauge": ("",),
    "unknown": ("",),
}


def metric_names(expr: str) -> set[str]:
    """Name the metrics a PromQL expression reads."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # label values
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # range and subquery durations
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.])[A-Za-z_:][\w:]*", expr):
        if expr[match.end() :].lstrip().startswith("(") or match.group().lower() in KEYWORDS:
            continue  # a function or an aggregation, or an operator
        names.add(match.group())
    return names


def rule_expressions() -> dict[str, str]:
    rules = yaml.safe_load(RULES.read_text())
    return {rule["alert"]: rule["expr"] for group in rules["groups"] for rule in group["rules"]}


def panel_expressions() -> dict[str, str]:
    dashboard = json.loads(DASHBOARD.read_text())
    return {
        f"{panel['title']} ({target['refId']})": target["expr"]
        for panel in dashboard["panels"]
        for target in panel.get("targets", [])
    }


@pytest.fixture
def exported(ctx):
    """Every series name /metrics can carry, empty label sets included."""
    from service.metrics import StateCollector, _ProcessMetrics

    registry = CollectorRegistry()
    registry.register(_ProcessMetrics())
    registry.register(StateCollector(ctx))
    return {
        family.name + suffix for family in registry.collect() for suffix in SUFFIXES[family.type]
    }


@pytest.mark.parametrize(
    "expr, names",
    [
        ('sum(rate(moderation_x_total{queue="a{b}"}[5m])) by (queue) > 0', {"moderation_x_total"}),
        ("absent(up) and on() max(node_load1 offset 5m) == 1", {"up", "node_load1"}),
        (
            "histogram_quantile(0.95, sum by (le) (rate(a_bucket[5m]))) / ignoring(x) b",
            {"a_bucket", "b"},
        ),
        (
            "max(moderation_oldest_comment_age_seconds) > 4 * 3600",
            {"moderation_oldest_comment_age_seconds"},
        ),
    ],
)
def test_metric_names_are_read_out_of_promql(expr, names):
    assert metric_names(expr) == names


def test_alert_rules_and_dashboard_name_only_exported_metrics(exported):
    # Scrape-time gauges and metrics of every kind, with and without samples.
    assert {
        "moderation_webhook_deliveries_total",
        "moderation_perspective_score_timeouts_total",
        "moderation_toxicity_model_info",
        "moderation_celery_queue_length",
        "moderation_webhook_subscriptions",
    } <= exported
    expressions = rule_expressions() | panel_expressions()
    unknown = {
        name: sorted(metric_names(expr) - exported)
        for name, expr in expressions.items()
        if metric_names(expr) - exported
    }
    assert unknown == {}
    assert all(metric_names(expr) for expr in expressions.values())


def test_the_alerts_cover_the_pipeline_and_webhooks():
    rules = rule_expressions()
    covers = {
        "ModerationClassifyBacklog": "moderation_celery_queue_length",
        "ModerationHeldTooOld": "moderation_oldest_comment_age_seconds",
        "ModerationAppealsTooOld": "moderation_appeals_oldest_age_seconds",
        "ModerationClassifyRetries": "moderation_classify_retries_total",
        "ModerationClassifyFailures": "moderation_decision_reasons_total",
        "ModerationScoreTimeouts": "moderation_perspective_score_timeouts_total",
        "ModerationWebhookDeliveriesFailing": "moderation_webhook_deliveries_total",
        "ModerationWebhookSubscriptionDisabled": "moderation_webhook_subscriptions",
        "ModerationWorkersMissing": "moderation_toxicity_model_info",
        "ModerationOfflineFallbackModel": "moderation_toxicity_offline_fallback_workers",
    }
    assert {
        alert: name in metric_names(rules.get(alert, "")) for alert, name in covers.items()
    } == dict.fromkeys(covers, True)
    for group in yaml.safe_load(RULES.read_text())["groups"]:
        for rule in group["rules"]:
            assert rule["labels"]["severity"] in ("warning", "critical")
            assert rule["annotations"]["summary"] and rule["annotations"]["description"]


def test_the_dashboard_is_a_grafana_dashboard():
    dashboard = json.loads(DASHBOARD.read_text())
    panels = dashboard["panels"]
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 30
    assert len({p["id"] for p in panels}) == len(panels)
    for panel in panels:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24 and grid["h"] > 0
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == "${datasource}" and panel["targets"]
            assert len({t["refId"] for t in panel["targets"]}) == len(panel["targets"])


@pytest.mark.parametrize(
    "command", [["check", "rules", str(RULES)], ["test", "rules", str(RULE_TESTS)]]
)
def test_promtool_accepts_the_rules(command):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip(
            "promtool is not installed (Debian: apt-get install prometheus); "
            "the alert rules were not checked"
        )
    result = subprocess.run(
        [promtool, *command], capture_output=True, text=True, timeout=120, cwd=RULES.parent
    )
    assert result.returncode == 0, result.stdout + result.stderr
