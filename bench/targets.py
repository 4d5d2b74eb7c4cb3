"""CNOP's performance targets, judged on one run's results.

- The edge adds at most 1 ms at p50 over a direct gRPC call, for every route class.
- Market orders through the edge reach at least 60 % of the store's own ceiling.
- At half the saturation rate, p99 of a market order is under 50 ms.
"""

from __future__ import annotations

from typing import Any

MAX_EDGE_OVERHEAD_MS = 1.0
MIN_SHARE_OF_STORE = 0.6
MAX_ORDER_P99_MS = 50.0


def verdicts(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Each target that the run has the numbers for: met or not, and the numbers."""
    found: dict[str, dict[str, Any]] = {}
    comparison = result.get("comparison")
    if comparison:
        overheads = {route: row["overhead"] for route, row in comparison["p50_ms"].items()}
        worst = max(overheads, key=lambda route: overheads[route])
        found["edge overhead at p50 <= 1 ms"] = {
            "met": overheads[worst] <= MAX_EDGE_OVERHEAD_MS,
            "detail": f"worst {worst} +{overheads[worst]:.2f} ms; all: {overheads}",
        }
    orders = result.get("orders")
    if orders:
        found["market orders >= 60% of the store ceiling"] = {
            "met": orders["share_of_store_ceiling"] >= MIN_SHARE_OF_STORE,
            "detail": f"{orders['orders_per_second']}/s vs {result['store']['ceiling']}/s "
            f"({orders['share_of_store_ceiling']:.0%})",
        }
    half = result.get("half_saturation")
    if half:
        p99 = half["step"]["routes"]["market orders"]["p99"]
        found["market order p99 < 50 ms at half saturation"] = {
            "met": p99 < MAX_ORDER_P99_MS,
            "detail": f"p99 {p99:.1f} ms at {half['rate']:.1f}/s",
        }
    return found
