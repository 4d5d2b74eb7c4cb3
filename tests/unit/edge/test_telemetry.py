"""The edge's HTTP metrics and the trace context on its calls to the services."""

from __future__ import annotations

from typing import Any

import grpc
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from prometheus_client import REGISTRY

from edge.metrics import observe_request
from edge.telemetry import UpstreamTelemetryInterceptor

TRACE_ID = 0x4BF92F3577B34DA6A3CE929D0E0E4736


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_requests_are_counted_by_route_template_and_known_methods_only() -> None:
    route = "/api/v1/orders/{order_id}"
    labels = {"method": "OTHER", "route": route, "status": "405"}
    before = sample("cnop_http_requests_total", **labels)
    observe_request("BREW", route, 405, 0.002)
    assert sample("cnop_http_requests_total", **labels) == before + 1
    assert sample("cnop_http_request_duration_seconds_count", **labels) >= 1


def test_every_rate_limit_class_is_exported_before_the_first_refusal() -> None:
    for name in ("read", "account", "trade"):
        assert REGISTRY.get_sample_value("cnop_rate_limited_requests_total",
                                         {"rate_limit_class": name}) is not None  # fmt: skip


class Call:
    async def code(self) -> grpc.StatusCode:
        return grpc.StatusCode.NOT_FOUND


async def test_calls_to_services_carry_the_trace_and_are_counted() -> None:
    sent: list[Any] = []

    async def continuation(details: grpc.aio.ClientCallDetails, request: Any) -> Call:
        sent.extend(details.metadata or ())
        return Call()

    labels = {"grpc_type": "unary", "grpc_service": "cnop.order.v1.OrderService",
              "grpc_method": "GetOrder", "grpc_code": "NOT_FOUND"}  # fmt: skip
    before = sample("grpc_client_handled_total", **labels)
    details = grpc.aio.ClientCallDetails(
        b"/cnop.order.v1.OrderService/GetOrder", 5.0, grpc.aio.Metadata(("x-request-id", "r")),
        None, None,
    )  # fmt: skip
    parent = NonRecordingSpan(SpanContext(TRACE_ID, 1, is_remote=False,
                                          trace_flags=TraceFlags(TraceFlags.SAMPLED)))  # fmt: skip
    with trace.use_span(parent):
        await UpstreamTelemetryInterceptor().intercept_unary_unary(continuation, details, "request")

    headers = dict(sent)
    assert headers["x-request-id"] == "r"
    assert f"{TRACE_ID:032x}" in headers["traceparent"]
    assert sample("grpc_client_handled_total", **labels) == before + 1
