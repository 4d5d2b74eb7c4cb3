"""Traces and metrics of the edge: a span per HTTP request, a client span per call.

`RequestTelemetry` opens the request's server span (continuing a W3C `traceparent` that
the client or an ingress sent, if any) and makes it current, so every log line of the
request carries its trace id and every call to a service continues the trace. Its
`finish` names the span after the route template and records the HTTP metrics.

`UpstreamTelemetryInterceptor` sits on the edge's asyncio channels: each call gets a
client span, its context in the `traceparent` metadata, and the `grpc_client_*` metrics.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.requests import Request

from edge.metrics import observe_request
from shared.metrics import observe_client, started_client, status_name
from shared.tracing import end_rpc_span, inject_headers, rpc_attributes, tracer

SERVER_ERROR = 500


class RequestTelemetry:
    """The span and the metrics of one HTTP request; `finish` once it is answered."""

    def __init__(self, request: Request) -> None:
        self.method = request.method
        self.started = time.perf_counter()
        self.span = tracer.start_span(
            f"HTTP {request.method}",
            context=propagate.extract(request.headers),
            kind=SpanKind.SERVER,
            attributes={"http.request.method": request.method},
        )
        self._token = context.attach(trace.set_span_in_context(self.span))

    def finish(self, route: str, status: int) -> None:
        """Ends the span with the route and status, and counts the request."""
        self.span.update_name(f"{self.method} {route}")
        self.span.set_attribute("http.route", route)
        self.span.set_attribute("http.response.status_code", status)
        if status >= SERVER_ERROR:
            self.span.set_status(Status(StatusCode.ERROR))
        self.span.end()
        context.detach(self._token)
        observe_request(self.method, route, status, time.perf_counter() - self.started)


class UpstreamTelemetryInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    """A client span, trace propagation and `grpc_client_*` metrics for each call."""

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Awaitable[Any]],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        method = _text(client_call_details.method)
        started_client(method)
        started = time.perf_counter()
        with tracer.start_as_current_span(
            method.lstrip("/"),
            kind=SpanKind.CLIENT,
            attributes=rpc_attributes(method),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            metadata = grpc.aio.Metadata(*(client_call_details.metadata or ()))
            for key, value in inject_headers():
                metadata.add(key, value)
            details = grpc.aio.ClientCallDetails(
                client_call_details.method,
                client_call_details.timeout,
                metadata,
                client_call_details.credentials,
                client_call_details.wait_for_ready,
            )
            call = await continuation(details, request)
            code = await call.code()
            end_rpc_span(span, code, server=False)
        observe_client(method, status_name(code), time.perf_counter() - started)
        return call


def _text(method: str | bytes) -> str:
    return method.decode() if isinstance(method, bytes) else method
