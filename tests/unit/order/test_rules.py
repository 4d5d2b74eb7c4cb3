"""Trading rules: quantities, order types and what a fill costs, without any store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from cnop.order.v1 import order_pb2

from order.rules import check_order_type, market_fill, parse_quantity
from shared.errors import ValidationFailed

BUY = order_pb2.ORDER_TYPE_MARKET_BUY
SELL = order_pb2.ORDER_TYPE_MARKET_SELL


def test_a_buyer_pays_and_a_seller_forgoes_the_fraction_of_a_cent() -> None:
    assert market_fill(BUY, Decimal("0.12345678"), Decimal("30000")).total == Decimal("3703.71")
    assert market_fill(SELL, Decimal("0.12345678"), Decimal("30000")).total == Decimal("3703.70")
    assert market_fill(BUY, Decimal("0.1"), Decimal("30000")).total == Decimal("3000.00")


def test_splitting_a_trade_into_pieces_creates_no_money() -> None:
    price = Decimal("12.7482747")
    piece = Decimal("0.00117584")  # worth 0.01499: half-up rounding would charge 0.01
    paid = sum(market_fill(BUY, piece, price).total for _ in range(60))
    received = market_fill(SELL, piece * 60, price).total
    assert received <= paid
    split_sales = sum(market_fill(SELL, piece, price).total for _ in range(60))
    assert split_sales <= market_fill(BUY, piece * 60, price).total


@pytest.mark.parametrize("side", [BUY, SELL])
def test_an_order_worth_less_than_a_cent_is_refused_either_way(side: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        market_fill(side, Decimal("0.001"), Decimal("0.00000723"))
    assert "0.00000723" in refused.value.violations[0].message
    assert market_fill(side, Decimal("1"), Decimal("0.01")).total == Decimal("0.01")


@pytest.mark.parametrize("text", ["0.0009", "1000.00000001", "0.123456789", "1_0", "+5", " 5",
                                  "\u0665", "1e2", "NaN", ""])  # fmt: skip
def test_quantities_outside_the_rules_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_quantity(text)
    assert refused.value.violations[0].field == "quantity"


@pytest.mark.parametrize("text", ["0.001", "1000", "0.12345678", "12"])
def test_quantities_inside_the_rules_are_read_exactly(text: str) -> None:
    assert parse_quantity(text) == Decimal(text)


def test_limit_orders_are_refused_until_they_are_built() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_order_type(order_pb2.ORDER_TYPE_LIMIT_BUY)
    assert "not accepted yet" in refused.value.violations[0].message
