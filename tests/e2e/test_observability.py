"""Metrics, logs and traces of a real mesh after one end-to-end trading scenario.

A private mesh trades at prices read from a file, logs at DEBUG and writes every span
to a file (CNOP_TRACE_FILE). One user registers, fails a login, logs in, deposits,
withdraws, logs in again and buys at once with that fresh token, sells, tries to sell
more than they hold, and logs out. Then:

- every series name that a dashboard or an alert rule asks for (read out of their PromQL)
  is exported by some process, and the scenario moved the business counters exactly;
- no log line of any process holds the password, a token or the email address;
- one trace id links the edge's span of the buy to the spans of every service it
  touched (auth, order, inventory) and to their DynamoDB and Redis calls, and the log
  lines of each of those processes carry it.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families

from tests.e2e.accounts import PASSWORD, bearer, client_from, login, register
from tests.e2e.test_orders import PRICES, write_prices
from tests.mesh import COMPONENTS, SERVICES, Mesh, MeshFactory
from tests.promql import PROMETHEUS_SERIES, histogram_family, prometheus_names

T = TypeVar("T")
WAIT_SECONDS = 15.0
API_ROUTE_PREFIX = "/api/v1/"


@dataclass
class Scenario:
    """What the scenario did, for the tests to look for."""

    username: str
    email: str
    tokens: list[str] = field(default_factory=list)
    request_ids: dict[str, str] = field(default_factory=dict)
    order_ids: list[str] = field(default_factory=list)
    bought_total: Decimal = Decimal(0)
    sold_total: Decimal = Decimal(0)


def eventually(probe: Callable[[], T | None], what: str) -> T:
    """The first truthy answer of `probe`, polled: some lines and spans land just after
    the response does."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no {what} after {WAIT_SECONDS}s")
        time.sleep(0.1)


@pytest.fixture(scope="module")
def observed(mesh_factory: MeshFactory, tmp_path_factory: pytest.TempPathFactory) -> Mesh:
    workdir = tmp_path_factory.mktemp("observed")
    write_prices(workdir / "prices.json", PRICES)
    return mesh_factory(
        CNOP_PRICE_PROVIDER="file",
        CNOP_PRICE_FILE=str(workdir / "prices.json"),
        CNOP_PRICE_REFRESH_SECONDS="0.5",
        CNOP_TRACE_FILE=str(workdir / "spans.jsonl"),
        CNOP_LOG_LEVEL="DEBUG",  # even debug lines must not leak secrets
    )


@pytest.fixture(scope="module")
def client(observed: Mesh) -> Iterator[httpx.Client]:
    with client_from(observed.edge_url) as http:

        def priced() -> bool:
            detail = http.get("/api/v1/inventory/assets/BTC").json()["data"]
            return Decimal(str(detail["price_usd"])) == Decimal(PRICES["BTC"])

        eventually(priced, "price from the price file")
        yield http


def _send(client: httpx.Client, scenario: Scenario, step: str, method: str, path: str,
          token: str | None = None, body: Any = None) -> httpx.Response:  # fmt: skip
    request_id = f"obs-{step}-{uuid.uuid4().hex[:8]}"
    scenario.request_ids[step] = request_id
    headers = {"X-Request-ID": request_id, **(bearer(token) if token else {})}
    return client.request(method, path, json=body, headers=headers)


