"""Trading rules, pure: what an order may ask for and what it costs.

A market order trades at once, in full, at the current price. Its total is quantity times
price in whole cents, the fraction of a cent rounded against the client (up for a buy,
down for a sell). An order worth less than a cent is refused either way, so no asset is
handed over for free and no one pays a cent for dust they could never sell.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from decimal import Decimal

from cnop.order.v1 import order_pb2

from shared.errors import ValidationFailed
from shared.money import (
    CENT,
    cents_to_pay,
    cents_to_receive,
    format_price,
    has_at_most_places,
    parse_decimal,
)

MIN_QUANTITY = Decimal("0.001")
MAX_QUANTITY = Decimal("1000")
QUANTITY_PLACES = 8
MARKET_TYPES = frozenset({order_pb2.ORDER_TYPE_MARKET_BUY, order_pb2.ORDER_TYPE_MARKET_SELL})
LIMIT_TYPES = frozenset({order_pb2.ORDER_TYPE_LIMIT_BUY, order_pb2.ORDER_TYPE_LIMIT_SELL})


def parse_quantity(text: str) -> Decimal:
    """Units to trade: at least 0.001, at most 1000, with at most 8 decimal places."""
    quantity = parse_decimal(text, "quantity")
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise ValidationFailed.field("quantity", "must be between 0.001 and 1000")
    if not has_at_most_places(quantity, QUANTITY_PLACES):
        raise ValidationFailed.field("quantity", "must have at most 8 decimal places")
    return quantity


def check_order_type(order_type: int) -> None:
    """Only market orders are accepted for now."""
    if order_type in LIMIT_TYPES:
        raise ValidationFailed.field(
            "order_type", "limit orders are not accepted yet; use market_buy or market_sell"
        )
    if order_type not in MARKET_TYPES:
        raise ValidationFailed.field("order_type", "must be market_buy or market_sell")


def is_buy(order_type: int) -> bool:
    return order_type in (order_pb2.ORDER_TYPE_MARKET_BUY, order_pb2.ORDER_TYPE_LIMIT_BUY)


@dataclass(frozen=True, slots=True)
class Fill:
    """What a market order moves: units at a price, for a total in cents."""

    quantity: Decimal
    price: Decimal
    total: Decimal


def market_fill(order_type: int, quantity: Decimal, price: Decimal) -> Fill:
    """The fill of `quantity` at `price`; refused when the total is under one cent.

    The fraction of a cent goes the platform's way: a buyer pays it, a seller forgoes it.
    Rounding half-up instead would let a client split a trade into pieces each rounded in
    its favour, and turn that into money that was never there.
    """
    exact = quantity * price
    if exact < CENT:
        # Refused on both sides alike: a buy would pay a whole cent for dust that could
        # then never be sold.
        raise ValidationFailed.field(
            "quantity",
            f"the order is worth less than 0.01 at the current price {format_price(price)}",
        )
    total = cents_to_pay(exact) if is_buy(order_type) else cents_to_receive(exact)
    return Fill(quantity, price, total)


def new_order_id() -> str:
    """An id that sorts by creation time: 14 hex digits of microseconds, 8 random."""
    return f"{time.time_ns() // 1000:014x}{os.urandom(4).hex()}"
