"""Executing a market order: one DynamoDB transaction that moves cash and asset together.

The transaction writes the order, the cash balance and its ledger entry (through
`user.ledger.cash_leg`), the holding and the asset ledger entry, and the idempotency
record when the request has a key. Its conditions refuse a buy the cash does not cover
and a sell of more than is held; any refusal or crash leaves nothing behind, because
DynamoDB applies all of the items or none.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cnop.order.v1 import order_pb2
from cnop.user.v1 import user_pb2
from pynamodb.transactions import TransactWrite

from order.rules import Fill, is_buy, new_order_id
from order.store import AssetLedgerEntry, HoldingRecord, OrderRecord
from shared.errors import RuleRefused
from shared.idempotency import IdempotencyKey, IdempotencyRecord
from shared.money import format_cash, format_price, format_quantity
from shared.transactions import TransactionRefused, run_transaction
from user.ledger import Movement, cash_leg, read_balance
from user.store import CashBalance

COMPLETED = order_pb2.ORDER_STATUS_COMPLETED
BUY = order_pb2.ASSET_TRANSACTION_TYPE_BUY
SELL = order_pb2.ASSET_TRANSACTION_TYPE_SELL


@dataclass(frozen=True, slots=True)
class MarketOrder:
    """A market order ready to execute at a known fill."""

    username: str
    order_type: int
    asset_id: str
    fill: Fill


class ReplayedOrder(Exception):
    """The request's Idempotency-Key was used before; `response` is the first answer."""

    def __init__(self, response: order_pb2.CreateOrderResponse) -> None:
        super().__init__("replayed")
        self.response = response


def execute(order: MarketOrder, key: IdempotencyKey | None) -> OrderRecord:
    """Executes the order atomically; returns the stored order.

    Raises `RuleRefused` (INSUFFICIENT_FUNDS or INSUFFICIENT_HOLDINGS) when the account
    cannot cover it, and `ReplayedOrder` when its key was used by an earlier request.
    """
    now = datetime.now(UTC)
    record = OrderRecord(
        username=order.username,
        order_id=new_order_id(),
        order_type=order.order_type,
        asset_id=order.asset_id,
        quantity=order.fill.quantity,
        price=order.fill.price,
        total_amount=order.fill.total,
        status=COMPLETED,
        created_at=now,
        updated_at=now,
    )

    def build(transaction: TransactWrite) -> None:
        trade_items(transaction, order, record)
        if key is not None:
            key.claim(transaction, order_response(record), complete=True)

    try:
        run_transaction(build)
    except TransactionRefused as refused:
        raise _refusal(order, key, refused) from None
    return record


def trade_items(transaction: TransactWrite, order: MarketOrder, record: OrderRecord) -> None:
    """Adds the order, both cash writes and both asset writes to `transaction`."""
    buying = is_buy(order.order_type)
    fill, now = order.fill, record.created_at
    transaction.save(record, condition=OrderRecord.order_id.does_not_exist())
    cash_leg(
        transaction,
        Movement(
            username=order.username,
            amount=-fill.total if buying else fill.total,
            transaction_type=(
                user_pb2.BALANCE_TRANSACTION_TYPE_ORDER_PAYMENT
                if buying
                else user_pb2.BALANCE_TRANSACTION_TYPE_ORDER_SALE
            ),
            description=f"{'Buy' if buying else 'Sell'} {format_quantity(fill.quantity)} "
            f"{order.asset_id} at {fill.price}",
            reference_id=record.order_id,
            transaction_id=uuid.uuid4().hex,
            created_at=now,
        ),
    )
    units = fill.quantity if buying else -fill.quantity
    transaction.update(
        HoldingRecord(username=order.username, asset_id=order.asset_id),
        actions=[
            HoldingRecord.quantity.add(units),
            HoldingRecord.created_at.set(HoldingRecord.created_at | now),
            HoldingRecord.updated_at.set(now),
        ],
        condition=None if buying else HoldingRecord.quantity >= fill.quantity,
    )
    transaction.save(
        AssetLedgerEntry(
            username=order.username,
            entry_key=f"{order.asset_id}#{record.order_id}",
            asset_id=order.asset_id,
            order_id=record.order_id,
            transaction_type=BUY if buying else SELL,
            quantity=units,
            price=fill.price,
            total_amount=fill.total,
            status=COMPLETED,
            created_at=now,
        ),
        condition=AssetLedgerEntry.entry_key.does_not_exist(),
    )


def _refusal(
    order: MarketOrder, key: IdempotencyKey | None, refused: TransactionRefused
) -> Exception:
    if key is not None and refused.refused_by(IdempotencyRecord):
        previous = key.previous_response(order_pb2.CreateOrderResponse)
        if previous is not None:
            return ReplayedOrder(previous)
    if refused.refused_by(CashBalance):
        available = read_balance(order.username).amount
        return RuleRefused(
            f"Insufficient balance: {format_cash(available)} available, "
            f"{format_cash(order.fill.total)} required",
            code="INSUFFICIENT_FUNDS",
        )
    if refused.refused_by(HoldingRecord):
        return RuleRefused(
            f"Insufficient holdings: selling {format_quantity(order.fill.quantity)} "
            f"{order.asset_id} needs at least that much held",
            code="INSUFFICIENT_HOLDINGS",
        )
    return refused


def order_response(record: OrderRecord) -> order_pb2.CreateOrderResponse:
    """The API answer for a placed order."""
    return order_pb2.CreateOrderResponse(data=order_message(record))


def order_message(record: OrderRecord) -> order_pb2.Order:
    """An order record as the API's `Order`."""
    message = order_pb2.Order(
        order_id=record.order_id,
        order_type=int(record.order_type),
        asset_id=record.asset_id,
        quantity=format_quantity(record.quantity),
        price=format_price(record.price),
        total_amount=format_cash(record.total_amount),
        status=int(record.status),
    )
    message.created_at.FromDatetime(record.created_at)
    message.updated_at.FromDatetime(record.updated_at)
    return message
