"""The saturation point: the highest offered rate whose p99 stays under the limit, error-free.

A stepped search: rates grow by `GROWTH` from `start` until a step fails, then the gap
between the best passing rate and the lowest failing one is halved (geometrically) until
it is within `RESOLUTION`, or the time budget is spent. Each step is a fresh open-loop
run at one rate. On a shared machine a step can fail for a neighbour's burst, so the
search reports every step it ran, not just the answer.
"""

from __future__ import annotations

import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bench.load import StepResult

GROWTH = 1.5
RESOLUTION = 1.1  # stop when the failing rate is within 10 % of the passing one
MIN_RATE = 2.0


@dataclass
class Criteria:
    """What a step must show to pass."""

    p99_ms: float = 100.0
    min_answered_share: float = 0.95

    def failures(self, result: StepResult) -> list[str]:
        """Why a step fails these criteria; empty when it passes."""
        overall = result.routes["all"]
        reasons = []
        if overall.errors:
            reasons.append(f"{overall.errors} errors")
        if not overall.p99 < self.p99_ms:
            reasons.append(f"p99 {overall.p99:.0f} ms")
        if result.answered_rate < self.min_answered_share * (result.offered_rate or 0.0):
            reasons.append(f"answered {result.answered_rate:.0f}/s")
        return reasons


@dataclass
class Search:
    """The steps of one search and its answer."""

    criteria: Criteria
    steps: list[dict[str, Any]] = field(default_factory=list)
    passed: list[float] = field(default_factory=list)
    failed: list[float] = field(default_factory=list)

    @property
    def passing(self) -> float | None:
        """The highest rate that passed."""
        return max(self.passed, default=None)

    @property
    def failing(self) -> float | None:
        """The lowest failing rate above the passing one (a noisy step below it is ignored)."""
        floor = self.passing or 0.0
        return min((rate for rate in self.failed if rate > floor), default=None)

    def next_rate(self, rate: float) -> float | None:
        """The rate to try after `rate`, or None when the search is done."""
        passing, failing = self.passing, self.failing
        if failing is None:
            return rate * GROWTH
        if passing is None:
            lower = rate / GROWTH
            return lower if lower >= MIN_RATE else None
        if failing / passing <= RESOLUTION:
            return None
        return math.sqrt(passing * failing)

    def as_dict(self) -> dict[str, Any]:
        return {
            "saturation_rate": round(self.passing, 1) if self.passing else None,
            "first_failing_rate": round(self.failing, 1) if self.failing else None,
            "p99_limit_ms": self.criteria.p99_ms,
            "steps": self.steps,
        }


async def find_saturation(
    step: Callable[[float], Awaitable[StepResult]],
    start: float,
    budget_seconds: float,
    criteria: Criteria | None = None,
    report: Callable[[str], None] = print,
) -> Search:
    """Steps through rates with `step(rate)` until the saturation point is bracketed."""
    search = Search(criteria or Criteria())
    deadline = time.monotonic() + budget_seconds
    rate: float | None = start
    while rate is not None and time.monotonic() < deadline:
        result = await step(rate)
        reasons = search.criteria.failures(result)
        overall = result.routes["all"]
        search.steps.append({**result.as_dict(), "passed": not reasons, "why": reasons})
        report(
            f"  {rate:7.1f}/s offered  {result.answered_rate:7.1f}/s answered  "
            f"p50 {overall.p50:6.1f} ms  p99 {overall.p99:6.1f} ms  errors {overall.errors:3d}  "
            f"other load {result.other_cores} cores  "
            f"{'pass' if not reasons else 'FAIL: ' + ', '.join(reasons)}"
        )
        (search.failed if reasons else search.passed).append(rate)
        rate = search.next_rate(rate)
    return search
