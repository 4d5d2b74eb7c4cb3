"""Trace context across gRPC metadata, and the request context in every RPC log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from grpc_interceptor import ClientCallDetails
from opentelemetry import trace
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags

from shared.interceptors import RequestContextInterceptor
from shared.logs import JsonFormatter, user_id_var
from shared.tracing import ClientTracingInterceptor, ServerTracingInterceptor

TRACE_ID = 0x0AF7651916CD43DD8448EB211C80319C
SPAN_ID = 0x00F067AA0BA902B7
TRACEPARENT = f"00-{TRACE_ID:032x}-{SPAN_ID:016x}-01"


class FakeContext:
    """The part of grpc.ServicerContext the server interceptors read."""

    def __init__(self, metadata: list[tuple[str, str]]) -> None:
        self.metadata = metadata

    def invocation_metadata(self) -> list[tuple[str, str]]:
        return self.metadata

    def time_remaining(self) -> float | None:
        return None

    def code(self) -> grpc.StatusCode | None:
        return None


@pytest.fixture
def rpc_log() -> Iterator[io.StringIO]:
    """The JSON lines the RPC logger writes, formatted as they are written."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("test"))
    logger = logging.getLogger("cnop.rpc")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)


def current_trace_id() -> int:
    return trace.get_current_span().get_span_context().trace_id


def test_outgoing_calls_carry_the_current_trace() -> None:
    sent: list[Any] = []
    parent = NonRecordingSpan(SpanContext(TRACE_ID, SPAN_ID, is_remote=False,
                                          trace_flags=TraceFlags(TraceFlags.SAMPLED)))  # fmt: skip

    class Outcome:
        def code(self) -> grpc.StatusCode:
            return grpc.StatusCode.OK

    def call(request: Any, details: grpc.ClientCallDetails) -> Outcome:
        sent.extend(details.metadata or ())
        return Outcome()

    details = ClientCallDetails("/cnop.test.v1.T/Call", 1.0, [("x-request-id", "r1")], None, None,
                                None)  # fmt: skip
    with trace.use_span(parent):
        ClientTracingInterceptor().intercept(call, None, details)
    headers = dict(sent)
    assert headers["x-request-id"] == "r1"
    assert headers["traceparent"].split("-")[1] == f"{TRACE_ID:032x}"


def test_the_server_continues_the_callers_trace_and_logs_its_id(rpc_log: io.StringIO) -> None:
    seen: list[int] = []

    def handler(request: Any, context: Any) -> str:
        seen.append(current_trace_id())
        return "reply"

    context = FakeContext([("traceparent", TRACEPARENT), ("x-request-id", "req-1")])
    inner = RequestContextInterceptor()
    reply = ServerTracingInterceptor().intercept(
        lambda request, ctx: inner.intercept(handler, request, ctx, "/cnop.test.v1.T/Call"),
        None, context, "/cnop.test.v1.T/Call",
    )  # fmt: skip
    assert reply == "reply"
    assert seen == [TRACE_ID]
    line = json.loads(rpc_log.getvalue())
    assert line["trace_id"] == f"{TRACE_ID:032x}"
    assert line["request_id"] == "req-1"


def test_the_rpc_line_names_the_verified_caller_who_is_then_forgotten(
    rpc_log: io.StringIO,
) -> None:
    def verified(request: Any, context: Any) -> str:
        user_id_var.set("alice")  # as the token interceptor does after verifying the token
        return "reply"

    outside = user_id_var.set("nobody")
    try:
        RequestContextInterceptor().intercept(verified, None, FakeContext([]), "/cnop.test.v1.T/C")
        assert json.loads(rpc_log.getvalue())["user_id"] == "alice"
        assert user_id_var.get() == "nobody"
    finally:
        user_id_var.reset(outside)
