"""Prometheus metrics of the edge, and the `GET /metrics` page that exposes them.

- `cnop_http_requests_total{method, route, status}` and the
  `cnop_http_request_duration_seconds{method, route, status}` histogram: every HTTP
  request, labelled by the route TEMPLATE (`/api/v1/orders/{order_id}`), never the raw
  path; a path that matches no route is `unmatched`, an unusual method `OTHER`.
- `cnop_rate_limited_requests_total{rate_limit_class}` and
  `cnop_rate_limiter_errors_total`: defined and counted by `edge.ratelimit`; every class
  starts at zero here, so rates and alerts see the series before the first refusal.
- `grpc_client_*` for the calls to the services (`shared.metrics`, through
  `edge.telemetry`), and `cnop_circuit_breaker_state` of the edge's breakers.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST, Counter, Histogram, generate_latest
from starlette.requests import Request
from starlette.responses import Response

from edge.ratelimit import CLASS_NAMES, RATE_LIMITED
from shared.metrics import LATENCY_BUCKETS

UNMATCHED_ROUTE = "unmatched"
OTHER_METHOD = "OTHER"
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
HTTP_LABELS = ["method", "route", "status"]

HTTP_REQUESTS = Counter(
    "cnop_http_requests_total",
    "HTTP requests the edge answered, by method, route template and status.",
    HTTP_LABELS,
)
HTTP_DURATION = Histogram(
    "cnop_http_request_duration_seconds",
    "Time from receiving an HTTP request until its response was sent.",
    HTTP_LABELS,
    buckets=LATENCY_BUCKETS,
)

for _class_name in sorted(set(CLASS_NAMES.values())):
    RATE_LIMITED.labels(_class_name)


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    """Counts and times one answered request."""
    labels = (method if method in KNOWN_METHODS else OTHER_METHOD, route, str(status))
    HTTP_REQUESTS.labels(*labels).inc()
    HTTP_DURATION.labels(*labels).observe(seconds)


async def metrics_page(request: Request) -> Response:
    """`GET /metrics`: the process's metrics in the Prometheus text format."""
    return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
