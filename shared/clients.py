"""Channels for calls between services, with the client interceptor chain.

Every outgoing call carries the request id of the RPC being served and a deadline: the
caller's remaining time when it has one, capped by `DEFAULT_DEADLINE_SECONDS`. So a
deadline set at the edge shrinks along every hop instead of restarting at each one. A
circuit breaker per upstream fails calls fast while the upstream is down, and transport
failures reach the caller as SERVICE_UNAVAILABLE or DEADLINE_EXCEEDED naming the upstream.
Each call that goes out is counted and timed (`grpc_client_*`) and gets a client span
whose W3C trace context travels in its metadata.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import grpc
from grpc_interceptor import ClientCallDetails, ClientInterceptor

from shared.breaker import BreakerInterceptor, BreakerPolicy, CircuitBreaker
from shared.errors import DeadlineExceeded, ServiceUnavailable, read_status_details
from shared.interceptors import REQUEST_ID_HEADER, deadline_var
from shared.logs import request_id_var
from shared.metrics import ClientMetricsInterceptor
from shared.settings import Settings
from shared.tracing import ClientTracingInterceptor

DEFAULT_DEADLINE_SECONDS = 5.0
CHANNEL_OPTIONS = [
    # Reconnect quickly after a service restarts instead of backing off for minutes.
    ("grpc.initial_reconnect_backoff_ms", 200),
    ("grpc.max_reconnect_backoff_ms", 2000),
    ("grpc.keepalive_time_ms", 30_000),
    # Spread calls over every address the name resolves to: behind a headless Service,
    # every replica, instead of one long-lived connection to whichever answered first.
    ("grpc.lb_policy_name", "round_robin"),
    ("grpc.dns_min_time_between_resolutions_ms", 10_000),
]


def remaining_seconds(default: float = DEFAULT_DEADLINE_SECONDS) -> float:
    """The time left for an outgoing call: the served RPC's remainder, at most `default`."""
    deadline = deadline_var.get()
    if deadline is None:
        return default
    return max(0.0, min(default, deadline - time.monotonic()))


class ContextPropagationInterceptor(ClientInterceptor):
    """Adds the request id and the remaining deadline to every outgoing call."""

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        call_details: grpc.ClientCallDetails,
    ) -> Any:
        metadata = list(call_details.metadata or ())
        request_id = request_id_var.get()
        if request_id is not None:
            metadata.append((REQUEST_ID_HEADER, request_id))
        timeout = call_details.timeout
        if timeout is None:
            timeout = remaining_seconds()
        details = ClientCallDetails(
            call_details.method,
            timeout,
            metadata,
            call_details.credentials,
            call_details.wait_for_ready,
            call_details.compression,
        )
        return method(request_or_iterator, details)


class UpstreamErrorInterceptor(ClientInterceptor):
    """Turns a transport failure of an outgoing call into the caller's own domain error.

    A dead or slow upstream then reaches the client as 503 or 504 naming the upstream,
    not as an internal error. Other statuses are the upstream's answer and pass through.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        call_details: grpc.ClientCallDetails,
    ) -> Any:
        outcome = method(request_or_iterator, call_details)
        code = outcome.code()
        if code == grpc.StatusCode.UNAVAILABLE:
            details = read_status_details(outcome.trailing_metadata())
            if details.code is not None:  # the upstream's own answer: keep its words
                raise ServiceUnavailable(
                    outcome.details(), retry_after_seconds=details.retry_after_seconds or 1
                )
            raise ServiceUnavailable(
                f"The {self.upstream} service is unavailable; try again shortly"
            )
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            raise DeadlineExceeded(f"The {self.upstream} service did not answer in time")
        return outcome


_breakers: dict[str, CircuitBreaker] = {}


def breaker_for(settings: Settings, service: str) -> CircuitBreaker:
    """The process's one circuit breaker for calls to `service`."""
    breaker = _breakers.get(service)
    if breaker is None:
        policy = BreakerPolicy(
            window_seconds=settings.breaker_window_seconds,
            minimum_calls=settings.breaker_minimum_calls,
            failure_rate=settings.breaker_failure_rate,
            open_seconds=settings.breaker_open_seconds,
            trial_calls=settings.breaker_trial_calls,
        )
        breaker = _breakers[service] = CircuitBreaker(service, policy)
    return breaker


def service_channel(settings: Settings, service: str) -> grpc.Channel:
    """A channel to `service` ("auth", "inventory", ...) through the interceptor chain:
    transport errors as domain errors, request id and deadline, the breaker, then metrics
    and a span for each call the breaker lets through."""
    channel = grpc.insecure_channel(settings.service_addr(service), CHANNEL_OPTIONS)
    return grpc.intercept_channel(
        channel,
        UpstreamErrorInterceptor(service),
        ContextPropagationInterceptor(),
        BreakerInterceptor(breaker_for(settings, service)),
        ClientMetricsInterceptor(),
        ClientTracingInterceptor(),
    )
