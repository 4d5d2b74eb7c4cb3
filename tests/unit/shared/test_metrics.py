"""gRPC metrics: labels, status codes and durations of the calls served and made."""

from __future__ import annotations

from typing import Any

import grpc
import pytest
from grpc_health.v1 import health_pb2
from prometheus_client import REGISTRY

from shared.metrics import (
    ClientMetricsInterceptor,
    ServerMetricsInterceptor,
    publish_health,
    rpc_labels,
)

CREATE_ORDER = "/cnop.order.v1.OrderService/CreateOrder"


class FakeContext:
    """The part of grpc.ServicerContext the interceptor reads."""

    def __init__(self) -> None:
        self._code: grpc.StatusCode | None = None

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        self._code = code
        raise Exception(details)  # as grpc's own abort does

    def code(self) -> grpc.StatusCode | None:
        return self._code


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def server_labels(code: str | None = None) -> dict[str, str]:
    labels = {"grpc_type": "unary", "grpc_service": "cnop.order.v1.OrderService",
              "grpc_method": "CreateOrder"}  # fmt: skip
    return labels if code is None else {**labels, "grpc_code": code}


def test_rpc_labels_come_from_the_descriptors() -> None:
    assert health_pb2.DESCRIPTOR  # a server has loaded the health service's descriptors
    assert rpc_labels(CREATE_ORDER) == ("unary", "cnop.order.v1.OrderService", "CreateOrder")
    assert rpc_labels("/grpc.health.v1.Health/Watch")[0] == "server_stream"
    assert rpc_labels("/no.such.Service/Call") == ("unary", "no.such.Service", "Call")


def test_server_counts_answers_by_code_and_times_them() -> None:
    before = {code: sample("grpc_server_handled_total", **server_labels(code))
              for code in ("OK", "NOT_FOUND")}  # fmt: skip
    started = sample("grpc_server_started_total", **server_labels())
    timed = sample("grpc_server_handling_seconds_count", **server_labels())
    interceptor = ServerMetricsInterceptor()

    assert interceptor.intercept(lambda request, context: "reply", None, FakeContext(),
                                 CREATE_ORDER) == "reply"  # fmt: skip

    def refuse(request: Any, context: FakeContext) -> None:
        context.abort(grpc.StatusCode.NOT_FOUND, "no")

    with pytest.raises(Exception, match="no"):
        interceptor.intercept(refuse, None, FakeContext(), CREATE_ORDER)

    for code, count in before.items():
        assert sample("grpc_server_handled_total", **server_labels(code)) == count + 1
    assert sample("grpc_server_started_total", **server_labels()) == started + 2
    assert sample("grpc_server_handling_seconds_count", **server_labels()) == timed + 2


def test_a_crash_without_a_status_counts_as_unknown() -> None:
    before = sample("grpc_server_handled_total", **server_labels("UNKNOWN"))

    def crash(request: Any, context: FakeContext) -> None:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        ServerMetricsInterceptor().intercept(crash, None, FakeContext(), CREATE_ORDER)
    assert sample("grpc_server_handled_total", **server_labels("UNKNOWN")) == before + 1


class Outcome:
    def __init__(self, code: grpc.StatusCode) -> None:
        self._code = code

    def code(self) -> grpc.StatusCode:
        return self._code


def test_client_counts_calls_by_the_code_they_ended_with() -> None:
    labels = {"grpc_type": "unary", "grpc_service": "cnop.inventory.v1.InventoryService",
              "grpc_method": "GetPrices", "grpc_code": "UNAVAILABLE"}  # fmt: skip
    before = sample("grpc_client_handled_total", **labels)
    details = grpc.ClientCallDetails()
    details.method = "/cnop.inventory.v1.InventoryService/GetPrices"  # type: ignore[attr-defined]
    outcome = Outcome(grpc.StatusCode.UNAVAILABLE)
    assert ClientMetricsInterceptor().intercept(lambda r, d: outcome, None, details) is outcome
    assert sample("grpc_client_handled_total", **labels) == before + 1


def test_health_is_published_per_service() -> None:
    publish_health(["cnop.test.v1.A", "cnop.test.v1.B"], serving=True)
    assert sample("cnop_health_serving", grpc_service="cnop.test.v1.A") == 1
    publish_health(["cnop.test.v1.A"], serving=False)
    assert sample("cnop_health_serving", grpc_service="cnop.test.v1.A") == 0
    assert sample("cnop_health_serving", grpc_service="cnop.test.v1.B") == 1
