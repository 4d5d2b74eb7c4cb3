"""OpenTelemetry traces: one trace per request, across the edge, every service and store.

`configure_tracing` installs the process's tracer provider and instruments botocore (so
every DynamoDB call that PynamoDB makes is a span) and Redis. Spans are always made, so
trace ids exist and reach every log line; they are exported only when asked:

- `CNOP_OTLP_ENDPOINT` (or the standard `OTEL_EXPORTER_OTLP_ENDPOINT`): to an OTLP/gRPC
  collector, in batches;
- `CNOP_TRACE_FILE`: each finished span as one JSON line appended to that file, at once
  (tests read it to follow a request through the mesh).

The trace context travels in W3C `traceparent` metadata: `ClientTracingInterceptor`
opens a client span for each outgoing call and injects it, `ServerTracingInterceptor`
extracts it and opens the server span that the handler, its logs and its store calls
run under. The edge does the same for HTTP requests and its asyncio calls
(`edge.telemetry`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import grpc
from grpc_interceptor import ClientCallDetails, ClientInterceptor, ServerInterceptor
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.botocore import BotocoreInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.utils import suppress_instrumentation
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

from shared.settings import Settings

logger = logging.getLogger(__name__)

TRACER_NAME = "cnop"
SERVICE_NAME_PREFIX = "cnop-"
# Server-side statuses that mean the server failed, per the OpenTelemetry RPC conventions.
SERVER_FAULTS = frozenset(
    {
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.UNIMPLEMENTED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DATA_LOSS,
    }
)

tracer = trace.get_tracer(TRACER_NAME)


class JsonLinesSpanExporter(SpanExporter):
    """Appends each span to a file as one JSON object per line, one write per span."""

    def __init__(self, path: Path) -> None:
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        for span in spans:
            os.write(self._fd, (json.dumps(span_record(span), default=str) + "\n").encode())
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        os.close(self._fd)


def span_record(span: ReadableSpan) -> dict[str, Any]:
    """The fields of a finished span that a reader of the trace file needs."""
    context, parent = span.get_span_context(), span.parent
    return {
        "trace_id": format(context.trace_id, "032x") if context else None,
        "span_id": format(context.span_id, "016x") if context else None,
        "parent_span_id": format(parent.span_id, "016x") if parent else None,
        "name": span.name,
        "kind": span.kind.name,
        "service": span.resource.attributes.get("service.name"),
        "status": span.status.status_code.name,
        "duration_ms": ((span.end_time or 0) - (span.start_time or 0)) / 1e6,
        "attributes": dict(span.attributes or {}),
    }


def configure_tracing(component: str, settings: Settings) -> None:
    """Installs the tracer provider of the process and instruments botocore and Redis."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": SERVICE_NAME_PREFIX + component})
    )
    if settings.otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=settings.otlp_endpoint))
        )
    if settings.trace_file is not None:
        provider.add_span_processor(SimpleSpanProcessor(JsonLinesSpanExporter(settings.trace_file)))
    trace.set_tracer_provider(provider)
    BotocoreInstrumentor().instrument()
    RedisInstrumentor().instrument()
    targets = [str(target) for target in (settings.otlp_endpoint, settings.trace_file) if target]
    logger.info(
        "spans exported to %s", ", ".join(targets) or "no exporter", extra={"event": "startup"}
    )


def untraced() -> AbstractContextManager[None]:
    """A block whose store calls make no spans: background checks that would flood traces."""
    return suppress_instrumentation()


def inject_headers() -> list[tuple[str, str]]:
    """The current trace context as metadata pairs (`traceparent`, maybe `tracestate`)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return list(carrier.items())


def rpc_attributes(full_method: str) -> dict[str, str]:
    service, _, method = full_method.lstrip("/").rpartition("/")
    return {"rpc.system": "grpc", "rpc.service": service, "rpc.method": method}


def end_rpc_span(span: Span, code: grpc.StatusCode, *, server: bool) -> None:
    """Records the status code; marks the span failed as the RPC conventions say."""
    span.set_attribute("rpc.grpc.status_code", code.value[0])
    failed = code in SERVER_FAULTS if server else code is not grpc.StatusCode.OK
    if failed:
        span.set_status(Status(StatusCode.ERROR, code.name))


def _metadata(context: grpc.ServicerContext) -> Mapping[str, str]:
    return {
        key: value for key, value in context.invocation_metadata() or () if isinstance(value, str)
    }


class ServerTracingInterceptor(ServerInterceptor):
    """Continues the caller's trace with a server span around each RPC."""

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        context: grpc.ServicerContext,
        method_name: str,
    ) -> Any:
        parent = propagate.extract(_metadata(context))
        with tracer.start_as_current_span(
            method_name.lstrip("/"),
            context=parent,
            kind=SpanKind.SERVER,
            attributes=rpc_attributes(method_name),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            try:
                reply = method(request_or_iterator, context)
            except Exception:
                code = context.code() or grpc.StatusCode.UNKNOWN  # type: ignore[attr-defined]
                end_rpc_span(span, code, server=True)
                raise
            code = context.code() or grpc.StatusCode.OK  # type: ignore[attr-defined]
            end_rpc_span(span, code, server=True)
            return reply


class ClientTracingInterceptor(ClientInterceptor):
    """Opens a client span for each outgoing call and sends its context along."""

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        call_details: grpc.ClientCallDetails,
    ) -> Any:
        with tracer.start_as_current_span(
            call_details.method.lstrip("/"),
            kind=SpanKind.CLIENT,
            attributes=rpc_attributes(call_details.method),
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            details = ClientCallDetails(
                call_details.method,
                call_details.timeout,
                [*(call_details.metadata or ()), *inject_headers()],
                call_details.credentials,
                call_details.wait_for_ready,
                call_details.compression,
            )
            try:
                outcome = method(request_or_iterator, details)
                code = outcome.code()
            except grpc.RpcError as error:
                end_rpc_span(span, error.code(), server=False)
                raise
            end_rpc_span(span, code, server=False)
            return outcome