@pytest.fixture(scope="module")
def scenario(client: httpx.Client) -> Scenario:
    account = register(client)
    done = Scenario(username=str(account["username"]), email=str(account["email"]))
    wrong = _send(client, done, "wrong-login", "POST", "/api/v1/auth/login",
                  body={"username": done.username, "password": PASSWORD + "x"})  # fmt: skip
    assert wrong.status_code == 401
    done.tokens.append(login(client, done.username))

    money = {"amount": "10000.00"}
    assert _send(client, done, "deposit", "POST", "/api/v1/balance/deposit", done.tokens[0],
                 money).status_code == 201  # fmt: skip
    assert _send(client, done, "withdraw", "POST", "/api/v1/balance/withdraw", done.tokens[0],
                 {"amount": "100.00"}).status_code == 201  # fmt: skip

    # A fresh token is not in the edge's cache: the buy asks the auth service about it.
    reply = _send(client, done, "login", "POST", "/api/v1/auth/login",
                  body={"username": done.username, "password": PASSWORD})  # fmt: skip
    done.tokens.append(reply.json()["access_token"])
    buy = _send(client, done, "buy", "POST", "/api/v1/orders", done.tokens[1],
                {"order_type": "market_buy", "asset_id": "BTC", "quantity": "0.1"})  # fmt: skip
    assert buy.status_code == 201, buy.text
    sell = _send(client, done, "sell", "POST", "/api/v1/orders", done.tokens[1],
                 {"order_type": "market_sell", "asset_id": "BTC", "quantity": "0.05"})  # fmt: skip
    assert sell.status_code == 201, sell.text
    refused = _send(client, done, "oversell", "POST", "/api/v1/orders", done.tokens[1],
                    {"order_type": "market_sell", "asset_id": "BTC", "quantity": "1"})  # fmt: skip
    assert refused.json()["error"] == "INSUFFICIENT_HOLDINGS"

    done.order_ids = [buy.json()["data"]["order_id"], sell.json()["data"]["order_id"]]
    done.bought_total = Decimal(buy.json()["data"]["total_amount"])
    done.sold_total = Decimal(sell.json()["data"]["total_amount"])
    order_path = f"/api/v1/orders/{done.order_ids[0]}"
    assert _send(client, done, "get-order", "GET", order_path, done.tokens[1]).status_code == 200
    profile = _send(client, done, "profile", "GET", "/api/v1/auth/profile", done.tokens[1])
    assert profile.json()["email"] == done.email
    assert _send(client, done, "logout", "POST", "/api/v1/auth/logout", done.tokens[0]).is_success
    return done


# --- metrics ------------------------------------------------------------------------------


def scrape(mesh: Mesh, component: str) -> list[Metric]:
    reply = httpx.get(mesh.metrics_url(component), timeout=10.0)
    assert reply.status_code == 200, f"{component}: {reply.status_code}"
    return list(text_string_to_metric_families(reply.text))


