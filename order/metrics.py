"""Business metrics of the order service: orders placed and refused, and traded volume.

- `cnop_orders_placed_total{order_type}`: orders executed (a replayed request is not
  counted again);
- `cnop_orders_rejected_total{order_type, reason}`: orders refused, by the error code the
  client saw (`INSUFFICIENT_FUNDS`, `INSUFFICIENT_HOLDINGS`, `ASSET_NOT_TRADEABLE`,
  `VALIDATION_FAILED`);
- `cnop_traded_volume_usd_total{side}`: the cash value of executed orders, `buy` or `sell`.

Values are floats for Prometheus only: the books themselves stay exact decimals.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from cnop.order.v1 import order_pb2
from prometheus_client import Counter

from order.rules import MARKET_TYPES, is_buy
from order.store import OrderRecord
from shared.errors import RuleRefused, ValidationFailed

ORDER_TYPE_PREFIX = "ORDER_TYPE_"
UNKNOWN = "unknown"

ORDERS_PLACED = Counter(
    "cnop_orders_placed_total", "Orders executed, by order type.", ["order_type"]
)
ORDERS_REJECTED = Counter(
    "cnop_orders_rejected_total",
    "Orders refused, by order type and the error code the client saw.",
    ["order_type", "reason"],
)
TRADED_VOLUME = Counter(
    "cnop_traded_volume_usd_total", "Cash value of executed orders in USD, by side.", ["side"]
)

Handler = TypeVar("Handler", bound=Callable[..., Any])


def order_type_label(order_type: int) -> str:
    """ "market_buy" for ORDER_TYPE_MARKET_BUY; "unknown" for a value the protos lack."""
    try:
        name = order_pb2.OrderType.Name(order_type)
    except ValueError:
        return UNKNOWN
    return name.removeprefix(ORDER_TYPE_PREFIX).lower()


def _start_at_zero() -> None:
    """Creates the series an operator expects before the first order, at zero."""
    for order_type in MARKET_TYPES:
        ORDERS_PLACED.labels(order_type_label(order_type))
    for side in ("buy", "sell"):
        TRADED_VOLUME.labels(side)


def order_placed(record: OrderRecord) -> None:
    """Counts an executed order and its cash value."""
    order_type = int(record.order_type)
    ORDERS_PLACED.labels(order_type_label(order_type)).inc()
    side = "buy" if is_buy(order_type) else "sell"
    TRADED_VOLUME.labels(side).inc(float(record.total_amount))


def counts_rejections(handler: Handler) -> Handler:
    """Wraps CreateOrder: counts each refusal by its order type and error code."""

    @functools.wraps(handler)
    def create(self: Any, request: order_pb2.CreateOrderRequest, context: Any) -> Any:
        try:
            return handler(self, request, context)
        except (RuleRefused, ValidationFailed) as refused:
            ORDERS_REJECTED.labels(order_type_label(request.order_type), refused.code).inc()
            raise

    return create  # type: ignore[return-value]


_start_at_zero()
