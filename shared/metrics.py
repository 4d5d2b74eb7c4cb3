"""Prometheus metrics of every gRPC process: calls served, calls made, and health.

The names and labels follow the conventional gRPC exporters, so stock dashboards work:

- `grpc_server_started_total`, `grpc_server_handled_total` (with `grpc_code`) and the
  `grpc_server_handling_seconds` histogram, labelled `grpc_type`, `grpc_service` and
  `grpc_method`, recorded by `ServerMetricsInterceptor` for every RPC a service answers;
- the same with `grpc_client_` for every call a process makes to another service,
  recorded by `ClientMetricsInterceptor` (and at the edge by its asyncio interceptor);
- `cnop_health_serving{grpc_service}`: 1 while the service reports SERVING, else 0.

Other metrics live beside what they measure: `shared.breaker` (circuit breakers),
`inventory.feed` (price feed), `edge.metrics`, `order.metrics` and `user.metrics`.
Every process exposes the default registry: a service on its own HTTP port
(`start_metrics_server`), the edge at `GET /metrics`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import grpc
import prometheus_client
from google.protobuf import descriptor_pool
from grpc_interceptor import ClientInterceptor, ServerInterceptor
from prometheus_client import Counter, Gauge, Histogram

logger = logging.getLogger(__name__)

# From a cached read to a slow transaction: finer than the default buckets at the low end.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
RPC_LABELS = ["grpc_type", "grpc_service", "grpc_method"]

SERVER_STARTED = Counter("grpc_server_started_total", "RPCs started on the server.", RPC_LABELS)
SERVER_HANDLED = Counter(
    "grpc_server_handled_total",
    "RPCs completed on the server, by status code.",
    [*RPC_LABELS, "grpc_code"],
)
SERVER_HANDLING = Histogram(
    "grpc_server_handling_seconds",
    "Time the server took to answer an RPC.",
    RPC_LABELS,
    buckets=LATENCY_BUCKETS,
)
CLIENT_STARTED = Counter(
    "grpc_client_started_total", "RPCs started by this process as a client.", RPC_LABELS
)
CLIENT_HANDLED = Counter(
    "grpc_client_handled_total",
    "RPCs this process made that completed, by status code.",
    [*RPC_LABELS, "grpc_code"],
)
CLIENT_HANDLING = Histogram(
    "grpc_client_handling_seconds",
    "Time from starting an RPC as a client until its answer.",
    RPC_LABELS,
    buckets=LATENCY_BUCKETS,
)
HEALTH_SERVING = Gauge(
    "cnop_health_serving",
    "1 while the gRPC health of a service is SERVING, else 0.",
    ["grpc_service"],
)


@cache
def rpc_labels(full_method: str) -> tuple[str, str, str]:
    """(grpc_type, grpc_service, grpc_method) of "/package.Service/Method"."""
    service, _, method = full_method.lstrip("/").rpartition("/")
    try:
        found = descriptor_pool.Default().FindMethodByName(f"{service}.{method}")
    except KeyError:
        return "unary", service, method
    if found.client_streaming and found.server_streaming:
        kind = "bidi_stream"
    elif found.client_streaming:
        kind = "client_stream"
    elif found.server_streaming:
        kind = "server_stream"
    else:
        kind = "unary"
    return kind, service, method


def status_name(code: grpc.StatusCode | None) -> str:
    """The name of a status code, treating "not set" as OK."""
    return (code or grpc.StatusCode.OK).name


def observe_server(full_method: str, code: str, seconds: float) -> None:
    labels = rpc_labels(full_method)
    SERVER_HANDLED.labels(*labels, code).inc()
    SERVER_HANDLING.labels(*labels).observe(seconds)


def started_client(full_method: str) -> None:
    CLIENT_STARTED.labels(*rpc_labels(full_method)).inc()


def observe_client(full_method: str, code: str, seconds: float) -> None:
    labels = rpc_labels(full_method)
    CLIENT_HANDLED.labels(*labels, code).inc()
    CLIENT_HANDLING.labels(*labels).observe(seconds)


class ServerMetricsInterceptor(ServerInterceptor):
    """Counts and times every RPC the server answers; the outermost interceptor."""

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        context: grpc.ServicerContext,
        method_name: str,
    ) -> Any:
        SERVER_STARTED.labels(*rpc_labels(method_name)).inc()
        started = time.perf_counter()
        try:
            reply = method(request_or_iterator, context)
        except Exception:
            # An abort sets the code before it raises; gRPC answers UNKNOWN to anything else.
            code = context.code() or grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]
            observe_server(method_name, status_name(code), time.perf_counter() - started)
            raise
        code = context.code()  # type: ignore[attr-defined]
        observe_server(method_name, status_name(code), time.perf_counter() - started)
        return reply


class ClientMetricsInterceptor(ClientInterceptor):
    """Counts and times every call that goes out on a channel."""

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        call_details: grpc.ClientCallDetails,
    ) -> Any:
        started_client(call_details.method)
        started = time.perf_counter()
        try:
            outcome = method(request_or_iterator, call_details)
            code = outcome.code()
        except grpc.RpcError as error:
            code = error.code()
            observe_client(call_details.method, status_name(code), time.perf_counter() - started)
            raise
        observe_client(call_details.method, status_name(code), time.perf_counter() - started)
        return outcome


def publish_health(grpc_services: Iterable[str], serving: bool) -> None:
    """Sets `cnop_health_serving` of each named service."""
    for name in grpc_services:
        HEALTH_SERVING.labels(name).set(int(serving))


def configure_metrics() -> None:
    """Process-wide exposition settings; call once at start-up."""
    # `_created` series double what Prometheus stores and no CNOP dashboard reads them.
    prometheus_client.disable_created_metrics()


def start_metrics_server(host: str, port: int) -> Callable[[], None]:
    """Serves the default registry over HTTP on `host`:`port`; returns what stops it."""
    try:
        server, _thread = prometheus_client.start_http_server(port, host)
    except OSError as error:
        raise SystemExit(f"cannot serve metrics on port {port}: {error}") from None
    logger.info("metrics on port %d", port, extra={"event": "startup"})
    return server.shutdown