def value(families: list[Metric], name: str, **labels: str) -> float:
    """The sum of the samples called `name` whose labels include `labels`."""
    return sum(
        sample.value
        for family in families
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


@pytest.fixture(scope="module")
def scraped(observed: Mesh, scenario: Scenario) -> dict[str, list[Metric]]:
    # The edge counts a request just after answering it: wait for the last one.
    logout = {"route": "/api/v1/auth/logout"}
    eventually(
        lambda: value(scrape(observed, "edge"), "cnop_http_requests_total", **logout),
        "count of the last request",
    )
    return {component: scrape(observed, component) for component in COMPONENTS}


def test_every_metric_of_the_dashboards_and_alerts_is_exported(
    scraped: dict[str, list[Metric]],
) -> None:
    used = prometheus_names()
    assert len(used) >= 20, sorted(used)  # the extraction found the queries at all
    every = [family for families in scraped.values() for family in families]
    series = {sample.name for family in every for sample in family.samples}
    types = {family.name: family.type for family in every}

    missing = {
        name: sorted(where)
        for name, where in used.items()
        if name not in series and name not in PROMETHEUS_SERIES
    }
    assert not missing, f"asked for by dashboards or alerts, exported by no process: {missing}"
    for name in used:
        family = histogram_family(name)
        if family is not None:
            assert types.get(family) == "histogram", f"{name}: {family} is {types.get(family)}"


def test_the_scenario_moved_the_business_metrics_exactly(
    scraped: dict[str, list[Metric]], scenario: Scenario
) -> None:
    order, user = scraped["order"], scraped["user"]
    assert value(order, "cnop_orders_placed_total", order_type="market_buy") == 1
    assert value(order, "cnop_orders_placed_total", order_type="market_sell") == 1
    assert value(order, "cnop_orders_rejected_total", order_type="market_sell",
                 reason="INSUFFICIENT_HOLDINGS") == 1  # fmt: skip
    assert value(order, "cnop_traded_volume_usd_total", side="buy") == float(scenario.bought_total)
    assert value(order, "cnop_traded_volume_usd_total", side="sell") == float(scenario.sold_total)
    amount = "cnop_cash_transaction_amount_usd_total"
    assert value(user, "cnop_cash_transactions_total", transaction_type="deposit") == 1
    assert value(user, amount, transaction_type="deposit") == 10000
    assert value(user, amount, transaction_type="withdraw") == 100
    assert value(user, "cnop_login_attempts_total", outcome="success") == 2
    assert value(user, "cnop_login_attempts_total", outcome="failure") == 1


def test_rpc_and_http_metrics_count_the_calls_by_method_and_route_template(
    scraped: dict[str, list[Metric]], scenario: Scenario
) -> None:
    create = {"grpc_service": "cnop.order.v1.OrderService", "grpc_method": "CreateOrder"}
    assert value(scraped["order"], "grpc_server_started_total", **create, grpc_type="unary") == 3
    assert value(scraped["order"], "grpc_server_handled_total", **create, grpc_code="OK") == 2
    assert value(scraped["order"], "grpc_server_handled_total", **create,
                 grpc_code="FAILED_PRECONDITION") == 1  # fmt: skip
    assert value(scraped["order"], "grpc_server_handling_seconds_count", **create) == 3
    prices = {"grpc_service": "cnop.inventory.v1.InventoryService", "grpc_method": "GetPrices"}
    assert value(scraped["order"], "grpc_client_handled_total", **prices, grpc_code="OK") >= 3
    assert value(scraped["edge"], "grpc_client_handled_total", **create, grpc_code="OK") == 2

    edge = scraped["edge"]
    assert value(edge, "cnop_http_requests_total", method="POST", route="/api/v1/orders",
                 status="201") == 2  # fmt: skip
    assert value(edge, "cnop_http_request_duration_seconds_count",
                 route="/api/v1/orders/{order_id}") == 1  # fmt: skip
    routes = {s.labels["route"] for f in edge for s in f.samples if "route" in s.labels}
    assert not {route for route in routes if any(i in route for i in scenario.order_ids)}
    assert {r for r in routes if not r.startswith(API_ROUTE_PREFIX)} <= {"/health", "/metrics"}
    for component in SERVICES:
        serving = [s for f in scraped[component] for s in f.samples
                   if s.name == "cnop_health_serving"]  # fmt: skip
        assert serving, component
        assert all(sample.value == 1 for sample in serving), serving


# --- logs ---------------------------------------------------------------------------------


def log_lines(mesh: Mesh, component: str) -> list[dict[str, Any]]:
    lines = []
    for text in mesh.logs(component).splitlines():
        if text.startswith("{"):
            lines.append(json.loads(text))
    return lines


def test_no_log_line_holds_a_password_token_or_email(observed: Mesh, scenario: Scenario) -> None:
    secrets = [PASSWORD, scenario.email, *scenario.tokens]
    secrets += [token.rsplit(".", 1)[-1] for token in scenario.tokens]  # the signatures
    for component in COMPONENTS:
        text = observed.logs(component)
        assert '"level":"DEBUG"' in text or component == "edge", component
        leaked = [secret[:12] for secret in secrets if secret.lower() in text.lower()]
        assert not leaked, f"{component} logged {leaked}"


def test_every_rpc_line_names_the_verified_caller(observed: Mesh, scenario: Scenario) -> None:
    for component, rpc in (("order", "CreateOrder"), ("user", "Deposit"), ("user", "GetProfile")):
        lines = [line for line in log_lines(observed, component)
                 if line.get("event") == "rpc" and line["method"].endswith(f"/{rpc}")]  # fmt: skip
        assert lines, (component, rpc)
        assert {line["user_id"] for line in lines} == {scenario.username}
    buy = scenario.request_ids["buy"]
    edge = [line for line in log_lines(observed, "edge")
            if line.get("event") == "http" and line["request_id"] == buy]  # fmt: skip
    assert [line["user_id"] for line in edge] == [scenario.username]


# --- traces -------------------------------------------------------------------------------


def spans(mesh: Mesh) -> list[dict[str, Any]]:
    path = Path(mesh.env["CNOP_TRACE_FILE"])
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def trace_of(mesh: Mesh, request_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The trace id of a request, from the edge's log line, and the trace's spans once the
    edge's own span is written."""
    line = eventually(
        lambda: next(
            (entry for entry in log_lines(mesh, "edge")
             if entry.get("event") == "http" and entry.get("request_id") == request_id),
            None,
        ),
        f"edge log line of {request_id}",
    )  # fmt: skip
    trace_id = line["trace_id"]
    assert re.fullmatch("[0-9a-f]{32}", trace_id), trace_id

    def edge_span_written() -> list[dict[str, Any]] | None:
        found = [span for span in spans(mesh) if span["trace_id"] == trace_id]
        roots = [span for span in found if span["parent_span_id"] is None]
        return found if roots else None

    return trace_id, eventually(edge_span_written, f"edge span of {request_id}")


def assert_one_tree(found: list[dict[str, Any]]) -> None:
    """One root, the edge's server span, and every other span's parent in the trace."""
    ids = {span["span_id"] for span in found}
    roots = [span for span in found if span["parent_span_id"] is None]
    assert [(root["service"], root["kind"]) for root in roots] == [("cnop-edge", "SERVER")]
    orphans = [span["name"] for span in found if span["parent_span_id"] not in ids | {None}]
    assert not orphans, orphans


def test_one_trace_links_the_edge_and_every_service_an_order_touched(
    observed: Mesh, scenario: Scenario
) -> None:
    trace_id, found = trace_of(observed, scenario.request_ids["buy"])
    assert_one_tree(found)
    server_spans = {(span["service"], span["name"]) for span in found if span["kind"] == "SERVER"}
    assert {
        ("cnop-edge", "POST /api/v1/orders"),
        ("cnop-auth", "cnop.auth.v1.AuthService/ValidateToken"),
        ("cnop-order", "cnop.order.v1.OrderService/CreateOrder"),
        ("cnop-inventory", "cnop.inventory.v1.InventoryService/GetPrices"),
    } <= server_spans
    order_spans = [span for span in found if span["service"] == "cnop-order"]
    assert any(span["name"] == "DynamoDB.TransactWriteItems" for span in order_spans)
    assert any(span["attributes"].get("db.system") == "redis" for span in order_spans)

    for component in ("edge", "auth", "order", "inventory"):
        lines = [line for line in log_lines(observed, component)
                 if line.get("request_id") == scenario.request_ids["buy"]]  # fmt: skip
        assert lines, component
        assert {line["trace_id"] for line in lines} == {trace_id}, component


def test_one_trace_links_a_login_through_the_user_and_auth_services(
    observed: Mesh, scenario: Scenario
) -> None:
    _, found = trace_of(observed, scenario.request_ids["login"])
    assert_one_tree(found)
    server_spans = {(span["service"], span["name"]) for span in found if span["kind"] == "SERVER"}
    assert {
        ("cnop-edge", "POST /api/v1/auth/login"),
        ("cnop-user", "cnop.user.v1.UserService/Login"),
        ("cnop-auth", "cnop.auth.v1.AuthService/IssueToken"),
    } <= server_spans
    assert any(span["name"] == "DynamoDB.GetItem" for span in found)
