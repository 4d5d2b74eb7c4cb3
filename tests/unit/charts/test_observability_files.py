"""The dashboards and alert rules of the chart: well-formed, complete, and readable by the
metric-name extraction that the end-to-end test relies on."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.settings import SERVICES
from tests.promql import (
    RULES,
    dashboard_expressions,
    dashboards,
    histogram_family,
    metric_names,
    panels,
    prometheus_names,
    variable_query_names,
)

ROOT = Path(__file__).resolve().parents[3]
GRID_COLUMNS = 24
REQUIRED_ALERTS = {
    "CnopEdgeHighErrorRate", "CnopEdgeHighLatency", "CnopCircuitBreakerOpen",
    "CnopPriceFeedStale", "CnopProcessDown",
}  # fmt: skip


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("up", {"up"}),
        ('sum by (job) (rate(cnop_http_requests_total{status=~"5..", route!="x"}[5m]))',
         {"cnop_http_requests_total"}),
        ("histogram_quantile(0.99, sum by (le, route) (rate(a_seconds_bucket[$__rate_interval])))",
         {"a_seconds_bucket"}),
        ("sum(rate(a_total[5m])) by (job) / on (job) group_left (extra) b offset 5m > bool 1e3",
         {"a_total", "b"}),
        ("time() - process_start_time_seconds{job=~\"$job\"}", {"process_start_time_seconds"}),
        ('max_over_time(x[1h:5m]) unless y{a="by (z)"} and Inf', {"x", "y"}),
        ('count(z{le="+Inf", name="rate(q)"}) without (instance)', {"z"}),
    ],
)  # fmt: skip
def test_metric_names_keep_series_and_drop_functions_labels_and_keywords(
    expression: str, names: set[str]
) -> None:
    assert metric_names(expression) == names


def test_variable_queries_name_their_series_not_their_label() -> None:
    query = 'label_values(grpc_server_handled_total{job=~"$job"}, grpc_service)'
    assert variable_query_names(query) == {"grpc_server_handled_total"}
    assert variable_query_names("label_values(job)") == set()
    assert variable_query_names("sum(x) by (y)") == {"x"}


def test_histogram_series_map_to_their_family() -> None:
    assert histogram_family("grpc_server_handling_seconds_bucket") == "grpc_server_handling_seconds"
    assert histogram_family("x_sum") == "x"
    assert histogram_family("cnop_orders_placed_total") is None


def test_dashboards_and_rules_ask_for_the_metrics_each_view_needs() -> None:
    used = prometheus_names()
    files = {where.split(":")[0] for places in used.values() for where in places}
    assert files >= {"cnop-edge.json", "cnop-services.json", "cnop-health.json",
                     "cnop-trading.json", "cnop-alerts.yaml"}  # fmt: skip
    expected = {
        "cnop-edge.json": {"cnop_http_requests_total", "cnop_http_request_duration_seconds_bucket",
                           "cnop_rate_limited_requests_total", "cnop_circuit_breaker_state"},
        "cnop-services.json": {"grpc_server_handled_total", "grpc_server_handling_seconds_bucket"},
        "cnop-health.json": {"up", "cnop_health_serving", "cnop_price_feed_age_seconds"},
        "cnop-trading.json": {"cnop_orders_placed_total", "cnop_orders_rejected_total",
                              "cnop_traded_volume_usd_total", "cnop_cash_transactions_total"},
    }  # fmt: skip
    for file, names in expected.items():
        in_file = {name for name, places in used.items() if any(p.startswith(file) for p in places)}
        assert names <= in_file, (file, names - in_file)


def test_latency_panels_show_p50_p95_and_p99() -> None:
    histograms = {
        "cnop-edge.json": "cnop_http_request_duration_seconds_bucket",
        "cnop-services.json": "grpc_server_handling_seconds_bucket",
    }
    for file, metric in histograms.items():
        quantiles = {
            match
            for where, expression, _ in dashboard_expressions()
            if where.startswith(file) and metric in expression
            for match in re.findall(r"histogram_quantile\((0\.\d+)", expression)
        }
        assert {"0.5", "0.95", "0.99"} <= quantiles, file


@pytest.mark.parametrize("name", sorted(dashboards()))
def test_dashboard_is_complete_grafana_json(name: str) -> None:
    dashboard = dashboards()[name]
    assert dashboard["uid"] == name.removesuffix(".json")
    assert dashboard["title"].startswith("CNOP / ")
    variables = {variable["name"] for variable in dashboard["templating"]["list"]}
    ids = [panel["id"] for panel in panels(dashboard)]
    assert len(ids) == len(set(ids)) > 0
    for panel in panels(dashboard):
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= GRID_COLUMNS, panel["title"]
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            source = target.get("datasource", panel["datasource"])
            assert source["type"] in {"prometheus", "loki"}
            assert source["uid"].strip("${}") in variables, (panel["title"], source)
            assert target["expr"].strip(), panel["title"]
            assert target["refId"], panel["title"]


def test_logs_dashboard_filters_by_service_level_request_id_and_text() -> None:
    logs = dashboards()["cnop-logs.json"]
    variables = {variable["name"]: variable for variable in logs["templating"]["list"]}
    assert {"service", "level", "request_id", "search"} <= set(variables)
    assert set(variables["service"]["query"].split(",")) == {*SERVICES, "edge"}
    stream = next(panel for panel in panels(logs) if panel["type"] == "logs")
    expression = stream["targets"][0]["expr"]
    assert stream["datasource"]["type"] == "loki"
    filters = [
        "| json",
        'service=~"$service"',
        'level=~"$level"',
        'request_id=~"${request_id:regex}',
        "${search:regex}",
    ]
    for part in filters:
        assert part in expression, part


def alert_rules() -> list[dict[str, Any]]:
    return [
        rule
        for path in RULES.glob("*.yaml")
        for group in yaml.safe_load(path.read_text())["groups"]
        for rule in group["rules"]
    ]


def test_alert_rules_cover_the_failures_an_operator_must_hear_about() -> None:
    rules = alert_rules()
    assert {rule["alert"] for rule in rules} >= REQUIRED_ALERTS
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}, rule["alert"]
        assert rule["annotations"]["summary"], rule["alert"]
        assert rule["annotations"]["description"], rule["alert"]
        assert rule.get("for"), rule["alert"]


@pytest.mark.skipif(shutil.which("promtool") is None, reason="promtool: apt-get install prometheus")
def test_promtool_accepts_the_rules_and_their_unit_tests_pass() -> None:
    tests = sorted(str(path) for path in (ROOT / "tests" / "promtool").glob("*.yaml"))
    rules = sorted(str(path) for path in RULES.glob("*.yaml"))
    for command in (["promtool", "check", "rules", *rules], ["promtool", "test", "rules", *tests]):
        result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
        assert result.returncode == 0, result.stdout + result.stderr
