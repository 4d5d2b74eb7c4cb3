"""The OrderService RPCs: placing, listing and reading the caller's orders."""

from __future__ import annotations

import re

import grpc
from cnop.order.v1 import order_pb2, order_pb2_grpc
from pynamodb.expressions.condition import Condition

from inventory.rules import normalise_asset_id
from order.metrics import counts_rejections, order_placed
from order.prices import PriceBook
from order.rules import check_order_type, market_fill, parse_quantity
from order.store import OrderRecord
from order.trading import MarketOrder, ReplayedOrder, execute, order_message, order_response
from shared.cursors import CursorCodec
from shared.errors import NotFound
from shared.idempotency import IdempotencyKey
from shared.identity import current_user
from shared.paging import Page
from shared.settings import Settings

DEFAULT_PAGE = 50
MAX_PAGE = 100
ORDER_ID_PATTERN = re.compile(r"[0-9a-f]{22}")


class OrderHandlers(order_pb2_grpc.OrderServiceServicer):
    """Places market orders and answers the caller's order queries."""

    def __init__(self, settings: Settings, prices: PriceBook) -> None:
        self.prices = prices
        self.cursors = CursorCodec(settings, "orders")

    @counts_rejections
    def CreateOrder(
        self, request: order_pb2.CreateOrderRequest, context: grpc.ServicerContext
    ) -> order_pb2.CreateOrderResponse:
        username = current_user()
        check_order_type(request.order_type)
        asset_id = normalise_asset_id(request.asset_id)
        quantity = parse_quantity(request.quantity)
        key = IdempotencyKey.of(context, username, "CreateOrder", request)
        if key is not None and (previous := key.previous_response(order_pb2.CreateOrderResponse)):
            return previous

        price = self.prices.execution_price(asset_id)
        order = MarketOrder(
            username,
            request.order_type,
            asset_id,
            market_fill(request.order_type, quantity, price.price),
        )
        try:
            record = execute(order, key)
        except ReplayedOrder as replay:
            return replay.response
        order_placed(record)
        return order_response(record)

    def ListOrders(
        self, request: order_pb2.ListOrdersRequest, context: grpc.ServicerContext
    ) -> order_pb2.ListOrdersResponse:
        username = current_user()
        page = Page.of(request, self.cursors, username, default=DEFAULT_PAGE, maximum=MAX_PAGE)
        query = OrderRecord.query(
            username,
            scan_index_forward=False,
            filter_condition=_filters(request),
            limit=page.read_count,
            last_evaluated_key=page.start_key(username, "order_id"),
        )
        records, has_more = page.cut(list(query))
        reply = order_pb2.ListOrdersResponse(
            data=[order_message(record) for record in records], has_more=has_more
        )
        if has_more:
            reply.next_cursor = self.cursors.encode(username, {"k": records[-1].order_id})
        return reply

    def GetOrder(
        self, request: order_pb2.GetOrderRequest, context: grpc.ServicerContext
    ) -> order_pb2.GetOrderResponse:
        username = current_user()
        if not ORDER_ID_PATTERN.fullmatch(request.order_id):
            raise NotFound(f"There is no order {request.order_id[:64]}")
        try:
            record = OrderRecord.get(username, request.order_id)
        except OrderRecord.DoesNotExist:
            raise NotFound(f"There is no order {request.order_id}") from None
        return order_pb2.GetOrderResponse(data=order_message(record))


def _filters(request: order_pb2.ListOrdersRequest) -> Condition | None:
    conditions: list[Condition] = []
    if request.HasField("asset_id"):
        conditions.append(OrderRecord.asset_id == normalise_asset_id(request.asset_id))
    if request.HasField("order_type"):
        conditions.append(OrderRecord.order_type == request.order_type)
    if request.HasField("status"):
        conditions.append(OrderRecord.status == request.status)
    if not conditions:
        return None
    combined = conditions[0]
    for condition in conditions[1:]:
        combined &= condition
    return combined
