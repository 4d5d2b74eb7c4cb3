"""Micro-benchmarks of the edge's transcoding, in this process, with `timeit`.

Each case runs `REPEATS` rounds of enough calls to take about a tenth of a second; the
report gives the best round (the cost without interference, what pyperf calls the
minimum) and the median round (what a busy machine gives), in microseconds per call.
"""

from __future__ import annotations

import json
import statistics
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from cnop.inventory.v1 import inventory_pb2
from cnop.order.v1 import order_pb2

from edge.transcode import json_to_message, message_to_json, parse_json

REPEATS = 7
ROUND_SECONDS = 0.1
ORDER_BODY = b'{"order_type": "market_buy", "asset_id": "BTC", "quantity": "0.001"}'
LIST_SIZE = 50  # the default page of GET /inventory/assets


def _order_response() -> order_pb2.CreateOrderResponse:
    order = order_pb2.Order(
        order_id="0005f1c2a3b4c5d6e7f8a9", order_type=order_pb2.ORDER_TYPE_MARKET_BUY,
        asset_id="BTC", quantity="0.001", price="30000.00", total_amount="30.00",
        status=order_pb2.ORDER_STATUS_COMPLETED,
    )  # fmt: skip
    now = datetime.now(UTC)
    order.created_at.FromDatetime(now)
    order.updated_at.FromDatetime(now)
    return order_pb2.CreateOrderResponse(data=order)


def _asset_list() -> inventory_pb2.ListAssetsResponse:
    asset = inventory_pb2.Asset(
        asset_id="BTC", symbol="btc", name="Bitcoin", description="A" * 200,
        category="layer-1", image="https://example.com/btc.png", price_usd=30000.0,
        is_active=True, market_cap_rank=1, market_cap=5.9e11, total_volume_24h=1.2e10,
        price_change_percentage_24h=1.25,
    )  # fmt: skip
    return inventory_pb2.ListAssetsResponse(
        data=[asset] * LIST_SIZE, total_count=LIST_SIZE, active_count=LIST_SIZE
    )


def _measure(function: Callable[[], Any]) -> dict[str, float]:
    timer = timeit.Timer(function)
    number, _ = timer.autorange()
    number = max(1, int(number * ROUND_SECONDS / 0.2))  # autorange aims at 0.2 s
    rounds = [total / number * 1e6 for total in timer.repeat(REPEATS, number)]
    return {"best_us": round(min(rounds), 2), "median_us": round(statistics.median(rounds), 2)}


def transcoding() -> dict[str, dict[str, float]]:
    """Microseconds per call of each step the edge takes for an order and an asset list."""
    body = parse_json(ORDER_BODY)
    request_class = order_pb2.CreateOrderRequest
    reply = _order_response()
    listing = _asset_list()
    reply_dict = message_to_json(reply)
    listing_dict = message_to_json(listing)
    return {
        "order request: parse_json": _measure(lambda: parse_json(ORDER_BODY)),
        "order request: json_to_message": _measure(lambda: json_to_message(request_class, body)),
        "order response: message_to_json": _measure(lambda: message_to_json(reply)),
        "order response: json.dumps": _measure(
            lambda: json.dumps(reply_dict, separators=(",", ":"))
        ),
        "asset list (50): message_to_json": _measure(lambda: message_to_json(listing)),
        "asset list (50): json.dumps": _measure(
            lambda: json.dumps(listing_dict, separators=(",", ":"))
        ),
    }
