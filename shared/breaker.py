"""Circuit breakers: one per upstream, so a dead service is answered for, not waited on.

    CLOSED ── failure rate >= threshold over the window, with enough calls ──▶ OPEN
    OPEN ── `open_seconds` later ──▶ HALF_OPEN (admits `trial_calls` calls at a time)
    HALF_OPEN ── `trial_calls` successes ──▶ CLOSED;  any failure ──▶ OPEN

Only transport-level failures count (the service is down, slow or broken): UNAVAILABLE,
DEADLINE_EXCEEDED, INTERNAL and UNKNOWN, unless the upstream itself chose that answer and
said why (a CNOP error code in the status details, such as "my own dependency is down").
A business answer such as NOT_FOUND proves the upstream works and counts as a success.
While open, calls fail at once with a retryable SERVICE_UNAVAILABLE. Every state change
is logged and exported as a gauge.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import grpc
from grpc_interceptor import ClientInterceptor
from prometheus_client import Counter, Gauge

from shared.errors import ServiceUnavailable, read_status_details

logger = logging.getLogger("cnop.breaker")

TRANSPORT_FAILURES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
    }
)

BREAKER_STATE = Gauge(
    "cnop_circuit_breaker_state",
    "State of the circuit breaker per upstream: 0 closed, 1 half-open, 2 open.",
    ["upstream"],
)
BREAKER_TRANSITIONS = Counter(
    "cnop_circuit_breaker_transitions_total",
    "Circuit breaker state changes per upstream and new state.",
    ["upstream", "state"],
)


def is_transport_failure(code: grpc.StatusCode | None, trailing_metadata: Any) -> bool:
    """Whether a call's outcome says the upstream is down, slow or broken."""
    if code not in TRANSPORT_FAILURES:
        return False
    return read_status_details(trailing_metadata).code is None


class BreakerState(IntEnum):
    CLOSED = 0
    HALF_OPEN = 1
    OPEN = 2


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """When a breaker opens and how it recovers."""

    window_seconds: float = 10.0
    minimum_calls: int = 10
    failure_rate: float = 0.5
    open_seconds: float = 5.0
    trial_calls: int = 3


class CircuitBreaker:
    """The breaker of one upstream; thread-safe."""

    def __init__(
        self,
        upstream: str,
        policy: BreakerPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.upstream = upstream
        self.policy = policy or BreakerPolicy()
        self._clock = clock
        self._lock = threading.Lock()
        self._outcomes: deque[tuple[float, bool]] = deque()  # (when, failed)
        # Failures among `_outcomes`, kept as they come and go: counting them on every call
        # would cost time in proportion to the calls in the window, that is, to the load.
        self._failures = 0
        self._state = BreakerState.CLOSED
        self._opened_at = 0.0
        self._trials_running = 0
        self._trial_successes = 0
        BREAKER_STATE.labels(upstream).set(BreakerState.CLOSED)
        for state in BreakerState:  # every transition series exists, at 0, from the start
            BREAKER_TRANSITIONS.labels(upstream, state.name.lower())

    @property
    def state(self) -> BreakerState:
        with self._lock:
            self._maybe_half_open()
            return self._state

    def retry_after_seconds(self) -> int:
        """Whole seconds until the breaker lets a trial call through (at least 1)."""
        remaining = self._opened_at + self.policy.open_seconds - self._clock()
        return max(1, math.ceil(remaining))

    def admit(self) -> None:
        """Lets a call through, or raises a retryable SERVICE_UNAVAILABLE while open."""
        with self._lock:
            self._maybe_half_open()
            if self._state is BreakerState.CLOSED:
                return
            if self._state is BreakerState.HALF_OPEN and (
                self._trials_running < self.policy.trial_calls
            ):
                self._trials_running += 1
                return
            retry_after = self.retry_after_seconds()
        raise ServiceUnavailable(
            f"The {self.upstream} service is unavailable; try again shortly",
            retry_after_seconds=retry_after,
        )

    def record(self, failed: bool) -> None:
        """Counts the outcome of an admitted call."""
        with self._lock:
            now = self._clock()
            if self._state is BreakerState.HALF_OPEN:
                self._trials_running = max(0, self._trials_running - 1)
                if failed:
                    self._change(BreakerState.OPEN, now)
                    return
                self._trial_successes += 1
                if self._trial_successes >= self.policy.trial_calls:
                    self._change(BreakerState.CLOSED, now)
                return
            self._outcomes.append((now, failed))
            self._failures += failed
            self._forget_before(now - self.policy.window_seconds)
            if self._state is BreakerState.CLOSED and self._should_open():
                self._change(BreakerState.OPEN, now)

    def _should_open(self) -> bool:
        calls = len(self._outcomes)
        if calls < self.policy.minimum_calls:
            return False
        return self._failures / calls >= self.policy.failure_rate

    def _forget_before(self, horizon: float) -> None:
        while self._outcomes and self._outcomes[0][0] < horizon:
            _, failed = self._outcomes.popleft()
            self._failures -= failed

    def _maybe_half_open(self) -> None:
        if self._state is BreakerState.OPEN and (
            self._clock() - self._opened_at >= self.policy.open_seconds
        ):
            self._change(BreakerState.HALF_OPEN, self._clock())

    def _change(self, state: BreakerState, now: float) -> None:
        previous, self._state = self._state, state
        self._outcomes.clear()
        self._failures = 0
        self._trials_running = 0
        self._trial_successes = 0
        if state is BreakerState.OPEN:
            self._opened_at = now
        BREAKER_STATE.labels(self.upstream).set(state)
        BREAKER_TRANSITIONS.labels(self.upstream, state.name.lower()).inc()
        log = logger.warning if state is BreakerState.OPEN else logger.info
        log(
            "circuit breaker for %s: %s -> %s",
            self.upstream,
            previous.name.lower(),
            state.name.lower(),
            extra={"event": "breaker", "upstream": self.upstream, "state": state.name.lower()},
        )


class BreakerInterceptor(ClientInterceptor):
    """Guards every call on a channel with the upstream's circuit breaker."""

    def __init__(self, breaker: CircuitBreaker) -> None:
        self.breaker = breaker

    def intercept(
        self,
        method: Callable[..., Any],
        request_or_iterator: Any,
        call_details: grpc.ClientCallDetails,
    ) -> Any:
        self.breaker.admit()
        try:
            outcome = method(request_or_iterator, call_details)
            failed = is_transport_failure(outcome.code(), outcome.trailing_metadata())
        except grpc.RpcError as error:
            failed = is_transport_failure(error.code(), error.trailing_metadata())
            self.breaker.record(failed=failed)
            raise
        self.breaker.record(failed=failed)
        return outcome
