"""The PortfolioService RPCs: the caller's holdings valued at current prices, and trades.

Valuations use the latest price whatever its age: a portfolio should show the last known
value rather than refuse to answer while the price feed recovers.
"""

from __future__ import annotations

from decimal import Decimal

import grpc
from cnop.order.v1 import order_pb2, order_pb2_grpc

from inventory.rules import normalise_asset_id
from order.prices import PriceBook
from order.store import AssetLedgerEntry, HoldingRecord
from shared.cursors import CursorCodec
from shared.errors import NotFound, ValidationFailed
from shared.identity import current_user
from shared.money import format_cash, format_price, format_quantity, to_cents
from shared.paging import Page
from shared.settings import Settings
from user.ledger import read_balance

DEFAULT_PAGE = 50
MAX_PAGE = 100
HUNDRED = Decimal(100)


class PortfolioHandlers(order_pb2_grpc.PortfolioServiceServicer):
    """Answers what the caller holds and how it traded."""

    def __init__(self, settings: Settings, prices: PriceBook) -> None:
        self.prices = prices
        self.cursors = CursorCodec(settings, "asset-ledger")

    def GetPortfolio(
        self, request: order_pb2.GetPortfolioRequest, context: grpc.ServicerContext
    ) -> order_pb2.GetPortfolioResponse:
        username = current_user()
        holdings = [h for h in HoldingRecord.query(username) if h.quantity > 0]
        prices = self.prices.latest(h.asset_id for h in holdings)
        cash = read_balance(username).amount
        values = {
            h.asset_id: to_cents(h.quantity * prices[h.asset_id].price)
            for h in holdings
            if h.asset_id in prices
        }
        total = cash + sum(values.values(), Decimal(0))
        assets = [
            order_pb2.PortfolioAsset(
                asset_id=h.asset_id,
                quantity=format_quantity(h.quantity),
                current_price=format_price(prices[h.asset_id].price),
                market_value=format_cash(values[h.asset_id]),
                percentage=format_cash(values[h.asset_id] * HUNDRED / total) if total else "0.00",
            )
            for h in sorted(holdings, key=lambda h: values.get(h.asset_id, 0), reverse=True)
            if h.asset_id in values
        ]
        return order_pb2.GetPortfolioResponse(
            assets=assets, cash_balance=format_cash(cash), total_value=format_cash(total)
        )

    def GetAssetBalance(
        self, request: order_pb2.GetAssetBalanceRequest, context: grpc.ServicerContext
    ) -> order_pb2.GetAssetBalanceResponse:
        username = current_user()
        asset_id = normalise_asset_id(request.asset_id)
        try:
            holding = HoldingRecord.get(username, asset_id, consistent_read=True)
        except HoldingRecord.DoesNotExist:
            holding = None
        if holding is None or holding.quantity <= 0:
            raise NotFound(f"You hold no {asset_id}")
        price = self.prices.latest([asset_id]).get(asset_id)
        if price is None:
            raise NotFound(f"There is no asset {asset_id}")
        reply = order_pb2.GetAssetBalanceResponse(
            asset_id=asset_id,
            asset_name=price.name,
            quantity=format_quantity(holding.quantity),
            current_price=format_price(price.price),
            total_value=format_cash(to_cents(holding.quantity * price.price)),
        )
        reply.created_at.FromDatetime(holding.created_at)
        reply.updated_at.FromDatetime(holding.updated_at)
        return reply

    def ListAssetTransactions(
        self,
        request: order_pb2.ListAssetTransactionsRequest,
        context: grpc.ServicerContext,
    ) -> order_pb2.ListAssetTransactionsResponse:
        username = current_user()
        asset_id = normalise_asset_id(request.asset_id)
        page = Page.of(request, self.cursors, username, default=DEFAULT_PAGE, maximum=MAX_PAGE)
        if page.after is not None and not page.after.startswith(f"{asset_id}#"):
            raise ValidationFailed.field("cursor", "is not a valid cursor for this list")
        if asset_id not in self.prices.latest([asset_id]):
            raise NotFound(f"There is no asset {asset_id}")

        query = AssetLedgerEntry.query(
            username,
            AssetLedgerEntry.entry_key.startswith(f"{asset_id}#"),
            scan_index_forward=False,
            limit=page.read_count,
            last_evaluated_key=page.start_key(username, "entry_key"),
        )
        entries, has_more = page.cut(list(query))
        reply = order_pb2.ListAssetTransactionsResponse(
            data=[_trade(entry) for entry in entries], has_more=has_more
        )
        if has_more:
            reply.next_cursor = self.cursors.encode(username, {"k": entries[-1].entry_key})
        return reply


def _trade(entry: AssetLedgerEntry) -> order_pb2.AssetTransaction:
    trade = order_pb2.AssetTransaction(
        asset_id=entry.asset_id,
        transaction_type=int(entry.transaction_type),
        quantity=format_quantity(abs(entry.quantity)),
        price=format_price(entry.price),
        total_amount=format_cash(entry.total_amount),
        order_id=entry.order_id,
        status=int(entry.status),
    )
    trade.timestamp.FromDatetime(entry.created_at)
    return trade
