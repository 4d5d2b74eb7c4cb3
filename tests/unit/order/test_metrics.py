"""Order metrics: placed orders and volume by side, refusals by their error code."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from cnop.order.v1 import order_pb2
from prometheus_client import REGISTRY

from order.metrics import counts_rejections, order_placed, order_type_label
from order.store import OrderRecord
from shared.errors import NotFound, RuleRefused


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_order_types_are_labelled_as_the_api_spells_them() -> None:
    assert order_type_label(order_pb2.ORDER_TYPE_MARKET_BUY) == "market_buy"
    assert order_type_label(999) == "unknown"


def test_a_placed_order_counts_with_its_cash_value() -> None:
    now = datetime.now(UTC)
    record = OrderRecord(
        username="u",
        order_id="o",
        order_type=order_pb2.ORDER_TYPE_MARKET_SELL,
        asset_id="BTC",
        quantity=Decimal("0.1"),
        price=Decimal("30000"),
        total_amount=Decimal("3000.00"),
        status=1,
        created_at=now,
        updated_at=now,
    )
    placed = sample("cnop_orders_placed_total", order_type="market_sell")
    volume = sample("cnop_traded_volume_usd_total", side="sell")
    order_placed(record)
    assert sample("cnop_orders_placed_total", order_type="market_sell") == placed + 1
    assert sample("cnop_traded_volume_usd_total", side="sell") == volume + 3000


def test_refusals_count_by_code_and_other_errors_do_not() -> None:
    class Handlers:
        @counts_rejections
        def CreateOrder(self, request: Any, context: Any) -> Any:
            raise context

    request = order_pb2.CreateOrderRequest(order_type=order_pb2.ORDER_TYPE_MARKET_BUY)
    labels = {"order_type": "market_buy", "reason": "INSUFFICIENT_FUNDS"}
    before = sample("cnop_orders_rejected_total", **labels)
    with pytest.raises(RuleRefused):
        Handlers().CreateOrder(request, RuleRefused("no", code="INSUFFICIENT_FUNDS"))
    with pytest.raises(NotFound):
        Handlers().CreateOrder(request, NotFound("gone"))
    assert sample("cnop_orders_rejected_total", **labels) == before + 1
    assert sample("cnop_orders_rejected_total", order_type="market_buy", reason="NOT_FOUND") == 0
