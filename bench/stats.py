"""Latency samples and their summaries: rate, percentiles and errors, per route and overall.

Samples are kept whole (a step holds a few thousand), so percentiles are exact: the value
at rank ceil(p/100 * n), the "nearest rank" definition, with no interpolation.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

PERCENTILES = (50.0, 95.0, 99.0, 99.9)
ALL_ROUTES = "all"
# Routes also summarized together, under the group's name.
GROUPS = {"market orders": ("orders.buy", "orders.sell")}


def percentile(sorted_values: list[float], p: float) -> float:
    """The nearest-rank percentile of already sorted values; NaN when there are none."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class RouteSummary:
    """What one route (or all of them) did during a step. Latencies in milliseconds."""

    requests: int
    errors: int
    rate: float  # answers per second during the measured window
    p50: float
    p95: float
    p99: float
    p999: float
    max: float

    def as_dict(self) -> dict[str, float | int]:
        return {
            key: (round(value, 3) if isinstance(value, float) else value)
            for key, value in vars(self).items()
        }


def summarize(latencies_ms: list[float], errors: int, seconds: float) -> RouteSummary:
    """The summary of one route's latencies (successes and failures alike)."""
    ordered = sorted(latencies_ms)
    p50, p95, p99, p999 = (percentile(ordered, p) for p in PERCENTILES)
    return RouteSummary(
        requests=len(ordered),
        errors=errors,
        rate=len(ordered) / seconds if seconds > 0 else math.nan,
        p50=p50,
        p95=p95,
        p99=p99,
        p999=p999,
        max=ordered[-1] if ordered else math.nan,
    )


@dataclass
class Recorder:
    """Collects the latency of every answered request, and failures with their reasons."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    reasons: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    lags: list[float] = field(default_factory=list)  # ms between intended and actual send

    def record(self, route: str, latency_ms: float, failure: str | None) -> None:
        self.latencies[route].append(latency_ms)
        if failure is not None:
            self.errors[route] += 1
            self.reasons[f"{route}: {failure}"] += 1

    def summaries(self, seconds: float) -> dict[str, RouteSummary]:
        """One summary per route, per group of routes, and `all` for every request."""
        result = {
            route: summarize(values, self.errors[route], seconds)
            for route, values in sorted(self.latencies.items())
        }
        for group, members in {**GROUPS, ALL_ROUTES: tuple(self.latencies)}.items():
            present = [route for route in members if route in self.latencies]
            if group != ALL_ROUTES and len(present) < len(members):
                continue
            merged = [value for route in present for value in self.latencies[route]]
            result[group] = summarize(merged, sum(self.errors[r] for r in present), seconds)
        return result

    def lag_ms(self) -> dict[str, float]:
        """How late the generator sent requests: p50, p99 and max, in milliseconds."""
        ordered = sorted(self.lags)
        return {
            "p50": round(percentile(ordered, 50), 3),
            "p99": round(percentile(ordered, 99), 3),
            "max": round(ordered[-1], 3) if ordered else math.nan,
        }
