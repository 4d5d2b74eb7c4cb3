"""The circuit breaker's state machine, on a clock the test controls."""

from __future__ import annotations

import pytest

from shared.breaker import BreakerPolicy, BreakerState, CircuitBreaker
from shared.errors import ServiceUnavailable

POLICY = BreakerPolicy(
    window_seconds=10, minimum_calls=4, failure_rate=0.5, open_seconds=5, trial_calls=2
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def breaker(clock: Clock) -> CircuitBreaker:
    return CircuitBreaker("inventory", POLICY, clock)


def calls(breaker: CircuitBreaker, *failed: bool) -> None:
    for outcome in failed:
        breaker.admit()
        breaker.record(failed=outcome)


def test_stays_closed_below_the_minimum_number_of_calls(breaker: CircuitBreaker) -> None:
    calls(breaker, True, True, True)
    assert breaker.state is BreakerState.CLOSED


def test_opens_on_the_failure_rate_and_answers_at_once(breaker: CircuitBreaker) -> None:
    calls(breaker, False, True, False, True)
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(ServiceUnavailable) as refused:
        breaker.admit()
    assert refused.value.retry_after_seconds == 5
    assert "inventory" in refused.value.message


def test_failures_older_than_the_window_are_forgotten(
    breaker: CircuitBreaker, clock: Clock
) -> None:
    calls(breaker, True, True)
    clock.now += 11
    calls(breaker, False, False, True)
    assert breaker.state is BreakerState.CLOSED


def test_half_open_admits_a_bounded_number_of_trials(breaker: CircuitBreaker, clock: Clock) -> None:
    calls(breaker, True, True, True, True)
    clock.now += 5
    assert breaker.state is BreakerState.HALF_OPEN
    breaker.admit()
    breaker.admit()
    with pytest.raises(ServiceUnavailable):
        breaker.admit()


def test_successful_trials_close_it(breaker: CircuitBreaker, clock: Clock) -> None:
    calls(breaker, True, True, True, True)
    clock.now += 5
    calls(breaker, False, False)
    assert breaker.state is BreakerState.CLOSED
    calls(breaker, True)  # one failure after closing does not reopen it
    assert breaker.state is BreakerState.CLOSED


def test_a_failed_trial_opens_it_again(breaker: CircuitBreaker, clock: Clock) -> None:
    calls(breaker, True, True, True, True)
    clock.now += 5
    calls(breaker, True)
    assert breaker.state is BreakerState.OPEN
    clock.now += 4
    with pytest.raises(ServiceUnavailable):
        breaker.admit()
